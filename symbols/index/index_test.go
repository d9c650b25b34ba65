package index

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/krls-dev/krls/symbols"
)

// writeTree writes files (relative path → text) under a new folder.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, text := range files {
		writeFile(t, root, rel, text)
	}
	return root
}

func writeFile(t *testing.T, root, rel, text string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rsFiles lists the .rs files under root.
func rsFiles(t testing.TB, root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rs") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// logs collects an index's warnings.
type logs struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, fmt.Sprintf(format, args...))
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.msgs, "\n")
}

func newIndex(t testing.TB, root, cache string, l *logs) *Index {
	t.Helper()
	opts := Options{Root: root, CacheDir: cache, LockTimeout: 200 * time.Millisecond}
	if l != nil {
		opts.Logf = l.logf
	}
	x, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func refresh(t testing.TB, x *Index) Stats {
	t.Helper()
	st, err := x.Refresh(context.Background(), rsFiles(t, x.Root()))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func paths(s *Snapshot) map[string]bool {
	out := map[string]bool{}
	for _, sym := range s.Symbols {
		out[sym.Path] = true
	}
	return out
}

var smallTree = map[string]string{
	"rust/kernel/lib.rs": `//! The kernel crate.
pub mod sync;
pub mod task;
#[cfg(CONFIG_NET)]
pub mod net;
#[macro_export]
macro_rules! pr_info { () => {} }
`,
	"rust/kernel/sync.rs": "pub mod lock;\npub use lock::Guard;\n",
	"rust/kernel/sync/lock.rs": `/// A guard.
pub struct Guard;
impl Guard {
    /// Unlocks.
    ///
    /// # Safety
    ///
    /// Only once.
    pub unsafe fn unlock(&self) {}
}
`,
	"rust/kernel/task.rs": `pub struct Task;
impl Task {
    /// # Safety
    ///
    /// Callers must ensure that the returned object doesn't outlive the current task/thread.
    pub unsafe fn current() -> Task { Task }
}
`,
	"rust/kernel/net/mod.rs":        "#[path = \"phy_impl.rs\"]\npub mod phy;\n",
	"rust/kernel/net/phy_impl.rs":   "pub trait Driver {}\n",
	"rust/macros/lib.rs":            "mod module;\npub fn module() {}\n",
	"rust/macros/module.rs":         "pub(crate) struct ModInfo;\n",
	"samples/rust/rust_minimal.rs":  "struct RustMinimal;\n",
	"drivers/x/main_drv.rs":         "mod helper;\n",
	"drivers/x/helper.rs":           "pub fn help() {}\n",
	"Documentation/not_rust.txt.rs": "fn doc() {}\n",
}

func TestIndexSmallTree(t *testing.T) {
	root := writeTree(t, smallTree)
	cache := t.TempDir()
	x := newIndex(t, root, cache, nil)
	st := refresh(t, x)
	if st.Files != len(smallTree) || st.Parsed != len(smallTree) || !st.Persisted || st.Stored != len(smallTree) {
		t.Errorf("cold stats = %+v", st)
	}
	s := x.Snapshot()
	got := paths(s)
	for _, want := range []string{
		"kernel::sync", "kernel::sync::lock", "kernel::sync::lock::Guard", "kernel::sync::lock::Guard::unlock",
		"kernel::task::Task::current", "kernel::net", "kernel::net::phy", "kernel::net::phy::Driver",
		"kernel::pr_info", "macros::module", "macros::module::ModInfo", "rust_minimal::RustMinimal",
		"main_drv::helper::help", "not_rust.txt::doc",
	} {
		if !got[want] {
			t.Errorf("no %s", want)
		}
	}
	cur := s.Lookup("kernel::task::Task::current")
	if len(cur) != 1 || !cur[0].Unsafe || !strings.Contains(cur[0].Safety, "outlive the current task") {
		t.Errorf("Task::current = %+v", cur)
	}
	drv := s.Lookup("::kernel::net::phy::Driver")
	if len(drv) != 1 || strings.Join(drv[0].AllCfgs(), ",") != "CONFIG_NET" {
		t.Errorf("Driver cfgs = %v", drv)
	}
	if m, ok := s.ModuleOf(filepath.Join(root, "rust/kernel/net/phy_impl.rs")); !ok || m.Module != "kernel::net::phy" || m.Crate != "kernel" {
		t.Errorf("ModuleOf phy_impl.rs = %+v", m)
	}
	if hits := s.Search("guard", 10); len(hits) == 0 || hits[0].Path != "kernel::sync::lock::Guard" {
		t.Errorf("Search guard = %v", hits)
	}
	if hits := s.Search("lock::guard", 10); len(hits) != 2 || hits[0].Path != "kernel::sync::lock::Guard" {
		t.Errorf("Search lock::guard = %d hits", len(hits))
	}

	// A second index on the same cache reads nothing.
	y := newIndex(t, root, cache, nil)
	st = refresh(t, y)
	if st.Read != 0 || st.Parsed != 0 || st.Reused != len(smallTree) || st.Stored != 0 {
		t.Errorf("warm stats = %+v", st)
	}
	if n := len(y.Snapshot().Symbols); n != len(s.Symbols) {
		t.Errorf("warm snapshot has %d symbols, cold %d", n, len(s.Symbols))
	}
}

func TestIndexIncremental(t *testing.T) {
	root := writeTree(t, smallTree)
	x := newIndex(t, root, t.TempDir(), nil)
	refresh(t, x)
	ctx := context.Background()
	task := filepath.Join(root, "rust/kernel/task.rs")

	// Touch: read again (not reused: it was read), same digest, nothing
	// parsed.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(task, later, later); err != nil {
		t.Fatal(err)
	}
	st, err := x.Update(ctx, []string{task})
	if err != nil || st.Read != 1 || st.Parsed != 0 || st.Reused != 0 || st.Stored != 1 {
		t.Errorf("touch: %+v %v", st, err)
	}
	later = later.Add(time.Hour)
	if err := os.Chtimes(task, later, later); err != nil {
		t.Fatal(err)
	}
	if st = refresh(t, x); st.Read != 1 || st.Parsed != 0 || st.Reused != st.Files-1 {
		t.Errorf("touch, refresh: %+v", st)
	}

	// Edit: that file alone is parsed.
	writeFile(t, root, "rust/kernel/task.rs", "pub struct Task;\nimpl Task { pub fn pid(&self) -> i32 { 0 } }\n")
	st = refresh(t, x)
	if st.Read != 1 || st.Parsed != 1 {
		t.Errorf("edit: %+v", st)
	}
	got := paths(x.Snapshot())
	if !got["kernel::task::Task::pid"] || got["kernel::task::Task::current"] {
		t.Errorf("after edit: pid %v current %v", got["kernel::task::Task::pid"], got["kernel::task::Task::current"])
	}

	// Delete.
	if err := os.Remove(filepath.Join(root, "samples/rust/rust_minimal.rs")); err != nil {
		t.Fatal(err)
	}
	st, err = x.Update(ctx, []string{filepath.Join(root, "samples/rust/rust_minimal.rs")})
	if err != nil || st.Removed != 1 || paths(x.Snapshot())["rust_minimal::RustMinimal"] {
		t.Errorf("delete: %+v %v", st, err)
	}

	// Rename: a module file moves out of its parent's reach and becomes
	// a crate of its own.
	old := filepath.Join(root, "drivers/x/helper.rs")
	renamed := filepath.Join(root, "drivers/x/other.rs")
	if err := os.Rename(old, renamed); err != nil {
		t.Fatal(err)
	}
	st = refresh(t, x)
	got = paths(x.Snapshot())
	if st.Removed != 1 || st.Parsed != 1 || st.Reused != st.Files-1 || !got["other::help"] || got["main_drv::helper::help"] {
		t.Errorf("rename: %+v other::help %v", st, got["other::help"])
	}

	// A new `mod` declaration places an existing file without parsing it.
	writeFile(t, root, "rust/kernel/lib.rs", smallTree["rust/kernel/lib.rs"]+"pub mod extra;\n")
	writeFile(t, root, "rust/kernel/extra.rs", "pub fn x() {}\n")
	st = refresh(t, x)
	if st.Parsed != 2 || !paths(x.Snapshot())["kernel::extra::x"] {
		t.Errorf("new mod: %+v", st)
	}
	writeFile(t, root, "rust/kernel/orphan.rs", "pub fn o() {}\n")
	refresh(t, x)
	if !paths(x.Snapshot())["orphan::o"] {
		t.Error("an unreached file is a crate of its own")
	}
	writeFile(t, root, "rust/kernel/lib.rs", smallTree["rust/kernel/lib.rs"]+"pub mod extra;\npub mod orphan;\n")
	st = refresh(t, x)
	if got := paths(x.Snapshot()); st.Parsed != 1 || !got["kernel::orphan::o"] || got["orphan::o"] {
		t.Errorf("orphan adopted: %+v", st)
	}

	// A fresh index on the same database sees the latest state.
	y := newIndex(t, root, filepath.Dir(x.DB()), nil)
	st = refresh(t, y)
	if st.Parsed != 0 || !paths(y.Snapshot())["kernel::orphan::o"] {
		t.Errorf("reopened: %+v", st)
	}
}

func TestIndexCorrupt(t *testing.T) {
	root := writeTree(t, smallTree)
	for _, c := range []struct {
		name string
		// mayHold: the damage may leave every live page in place.
		mayHold bool
		corrupt func(path string) error
	}{
		{"truncated", false, func(p string) error { return os.Truncate(p, 5000) }},
		{"garbage", false, func(p string) error { return os.WriteFile(p, []byte(strings.Repeat("garbage!", 4096)), 0o600) }},
		{"empty", false, func(p string) error { return os.WriteFile(p, nil, 0o600) }},
		{"zeroed-meta", false, func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt(make([]byte, 8192), 0)
			return err
		}},
		{"half", true, func(p string) error {
			st, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, st.Size()/2)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache := t.TempDir()
			x := newIndex(t, root, cache, nil)
			refresh(t, x)
			if err := c.corrupt(x.DB()); err != nil {
				t.Fatal(err)
			}
			var l logs
			y := newIndex(t, root, cache, &l)
			st := refresh(t, y)
			if st.Files != len(smallTree) || !paths(y.Snapshot())["kernel::task::Task::current"] {
				t.Errorf("after corruption: %+v", st)
			}
			if !st.Persisted {
				t.Errorf("not persisted: %s", st.Fallback)
			}
			// A truncated file bbolt still opens may read as empty: then
			// everything is parsed again without a warning. Otherwise the
			// file was moved aside.
			aside, _ := filepath.Glob(x.DB() + ".corrupt-*")
			if c.mayHold && st.Parsed == 0 && l.String() == "" {
				return // still a good database
			}
			if st.Parsed != len(smallTree) {
				t.Errorf("parsed %d after corruption", st.Parsed)
			}
			if len(aside) > 0 != strings.Contains(l.String(), "moved aside") {
				t.Errorf("moved aside %v, log %q", aside, l.String())
			}
			t.Logf("log: %s", l.String())
			// And the rebuilt database is good.
			z := newIndex(t, root, cache, nil)
			if st := refresh(t, z); st.Parsed != 0 || !st.Persisted {
				t.Errorf("after rebuild: %+v", st)
			}
		})
	}
}

func TestIndexSchemaMismatch(t *testing.T) {
	root := writeTree(t, smallTree)
	cache := t.TempDir()
	x := newIndex(t, root, cache, nil)
	refresh(t, x)
	db, err := bolt.Open(x.DB(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("krls-index-0")) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	y := newIndex(t, root, cache, nil)
	if st := refresh(t, y); st.Parsed != len(smallTree) || st.Stored != len(smallTree) {
		t.Errorf("schema mismatch: %+v", st)
	}
	z := newIndex(t, root, cache, nil)
	if st := refresh(t, z); st.Parsed != 0 {
		t.Errorf("after rebuild: %+v", st)
	}
}

// TestIndexLocked: another process holding the database (here, another
// open file description, which flock treats alike) makes an update work
// in memory after the lock timeout, not hang.
func TestIndexLocked(t *testing.T) {
	root := writeTree(t, smallTree)
	cache := t.TempDir()
	x := newIndex(t, root, cache, nil)
	refresh(t, x)
	db, err := bolt.Open(x.DB(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var l logs
	y := newIndex(t, root, cache, &l)
	start := time.Now()
	st := refresh(t, y)
	if time.Since(start) > 10*time.Second {
		t.Errorf("waited %v", time.Since(start))
	}
	if st.Persisted || !strings.Contains(st.Fallback, "locked") || st.Parsed != len(smallTree) || !paths(y.Snapshot())["kernel::sync::lock::Guard"] {
		t.Errorf("locked: %+v", st)
	}
	if !strings.Contains(l.String(), "locked") {
		t.Errorf("log %q", l.String())
	}
	db.Close()
	// Once the lock is free, the next update uses the database again.
	writeFile(t, root, "rust/kernel/task.rs", "pub struct Task;\n")
	if st := refresh(t, y); !st.Persisted || st.Parsed != 1 {
		t.Errorf("unlocked: %+v", st)
	}
}

func TestIndexNeverInTree(t *testing.T) {
	root := t.TempDir()
	if _, err := New(Options{Root: root, CacheDir: filepath.Join(root, "cache")}); err == nil {
		t.Error("a cache inside the tree is accepted")
	}
	t.Setenv("XDG_CACHE_HOME", filepath.Join(t.TempDir(), "xdg"))
	x, err := New(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(x.DB(), os.Getenv("XDG_CACHE_HOME")+"/krls/") {
		t.Errorf("DB %s not under XDG_CACHE_HOME", x.DB())
	}
}

func TestCodecRoundTrip(t *testing.T) {
	en := &entry{Size: 10, MtimeNs: -5, Items: &symbols.FileItems{
		Doc: "d", Cfgs: []string{"CONFIG_A"},
		Mods:  []symbols.ModDecl{{Name: "m", Rel: []string{"a"}, Dirs: []string{"b"}, PathAttr: "p.rs", Span: symbols.Span{Start: 1, End: 4}}},
		Items: []symbols.Item{{Kind: symbols.ItemFn, Name: "f", Rel: []string{"T", "f"}, Span: symbols.Span{Start: 2, End: 9}, Parent: -1, Unsafe: true, Safety: "s", Trait: "Tr"}},
		Reexports: []symbols.Reexport{{Rel: []string{"m"}, Path: []string{"super", "x"}, Name: "y", Vis: "pub(crate)", Cfgs: []string{"CONFIG_B"}},
			{Path: []string{"core", "pin"}, Glob: true, Global: true, Vis: "pub"}},
	}}
	en.Digest[3] = 7
	got, err := decodeEntry(encodeEntry(en), false)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v %+v %+v", got.Items.Mods, got.Items.Items, got.Items.Reexports) != fmt.Sprintf("%+v %+v %+v", en.Items.Mods, en.Items.Items, en.Items.Reexports) || got.Digest != en.Digest || got.MtimeNs != -5 {
		t.Errorf("round trip: %+v", got)
	}
	b := encodeEntry(en)
	for i := range b {
		decodeEntry(b[:i], false) // no panic on any prefix
	}
}

func FuzzDecodeEntry(f *testing.F) {
	f.Add(encodeEntry(&entry{Items: &symbols.FileItems{Items: []symbols.Item{{Name: "x", Parent: -1}}}}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeEntry(b, false)
	})
}

// TestIndexKilled kills a process (this test binary, as a helper) with
// SIGKILL while it indexes, and checks that the database opens and is
// used after.
func TestIndexKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts helper processes")
	}
	files := map[string]string{"rust/kernel/lib.rs": ""}
	var lib strings.Builder
	for i := range 300 {
		fmt.Fprintf(&lib, "pub mod m%d;\n", i)
		files[fmt.Sprintf("rust/kernel/m%d.rs", i)] = strings.Repeat(fmt.Sprintf("/// Doc.\npub fn f%d() {}\n", i), 50)
	}
	files["rust/kernel/lib.rs"] = lib.String()
	root := writeTree(t, files)
	cache := t.TempDir()
	for _, delay := range []time.Duration{30 * time.Millisecond, 120 * time.Millisecond, 400 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestIndexKillHelper$")
		cmd.Env = append(os.Environ(), "KRLS_INDEX_KILL_HELPER="+root+string(os.PathListSeparator)+cache)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		var l logs
		x := newIndex(t, root, cache, &l)
		st := refresh(t, x)
		if !st.Persisted || strings.Contains(l.String(), "moved aside") || !paths(x.Snapshot())["kernel::m299::f299"] {
			t.Errorf("after kill at %v: %+v, log %q", delay, st, l.String())
		}
		t.Logf("killed after %v: then %d read, %d reused", delay, st.Read, st.Reused)
	}
}

// TestIndexKillHelper indexes forever, changing files between rounds;
// TestIndexKilled kills it.
func TestIndexKillHelper(t *testing.T) {
	arg := os.Getenv("KRLS_INDEX_KILL_HELPER")
	if arg == "" {
		t.Skip("helper of TestIndexKilled")
	}
	root, cache, _ := strings.Cut(arg, string(os.PathListSeparator))
	for round := 0; ; round++ {
		x, err := New(Options{Root: root, CacheDir: cache, InMemory: false})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			if i%3 == round%3 {
				p := filepath.Join(root, fmt.Sprintf("rust/kernel/m%d.rs", i))
				os.WriteFile(p, []byte(strings.Repeat(fmt.Sprintf("/// Doc %d.\npub fn f%d() {}\n", round, i), 50)), 0o644)
			}
		}
		if _, err := x.Refresh(context.Background(), rsFiles(t, root)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIndexLoad(t *testing.T) {
	root := writeTree(t, smallTree)
	cache := t.TempDir()
	refresh(t, newIndex(t, root, cache, nil))
	y := newIndex(t, root, cache, nil)
	st, err := y.Load()
	if err != nil || st.Read != 0 || st.Files != len(smallTree) || !paths(y.Snapshot())["kernel::task::Task::current"] {
		t.Errorf("Load: %+v %v", st, err)
	}
	if st := refresh(t, y); st.Read != 0 || st.Reused != len(smallTree) {
		t.Errorf("Refresh after Load: %+v", st)
	}
}

// TestResolveReexports follows `pub use` re-exports: a leaf, a group, a
// rename, a glob, self/super/crate, a re-exported module, chains and a
// cycle.
func TestResolveReexports(t *testing.T) {
	root := writeTree(t, map[string]string{
		"rust/kernel/lib.rs": `pub mod sync;
pub mod types;
pub mod prelude;
mod hidden;
pub use hidden::deep as shallow;
pub use bindings;
pub use self::cycle_a as cycle_b;
pub use self::cycle_b as cycle_a;
`,
		"rust/kernel/sync.rs": `mod arc;
pub use arc::{Arc, ArcBorrow as Borrowed};
pub(crate) use crate::types::ARef;
`,
		"rust/kernel/sync/arc.rs": `pub struct Arc<T>(T);
impl<T> Arc<T> {
    /// # Safety
    ///
    /// From into_raw.
    pub unsafe fn from_raw(p: *const T) -> Self { todo!() }
}
pub struct ArcBorrow;
impl ArcBorrow {
    pub unsafe fn from_raw() {}
}
`,
		"rust/kernel/types.rs": `pub struct ARef;
impl ARef {
    pub unsafe fn from_raw() {}
}
`,
		"rust/kernel/prelude.rs": `pub use super::sync::*;
pub use crate::types::{self};
`,
		"rust/kernel/hidden.rs": `pub mod deep {
    pub unsafe fn f() {}
}
`,
	})
	x := newIndex(t, root, t.TempDir(), nil)
	refresh(t, x)
	s := x.Snapshot()
	for in, want := range map[string]string{
		"kernel::sync::arc::Arc::from_raw":     "kernel::sync::arc::Arc::from_raw",
		"kernel::sync::Arc::from_raw":          "kernel::sync::arc::Arc::from_raw",
		"::kernel::sync::Arc::from_raw":        "kernel::sync::arc::Arc::from_raw",
		"kernel::sync::Borrowed::from_raw":     "kernel::sync::arc::ArcBorrow::from_raw",
		"kernel::sync::ARef::from_raw":         "kernel::types::ARef::from_raw",
		"kernel::prelude::Arc::from_raw":       "kernel::sync::arc::Arc::from_raw",
		"kernel::prelude::ARef::from_raw":      "kernel::types::ARef::from_raw",
		"kernel::prelude::types::ARef":         "kernel::types::ARef",
		"kernel::shallow::f":                   "kernel::hidden::deep::f",
		"kernel::sync::ArcBorrow::from_raw":    "",
		"kernel::cycle_a::x":                   "",
		"kernel::bindings::foo":                "",
		"kernel::sync::Arc::from_raw::nothing": "",
	} {
		syms, at := s.Resolve(in)
		if at != want || (want == "") != (len(syms) == 0) {
			t.Errorf("Resolve(%s) = %d symbols at %q, want %q", in, len(syms), at, want)
		}
	}
	if syms, _ := s.Resolve("kernel::sync::Arc::from_raw"); len(syms) != 1 || syms[0].Safety != "From into_raw." || !syms[0].Unsafe {
		t.Errorf("from_raw: %+v", syms)
	}
}

// TestIndexWalkCache: the walk's cache is stored with the entries, read
// back by the next process, kept by a refresh that gives none, and
// dropped with the entries when the schema changes.
func TestIndexWalkCache(t *testing.T) {
	root := writeTree(t, smallTree)
	cache := t.TempDir()
	x := newIndex(t, root, cache, nil)
	if _, err := x.RefreshWalked(context.Background(), rsFiles(t, root), []byte("walk-1")); err != nil {
		t.Fatal(err)
	}
	y := newIndex(t, root, cache, nil)
	if y.WalkCache() != nil {
		t.Error("a walk cache before the database was read")
	}
	if _, err := y.Load(); err != nil || string(y.WalkCache()) != "walk-1" {
		t.Errorf("after Load: %q, %v", y.WalkCache(), err)
	}
	if st, err := y.RefreshWalked(context.Background(), rsFiles(t, root), []byte("walk-1")); err != nil || st.Stored != 0 {
		t.Errorf("unchanged: %+v, %v", st, err)
	}
	refresh(t, y) // no walk cache given: the stored one stays
	z := newIndex(t, root, cache, nil)
	refresh(t, z)
	if string(z.WalkCache()) != "walk-1" {
		t.Errorf("after Refresh: %q", z.WalkCache())
	}
	if _, err := z.RefreshWalked(context.Background(), rsFiles(t, root), []byte("walk-2")); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(x.DB(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	db.View(func(tx *bolt.Tx) error {
		got = string(tx.Bucket(bucketWalk).Get(keyFolders))
		return nil
	})
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("krls-index-0")) })
	db.Close()
	if err != nil || got != "walk-2" {
		t.Fatalf("stored %q, %v", got, err)
	}
	w := newIndex(t, root, cache, nil)
	if _, err := w.Load(); err != nil || w.WalkCache() != nil {
		t.Errorf("after a schema change: %q, %v", w.WalkCache(), err)
	}
}

// TestIndexIdleNoWrite: updates that change nothing (a server's poll)
// do not write the database, and keep the snapshot.
func TestIndexIdleNoWrite(t *testing.T) {
	root := writeTree(t, smallTree)
	x := newIndex(t, root, t.TempDir(), nil)
	files := rsFiles(t, root)
	if _, err := x.RefreshWalked(context.Background(), files, []byte("walk")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(x.DB(), old, old); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(x.DB())
	if err != nil {
		t.Fatal(err)
	}
	snap := x.Snapshot()
	for range 3 {
		if _, err := x.Update(context.Background(), files); err != nil {
			t.Fatal(err)
		}
		if _, err := x.RefreshWalked(context.Background(), files, []byte("walk")); err != nil {
			t.Fatal(err)
		}
		if _, err := x.RefreshWalked(context.Background(), files, nil); err != nil {
			t.Fatal(err)
		}
	}
	if x.Snapshot() != snap {
		t.Error("an update that changed nothing published a new snapshot")
	}
	after, err := os.Stat(x.DB())
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Errorf("written while idle: mtime %v → %v, size %d → %d", before.ModTime(), after.ModTime(), before.Size(), after.Size())
	}
	// A change does publish one.
	if err := os.WriteFile(files[0], []byte("pub fn changed() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Update(context.Background(), files[:1]); err != nil {
		t.Fatal(err)
	}
	if x.Snapshot() == snap {
		t.Error("an update that read a changed file kept the old snapshot")
	}
}

// TestIndexParseUnlocked: while an update reads and parses files, the
// database is closed, so another process may use it.
func TestIndexParseUnlocked(t *testing.T) {
	root := writeTree(t, smallTree)
	cache := t.TempDir()
	refresh(t, newIndex(t, root, cache, nil))
	writeFile(t, root, "rust/kernel/task.rs", "pub struct Task;\n")
	x := newIndex(t, root, cache, nil)
	var openErr error
	x.testHookParse = func() {
		db, err := bolt.Open(x.DB(), 0o600, &bolt.Options{Timeout: 100 * time.Millisecond})
		if err == nil {
			db.Close()
		}
		openErr = err
	}
	if st := refresh(t, x); st.Parsed != 1 || !st.Persisted {
		t.Errorf("update: %+v", st)
	}
	if openErr != nil {
		t.Errorf("the database is held while parsing: %v", openErr)
	}
}

// TestIndexKeepsNewestAside: of the databases moved aside, only the
// newest stays.
func TestIndexKeepsNewestAside(t *testing.T) {
	root := writeTree(t, smallTree)
	cache := t.TempDir()
	for i := range 3 {
		x := newIndex(t, root, cache, nil)
		if err := os.MkdirAll(cache, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(x.DB(), []byte(strings.Repeat(fmt.Sprintf("garbage%d", i), 4096)), 0o600); err != nil {
			t.Fatal(err)
		}
		refresh(t, x)
	}
	aside, _ := filepath.Glob(filepath.Join(cache, "*.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("kept aside: %v", aside)
	}
	if b, _ := os.ReadFile(aside[0]); !strings.HasPrefix(string(b), "garbage2") {
		t.Errorf("kept %s, not the newest", aside[0])
	}
}
