package symbols

import (
	"sort"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Gated is a piece of code under cfg attributes: an item, a statement, an
// expression, a field, a match arm, or (for #![cfg]) a whole file or the
// module or function whose body holds the inner attribute.
type Gated struct {
	Node *sitter.Node
	Kind uint16
	// Span runs from the first cfg attribute to the end of the node: the
	// code that exists only when the predicates hold, attributes included
	// (a path in #[derive(...)] is under the cfg too).
	Span Span
	// Item is the node alone.
	Item Span
	// Preds are the predicates that must all hold, in text order.
	Preds []*CfgPred
	// ContainerKind is the kind of the node holding it (source_file,
	// declaration_list, block, ...); Owner is that container's parent
	// (the mod, impl, trait or fn of a declaration list or block), or nil.
	ContainerKind uint16
	Owner         *sitter.Node
	// File is set for a file's inner #![cfg]: it gates everything.
	File bool
}

// Gates are the cfg-gated parts of one file.
type Gates struct {
	// Items are sorted by Span.Start, enclosing ones first.
	Items []*Gated
}

// GatesOf finds every part of the file that carries cfg predicates: the
// targets of #[cfg] and of #[cfg_attr(A, cfg(B))] (which gates with
// any(not(A), B)), and the file, module or function of a #![cfg]. Only
// attributes the syntax tree knows count: an attribute inside a macro's
// token tree has no target krls can name.
func GatesOf(f *File) *Gates { return gatesFrom(f, cfgSites(f)) }

// attrAt is an outer or inner attribute whose target is wanted.
type attrAt struct {
	attr          *sitter.Node
	start         int
	inner         bool
	container     *sitter.Node
	containerKind uint16
	owner         *sitter.Node
	target        *sitter.Node // found by resolveAttrTargets, or nil
	targetKind    uint16
	file          bool
}

// attrHolder says whether a node kind holds its attributes as children
// (match arms, field initializers): the holder is the target. In every
// other container an outer attribute precedes its target as a sibling.
func attrHolder(kind uint16) bool {
	return kind == K.MatchArm || kind == K.FieldInitializer || kind == K.ShorthandFieldInitializer
}

// resolveAttrTargets finds the node each attribute applies to. Siblings
// are found with one forward cursor pass per container, starting at the
// container's first attribute of interest: tree-sitter answers
// NextSibling by way of Parent, a search from the root.
func resolveAttrTargets(f *File, as []*attrAt) {
	groups := map[uintptr][]*attrAt{}
	var order []uintptr
	for _, a := range as {
		switch {
		case a.container == nil:
		case a.inner && a.containerKind == K.SourceFile:
			a.target, a.targetKind, a.file = a.container, K.SourceFile, true
		case a.inner && (a.containerKind == K.DeclarationList || a.containerKind == K.Block) && a.owner != nil:
			a.target, a.targetKind = a.owner, a.owner.KindId()
		case a.inner || attrHolder(a.containerKind):
			a.target, a.targetKind = a.container, a.containerKind
		default:
			id := a.container.Id()
			if _, ok := groups[id]; !ok {
				order = append(order, id)
			}
			groups[id] = append(groups[id], a)
		}
	}
	for _, id := range order {
		g := groups[id]
		sort.SliceStable(g, func(i, j int) bool { return g[i].start < g[j].start })
		c := g[0].container.Walk()
		if c.GotoFirstChildForByte(uint32(g[0].start)) != nil {
			next := 0
			var pending []*attrAt
			for {
				n := c.Node()
				s := int(n.StartByte())
				kind := n.KindId()
				for next < len(g) && g[next].start == s {
					pending = append(pending, g[next])
					next++
				}
				if n.IsNamed() && kind != K.AttributeItem && kind != K.InnerAttributeItem && !isCommentKind(kind) && len(pending) > 0 {
					for _, a := range pending {
						a.target, a.targetKind = n, kind
					}
					pending = pending[:0]
					if next == len(g) {
						break
					}
				}
				if !c.GotoNextSibling() {
					break
				}
			}
		}
		c.Close()
	}
}

func isCommentKind(kind uint16) bool {
	return kind == K.LineComment || kind == K.BlockComment
}

func gatesFrom(f *File, sites []cfgSite) *Gates {
	g := &Gates{}
	if f == nil || len(sites) == 0 {
		return g
	}
	var as []*attrAt
	var preds []*CfgPred
	for i := range sites {
		s := &sites[i]
		if s.attr == nil || s.gate == nil || s.tokenTree {
			continue
		}
		as = append(as, &attrAt{
			attr: s.attr, start: int(s.attr.StartByte()), inner: s.inner,
			container: s.container, containerKind: s.containerKind, owner: s.owner,
		})
		preds = append(preds, s.gate)
	}
	resolveAttrTargets(f, as)
	byNode := map[uintptr]*Gated{}
	for i, a := range as {
		if a.target == nil {
			continue
		}
		id := a.target.Id()
		x := byNode[id]
		if x == nil {
			item := Span{int(a.target.StartByte()), int(a.target.EndByte())}
			x = &Gated{Node: a.target, Kind: a.targetKind, Item: item, Span: item, File: a.file}
			if a.file {
				x.Item = Span{0, len(f.Src)}
				x.Span = x.Item
			} else if a.inner || attrHolder(a.targetKind) {
				// The attribute is inside its target.
			} else {
				x.ContainerKind = a.containerKind
				if a.containerKind == K.DeclarationList || a.containerKind == K.Block {
					x.Owner = a.owner
				}
			}
			byNode[id] = x
			g.Items = append(g.Items, x)
		}
		x.Preds = append(x.Preds, preds[i])
		if !a.inner && a.start < x.Span.Start {
			x.Span.Start = a.start
		}
	}
	sort.SliceStable(g.Items, func(i, j int) bool {
		a, b := g.Items[i], g.Items[j]
		if a.Span.Start != b.Span.Start {
			return a.Span.Start < b.Span.Start
		}
		return a.Span.End > b.Span.End
	})
	for _, x := range g.Items {
		sort.SliceStable(x.Preds, func(i, j int) bool { return x.Preds[i].Site.Start < x.Preds[j].Site.Start })
	}
	return g
}

// Enclosing returns the gated parts that contain offset, outermost first.
// A file's #![cfg] contains every offset, the end of the file included.
func (g *Gates) Enclosing(offset int) []*Gated {
	if g == nil {
		return nil
	}
	var out []*Gated
	for _, x := range g.Items {
		if x.Span.Start > offset {
			break
		}
		if x.File || offset < x.Span.End {
			out = append(out, x)
		}
	}
	return out
}

// EnclosingCfgs returns the predicates that must hold for the code at
// offset to be compiled, outermost first: the file's #![cfg], then those
// of each enclosing module, impl, function, statement or expression.
func (g *Gates) EnclosingCfgs(offset int) []*CfgPred {
	var out []*CfgPred
	for _, x := range g.Enclosing(offset) {
		out = append(out, x.Preds...)
	}
	return out
}
