package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sourcegraph/conc"

	"github.com/krls-dev/krls/kconfig"
)

// Kernels keeps a session's loaded kernels, one per (srctree, objtree), in
// the manner of clangd's background index: the first request for a kernel
// waits for its load; after that, requests get the last complete load
// while a reload (after a .config or Kconfig change) runs in the
// background, and OnReload hears when the new one is in place. Parsed
// Kconfig files are kept per kernel, so a reload parses only the files
// that changed. It is safe for concurrent use.
type Kernels struct {
	// Getenv reads the environment (KDIR, KBUILD_OUTPUT, ARCH, CC, ...);
	// nil is os.LookupEnv.
	Getenv func(string) (string, bool)
	// OnReload, if set, is called after a reload replaced a kernel (not
	// after a first load, which a request waited for), from the loading
	// goroutine.
	OnReload func(*Kernel)
	// Logf, if set, receives load failures of reloads (the previous
	// kernel stays in use).
	Logf func(format string, args ...any)

	ctx    context.Context
	cancel context.CancelFunc
	wg     conc.WaitGroup

	mu       sync.Mutex
	settings KernelSettings
	entries  map[KernelTrees]*kernelEntry
}

type kernelEntry struct {
	trees KernelTrees
	files *kconfig.FileCache
	cur   *Kernel
	err   error         // the last load's error while cur is nil
	busy  chan struct{} // non-nil while a load runs; closed when it ends
	again bool          // a change came during the load: load once more
}

// NewKernels returns an empty set of kernels.
func NewKernels() *Kernels {
	ctx, cancel := context.WithCancel(context.Background())
	return &Kernels{ctx: ctx, cancel: cancel, entries: map[KernelTrees]*kernelEntry{}}
}

// Close stops the loads in progress and waits for them.
func (ks *Kernels) Close() {
	ks.cancel()
	ks.wg.Wait()
}

func (ks *Kernels) getenv(name string) (string, bool) {
	if ks.Getenv != nil {
		return ks.Getenv(name)
	}
	return os.LookupEnv(name)
}

// Settings returns the current kernel settings.
func (ks *Kernels) Settings() KernelSettings {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.settings
}

// SetSettings changes the settings; kernels already loaded are loaded
// again when the change can affect them (the shell setting), and lookups
// use the new trees from now on.
func (ks *Kernels) SetSettings(set KernelSettings) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	old := ks.settings
	ks.settings = set
	if old.AllowShell != set.AllowShell || old.ShellTimeout != set.ShellTimeout {
		for _, e := range ks.entries {
			ks.reloadLocked(e)
		}
	}
}

// Locate finds the trees of the kernel that configures path.
func (ks *Kernels) Locate(path string) (KernelTrees, error) {
	return LocateKernel(path, ks.Settings(), ks.getenv)
}

// For returns the kernel that configures path, loading it if needed.
func (ks *Kernels) For(ctx context.Context, path string) (*Kernel, error) {
	trees, err := ks.Locate(path)
	if err != nil {
		return nil, err
	}
	return ks.Get(ctx, trees)
}

// Get returns the kernel of trees: the last complete load, or, the first
// time, the result of a load it waits for (ctx ends the wait, not the
// load).
func (ks *Kernels) Get(ctx context.Context, trees KernelTrees) (*Kernel, error) {
	ks.mu.Lock()
	e := ks.entries[trees]
	if e == nil {
		e = &kernelEntry{trees: trees, files: &kconfig.FileCache{}}
		ks.entries[trees] = e
	}
	if e.cur != nil {
		k := e.cur
		ks.mu.Unlock()
		return k, nil
	}
	if e.busy == nil {
		if e.err != nil {
			err := e.err
			ks.mu.Unlock()
			return nil, err
		}
		ks.startLocked(e)
	}
	busy := e.busy
	ks.mu.Unlock()
	select {
	case <-busy:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if e.cur == nil {
		if e.err == nil {
			return nil, fmt.Errorf("load %s: %w", trees.Srctree, context.Canceled)
		}
		return nil, e.err
	}
	return e.cur, nil
}

// Loaded returns the kernels loaded so far.
func (ks *Kernels) Loaded() []*Kernel {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	var out []*Kernel
	for _, e := range ks.entries {
		if e.cur != nil {
			out = append(out, e.cur)
		}
	}
	return out
}

// FilesChanged tells the kernels that files changed on disk (the editor's
// workspace/didChangeWatchedFiles): a kernel whose .config or Kconfig
// files are among them, or that gained a Kconfig file, reloads.
func (ks *Kernels) FilesChanged(paths []string) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	for _, e := range ks.entries {
		hit := false
		for _, p := range paths {
			if p == e.trees.DotConfig() || e.cur != nil && e.cur.Watches(p) ||
				strings.HasPrefix(filepath.Base(p), "Kconfig") && within(p, e.trees.Srctree) {
				e.files.Forget(p)
				hit = true
			}
		}
		if hit {
			ks.reloadLocked(e)
		}
	}
}

// Poll checks the files of every loaded kernel on disk and reloads those
// that changed: the fallback for editors that do not watch files. A
// kernel whose load failed is tried again.
func (ks *Kernels) Poll() {
	ks.mu.Lock()
	var check []*kernelEntry
	for _, e := range ks.entries {
		if e.busy == nil {
			check = append(check, e)
		}
	}
	ks.mu.Unlock()
	for _, e := range check {
		ks.mu.Lock()
		cur, failed := e.cur, e.err != nil
		ks.mu.Unlock()
		if failed || cur != nil && cur.Changed() {
			ks.mu.Lock()
			e.err = nil
			ks.reloadLocked(e)
			ks.mu.Unlock()
		}
	}
}

func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// reloadLocked starts a load of e, or asks the running one to go again.
func (ks *Kernels) reloadLocked(e *kernelEntry) {
	if e.busy != nil {
		e.again = true
		return
	}
	ks.startLocked(e)
}

// startLocked starts a load of e in the background.
func (ks *Kernels) startLocked(e *kernelEntry) {
	busy := make(chan struct{})
	e.busy = busy
	set := ks.settings
	reload := e.cur != nil
	ks.wg.Go(func() {
		k, err := LoadKernel(ks.ctx, e.trees, e.files, set, ks.getenv)
		ks.mu.Lock()
		switch {
		case err == nil:
			e.cur, e.err = k, nil
		case e.cur == nil:
			e.err = err
		}
		e.busy = nil
		if e.again && ks.ctx.Err() == nil {
			e.again = false
			ks.startLocked(e)
		}
		ks.mu.Unlock()
		close(busy)
		switch {
		case err != nil && reload && ks.Logf != nil && ks.ctx.Err() == nil:
			ks.Logf("reload %s: %v (keeping the previous configuration)", e.trees.Srctree, err)
		case err == nil && reload && ks.OnReload != nil:
			ks.OnReload(k)
		}
	})
}
