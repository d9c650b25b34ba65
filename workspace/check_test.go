package workspace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/lints"
)

const undocumented = "fn f() {\n    unsafe { g() };\n}\n"

// writeTree creates files (slash-separated paths → contents) under dir.
func writeCheckTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func resultPaths(rs []FileResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Path)
	}
	return out
}

func TestCheckWalksFolders(t *testing.T) {
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{
		"b.rs":                  undocumented,
		"a.rs":                  undocumented,
		"a/x.rs":                undocumented,
		"sub/deep/deeper/c.rs":  undocumented,
		"sub/target.rs":         undocumented, // a file named target is no output folder
		"sub/notes.txt":         "not rust",
		"sub/rs":                "not rust either",
		".git/objects/x.rs":     undocumented,
		".hidden/y.rs":          undocumented,
		"sub/.#lock.rs":         undocumented,
		"target/debug/build.rs": undocumented,
		"sub/target/z.rs":       undocumented, // not cargo's: no CACHEDIR.TAG
	})
	rs, err := Check(context.Background(), []string{dir}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range []string{"a.rs", "a/x.rs", "b.rs", "sub/deep/deeper/c.rs", "sub/target.rs", "sub/target/z.rs", "target/debug/build.rs"} {
		want = append(want, filepath.Join(dir, filepath.FromSlash(p)))
	}
	if got := resultPaths(rs); !reflect.DeepEqual(got, want) {
		t.Errorf("paths\n got %q\nwant %q", got, want)
	}
	for _, r := range rs {
		if r.Err != nil || r.Skipped || r.Lines == nil || len(r.Src) == 0 {
			t.Errorf("%s: err %v, skipped %v, lines %v", r.Path, r.Err, r.Skipped, r.Lines != nil)
		}
		if len(r.Findings) != 1 || r.Findings[0].Rule != "undocumented-unsafe" {
			t.Errorf("%s: findings %+v", r.Path, r.Findings)
		}
	}
}

func TestCheckRelativePaths(t *testing.T) {
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{
		"z.rs":       undocumented,
		"sub/a.rs":   undocumented,
		"sub/b.rs":   undocumented,
		"README.txt": "",
	})
	t.Chdir(dir)
	for _, tc := range []struct {
		paths []string
		want  []string
	}{
		{[]string{"."}, []string{"sub/a.rs", "sub/b.rs", "z.rs"}},
		{[]string{"./sub/"}, []string{"sub/a.rs", "sub/b.rs"}},
		// Files given stay as given; a file named twice is checked once;
		// a file given explicitly is checked whatever its name.
		{[]string{"./z.rs", "sub", "sub/a.rs", "z.rs", "README.txt"}, []string{"./z.rs", "README.txt", "sub/a.rs", "sub/b.rs"}},
	} {
		rs, err := Check(context.Background(), tc.paths, CheckOptions{Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range tc.want {
			want = append(want, filepath.FromSlash(p))
		}
		if got := resultPaths(rs); !reflect.DeepEqual(got, want) {
			t.Errorf("Check(%q)\n got %q\nwant %q", tc.paths, got, want)
		}
	}
}

func TestCheckMissingPath(t *testing.T) {
	dir := t.TempDir()
	_, err := Check(context.Background(), []string{dir, filepath.Join(dir, "nope.rs")}, CheckOptions{})
	if err == nil || !os.IsNotExist(err) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

func TestCheckTooLarge(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.rs")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: costs no disk.
	if err := f.Truncate(symbols.MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	writeCheckTree(t, dir, map[string]string{"small.rs": undocumented})
	rs, err := Check(context.Background(), []string{dir}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Path != big {
		t.Fatalf("results %q", resultPaths(rs))
	}
	if r := rs[0]; !r.Skipped || r.Err != nil || r.Src != nil || r.Findings != nil {
		t.Errorf("big file: skipped %v, err %v, %d bytes, %d findings", r.Skipped, r.Err, len(r.Src), len(r.Findings))
	}
	if r := rs[1]; r.Skipped || len(r.Findings) != 1 {
		t.Errorf("small file: skipped %v, findings %v", r.Skipped, r.Findings)
	}
}

func TestCheckNotUTF8(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "latin1.rs")
	src := "// Gr\xf6\xdfe \xff\xfe\n" + undocumented
	writeCheckTree(t, dir, map[string]string{"latin1.rs": src})
	rs, err := Check(context.Background(), []string{p}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Err != nil || len(r.Findings) != 1 {
		t.Fatalf("err %v, findings %+v", r.Err, r.Findings)
	}
	if line := r.Lines.Line(r.Findings[0].Start); line != 2 {
		t.Errorf("finding on line %d, want 2", line)
	}
	if string(r.Src) != src {
		t.Errorf("Src differs from the file")
	}
}

func TestCheckRulesAndPrivateItems(t *testing.T) {
	// A private unsafe function without a Safety section: missing-safety-doc
	// reports it only with check-private-items.
	const src = "/// Does things.\nunsafe fn private() {}\n\nfn f() {\n    // SAFETY: TODO\n    unsafe { private() };\n}\n"
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{
		"plain/lib.rs":         src,
		"kernel/.clippy.toml":  "msrv = \"1.78.0\"\n\ncheck-private-items = true\n",
		"kernel/drivers/x.rs":  src,
		"broken/.clippy.toml":  "check-private-items = yes\n",
		"broken/sub/broken.rs": src,
	})
	rules := func(rs []FileResult) map[string][]string {
		m := map[string][]string{}
		for _, r := range rs {
			rel, _ := filepath.Rel(dir, r.Path)
			for _, f := range r.Findings {
				m[filepath.ToSlash(rel)] = append(m[filepath.ToSlash(rel)], f.Rule)
			}
		}
		return m
	}
	paths := []string{filepath.Join(dir, "plain"), filepath.Join(dir, "kernel")}

	rs, err := Check(context.Background(), paths, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"plain/lib.rs":        {"safety-placeholder"},
		"kernel/drivers/x.rs": {"missing-safety-doc", "safety-placeholder"},
	}
	if got := rules(rs); !reflect.DeepEqual(got, want) {
		t.Errorf("from .clippy.toml\n got %v\nwant %v", got, want)
	}

	rs, err = Check(context.Background(), paths, CheckOptions{CheckPrivateItems: true})
	if err != nil {
		t.Fatal(err)
	}
	want["plain/lib.rs"] = want["kernel/drivers/x.rs"]
	if got := rules(rs); !reflect.DeepEqual(got, want) {
		t.Errorf("forced\n got %v\nwant %v", got, want)
	}

	rs, err = Check(context.Background(), paths, CheckOptions{Rules: map[string]bool{"missing-safety-doc": true}})
	if err != nil {
		t.Fatal(err)
	}
	want = map[string][]string{"kernel/drivers/x.rs": {"missing-safety-doc"}}
	if got := rules(rs); !reflect.DeepEqual(got, want) {
		t.Errorf("one rule\n got %v\nwant %v", got, want)
	}

	_, err = Check(context.Background(), []string{filepath.Join(dir, "broken")}, CheckOptions{})
	if err == nil || !strings.Contains(err.Error(), "check-private-items") {
		t.Errorf("broken .clippy.toml: got %v", err)
	}
}

func TestCheckUnreadable(t *testing.T) {
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{"good.rs": undocumented})
	// A dangling link (as Emacs leaves for a file being edited, though
	// under a hidden name) cannot be read.
	if err := os.Symlink("nowhere.rs", filepath.Join(dir, "bad.rs")); err != nil {
		t.Skip(err)
	}
	rs, err := Check(context.Background(), []string{dir}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Err == nil || rs[0].Findings != nil || rs[1].Err != nil || len(rs[1].Findings) != 1 {
		for _, r := range rs {
			t.Logf("%s: err %v, findings %d", r.Path, r.Err, len(r.Findings))
		}
		t.Fatal("want an error for bad.rs and a finding in good.rs")
	}
	if !strings.Contains(rs[0].Err.Error(), "bad.rs") {
		t.Errorf("error %q does not name the file", rs[0].Err)
	}
}

func TestCheckCancelled(t *testing.T) {
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{"a.rs": undocumented})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Check(ctx, []string{dir}, CheckOptions{}); err != context.Canceled {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestCheckTargetFolders: a folder is skipped as cargo's output when it
// holds a cache directory tag, whatever its name, not for being called
// target (Linux has drivers/target/).
func TestCheckTargetFolders(t *testing.T) {
	const tag = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by cargo.\n"
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{
		"drivers/target/a.rs":         undocumented,
		"drivers/nvme/target/b.rs":    undocumented,
		"target/CACHEDIR.TAG":         tag,
		"target/debug/build/x/out.rs": undocumented,
		"build/CACHEDIR.TAG":          tag, // CARGO_TARGET_DIR=build
		"build/y.rs":                  undocumented,
		"fake/CACHEDIR.TAG":           "not a tag\n",
		"fake/z.rs":                   undocumented,
		"given/CACHEDIR.TAG":          tag,
		"given/w.rs":                  undocumented,
	})
	rs, err := Check(context.Background(), []string{dir}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range []string{"drivers/nvme/target/b.rs", "drivers/target/a.rs", "fake/z.rs"} {
		want = append(want, filepath.Join(dir, filepath.FromSlash(p)))
	}
	if got := resultPaths(rs); !reflect.DeepEqual(got, want) {
		t.Errorf("paths\n got %q\nwant %q", got, want)
	}
	// A tagged folder given explicitly is checked.
	rs, err = Check(context.Background(), []string{filepath.Join(dir, "given")}, CheckOptions{})
	if err != nil || len(rs) != 1 {
		t.Errorf("given tagged folder: %q, %v", resultPaths(rs), err)
	}
}

// TestCheckSpellings: a file reached under two spellings is checked once,
// under the first.
func TestCheckSpellings(t *testing.T) {
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{"d/x.rs": undocumented, "d/y.rs": undocumented})
	if err := os.Symlink("d", filepath.Join(dir, "linkdir")); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink("x.rs", filepath.Join(dir, "d", "z.rs")); err != nil {
		t.Skip(err)
	}
	t.Chdir(dir)
	abs := filepath.Join(dir, "d", "x.rs")
	for _, tc := range []struct {
		paths, want []string
	}{
		{[]string{"d/x.rs", abs}, []string{"d/x.rs"}},
		{[]string{abs, "d/x.rs", "./d/../d/x.rs"}, []string{abs}},
		{[]string{"d", abs}, []string{"d/x.rs", "d/y.rs"}},
		{[]string{abs, "d"}, []string{abs, "d/y.rs"}},
		{[]string{"linkdir", "d"}, []string{"linkdir/x.rs", "linkdir/y.rs"}},
		{[]string{"linkdir/x.rs", "d/x.rs", "d/z.rs"}, []string{"linkdir/x.rs"}},
	} {
		rs, err := Check(context.Background(), tc.paths, CheckOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range tc.want {
			want = append(want, filepath.FromSlash(p))
		}
		sort.Strings(want)
		if got := resultPaths(rs); !reflect.DeepEqual(got, want) {
			t.Errorf("Check(%q)\n got %q\nwant %q", tc.paths, got, want)
		}
	}
}

// TestCheckGitIgnored: in a git work tree, the walk leaves out what git
// ignores, as a built kernel's generated bindings.
func TestCheckGitIgnored(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	git := func(dir string, args ...string) {
		t.Helper()
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, out)
		}
	}
	writeCheckTree(t, dir, map[string]string{
		".gitignore":                          "/out/\n",
		"rust/.gitignore":                     "bindings_generated.rs\nuapi_generated.rs\ndoc/\ntracked_generated.rs\n",
		"rust/kernel/lib.rs":                  undocumented,
		"rust/bindings/bindings_generated.rs": undocumented,
		"rust/bindings/lib.rs":                undocumented,
		"rust/uapi/uapi_generated.rs":         undocumented,
		"rust/doc/x.rs":                       undocumented,
		"rust/tracked_generated.rs":           undocumented, // tracked: git does not ignore it
		"out/a.rs":                            undocumented,
		"out/sub/b.rs":                        undocumented,
		"vendor/.gitignore":                   "*.rs\n",     // a nested repository's own rules
		"vendor/v.rs":                         undocumented, // ignored by vendor's rules
		"vendor/keep.rs":                      undocumented, // tracked there
	})
	git(dir, "init", "-q")
	git(dir, "add", "-f", "rust/tracked_generated.rs")
	git(filepath.Join(dir, "vendor"), "init", "-q")
	git(filepath.Join(dir, "vendor"), "add", "-f", "keep.rs")
	j := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, filepath.FromSlash(n)))
		}
		return out
	}
	for _, tc := range []struct {
		paths []string
		want  []string
	}{
		{j("rust"), j("rust/bindings/lib.rs", "rust/kernel/lib.rs", "rust/tracked_generated.rs")},
		{j("."), j("rust/bindings/lib.rs", "rust/kernel/lib.rs", "rust/tracked_generated.rs", "vendor/keep.rs")},
		// Named explicitly: checked.
		{j("rust/bindings/bindings_generated.rs"), j("rust/bindings/bindings_generated.rs")},
		// A folder git ignores as a whole, named explicitly: checked.
		{j("out"), j("out/a.rs", "out/sub/b.rs")},
		{j("out/sub"), j("out/sub/b.rs")},
	} {
		rs, err := Check(context.Background(), tc.paths, CheckOptions{Warn: func(msg string) { t.Errorf("warning: %s", msg) }})
		if err != nil {
			t.Fatal(err)
		}
		if got := resultPaths(rs); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Check(%q)\n got %q\nwant %q", tc.paths, got, tc.want)
		}
	}
	// A .git that git does not look at (above a ceiling): no repository,
	// no warning, nothing left out.
	t.Setenv("GIT_CEILING_DIRECTORIES", dir)
	rs, err := Check(context.Background(), j("rust/uapi"), CheckOptions{Warn: func(msg string) { t.Errorf("warning: %s", msg) }})
	if err != nil || len(rs) != 1 {
		t.Errorf("below a ceiling: %q, %v", resultPaths(rs), err)
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))

	// A relative root, from inside the tree.
	t.Chdir(filepath.Join(dir, "rust"))
	rs, err = Check(context.Background(), []string{"."}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := resultPaths(rs), []string{filepath.FromSlash("bindings/lib.rs"), filepath.FromSlash("kernel/lib.rs"), "tracked_generated.rs"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Check(.) in rust/\n got %q\nwant %q", got, want)
	}
}

// kernelSrc is the Linux 6.12 tree the benchmarks measure (see
// /work/shared/kernel-fixture.sh).
func kernelSrc(tb testing.TB) string {
	dir := os.Getenv("KRLS_KERNEL_SRC")
	if dir == "" {
		tb.Skip("KRLS_KERNEL_SRC is not set")
	}
	return dir
}

// TestCheckKernelTree compares the walk with filepath.WalkDir's on each
// fixture kernel, and checks every file analyses cleanly: the crates the
// build lints with rules, the others (6.1's alloc, 7.x's syn, quote,
// zerocopy...: rust/Makefile's skip_clippy crates) out of scope.
func TestCheckKernelTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			root := k.Src
			var want []string
			err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				name := d.Name()
				if p != root && name[0] == '.' {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if p != root && d.IsDir() && isCacheDirTag(filepath.Join(p, cacheDirTag)) {
					return filepath.SkipDir
				}
				if !strings.HasSuffix(name, ".rs") {
					return nil
				}
				if st, err := os.Stat(p); d.Type().IsRegular() || d.Type()&os.ModeSymlink != 0 && (err != nil || st.Mode().IsRegular()) {
					want = append(want, p)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(want)
			lt, err := lints.Read(root)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := Check(context.Background(), []string{root}, CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := resultPaths(rs); !reflect.DeepEqual(got, want) {
				t.Errorf("walk found %d files, filepath.WalkDir %d", len(got), len(want))
			}
			outside := 0
			for _, r := range rs {
				if r.Err != nil || r.Skipped {
					t.Errorf("%s: err %v, skipped %v", r.Path, r.Err, r.Skipped)
				}
				rel, _ := filepath.Rel(root, r.Path)
				if _, unlinted := lt.UnlintedCrate(filepath.ToSlash(rel)); unlinted != (r.OutOfScope != "") {
					t.Errorf("%s: out of scope %q, rust/Makefile lints it: %v", rel, r.OutOfScope, !unlinted)
				}
				if r.OutOfScope != "" {
					outside++
				}
			}
			t.Logf("%d files, %d of crates the build does not lint", len(rs), outside)
		})
	}
}

func BenchmarkCheckKernel(b *testing.B) {
	root := kernelSrc(b)
	for b.Loop() {
		if _, err := Check(context.Background(), []string{root}, CheckOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
