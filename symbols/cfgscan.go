package symbols

import (
	"bytes"
	"sort"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// CfgContext says where a cfg predicate sits.
type CfgContext uint8

const (
	// CfgAttr is an outer attribute #[cfg(...)].
	CfgAttr CfgContext = iota + 1
	// CfgInnerAttr is an inner attribute #![cfg(...)].
	CfgInnerAttr
	// CfgAttrPred is the predicate of #[cfg_attr(PRED, ...)] (or of
	// #![cfg_attr]), or a cfg(...) among its attributes.
	CfgAttrPred
	// CfgMacro is cfg!(...).
	CfgMacro
)

func (c CfgContext) String() string {
	switch c {
	case CfgAttr:
		return "attribute"
	case CfgInnerAttr:
		return "inner attribute"
	case CfgAttrPred:
		return "cfg_attr"
	case CfgMacro:
		return "cfg!"
	}
	return "unknown"
}

// CfgRef is a CONFIG_ name in a cfg predicate.
type CfgRef struct {
	Name     string // with CONFIG_
	NameSpan Span
	// HasValue: the name is compared, `CONFIG_X = "value"`.
	HasValue  bool
	Value     string
	ValueSpan Span // the literal, quotes included
	Context   CfgContext
	// Inner is set for inner attributes (#![cfg], #![cfg_attr]).
	Inner bool
	// InTokenTree: the predicate sits where tree-sitter gives no syntax,
	// in a macro's token tree (a macro_rules! body or macro input) or in
	// code that does not parse; it was recognised by its text.
	InTokenTree bool
	// Atom is the predicate node of the name; Root the whole predicate.
	Atom, Root *CfgPred
}

// cfgSite is one cfg(...), cfg_attr(...) or cfg!(...) found in code.
type cfgSite struct {
	ctx       CfgContext
	inner     bool
	tokenTree bool
	word      Span
	root      *CfgPred   // the cfg predicate, or cfg_attr's condition
	nested    []*CfgPred // cfg predicates among cfg_attr's attributes
	gate      *CfgPred   // what gates the attribute's target, or nil

	// For attributes outside token trees: the attribute item, the node
	// holding it, and that node's parent.
	attr, container, owner *sitter.Node
	containerKind          uint16
}

// cfgCandidates finds `cfg(`, `cfg_attr(` and `cfg!(` in the text: the
// words, sorted, and whether each is the macro form.
func cfgCandidates(src []byte) (words []Span, macro []bool) {
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("cfg"))
		if j < 0 {
			return words, macro
		}
		s := i + j
		i = s + 3
		if w, ok := cfgWordAt(src, s); ok {
			words = append(words, Span{s, w.end})
			macro = append(macro, w.macro)
		}
	}
}

// cfgWord is a `cfg`/`cfg_attr` word followed by what makes it one: an
// open parenthesis (an attribute's predicate) or, for cfg, `!` and a
// macro's delimiter.
type cfgWord struct {
	end   int  // end of the word
	open  int  // offset of the open delimiter
	attr  bool // cfg_attr
	macro bool // cfg!(...)
}

// cfgWordAt reads the cfg word whose "cfg" starts at s, if it is one:
// a whole identifier (not $cfg, not cfgx) followed by `(`, or `!` and
// `(`, `[` or `{`.
func cfgWordAt(src []byte, s int) (cfgWord, bool) {
	if s > 0 && (IsIdentByte(src[s-1]) || src[s-1] == '$') {
		return cfgWord{}, false
	}
	w := cfgWord{end: s + 3}
	if bytes.HasPrefix(src[w.end:], []byte("_attr")) {
		w.end += 5
		w.attr = true
	}
	if w.end < len(src) && IsIdentByte(src[w.end]) {
		return cfgWord{}, false
	}
	k := skipSpace(src, w.end)
	switch {
	case k < len(src) && src[k] == '(':
		w.open = k
		return w, true
	case !w.attr && k < len(src) && src[k] == '!':
		k = skipSpace(src, k+1)
		if k < len(src) && (src[k] == '(' || src[k] == '[' || src[k] == '{') {
			w.open, w.macro = k, true
			return w, true
		}
	}
	return cfgWord{}, false
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

// prevNonSpace is the index of the last non-blank byte before i, or -1.
func prevNonSpace(src []byte, i int) int {
	i--
	for i >= 0 && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i--
	}
	return i
}

// attrOpener looks back from the `[` at i for `#` or `#!`; it returns the
// offset of the `#` and whether the attribute is inner.
func attrOpener(src []byte, i int) (hash int, inner, ok bool) {
	j := prevNonSpace(src, i)
	if j >= 0 && src[j] == '!' {
		inner = true
		j = prevNonSpace(src, j)
	}
	if j >= 0 && src[j] == '#' {
		return j, inner, true
	}
	return 0, false, false
}

// inCommentOrString reports whether a root-to-leaf path passes through a
// comment or a string literal.
func inCommentOrString(path []PathNode) bool {
	for _, n := range path {
		switch n.Kind {
		case K.LineComment, K.BlockComment, K.StringLiteral, K.RawStringLiteral, K.CharLiteral:
			return true
		}
	}
	return false
}

// cfgSites finds every cfg predicate in code: a text scan for the words,
// one VisitPaths pass to learn where each sits, and a text parse of each
// predicate.
func cfgSites(f *File) []cfgSite {
	if f == nil || f.tree == nil {
		return nil
	}
	src := f.Src
	words, macro := cfgCandidates(src)
	if len(words) == 0 {
		return nil
	}
	var sites []cfgSite
	f.VisitPaths(words, func(i int, path []PathNode) bool {
		w := words[i]
		n := len(path)
		leaf := path[n-1]
		if leaf.Kind != K.Identifier || leaf.Start != w.Start || leaf.End != w.End || n < 2 || inCommentOrString(path) {
			return true
		}
		parent := path[n-2]
		site := cfgSite{word: w}
		isAttr := w.End-w.Start == len("cfg_attr")
		switch {
		case macro[i] && parent.Kind == K.MacroInvocation && parent.Start == w.Start:
			site.ctx = CfgMacro
		case macro[i] && (parent.Kind == K.TokenTree || parent.Kind == K.TokenTreePattern || parent.Node.IsError()):
			site.ctx = CfgMacro
			site.tokenTree = true
		case !macro[i] && parent.Kind == K.Attribute && parent.Start == w.Start && n >= 3:
			item := path[n-3]
			switch item.Kind {
			case K.AttributeItem:
				site.ctx = CfgAttr
			case K.InnerAttributeItem:
				site.ctx, site.inner = CfgInnerAttr, true
			default:
				return true
			}
			site.attr = item.Node
			if n >= 4 {
				site.container = path[n-4].Node
				site.containerKind = path[n-4].Kind
			}
			if n >= 5 {
				site.owner = path[n-5].Node
			}
		case !macro[i] && (parent.Kind == K.TokenTree || parent.Kind == K.TokenTreePattern || parent.Node.IsError()):
			// #[cfg(...)] inside a macro's tokens: `#`, then a token tree
			// `[cfg (...)]` whose first token is the word. In code that
			// does not parse (being typed), tree-sitter puts the tokens
			// in an ERROR node instead.
			j := prevNonSpace(src, w.Start)
			if j < 0 || src[j] != '[' || j != parent.Start && !parent.Node.IsError() {
				return true
			}
			_, inner, ok := attrOpener(src, j)
			if !ok {
				return true
			}
			site.ctx, site.inner, site.tokenTree = CfgAttr, inner, true
			if inner {
				site.ctx = CfgInnerAttr
			}
		default:
			return true
		}
		if isAttr {
			if site.ctx == CfgMacro {
				return true
			}
			site.ctx = CfgAttrPred
		}
		site.parse(src)
		sites = append(sites, site)
		return true
	})
	return sites
}

// parse reads the predicate that follows the site's word.
func (s *cfgSite) parse(src []byte) {
	p := &cfgParser{l: cfgLexer{src: src, pos: s.word.End, end: len(src)}, src: src}
	if s.ctx == CfgMacro {
		p.l.next() // !
	}
	k, open, _ := p.l.next()
	if k != tokOpen {
		s.root = &CfgPred{Op: CfgOther, Span: Span{open, open}}
		return
	}
	var end int
	if s.ctx == CfgAttrPred {
		var gate *CfgPred
		s.root, s.nested, gate, end = p.cfgAttrArgs(open, 1)
		s.gate = gate
	} else {
		s.root = p.cfgArgs(open)
		end = p.l.pos
		s.gate = s.root
	}
	site := Span{s.word.Start, end}
	if s.attr != nil {
		site = Span{int(s.attr.StartByte()), int(s.attr.EndByte())}
	} else if s.ctx != CfgMacro {
		if j := prevNonSpace(src, s.word.Start); j >= 0 {
			if h, _, ok := attrOpener(src, j); ok {
				site.Start = h
			}
		}
		if k := skipSpace(src, end); k < len(src) && src[k] == ']' {
			site.End = k + 1
		}
	}
	s.root.Site = site
	if s.gate != nil {
		s.gate.Site = site
	}
}

// CfgRefs returns every CONFIG_ name in a cfg predicate of the file, in
// text order: in #[cfg], #![cfg], the predicate of #[cfg_attr] (and cfg()
// among its attributes), and cfg!(), in code and in macro token trees.
// Other options (test, doc, target_arch, MODULE) are not CONFIG refs.
func CfgRefs(f *File) []CfgRef {
	var out []CfgRef
	for _, s := range cfgSites(f) {
		add := func(root *CfgPred) {
			root.Atoms(func(a *CfgPred) {
				if !strings.HasPrefix(a.Name, "CONFIG_") {
					return
				}
				out = append(out, CfgRef{
					Name: a.Name, NameSpan: a.NameSpan,
					HasValue: a.Op == CfgNameValue, Value: a.Value, ValueSpan: a.ValueSpan,
					Context: s.ctx, Inner: s.inner, InTokenTree: s.tokenTree,
					Atom: a, Root: root,
				})
			})
		}
		add(s.root)
		for _, n := range s.nested {
			add(n)
		}
	}
	// Atoms of malformed text can repeat a name's node (`CONFIG_A = 1`
	// keeps CONFIG_A as an argument); sort and drop duplicates.
	sort.SliceStable(out, func(i, j int) bool { return out[i].NameSpan.Start < out[j].NameSpan.Start })
	w := 0
	for i, r := range out {
		if i > 0 && r.NameSpan == out[w-1].NameSpan {
			continue
		}
		out[w] = r
		w++
	}
	return out[:w]
}

// CfgPreds returns the root predicate of every cfg site in code, in text
// order, with its context: a hover asks which predicate a position is in.
func CfgPreds(f *File) []*CfgPred {
	var out []*CfgPred
	for _, s := range cfgSites(f) {
		out = append(out, s.root)
		out = append(out, s.nested...)
	}
	return out
}

// CfgRefAt returns the CONFIG_ ref whose name holds offset, its end
// included (a cursor right after the name): what a hover or a
// go-to-definition at offset is about.
func CfgRefAt(f *File, offset int) (CfgRef, bool) {
	for _, r := range CfgRefs(f) {
		if r.NameSpan.Start <= offset && offset <= r.NameSpan.End {
			return r, true
		}
		if r.NameSpan.Start > offset {
			break
		}
	}
	return CfgRef{}, false
}
