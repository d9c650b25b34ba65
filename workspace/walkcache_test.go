package workspace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// later is a clock an hour ahead: what a walk lists is older than the
// racy window, so the next walk trusts it.
func later() time.Time { return time.Now().Add(time.Hour) }

// plainWalk is the oracle: the walk without a cache, as `krls check`
// does it.
func plainWalk(t *testing.T, root string) []string {
	t.Helper()
	w := walkFolders([]string{root}, 2, readDir)
	var out []string
	for _, f := range dropIgnored(context.Background(), w, []string{root}, func(msg string) { t.Errorf("warning: %s", msg) }) {
		out = append(out, f.path)
	}
	sort.Strings(out)
	return out
}

// tick waits for the file system's clock to move on (its granularity
// is a jiffy, at most 10 ms), so that a change made next gives the
// folders it touches a new mtime: the clock of these walks is an hour
// ahead, which turns the racy rule off.
func tick() { time.Sleep(20 * time.Millisecond) }

// walkCached walks root with cache (as left by the last walk) and the
// clock ahead, checks the files against the uncached walk's, and returns
// the walk and the cache for the next one.
func walkCached(t *testing.T, root string, cache []byte) (IndexWalk, []byte) {
	t.Helper()
	w := walkIndex(context.Background(), root, cache, later, racyWindow)
	if want := plainWalk(t, root); !reflect.DeepEqual(w.Files, want) && len(w.Files)+len(want) > 0 {
		t.Errorf("cached walk found\n%q\nthe plain walk\n%q", w.Files, want)
	}
	if len(w.Errs) > 0 {
		t.Errorf("errors: %v", w.Errs)
	}
	if w.Cache != nil {
		cache = w.Cache
	}
	return w, cache
}

func rels(root string, files []string) []string {
	var out []string
	for _, f := range files {
		r, _ := filepath.Rel(root, f)
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

// isolateGit keeps the user's git configuration out, without the GIT_*
// variables that turn the cache of git's verdicts off.
func isolateGit(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func TestWalkCacheFolders(t *testing.T) {
	isolateGit(t)
	root := t.TempDir()
	writeCheckTree(t, root, map[string]string{
		"rust/kernel/lib.rs": "", "rust/kernel/task.rs": "", "rust/kernel/sync/lock.rs": "",
		"drivers/net/phy/ax88796b_rust.rs": "", "drivers/net/phy/Makefile": "",
		"samples/rust/rust_minimal.rs": "", "samples/rust/Kconfig": "", "Makefile": "",
		".hidden/x.rs": "",
	})
	w, cache := walkCached(t, root, nil)
	folders := w.Folders
	if w.Listed != folders || len(w.Files) != 5 || w.Cache == nil {
		t.Fatalf("cold: %d of %d folders read, %d files, cache %v", w.Listed, folders, len(w.Files), w.Cache != nil)
	}

	step := func(name string, change func(), wantListed, wantFolders int, want ...string) {
		t.Helper()
		w := walkAfter(t, name, root, &cache, change, want...)
		if w.Listed != wantListed || w.Folders != wantFolders {
			t.Errorf("%s: %d of %d folders read, want %d of %d", name, w.Listed, w.Folders, wantListed, wantFolders)
		}
		if name == "unchanged" && w.Cache != nil {
			t.Errorf("%s: nothing changed, yet a new cache to store", name)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	p := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }

	step("unchanged", nil, 0, folders)
	step("new file in a folder", func() { must(os.WriteFile(p("rust/kernel/new.rs"), nil, 0o644)) }, 1, folders, "rust/kernel/new.rs")
	step("file edited in place", func() { must(os.WriteFile(p("rust/kernel/new.rs"), []byte("fn f() {}"), 0o644)) }, 0, folders, "rust/kernel/new.rs")
	step("new subfolder", func() { writeCheckTree(t, root, map[string]string{"rust/kernel/net/phy.rs": ""}) }, 2, folders+1, "rust/kernel/net/phy.rs")
	step("new nested subfolders", func() { writeCheckTree(t, root, map[string]string{"mm/a/b/c.rs": ""}) }, 4, folders+4, "mm/a/b/c.rs")
	step("deleted folder", func() { must(os.RemoveAll(p("mm/a"))) }, 1, folders+2, "-mm/a/b/c.rs")
	step("file renamed", func() { must(os.Rename(p("rust/kernel/task.rs"), p("rust/kernel/tasks.rs"))) }, 1, folders+2, "rust/kernel/tasks.rs", "-rust/kernel/task.rs")
	step("file renamed away from .rs", func() { must(os.Rename(p("rust/kernel/tasks.rs"), p("rust/kernel/tasks.txt"))) }, 1, folders+2, "-rust/kernel/tasks.rs")
	step("file moved to another folder", func() { must(os.Rename(p("rust/kernel/new.rs"), p("samples/rust/new.rs"))) }, 2, folders+2, "samples/rust/new.rs", "-rust/kernel/new.rs")
	step("folder renamed", func() { must(os.Rename(p("drivers/net"), p("drivers/netw"))) }, 3, folders+2, "drivers/netw/phy/ax88796b_rust.rs", "-drivers/net/phy/ax88796b_rust.rs")
	step("folder replaced by a file", func() {
		must(os.RemoveAll(p("mm")))
		must(os.WriteFile(p("mm"), nil, 0o644))
	}, 1, folders+1, "-mm/a/b/c.rs")
	step("cache folder tagged", func() {
		must(os.WriteFile(p("samples/rust/CACHEDIR.TAG"), []byte("Signature: 8a477f597d28d172789f06886806bc55\n"), 0o644))
	}, 1, folders+1, "-samples/rust/rust_minimal.rs")
	step("cache tag edited in place", func() {
		must(os.WriteFile(p("samples/rust/CACHEDIR.TAG"), []byte("not a tag, any more, at all...................\n"), 0o644))
	}, 0, folders+1, "samples/rust/rust_minimal.rs")
}

// walkAfter makes a change once the clock moved on, walks with *cache
// (and keeps the next one there), and checks that the files listed in
// want (slash-separated, relative to root) are found, and those written
// "-file" are not.
func walkAfter(t *testing.T, name, root string, cache *[]byte, change func(), want ...string) IndexWalk {
	t.Helper()
	tick()
	if change != nil {
		change()
	}
	w, next := walkCached(t, root, *cache)
	*cache = next
	found := rels(root, w.Files)
	for _, f := range want {
		if gone, ok := strings.CutPrefix(f, "-"); ok {
			if slices.Contains(found, gone) {
				t.Errorf("%s: %s is listed", name, gone)
			}
		} else if !slices.Contains(found, f) {
			t.Errorf("%s: %s is not listed: %q", name, f, found)
		}
	}
	return w
}

// TestWalkCacheRacy: a folder changed within the racy window of its
// listing is read again, since a change in the same clock tick after the
// listing would leave its mtime as it was.
func TestWalkCacheRacy(t *testing.T) {
	isolateGit(t)
	root := t.TempDir()
	writeCheckTree(t, root, map[string]string{"a/x.rs": "", "b/y.rs": ""})
	w := walkIndex(context.Background(), root, nil, time.Now, racyWindow)
	if w.Listed != 3 {
		t.Fatalf("cold: %d folders read", w.Listed)
	}
	// Just made: every folder changed within the window of its listing.
	w2 := walkIndex(context.Background(), root, w.Cache, time.Now, racyWindow)
	if w2.Listed != 3 || w2.Cache == nil {
		t.Errorf("racy folders: %d read, want 3", w2.Listed)
	}
	// A change in the same tick as the listing: the folder's stamp is
	// what was recorded, yet it has a new file. Only the racy rule sees it.
	rec := decodeWalkCache(w2.Cache).folders["a"]
	if err := os.WriteFile(filepath.Join(root, "a", "z.rs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ := statStamp(filepath.Join(root, "a"), false)
	wc := decodeWalkCache(w2.Cache)
	rec.st = st // as if the listing had been made after the change
	wc.folders["a"] = rec
	w3 := walkIndex(context.Background(), root, wc.encode(), time.Now, racyWindow)
	if !slices.Contains(rels(root, w3.Files), "a/z.rs") {
		t.Errorf("racy change missed: %q", rels(root, w3.Files))
	}
	// Listed long after the change: trusted.
	w4 := walkIndex(context.Background(), root, nil, later, racyWindow)
	if w5 := walkIndex(context.Background(), root, w4.Cache, later, racyWindow); w5.Listed != 0 || len(w5.Files) != 3 {
		t.Errorf("old folders: %d read, files %q", w5.Listed, w5.Files)
	}
}

// TestWalkCacheDamaged: a cache that does not decode (garbage, cut short,
// another layout) is a full walk, and a new cache.
func TestWalkCacheDamaged(t *testing.T) {
	isolateGit(t)
	root := t.TempDir()
	writeCheckTree(t, root, map[string]string{"a/x.rs": "", "b/c/y.rs": ""})
	good := walkIndex(context.Background(), root, nil, later, racyWindow).Cache
	if decodeWalkCache(good) == nil {
		t.Fatal("the cache does not decode")
	}
	for name, cache := range map[string][]byte{
		"garbage":      []byte("\x00\xff\x13garbage"),
		"empty":        {},
		"cut short":    good[:len(good)-3],
		"trailing":     append(append([]byte(nil), good...), 7),
		"other layout": append([]byte("krls-walk-1\n"), good[len(walkCacheMagic):]...),
		"huge count":   append([]byte(walkCacheMagic), 0xfe, 0xff, 0xff, 0xff, 0x0f),
	} {
		if decodeWalkCache(cache) != nil {
			t.Errorf("%s: decoded", name)
		}
		w := walkIndex(context.Background(), root, cache, later, racyWindow)
		if w.Listed != w.Folders || w.Folders != 4 || len(w.Files) != 2 || w.Cache == nil {
			t.Errorf("%s: %d of %d folders read, files %q, new cache %v", name, w.Listed, w.Folders, w.Files, w.Cache != nil)
		}
	}
}

func FuzzDecodeWalkCache(f *testing.F) {
	root := f.TempDir()
	writeCheckTree(f, root, map[string]string{"a/x.rs": "", "b/c/y.rs": ""})
	f.Add(walkIndex(context.Background(), root, nil, later, racyWindow).Cache)
	f.Add([]byte(walkCacheMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		if wc := decodeWalkCache(b); wc != nil {
			if again := decodeWalkCache(wc.encode()); again == nil || len(again.folders) != len(wc.folders) {
				t.Errorf("a decoded cache does not survive encoding")
			}
		}
	})
}

// TestWalkCacheGitIgnored: git's verdicts are kept while nothing they
// depend on changes, and asked for again when a .gitignore is edited in
// place (its folder's listing is unchanged), when info/exclude changes,
// when a file is added to git's index with -f, and when a new file turns
// up.
func TestWalkCacheGitIgnored(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	isolateGit(t)
	root := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("git", append([]string{"-C", root}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, out)
		}
	}
	writeCheckTree(t, root, map[string]string{
		"rust/.gitignore":                     "bindings_generated.rs\n",
		"rust/kernel/lib.rs":                  "",
		"rust/bindings/bindings_generated.rs": "",
		"rust/bindings/lib.rs":                "",
		"samples/a.rs":                        "",
	})
	git("init", "-q")
	w, cache := walkCached(t, root, nil)
	if !w.AskedGit || slices.Contains(rels(root, w.Files), "rust/bindings/bindings_generated.rs") {
		t.Fatalf("cold: asked git %v, files %q", w.AskedGit, rels(root, w.Files))
	}
	step := func(name string, change func(), wantAsked bool, want ...string) {
		t.Helper()
		if w := walkAfter(t, name, root, &cache, change, want...); w.AskedGit != wantAsked {
			t.Errorf("%s: asked git %v, want %v", name, w.AskedGit, wantAsked)
		}
	}
	write := func(rel, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	step("unchanged", nil, false, "-rust/bindings/bindings_generated.rs", "samples/a.rs")
	// Edited in place: rust/ keeps its mtime.
	step(".gitignore edited", func() { write("rust/.gitignore", "bindings_generated.rs\nlib.rs\n") }, true,
		"-rust/kernel/lib.rs", "-rust/bindings/lib.rs")
	step("unchanged again", nil, false, "-rust/kernel/lib.rs")
	step("info/exclude edited", func() { write(".git/info/exclude", "samples/\n") }, true, "-samples/a.rs")
	step("added with -f", func() { git("add", "-f", "rust/kernel/lib.rs") }, true, "rust/kernel/lib.rs")
	step("a new file", func() { write("rust/kernel/new.rs", "") }, true, "rust/kernel/new.rs")
	step("a .gitignore made above", func() { write("rust/kernel/.gitignore", "new.rs\n") }, true, "-rust/kernel/new.rs")
	// No work tree any more: nobody to ask, nothing ignored.
	step("the repository removed", func() { os.RemoveAll(filepath.Join(root, ".git")) }, false, "rust/kernel/new.rs", "samples/a.rs")
	step("no repository, unchanged", nil, false, "rust/kernel/new.rs")
}

// TestWalkCacheGitAbove: the root is a folder inside a work tree; a
// .gitignore above it, and a repository made above it, count.
func TestWalkCacheGitAbove(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	isolateGit(t)
	top := t.TempDir()
	root := filepath.Join(top, "linux")
	writeCheckTree(t, top, map[string]string{
		".gitignore":         "generated.rs\n",
		"linux/a.rs":         "",
		"linux/generated.rs": "",
	})
	w := walkIndex(context.Background(), root, nil, later, racyWindow)
	if w.AskedGit || len(w.Files) != 2 {
		t.Fatalf("no repository: asked git %v, files %q", w.AskedGit, w.Files)
	}
	tick()
	if out, err := exec.Command("git", "-C", top, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	w = walkIndex(context.Background(), root, w.Cache, later, racyWindow)
	if !w.AskedGit || len(w.Files) != 1 || w.Listed != 0 {
		t.Fatalf("a repository made above: asked git %v, %d folders read, files %q", w.AskedGit, w.Listed, w.Files)
	}
	tick()
	if err := os.WriteFile(filepath.Join(top, ".gitignore"), []byte("a.rs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, _ = walkCached(t, root, w.Cache)
	if !w.AskedGit || len(w.Files) != 1 || filepath.Base(w.Files[0]) != "generated.rs" {
		t.Errorf(".gitignore above edited: asked git %v, files %q", w.AskedGit, w.Files)
	}
}

// BenchmarkWalkIndexKernel measures the index's walk of a kernel tree:
// cold (no cache: every folder read) and warm (nothing changed since the
// cache was made: a stat per folder, git not asked).
func BenchmarkWalkIndexKernel(b *testing.B) {
	root := kernelSrc(b)
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			if w := WalkIndexFiles(context.Background(), root, nil); len(w.Files) == 0 {
				b.Fatal("no files")
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		cache := WalkIndexFiles(context.Background(), root, nil).Cache
		for b.Loop() {
			if w := WalkIndexFiles(context.Background(), root, cache); w.Listed != 0 || w.AskedGit || len(w.Files) == 0 {
				b.Fatalf("%d folders read, asked git %v", w.Listed, w.AskedGit)
			}
		}
	})
}
