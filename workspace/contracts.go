package workspace

import (
	"strings"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/index"
)

// indexContracts answer the undocumented-unsafe fix's questions about
// callees from index snapshots: the document's tree, then the kernel's
// srctree when the document belongs to another tree (an out-of-tree
// module calling kernel:: functions).
type indexContracts struct {
	snaps  []*index.Snapshot
	module string
}

func (c *indexContracts) Module() string { return c.module }

func (c *indexContracts) Contract(path string) (diagnostics.Contract, bool) {
	for _, s := range c.snaps {
		syms, at := s.Resolve(path)
		var best *index.Symbol
		for _, sym := range syms {
			if sym.Kind != symbols.ItemFn {
				continue
			}
			// cfg'd alternatives: prefer the unsafe one with a contract.
			if best == nil || rank(sym) > rank(best) {
				best = sym
			}
		}
		if best == nil {
			continue
		}
		c := diagnostics.Contract{Path: at, File: best.File, Unsafe: best.Unsafe || best.Foreign, Foreign: best.Foreign, Safety: best.Safety,
			Panics: symbols.DocSection(best.Doc, "Panics")}
		if c.Unsafe && c.Safety == "" && best.Trait != "" {
			// A method of a trait impl: the contract is on the trait's
			// declaration of it.
			if t := traitMethod(s, best); t != nil {
				c.Path, c.File, c.Safety = t.Path, t.File, t.Safety
			}
		}
		return c, true
	}
	return diagnostics.Contract{}, false
}

// traitMethod finds the trait's declaration of a trait impl's method, the
// trait named as the impl writes it: relative to the impl's module, or a
// full path.
func traitMethod(s *index.Snapshot, m *index.Symbol) *index.Symbol {
	trait := m.Trait
	if rest, ok := strings.CutPrefix(trait, "crate::"); ok {
		trait = m.Module.Crate + "::" + rest
	}
	for _, p := range []string{m.Module.Module + "::" + trait + "::" + m.Name, m.Module.Crate + "::" + trait + "::" + m.Name, trait + "::" + m.Name} {
		syms, _ := s.Resolve(p)
		for _, t := range syms {
			if t.Kind == symbols.ItemFn && t.Safety != "" {
				return t
			}
		}
	}
	return nil
}

func rank(s *index.Symbol) int {
	r := 0
	if s.Unsafe || s.Foreign {
		r += 2
	}
	if s.Safety != "" {
		r++
	}
	return r
}

// contractsFor builds the callee resolver of a document from snaps, the
// snapshots of its tree and of the kernel srctree it builds against; it
// never waits for an index. Nil when neither is indexed (the fix then
// quotes only the document's own functions).
func (s *Session) contractsFor(d *Document, snaps indexSnaps) diagnostics.Contracts {
	if s.Index == nil || d.Path == "" {
		return nil
	}
	c := &indexContracts{}
	if snaps.tree != nil {
		c.snaps = append(c.snaps, snaps.tree)
		if fm, ok := snaps.tree.ModuleOf(d.Path); ok {
			c.module = fm.Module
		}
	}
	if snaps.kernel != nil {
		c.snaps = append(c.snaps, snaps.kernel)
	}
	if len(c.snaps) == 0 {
		return nil
	}
	return c
}

// Invariants returns the `# Invariants` section of the struct, enum or
// union a full path names (diagnostics.TypeDocs).
func (c *indexContracts) Invariants(path string) (string, bool) {
	name := path[strings.LastIndex(path, ":")+1:]
	for _, s := range c.snaps {
		if !s.HasInvariantType(name) {
			continue // (a re-export renaming the type with `as` is not followed)
		}
		syms, _ := s.Resolve(path)
		for _, sym := range syms {
			if sym.Kind != symbols.ItemStruct && sym.Kind != symbols.ItemEnum && sym.Kind != symbols.ItemUnion {
				continue
			}
			if inv := symbols.DocSection(sym.Doc, "Invariants"); inv != "" {
				return inv, true
			}
		}
	}
	return "", false
}

// AssociatedPanics lists the `# Panics` sections of the associated
// functions named name of the kernel crate and the file's crate, "" for
// those without (diagnostics.PanicDocs). Other crates of the tree (syn,
// zerocopy) are not what the file's method calls call.
func (c *indexContracts) AssociatedPanics(name string) []string {
	var out []string
	for _, s := range c.snaps {
		for _, sym := range s.AssociatedFns(name) {
			if c.calls(sym) {
				out = append(out, symbols.DocSection(sym.Doc, "Panics"))
			}
		}
	}
	return out
}

// PanicNames are the names of the functions of the kernel crate and the
// file's crate whose docs have a `# Panics` section
// (diagnostics.PanicDocs).
func (c *indexContracts) PanicNames() []string {
	var out []string
	for _, s := range c.snaps {
		for _, sym := range s.PanicFns() {
			if c.calls(sym) {
				out = append(out, sym.Name)
			}
		}
	}
	return out
}

// calls reports whether the file may call sym by a method name: sym is
// the kernel crate's or the file's crate's.
func (c *indexContracts) calls(sym *index.Symbol) bool {
	crate := sym.Module.Crate
	return crate == "kernel" || c.module != "" && (c.module == crate || strings.HasPrefix(c.module, crate+"::"))
}

// HasInvariantType reports whether a struct, enum or union of the index
// named name has an `# Invariants` section.
func (c *indexContracts) HasInvariantType(name string) bool {
	for _, s := range c.snaps {
		if s.HasInvariantType(name) {
			return true
		}
	}
	return false
}
