package workspace

import (
	"context"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/krls-dev/krls/symbols/index"
)

// IndexFiles lists the .rs files of a tree for the index, with the walk
// `krls check` uses: hidden folders, cargo's target folders (CACHEDIR.TAG)
// and git-ignored files (generated bindings) are left out. Folders that
// cannot be read are returned as errors beside the files.
func IndexFiles(ctx context.Context, root string) ([]string, []error) {
	root = filepath.Clean(root)
	w := walkFolders([]string{root}, runtime.GOMAXPROCS(0))
	found := dropIgnored(ctx, w, []string{root}, nil)
	files := make([]string, len(found))
	for i, f := range found {
		files[i] = f.path
	}
	sort.Strings(files)
	var errs []error
	for _, r := range w.errs {
		errs = append(errs, r.Err)
	}
	return files, errs
}

// Indexes keeps one index per tree (srctree or module folder), shared by
// the session's requests. The first Ensure of a tree starts its indexing
// in the background; requests read the last complete snapshot meanwhile.
type Indexes struct {
	// CacheDir is where the databases go ("" is the default).
	CacheDir string
	// Logf receives warnings.
	Logf func(format string, args ...any)
	// OnProgress, when set, hears of an indexing's start (done = false)
	// and end (done = true, with its stats and error).
	OnProgress func(root string, done bool, st index.Stats, err error)

	mu    sync.Mutex
	trees map[string]*treeIndex
}

type treeIndex struct {
	x    *index.Index
	done chan struct{} // closed when the first refresh ended
}

// Ensure starts indexing root unless it is indexed or being indexed. The
// work runs in a goroutine that the caller's wg counts and ctx cancels.
func (s *Indexes) Ensure(ctx context.Context, wg *sync.WaitGroup, root string) {
	root = filepath.Clean(root)
	s.mu.Lock()
	if s.trees == nil {
		s.trees = map[string]*treeIndex{}
	}
	if _, ok := s.trees[root]; ok {
		s.mu.Unlock()
		return
	}
	x, err := index.New(index.Options{Root: root, CacheDir: s.CacheDir, Logf: s.logf})
	if err != nil {
		s.mu.Unlock()
		s.logf("index %s: %v", root, err)
		return
	}
	t := &treeIndex{x: x, done: make(chan struct{})}
	s.trees[root] = t
	s.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(t.done)
		if s.OnProgress != nil {
			s.OnProgress(root, false, index.Stats{}, nil)
		}
		files, _ := IndexFiles(ctx, root)
		st, err := x.Refresh(ctx, files)
		if err != nil && ctx.Err() == nil {
			s.logf("index %s: %v", root, err)
		}
		if s.OnProgress != nil {
			s.OnProgress(root, true, st, err)
		}
	}()
}

func (s *Indexes) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// Snapshots are the current snapshots of every tree, srctrees first
// (sorted by root).
func (s *Indexes) Snapshots() []*index.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	roots := make([]string, 0, len(s.trees))
	for r := range s.trees {
		roots = append(roots, r)
	}
	sort.Strings(roots)
	out := make([]*index.Snapshot, 0, len(roots))
	for _, r := range roots {
		out = append(out, s.trees[r].x.Snapshot())
	}
	return out
}

// Snapshot is the snapshot of the tree holding path, or nil.
func (s *Indexes) Snapshot(path string) *index.Snapshot {
	if t := s.treeOf(path); t != nil {
		return t.x.Snapshot()
	}
	return nil
}

// treeOf is the index whose root is the longest one holding path.
func (s *Indexes) treeOf(path string) *treeIndex {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *treeIndex
	bestLen := -1
	for r, t := range s.trees {
		if (path == r || strings.HasPrefix(path, r+string(filepath.Separator))) && len(r) > bestLen {
			best, bestLen = t, len(r)
		}
	}
	return best
}

// Wait waits until the first indexing of the tree holding path ended,
// or ctx ends. It reports whether the tree is indexed.
func (s *Indexes) Wait(ctx context.Context, path string) bool {
	t := s.treeOf(path)
	if t == nil {
		return false
	}
	select {
	case <-t.done:
		return true
	case <-ctx.Done():
		return false
	}
}

// FilesChanged updates the indexes holding the .rs files among paths
// (created, changed or deleted). Updates of one tree are serialised
// with its first indexing, so a change is never lost to it.
func (s *Indexes) FilesChanged(ctx context.Context, paths []string) {
	byTree := map[*treeIndex][]string{}
	for _, p := range paths {
		if !strings.HasSuffix(p, ".rs") {
			continue
		}
		if t := s.treeOf(p); t != nil {
			byTree[t] = append(byTree[t], p)
		}
	}
	for t, ps := range byTree {
		if _, err := t.x.Update(ctx, ps); err != nil && ctx.Err() == nil {
			s.logf("index %s: %v", t.x.Root(), err)
		}
	}
}
