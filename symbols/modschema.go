package symbols

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
	case ValueGroup:
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
	case ValueGroup:
		return "{}"
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
	// (expect_string_ascii), or the macro_rules fragment ($x:ty).
	Helper string
}

// ModuleMessages are module.rs's panic messages as Rust format strings
// with their arguments, so that krls words its findings as the build
// would. Empty fields fall back to 6.12's wording.
type ModuleMessages struct {
	Unknown, Duplicate, Missing, Order, ASCII RustFormat
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
	// Messages are module.rs's panic messages.
	Messages ModuleMessages
	// Source is the module.rs read, or "" for the built-in fallback.
	Source string
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
}

// ErrNoModuleSchema: the tree has no rust/macros/module.rs.
var ErrNoModuleSchema = errors.New("no rust/macros/module.rs")

// ReadModuleSchema reads the module! schema of the tree at srctree from
// rust/macros/module.rs (keys, kinds, order, messages),
// rust/macros/helpers.rs (the ASCII message) and rust/macros/lib.rs (the
// documentation).
func ReadModuleSchema(ctx context.Context, srctree string) (*ModuleSchema, error) {
	path := filepath.Join(srctree, "rust", "macros", "module.rs")
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoModuleSchema, srctree)
	}
	if err != nil {
		return nil, fmt.Errorf("read module! schema: %w", err)
	}
	s, err := ParseModuleSchema(ctx, path, src)
	if err != nil {
		return nil, err
	}
	if h, err := os.ReadFile(filepath.Join(srctree, "rust", "macros", "helpers.rs")); err == nil {
		if m, ok := asciiMessage(h); ok {
			s.Messages.ASCII = m
		}
	}
	if lib, err := os.ReadFile(filepath.Join(srctree, "rust", "macros", "lib.rs")); err == nil {
		s.Doc, _ = macroDoc(lib, "module")
		s.applyDocs(s.Doc)
	}
	return s, nil
}

// ParseModuleSchema reads the schema from the text of a module.rs. An
// error means the text has no recognisable key list (a kernel whose
// macro is written some other way): callers fall back to the built-in
// schema.
func ParseModuleSchema(ctx context.Context, path string, src []byte) (*ModuleSchema, error) {
	f, err := Parse(ctx, path, src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	expected, ok := constStrings(f, "EXPECTED_KEYS")
	if !ok || len(expected) == 0 {
		return nil, fmt.Errorf("%s: no EXPECTED_KEYS list", path)
	}
	required, hasRequired := constStrings(f, "REQUIRED_KEYS")
	if !hasRequired {
		required = []string{"type", "name", "license"}
	}
	s := &ModuleSchema{Source: path, Messages: defaultMessages}
	for _, name := range expected {
		if s.Index(name) >= 0 {
			continue
		}
		k := ModuleKey{Name: name, Required: contains(required, name)}
		k.Helper, k.Kind = armHelper(f, name)
		s.Keys = append(s.Keys, k)
	}
	s.readMessages(f)
	return s, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
	case strings.Contains(h, "group"), strings.Contains(h, "params"):
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
