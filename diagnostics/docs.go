package diagnostics

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/symbols"
)

// docItem is a function or trait whose safety documentation matters: it
// is unsafe, or its docs have a `# Safety` section.
type docItem struct {
	node     *sitter.Node
	isTrait  bool
	isUnsafe bool
	docs     Doc
	// hidden: #[doc(hidden)] on the item, which makes clippy skip it.
	hidden bool
	// traitImplMember: a method of `impl Trait for T`, never checked.
	traitImplMember bool
	exported        bool
	// docStart/docEnd span the doc comments and attributes before the item.
	docStart, lastDocEnd int
}

// docItemsOf collects unsafe functions and traits, and functions and traits
// whose docs have a Safety heading, with their docs.
//
// Docs are the comments and attributes just before an item. tree-sitter
// answers "previous sibling" by scanning from the first child, which makes
// a backward walk quadratic in the size of a module; instead a cursor is
// put on the first sibling that can belong to the docs (found in the text:
// the line after the previous item's last line) and walks forward.
func (p *Pass) docItemsOf() []*docItem {
	if p.docItems != nil {
		return p.docItems
	}
	f := p.File
	seen := map[uintptr]bool{}
	out := []*docItem{}
	add := func(container *sitter.Node, from int, target uintptr, docAt int) {
		c := container.Walk()
		defer c.Close()
		if c.GotoFirstChildForByte(uint32(from)) == nil {
			return
		}
		var run []*sitter.Node
		for {
			n := c.Node()
			kind := n.KindId()
			switch {
			case isComment(kind) || kind == k.AttributeItem:
				// A comment after code on its line belongs to that code.
				if at := int(n.StartByte()); isBlank(f.Src[f.Lines.Start(f.Lines.Line(at)):at]) {
					run = append(run, n)
				}
			case n.IsNamed():
				hit := n.Id() == target
				if docAt >= 0 && len(run) > 0 && int(run[0].StartByte()) <= docAt && docAt < int(run[len(run)-1].EndByte()) {
					hit = true
				}
				if hit {
					if !seen[n.Id()] && (kind == k.FunctionItem || kind == k.FunctionSignatureItem || kind == k.TraitItem) {
						seen[n.Id()] = true
						out = append(out, p.newDocItem(n, kind, container, run))
					}
					return
				}
				if docAt >= 0 && int(n.StartByte()) > docAt {
					return
				}
				run = run[:0]
			}
			if !c.GotoNextSibling() {
				return
			}
		}
	}
	for _, r := range p.siteInfo().unsafeItems {
		add(r.container, p.docRunStart(f.Line(r.node)), r.node.Id(), -1)
	}
	// Safety headings in doc comments: find the item below them.
	lower := p.lowerSrc()
	for off := 0; off < len(lower); {
		i := bytes.Index(lower[off:], []byte("safety"))
		if i < 0 {
			break
		}
		at := off + i
		line := f.Lines.Line(at)
		off = f.Lines.End(line) + 1 // one look per line is enough
		t := trimLeft(f.Lines.Text(line))
		if !(bytes.HasPrefix(t, []byte("///")) || bytes.HasPrefix(t, []byte("/**")) || bytes.HasPrefix(t, []byte("*")) || bytes.HasPrefix(t, []byte("#[doc"))) {
			continue
		}
		path := f.PathTo(at, at+1)
		for j := len(path) - 1; j > 0; j-- {
			if kind := path[j].Kind; isComment(kind) || kind == k.AttributeItem {
				add(path[j-1].Node, p.docRunStart(line), 0, at)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].node.StartByte() < out[j].node.StartByte() })
	p.docItems = out
	return out
}

// docRunStart is where the comments and attributes before line can begin:
// after the nearest line above that ends the previous item or opens the
// container — one ending in '}', ';' or '{' that is not itself a comment
// or an attribute.
func (p *Pass) docRunStart(line int) int {
	lines := p.File.Lines
	for i := line - 1; i >= 0; i-- {
		t := trimRight(trimLeft(lines.Text(i)))
		if len(t) == 0 || t[0] == '#' || t[0] == '*' || bytes.HasPrefix(t, []byte("//")) || bytes.HasPrefix(t, []byte("/*")) {
			continue
		}
		if last := t[len(t)-1]; last == '}' || last == ';' || last == '{' {
			return lines.Start(i + 1)
		}
	}
	return 0
}

func (p *Pass) newDocItem(n *sitter.Node, kind uint16, container *sitter.Node, run []*sitter.Node) *docItem {
	f := p.File
	it := &docItem{node: n, isTrait: kind == k.TraitItem, isUnsafe: hasUnsafeModifier(f.Src, n)}
	it.docs, it.hidden, it.docStart, it.lastDocEnd = collectDocs(f, n, run)
	it.traitImplMember = container.KindId() == k.DeclarationList && isTraitImpl(container.Parent())
	it.exported = p.isExported(n)
	return it
}

func hasUnsafeModifier(src []byte, n *sitter.Node) bool {
	if n.KindId() == k.TraitItem {
		for c := n.Child(0); c != nil && c.KindId() != k.KwTrait; c = c.NextSibling() {
			if c.KindId() == k.KwUnsafe {
				return true
			}
		}
		return false
	}
	m := firstChildOfKind(n, k.FunctionModifiers)
	return m != nil && bytes.Contains(src[m.StartByte():m.EndByte()], []byte("unsafe"))
}

// collectDocs gathers the outer doc comments and #[doc] attributes of n
// from run, the comments and attributes just before it.
func collectDocs(f *symbols.File, n *sitter.Node, run []*sitter.Node) (d Doc, hidden bool, start, lastEnd int) {
	var frags []docFragment
	start, lastEnd = int(n.StartByte()), -1
	for i := len(run) - 1; i >= 0; i-- {
		s := run[i]
		kind := s.KindId()
		text := f.Text(s)
		var frag docFragment
		ok := false
		switch kind {
		case k.LineComment:
			if bytes.HasPrefix(text, []byte("///")) && !bytes.HasPrefix(text, []byte("////")) {
				frag, ok = docFragment{text: strings.TrimRight(string(text[3:]), "\r\n"), sugared: true}, true
			}
		case k.BlockComment:
			if bytes.HasPrefix(text, []byte("/**")) && !bytes.HasPrefix(text, []byte("/***")) && !bytes.Equal(text, []byte("/**/")) {
				frag, ok = docFragment{text: blockDocText(string(text)), sugared: true}, true
			}
		case k.AttributeItem:
			if v, isDoc := docAttrValue(text); isDoc {
				frag, ok = docFragment{text: v}, true
			} else if isDocHidden(text) {
				hidden = true
			}
		}
		if ok {
			frag.start = int(s.StartByte())
			frags = append(frags, frag)
			if lastEnd < 0 {
				lastEnd = int(s.EndByte())
			}
		}
		start = int(s.StartByte())
	}
	// frags were gathered backwards.
	unknown := false
	for i, j := 0, len(frags)-1; i < j; i, j = i+1, j-1 {
		frags[i], frags[j] = frags[j], frags[i]
	}
	for i := range frags {
		if frags[i].text == unknownDoc {
			unknown, frags[i].text = true, ""
		}
	}
	d = parseDoc(frags)
	d.Unknown = unknown
	return d, hidden, start, lastEnd
}

// blockDocText strips `/**`, `*/` and the leading ` * ` decoration of a
// block doc comment, as rustdoc does.
func blockDocText(s string) string {
	s = strings.TrimPrefix(s, "/**")
	s = strings.TrimSuffix(s, "*/")
	lines := strings.Split(s, "\n")
	allStar := true
	for _, l := range lines[1:] {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "*") {
			allStar = false
		}
	}
	if allStar {
		for i := 1; i < len(lines); i++ {
			t := strings.TrimLeft(lines[i], " \t")
			lines[i] = strings.TrimPrefix(t, "*")
		}
	}
	return strings.Join(lines, "\n")
}

// unknownDoc stands for doc text krls cannot read (#[doc = concat!(..)]).
const unknownDoc = "\x00unknown doc\x00"

// docAttrValue reads `#[doc = "..."]`.
func docAttrValue(attr []byte) (string, bool) {
	s := strings.TrimSpace(string(attr))
	s = strings.TrimPrefix(s, "#[")
	s = strings.TrimSuffix(s, "]")
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "doc") {
		return "", false
	}
	s = strings.TrimSpace(s[3:])
	if !strings.HasPrefix(s, "=") {
		return "", false
	}
	s = strings.TrimSpace(s[1:])
	if v, err := strconv.Unquote(s); err == nil {
		return v, true
	}
	if strings.HasPrefix(s, "r") {
		// A raw string r"..." or r#"..."#.
		t := strings.TrimLeft(s[1:], "#")
		hashes := len(s) - 1 - len(t)
		if strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`+strings.Repeat("#", hashes)) {
			return t[1 : len(t)-1-hashes], true
		}
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1], true // Rust escapes Go does not know
	}
	return unknownDoc, true // doc = some_macro!(...): content unknown
}

func isDocHidden(attr []byte) bool {
	s := strings.Join(strings.Fields(string(attr)), "")
	return strings.Contains(s, "doc(hidden)")
}

// isTraitImpl: n is `impl Trait for Type`.
func isTraitImpl(n *sitter.Node) bool {
	return n != nil && n.KindId() == k.ImplItem && n.ChildByFieldName("trait") != nil
}

// isExported approximates rustc's effective visibility from one file: the
// item (or, for a trait member, its trait) is plain `pub`, and so is every
// enclosing inline module; items inside function bodies are never
// exported, nor methods of a type this file declares private. Visibility
// of the file's own module, and of types declared elsewhere, is not known
// here and assumed public.
func (p *Pass) isExported(n *sitter.Node) bool {
	f := p.File
	target := n
	list := n.Parent()
	if list != nil && list.KindId() == k.DeclarationList {
		if owner := list.Parent(); owner != nil {
			switch owner.KindId() {
			case k.TraitItem:
				target = owner
			case k.ImplItem:
				if t := owner.ChildByFieldName("type"); t != nil {
					name := string(f.Text(t))
					if i := strings.IndexAny(name, "<"); i >= 0 {
						name = name[:i]
					}
					if pub, ok := p.typeVisibility()[strings.TrimSpace(name)]; ok && !pub {
						return false
					}
				}
			}
		}
	}
	if !isPub(f, target) {
		return false
	}
	for a := target.Parent(); a != nil; a = a.Parent() {
		switch a.KindId() {
		case k.FunctionItem:
			return false
		case k.ModItem:
			if !isPub(f, a) {
				return false
			}
		}
	}
	return true
}

// typeVisibility maps the types declared at the top of the file to
// whether they are `pub`.
func (p *Pass) typeVisibility() map[string]bool {
	if p.types != nil {
		return p.types
	}
	p.types = map[string]bool{}
	c := p.File.Root().Walk()
	defer c.Close()
	if !c.GotoFirstChild() {
		return p.types
	}
	for {
		n := c.Node()
		switch n.KindId() {
		case k.StructItem, k.EnumItem, k.UnionItem, k.TypeItem:
			if name := n.ChildByFieldName("name"); name != nil {
				p.types[string(p.File.Text(name))] = isPub(p.File, n)
			}
		}
		if !c.GotoNextSibling() {
			break
		}
	}
	return p.types
}

func isPub(f *symbols.File, n *sitter.Node) bool {
	v := firstChildOfKind(n, k.VisibilityModifier)
	return v != nil && string(f.Text(v)) == "pub"
}
