package symbols

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The `module!` macro's key schema, read from the tree the user has open.
//
// rust/macros/module.rs validates the macro's input at build time with
// panic!s: the keys it expects (EXPECTED_KEYS, in the order it wants
// them), those it requires (REQUIRED_KEYS), and for each key a match arm
// that reads the value with a helper (expect_ident, expect_string_ascii,
// expect_string, expect_byte_string, expect_string_array, expect_group).
// The schema follows whichever kernel is checked out: 6.1 took byte
// strings (b"..."), 6.12 has `author` and `firmware`, later kernels have
// `authors: [...]` and a `params` block. The panic messages are read too,
// so that diagnostics say what the build would say.

// ModuleValueKind is what a key's value must be.
type ModuleValueKind uint8

const (
	ValueUnknown     ModuleValueKind = iota // a helper krls does not know: anything goes
	ValueIdent                              // an identifier (expect_ident): the module's type
	ValueASCIIString                        // a string literal of ASCII text (expect_string_ascii)
	ValueString                             // a string literal (expect_string)
	ValueByteString                         // a byte string literal b"..." (expect_byte_string)
	ValueStringArray                        // [ "a", "b" ] of ASCII strings (expect_string_array)
	ValueGroup                              // a { ... } block (expect_group: params)
	ValueType                               // a type (a driver macro's $x:ty)
	ValueExpr                               // an expression (a driver macro's $x:expr)
	ValueArray                              // [ a, b ] of identifiers or expressions (a driver macro's repetition)
	ValueParams                             // { name: type { default: .., description: .. }, } (params, its entries read from the tree: ModuleKey.Params)
	ValueLiteral                            // a literal, a `-` before it allowed (a parameter's default in the hand-written reader: try_sign, try_literal)
)

// String describes the kind for documentation and messages.
func (k ModuleValueKind) String() string {
	switch k {
	case ValueIdent:
		return "identifier"
	case ValueASCIIString:
		return "ASCII string literal"
	case ValueString:
		return "string literal"
	case ValueByteString:
		return "byte string literal"
	case ValueStringArray:
		return "array of ASCII string literals"
	case ValueGroup:
		return "block"
	case ValueType:
		return "type"
	case ValueExpr:
		return "expression"
	case ValueArray:
		return "array"
	case ValueParams:
		return "block of module parameters"
	case ValueLiteral:
		return "literal"
	}
	return "value"
}

// Snippet is an LSP snippet for the value: "$1" is the cursor.
func (k ModuleValueKind) Snippet() string {
	switch k {
	case ValueASCIIString, ValueString:
		return `"$1"`
	case ValueByteString:
		return `b"$1"`
	case ValueStringArray:
		return `["$1"]`
	case ValueArray:
		return `[$1]`
	case ValueGroup, ValueParams:
		return "{\n\t$1\n}"
	}
	return "$1"
}

// Placeholder is a plain-text value of the kind, for fixes that insert a
// key the user then fills in.
func (k ModuleValueKind) Placeholder() string {
	switch k {
	case ValueASCIIString, ValueString:
		return `""`
	case ValueByteString:
		return `b""`
	case ValueStringArray, ValueArray:
		return `[]`
	case ValueGroup, ValueParams:
		return "{}"
	case ValueLiteral:
		return "0"
	}
	return "_"
}

// ModuleKey is one key of the module! macro (or of a driver macro).
type ModuleKey struct {
	Name     string
	Kind     ModuleValueKind
	Required bool
	// Doc is the key's documentation (from rust/macros/lib.rs), markdown.
	Doc string
	// Helper is the function module.rs reads the value with
	// (expect_string_ascii), the syn type it parses the value into
	// (AsciiLitStr), or the macro_rules fragment ($x:ty).
	Helper string
	// Params is what a `params` block holds (Kind ValueParams).
	Params *ParamSchema
}

// ParamSchema is what each entry of module!'s `params` block takes:
// `name: type { default: value, description: "text", },`, as the tree's
// module.rs reads it.
type ParamSchema struct {
	// Types are the parameter types module.rs accepts (the string
	// patterns of the match that panics "Unsupported parameter type"),
	// kept only if rust/kernel/module_param.rs implements ModuleParam for
	// them (when it lists any).
	Types []string
	// TypeHelper is how the type is read (Ident: one identifier).
	TypeHelper string
	// Fields are the keys of the block after the type, with their
	// order, comma rule and messages.
	Fields *ModuleSchema
	// Separated: entries are separated by `,` and the last one may omit
	// it (syn's Punctuated::parse_terminated); otherwise every entry ends
	// with one (the hand-written reader asserts it).
	Separated bool
	// Unsupported is the panic on a type outside Types ("Unsupported
	// parameter type {}", its argument the type).
	Unsupported RustFormat
	// Block is the build's message when the `{ ... }` after the type is
	// missing ("expected curly braces" from syn), or "".
	Block string
}

// HasType reports whether t is an accepted parameter type.
func (p *ParamSchema) HasType(t string) bool { return slices.Contains(p.Types, t) }

// ModuleMessages are module.rs's panic messages as Rust format strings
// with their arguments, so that krls words its findings as the build
// would. Empty fields fall back to 6.12's wording.
type ModuleMessages struct {
	Unknown, Duplicate, Missing, Order, ASCII RustFormat
	// Punct and PunctEnd are expect_punct's (helpers.rs): the token after
	// a value is not punctuation, or the input ends there.
	Punct, PunctEnd RustFormat
	// Escape and Raw are try_string's panics on escape sequences and on
	// raw string literals; empty when the tree's string readers have no
	// such panic (they take them).
	Escape, Raw RustFormat
}

// RustFormat is a format string with the expressions of its positional
// arguments (`panic!("Unknown key \"{}\"", key)` has Args ["key"]).
type RustFormat struct {
	Format string
	Args   []string
}

// ModuleSchema is what the module! macro of one kernel accepts.
type ModuleSchema struct {
	// Keys in the order module.rs expects them.
	Keys []ModuleKey
	// Ordered: module.rs rejects keys out of Keys' order.
	Ordered bool
	// Comma: module.rs requires a `,` after every value, the last one
	// too (`assert_eq!(expect_punct(it), ',')`).
	Comma bool
	// Messages are module.rs's panic messages.
	Messages ModuleMessages
	// Source is the module.rs read, or "" for the built-in fallback.
	Source string
	// Syn: module.rs parses the input with syn (Linux 7.x: ModuleInfo's
	// `impl Parse` and parse_ordered_fields!), not by hand.
	Syn bool
	// Doc is the macro's documentation from rust/macros/lib.rs.
	Doc string
}

// Key finds a key by name.
func (s *ModuleSchema) Key(name string) (ModuleKey, bool) {
	for _, k := range s.Keys {
		if k.Name == name {
			return k, true
		}
	}
	return ModuleKey{}, false
}

// Names lists the keys in order.
func (s *ModuleSchema) Names() []string {
	out := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		out[i] = k.Name
	}
	return out
}

// Index is the position of a key in the order, or -1.
func (s *ModuleSchema) Index(name string) int {
	for i, k := range s.Keys {
		if k.Name == name {
			return i
		}
	}
	return -1
}

// BuiltinModuleSchema is Linux 6.12's module! schema, for a module with
// no kernel tree to read (out of tree, no KDIR).
func BuiltinModuleSchema() *ModuleSchema {
	s := &ModuleSchema{
		Keys: []ModuleKey{
			{Name: "type", Kind: ValueIdent, Required: true, Helper: "expect_ident"},
			{Name: "name", Kind: ValueASCIIString, Required: true, Helper: "expect_string_ascii"},
			{Name: "author", Kind: ValueString, Helper: "expect_string"},
			{Name: "description", Kind: ValueString, Helper: "expect_string"},
			{Name: "license", Kind: ValueASCIIString, Required: true, Helper: "expect_string_ascii"},
			{Name: "alias", Kind: ValueStringArray, Helper: "expect_string_array"},
			{Name: "firmware", Kind: ValueStringArray, Helper: "expect_string_array"},
		},
		Ordered:  true,
		Comma:    true,
		Messages: defaultMessages,
	}
	docs := map[string]string{
		"type":        "type which implements the `Module` trait (required).",
		"name":        "ASCII string literal of the name of the kernel module (required).",
		"author":      "string literal of the author of the kernel module.",
		"description": "string literal of the description of the kernel module.",
		"license":     "ASCII string literal of the license of the kernel module (required).",
		"alias":       "array of ASCII string literals of the alias names of the kernel module.",
		"firmware":    "array of ASCII string literals of the firmware files of the kernel module.",
	}
	for i := range s.Keys {
		s.Keys[i].Doc = docs[s.Keys[i].Name]
	}
	return s
}

// defaultMessages is 6.12's wording.
var defaultMessages = ModuleMessages{
	Unknown:   RustFormat{Format: `Unknown key "{key}". Valid keys are: {EXPECTED_KEYS:?}.`},
	Duplicate: RustFormat{Format: `Duplicated key "{key}". Keys can only be specified once.`},
	Missing:   RustFormat{Format: `Missing required key "{key}".`},
	Order:     RustFormat{Format: `Keys are not ordered as expected. Order them like: {ordered_keys:?}.`},
	ASCII:     RustFormat{Format: `Expected ASCII string`},
	Punct:     RustFormat{Format: `Expected Punct`},
	PunctEnd:  RustFormat{Format: `Reached end of token stream for Punct`},
	Escape:    RustFormat{Format: `Escape sequences in string literals not yet handled`},
	Raw:       RustFormat{Format: `Raw string literals are not yet handled`},
}

// ErrNoModuleSchema: the tree has no rust/macros/module.rs.
var ErrNoModuleSchema = errors.New("no rust/macros/module.rs")

// ReadModuleSchema reads the module! schema of the tree at srctree from
// rust/macros/module.rs (keys, kinds, order, messages),
// rust/macros/helpers.rs (the ASCII message and the string readers'
// panics; with syn, the ASCII string type), rust/macros/lib.rs (the
// documentation) and, for a params block, rust/kernel/module_param.rs
// (the types implementing ModuleParam).
func ReadModuleSchema(ctx context.Context, srctree string) (*ModuleSchema, error) {
	path := filepath.Join(srctree, "rust", "macros", "module.rs")
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoModuleSchema, srctree)
	}
	if err != nil {
		return nil, fmt.Errorf("read module! schema: %w", err)
	}
	h, herr := os.ReadFile(filepath.Join(srctree, "rust", "macros", "helpers.rs"))
	var ascii map[string]bool
	var synASCII RustFormat
	if herr == nil {
		ascii, synASCII = asciiStringTypes(h)
	}
	s, err := parseModuleSchema(ctx, path, src, ascii)
	if err != nil {
		return nil, err
	}
	if herr == nil {
		if m, ok := asciiMessage(h); ok {
			s.Messages.ASCII = m
		} else if s.Syn && synASCII.Format != "" {
			s.Messages.ASCII = synASCII
		}
		s.applyHelperMessages(helperMessages(h))
	}
	if s.Syn {
		if tok, err := os.ReadFile(filepath.Join(srctree, "rust", "syn", "token.rs")); err == nil {
			if m, ok := synPunctMessage(tok); ok {
				s.Messages.Punct, s.Messages.PunctEnd = m, m
			}
		}
	}
	// A parameter's block is read with the same helpers.
	s.eachParams(func(p *ParamSchema) {
		m := &p.Fields.Messages
		m.ASCII, m.Punct, m.PunctEnd, m.Escape, m.Raw = s.Messages.ASCII, s.Messages.Punct, s.Messages.PunctEnd, s.Messages.Escape, s.Messages.Raw
	})
	if mp, err := os.ReadFile(filepath.Join(srctree, "rust", "kernel", "module_param.rs")); err == nil {
		if impls := moduleParamImpls(mp); len(impls) > 0 {
			s.eachParams(func(p *ParamSchema) {
				var kept []string
				for _, t := range p.Types {
					if slices.Contains(impls, t) {
						kept = append(kept, t)
					}
				}
				p.Types = kept
			})
		}
	}
	if lib, err := os.ReadFile(filepath.Join(srctree, "rust", "macros", "lib.rs")); err == nil {
		s.Doc, _ = macroDoc(lib, "module")
		s.applyDocs(s.Doc)
	}
	return s, nil
}

// eachParams calls fn with the params schema of every key that has one.
func (s *ModuleSchema) eachParams(fn func(*ParamSchema)) {
	for _, k := range s.Keys {
		if k.Params != nil {
			fn(k.Params)
		}
	}
}

// ParseModuleSchema reads the schema from the text of a module.rs: the
// hand-written reader's EXPECTED_KEYS list and match arms (Linux 6.1 to
// 6.18), or the syn parser's parse_ordered_fields! lines (7.x). An error
// means the text has neither (a kernel whose macro is written some
// other way): callers fall back to the built-in schema.
func ParseModuleSchema(ctx context.Context, path string, src []byte) (*ModuleSchema, error) {
	return parseModuleSchema(ctx, path, src, nil)
}

func parseModuleSchema(ctx context.Context, path string, src []byte, ascii map[string]bool) (*ModuleSchema, error) {
	f, err := Parse(ctx, path, src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	expected, ok := constStrings(f, "EXPECTED_KEYS")
	if !ok || len(expected) == 0 {
		if s, ok := synModuleSchema(path, src, ascii); ok {
			s.readMessages(f) // the panics outside the macro (none in 7.2)
			return s, nil
		}
		return nil, fmt.Errorf("%s: no EXPECTED_KEYS list and no syn parser of the keys", path)
	}
	required, hasRequired := constStrings(f, "REQUIRED_KEYS")
	if !hasRequired {
		required = []string{"type", "name", "license"}
	}
	s := &ModuleSchema{Source: path, Messages: defaultMessages}
	// Escapes and raw strings are rejected only where the tree's string
	// reader says so (helpers.rs, or module.rs in kernels that keep their
	// helpers there).
	s.Messages.Escape, s.Messages.Raw = RustFormat{}, RustFormat{}
	s.Comma = commaAsserted(f)
	for _, name := range expected {
		if s.Index(name) >= 0 {
			continue
		}
		k := ModuleKey{Name: name, Required: slices.Contains(required, name)}
		k.Helper, k.Kind = armHelper(f, name)
		if k.Kind == ValueParams {
			if k.Params = handParams(src, k.Helper, s); k.Params == nil {
				k.Kind = ValueGroup
			}
		}
		s.Keys = append(s.Keys, k)
	}
	s.readMessages(f)
	s.applyHelperMessages(helperMessages(src))
	return s, nil
}

// commaAssertRE is module.rs's check of the `,` after a value.
var commaAssertRE = regexp.MustCompile(`expect_punct\s*\(\s*\w+\s*\)\s*,\s*','`)

// commaAsserted reports whether module.rs's code checks for a `,` after
// each value.
func commaAsserted(f *File) bool {
	for _, m := range commaAssertRE.FindAllIndex(f.Src, -1) {
		if !inCommentOrString(f.PathTo(m[0], m[0]+len("expect_punct"))) {
			return true
		}
	}
	return false
}

// helperMessage is the message of a panic! or .expect() of a macro
// helper, with the fn it is in.
type helperMessage struct {
	Fn, Call string // "panic" or "expect"
	Format   RustFormat
}

// helperMessages reads the panic! and .expect() messages of a proc-macro
// source file (helpers.rs) by tokens, in order.
func helperMessages(src []byte) []helperMessage {
	var out []helperMessage
	l := &cfgLexer{src: src, end: len(src)}
	fn, prev := "", ""
	for {
		k, s, e := l.next()
		if k == tokEOF {
			return out
		}
		tok := string(src[s:e])
		if k == tokOther && tok == "'" {
			l.pos = skipCharLiteral(src, s, len(src))
			l.has = false
			prev = "'"
			continue
		}
		if k == tokIdent {
			switch {
			case prev == "fn":
				fn = tok
			case tok == "panic":
				if k2, s2, e2 := l.peek(); k2 == tokOther && src[s2] == '!' {
					if m, ok := macroFormat(src, e2); ok {
						out = append(out, helperMessage{fn, "panic", m})
					}
				}
			case tok == "expect" && prev == ".":
				if k2, s2, _ := l.peek(); k2 == tokOpen {
					if m, ok := macroFormat(src, s2); ok {
						out = append(out, helperMessage{fn, "expect", m})
					}
				}
			}
		}
		prev = tok
	}
}

// applyHelperMessages takes expect_punct's messages and try_string's
// panics on escapes and raw strings.
func (s *ModuleSchema) applyHelperMessages(ms []helperMessage) {
	for _, m := range ms {
		low := strings.ToLower(m.Format.Format)
		switch {
		case m.Fn == "expect_punct" && m.Call == "panic":
			s.Messages.Punct = m.Format
		case m.Fn == "expect_punct" && m.Call == "expect":
			s.Messages.PunctEnd = m.Format
		case m.Call == "panic" && strings.Contains(low, "escape"):
			s.Messages.Escape = m.Format
		case m.Call == "panic" && strings.Contains(low, "raw string"):
			s.Messages.Raw = m.Format
		}
	}
}

// constStrings reads the string literals of `const NAME: ... = ...;` in
// code (not in a comment or string).
func constStrings(f *File, name string) ([]string, bool) {
	src := f.Src
	for _, c := range wordCandidates(src, name, func(s, e int) bool {
		p := prevNonSpace(src, s)
		return p >= 4 && string(src[p-4:p+1]) == "const"
	}) {
		path := f.PathTo(c.Start, c.End)
		if inCommentOrString(path) {
			continue
		}
		eq := bytes.IndexByte(src[c.End:], '=')
		if eq < 0 {
			continue
		}
		l := &cfgLexer{src: src, pos: c.End + eq + 1, end: len(src)}
		var out []string
		for {
			k, s, e := l.next()
			if k == tokEOF || k == tokOther && src[s] == ';' {
				break
			}
			if k == tokString {
				if v, ok := unquote(src[s:e]); ok {
					out = append(out, v)
				}
			}
		}
		return out, true
	}
	return nil, false
}

// helperRE finds the call that reads a value in a match arm.
var helperRE = regexp.MustCompile(`\b((?:expect|try|parse)_[a-z_]+)\s*\(`)

// armHelper finds the match arm `"name" => ...` in code and the helper
// it reads the value with.
func armHelper(f *File, name string) (string, ModuleValueKind) {
	src := f.Src
	lit := []byte(`"` + name + `"`)
	for i := 0; ; {
		j := bytes.Index(src[i:], lit)
		if j < 0 {
			return "", ValueUnknown
		}
		s := i + j
		i = s + len(lit)
		k := skipSpace(src, i)
		if !bytes.HasPrefix(src[k:], []byte("=>")) {
			continue
		}
		path := f.PathTo(s, i)
		var arm *PathNode
		for n := range path {
			if path[n].Kind == K.MatchArm {
				arm = &path[n]
			}
		}
		if arm == nil {
			continue
		}
		m := helperRE.FindSubmatch(src[k:arm.End])
		if m == nil {
			return "", ValueUnknown
		}
		h := string(m[1])
		return h, helperKind(h)
	}
}

// helperKind maps module.rs's value readers to value kinds.
func helperKind(h string) ModuleValueKind {
	switch {
	case strings.Contains(h, "ident"):
		return ValueIdent
	case strings.Contains(h, "string_array"), strings.Contains(h, "str_array"):
		return ValueStringArray
	case strings.Contains(h, "byte_string"):
		return ValueByteString
	case strings.Contains(h, "string_ascii"), strings.Contains(h, "ascii"):
		return ValueASCIIString
	case strings.Contains(h, "string"):
		return ValueString
	case strings.Contains(h, "params"):
		return ValueParams
	case strings.Contains(h, "group"):
		return ValueGroup
	}
	return ValueUnknown
}

// readMessages takes module.rs's panic! messages for the checks it makes.
func (s *ModuleSchema) readMessages(f *File) {
	src := f.Src
	for _, c := range wordCandidates(src, "panic", func(_, e int) bool {
		return e < len(src) && src[e] == '!'
	}) {
		if inCommentOrString(f.PathTo(c.Start, c.End)) {
			continue
		}
		m, ok := macroFormat(src, c.End+1)
		if !ok {
			continue
		}
		low := strings.ToLower(m.Format)
		switch {
		case strings.Contains(low, "unknown key"):
			s.Messages.Unknown = m
		case strings.Contains(low, "duplicate"):
			s.Messages.Duplicate = m
		case strings.Contains(low, "missing"):
			s.Messages.Missing = m
		case strings.Contains(low, "order"):
			s.Messages.Order = m
			s.Ordered = true
		}
	}
}

// macroFormat reads `(FORMAT, args...)` of a formatting macro call whose
// open delimiter is at or after i.
func macroFormat(src []byte, i int) (RustFormat, bool) {
	l := &cfgLexer{src: src, pos: i, end: len(src)}
	if k, _, _ := l.next(); k != tokOpen {
		return RustFormat{}, false
	}
	k, s, e := l.next()
	if k != tokString {
		return RustFormat{}, false
	}
	v, ok := unquote(src[s:e])
	if !ok {
		return RustFormat{}, false
	}
	m := RustFormat{Format: v}
	depth, argStart := 0, -1
	for {
		k, s, e := l.next()
		switch {
		case k == tokEOF:
			return m, true
		case k == tokOpen:
			depth++
		case k == tokClose && depth == 0, k == tokComma && depth == 0:
			if argStart >= 0 {
				m.Args = append(m.Args, strings.TrimSpace(string(src[argStart:s])))
			}
			if k == tokClose {
				return m, true
			}
			argStart = -1
			continue
		case k == tokClose:
			depth--
		}
		if argStart < 0 {
			argStart = s
		}
		_ = e
	}
}

// asciiMessage finds the message of the ASCII check in helpers.rs's
// expect_string_ascii.
func asciiMessage(src []byte) (RustFormat, bool) {
	i := bytes.Index(src, []byte("fn expect_string_ascii"))
	if i < 0 {
		return RustFormat{}, false
	}
	body := src[i:]
	if j := bytes.Index(body, []byte("\nfn ")); j > 0 {
		body = body[:j]
	}
	j := bytes.Index(body, []byte("is_ascii()"))
	if j < 0 {
		return RustFormat{}, false
	}
	k := bytes.IndexByte(body[j:], ',')
	if k < 0 {
		return RustFormat{}, false
	}
	l := &cfgLexer{src: body, pos: j + k + 1, end: len(body)}
	if t, s, e := l.next(); t == tokString {
		if v, ok := unquote(body[s:e]); ok {
			return RustFormat{Format: v}, true
		}
	}
	return RustFormat{}, false
}

// Render formats m as Rust would, with vars giving the values of named
// arguments and of the expressions of positional ones. Lists are given
// already formatted ({:?} of a list is its Debug text).
func (m RustFormat) Render(vars map[string]string) string {
	var b strings.Builder
	f := m.Format
	pos := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '{' && i+1 < len(f) && f[i+1] == '{', c == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte(c)
			i++
		case c == '{':
			j := strings.IndexByte(f[i:], '}')
			if j < 0 {
				b.WriteString(f[i:])
				return b.String()
			}
			spec := f[i+1 : i+j]
			name, _, _ := strings.Cut(spec, ":")
			if name == "" && pos < len(m.Args) {
				name = m.Args[pos]
				pos++
			}
			name = strings.TrimLeft(strings.TrimSpace(name), "&")
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(f[i : i+j+1])
			}
			i += j
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// DebugList formats a list of strings as Rust's {:?} does.
func DebugList(items []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(fmt.Sprintf("%q", s))
	}
	b.WriteByte(']')
	return b.String()
}

// macroDoc returns the doc comment of `pub fn name(` in a proc-macro
// crate's lib.rs, without the `///` markers.
func macroDoc(src []byte, name string) (string, bool) {
	i := bytes.Index(src, []byte("pub fn "+name+"("))
	if i < 0 {
		return "", false
	}
	lines := strings.Split(string(src[:i]), "\n")
	end := len(lines) - 1 // the line of the fn
	startLine := end
	for startLine > 0 {
		t := strings.TrimSpace(lines[startLine-1])
		if strings.HasPrefix(t, "///") || strings.HasPrefix(t, "#[") {
			startLine--
			continue
		}
		break
	}
	var doc []string
	for _, l := range lines[startLine:end] {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "///") {
			continue
		}
		t = strings.TrimPrefix(t, "///")
		t = strings.TrimPrefix(t, " ")
		doc = append(doc, t)
	}
	return strings.Join(doc, "\n"), len(doc) > 0
}

// keyDocRE matches a key's bullet in the macro's doc: "- `name`: text".
var keyDocRE = regexp.MustCompile("^\\s*[-*]\\s+`([a-z_]+)`\\s*:\\s*(.*)$")

// applyDocs sets each key's Doc from the bullets of the macro's doc
// ("# Supported argument types"); continuation lines are joined.
func (s *ModuleSchema) applyDocs(doc string) {
	docs := KeyDocs(doc)
	for i := range s.Keys {
		if d, ok := docs[s.Keys[i].Name]; ok {
			s.Keys[i].Doc = d
		} else if s.Keys[i].Kind == ValueParams {
			// 7.x describes params in prose, not in the list of keys.
			s.Keys[i].Doc = paramsDoc(doc, s.Keys[i].Name)
		}
	}
}

// KeyDocs reads "- `key`: text" bullets of a macro's documentation.
func KeyDocs(doc string) map[string]string {
	out := map[string]string{}
	cur := ""
	inFence := false
	for _, l := range strings.Split(doc, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			inFence = !inFence
			cur = ""
			continue
		}
		if inFence {
			continue
		}
		if m := keyDocRE.FindStringSubmatch(l); m != nil {
			if _, seen := out[m[1]]; !seen {
				cur = m[1]
				out[cur] = strings.TrimSpace(m[2])
				continue
			}
		}
		if cur != "" && t != "" && !strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "-") && (strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "\t")) {
			out[cur] += " " + t
			continue
		}
		cur = ""
	}
	return out
}
