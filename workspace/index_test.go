package workspace

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// smallKernel is a srctree with a kernel crate and a sample driver whose
// unsafe block calls a kernel function with a contract.
var smallKernel = map[string]string{
	"Kconfig":            "",
	"Makefile":           "",
	"rust/kernel/lib.rs": "pub mod task;\n",
	"rust/kernel/task.rs": `pub struct Task;
impl Task {
    /// # Safety
    ///
    /// Only from a task.
    pub unsafe fn current() -> Task { Task }
}
`,
	"samples/rust/rust_sample.rs": `use kernel::task::Task;

fn f() {
    let t = unsafe { Task::current() };
}
`,
}

// TestIndexIdlePollKeepsAnalysis: a poll or a save that changed nothing
// keeps the tree's snapshot, so an open document's cached analysis
// survives it; a real change makes it stale.
func TestIndexIdlePollKeepsAnalysis(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, smallKernel)
	s := indexedSession(t, root)
	path := filepath.Join(root, "samples/rust/rust_sample.rs")
	d := s.Open("file://"+path, path, "rust", 1, []byte(mustRead(t, path)))
	first, err := s.Analyze(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	snap := s.Index.Snapshot(path)
	for range 3 {
		s.Index.Poll(t.Context())
		s.Index.FilesChanged(t.Context(), []string{path}) // a save, or a watched-file event
	}
	if got := s.Index.Snapshot(path); got != snap {
		t.Errorf("an idle poll replaced the snapshot")
	}
	if again, err := s.Analyze(context.Background(), d); err != nil || again != first {
		t.Errorf("the analysis was not kept across an idle poll (%v)", err)
	}
	// A change on disk does replace the snapshot and the analysis; a
	// save reported twice (didSave and a watched-file event) updates the
	// index once: the second finds the file as the first left it.
	task := filepath.Join(root, "rust/kernel/task.rs")
	write(t, task, "pub struct Task;\n")
	s.Index.FilesChanged(t.Context(), []string{task})
	changed := s.Index.Snapshot(path)
	if changed == snap {
		t.Errorf("an update after a change kept the snapshot")
	}
	second, err := s.Analyze(context.Background(), d)
	if err != nil || second == first {
		t.Errorf("the analysis was kept after the tree changed (%v)", err)
	}
	s.Index.FilesChanged(t.Context(), []string{task})
	if s.Index.Snapshot(path) != changed {
		t.Errorf("the second report of one save replaced the snapshot")
	}
	if again, err := s.Analyze(context.Background(), d); err != nil || again != second {
		t.Errorf("the second report of one save dropped the analysis (%v)", err)
	}
}

// TestModuleAnalysisFollowsKernelIndex: an out-of-tree module's analysis
// quotes kernel contracts from the kernel srctree's index; when that
// index finishes after the module file was analysed, the cached analysis
// is stale and the code action then quotes the kernel's contract.
func TestModuleAnalysisFollowsKernelIndex(t *testing.T) {
	kernel, module := t.TempDir(), t.TempDir()
	writeFiles(t, kernel, smallKernel)
	writeFiles(t, module, map[string]string{
		"Makefile": "obj-m += hello.o\n",
		"hello.rs": `use kernel::task::Task;

fn f() {
    let t = unsafe { Task::current() };
}
`,
	})
	s := NewSession()
	s.Index.CacheDir = t.TempDir()
	s.SetSettings(Settings{Kernel: KernelSettings{Kdir: kernel}})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		s.Shutdown()
	})
	index := func(root string) {
		s.Index.Ensure(ctx, &wg, root)
		if !s.Index.Wait(ctx, filepath.Join(root, "x")) {
			t.Fatalf("index of %s did not finish", root)
		}
	}
	index(module)
	path := filepath.Join(module, "hello.rs")
	d := s.Open("file://"+path, path, "rust", 1, []byte(mustRead(t, path)))
	if got := fixOf(t, s, d, "Task::current"); strings.Contains(got, "Only from a task.") {
		t.Fatalf("a kernel contract quoted before the kernel is indexed:\n%s", got)
	}
	index(kernel)
	want := "    // SAFETY: TODO: show that each requirement of `Task::current` holds:\n" +
		"    // - Only from a task.\n"
	if got := fixOf(t, s, d, "Task::current"); got != want {
		t.Errorf("after the kernel's index finished:\n%s\nwant:\n%s", got, want)
	}
}

// TestIndexNewFailureRemembered: a tree whose index cannot be made (the
// cache folder inside it) is tried and logged once, not at every
// document opened there; a settings change tries again.
func TestIndexNewFailureRemembered(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, smallKernel)
	s := NewSession()
	defer s.Shutdown()
	var logs []string
	s.Index.Logf = func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
	s.Index.CacheDir = filepath.Join(root, ".cache")
	var wg sync.WaitGroup
	for range 3 {
		s.Index.Ensure(t.Context(), &wg, root)
	}
	wg.Wait()
	if len(logs) != 1 || !strings.Contains(logs[0], "inside the tree") {
		t.Fatalf("logged %q, want one failure", logs)
	}
	if s.Index.Snapshot(filepath.Join(root, "x")) != nil {
		t.Error("a tree that failed has a snapshot")
	}
	s.SetSettings(Settings{})
	s.Index.Ensure(t.Context(), &wg, root)
	wg.Wait()
	if len(logs) != 2 {
		t.Errorf("after a settings change: logged %q, want a second try", logs)
	}
}

func TestTreeOfDir(t *testing.T) {
	kernel, module := t.TempDir(), t.TempDir()
	writeFiles(t, kernel, smallKernel)
	writeFiles(t, module, map[string]string{"Makefile": "obj-m += hello.o\n", "sub/hello.rs": ""})
	for _, tc := range []struct{ dir, want string }{
		{kernel, kernel},
		{filepath.Join(kernel, "samples/rust"), kernel},
		{module, module},
		{filepath.Join(module, "sub"), module},
	} {
		if got, ok := TreeOfDir(tc.dir); !ok || got != tc.want {
			t.Errorf("TreeOfDir(%s) = %q, %v; want %q", tc.dir, got, ok, tc.want)
		}
	}
	if got, ok := TreeOf(filepath.Join(kernel, "samples/rust/rust_sample.rs")); !ok || got != kernel {
		t.Errorf("TreeOf = %q, %v", got, ok)
	}
	if _, ok := TreeOfDir(t.TempDir()); ok {
		t.Error("TreeOfDir of an empty folder found a tree")
	}
}
