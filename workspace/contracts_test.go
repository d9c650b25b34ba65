package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (relative path → text) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, text := range files {
		write(t, filepath.Join(root, rel), text)
	}
}

// TestCalleeContractsSmallTree: a sample driver of a small srctree calls
// kernel functions declared in other files, through a re-export and an
// import; the session's fix quotes them, and follows an edit of the
// callee's docs once the index has it.
func TestCalleeContractsSmallTree(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"Kconfig":  "",
		"Makefile": "",
		"rust/kernel/lib.rs": `pub mod sync;
pub mod task;
pub mod ops;
pub use bindings;
`,
		"rust/kernel/ops.rs": `pub trait Ops {
    /// # Safety
    ///
    /// Only with the lock held.
    unsafe fn op(&self);
}
pub struct Dev;
impl Ops for Dev {
    unsafe fn op(&self) {}
}
`,
		"rust/kernel/sync.rs": `mod arc;
pub use arc::Arc;
`,
		"rust/kernel/sync/arc.rs": `pub struct Arc<T>(T);
impl<T> Arc<T> {
    /// Recreates an Arc.
    ///
    /// # Safety
    ///
    /// ` + "`ptr`" + ` must come from [` + "`Arc::into_raw`" + `].
    pub unsafe fn from_raw(ptr: *const T) -> Self { todo!() }
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
		"samples/rust/rust_sample.rs": `use kernel::sync::Arc;
use kernel::task::Task;

fn f(p: *const u8) {
    let t = unsafe { Task::current() };
    let a = unsafe { Arc::from_raw(p) };
    unsafe { kernel::bindings::schedule() };
}

fn g(d: &kernel::ops::Dev) {
    unsafe { d.op() };
}
`,
	})
	path := filepath.Join(root, "samples/rust/rust_sample.rs")
	text := mustRead(t, path)

	// No index for the tree (not yet, or not at all): nothing waits, the
	// fix is the plain comment.
	plain := NewSession()
	defer plain.Shutdown()
	if got := safetyFix(t, plain, path, text, "Task::current"); got != "    // SAFETY: \n" {
		t.Errorf("without an index: %q", got)
	}

	s := indexedSession(t, root)
	for marker, want := range map[string]string{
		"Task::current": "    // SAFETY: TODO: show that each requirement of `Task::current` holds:\n" +
			"    // - Callers must ensure that the returned object doesn't outlive the current task/thread.\n",
		"Arc::from_raw": "    // SAFETY: TODO: show that each requirement of `Arc::from_raw` holds:\n" +
			"    // - `ptr` must come from [`Arc::into_raw`].\n",
		"schedule": "    // SAFETY: TODO: show that each requirement of `kernel::bindings::schedule` holds:\n" +
			"    // - `schedule` is a C function: its requirements are in its C documentation.\n",
		"d.op": "    // SAFETY: TODO: show that each requirement of `Dev::op` holds:\n" +
			"    // - Only with the lock held.\n",
	} {
		if got := safetyFix(t, s, path, text, marker); got != want {
			t.Errorf("fix at %s:\n%s\nwant:\n%s", marker, got, want)
		}
	}

	// The callee's contract changes on disk; once the index has the
	// change, the fix quotes the new text (the cached analysis of the
	// unchanged document is stale).
	task := filepath.Join(root, "rust/kernel/task.rs")
	writeFiles(t, root, map[string]string{"rust/kernel/task.rs": strings.Replace(mustRead(t, task),
		"Callers must ensure that the returned object doesn't outlive the current task/thread.", "A new rule.", 1)})
	if got := fixOf(t, s, s.Document("file://"+path), "Task::current"); !strings.Contains(got, "outlive") {
		t.Errorf("before the index has the edit:\n%s", got)
	}
	s.Index.FilesChanged(t.Context(), []string{task})
	d := s.Document("file://" + path)
	if got := fixOf(t, s, d, "Task::current"); !strings.Contains(got, "// - A new rule.\n") {
		t.Errorf("after the edit:\n%s", got)
	}
}

func mustRead(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
