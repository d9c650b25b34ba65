package symbols

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// The module! schema of kernels whose rust/macros/module.rs parses the
// macro's input with syn (Linux 7.x). There is no key list to read
// there: a macro, parse_ordered_fields!, is invoked in ModuleInfo's
// `impl Parse` with one line per key,
//
//	type as type_ [required] => input.parse()?,
//	authors => { let list; bracketed!(list in input); Punctuated::parse_terminated(&list)? },
//
// in the order the keys must be written, and the macro itself builds
// EXPECTED_KEYS and REQUIRED_KEYS from them and reports errors with
// format!s. Each key's value kind follows from its parser (bracketed!,
// braced!, or input.parse()) and the type of ModuleInfo's field that
// receives it (Type, AsciiLitStr, LitStr, Punctuated<AsciiLitStr, ..>,
// Punctuated<Parameter, ..>). A `params` entry is read by `impl Parse
// for Parameter`: a name, `:`, a type, and a braced block read by the
// same macro (default, description). Everything is read by tokens, so
// comments and string literals never match.

// synTokens are the tokens of a Rust file with the index of the token
// closing each opening delimiter.
type synTokens struct {
	src   []byte
	toks  []Token
	close map[int]int
}

func newSynTokens(src []byte) *synTokens {
	t := &synTokens{src: src, close: map[int]int{}}
	it := NewTokens(src, 0, len(src))
	var stack []int
	for {
		tok := it.Next()
		if tok.Kind == TokenEOF {
			break
		}
		i := len(t.toks)
		t.toks = append(t.toks, tok)
		if tok.Kind != TokenPunct || tok.End-tok.Start != 1 {
			continue
		}
		switch src[tok.Start] {
		case '(', '[', '{':
			stack = append(stack, i)
		case ')', ']', '}':
			if len(stack) > 0 {
				t.close[stack[len(stack)-1]] = i
				stack = stack[:len(stack)-1]
			}
		}
	}
	return t
}

func (t *synTokens) text(i int) string {
	if i < 0 || i >= len(t.toks) {
		return ""
	}
	return string(t.src[t.toks[i].Start:t.toks[i].End])
}

// is reports whether token i is s (an identifier or punctuation).
func (t *synTokens) is(i int, s string) bool {
	return i >= 0 && i < len(t.toks) && t.toks[i].Kind != TokenLiteral && t.text(i) == s
}

func (t *synTokens) ident(i int) bool {
	return i >= 0 && i < len(t.toks) && t.toks[i].Kind == TokenIdent
}

// arrow reports whether tokens i and i+1 are `=>`.
func (t *synTokens) arrow(i int) bool {
	return t.is(i, "=") && t.is(i+1, ">") && t.toks[i].End == t.toks[i+1].Start
}

// closing is the index of the token closing the delimiter at i, or -1.
func (t *synTokens) closing(i int) int {
	if c, ok := t.close[i]; ok {
		return c
	}
	return -1
}

// past is the index of the token closing the delimiter at i, or of the
// last token when it is not closed: a loop that jumps there moves on.
func (t *synTokens) past(i int) int {
	if c := t.closing(i); c >= i {
		return c
	}
	return max(len(t.toks)-1, i)
}

// span is the source text of tokens i..j (inclusive), blanks collapsed.
func (t *synTokens) span(i, j int) string {
	if i > j || i < 0 || j >= len(t.toks) {
		return ""
	}
	return strings.Join(strings.Fields(string(t.src[t.toks[i].Start:t.toks[j].End])), " ")
}

// implBody finds `impl ... Parse for NAME { ... }` and returns the
// indexes of its braces.
func (t *synTokens) implBody(trait, name string) (int, int, bool) {
	for i := range t.toks {
		if !t.is(i, "impl") {
			continue
		}
		for j := i + 1; j < len(t.toks); j++ {
			if t.is(j, "{") || t.is(j, ";") {
				break
			}
			if t.is(j, trait) && t.is(j+1, "for") && t.is(j+2, name) {
				k := j + 3
				for k < len(t.toks) && !t.is(k, "{") {
					k++
				}
				if c := t.closing(k); c > 0 {
					return k, c, true
				}
			}
		}
	}
	return 0, 0, false
}

// structFields reads `struct NAME { field: Type, ... }`: each field's
// name and type text, in order.
func (t *synTokens) structFields(name string) (names []string, types map[string]string, ok bool) {
	for i := range t.toks {
		if !t.is(i, "struct") || !t.is(i+1, name) {
			continue
		}
		k := i + 2
		for k < len(t.toks) && !t.is(k, "{") && !t.is(k, ";") && !t.is(k, "(") {
			k++
		}
		c := t.closing(k)
		if !t.is(k, "{") || c < 0 {
			continue
		}
		types = map[string]string{}
		for j := k + 1; j < c; {
			// Attributes and visibility.
			if t.is(j, "#") && t.is(j+1, "[") {
				j = t.past(j+1) + 1
				continue
			}
			if t.is(j, "pub") {
				j++
				if t.is(j, "(") {
					j = t.past(j) + 1
				}
				continue
			}
			if !t.ident(j) || !t.is(j+1, ":") {
				j++
				continue
			}
			f := t.text(j)
			end := t.typeEnd(j+2, c)
			names = append(names, f)
			types[f] = t.span(j+2, end-1)
			j = end + 1
		}
		return names, types, true
	}
	return nil, nil, false
}

// typeEnd is the index of the `,` (or limit) that ends a type starting
// at i: commas inside <...> and delimiters belong to it.
func (t *synTokens) typeEnd(i, limit int) int {
	angle := 0
	for j := i; j < limit; j++ {
		switch {
		case t.is(j, "<"):
			angle++
		case t.is(j, ">"):
			angle--
		case t.is(j, "(") || t.is(j, "[") || t.is(j, "{"):
			if c := t.closing(j); c > 0 {
				j = c
			}
		case t.is(j, ",") && angle <= 0:
			return j
		}
	}
	return limit
}

// orderedField is one line of a parse_ordered_fields! invocation.
type orderedField struct {
	key, name string // the key as written, the variable it fills
	required  bool
	parser    string // the parser expression's text
}

// orderedFields finds, between tokens lo and hi, an invocation `m! (from
// INPUT; key [as name] [[required]] => parser, ...)` and reads its lines.
func (t *synTokens) orderedFields(lo, hi int) (macro string, fields []orderedField, ok bool) {
	for i := lo; i+3 < hi; i++ {
		if !t.ident(i) || !t.is(i+1, "!") || !(t.is(i+2, "(") || t.is(i+2, "{") || t.is(i+2, "[")) || !t.is(i+3, "from") {
			continue
		}
		c := t.closing(i + 2)
		if c < 0 {
			continue
		}
		j := i + 4
		for j < c && !t.is(j, ";") {
			j++
		}
		for j++; j < c; {
			if !t.ident(j) {
				j++
				continue
			}
			f := orderedField{key: t.text(j)}
			f.name = f.key
			j++
			if t.is(j, "as") && t.ident(j+1) {
				f.name = t.text(j + 1)
				j += 2
			}
			if t.is(j, "[") {
				end := t.past(j)
				for k := j + 1; k < end; k++ {
					if t.is(k, "required") {
						f.required = true
					}
				}
				j = end + 1
			}
			if !t.arrow(j) {
				break
			}
			j++
			end := j + 1
			for end < c && !t.is(end, ",") {
				if t.is(end, "(") || t.is(end, "[") || t.is(end, "{") {
					end = t.past(end)
				}
				end++
			}
			f.parser = t.span(j+1, end-1)
			fields = append(fields, f)
			j = end + 1
		}
		return t.text(i), fields, len(fields) > 0
	}
	return "", nil, false
}

// moduleFnArgRE finds the type module.rs's entry point takes: `fn
// module(info: ModuleInfo)`.
var moduleFnArgRE = regexp.MustCompile(`\bfn\s+module\s*\(\s*\w+\s*:\s*([A-Za-z_]\w*)`)

// synModuleSchema reads the schema of a module.rs that parses with syn;
// ok is false when the file has no such parser. asciiTypes are the
// string types whose Parse checks is_ascii (helpers.rs's AsciiLitStr).
func synModuleSchema(path string, src []byte, asciiTypes map[string]bool) (*ModuleSchema, bool) {
	info := "ModuleInfo"
	if m := moduleFnArgRE.FindSubmatch(src); m != nil {
		info = string(m[1])
	}
	if !bytes.Contains(src, []byte("Parse")) {
		return nil, false
	}
	t := newSynTokens(src)
	lo, hi, ok := t.implBody("Parse", info)
	if !ok {
		return nil, false
	}
	macro, fields, ok := t.orderedFields(lo, hi)
	if !ok {
		return nil, false
	}
	_, types, _ := t.structFields(info)
	s := &ModuleSchema{Source: path, Syn: true, Messages: defaultMessages}
	s.Messages.Escape, s.Messages.Raw = RustFormat{}, RustFormat{} // syn's LitStr reads both
	s.Messages.ASCII = RustFormat{}
	s.Messages.Punct, s.Messages.PunctEnd = synPunct, synPunct
	s.Comma, s.Ordered = t.macroChecks(macro, &s.Messages)
	for _, f := range fields {
		if s.Index(f.key) >= 0 {
			continue
		}
		k := ModuleKey{Name: f.key, Required: f.required}
		k.Kind, k.Helper = synKind(f.parser, types[f.name], asciiTypes)
		if k.Kind == ValueParams {
			if k.Params = t.synParams(macro, f.parser, types[f.name], s, asciiTypes); k.Params == nil {
				k.Kind = ValueGroup
			}
		}
		s.Keys = append(s.Keys, k)
	}
	return s, true
}

// synPunct is syn's error for a missing `,` (rust/syn/token.rs's
// punct_helper: format!("expected `{}`", token)), at the end of the
// input too; ReadModuleSchema reads it from the tree's syn when vendored.
var synPunct = RustFormat{Format: "expected `,`"}

// macroChecks reads the error messages of the parse_ordered_fields!
// definition (format!s: unknown, duplicated, missing, out of order) and
// whether it parses a `,` after each value (`parse::<Token![,]>()`).
func (t *synTokens) macroChecks(macro string, m *ModuleMessages) (comma, ordered bool) {
	for i := range t.toks {
		if !t.is(i, "macro_rules") || !t.is(i+1, "!") || !t.is(i+2, macro) {
			continue
		}
		open := i + 3
		c := t.closing(open)
		if c < 0 {
			continue
		}
		for j := open; j < c; j++ {
			// `$input.parse::<Token![,]>()?`
			if t.is(j-1, "<") && t.is(j, "Token") && t.is(j+1, "!") && t.is(j+2, "[") && t.is(j+3, ",") {
				comma = true
			}
			if !(t.is(j, "format") || t.is(j, "panic")) || !t.is(j+1, "!") || j+2 >= c {
				continue
			}
			f, ok := macroFormat(t.src, t.toks[j+2].Start)
			if !ok {
				continue
			}
			low := strings.ToLower(f.Format)
			switch {
			case strings.Contains(low, "unknown key"):
				m.Unknown = f
			case strings.Contains(low, "duplicate"):
				m.Duplicate = f
			case strings.Contains(low, "missing"):
				m.Missing = f
			case strings.Contains(low, "order"):
				m.Order = f
				ordered = true
			}
		}
		return comma, ordered
	}
	return false, false
}

// unwrapType strips Option<...> (an optional key's field).
func unwrapType(ty string) string {
	ty = strings.TrimSpace(ty)
	if strings.HasPrefix(ty, "Option <") || strings.HasPrefix(ty, "Option<") {
		i := strings.IndexByte(ty, '<')
		if j := strings.LastIndexByte(ty, '>'); j > i {
			return strings.TrimSpace(ty[i+1 : j])
		}
	}
	return ty
}

// elemType is the first generic argument of a list type
// (Punctuated<AsciiLitStr, Token![,]>, Vec<T>), or "".
func elemType(ty string) string {
	i := strings.IndexByte(ty, '<')
	if i < 0 {
		return ""
	}
	depth := 0
	for j := i + 1; j < len(ty); j++ {
		switch ty[j] {
		case '<', '(', '[':
			depth++
		case '>', ')', ']':
			if depth == 0 {
				return strings.TrimSpace(ty[i+1 : j])
			}
			depth--
		case ',':
			if depth == 0 {
				return strings.TrimSpace(ty[i+1 : j])
			}
		}
	}
	return ""
}

// synKind is the value kind of a key from its parser and the type of
// the field it fills.
func synKind(parser, fieldType string, ascii map[string]bool) (ModuleValueKind, string) {
	ty := unwrapType(fieldType)
	switch {
	case strings.Contains(parser, "bracketed!"):
		el := elemType(ty)
		switch k := synTypeKind(el, ascii); k {
		case ValueASCIIString, ValueString:
			return ValueStringArray, "[" + el + ", ...]"
		}
		return ValueArray, "[" + el + ", ...]"
	case strings.Contains(parser, "braced!"):
		return ValueParams, "{" + elemType(ty) + ", ...}"
	case strings.Contains(parser, "parenthesized!"):
		return ValueGroup, ty
	}
	return synTypeKind(ty, ascii), ty
}

// synTypeKind maps a syn type to the kind of value it parses.
func synTypeKind(ty string, ascii map[string]bool) ModuleValueKind {
	last := ty
	if i := strings.LastIndex(ty, "::"); i >= 0 {
		last = strings.TrimSpace(ty[i+2:])
	}
	switch {
	case ascii[last], ascii == nil && strings.Contains(last, "Ascii"):
		return ValueASCIIString
	case last == "LitStr":
		return ValueString
	case last == "LitByteStr":
		return ValueByteString
	case last == "Ident":
		return ValueIdent
	case last == "Type", last == "Path", strings.HasPrefix(last, "TypePath"):
		return ValueType
	case last == "Expr", last == "Lit", strings.HasPrefix(last, "Lit"):
		return ValueExpr
	}
	return ValueUnknown
}

// synParams reads the schema of a params block: the element type's
// `impl Parse` (name, `:`, type, a braced block of ordered fields) and
// the parameter types module.rs accepts.
func (t *synTokens) synParams(macro, parser, fieldType string, parent *ModuleSchema, ascii map[string]bool) *ParamSchema {
	el := elemType(unwrapType(fieldType))
	if el == "" {
		return nil
	}
	lo, hi, ok := t.implBody("Parse", el)
	if !ok {
		return nil
	}
	_, fields, ok := t.orderedFields(lo, hi)
	if !ok {
		return nil
	}
	names, types, _ := t.structFields(el)
	p := &ParamSchema{Separated: strings.Contains(parser, "parse_terminated"), Block: "expected curly braces"}
	p.Fields = &ModuleSchema{Source: parent.Source, Syn: true, Ordered: parent.Ordered, Comma: parent.Comma, Messages: parent.Messages}
	for _, f := range fields {
		k := ModuleKey{Name: f.key, Required: f.required}
		k.Kind, k.Helper = synKind(f.parser, types[f.name], ascii)
		p.Fields.Keys = append(p.Fields.Keys, k)
	}
	// The type: the field parsed after the `:` (the second one the
	// struct declares that no ordered field fills).
	var plain []string
	for _, n := range names {
		if p.Fields.Index(n) < 0 {
			plain = append(plain, n)
		}
	}
	if len(plain) >= 2 {
		p.TypeHelper = unwrapType(types[plain[1]])
	}
	p.Types, p.Unsupported = t.paramTypes()
	return p
}

// paramTypes reads the parameter types module.rs maps to kernel_param
// ops: the string patterns of the match whose fallback arm panics
// "Unsupported parameter type".
func (t *synTokens) paramTypes() ([]string, RustFormat) {
	for i := range t.toks {
		if !t.is(i, "panic") || !t.is(i+1, "!") {
			continue
		}
		f, ok := macroFormat(t.src, t.toks[i+2].Start)
		if !ok || !strings.Contains(strings.ToLower(f.Format), "parameter type") {
			continue
		}
		// The innermost `match ... {` whose block holds the panic.
		for j := i - 1; j >= 0; j-- {
			if !t.is(j, "match") {
				continue
			}
			k := j + 1
			for k < i && !t.is(k, "{") {
				k++
			}
			c := t.closing(k)
			if c < i {
				continue
			}
			var types []string
			for a := k + 1; a < c; a++ {
				if t.is(a, "(") || t.is(a, "[") || t.is(a, "{") {
					a = t.past(a)
					continue
				}
				if t.toks[a].Kind == TokenLiteral && t.arrow(a+1) && (a == k+1 || t.is(a-1, ",") || t.is(a-1, "}") || t.is(a-1, "|")) {
					if v, ok := unquote(t.src[t.toks[a].Start:t.toks[a].End]); ok {
						types = append(types, v)
					}
				}
			}
			return types, f
		}
		return nil, f
	}
	return nil, RustFormat{}
}

// asciiStringTypes reads the types of a proc-macro source (helpers.rs)
// whose `impl Parse` reads a LitStr and rejects non-ASCII text, with the
// message it rejects it with.
func asciiStringTypes(src []byte) (map[string]bool, RustFormat) {
	out := map[string]bool{}
	var msg RustFormat
	t := newSynTokens(src)
	for i := range t.toks {
		if !t.is(i, "impl") {
			continue
		}
		j := i + 1
		for j < len(t.toks) && !t.is(j, "{") && !t.is(j, ";") {
			j++
		}
		if !t.is(j-2, "for") || !t.ident(j-1) || !t.is(j-3, "Parse") {
			continue
		}
		c := t.closing(j)
		lit, asc := -1, -1
		for k := j; k < c; k++ {
			if t.is(k, "LitStr") && lit < 0 {
				lit = k
			}
			if t.is(k, "is_ascii") && asc < 0 {
				asc = k
			}
		}
		if lit < 0 || asc < 0 {
			continue
		}
		out[t.text(j-1)] = true
		for k := asc; k < c; k++ {
			if t.toks[k].Kind == TokenLiteral && t.src[t.toks[k].Start] != '\'' {
				if v, ok := unquote(t.src[t.toks[k].Start:t.toks[k].End]); ok {
					msg = RustFormat{Format: v}
				}
				break
			}
		}
	}
	return out, msg
}

// synPunctMessage reads syn's message for a missing punctuation token
// from the vendored rust/syn/token.rs (punct_helper's format!), rendered
// for `,`.
func synPunctMessage(src []byte) (RustFormat, bool) {
	t := newSynTokens(src)
	for i := range t.toks {
		if !t.is(i, "fn") || !t.is(i+1, "punct_helper") {
			continue
		}
		k := i + 2
		for k < len(t.toks) && !t.is(k, "{") {
			k++
		}
		c := t.closing(k)
		for j := k; j < c; j++ {
			if t.is(j, "format") && t.is(j+1, "!") {
				f, ok := macroFormat(src, t.toks[j+2].Start)
				if !ok {
					return RustFormat{}, false
				}
				vars := map[string]string{}
				for _, a := range f.Args {
					vars[a] = ","
				}
				return RustFormat{Format: f.Render(vars)}, true
			}
		}
	}
	return RustFormat{}, false
}

// moduleParamImpls reads the types rust/kernel/module_param.rs
// implements ModuleParam for: `impl ModuleParam for T`, and the
// invocations `m!(T)` of a macro_rules! m that writes `impl ModuleParam
// for $ty`.
func moduleParamImpls(src []byte) []string {
	t := newSynTokens(src)
	var out []string
	makers := map[string]bool{}
	for i := range t.toks {
		if t.is(i, "macro_rules") && t.is(i+1, "!") && t.ident(i+2) {
			c := t.closing(i + 3)
			for j := i + 3; j < c; j++ {
				if t.is(j, "ModuleParam") && t.is(j+1, "for") && t.is(j+2, "$") {
					makers[t.text(i+2)] = true
				}
			}
			if c > 0 {
				continue
			}
		}
		if t.is(i, "ModuleParam") && t.is(i+1, "for") && t.ident(i+2) && t.is(i-1, "impl") {
			out = append(out, t.text(i+2))
		}
	}
	for i := range t.toks {
		if t.ident(i) && makers[t.text(i)] && t.is(i+1, "!") && t.is(i+2, "(") && t.ident(i+3) && t.is(i+4, ")") && !t.is(i-1, "macro_rules") {
			out = append(out, t.text(i+3))
		}
	}
	return out
}

// paramsDoc is the documentation of a key described in prose rather
// than in the list of keys: from the paragraph that names it ("The
// `params` field describe ...") to the next heading or link definition.
func paramsDoc(doc, key string) string {
	lines := strings.Split(doc, "\n")
	start := -1
	for i, l := range lines {
		if strings.Contains(l, "`"+key+"`") && !keyDocRE.MatchString(l) && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			start = i
			break
		}
	}
	if start < 0 {
		return ""
	}
	var out []string
	fence := false
	for _, l := range lines[start:] {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			fence = !fence
		}
		if !fence && (strings.HasPrefix(t, "#") || linkDefRE.MatchString(t)) {
			break
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

var linkDefRE = regexp.MustCompile("^\\[[^\\]]+\\]:\\s")

// String describes a params schema for documentation.
func (p *ParamSchema) String() string {
	var b strings.Builder
	b.WriteString("name: type {")
	for i, k := range p.Fields.Keys {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s: %s", k.Name, k.Kind)
	}
	b.WriteString(" }")
	return b.String()
}

// handParams reads the params schema of a hand-written module.rs (Linux
// 6.17 and 6.18): the function the `"params"` arm calls (expect_params)
// reads each entry as an identifier, `:`, a type (expect_ident) and a
// group, and in the group the keys it asserts in order —
// `assert_eq!(expect_ident(it), "default")` followed by the reader of
// the value (try_sign and try_literal: a literal), or
// `expect_string_field(it, "description")` — following calls into the
// file's own functions (expect_param_default). Every key is required, in
// that order, each followed by `,`; the entries themselves each end with
// `,` when the function asserts one after the group.
func handParams(src []byte, helper string, parent *ModuleSchema) *ParamSchema {
	t := newSynTokens(src)
	lo, hi, ok := t.fnBody(helper)
	if !ok {
		return nil
	}
	p := &ParamSchema{TypeHelper: "expect_ident", Separated: true}
	p.Fields = &ModuleSchema{Source: parent.Source, Ordered: true, Comma: true, Messages: parent.Messages}
	p.Fields.Messages.Unknown = RustFormat{Format: `Unknown key "{key}" in a parameter (module.rs asserts the keys in order). Valid keys are: {EXPECTED_KEYS:?}.`}
	t.handFields(lo, hi, p.Fields, map[string]bool{helper: true}, 0)
	if len(p.Fields.Keys) == 0 {
		return nil
	}
	// `assert_eq!(expect_punct(&mut it), ',')` in the entry loop: a comma
	// after every entry.
	for i := lo; i < hi; i++ {
		if t.is(i, "expect_punct") && t.is(i+1, "(") {
			c := t.past(i + 1)
			if t.is(c+1, ",") && c+2 < len(t.toks) && t.toks[c+2].Kind == TokenLiteral && t.text(c+2) == "','" {
				p.Separated = false
			}
		}
	}
	p.Types, p.Unsupported = t.paramTypes()
	return p
}

// fnBody finds `fn name(...) ... { ... }` and returns its braces.
func (t *synTokens) fnBody(name string) (int, int, bool) {
	for i := range t.toks {
		if !t.is(i, "fn") || !t.is(i+1, name) {
			continue
		}
		k := i + 2
		for k < len(t.toks) && !t.is(k, "{") && !t.is(k, ";") {
			if t.is(k, "(") {
				k = t.past(k)
			}
			k++
		}
		if c := t.closing(k); t.is(k, "{") && c > 0 {
			return k, c, true
		}
	}
	return 0, 0, false
}

// handFields appends the keys asserted between tokens lo and hi to s.
func (t *synTokens) handFields(lo, hi int, s *ModuleSchema, seen map[string]bool, depth int) {
	last := -1 // the key whose value is read next
	for i := lo; i < hi; i++ {
		switch {
		// assert_eq!(expect_ident(it), "key")
		case t.is(i, "assert_eq") && t.is(i+1, "!") && t.is(i+2, "(") && t.is(i+3, "expect_ident"):
			c := t.past(i + 2)
			lit := c - 1
			if lit > i && t.toks[lit].Kind == TokenLiteral {
				if v, ok := unquote(t.src[t.toks[lit].Start:t.toks[lit].End]); ok && s.Index(v) < 0 {
					s.Keys = append(s.Keys, ModuleKey{Name: v, Required: true})
					last = len(s.Keys) - 1
				}
			}
			i = c
		// expect_string_field(it, "key")
		case t.ident(i) && strings.HasSuffix(t.text(i), "_field") && t.is(i+1, "("):
			c := t.past(i + 1)
			if lit := c - 1; lit > i && t.toks[lit].Kind == TokenLiteral {
				if v, ok := unquote(t.src[t.toks[lit].Start:t.toks[lit].End]); ok && s.Index(v) < 0 {
					h := t.text(i)
					s.Keys = append(s.Keys, ModuleKey{Name: v, Required: true, Helper: h, Kind: helperKind(strings.TrimSuffix(h, "_field"))})
				}
			}
			last = -1
			i = c
		case t.ident(i) && t.is(i+1, "(") && !t.is(i-1, "fn") && !t.is(i-1, ".") && !t.is(i-1, "::"):
			name := t.text(i)
			if last >= 0 && s.Keys[last].Kind == ValueUnknown {
				k := &s.Keys[last]
				switch {
				case name == "try_literal":
					k.Kind, k.Helper = ValueLiteral, "try_literal"
				case name != "try_sign" && name != "expect_punct" && (strings.HasPrefix(name, "expect_") || strings.HasPrefix(name, "try_")):
					k.Helper, k.Kind = name, helperKind(name)
				}
			}
			if depth < 2 && !seen[name] {
				if flo, fhi, ok := t.fnBody(name); ok {
					seen[name] = true
					t.handFields(flo, fhi, s, seen, depth+1)
				}
			}
		}
	}
}
