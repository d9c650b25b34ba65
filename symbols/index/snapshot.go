package index

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// Symbol is an indexed item with its full path.
type Symbol struct {
	// Path in its crate: kernel::task::Task::current. An impl's path is
	// its self type's; an exported macro's is the crate root's.
	Path string
	// File is the absolute path of the file that declares it.
	File string
	// Module is the file's place (crate, module, the module's cfgs).
	Module *FileModule
	*symbols.Item
}

// AllCfgs are the predicates that must hold for the symbol to exist:
// its module's, its enclosing items', its own.
func (s *Symbol) AllCfgs() []string {
	out := append([]string(nil), s.Module.Cfgs...)
	out = append(out, s.EnclosingCfgs...)
	return append(out, s.Cfgs...)
}

// Snapshot is the index at one moment. It is immutable: readers use it
// without locks while the index updates and publishes a new one.
type Snapshot struct {
	Root    string
	Files   int
	Symbols []Symbol // sorted by Path, then File and offset
	modules map[string]*FileModule
	files   []string
	byPath  map[string][]int
}

// newSnapshot links the entries and lists their items.
func newSnapshot(root string, entries map[string]*entry) *Snapshot {
	mods := link(entries)
	n := 0
	for _, en := range entries {
		if en.Items != nil {
			n += len(en.Items.Items)
		}
	}
	s := &Snapshot{Root: root, Files: len(entries), Symbols: make([]Symbol, 0, n), modules: map[string]*FileModule{}, byPath: make(map[string][]int, n)}
	for rel, en := range entries {
		abs := filepath.Join(root, filepath.FromSlash(rel))
		s.files = append(s.files, abs)
		fm := mods[rel]
		if fm == nil || en.Items == nil {
			continue
		}
		s.modules[abs] = fm
		for i := range en.Items.Items {
			it := &en.Items.Items[i]
			p := fm.Module
			if it.Exported {
				p = fm.Crate
			}
			if len(it.Rel) > 0 {
				p += "::" + strings.Join(it.Rel, "::")
			}
			s.Symbols = append(s.Symbols, Symbol{Path: p, File: abs, Module: fm, Item: it})
		}
	}
	sort.Slice(s.Symbols, func(i, j int) bool {
		a, b := &s.Symbols[i], &s.Symbols[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Span.Start < b.Span.Start
	})
	for i := range s.Symbols {
		s.byPath[s.Symbols[i].Path] = append(s.byPath[s.Symbols[i].Path], i)
	}
	return s
}

// FilePaths are the absolute paths of the indexed files.
func (s *Snapshot) FilePaths() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.files))
	out = append(out, s.files...)
	return out
}

// Lookup returns the symbols with a path (several: an impl and its
// type, cfg'd alternatives). A leading `::` is ignored.
func (s *Snapshot) Lookup(path string) []*Symbol {
	if s == nil {
		return nil
	}
	var out []*Symbol
	for _, i := range s.byPath[strings.TrimPrefix(path, "::")] {
		out = append(out, &s.Symbols[i])
	}
	return out
}

// ModuleOf returns the place of an indexed file (absolute path).
func (s *Snapshot) ModuleOf(file string) (*FileModule, bool) {
	if s == nil {
		return nil, false
	}
	m, ok := s.modules[filepath.Clean(file)]
	return m, ok
}

// Search finds symbols for a query, best first, at most limit: a query
// with `::` matches the end of paths; otherwise names, case-insensitively
// — an exact name first, then a prefix, a substring, and the letters in
// order. Among equals, the kernel crate and shorter paths come first.
// Impls have no name of their own and are left out.
func (s *Snapshot) Search(query string, limit int) []*Symbol {
	if s == nil {
		return nil
	}
	query = strings.TrimSpace(query)
	q := strings.ToLower(query)
	type hit struct {
		i, rank int
	}
	var hits []hit
	for i := range s.Symbols {
		sym := &s.Symbols[i]
		if sym.Kind == symbols.ItemImpl {
			continue
		}
		var rank int
		if strings.Contains(q, "::") {
			p := strings.ToLower(sym.Path)
			switch {
			case p == q || strings.HasSuffix(p, "::"+q):
				rank = 1
			case strings.Contains(p, q):
				rank = 3
			default:
				continue
			}
		} else {
			rank = matchRank(strings.ToLower(sym.Name), q)
			if rank == 0 {
				continue
			}
			if sym.Name == query {
				rank = 0 // exact, case included
			}
		}
		hits = append(hits, hit{i, rank})
	}
	sort.SliceStable(hits, func(a, b int) bool {
		x, y := &s.Symbols[hits[a].i], &s.Symbols[hits[b].i]
		if hits[a].rank != hits[b].rank {
			return hits[a].rank < hits[b].rank
		}
		if kx, ky := x.Module.Crate == "kernel", y.Module.Crate == "kernel"; kx != ky {
			return kx
		}
		return len(x.Path) < len(y.Path)
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]*Symbol, len(hits))
	for k, h := range hits {
		out[k] = &s.Symbols[h.i]
	}
	return out
}

// matchRank: 1 exact, 2 prefix, 3 substring, 4 subsequence, 0 none.
func matchRank(name, q string) int {
	switch {
	case q == "":
		return 4
	case name == q:
		return 1
	case strings.HasPrefix(name, q):
		return 2
	case strings.Contains(name, q):
		return 3
	}
	j := 0
	for i := 0; i < len(name) && j < len(q); i++ {
		if name[i] == q[j] {
			j++
		}
	}
	if j == len(q) {
		return 4
	}
	return 0
}
