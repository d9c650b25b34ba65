package workspace

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/krls-dev/krls/diagnostics"
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

// TestCalleeContractsRealTree deletes the SAFETY comment above real
// unsafe blocks of Linux 6.12 and checks that the fix quotes the contract
// of the callee, declared in another file (through `use` imports and
// `pub use` re-exports), in this file, or in C.
func TestCalleeContractsRealTree(t *testing.T) {
	src, _ := realKernel(t)
	s := indexedSession(t, src)
	for _, tc := range []struct {
		file, marker string
		want         []string
	}{
		// sync::Arc, imported from `crate::sync`, is sync::arc::Arc.
		{"rust/kernel/workqueue.rs", "let arc = unsafe { Arc::from_raw(ptr) };", []string{
			"// SAFETY: TODO: show that each requirement of `Arc::from_raw` holds:",
			"// - `ptr` must have been returned by a previous call to [`Arc::into_raw`]. Additionally, it",
			"//   must not be called more than once for each previous call to [`Arc::into_raw`].",
		}},
		{"rust/kernel/block/mq/request.rs", "unsafe { ARef::from_raw(NonNull::new_unchecked(", []string{
			"// SAFETY: TODO: show that each requirement of `ARef::from_raw` holds:",
			"// - Callers must ensure that the reference count was incremented at least once, and that",
		}},
		{"rust/kernel/list.rs", "Some(unsafe { ArcBorrow::from_raw(item) })", []string{
			"// SAFETY: TODO: show that each requirement of `ArcBorrow::from_raw` holds:",
			"// - The provided pointer must originate from a call to [`Arc::into_raw`].",
			"// - For the duration of the lifetime annotated on this `ArcBorrow`, the reference count",
		}},
		{"rust/kernel/sync/lock/mutex.rs", "unsafe { bindings::mutex_lock(ptr) };", []string{
			"// SAFETY: TODO: show that each requirement of `bindings::mutex_lock` holds:",
			"// - `mutex_lock` is a C function: its requirements are in its C documentation.",
		}},
		// A method on `self` in `impl<T, A> Vec<T, A>` of this file.
		{"rust/kernel/alloc/kvec.rs", "unsafe { self.set_len(self.len() + 1) };", []string{
			"// SAFETY: TODO: show that each requirement of `Vec::set_len` holds:",
			"// - `new_len` must be less than or equal to [`Self::capacity`].",
		}},
	} {
		path := filepath.Join(src, tc.file)
		text := withoutSafety(t, mustRead(t, path), tc.marker)
		got := safetyFix(t, s, path, text, tc.marker)
		t.Logf("%s:\n%s", tc.file, got)
		for _, w := range tc.want {
			if !strings.Contains(got, w+"\n") {
				t.Errorf("%s: the fix\n%s\nhas no line %q", tc.file, got, w)
			}
		}
	}

	// A driver of the tree, calling Task::current through its import and
	// a method of the task whose type it spells out.
	path := filepath.Join(src, "samples/rust/rust_minimal.rs")
	text := mustRead(t, path) + `
fn current_task(t: &Task) {
    let cur = unsafe { Task::current() };
}
`
	text = strings.Replace(text, "use kernel::prelude::*;", "use kernel::prelude::*;\nuse kernel::task::Task;", 1)
	got := safetyFix(t, s, path, text, "Task::current()")
	t.Logf("driver:\n%s", got)
	if want := "    // SAFETY: TODO: show that each requirement of `Task::current` holds:\n" +
		"    // - Callers must ensure that the returned object doesn't outlive the current task/thread.\n"; got != want {
		t.Errorf("driver: the fix\n%s\nwant\n%s", got, want)
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
