package diagnostics

import (
	"bytes"
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
// whose docs have a Safety heading.
func (p *Pass) docItemsOf() []*docItem {
	if p.docItems != nil {
		return p.docItems
	}
	f := p.File
	seen := map[uintptr]bool{}
	out := []*docItem{}
	add := func(n *sitter.Node, isUnsafe bool) {
		if n == nil || seen[n.Id()] {
			return
		}
		kind := n.KindId()
		if kind != k.FunctionItem && kind != k.FunctionSignatureItem && kind != k.TraitItem {
			return
		}
		seen[n.Id()] = true
		it := &docItem{node: n, isTrait: kind == k.TraitItem, isUnsafe: isUnsafe || hasUnsafeModifier(f.Src, n)}
		it.docs, it.hidden, it.docStart, it.lastDocEnd = collectDocs(f, n)
		it.traitImplMember = isTraitImplMember(n)
		it.exported = isExported(f, n)
		out = append(out, it)
	}
	for _, n := range p.siteInfo().unsafeItems {
		add(n, true)
	}
	// Safety headings in doc comments: find the documented item.
	src := f.Src
	for off := 0; off < len(src); {
		i := indexFold(src[off:], "SAFETY")
		if i < 0 {
			break
		}
		at := off + i
		off = at + len("SAFETY")
		line := f.Lines.Line(at)
		t := trimLeft(f.Lines.Text(line))
		if !(bytes.HasPrefix(t, []byte("///")) || bytes.HasPrefix(t, []byte("/**")) || bytes.HasPrefix(t, []byte("*")) || bytes.HasPrefix(t, []byte("#[doc"))) {
			continue
		}
		n := f.NodeAt(at, at+1)
		for n != nil && !isComment(n.KindId()) && n.KindId() != k.AttributeItem {
			n = n.Parent()
			if n != nil && (n.KindId() == k.SourceFile || isItem(n.KindId())) {
				n = nil
			}
		}
		if n == nil {
			continue
		}
		for s := n.NextSibling(); s != nil; s = s.NextSibling() {
			if isComment(s.KindId()) || s.KindId() == k.AttributeItem {
				continue
			}
			add(s, false)
			break
		}
		// Skip the rest of this doc comment's lines quickly.
		if e := int(n.EndByte()); e > off {
			off = e
		}
	}
	p.docItems = out
	return out
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

// collectDocs gathers the outer doc comments and #[doc] attributes before
// n, in source order.
func collectDocs(f *symbols.File, n *sitter.Node) (d Doc, hidden bool, start, lastEnd int) {
	var frags []docFragment
	start, lastEnd = int(n.StartByte()), -1
	for s := n.PrevSibling(); s != nil; s = s.PrevSibling() {
		kind := s.KindId()
		if kind != k.LineComment && kind != k.BlockComment && kind != k.AttributeItem {
			break
		}
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
	for i, j := 0, len(frags)-1; i < j; i, j = i+1, j-1 {
		frags[i], frags[j] = frags[j], frags[i]
	}
	return parseDoc(frags), hidden, start, lastEnd
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
	return "", true // doc = some_macro!(...): content unknown
}

func isDocHidden(attr []byte) bool {
	s := strings.Join(strings.Fields(string(attr)), "")
	return strings.Contains(s, "doc(hidden)")
}

// isTraitImplMember: n is an item of `impl Trait for Type`.
func isTraitImplMember(n *sitter.Node) bool {
	p := n.Parent()
	if p == nil || p.KindId() != k.DeclarationList {
		return false
	}
	impl := p.Parent()
	return impl != nil && impl.KindId() == k.ImplItem && impl.ChildByFieldName("trait") != nil
}

// isExported approximates rustc's effective visibility from one file: the
// item (or, for a trait member, its trait) is plain `pub` and so is every
// enclosing inline module. Visibility of the file's own module and of an
// inherent impl's self type is not known here and assumed public.
func isExported(f *symbols.File, n *sitter.Node) bool {
	target := n
	if p := n.Parent(); p != nil && p.KindId() == k.DeclarationList {
		if owner := p.Parent(); owner != nil && owner.KindId() == k.TraitItem {
			target = owner
		}
	}
	if !isPub(f, target) {
		return false
	}
	for m := enclosing(target, k.ModItem); m != nil; m = enclosing(m, k.ModItem) {
		if !isPub(f, m) {
			return false
		}
	}
	return true
}

func isPub(f *symbols.File, n *sitter.Node) bool {
	v := firstChildOfKind(n, k.VisibilityModifier)
	return v != nil && string(f.Text(v)) == "pub"
}
