package symbols

import (
	"bytes"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// The items of a Rust file, for the index: every item a path can name
// (module-level items, the items of inline modules, associated items of
// impls and traits, the items of extern blocks, macro_rules! macros),
// with paths relative to the file's module. Where the file's module sits
// in its crate is decided later, from the `mod` declarations of every
// file (see the index package), so one file's extraction never depends on
// another file.
//
// One tree cursor walks the containers (the file, inline mod bodies,
// impl, trait and extern bodies); it never enters function bodies, whose
// items no path reaches. Attributes and doc comments are the siblings
// before an item; what is read from them (cfg, path, doc, macro_export)
// comes from their text.

// ItemKind is what an item is.
type ItemKind uint8

// The kinds of items.
const (
	ItemFn ItemKind = iota + 1
	ItemStruct
	ItemEnum
	ItemUnion
	ItemTrait
	ItemType
	ItemConst
	ItemStatic
	ItemMod
	ItemImpl
	ItemMacro
)

var itemKindNames = [...]string{"", "fn", "struct", "enum", "union", "trait", "type", "const", "static", "mod", "impl", "macro"}

func (k ItemKind) String() string {
	if int(k) < len(itemKindNames) {
		return itemKindNames[k]
	}
	return "item"
}

// Item is one item of a file.
type Item struct {
	Kind ItemKind
	// Name is the item's name; for an impl, its self type as written
	// without generic arguments (`Arc`, `Box<T>` → `Box`).
	Name string
	// Rel is the item's path relative to the file's module: enclosing
	// inline mods, the self type (or trait) for associated items, the
	// name. An impl has no path of its own: Rel is that of its self type.
	Rel []string
	// Span is the item without its attributes and doc comments; NameSpan
	// its name (the self type for an impl).
	Span, NameSpan Span
	// Parent is the index of the enclosing impl, trait or inline mod in
	// the file's Items, or -1.
	Parent int
	// Vis is the visibility as written (`pub`, `pub(crate)`), "" for
	// private (and for trait items, public as their trait).
	Vis string
	// Unsafe: an unsafe fn, trait or impl.
	Unsafe bool
	// Foreign items are declared in an extern block (bindings).
	Foreign bool
	// Exported macros (#[macro_export]) live at the crate root.
	Exported bool
	// Doc is the doc comment's text (/// and /** */ lines and
	// #[doc = "..."]), markers and one leading space removed.
	Doc string
	// Safety is the text of the doc's `# Safety` section, "" if none.
	Safety string
	// Cfgs are the cfg predicates written on the item, as text
	// (`CONFIG_NET`, `not(CONFIG_X)`); EnclosingCfgs, those of the
	// enclosing inline mods, impls and traits, outermost first (the
	// file's and its module's own are in FileItems.Cfgs).
	Cfgs, EnclosingCfgs []string
	// Trait is the trait an impl implements (`Drop`, `kernel::Module`),
	// as written without generic arguments; items of a trait impl carry
	// it too. SelfType is an impl's self type as written.
	Trait, SelfType string
}

// ModDecl is a `mod name;` declaration: a module whose items live in
// another file.
type ModDecl struct {
	Name string
	// Rel are the enclosing inline mods; Dirs their folder names (their
	// #[path] when they have one, else their names).
	Rel, Dirs []string
	// PathAttr is the #[path = "..."] value, "" if none.
	PathAttr string
	Span     Span
	Cfgs     []string
}

// Reexport is one leaf of a visible (`pub`, `pub(crate)`, ...) `use`
// declaration at module level or in an inline mod: a name the module
// re-exports, which paths through the module may name
// (`kernel::sync::Arc` is `kernel::sync::arc::Arc` through `pub use
// arc::Arc;` in sync.rs).
type Reexport struct {
	// Rel are the enclosing inline mods.
	Rel []string
	// Path is the leaf's path as written, group prefixes included and
	// unresolved (`crate::types::ARef`, `super::x`, `arc::Arc`); a
	// `self` leaf ends at its group's prefix; a glob's is its module.
	Path []string
	// Name is the name it is re-exported as (its alias, else its last
	// segment); "" for a glob.
	Name string
	Glob bool
	// Global: the path starts with `::`.
	Global bool
	Vis    string
	// Cfgs are the predicates of the use and of its enclosing inline
	// mods.
	Cfgs []string
}

// FileItems is what a file declares.
type FileItems struct {
	Items []Item
	Mods  []ModDecl
	// Reexports are the leaves of the file's visible use declarations.
	Reexports []Reexport
	// Cfgs are the file's inner #![cfg] predicates.
	Cfgs []string
	// Doc is the file's inner doc (//! lines).
	Doc string
}

// itemKinds maps node kinds to item kinds.
var itemKinds = map[uint16]ItemKind{}

func init() {
	for k, v := range map[string]ItemKind{
		"function_item": ItemFn, "function_signature_item": ItemFn, "struct_item": ItemStruct,
		"enum_item": ItemEnum, "union_item": ItemUnion, "trait_item": ItemTrait, "type_item": ItemType,
		"associated_type": ItemType, "const_item": ItemConst, "static_item": ItemStatic, "mod_item": ItemMod,
		"impl_item": ItemImpl, "macro_definition": ItemMacro,
	} {
		itemKinds[language.IdForNodeKind(k, true)] = v
	}
}

var (
	fieldName  = language.FieldIdForName("name")
	fieldType  = language.FieldIdForName("type")
	fieldTrait = language.FieldIdForName("trait")
)

// Items extracts the items of a parsed file.
func Items(f *File) *FileItems {
	x := &itemExtractor{f: f, out: &FileItems{}}
	c := f.tree.Walk()
	defer c.Close()
	x.container(c, nil, nil, nil, -1, "", "", false)
	return x.out
}

type itemExtractor struct {
	f   *File
	out *FileItems
}

// pendingAttrs are the attributes and doc comments above an item.
type pendingAttrs struct {
	doc      []string
	cfgs     []string
	pathAttr string
	export   bool
}

func (p *pendingAttrs) reset() { *p = pendingAttrs{} }

// container walks the children of the node under the cursor. rel and
// dirs are the enclosing inline mods; cfgs the predicates of enclosing
// containers; parent the enclosing item; self and trait the impl or trait
// that holds associated items ("" at module level).
func (x *itemExtractor) container(c *sitter.TreeCursor, rel, dirs, cfgs []string, parent int, self, trait string, foreign bool) {
	if !c.GotoFirstChild() {
		return
	}
	defer c.GotoParent()
	src := x.f.Src
	var attrs pendingAttrs
	for ok := true; ok; ok = c.GotoNextSibling() {
		n := c.Node()
		kind := n.KindId()
		start, end := int(n.StartByte()), int(n.EndByte())
		switch kind {
		case K.LineComment, K.BlockComment:
			if d, ok := docText(src[start:end], false); ok {
				attrs.doc = append(attrs.doc, d)
			} else if d, ok := docText(src[start:end], true); ok && parent < 0 && len(rel) == 0 {
				x.out.Doc = joinDoc(x.out.Doc, d)
			}
			continue
		case K.AttributeItem:
			x.attribute(src[start:end], &attrs)
			continue
		case K.InnerAttributeItem:
			if p, ok := cfgOfAttr(src[start:end]); ok {
				if parent < 0 && len(rel) == 0 && self == "" {
					x.out.Cfgs = append(x.out.Cfgs, p)
				} else if parent >= 0 {
					x.out.Items[parent].Cfgs = append(x.out.Items[parent].Cfgs, p)
				}
			}
			continue
		case K.UseDeclaration:
			x.useDecl(start, end, rel, appendCfgs(cfgs, attrs.cfgs))
			attrs.reset()
			continue
		case K.ForeignModItem:
			// extern "C" { ... }: its items are the module's.
			if x.gotoChildKind(c, K.DeclarationList) {
				x.container(c, rel, dirs, appendCfgs(cfgs, attrs.cfgs), parent, self, trait, true)
				c.GotoParent()
			}
			attrs.reset()
			continue
		}
		ik, isItem := itemKinds[kind]
		if !isItem {
			attrs.reset()
			continue
		}
		it := Item{Kind: ik, Span: Span{start, end}, Parent: parent, Foreign: foreign,
			Cfgs: attrs.cfgs, EnclosingCfgs: cfgs, Exported: attrs.export && ik == ItemMacro}
		if len(attrs.doc) > 0 {
			it.Doc = strings.Join(attrs.doc, "\n")
			it.Safety = SafetySection(it.Doc)
		}
		if self != "" {
			it.Trait = trait
		}
		var header int // where the item's keyword part ends
		if ik == ItemImpl {
			tn, trn := n.ChildByFieldId(fieldType), n.ChildByFieldId(fieldTrait)
			if tn == nil {
				attrs.reset()
				continue
			}
			ts, te := int(tn.StartByte()), int(tn.EndByte())
			it.SelfType = string(src[ts:te])
			it.Name = typeBaseName(it.SelfType)
			it.NameSpan = Span{ts, te}
			header = ts
			if trn != nil {
				it.Trait = stripGenerics(string(src[trn.StartByte():trn.EndByte()]))
				header = int(trn.StartByte())
			}
			it.Rel = appendRel(rel, it.Name)
		} else {
			nn := n.ChildByFieldId(fieldName)
			if nn == nil {
				attrs.reset()
				continue
			}
			ns, ne := int(nn.StartByte()), int(nn.EndByte())
			it.Name = strings.TrimPrefix(string(src[ns:ne]), "r#")
			it.NameSpan = Span{ns, ne}
			header = ns
			switch {
			case self != "":
				it.Rel = appendRel(rel, self, it.Name)
			default:
				it.Rel = appendRel(rel, it.Name)
			}
		}
		it.Vis, it.Unsafe = headerFacts(src[start:header])
		idx := len(x.out.Items)
		x.out.Items = append(x.out.Items, it)
		ownCfgs := appendCfgs(cfgs, attrs.cfgs)
		switch ik {
		case ItemMod:
			if x.gotoChildKind(c, K.DeclarationList) {
				dir := it.Name
				if attrs.pathAttr != "" {
					dir = attrs.pathAttr
				}
				x.container(c, appendRel(rel, it.Name), appendRel(dirs, dir), ownCfgs, idx, "", "", false)
				c.GotoParent()
			} else {
				x.out.Mods = append(x.out.Mods, ModDecl{Name: it.Name, Rel: rel, Dirs: dirs, PathAttr: attrs.pathAttr,
					Span: it.Span, Cfgs: attrs.cfgs})
			}
		case ItemImpl:
			if x.gotoChildKind(c, K.DeclarationList) {
				x.container(c, rel, dirs, ownCfgs, idx, it.Name, it.Trait, false)
				c.GotoParent()
			}
		case ItemTrait:
			if x.gotoChildKind(c, K.DeclarationList) {
				x.container(c, rel, dirs, ownCfgs, idx, it.Name, it.Name, false)
				c.GotoParent()
			}
		}
		attrs.reset()
	}
}

// useDecl records the leaves of a visible use declaration.
func (x *itemExtractor) useDecl(start, end int, rel, cfgs []string) {
	src := x.f.Src
	from, ok := useKeywordEnd(src, start, end)
	if !ok {
		return
	}
	vis, _ := headerFacts(src[start:from])
	if vis == "" {
		return
	}
	for _, leaf := range parseUseTree(src, from, end) {
		if len(leaf.Segs) == 0 || leaf.Alias == "_" {
			continue
		}
		path, name := leaf.names()
		x.out.Reexports = append(x.out.Reexports, Reexport{Rel: rel, Path: path, Name: name, Glob: leaf.Glob, Global: leaf.Global, Vis: vis, Cfgs: cfgs})
	}
}

// names are a use leaf's path as written and the name it brings into
// scope (its alias, else its last segment; "" for a glob).
func (leaf *useLeaf) names() (path []string, name string) {
	for _, s := range leaf.Segs {
		path = append(path, s.Name)
	}
	if !leaf.Glob {
		name = leaf.Alias
		if name == "" {
			name = path[len(path)-1]
		}
	}
	return path, name
}

// gotoChildKind moves the cursor to the first child of the current node
// with the given kind. On false the cursor has not moved.
func (x *itemExtractor) gotoChildKind(c *sitter.TreeCursor, kind uint16) bool {
	if !c.GotoFirstChild() {
		return false
	}
	for {
		if c.Node().KindId() == kind {
			return true
		}
		if !c.GotoNextSibling() {
			c.GotoParent()
			return false
		}
	}
}

// attribute reads an outer attribute's text: #[cfg(..)], #[path = ".."],
// #[doc = ".."], #[macro_export].
func (x *itemExtractor) attribute(text []byte, a *pendingAttrs) {
	body := attrBody(text)
	switch {
	case hasWord(body, "cfg"):
		if p, ok := cfgOfAttr(text); ok {
			a.cfgs = append(a.cfgs, p)
		}
	case hasWord(body, "path"), hasWord(body, "doc"):
		if i := bytes.IndexByte(body, '='); i >= 0 {
			l := cfgLexer{src: body, pos: i + 1, end: len(body)}
			if k, s, e := l.next(); k == tokString {
				if v, ok := unquote(body[s:e]); ok {
					if hasWord(body, "path") {
						a.pathAttr = v
					} else {
						a.doc = append(a.doc, strings.TrimPrefix(v, " "))
					}
				}
			}
		}
	case hasWord(body, "macro_export"):
		a.export = true
	}
}

// attrBody is the text inside #[...] or #![...].
func attrBody(text []byte) []byte {
	i := bytes.IndexByte(text, '[')
	j := bytes.LastIndexByte(text, ']')
	if i < 0 || j <= i {
		return nil
	}
	return bytes.TrimSpace(text[i+1 : j])
}

// hasWord reports whether body starts with word as a whole identifier.
func hasWord(body []byte, word string) bool {
	return bytes.HasPrefix(body, []byte(word)) && (len(body) == len(word) || !IsIdentByte(body[len(word)]))
}

// cfgOfAttr is the predicate text of #[cfg(PRED)] or #![cfg(PRED)].
func cfgOfAttr(text []byte) (string, bool) {
	body := attrBody(text)
	if !hasWord(body, "cfg") {
		return "", false
	}
	rest := bytes.TrimSpace(body[3:])
	if len(rest) < 2 || rest[0] != '(' || rest[len(rest)-1] != ')' {
		return "", false
	}
	return string(bytes.TrimSpace(rest[1 : len(rest)-1])), true
}

// docText is the text of a doc comment (outer, or inner when inner is
// set), or false for a plain comment.
func docText(c []byte, inner bool) (string, bool) {
	line, block := "///", "/**"
	if inner {
		line, block = "//!", "/*!"
	}
	switch {
	case bytes.HasPrefix(c, []byte(line)) && !(!inner && bytes.HasPrefix(c, []byte("////"))):
		t := strings.TrimRight(string(c[3:]), "\r\n")
		return strings.TrimPrefix(t, " "), true
	case bytes.HasPrefix(c, []byte(block)) && !(!inner && bytes.HasPrefix(c, []byte("/***"))) && len(c) >= 5 && string(c) != "/**/":
		body := strings.TrimSuffix(string(c[3:]), "*/")
		var lines []string
		for _, l := range strings.Split(body, "\n") {
			l = strings.TrimSpace(l)
			l = strings.TrimPrefix(strings.TrimPrefix(l, "*"), " ")
			lines = append(lines, l)
		}
		return strings.TrimSpace(strings.Join(lines, "\n")), true
	}
	return "", false
}

func joinDoc(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

func appendCfgs(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	return append(append(make([]string, 0, len(a)+len(b)), a...), b...)
}

// headerFacts reads the visibility and `unsafe` from the words before an
// item's name (or an impl's types).
func headerFacts(h []byte) (vis string, unsafe bool) {
	i := skipSpace(h, 0)
	if hasWord(h[i:], "pub") {
		j := skipSpace(h, i+3)
		end := i + 3
		if j < len(h) && h[j] == '(' {
			if k := bytes.IndexByte(h[j:], ')'); k >= 0 {
				end = j + k + 1
			}
		}
		vis = string(bytes.Join(bytes.Fields(h[i:end]), nil))
		i = end
	}
	for _, w := range bytes.FieldsFunc(h[i:], func(r rune) bool { return r < 128 && !IsIdentByte(byte(r)) }) {
		if string(w) == "unsafe" {
			return vis, true
		}
		if string(w) == "impl" {
			break // `impl<F: unsafe fn()>` is not an unsafe impl
		}
	}
	return vis, false
}

// stripGenerics drops generic arguments and blanks: `Foo<T>` → `Foo`,
// `kernel::Module` stays.
func stripGenerics(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			depth++
		case c == '>':
			if depth > 0 {
				depth--
			}
		case depth == 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// typeBaseName is the last path segment of a type without generics and
// references: `&'a mut kernel::Foo<T>` → `Foo`; other types (tuples,
// slices, pointers) are kept as written, without blanks.
func typeBaseName(t string) string {
	s := strings.TrimSpace(t)
	for {
		before := s
		s = strings.TrimSpace(strings.TrimLeft(s, "&"))
		if strings.HasPrefix(s, "'") {
			i := 1
			for i < len(s) && IsIdentByte(s[i]) {
				i++
			}
			s = s[i:]
		}
		for _, kw := range []string{"mut", "dyn"} {
			if rest, ok := strings.CutPrefix(s, kw); ok && rest != "" && !IsIdentByte(rest[0]) {
				s = rest
			}
		}
		if s == before {
			break
		}
	}
	s = stripGenerics(s)
	if i := strings.LastIndex(s, "::"); i >= 0 {
		s = s[i+2:]
	}
	for i := 0; i < len(s); i++ {
		if !IsIdentByte(s[i]) {
			return stripGenerics(t)
		}
	}
	return s
}

// SafetySection is the text of the `# Safety` section of a doc comment:
// the lines after a heading named Safety (any level) up to the next
// heading of the same or a higher level, trimmed; "" if there is none.
// Headings inside code blocks do not count.
func SafetySection(doc string) string {
	return DocSection(doc, "Safety")
}

// DocSection is the text of the section of a doc comment headed title
// (`# Invariants`, any level), as SafetySection reads `# Safety`.
func DocSection(doc, title string) string {
	lines := strings.Split(doc, "\n")
	level := 0
	var out []string
	fence := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
		}
		if !fence {
			if lv, name := heading(t); lv > 0 {
				if level > 0 && lv <= level {
					break
				}
				if level == 0 && strings.EqualFold(name, title) {
					level = lv
					continue
				}
			}
		}
		if level > 0 {
			out = append(out, l)
		}
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// heading reads an ATX heading: its level and title, or 0.
func heading(t string) (int, string) {
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n < len(t) && t[n] != ' ' && t[n] != '\t' {
		return 0, ""
	}
	return n, strings.TrimSpace(strings.TrimRight(strings.TrimSpace(t[n:]), "#"))
}
