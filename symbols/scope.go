package symbols

import (
	"bytes"
	"strings"
)

// What is in scope at a place of a file, for resolving the paths code
// there writes: the use declarations of the file (anywhere: module level,
// inline mods, function bodies) and the items around the place (inline
// mods, the impl or trait, the function). Both are read with one cursor
// pass over candidate places found in the text.

// UseImport is one leaf of a use declaration: a name brought into scope.
type UseImport struct {
	// Path is the leaf's path as written, group prefixes included and
	// unresolved (`crate::sync::Arc`, `super::x`, `kernel::bindings`); a
	// `self` leaf ends at its group's prefix; a glob's is its module.
	Path []string
	// Name is the name in scope: the alias, else the last segment; ""
	// for a glob or `as _`.
	Name string
	Glob bool
	// Global: the path starts with `::`.
	Global bool
	// Scope is the block or module body that holds the use: the name is
	// visible there. Module is the innermost module around the use (an
	// inline mod item, or the whole file): names do not cross into inner
	// modules.
	Scope, Module Span
}

// UseImports lists the leaves of every use declaration of a file, in
// text order. Uses inside macro_rules! bodies are not code and are left
// out.
func UseImports(f *File) []UseImport {
	if f == nil || f.tree == nil {
		return nil
	}
	src := f.Src
	var cands []Span
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("use"))
		if j < 0 {
			break
		}
		s := i + j
		e := s + 3
		i = e
		if s > 0 && IsIdentByte(src[s-1]) || e >= len(src) || IsIdentByte(src[e]) {
			continue
		}
		cands = append(cands, Span{s, e})
	}
	var out []UseImport
	whole := Span{0, len(src)}
	f.VisitPaths(cands, func(i int, path []PathNode) bool {
		n := len(path)
		if n < 3 || path[n-1].Start != cands[i].Start || path[n-2].Kind != K.UseDeclaration {
			return true
		}
		decl, container := path[n-2], path[n-3]
		module := whole
		for _, p := range path[:n-2] {
			if p.Kind == K.ModItem {
				module = Span{p.Start, p.End}
			}
		}
		for _, leaf := range parseUseTree(src, cands[i].End, decl.End) {
			if len(leaf.Segs) == 0 || leaf.Alias == "_" {
				continue
			}
			path, name := leaf.names()
			u := UseImport{Path: path, Name: name, Glob: leaf.Glob, Global: leaf.Global, Scope: Span{container.Start, container.End}, Module: module}
			out = append(out, u)
		}
		return true
	})
	return out
}

// Enclosing is what surrounds a place in a file.
type Enclosing struct {
	// Mods are the names of the inline mods around it, outermost first;
	// Module is the innermost one's span (the whole file outside them).
	Mods   []string
	Module Span
	// SelfType is the self type of the innermost impl around it, as
	// written (`Arc<T>`), or the name of the trait whose default method
	// holds it; Trait the trait the impl implements ("" for an inherent
	// impl). InTrait says SelfType names a trait.
	SelfType, Trait string
	InTrait         bool
	// Fn is the innermost function item around it, or {-1, -1}.
	Fn Span
}

// EnclosingAt says what surrounds byte offset off.
func EnclosingAt(f *File, off int) Enclosing {
	return EnclosingAll(f, []int{off})[0]
}

// EnclosingAll says what surrounds each of offs (sorted), with one
// cursor pass.
func EnclosingAll(f *File, offs []int) []Enclosing {
	out := make([]Enclosing, len(offs))
	for i := range out {
		out[i].Fn = Span{-1, -1}
	}
	if f == nil || f.tree == nil {
		return out
	}
	targets := make([]Span, len(offs))
	for i, o := range offs {
		targets[i] = Span{o, o}
	}
	f.VisitPaths(targets, func(i int, path []PathNode) bool {
		out[i] = enclosing(f, path)
		return true
	})
	return out
}

func enclosing(f *File, path []PathNode) Enclosing {
	e := Enclosing{Module: Span{0, len(f.Src)}, Fn: Span{-1, -1}}
	for _, p := range path {
		switch p.Kind {
		case K.ModItem:
			if nn := p.Node.ChildByFieldId(fieldName); nn != nil {
				e.Mods = append(e.Mods, string(f.Src[nn.StartByte():nn.EndByte()]))
				e.Module = Span{p.Start, p.End}
			}
		case K.ImplItem:
			e.SelfType, e.Trait, e.InTrait = "", "", false
			if tn := p.Node.ChildByFieldId(fieldType); tn != nil {
				e.SelfType = strings.TrimSpace(string(f.Src[tn.StartByte():tn.EndByte()]))
			}
			if trn := p.Node.ChildByFieldId(fieldTrait); trn != nil {
				e.Trait = stripGenerics(string(f.Src[trn.StartByte():trn.EndByte()]))
			}
		case K.TraitItem:
			e.SelfType, e.Trait, e.InTrait = "", "", true
			if nn := p.Node.ChildByFieldId(fieldName); nn != nil {
				e.SelfType = string(f.Src[nn.StartByte():nn.EndByte()])
			}
		case K.FunctionItem:
			e.Fn = Span{p.Start, p.End}
		}
	}
	return e
}
