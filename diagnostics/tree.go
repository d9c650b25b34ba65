package diagnostics

import (
	"sort"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/symbols"
)

// Tree helpers shared by the rules. Each call crosses into C; callers keep
// the number of calls proportional to the places they inspect.

var k = symbols.K

func isComment(kind uint16) bool { return kind == k.LineComment || kind == k.BlockComment }

// itemKinds are the module-level items rustc's HIR has (impls included).
func isItem(kind uint16) bool {
	switch kind {
	case k.FunctionItem, k.StructItem, k.EnumItem, k.UnionItem, k.TypeItem, k.ModItem,
		k.UseDeclaration, k.ExternCrateDeclaration, k.ForeignModItem, k.ConstItem,
		k.StaticItem, k.TraitItem, k.MacroDefinition, k.ImplItem:
		return true
	}
	return false
}

// unknownBoundary stands for "clippy cannot tell": the first item of a
// module file. clippy looks for that item's comment from the `mod foo;`
// line of the parent file, fails to relate the two files, and gives the
// item the benefit of the doubt. krls does the same.
const unknownBoundary = -2

// itemBoundary is the line above which clippy stops looking for the
// SAFETY comment of item n, a child of container: the end of the previous
// item, else the start of the enclosing block or module (before the first
// line for a crate root's first item: clippy reads from the file's start),
// or unknownBoundary.
func (p *Pass) itemBoundary(n, container *sitter.Node) int {
	f := p.File
	spans := p.itemSpans(container)
	start := int(n.StartByte())
	if i := sort.Search(len(spans), func(i int) bool { return spans[i][0] >= start }); i > 0 {
		return f.Lines.Line(spans[i-1][1])
	}
	switch container.KindId() {
	case k.SourceFile:
		if p.isCrateRoot() {
			return -1
		}
		return unknownBoundary
	case k.DeclarationList, k.TokenTree:
		if owner := container.Parent(); owner != nil {
			return f.Line(owner)
		}
	}
	return f.Line(container)
}

// itemSpans lists the [start, end) of container's children that are items
// or statements (not comments, attributes or punctuation), computed once
// per container in one forward pass: tree-sitter answers "previous
// sibling" by scanning from the first child.
func (p *Pass) itemSpans(container *sitter.Node) [][2]int {
	if p.spans == nil {
		p.spans = map[uintptr][][2]int{}
	}
	if s, ok := p.spans[container.Id()]; ok {
		return s
	}
	var spans [][2]int
	c := container.Walk()
	defer c.Close()
	if c.GotoFirstChild() {
		for {
			n := c.Node()
			kind := n.KindId()
			if n.IsNamed() && !isComment(kind) && kind != k.AttributeItem && kind != k.InnerAttributeItem {
				spans = append(spans, [2]int{int(n.StartByte()), int(n.EndByte())})
			}
			if !c.GotoNextSibling() {
				break
			}
		}
	}
	p.spans[container.Id()] = spans
	return spans
}

// codeBoundary is the line above which clippy stops looking for the
// SAFETY comment of code at path[idx]: the start of the enclosing function
// (or other item). Consts and statics do not count: clippy looks above
// them, up to the previous item.
func (p *Pass) codeBoundary(path []symbols.PathNode, idx int) int {
	if p.boundaries == nil {
		p.boundaries = map[uintptr]int{}
	}
	// Remember the answer for the blocks passed on the way up: deeply
	// nested code would otherwise climb the same path again and again.
	var passed []uintptr
	res := 0
climb:
	for i := idx - 1; i >= 0; i-- {
		id := path[i].Node.Id()
		if v, ok := p.boundaries[id]; ok {
			res = v
			break
		}
		switch kind := path[i].Kind; {
		case kind == k.ConstItem || kind == k.StaticItem:
			if i > 0 && (path[i-1].Kind == k.SourceFile || path[i-1].Kind == k.DeclarationList && i > 1 && path[i-2].Kind == k.ModItem) {
				res = p.itemBoundary(path[i].Node, path[i-1].Node)
				break climb
			}
		case kind == k.SourceFile:
			res = 0
			break climb
		case isItem(kind) || kind == k.FunctionSignatureItem:
			res = p.File.Lines.Line(path[i].Start)
			break climb
		}
		passed = append(passed, id)
	}
	for _, id := range passed {
		p.boundaries[id] = res
	}
	return res
}

// firstChildOfKind returns n's first child of the kind, or nil.
func firstChildOfKind(n *sitter.Node, kind uint16) *sitter.Node {
	c := n.Walk()
	defer c.Close()
	if !c.GotoFirstChild() {
		return nil
	}
	for {
		if c.Node().KindId() == kind {
			return c.Node()
		}
		if !c.GotoNextSibling() {
			return nil
		}
	}
}

// nextCodeSibling is the next sibling of n that is not a comment.
func nextCodeSibling(n *sitter.Node) *sitter.Node {
	for s := n.NextSibling(); s != nil; s = s.NextSibling() {
		if !isComment(s.KindId()) {
			return s
		}
	}
	return nil
}
