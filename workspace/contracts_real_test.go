package workspace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
)

// indexedSession is a session whose index holds root, indexed into a
// temporary cache.
func indexedSession(t testing.TB, root string) *Session {
	t.Helper()
	s := NewSession()
	s.Index.CacheDir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	s.Index.Ensure(ctx, &wg, root)
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		s.Shutdown()
	})
	if !s.Index.Wait(ctx, filepath.Join(root, "x")) {
		t.Fatal("index did not finish")
	}
	return s
}

// safetyFix opens path with text and returns the text of the
// undocumented-unsafe fix of the finding on the line holding marker.
func safetyFix(t testing.TB, s *Session, path, text, marker string) string {
	t.Helper()
	return fixOf(t, s, s.Open("file://"+path, path, "rust", 1, []byte(text)), marker)
}

// fixOf analyses an open document and returns the text of the
// undocumented-unsafe fix of the finding on the line holding marker.
func fixOf(t testing.TB, s *Session, d *Document, marker string) string {
	t.Helper()
	res, err := s.Analyze(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	text := string(d.Text)
	at := strings.Index(text, marker)
	if at < 0 {
		t.Fatalf("no %q in the text", marker)
	}
	for _, f := range res.Findings {
		if f.Rule == diagnostics.UndocumentedUnsafe.Name && f.Start <= at+len(marker) && at <= f.End && len(f.Fixes) > 0 {
			return f.Fixes[0].Edits[0].NewText
		}
	}
	t.Fatalf("no undocumented-unsafe finding at %q", marker)
	return ""
}

// withoutSafety deletes the `// SAFETY:` comment lines directly above
// the line holding marker.
func withoutSafety(t testing.TB, src, marker string) string {
	t.Helper()
	at := strings.Index(src, marker)
	if at < 0 {
		t.Fatalf("no %q in the file", marker)
	}
	lineStart := strings.LastIndexByte(src[:at], '\n') + 1
	start := lineStart
	for start > 0 {
		prev := strings.LastIndexByte(src[:start-1], '\n') + 1
		if !strings.HasPrefix(strings.TrimSpace(src[prev:start-1]), "//") {
			break
		}
		start = prev
	}
	if start == lineStart {
		t.Fatalf("no comment above %q", marker)
	}
	return src[:start] + src[lineStart:]
}

// calleeCases are unsafe blocks of the fixture kernels whose SAFETY
// comment TestCalleeContractsRealTree deletes: in file, the first line
// holding marker; the callee is shown as name, and its `# Safety`
// section is the doc above the first line holding decl after the text
// anchor, in the first of calleeFiles that holds anchor (no decl: a C
// function). A case runs on each tree whose file holds the marker.
var calleeCases = []struct {
	file, marker, name string
	calleeFiles        []string
	anchor, decl       string
}{
	// sync::Arc, imported from `crate::sync`, is sync::arc::Arc.
	{"rust/kernel/workqueue.rs", "let arc = unsafe { Arc::from_raw(ptr) };", "Arc::from_raw",
		[]string{"rust/kernel/sync/arc.rs"}, "impl<T: ?Sized> Arc<T> {", "pub unsafe fn from_raw("},
	// ARef moved from types.rs to sync/aref.rs in 6.13.
	{"rust/kernel/block/mq/request.rs", "unsafe { ARef::from_raw(NonNull::new_unchecked(", "ARef::from_raw",
		[]string{"rust/kernel/sync/aref.rs", "rust/kernel/types.rs"}, "impl<T: AlwaysRefCounted> ARef<T> {", "pub unsafe fn from_raw("},
	{"rust/kernel/list.rs", "Some(unsafe { ArcBorrow::from_raw(item) })", "ArcBorrow::from_raw",
		[]string{"rust/kernel/sync/arc.rs"}, "impl<T: ?Sized> ArcBorrow<'_, T> {", "pub unsafe fn from_raw("},
	{"rust/kernel/sync/lock/mutex.rs", "unsafe { bindings::mutex_lock(ptr) };", "bindings::mutex_lock", nil, "", ""},
	// A method on `self` in `impl<T, A> Vec<T, A>` of this file.
	{"rust/kernel/alloc/kvec.rs", "unsafe { self.set_len(self.len() + 1) };", "Vec::set_len",
		[]string{"rust/kernel/alloc/kvec.rs"}, "", "pub unsafe fn set_len("},
	{"rust/kernel/alloc/kvec.rs", "unsafe { self.inc_len(1) };", "Vec::inc_len",
		[]string{"rust/kernel/alloc/kvec.rs"}, "", "pub const unsafe fn inc_len("},
	// 6.1's: a crate-private method of str.rs, imported by print.rs; a
	// C function.
	{"rust/kernel/print.rs", "unsafe { RawFormatter::from_ptrs(buf.cast(), end.cast()) }", "RawFormatter::from_ptrs",
		[]string{"rust/kernel/str.rs"}, "", "pub(crate) unsafe fn from_ptrs("},
	{"rust/kernel/lib.rs", "unsafe { bindings::BUG() };", "bindings::BUG", nil, "", ""},
}

// fixWords is the text of a fix's comment lines as one line of words,
// without `//` and list markers.
func fixWords(fix string) string {
	var words []string
	for _, l := range strings.Split(fix, "\n") {
		l = strings.TrimPrefix(strings.TrimSpace(l), "//")
		l = strings.TrimPrefix(strings.TrimSpace(l), "- ")
		words = append(words, strings.Fields(l)...)
	}
	return strings.Join(words, " ")
}

// TestCalleeContractsRealTree deletes the SAFETY comment above real
// unsafe blocks of each fixture kernel and checks that the fix quotes the
// contract of the callee, declared in another file (through `use`
// imports and `pub use` re-exports), in this file, or in C: each line of
// the callee's `# Safety` section as the tree writes it. (6.1's build
// does not enable undocumented-unsafe: the rule is asked for by name.)
func TestCalleeContractsRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			src := k.Src
			s := indexedSession(t, src)
			s.SetSettings(Settings{Rules: map[string]bool{diagnostics.UndocumentedUnsafe.Name: true}})
			cases := 0
			for _, tc := range calleeCases {
				path := filepath.Join(src, tc.file)
				text, err := os.ReadFile(path)
				if err != nil || !strings.Contains(string(text), tc.marker) {
					continue
				}
				cases++
				want := []string{"// SAFETY: TODO: show that each requirement of `" + tc.name + "` holds:"}
				var contract []string
				if tc.decl == "" {
					c := tc.name[strings.LastIndex(tc.name, "::")+2:]
					contract = []string{"`" + c + "` is a C function: its requirements are in its C documentation."}
				}
				for _, f := range tc.calleeFiles {
					b, err := os.ReadFile(filepath.Join(src, f))
					if i := strings.Index(string(b), tc.anchor); err == nil && i >= 0 {
						contract = kerneltest.DocSafety(string(b)[i:], tc.decl)
						break
					}
				}
				if len(contract) == 0 {
					t.Errorf("%v: no # Safety section above %q", tc.calleeFiles, tc.decl)
					continue
				}
				got := safetyFix(t, s, path, withoutSafety(t, string(text), tc.marker), tc.marker)
				t.Logf("%s:\n%s", tc.file, got)
				if !strings.Contains(got, want[0]+"\n") {
					t.Errorf("%s: the fix\n%s\nhas no line %q", tc.file, got, want[0])
				}
				for _, c := range contract {
					if !strings.Contains(fixWords(got), strings.Join(strings.Fields(c), " ")) {
						t.Errorf("%s: the fix\n%s\ndoes not quote %q", tc.file, got, c)
					}
				}
			}
			if cases < 2 {
				t.Errorf("only %d of the cases are in the tree", cases)
			}

			// A driver of the tree, calling Task::current through its
			// import and a method of the task whose type it spells out.
			task, err := os.ReadFile(filepath.Join(src, "rust/kernel/task.rs"))
			contract := kerneltest.DocSafety(string(task), "pub unsafe fn current() -> ")
			if err != nil || len(contract) == 0 {
				t.Logf("no Task::current in Linux %s", k.Version)
				return
			}
			path := filepath.Join(src, "samples/rust/rust_minimal.rs")
			text := mustRead(t, path) + `
fn current_task(t: &Task) {
    let cur = unsafe { Task::current() };
}
`
			text = strings.Replace(text, "use kernel::prelude::*;", "use kernel::prelude::*;\nuse kernel::task::Task;", 1)
			got := safetyFix(t, s, path, text, "Task::current()")
			t.Logf("driver:\n%s", got)
			want := "    // SAFETY: TODO: show that each requirement of `Task::current` holds:\n"
			if !strings.HasPrefix(got, want) {
				t.Errorf("driver: the fix\n%s\nwant it to start with %q", got, want)
			}
			for _, c := range contract {
				if !strings.Contains(fixWords(got), strings.Join(strings.Fields(c), " ")) {
					t.Errorf("driver: the fix\n%s\ndoes not quote %q", got, c)
				}
			}
		})
	}
}

// BenchmarkCalleeFix measures what quoting callees' contracts costs an
// analysis (the fixes are computed with the findings): files of the
// kernel crate with every SAFETY comment turned into a plain one, so that
// every unsafe block gets a fix, analysed with the index's contracts and
// without (today's same-file quoting), side by side.
func BenchmarkCalleeFix(b *testing.B) {
	src, _ := realKernel(b)
	s := indexedSession(b, src)
	for _, tc := range []struct{ name, rel, marker string }{
		// What an editor sees: one block being written.
		{"one-block", "rust/kernel/workqueue.rs", "let arc = unsafe { Arc::from_raw(ptr) };"},
		{"all-blocks", "rust/kernel/workqueue.rs", ""},
		{"all-blocks", "rust/kernel/list.rs", ""},
		{"all-blocks", "rust/kernel/sync/arc.rs", ""},
	} {
		rel := tc.rel
		path := filepath.Join(src, rel)
		text := []byte(strings.ReplaceAll(mustRead(b, path), "SAFETY:", "NOTE:"))
		if tc.marker != "" {
			text = []byte(withoutSafety(b, mustRead(b, path), tc.marker))
		}
		f, err := symbols.Parse(context.Background(), path, text)
		if err != nil {
			b.Fatal(err)
		}
		d := &Document{Path: path}
		contracts := s.contractsFor(d, indexSnaps{tree: s.Index.Snapshot(path)})
		fixes, quoted := 0, 0
		for _, x := range diagnostics.Analyze(context.Background(), f, diagnostics.Config{Contracts: contracts}) {
			if x.Rule == diagnostics.UndocumentedUnsafe.Name {
				fixes++
				if strings.Contains(x.Fixes[0].Title, "requirements") {
					quoted++
				}
			}
		}
		b.Logf("%s: %d undocumented blocks, %d fixes quote a contract", rel, fixes, quoted)
		for _, mode := range []struct {
			name string
			c    diagnostics.Contracts
		}{{"index", contracts}, {"same-file", nil}} {
			b.Run(tc.name+"/"+filepath.Base(rel)+"/"+mode.name, func(b *testing.B) {
				cfg := diagnostics.Config{Contracts: mode.c}
				for b.Loop() {
					diagnostics.Analyze(context.Background(), f, cfg)
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(max(fixes, 1)), "µs/fix")
			})
		}
		f.Close()
	}
}
