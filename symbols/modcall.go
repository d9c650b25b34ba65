package symbols

import (
	"bytes"
	"regexp"
	"strings"
)

// Invocations of module! and of the driver macros in a Rust file. The
// macro's input is a token tree tree-sitter does not look into, and code
// being typed rarely parses, so the input is read from the text by a
// small lexer, leniently: a key without a value, a missing comma or an
// unclosed brace still give the entries that are there. The tree only
// says whether an invocation is code (not in a comment, string or
// macro_rules! definition).

// ModuleCall is one module!-style invocation.
type ModuleCall struct {
	// Macro is the macro's name: module, module_phy_driver.
	Macro string
	// Name is the span of the macro's name (without a path or the `!`).
	Name Span
	// Open is the offset of the opening delimiter, Close that of the
	// closing one (len(src) when unclosed: Closed is false).
	Open, Close int
	Closed      bool
	Entries     []ModuleEntry
	// Start is where the invocation begins (its path).
	Start int
}

// ModuleEntry is one `key: value,` of an invocation.
type ModuleEntry struct {
	Key     string
	KeySpan Span
	// Colon says a `:` follows the key.
	Colon bool
	// Value spans the value's tokens (empty when there is none), Last
	// its last token.
	Value, Last Span
	Shape       ValueShape
	// Strings are the string literals of a string or array value.
	Strings []StringLit
	// Comma says a `,` ends the entry; End is after it (or after the
	// value).
	Comma bool
	End   int
}

// ValueShape is what a written value is.
type ValueShape uint8

const (
	ShapeNone       ValueShape = iota // nothing written
	ShapeIdent                        // one identifier
	ShapePath                         // a path or several tokens
	ShapeString                       // a string literal ("", r"")
	ShapeByteString                   // b"" or br""
	ShapeCString                      // c""
	ShapeArray                        // [ ... ]
	ShapeGroup                        // { ... } or ( ... )
	ShapeOther
)

// StringLit is a string literal of a value.
type StringLit struct {
	Span
	// Value is the text between the quotes, escapes resolved where Go
	// resolves them the same way.
	Value string
	Byte  bool // b"" or br""
	// Raw: r"", r#""#, br"" (no escapes, hashes allowed).
	Raw bool
	// Escapes: a backslash between the quotes of a literal that is not
	// raw (an escape sequence or a line continuation).
	Escapes bool
}

// Entry finds the first entry with a key.
func (c *ModuleCall) Entry(key string) (ModuleEntry, bool) {
	for _, e := range c.Entries {
		if e.Key == key {
			return e, true
		}
	}
	return ModuleEntry{}, false
}

// moduleCallRE finds a module!-style macro name followed by `!` and an
// open delimiter.
var moduleCallRE = regexp.MustCompile(`^(module(?:_[a-z0-9_]+)?)\s*!\s*[{(\[]`)

// moduleWord starts every candidate; moduleCallWindow bounds the text the
// anchored expression may read (a macro name and the blanks after it).
var moduleWord = []byte("module")

const moduleCallWindow = 512

// ModuleCalls finds the invocations of module! and of the macros named
// in drivers (nil: any module_*!) in a parsed file.
func ModuleCalls(f *File, drivers func(string) bool) []ModuleCall {
	src := f.Src
	cands, names := moduleCallCandidates(src, drivers)
	if len(cands) == 0 {
		return nil
	}
	var out []ModuleCall
	f.VisitPaths(cands, func(i int, p []PathNode) bool {
		if inCommentOrString(p) {
			return true
		}
		for _, n := range p {
			if n.Kind == K.MacroDefinition {
				return true
			}
		}
		c, ok := parseModuleCall(src, names[i], cands[i])
		if ok {
			out = append(out, c)
		}
		return true
	})
	return out
}

// moduleCallCandidates finds the names of module! and driver macro
// invocations in the text, sorted. The regular expression runs only where
// the word "module" starts: anchored there it costs little, while run over
// the whole of every file it was most of the module rules' time.
func moduleCallCandidates(src []byte, drivers func(string) bool) (cands []Span, names []string) {
	for off := 0; off < len(src); {
		i := bytes.Index(src[off:], moduleWord)
		if i < 0 {
			break
		}
		start := off + i
		off = start + len(moduleWord)
		if start > 0 && (src[start-1] == '$' || IsIdentByte(src[start-1])) {
			continue
		}
		m := moduleCallRE.FindSubmatchIndex(src[start:min(len(src), start+moduleCallWindow)])
		if m == nil {
			continue
		}
		name := string(src[start+m[2] : start+m[3]])
		if name != "module" && drivers != nil && !drivers(name) {
			continue
		}
		cands = append(cands, Span{start + m[2], start + m[3]})
		names = append(names, name)
	}
	return cands, names
}

// ModuleCallsText finds invocations by text alone, for code being typed
// whose tree is not at hand; a call inside a `//` comment is skipped.
func ModuleCallsText(src []byte, drivers func(string) bool) []ModuleCall {
	var out []ModuleCall
	cands, names := moduleCallCandidates(src, drivers)
	for i, c := range cands {
		if wordInCommentOrString(src, nil, c.Start, c.End) {
			continue
		}
		if call, ok := parseModuleCall(src, names[i], c); ok {
			out = append(out, call)
		}
	}
	return out
}

// parseModuleCall reads the invocation whose name is at name.
func parseModuleCall(src []byte, macro string, name Span) (ModuleCall, bool) {
	c := ModuleCall{Macro: macro, Name: name, Start: pathStart(src, name.Start)}
	i := skipSpace(src, name.End)
	if i >= len(src) || src[i] != '!' {
		return c, false
	}
	i = skipSpace(src, i+1)
	if i >= len(src) || !bytes.ContainsRune([]byte("{(["), rune(src[i])) {
		return c, false
	}
	c.Open = i
	c.readInput(src, len(src))
	return c, true
}

// readInput reads the entries between c.Open and its closing delimiter
// (not after end).
func (c *ModuleCall) readInput(src []byte, end int) {
	l := &cfgLexer{src: src, pos: c.Open + 1, end: end}
	c.Close = end
	var e *ModuleEntry
	depth := 0
	for {
		k, s, end := l.next()
		if k == tokEOF {
			break
		}
		if depth == 0 && k == tokClose {
			c.Close, c.Closed = s, true
			break
		}
		switch {
		case e == nil:
			if k == tokIdent {
				c.Entries = append(c.Entries, ModuleEntry{Key: string(src[s:end]), KeySpan: Span{s, end}, End: end})
				e = &c.Entries[len(c.Entries)-1]
			}
			// Anything else between entries is skipped.
			continue
		case !e.Colon && e.Value.End == 0 && k == tokOther && src[s] == ':' && !(end < len(src) && src[end] == ':'):
			e.Colon = true
			e.End = end
			continue
		case depth == 0 && k == tokComma:
			e.Comma, e.End = true, end
			e = nil
			continue
		case depth == 0 && k == tokIdent && !e.Colon && e.Value.End == 0:
			// `key key2:` — the first key lost its colon: a new entry.
			c.Entries = append(c.Entries, ModuleEntry{Key: string(src[s:end]), KeySpan: Span{s, end}, End: end})
			e = &c.Entries[len(c.Entries)-1]
			continue
		case depth == 0 && k == tokIdent && e.Colon && e.Value.End > 0 && valueEnds(src, e.Value.End) && keyFollows(l):
			// `type: M name: "t1"` — the value lost its comma: `name:`
			// starts a new entry (a value cannot hold `ident:`).
			c.Entries = append(c.Entries, ModuleEntry{Key: string(src[s:end]), KeySpan: Span{s, end}, End: end})
			e = &c.Entries[len(c.Entries)-1]
			continue
		}
		if k == tokOpen {
			depth++
		} else if k == tokClose {
			depth--
		}
		if e.Value.End == 0 {
			e.Value.Start = s
		}
		e.Value.End, e.Last = end, Span{s, end}
		e.End = end
	}
	for i := range c.Entries {
		c.Entries[i].classify(src)
	}
}

// valueEnds reports whether the token ending at end can end a value: an
// identifier, a literal or a closing delimiter (not `::` or `<`).
func valueEnds(src []byte, end int) bool {
	c := src[end-1]
	return IsIdentByte(c) || c == '"' || c == '#' || c == ')' || c == ']' || c == '}'
}

// keyFollows reports whether the lexer's next token is a lone `:` (not
// `::`): the identifier just read is a key.
func keyFollows(l *cfgLexer) bool {
	k, s, end := l.peek()
	return k == tokOther && l.src[s] == ':' && !(end < len(l.src) && l.src[end] == ':')
}

// pathStart finds where a macro path (kernel::module, $crate::module)
// begins.
func pathStart(src []byte, i int) int {
	for {
		j := i
		for j > 0 && (src[j-1] == ' ' || src[j-1] == '\t') {
			j--
		}
		if j < 2 || src[j-1] != ':' || src[j-2] != ':' {
			return i
		}
		j -= 2
		for j > 0 && (src[j-1] == ' ' || src[j-1] == '\t') {
			j--
		}
		k := j
		for k > 0 && (IsIdentByte(src[k-1]) || src[k-1] == '$') {
			k--
		}
		if k == j {
			return j + 2 // a leading `::`
		}
		i = k
	}
}

// classify sets the entry's Shape and Strings from its value's text.
func (e *ModuleEntry) classify(src []byte) {
	if e.Value.End <= e.Value.Start {
		e.Shape = ShapeNone
		return
	}
	l := &cfgLexer{src: src, pos: e.Value.Start, end: e.Value.End}
	k, s, end := l.next()
	single := func() bool { k2, _, _ := l.peek(); return k2 == tokEOF }
	switch {
	case k == tokIdent:
		if single() {
			e.Shape = ShapeIdent
		} else {
			e.Shape = ShapePath
		}
	case k == tokString:
		e.Strings = append(e.Strings, stringLit(src, s, end))
		switch src[s] {
		case 'b':
			e.Shape = ShapeByteString
		case 'c':
			e.Shape = ShapeCString
		default:
			e.Shape = ShapeString
		}
		if !single() {
			e.Shape = ShapeOther
		}
	case k == tokOpen && src[s] == '[':
		e.Shape = ShapeArray
		for {
			k, s, end := l.next()
			if k == tokEOF {
				break
			}
			if k == tokString {
				e.Strings = append(e.Strings, stringLit(src, s, end))
			}
		}
	case k == tokOpen:
		e.Shape = ShapeGroup
	case k == tokOther && src[s] == ':':
		e.Shape = ShapePath
	default:
		e.Shape = ShapeOther
	}
}

func stringLit(src []byte, s, e int) StringLit {
	lit := StringLit{Span: Span{s, e}}
	t := src[s:e]
	if len(t) > 0 && (t[0] == 'b' || t[0] == 'c') {
		lit.Byte = t[0] == 'b'
		t = t[1:]
	}
	lit.Raw = len(t) > 0 && t[0] == 'r'
	lit.Escapes = !lit.Raw && bytes.IndexByte(t, '\\') >= 0
	lit.Value, _ = unquote(t)
	return lit
}

// IsASCII reports whether s is ASCII.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ModuleCallAt finds the invocation whose input holds offset (between
// its delimiters), by text alone.
func ModuleCallAt(src []byte, offset int, drivers func(string) bool) (ModuleCall, bool) {
	return CallAt(ModuleCallsText(src, drivers), offset)
}

// CallAt finds, among calls in source order, the one whose input holds
// offset (between its delimiters): the innermost.
func CallAt(calls []ModuleCall, offset int) (ModuleCall, bool) {
	var best ModuleCall
	found := false
	for _, c := range calls {
		if c.Open < offset && offset <= c.Close {
			best, found = c, true // later calls are nested or after: keep the innermost
		}
	}
	return best, found
}

// TypeDecl is a type the file declares at its top level.
type TypeDecl struct {
	Name string
	Span Span
	// Module says an impl of kernel::Module or InPlaceModule for the
	// type is in the file.
	Module bool
}

// typeDeclRE finds struct, enum, union and type declarations.
var typeDeclRE = regexp.MustCompile(`\b(?:struct|enum|union|type)\s+([A-Za-z_][A-Za-z0-9_]*)`)

// moduleImplRE finds `impl ... (kernel::)?(Module|InPlaceModule) for T`.
var moduleImplRE = regexp.MustCompile(`\bimpl\b[^{;]*?\b(?:Module|InPlaceModule)\s+for\s+([A-Za-z_][A-Za-z0-9_]*)`)

// TypesInFile lists the types declared in the file's code (not in
// comments or strings), those implementing kernel::Module or
// InPlaceModule first.
func TypesInFile(f *File) []TypeDecl {
	src := f.Src
	var cands []Span
	var names []string
	for _, m := range typeDeclRE.FindAllSubmatchIndex(src, -1) {
		if m[0] > 0 && IsIdentByte(src[m[0]-1]) {
			continue
		}
		cands = append(cands, Span{m[2], m[3]})
		names = append(names, string(src[m[2]:m[3]]))
	}
	impls := map[string]bool{}
	for _, m := range moduleImplRE.FindAllSubmatch(src, -1) {
		impls[string(m[1])] = true
	}
	var mods, rest []TypeDecl
	seen := map[string]bool{}
	f.VisitPaths(cands, func(i int, p []PathNode) bool {
		if inCommentOrString(p) || seen[names[i]] {
			return true
		}
		// The name must be a declaration's name, not a `type X` inside
		// a trait or an impl (associated types).
		for _, n := range p[1:] {
			if n.Kind == K.ImplItem || n.Kind == K.TraitItem || n.Kind == K.FunctionItem || n.Kind == K.MacroInvocation || n.Kind == K.MacroDefinition {
				return true
			}
		}
		seen[names[i]] = true
		d := TypeDecl{Name: names[i], Span: cands[i], Module: impls[names[i]]}
		if d.Module {
			mods = append(mods, d)
		} else {
			rest = append(rest, d)
		}
		return true
	})
	return append(mods, rest...)
}

// useNameRE finds the last name of use trees: `use a::B;`, `{B, C}`,
// `B as D`.
var useDeclRE = regexp.MustCompile(`(?s)\buse\s+([^;]*);`)

// ImportedNames lists the names `use` declarations bring in, and whether
// a glob import (other than kernel::prelude::*) could bring in more.
func ImportedNames(src []byte) (names map[string]bool, glob bool) {
	names = map[string]bool{}
	for _, m := range useDeclRE.FindAllSubmatch(src, -1) {
		tree := string(m[1])
		for _, part := range strings.FieldsFunc(tree, func(r rune) bool { return r == ',' || r == '{' || r == '}' }) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if strings.HasSuffix(part, "*") {
				if !strings.Contains(tree, "prelude") {
					glob = true
				}
				continue
			}
			if _, alias, ok := strings.Cut(part, " as "); ok {
				names[strings.TrimSpace(alias)] = true
				continue
			}
			segs := strings.Split(part, "::")
			names[strings.TrimSpace(segs[len(segs)-1])] = true
		}
	}
	return names, glob
}

// AtItemLevel reports whether offset is outside every delimiter of the
// file and not in a comment or string literal, by text alone: where an
// item of the file's top level is being typed.
func AtItemLevel(src []byte, offset int) bool {
	if offset < 0 || offset > len(src) {
		return false
	}
	l := &cfgLexer{src: src, pos: 0, end: offset}
	depth := 0
	for {
		k, s, _ := l.next()
		if l.unterminated {
			return false // in a string or comment that runs to offset
		}
		if k == tokOther && src[s] == '\'' {
			l.pos = skipCharLiteral(src, s, offset)
			continue
		}
		switch k {
		case tokEOF:
			return depth == 0
		case tokOpen:
			depth++
		case tokClose:
			depth = max(depth-1, 0)
		}
	}
}

// LineIndent is the blank text before offset on its line, and whether
// only blanks precede offset there.
func LineIndent(src []byte, offset int) (string, bool) {
	ls := offset
	for ls > 0 && src[ls-1] != '\n' {
		ls--
	}
	i := ls
	for i < offset && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return string(src[ls:i]), i == offset
}
