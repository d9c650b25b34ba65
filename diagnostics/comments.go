package diagnostics

import (
	"bytes"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/symbols"
)

// A safetyComment is a place in the text that clippy's line scan can take
// for a SAFETY comment, and the first line of code it can stand for.
type safetyComment struct {
	at       int // offset of "SAFETY:"
	line     int // the line holding "SAFETY:"
	codeLine int // the first line below that the comment can document
	// blockEnd is the last line of a block comment holding "SAFETY:"
	// (-1 for line comments).
	blockEnd int
}

// safetyComments lists every SAFETY comment and the line it documents.
// Several "SAFETY:" texts can document the same line (a long comment run);
// only the first is kept for each line.
func (p *Pass) safetyComments() []*safetyComment {
	if p.comments != nil {
		return p.comments
	}
	p.comments = p.labelComments("SAFETY:")
	return p.comments
}

// labelComments lists the comments of a justification label ("SAFETY:",
// "CAST:", any case) and the line each documents.
func (p *Pass) labelComments(label string) []*safetyComment {
	f := p.File
	lines := f.Lines
	seen := map[int]bool{}
	out := []*safetyComment{}
	lower := p.lowerSrc()
	needle := bytes.ToLower([]byte(label))
	for off := 0; off < len(lower); {
		i := bytes.Index(lower[off:], needle)
		if i < 0 {
			break
		}
		at := off + i
		off = at + len(needle)
		if label != "SAFETY:" && off < len(lower) && lower[off] == ':' {
			// `core::panic::Location` names a path. (A SAFETY label is
			// matched as clippy matches it, as a plain substring.)
			continue
		}
		line := lines.Line(at)
		text := trimLeft(lines.Text(line))
		codeLine, blockEnd := -1, -1
		switch {
		case bytes.HasPrefix(text, []byte("//")):
			// A member of a `//` run: the code is below the run, and the
			// rest of the run documents the same code.
			codeLine = nextCodeLine(p, line, true)
			if codeLine > line {
				off = max(off, lines.Start(codeLine))
			}
		default:
			m := firstCommentMarker(text)
			if m >= 0 && lineTextOffset(lines, line, trimLeft(text[m+2:])) == at {
				codeLine = nextCodeLine(p, line, false)
				break
			}
			// Inside a block comment that starts its own line.
			n := f.NodeAt(at, at+1)
			if n == nil || n.KindId() != k.BlockComment {
				if n != nil && n.Parent() != nil && n.Parent().KindId() == k.BlockComment {
					n = n.Parent()
				} else {
					continue
				}
			}
			startLine := lines.Line(int(n.StartByte()))
			if !bytes.HasPrefix(trimLeft(lines.Text(startLine)), []byte("/*")) {
				continue
			}
			blockEnd = lines.Line(int(n.EndByte()))
			codeLine = nextCodeLine(p, blockEnd, false)
		}
		if codeLine < 0 || seen[codeLine] {
			continue
		}
		seen[codeLine] = true
		out = append(out, &safetyComment{at: at, line: line, codeLine: codeLine, blockEnd: blockEnd})
	}
	return out
}

// nextCodeLine is the first line after line that is not blank, not a
// single-line attribute and, when inRun, not a `//` comment; -1 if none.
func nextCodeLine(p *Pass, line int, inRun bool) int {
	lines := p.File.Lines
	for i := line + 1; i < lines.Count(); i++ {
		t := trimLeft(lines.Text(i))
		if len(trimRight(t)) == 0 || isAttributeLine(t) {
			continue
		}
		if inRun && bytes.HasPrefix(t, []byte("//")) {
			continue
		}
		return i
	}
	return -1
}

// A candidate is code a SAFETY comment may be attached to, as clippy's
// check_stmt, check_block (tail expressions) and check_item see them.
type candidate struct {
	node     *sitter.Node
	what     string // "statement", "expression", or an item's description
	boundary int
	// needsUnsafe: the comment is unnecessary unless an unsafe block is
	// part of this code (statements, tail expressions, consts and
	// statics); items other than those never need one.
	needsUnsafe bool
	exactUnsafe bool // a const/static whose value is exactly an unsafe block
}

// candidatesOn finds the statements, tail expressions and items starting
// on line: the children, starting on the line, of the innermost block,
// module or file on the path to the line's first token that starts above
// the line (clippy looks only below a container's first line). When the
// line starts by closing that container (`} fn f() {}`), the next one out
// is looked at too. path leads to the line's first token.
func (p *Pass) candidatesOn(line int, path []symbols.PathNode) []candidate {
	f := p.File
	start, end := f.Lines.Start(line), f.Lines.End(line)
	closing := path[len(path)-1].Kind == k.KwRBrace
	var out []candidate
	for i := len(path) - 1; i >= 0; i-- {
		pn := path[i]
		var where container
		switch {
		case pn.Kind == k.Block:
			where = inBlock
		case pn.Kind == k.SourceFile:
			where = inModule
		case pn.Kind == k.DeclarationList && i > 0 && path[i-1].Kind == k.ModItem:
			where = inModule
		default:
			continue
		}
		if pn.Kind != k.SourceFile && f.Lines.Line(pn.Start) >= line {
			continue
		}
		c := pn.Node.Walk()
		if c.GotoFirstChildForByte(uint32(start)) != nil {
			for {
				n := c.Node()
				s := int(n.StartByte())
				if s >= end {
					break
				}
				if s >= start {
					if cand, ok := p.asCandidate(n, pn, where); ok {
						out = append(out, cand)
					}
				}
				if !c.GotoNextSibling() {
					break
				}
			}
		}
		c.Close()
		if !closing {
			break
		}
		closing = false
	}
	return out
}

type container int

const (
	inBlock container = iota
	inModule
)

func (p *Pass) asCandidate(n *sitter.Node, parent symbols.PathNode, where container) (candidate, bool) {
	f := p.File
	kind := n.KindId()
	blockLine := f.Lines.Line(parent.Start)
	switch {
	case kind == k.LetDeclaration && where == inBlock:
		if n.ChildByFieldName("value") == nil {
			return candidate{}, false // `let x;` is not checked
		}
		return candidate{node: n, what: "statement", boundary: blockLine, needsUnsafe: true}, true
	case kind == k.ExpressionStatement && where == inBlock:
		e := n.NamedChild(0)
		if e == nil || e.KindId() == k.MacroInvocation {
			// A macro call statement: its span is the expansion's, which
			// clippy does not scan.
			return candidate{}, false
		}
		what := "statement"
		if isTail(n) {
			what = "expression"
			if desugared(e.KindId()) {
				return candidate{}, false
			}
		}
		return candidate{node: n, what: what, boundary: blockLine, needsUnsafe: true}, true
	case where == inBlock && k.Expression[kind] && isTail(n):
		if kind == k.MacroInvocation || desugared(kind) {
			return candidate{}, false
		}
		return candidate{node: n, what: "expression", boundary: blockLine, needsUnsafe: true}, true
	case isItem(kind):
		if kind == k.ImplItem {
			// Unsafe impls take their comment; inherent impls are never
			// reported; safe trait impls are, but for pin-init's
			// #[pinned_drop], which makes its impl an unsafe one.
			if bytes.HasPrefix(f.Text(n), []byte("unsafe")) || n.ChildByFieldName("trait") == nil || hasAttribute(f, n, "pinned_drop") {
				return candidate{}, false
			}
		}
		c := candidate{node: n, what: itemDescr(kind), boundary: blockLine}
		if where == inModule {
			c.boundary = p.itemBoundary(n, parent.Node)
			if c.boundary == unknownBoundary {
				return candidate{}, false
			}
		}
		if kind == k.ConstItem || kind == k.StaticItem {
			// rustc drops parentheses: `(unsafe { .. })` is exactly one.
			v := n.ChildByFieldName("value")
			for v != nil && v.KindId() == k.ParenthesizedExpression {
				v = v.NamedChild(0)
			}
			if v != nil && v.KindId() == k.UnsafeBlock {
				c.exactUnsafe = true
			}
		}
		return c, true
	}
	return candidate{}, false
}

// desugared: rustc lowers a tail expression of this kind (`for`, `a..b`)
// into code whose span is the desugaring's, not the source's, and clippy
// finds no comment above it. (`x?` keeps the source's span: reported.)
func desugared(kind uint16) bool {
	return kind == k.ForExpression || kind == k.RangeExpression
}

// hasAttribute: one of the outer attributes right above item n is
// `#[name]` or `#[name(...)]`, with or without a path.
func hasAttribute(f *symbols.File, n *sitter.Node, name string) bool {
	for a := n.PrevNamedSibling(); a != nil && a.KindId() == k.AttributeItem; a = a.PrevNamedSibling() {
		t := bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimPrefix(f.Text(a), []byte("#[")), []byte("]")))
		if i := bytes.IndexByte(t, '('); i >= 0 {
			t = t[:i]
		}
		if i := bytes.LastIndex(t, []byte("::")); i >= 0 {
			t = t[i+2:]
		}
		if string(bytes.TrimSpace(t)) == name {
			return true
		}
	}
	return false
}

// isTail: n is the last statement or expression of its block and has no
// terminating semicolon, so rustc makes it the block's value.
func isTail(n *sitter.Node) bool {
	s := nextCodeSibling(n)
	if s == nil || s.KindId() != k.KwRBrace {
		return false
	}
	if n.KindId() == k.ExpressionStatement {
		last := n.Child(n.ChildCount() - 1)
		return last != nil && last.KindId() != k.KwSemi
	}
	return true
}

// itemDescr is rustc's description of an item kind, as clippy prints it.
func itemDescr(kind uint16) string {
	switch kind {
	case k.FunctionItem:
		return "function"
	case k.StructItem:
		return "struct"
	case k.EnumItem:
		return "enum"
	case k.UnionItem:
		return "union"
	case k.TypeItem:
		return "type alias"
	case k.ModItem:
		return "module"
	case k.UseDeclaration:
		return "import"
	case k.ExternCrateDeclaration:
		return "extern crate"
	case k.ForeignModItem:
		return "foreign module"
	case k.ConstItem:
		return "constant"
	case k.StaticItem:
		return "static"
	case k.TraitItem:
		return "trait"
	case k.MacroDefinition:
		return "macro"
	case k.ImplItem:
		return "impl"
	}
	return "item"
}
