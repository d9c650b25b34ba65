package main

import (
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
		"x.rs":          {{3, 3}, {9, 10}, {19, 21}},
		`späce "q".rs`:  {{1, 2}},
		"with space.rs": {{1, 2}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
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
