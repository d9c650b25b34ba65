package workspace

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/krls-dev/krls/symbols"
)

const undocumented = "fn f() {\n    unsafe { g() };\n}\n"

// writeTree creates files (slash-separated paths → contents) under dir.
func writeCheckTree(t *testing.T, dir string, files map[string]string) {
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
		"sub/target/z.rs":       undocumented,
	})
	rs, err := Check(context.Background(), []string{dir}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range []string{"a.rs", "a/x.rs", "b.rs", "sub/deep/deeper/c.rs", "sub/target.rs"} {
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

func TestReadDirPortableAgrees(t *testing.T) {
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{
		"a.rs": "", "b.txt": "", ".h.rs": "", "sub/c.rs": "", "target/d.rs": "", ".git/e.rs": "", "x.rs/f.rs": "",
	})
	os.Symlink("a.rs", filepath.Join(dir, "link.rs"))
	os.Symlink("sub", filepath.Join(dir, "linkdir")) // not followed
	d1, f1, err1 := readDir(dir, make([]byte, 4096), nil, nil)
	d2, f2, err2 := readDirPortable(dir, nil, nil)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for _, s := range [][]string{d1, f1, d2, f2} {
		sort.Strings(s)
	}
	if !reflect.DeepEqual(d1, d2) || !reflect.DeepEqual(f1, f2) {
		t.Errorf("linux: %q %q\nportable: %q %q", d1, f1, d2, f2)
	}
	j := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}
	if want := j("sub", "x.rs"); !reflect.DeepEqual(d1, want) {
		t.Errorf("folders %q, want %q", d1, want)
	}
	if want := j("a.rs", "link.rs"); !reflect.DeepEqual(f1, want) {
		t.Errorf("files %q, want %q", f1, want)
	}
}

// kernelSrc is a Linux tree to test on (see /work/shared/kernel-fixture.sh).
func kernelSrc(tb testing.TB) string {
	dir := os.Getenv("KRLS_KERNEL_SRC")
	if dir == "" {
		tb.Skip("KRLS_KERNEL_SRC is not set")
	}
	return dir
}

// TestCheckKernelTree compares the walk with filepath.WalkDir's on a whole
// kernel tree, and checks every file analyses cleanly.
func TestCheckKernelTree(t *testing.T) {
	root := kernelSrc(t)
	var want []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != root && (name[0] == '.' || d.IsDir() && name == "target") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if (d.Type().IsRegular() || d.Type()&os.ModeSymlink != 0) && strings.HasSuffix(name, ".rs") {
			want = append(want, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(want)
	rs, err := Check(context.Background(), []string{root}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := resultPaths(rs); !reflect.DeepEqual(got, want) {
		t.Errorf("walk found %d files, filepath.WalkDir %d", len(got), len(want))
	}
	for _, r := range rs {
		if r.Err != nil || r.Skipped {
			t.Errorf("%s: err %v, skipped %v", r.Path, r.Err, r.Skipped)
		}
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
