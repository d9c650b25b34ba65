package index

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

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
	// items are the files' items, to know at the next update which
	// files changed.
	items map[string]*symbols.FileItems
	// reexports are the visible use leaves by the module that holds
	// them.
	reexports map[string][]reexport
	// associated lists the associated functions (methods included) by
	// name, built on first use (AssociatedFns).
	associated func() map[string][]int32
	// panicFns are the functions with a `# Panics` section, on first
	// use.
	panicFns func() []int32
	// invariantTypes are the names of the types whose docs have an
	// `# Invariants` section, on first use.
	invariantTypes func() map[string]bool
}

// reexport is a `pub use` leaf of a module.
type reexport struct {
	name   string // "" for a glob
	path   []string
	global bool
	module string // the module that holds the use
	crate  string
}

// newSnapshot links the entries and lists their items. With prev, the
// snapshot before an update, the items of files whose content and module
// did not change are taken from prev, already in order, and merged with
// the others': an edit re-sorts one file's items, not the tree's (7.2 has
// 30,000).
func newSnapshot(root string, entries map[string]*entry, prev *Snapshot) *Snapshot {
	mods := link(entries)
	s := &Snapshot{Root: root, Files: len(entries), modules: map[string]*FileModule{}, items: map[string]*symbols.FileItems{}}
	s.associated = s.associatedIndex()
	s.invariantTypes = sync.OnceValue(func() map[string]bool {
		m := map[string]bool{}
		for i := range s.Symbols {
			sym := &s.Symbols[i]
			switch sym.Kind {
			case symbols.ItemStruct, symbols.ItemEnum, symbols.ItemUnion:
				if strings.Contains(sym.Doc, "Invariants") && symbols.DocSection(sym.Doc, "Invariants") != "" {
					m[sym.Name] = true
				}
			}
		}
		return m
	})
	s.panicFns = sync.OnceValue(func() []int32 {
		var out []int32
		for i := range s.Symbols {
			sym := &s.Symbols[i]
			if sym.Kind == symbols.ItemFn && strings.Contains(sym.Doc, "Panics") && symbols.DocSection(sym.Doc, "Panics") != "" {
				out = append(out, int32(i))
			}
		}
		return out
	})
	var fresh []Symbol
	for rel, en := range entries {
		abs := filepath.Join(root, filepath.FromSlash(rel))
		s.files = append(s.files, abs)
		fm := mods[rel]
		if fm == nil || en.Items == nil {
			continue
		}
		s.modules[abs] = fm
		s.items[abs] = en.Items
		for i := range en.Items.Reexports {
			r := &en.Items.Reexports[i]
			mod := fm.Module
			if len(r.Rel) > 0 {
				mod += "::" + strings.Join(r.Rel, "::")
			}
			if s.reexports == nil {
				s.reexports = map[string][]reexport{}
			}
			s.reexports[mod] = append(s.reexports[mod], reexport{name: r.Name, path: r.Path, global: r.Global, module: mod, crate: fm.Crate})
		}
		if prev.unchanged(abs, en.Items, fm) {
			continue
		}
		for i := range en.Items.Items {
			it := &en.Items.Items[i]
			p := fm.Module
			if it.Exported {
				p = fm.Crate
			}
			if len(it.Rel) > 0 {
				p += "::" + strings.Join(it.Rel, "::")
			}
			fresh = append(fresh, Symbol{Path: p, File: abs, Module: fm, Item: it})
		}
	}
	slices.SortFunc(fresh, compareSymbols)
	var kept []Symbol
	if prev != nil {
		// The files kept, with their module in this snapshot.
		keep := make(map[string]*FileModule, len(s.modules))
		for abs, fm := range s.modules {
			if prev.unchanged(abs, s.items[abs], fm) {
				keep[abs] = fm
			}
		}
		kept = make([]Symbol, 0, len(prev.Symbols))
		for _, sym := range prev.Symbols {
			if fm := keep[sym.File]; fm != nil {
				sym.Module = fm
				kept = append(kept, sym)
			}
		}
	}
	s.Symbols = mergeSymbols(kept, fresh)
	return s
}

// unchanged: the file at abs had these items and this module in s.
func (s *Snapshot) unchanged(abs string, items *symbols.FileItems, fm *FileModule) bool {
	if s == nil || s.items[abs] != items {
		return false
	}
	old := s.modules[abs]
	return old != nil && old.Crate == fm.Crate && old.Module == fm.Module && old.Root == fm.Root && slices.Equal(old.Cfgs, fm.Cfgs)
}

// compareSymbols orders symbols by path, then file and offset.
func compareSymbols(a, b Symbol) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	if c := strings.Compare(a.File, b.File); c != 0 {
		return c
	}
	return a.Span.Start - b.Span.Start
}

// mergeSymbols merges two sorted lists.
func mergeSymbols(a, b []Symbol) []Symbol {
	if len(a) == 0 {
		return b
	}
	out := make([]Symbol, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if compareSymbols(b[0], a[0]) < 0 {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
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
	path = strings.TrimPrefix(path, "::")
	var out []*Symbol
	i := sort.Search(len(s.Symbols), func(i int) bool { return s.Symbols[i].Path >= path })
	for ; i < len(s.Symbols) && s.Symbols[i].Path == path; i++ {
		out = append(out, &s.Symbols[i])
	}
	return out
}

// AssociatedFns returns the functions of impls and traits named name:
// what a method call `x.name()` may call when x's type is not known.
func (s *Snapshot) AssociatedFns(name string) []*Symbol {
	if s == nil || s.associated == nil {
		return nil
	}
	var out []*Symbol
	for _, i := range s.associated()[name] {
		out = append(out, &s.Symbols[i])
	}
	return out
}

// associatedIndex builds AssociatedFns's table of s, once.
func (s *Snapshot) associatedIndex() func() map[string][]int32 {
	return sync.OnceValue(func() map[string][]int32 {
		m := map[string][]int32{}
		for i := range s.Symbols {
			sym := &s.Symbols[i]
			// In an impl or trait: the segment before the name is a
			// type's (CamelCase), not an inline mod's.
			if sym.Kind == symbols.ItemFn && len(sym.Rel) >= 2 && isUpper(sym.Rel[len(sym.Rel)-2]) {
				m[sym.Name] = append(m[sym.Name], int32(i))
			}
		}
		return m
	})
}

// HasInvariantType reports whether a struct, enum or union named name
// has an `# Invariants` section in its docs: a construction of any other
// name needs no path resolved.
func (s *Snapshot) HasInvariantType(name string) bool {
	if s == nil || s.invariantTypes == nil {
		return false
	}
	return s.invariantTypes()[name]
}

// PanicFns are the functions whose docs have a `# Panics` section.
func (s *Snapshot) PanicFns() []*Symbol {
	if s == nil || s.panicFns == nil {
		return nil
	}
	var out []*Symbol
	for _, i := range s.panicFns() {
		out = append(out, &s.Symbols[i])
	}
	return out
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// maxReexportHops bounds the re-exports Resolve follows for one path
// (a cycle of `pub use`s, or globs re-exporting each other).
const maxReexportHops = 4

// Resolve returns the symbols a path names, following `pub use`
// re-exports of the modules on the way: `kernel::sync::Arc::from_raw`
// is `kernel::sync::arc::Arc::from_raw` through sync.rs's `pub use
// arc::{Arc, ...}`. It returns the path it found them at, or nil.
func (s *Snapshot) Resolve(path string) ([]*Symbol, string) {
	if s == nil {
		return nil, ""
	}
	return s.resolve(strings.TrimPrefix(path, "::"), maxReexportHops)
}

func (s *Snapshot) resolve(path string, hops int) ([]*Symbol, string) {
	if syms := s.Lookup(path); len(syms) > 0 {
		return syms, path
	}
	if hops == 0 || len(s.reexports) == 0 {
		return nil, ""
	}
	segs := strings.Split(path, "::")
	// The longest module prefix first: `a::b::C::f` asks a::b::C, then
	// a::b (for C), then a (for b).
	for i := len(segs) - 1; i >= 1; i-- {
		rs := s.reexports[strings.Join(segs[:i], "::")]
		for k := range rs {
			r := &rs[k]
			var rest []string
			switch {
			case r.name == segs[i]:
				rest = segs[i+1:]
			case r.name == "":
				rest = segs[i:]
			default:
				continue
			}
			for _, target := range r.targets() {
				next := target
				if len(rest) > 0 {
					next += "::" + strings.Join(rest, "::")
				}
				if next == path {
					continue
				}
				if syms, at := s.resolve(next, hops-1); len(syms) > 0 {
					return syms, at
				}
			}
		}
	}
	return nil, ""
}

// targets are the full paths a re-export's path may mean: crate::,
// self:: and super:: resolved against its module; a path starting with
// another name is either relative to its module (a child module or an
// item: `pub use arc::Arc;`) or a crate (`pub use bindings;`).
func (r *reexport) targets() []string {
	p := r.path
	if len(p) == 0 {
		return nil
	}
	if r.global {
		return []string{strings.Join(p, "::")}
	}
	mod := strings.Split(r.module, "::")
	switch p[0] {
	case "crate":
		return []string{strings.Join(append([]string{r.crate}, p[1:]...), "::")}
	case "self":
		return []string{strings.Join(append(mod, p[1:]...), "::")}
	case "super":
		i := 0
		for i < len(p) && p[i] == "super" {
			if len(mod) <= 1 {
				return nil
			}
			mod = mod[:len(mod)-1]
			i++
		}
		return []string{strings.Join(append(mod, p[i:]...), "::")}
	}
	return []string{r.module + "::" + strings.Join(p, "::"), strings.Join(p, "::")}
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
