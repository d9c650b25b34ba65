package workspace

import (
	"context"
	"path/filepath"
	"sync"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols/index"
)

// checkIndexes give `krls check` the index of each tree it checks, for
// the rules that look beyond the file: the callees' `# Panics` sections,
// the types' `# Invariants`. Each tree's index is refreshed once, on the
// first file that asks (the database persists in the cache folder, as
// the server's does: a warm refresh of Linux 7.2 takes some 40 ms).
type checkIndexes struct {
	warn  func(string)
	cache *ConfigCache // told each tree's files
	mu    sync.Mutex
	trees map[string]*checkIndex
}

type checkIndex struct {
	once sync.Once
	snap *index.Snapshot
}

// contracts are the index answers for the file at path, or nil outside
// a tree, or when its index cannot be made (said once through warn).
func (c *checkIndexes) contracts(ctx context.Context, path string) diagnostics.Contracts {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	root, ok := TreeOf(abs)
	if !ok {
		return nil
	}
	t := c.refresh(ctx, root)
	if t.snap == nil {
		return nil
	}
	ic := &indexContracts{snaps: []*index.Snapshot{t.snap}}
	if fm, ok := t.snap.ModuleOf(abs); ok {
		ic.module = fm.Module
	}
	return ic
}

// refresh refreshes the index of the tree at root, once; the first
// caller does the work, the others wait for it.
func (c *checkIndexes) refresh(ctx context.Context, root string) *checkIndex {
	c.mu.Lock()
	t := entry(&c.trees, root, func() *checkIndex { return &checkIndex{} })
	c.mu.Unlock()
	t.once.Do(func() {
		x, err := index.New(index.Options{Root: root})
		if err == nil {
			var r TreeRefresh
			r, err = RefreshTree(ctx, x, nil)
			if err == nil && c.cache != nil {
				c.cache.SetTreeFiles(root, r.Walk.Files)
			}
		}
		if err != nil {
			if c.warn != nil && ctx.Err() == nil {
				c.warn("index " + root + ": " + err.Error() + " (the rules that look up other files' docs see this file only)")
			}
			if x == nil {
				return
			}
		}
		t.snap = x.Snapshot()
	})
	return t
}
