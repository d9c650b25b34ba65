package workspace

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/krls-dev/krls/symbols/index"
)

// IndexPhase is a step of a tree's first indexing.
type IndexPhase int

// The phases OnProgress hears of, in order.
const (
	IndexStarted IndexPhase = iota // listing the files
	IndexListed                    // Files are known; reading and parsing
	IndexDone                      // Stats and Err are set
)

// IndexEvent is what Indexes.OnProgress hears.
type IndexEvent struct {
	Root  string
	Phase IndexPhase
	Files int
	Stats index.Stats
	Err   error
}

// Indexes keeps one index per tree (srctree or module folder), shared by
// the session's requests. The first Ensure of a tree starts its indexing
// in the background; requests read the last complete snapshot meanwhile.
type Indexes struct {
	// CacheDir is where the databases go ("" is the default).
	CacheDir string
	// Logf receives warnings.
	Logf func(format string, args ...any)
	// OnProgress, when set, hears how the first indexing of a tree goes.
	OnProgress func(IndexEvent)

	mu    sync.Mutex
	trees map[string]*treeIndex
	// failed are the trees whose index could not be made (index.New
	// failed: the cache folder inside the tree, no home folder), so that
	// every document opened there does not try and log again. Forgotten
	// when the settings change.
	failed map[string]error
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
	if _, ok := s.failed[root]; ok {
		s.mu.Unlock()
		return
	}
	x, err := index.New(index.Options{Root: root, CacheDir: s.CacheDir, Logf: s.logf})
	if err != nil {
		if s.failed == nil {
			s.failed = map[string]error{}
		}
		s.failed[root] = err
		s.mu.Unlock()
		s.logf("index %s: %v (not indexed until the settings change or the server restarts)", root, err)
		return
	}
	t := &treeIndex{x: x, done: make(chan struct{})}
	s.trees[root] = t
	s.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(t.done)
		s.progress(IndexEvent{Root: root, Phase: IndexStarted})
		r, err := RefreshTree(ctx, x, func(w IndexWalk) {
			s.progress(IndexEvent{Root: root, Phase: IndexListed, Files: len(w.Files)})
		})
		if err != nil && ctx.Err() == nil {
			s.logf("index %s: %v", root, err)
		}
		s.progress(IndexEvent{Root: root, Phase: IndexDone, Files: len(r.Walk.Files), Stats: r.Stats, Err: err})
	}()
}

// TreeRefresh is what RefreshTree did.
type TreeRefresh struct {
	// Walk is the listing of the tree's .rs files; WalkTime what it took.
	Walk     IndexWalk
	WalkTime time.Duration
	// Stats are the refresh's, with the times of the database's first
	// read (Load) added.
	Stats index.Stats
}

// RefreshTree brings x in line with its tree, the way both the server
// and `krls index` do it: Load first (the last run's index is served at
// once, and it holds the last walk's cache), the walk with that cache
// (only the folders that changed are read), then RefreshWalked, which
// keeps the walk's new cache. listed, if set, hears the walk's result
// before the files are read.
func RefreshTree(ctx context.Context, x *index.Index, listed func(IndexWalk)) (TreeRefresh, error) {
	var r TreeRefresh
	ld, err := x.Load()
	if err != nil {
		return r, err
	}
	t := time.Now()
	r.Walk = WalkIndexFiles(ctx, x.Root(), x.WalkCache())
	r.WalkTime = time.Since(t)
	if listed != nil {
		listed(r.Walk)
	}
	r.Stats, err = x.RefreshWalked(ctx, r.Walk.Files, r.Walk.Cache)
	r.Stats.Open += ld.Open
	r.Stats.Load += ld.Load
	r.Stats.Link += ld.Link
	return r, err
}

// Retry forgets the trees whose index could not be made: the next Ensure
// of each tries again.
func (s *Indexes) Retry() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.failed)
}

func (s *Indexes) progress(ev IndexEvent) {
	if s.OnProgress != nil {
		s.OnProgress(ev)
	}
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

// Poll looks again at the files each index knows (changed or deleted on
// disk): the fallback for editors that do not report file changes. New
// files wait for a watched-file notification, a save, or the next start.
func (s *Indexes) Poll(ctx context.Context) {
	s.mu.Lock()
	var trees []*treeIndex
	for _, t := range s.trees {
		trees = append(trees, t)
	}
	s.mu.Unlock()
	for _, t := range trees {
		select {
		case <-t.done:
		default:
			continue // the first indexing is still running
		}
		if _, err := t.x.Update(ctx, t.x.Snapshot().FilePaths()); err != nil && ctx.Err() == nil {
			s.logf("index %s: %v", t.x.Root(), err)
		}
	}
}

// TreeOf is the tree krls indexes for a file: the kernel srctree above
// it, else its out-of-tree module folder.
func TreeOf(path string) (string, bool) {
	return TreeOfDir(filepath.Dir(path))
}

// TreeOfDir is the tree krls indexes for a folder (a workspace folder,
// a file's folder): the kernel srctree at or above it, else the
// out-of-tree module folder at or above it.
func TreeOfDir(dir string) (string, bool) {
	if tree, ok := FindSrctree(dir); ok {
		return tree, true
	}
	return FindModuleDir(dir)
}

// WorkspaceSymbol is an answer to a workspace symbol search.
type WorkspaceSymbol struct {
	Name string
	// Kind is the item's kind (fn, struct, ...) or "kconfig".
	Kind string
	// Container is the module or type that holds it (kernel::task), or
	// the Kconfig file.
	Container string
	// Detail says more: the full path, `unsafe`, the Kconfig prompt.
	Detail string
	Location
}

// WorkspaceSymbols searches the indexed items of every tree (but those
// rust-analyzer has the project of) and the Kconfig symbols of the loaded
// kernels, best first, at most limit.
// Indexes still building answer from what they have.
func (s *Session) WorkspaceSymbols(ctx context.Context, query string, limit int) []WorkspaceSymbol {
	var out []WorkspaceSymbol
	for _, snap := range s.Index.Snapshots() {
		if s.rustAnalyzerHas(snap.Root) {
			// rust-analyzer indexes this tree's crates itself: the
			// same items twice would only repeat its answers.
			continue
		}
		for _, sym := range snap.Search(query, limit) {
			container := sym.Module.Module
			if i := strings.LastIndex(sym.Path, "::"); i >= 0 {
				container = sym.Path[:i]
			}
			detail := sym.Path
			if sym.Unsafe {
				detail = "unsafe " + detail
			}
			out = append(out, WorkspaceSymbol{Name: sym.Name, Kind: sym.Kind.String(), Container: container, Detail: detail,
				Location: Location{Path: sym.File, Start: sym.NameSpan.Start, End: sym.NameSpan.End}})
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	name := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(query)), "CONFIG_")
	if name != "" && !strings.Contains(name, "::") {
		seen := map[string]bool{}
		for _, k := range s.Kernels.Loaded() {
			if k.K == nil {
				continue
			}
			for _, sym := range k.K.Symbols {
				if !sym.Defined() || seen[sym.Name] || !strings.Contains(sym.Name, name) {
					continue
				}
				seen[sym.Name] = true
				n := sym.Nodes[0]
				detail := "Kconfig"
				if n.Prompt != nil {
					detail = n.Prompt.Text
				}
				out = append(out, WorkspaceSymbol{Name: "CONFIG_" + sym.Name, Kind: "kconfig", Container: n.File, Detail: detail,
					Location: Location{Path: filepath.Join(k.Srctree, n.File), Line: n.Line, Start: -1}})
			}
		}
	}
	// Kconfig names that equal the query come first; the rest keep
	// their order (items ranked by the index, then Kconfig).
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Kind == "kconfig" && out[i].Name == "CONFIG_"+name && !(out[j].Kind == "kconfig" && out[j].Name == "CONFIG_"+name)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
