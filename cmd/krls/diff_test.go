package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// isolateGit keeps the user's git configuration, and the variables git
// sets for hooks (when the tests run from one), away from the tests.
func isolateGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func writeCheckFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const committed = `/// # Safety
///
/// None.
unsafe fn g() {}

fn old() {
    unsafe { g() };
}

fn documented() {
    // SAFETY: ` + "`g`" + ` has no requirements.
    unsafe { g() };
}
`

// modified deletes the SAFETY comment of documented() and adds a function
// with an undocumented block; old() keeps its old finding.
const modified = `/// # Safety
///
/// None.
unsafe fn g() {}

fn old() {
    unsafe { g() };
}

fn documented() {
    unsafe { g() };
}

fn added() {
    let x = unsafe { g() };
}
`

func TestCheckDiff(t *testing.T) {
	isolateGit(t)
	repo := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(repo))
	gitIn(t, repo, "init", "-q")
	gitIn(t, repo, "config", "user.name", "krls test")
	gitIn(t, repo, "config", "user.email", "krls@example.com")
	gitIn(t, repo, "config", "commit.gpgsign", "false")
	writeCheckFile(t, filepath.Join(repo, "drivers", "a.rs"), committed)
	writeCheckFile(t, filepath.Join(repo, "drivers", "same.rs"), committed)
	writeCheckFile(t, filepath.Join(repo, "staged.rs"), committed)
	gitIn(t, repo, "add", "drivers")
	gitIn(t, repo, "commit", "-q", "-m", "initial")

	writeCheckFile(t, filepath.Join(repo, "drivers", "a.rs"), modified)
	writeCheckFile(t, filepath.Join(repo, "drivers", "new.rs"), committed) // untracked
	gitIn(t, repo, "add", "staged.rs")                                     // new to the index, not in HEAD
	t.Chdir(repo)

	// Without --diff: every finding.
	out, _, code := krlsCheck(t, "--rules", "undocumented-unsafe", ".")
	if code != 1 || strings.Count(out, "\n") != 6 {
		t.Errorf("without --diff: exit %d\n%s", code, out)
	}

	want := "drivers/a.rs:11:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n" +
		"drivers/a.rs:15:13: warning: unsafe block missing a safety comment [undocumented-unsafe]\n" +
		"drivers/new.rs:7:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n" +
		"staged.rs:7:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n"
	out, errOut, code := krlsCheck(t, "--diff", "HEAD", ".")
	if out != want || code != 1 || errOut != "" {
		t.Errorf("--diff HEAD: exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut, out, want)
	}

	// From a subfolder, with paths relative to it.
	t.Chdir(filepath.Join(repo, "drivers"))
	out, _, _ = krlsCheck(t, "a.rs", "same.rs", "--diff", "HEAD")
	if want := "a.rs:11:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n" +
		"a.rs:15:13: warning: unsafe block missing a safety comment [undocumented-unsafe]\n"; out != want {
		t.Errorf("from drivers/:\n%s\nwant\n%s", out, want)
	}

	// Nothing changed: nothing reported, exit 0.
	out, _, code = krlsCheck(t, "same.rs", "--diff", "HEAD")
	if out != "" || code != 0 {
		t.Errorf("unchanged file: exit %d\n%s", code, out)
	}

	// A revision git does not know.
	out, errOut, code = krlsCheck(t, "--diff", "no-such-rev", ".")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "no-such-rev") {
		t.Errorf("unknown revision: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestCheckDiffUnbornHead: a pre-commit hook runs `krls check --diff HEAD`
// before the repository's first commit too, when HEAD names no commit yet:
// every line of the files git does not ignore is new.
func TestCheckDiffUnbornHead(t *testing.T) {
	isolateGit(t)
	repo := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(repo))
	gitIn(t, repo, "init", "-q")
	writeCheckFile(t, filepath.Join(repo, "staged.rs"), committed)
	writeCheckFile(t, filepath.Join(repo, "new.rs"), committed)
	writeCheckFile(t, filepath.Join(repo, "gone.rs"), committed)
	writeCheckFile(t, filepath.Join(repo, ".gitignore"), "gone.rs\n")
	gitIn(t, repo, "add", "staged.rs")
	t.Chdir(repo)

	want := "new.rs:7:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n" +
		"staged.rs:7:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n"
	out, errOut, code := krlsCheck(t, "--diff", "HEAD", "new.rs", "staged.rs", "gone.rs")
	if out != want || code != 1 || errOut != "" {
		t.Errorf("--diff HEAD before the first commit: exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut, out, want)
	}
	// Another revision is still an error there.
	if _, errOut, code := krlsCheck(t, "--diff", "HEAD~1", "new.rs"); code != 2 || !strings.Contains(errOut, "HEAD~1") {
		t.Errorf("--diff HEAD~1 before the first commit: exit %d, stderr %q", code, errOut)
	}
}

// newRepo makes a git repository in a new temporary folder, commits
// files (slash-separated paths → contents) and makes it the working
// directory.
func newRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	isolateGit(t)
	repo := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(repo))
	gitIn(t, repo, "init", "-q")
	gitIn(t, repo, "config", "user.name", "krls test")
	gitIn(t, repo, "config", "user.email", "krls@example.com")
	gitIn(t, repo, "config", "commit.gpgsign", "false")
	for name, text := range files {
		writeCheckFile(t, filepath.Join(repo, filepath.FromSlash(name)), text)
	}
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "--allow-empty", "-m", "initial")
	t.Chdir(repo)
	return repo
}

const unsafeF = "/// # Safety\n///\n/// None.\nunsafe fn f() {}\n\nfn g() -> u32 {\n    0\n}\n\n"

// TestCheckDiffExtent: a finding counts as changed when the text that
// decides it changed, not only its own lines.
func TestCheckDiffExtent(t *testing.T) {
	const documented = unsafeF + "pub fn a() -> u32 {\n    // SAFETY: f has no requirements.\n    let x = unsafe { f() };\n    x\n}\n"
	for _, tc := range []struct {
		name, old, new string
		want           string
	}{
		{
			// A line between the comment and its block: the comment
			// documents nothing now, and the block nothing documents.
			"insert between", "    // SAFETY: f has no requirements.\n", "    // SAFETY: f has no requirements.\n    let q = 1;\n",
			"lib.rs:11:8: warning: statement has unnecessary safety comment [unnecessary-safety-comment]\n" +
				"lib.rs:13:13: warning: unsafe block missing a safety comment [undocumented-unsafe]\n",
		},
		{
			// The unsafe block replaced under an unchanged comment.
			"replace the block", "unsafe { f() }", "g()",
			"lib.rs:11:8: warning: statement has unnecessary safety comment [unnecessary-safety-comment]\n",
		},
		{
			// An unrelated change above the function reports nothing.
			"unrelated", "    0\n", "    1\n", "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := newRepo(t, map[string]string{"lib.rs": documented})
			if !strings.Contains(documented, tc.old) {
				t.Fatalf("%q not in the file", tc.old)
			}
			writeCheckFile(t, filepath.Join(repo, "lib.rs"), strings.Replace(documented, tc.old, tc.new, 1))
			out, errOut, code := krlsCheck(t, "--diff", "HEAD", ".")
			// Only the rule, line and column: the messages are diagnostics'.
			if got, want := positionsAndRules(out), positionsAndRules(tc.want); got != want || errOut != "" {
				t.Errorf("exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut, out, tc.want)
			}
		})
	}
}

// positionsAndRules keeps the path:line:col and [rule] of text output.
func positionsAndRules(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		f := strings.SplitN(l, ": ", 2)
		rule := l[strings.LastIndexByte(l, '['):]
		b.WriteString(f[0] + " " + rule + "\n")
	}
	return b.String()
}

// TestCheckDiffRename: a renamed file's old findings are not new.
func TestCheckDiffRename(t *testing.T) {
	repo := newRepo(t, map[string]string{"sub/lib.rs": committed, "sub/other.rs": committed})
	gitIn(t, repo, "mv", "sub/lib.rs", "sub/moved.rs")
	out, errOut, code := krlsCheck(t, "--diff", "HEAD", ".")
	if out != "" || errOut != "" || code != 0 {
		t.Errorf("staged rename: exit %d, stderr %q, stdout\n%s", code, errOut, out)
	}
	// A rename with a change: only the change counts.
	writeCheckFile(t, filepath.Join(repo, "sub", "moved.rs"), modified)
	gitIn(t, repo, "add", "sub/moved.rs")
	out, _, _ = krlsCheck(t, "--diff", "HEAD", "sub/moved.rs")
	if want := "sub/moved.rs:11:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n" +
		"sub/moved.rs:15:13: warning: unsafe block missing a safety comment [undocumented-unsafe]\n"; out != want {
		t.Errorf("rename with a change:\n%s\nwant\n%s", out, want)
	}
}

// TestCheckDiffQuotedNames: names git quotes, and names it ends with a
// TAB because they hold a space.
func TestCheckDiffQuotedNames(t *testing.T) {
	names := []string{"sp ace/tab\té\".rs", "sp ace/plain.rs", "new\\line\n.rs", "ünï.rs"}
	files := map[string]string{}
	for _, n := range names {
		files[n] = committed
	}
	repo := newRepo(t, files)
	for _, n := range names {
		writeCheckFile(t, filepath.Join(repo, filepath.FromSlash(n)), modified)
	}
	out, errOut, code := krlsCheck(t, "--format", "json", "--diff", "HEAD", ".")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got []jsonFinding
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, f := range got {
		count[filepath.ToSlash(f.File)]++
	}
	for _, n := range names {
		if count[n] != 2 {
			t.Errorf("%q: %d findings, want 2 (the changed lines)", n, count[n])
		}
	}
}

// TestCheckDiffIgnored: an untracked file git ignores is not a change;
// one it does not ignore is new throughout.
func TestCheckDiffIgnored(t *testing.T) {
	repo := newRepo(t, map[string]string{".gitignore": "gen_*.rs\n", "a.rs": committed})
	writeCheckFile(t, filepath.Join(repo, "gen_bindings.rs"), committed)
	writeCheckFile(t, filepath.Join(repo, "new.rs"), committed)
	want := "new.rs:7:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n"
	for _, args := range [][]string{{"."}, {"gen_bindings.rs", "new.rs", "a.rs"}} {
		out, errOut, _ := krlsCheck(t, append([]string{"--diff", "HEAD"}, args...)...)
		if out != want || errOut != "" {
			t.Errorf("krls check --diff HEAD %q: stderr %q, stdout\n%s\nwant\n%s", args, errOut, out, want)
		}
	}
	// Without --diff, a file named on the command line is checked even
	// when git ignores it; a folder's ignored files are not.
	out, _, _ := krlsCheck(t, "gen_bindings.rs")
	if !strings.Contains(out, "gen_bindings.rs:7:5") {
		t.Errorf("an ignored file named explicitly is not checked:\n%s", out)
	}
	out, _, _ = krlsCheck(t, ".")
	if strings.Contains(out, "gen_bindings.rs") || !strings.Contains(out, "new.rs:7:5") || !strings.Contains(out, "a.rs:7:5") {
		t.Errorf("folder:\n%s", out)
	}
}

func TestCheckDiffNotARepository(t *testing.T) {
	isolateGit(t)
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	writeCheckFile(t, filepath.Join(dir, "a.rs"), modified)
	t.Chdir(dir)
	out, errOut, code := krlsCheck(t, "--diff", "HEAD", "a.rs")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not a git repository") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestParseUnifiedDiff(t *testing.T) {
	diff := `diff --git a/x.rs b/x.rs
index 1111111..2222222 100644
--- a/x.rs
+++ b/x.rs
@@ -3 +3 @@ fn f() {
-    a();
+    b();
@@ -10,2 +9,0 @@ fn g() {
-    // SAFETY: gone.
--- removed line that looks like a header
@@ -20,0 +19,3 @@
+++ added line that looks like a header
+@@ -1 +1 @@ neither is this
+
diff --git a/gone.rs b/gone.rs
deleted file mode 100644
--- a/gone.rs
+++ /dev/null
@@ -1,2 +0,0 @@
-fn a() {}
-fn b() {}
diff --git "a/sp\303\244ce \"q\".rs" "b/sp\303\244ce \"q\".rs"
new file mode 100644
--- /dev/null
+++ "b/sp\303\244ce \"q\".rs"
@@ -0,0 +1,2 @@
+fn a() {}
+fn b() {}
\ No newline at end of file
diff --git a/with space.rs b/with space.rs
--- a/with space.rs	
+++ b/with space.rs	
@@ -1 +1,0 @@
-x
diff --git "a/sp ace/tab\t\303\251\".rs" "b/sp ace/tab\t\303\251\".rs"
--- "a/sp ace/tab\t\303\251\".rs"	
+++ "b/sp ace/tab\t\303\251\".rs"	
@@ -2 +2 @@
-x
+y
diff --git a/old.rs b/moved.rs
similarity index 90%
rename from old.rs
rename to moved.rs
--- a/old.rs
+++ b/moved.rs
@@ -5 +5 @@
-x
+y
diff --git a/pure.rs b/pure2.rs
similarity index 100%
rename from pure.rs
rename to pure2.rs
`
	m, err := parseUnifiedDiff([]byte(diff))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][][2]int{}
	for k, v := range m {
		v.sort()
		got[k] = v.ranges
	}
	want := map[string][][2]int{
		"x.rs":               {{3, 3}, {9, 10}, {19, 21}},
		`späce "q".rs`:       {{1, 2}},
		"with space.rs":      {{1, 2}},
		"sp ace/tab\té\".rs": {{2, 2}},
		"moved.rs":           {{5, 5}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestUnquoteGit(t *testing.T) {
	for in, want := range map[string]string{
		`"a"`:                         "a",
		`"tab\there"`:                 "tab\there",
		`"\a\b\f\n\r\v\\\""`:          "\a\b\f\n\r\v\\\"",
		`"\303\251"`:                  "é",
		"\"raw \xff\xfe\"":            "raw \xff\xfe", // bytes git leaves alone stay as they are
		`"sp ace/tab\t\303\251\".rs"`: "sp ace/tab\té\".rs",
	} {
		if got, ok := unquoteGit(in); !ok || got != want {
			t.Errorf("unquoteGit(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{`"`, `"a`, `a"`, `"\"`, `"\q"`, `"\38"`, `"\1"`, `"a"b"`} {
		if got, ok := unquoteGit(bad); ok {
			t.Errorf("unquoteGit(%q) = %q, want failure", bad, got)
		}
	}
}

func TestLineSetTouches(t *testing.T) {
	s := &lineSet{}
	for _, r := range [][2]int{{20, 22}, {3, 3}, {9, 10}, {11, 12}} {
		s.add(r[0], r[1])
	}
	s.sort()
	if want := [][2]int{{3, 3}, {9, 12}, {20, 22}}; !reflect.DeepEqual(s.ranges, want) {
		t.Errorf("merged %v, want %v", s.ranges, want)
	}
	for _, tc := range []struct {
		lo, hi int
		want   bool
	}{
		{1, 2, false}, {3, 3, true}, {2, 4, true}, {4, 8, false}, {8, 9, true},
		{12, 12, true}, {13, 19, false}, {13, 25, true}, {23, 30, false},
	} {
		if got := s.touches(tc.lo, tc.hi); got != tc.want {
			t.Errorf("touches(%d, %d) = %v", tc.lo, tc.hi, got)
		}
	}
	var none *lineSet
	if none.touches(1, 100) || !(&lineSet{all: true}).touches(5, 5) {
		t.Error("nil or all sets")
	}
}

// TestCheckRunsNoRepositoryProgram: a repository's own configuration may
// name programs git runs (core.fsmonitor at an index refresh); krls runs
// git to honour .gitignore and for --diff, and must never start them —
// opening or checking a tree must not execute its commands. A caller's
// own configuration overrides (GIT_CONFIG_COUNT) are kept.
func TestCheckRunsNoRepositoryProgram(t *testing.T) {
	repo := newRepo(t, map[string]string{"a.rs": committed})
	marker := filepath.Join(t.TempDir(), "ran")
	gitIn(t, repo, "config", "core.fsmonitor", "touch '"+marker+"'; false")
	// The repository really is armed: plain git runs the program.
	cmd := exec.Command("git", "-C", repo, "status", "--porcelain")
	cmd.Run()
	if _, err := os.Stat(marker); err != nil {
		t.Skipf("this git does not run core.fsmonitor (%v): nothing to test", err)
	}
	os.Remove(marker)
	t.Setenv("GIT_CONFIG_COUNT", "1")
	t.Setenv("GIT_CONFIG_KEY_0", "core.quotePath")
	t.Setenv("GIT_CONFIG_VALUE_0", "false")
	for _, args := range [][]string{{"."}, {"--diff", "HEAD", "."}, {"--diff", "HEAD", "a.rs"}} {
		if _, errOut, code := krlsCheck(t, args...); code == 2 {
			t.Errorf("krls check %q: exit 2, stderr %q", args, errOut)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("krls check %q ran the repository's core.fsmonitor", args)
		}
	}
}

// TestCheckDiffMerge: committing a merge (a pre-commit hook runs on the
// merged files), the lines taken from the other branch as they were there
// are not the committer's change; a line the resolution wrote is.
func TestCheckDiffMerge(t *testing.T) {
	const base = "/// # Safety\n///\n/// None.\nunsafe fn g() {}\n\nfn a() {}\n\nfn b() {}\n"
	repo := newRepo(t, map[string]string{"m.rs": base})
	gitIn(t, repo, "checkout", "-q", "-b", "other")
	writeCheckFile(t, filepath.Join(repo, "m.rs"), strings.Replace(base, "fn b() {}", "fn b() {\n    unsafe { g() };\n}", 1))
	gitIn(t, repo, "commit", "-q", "-am", "other: b")
	gitIn(t, repo, "checkout", "-q", "-")
	writeCheckFile(t, filepath.Join(repo, "x.rs"), "fn x() {}\n")
	gitIn(t, repo, "add", "x.rs")
	gitIn(t, repo, "commit", "-q", "-m", "main: x")
	gitIn(t, repo, "merge", "-q", "--no-commit", "--no-ff", "other")

	// Only the other branch's block, unchanged: nothing to report.
	if out, errOut, code := krlsCheck(t, "--diff", "HEAD", "m.rs"); code != 0 || out != "" {
		t.Errorf("merge as the other branch had it: exit %d, stderr %q, stdout\n%s", code, errOut, out)
	}
	// The resolution adds a block of its own: that one is reported.
	merged, err := os.ReadFile(filepath.Join(repo, "m.rs"))
	if err != nil {
		t.Fatal(err)
	}
	writeCheckFile(t, filepath.Join(repo, "m.rs"), strings.Replace(string(merged), "fn a() {}", "fn a() {\n    unsafe { g() };\n}", 1))
	want := "m.rs:7:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n"
	if out, errOut, code := krlsCheck(t, "--diff", "HEAD", "m.rs"); code != 1 || out != want {
		t.Errorf("merge with a block of its own: exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut, out, want)
	}
}
