package symbols

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The errno table, read from the tree: the C headers that define the
// numbers (include/uapi/asm-generic/errno-base.h and errno.h, the
// kernel-internal include/linux/errno.h, and each arch's own
// arch/*/include/uapi/asm/errno.h), joined with the Rust doc strings of
// declare_err! in rust/kernel/error.rs.

// Srctree-relative paths of the errno headers.
const (
	ErrnoBaseHeader     = "include/uapi/asm-generic/errno-base.h"
	ErrnoGenericHeader  = "include/uapi/asm-generic/errno.h"
	ErrnoInternalHeader = "include/linux/errno.h"
	ErrnoRustFile       = "rust/kernel/error.rs"
)

// Errno is one error code as one architecture defines it.
type Errno struct {
	Name  string
	Value int
	// Alias is the name this one is defined as (EWOULDBLOCK → EAGAIN).
	Alias string
	// Comment is the C comment on the #define line; Note is the comment
	// block above its group of #defines (no blank line between).
	Comment, Note string
	// File (srctree-relative) and Line (1-based) of the #define.
	File string
	Line int
	// Internal marks the kernel's own codes (include/linux/errno.h, all
	// ≥ 512), which user space never sees. (Not every code ≥ 512 is
	// internal: EDQUOT is 1133 on mips.)
	Internal bool
}

// RustErrno is a declare_err! of rust/kernel/error.rs.
type RustErrno struct {
	Doc  string
	File string
	Line int
}

// ErrnoSet is the table of one architecture (or the generic one).
type ErrnoSet struct {
	byName map[string]*Errno
	sorted []*Errno // by value, then non-aliases first, then name
}

// Lookup returns the code named name.
func (s *ErrnoSet) Lookup(name string) (*Errno, bool) {
	if s == nil {
		return nil, false
	}
	e, ok := s.byName[name]
	return e, ok
}

// ByValue returns the codes whose value is v, real definitions before
// aliases.
func (s *ErrnoSet) ByValue(v int) []*Errno {
	if s == nil {
		return nil
	}
	i, _ := slices.BinarySearchFunc(s.sorted, v, func(e *Errno, v int) int { return e.Value - v })
	j := i
	for j < len(s.sorted) && s.sorted[j].Value == v {
		j++
	}
	return s.sorted[i:j]
}

// All returns the codes ordered by value.
func (s *ErrnoSet) All() []*Errno {
	if s == nil {
		return nil
	}
	return s.sorted
}

func newErrnoSet(m map[string]*Errno) *ErrnoSet {
	s := &ErrnoSet{byName: m}
	for _, e := range m {
		s.sorted = append(s.sorted, e)
	}
	slices.SortFunc(s.sorted, func(a, b *Errno) int {
		if a.Value != b.Value {
			return a.Value - b.Value
		}
		if (a.Alias == "") != (b.Alias == "") {
			if a.Alias == "" {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return s
}

// ErrnoTable is what a tree says about error codes.
type ErrnoTable struct {
	// Srctree is the tree read ("" for the built-in table).
	Srctree string
	// Generic is the table of every arch without its own errno header.
	Generic *ErrnoSet
	// Arch maps the arch/ folders with their own uapi errno.h to their
	// table.
	Arch map[string]*ErrnoSet
	// Rust are the kernel crate's error codes by name, with their docs:
	// declare_err!s (6.2 on), or plain `pub const`s of `mod code` (6.1).
	Rust map[string]RustErrno
	// FromErrno is how error.rs makes an Error of a raw errno
	// ("Error::from_errno"; "Error::from_kernel_errno" before 6.3), ""
	// when it has no such function (6.1).
	FromErrno string
	// Builtin says the table is krls's own copy, not read from a tree.
	Builtin bool
	// Files are the files read (absolute), for noticing changes.
	Files []string
	// Problems are what could not be understood (file:line: what); the
	// rest of the table stands.
	Problems []string
}

// For returns the table of an arch folder (kconfig.SrcArch of ARCH): its
// own, or the generic one.
func (t *ErrnoTable) For(srcarch string) *ErrnoSet {
	if s, ok := t.Arch[srcarch]; ok {
		return s
	}
	return t.Generic
}

// Known reports whether any arch defines name.
func (t *ErrnoTable) Known(name string) bool {
	if _, ok := t.Generic.Lookup(name); ok {
		return true
	}
	for _, s := range t.Arch {
		if _, ok := s.Lookup(name); ok {
			return true
		}
	}
	return false
}

// Arches returns the arch folders with their own table, sorted.
func (t *ErrnoTable) Arches() []string {
	var out []string
	for a := range t.Arch {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// ArchValue is the value of a code on an arch; Defined is false when the
// arch does not define it.
type ArchValue struct {
	Arch    string
	Value   int
	Defined bool
}

// Differences lists the arches whose value of name differs from the
// generic table's (or that lack it, or have it when the generic table
// does not), sorted by arch.
func (t *ErrnoTable) Differences(name string) []ArchValue {
	g, gok := t.Generic.Lookup(name)
	var out []ArchValue
	for _, a := range t.Arches() {
		e, ok := t.Arch[a].Lookup(name)
		switch {
		case ok && gok && e.Value == g.Value:
		case !ok && !gok:
		case ok:
			out = append(out, ArchValue{Arch: a, Value: e.Value, Defined: true})
		default:
			out = append(out, ArchValue{Arch: a})
		}
	}
	return out
}

// ReadErrnos reads the errno table of a source tree. An error means the
// generic headers could not be read; problems in other files are listed
// in Problems.
func ReadErrnos(srctree string) (*ErrnoTable, error) {
	r := &errnoReader{srctree: srctree, parsed: map[string]*ErrnoHeader{}}
	t := &ErrnoTable{Srctree: srctree, Arch: map[string]*ErrnoSet{}, Rust: map[string]RustErrno{}}
	var err error
	if t.Generic, err = r.set(ErrnoGenericHeader); err != nil {
		return nil, fmt.Errorf("read the errno table of %s: %w", srctree, err)
	}
	headers, _ := filepath.Glob(filepath.Join(srctree, "arch", "*", "include", "uapi", "asm", "errno.h"))
	for _, h := range headers {
		arch := filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(h)))))
		rel := "arch/" + arch + "/include/uapi/asm/errno.h"
		if t.Arch[arch], err = r.set(rel); err != nil {
			r.problem("%v", err)
			delete(t.Arch, arch)
		}
	}
	rs := filepath.Join(srctree, ErrnoRustFile)
	if src, err := os.ReadFile(rs); err == nil {
		r.files = append(r.files, rs)
		for _, d := range ParseDeclareErr(src) {
			t.Rust[d.Name] = RustErrno{Doc: d.Doc, File: ErrnoRustFile, Line: d.Line}
		}
		if m := fromErrnoRE.FindSubmatch(src); m != nil {
			t.FromErrno = "Error::" + string(m[1])
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		r.problem("%v", err)
	}
	t.Files = r.files
	t.Problems = r.problems
	return t, nil
}

// BuiltinErrnos is krls's own copy of the generic table (BuiltinVersion),
// for files that belong to no tree. Its codes have no file positions. It
// is built once and shared: callers must not modify it.
func BuiltinErrnos() *ErrnoTable { return builtinErrnos() }

var builtinErrnos = sync.OnceValue(func() *ErrnoTable {
	r := &errnoReader{parsed: map[string]*ErrnoHeader{
		ErrnoGenericHeader:  ParseErrnoHeader(ErrnoGenericHeader, []byte(builtinUAPI)),
		ErrnoInternalHeader: ParseErrnoHeader(ErrnoInternalHeader, []byte(builtinInternal)),
	}}
	generic, err := r.set(ErrnoGenericHeader)
	if err != nil || len(r.problems) > 0 {
		panic(fmt.Sprintf("the built-in errno table: %v %v", err, r.problems))
	}
	for _, e := range generic.sorted {
		e.File, e.Line = "", 0
	}
	return &ErrnoTable{Generic: generic, Arch: map[string]*ErrnoSet{}, Rust: map[string]RustErrno{}, Builtin: true}
})

// BuiltinVersion is the kernel the built-in table was taken from.
const BuiltinVersion = builtinVersion

// set is the table the preprocessor sees with top as <asm/errno.h>:
// top, then include/linux/errno.h.
func (r *errnoReader) set(top string) (*ErrnoSet, error) {
	m, seen := map[string]*Errno{}, map[string]bool{}
	if err := r.apply(m, top, seen); err != nil {
		return nil, err
	}
	if err := r.apply(m, ErrnoInternalHeader, seen); err != nil && !r.noInternal {
		// Not fatal: the uapi codes stand without the kernel's own.
		r.problem("%v", err)
		r.noInternal = true
	}
	r.resolve(m)
	return newErrnoSet(m), nil
}

type errnoReader struct {
	srctree  string
	parsed   map[string]*ErrnoHeader
	files    []string
	problems []string
	// noInternal: include/linux/errno.h could not be read (said once).
	noInternal bool
}

func (r *errnoReader) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *errnoReader) header(rel string) (*ErrnoHeader, error) {
	if h, ok := r.parsed[rel]; ok {
		return h, nil
	}
	path := filepath.Join(r.srctree, rel)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r.files = append(r.files, path)
	h := ParseErrnoHeader(rel, src)
	for _, p := range h.Problems {
		r.problem("%s", p)
	}
	r.parsed[rel] = h
	return h, nil
}

// includeTarget maps an #include of an errno header to the file it
// reads, or "" for the includes that reach the arch's own header (which
// the caller has applied already) or are not errno headers.
func includeTarget(inc string) string {
	switch inc {
	case "asm-generic/errno-base.h", "uapi/asm-generic/errno-base.h":
		return ErrnoBaseHeader
	case "asm-generic/errno.h", "uapi/asm-generic/errno.h":
		return ErrnoGenericHeader
	}
	return ""
}

// apply runs the directives of a header over m as the preprocessor
// would: includes, #undef and #define in order. Each header is applied
// once per table (seen), as its include guard makes the preprocessor do.
func (r *errnoReader) apply(m map[string]*Errno, rel string, seen map[string]bool) error {
	if seen[rel] {
		return nil
	}
	seen[rel] = true
	h, err := r.header(rel)
	if err != nil {
		return err
	}
	for _, d := range h.Directives {
		switch d.Kind {
		case DirInclude:
			if target := includeTarget(d.Name); target != "" {
				if err := r.apply(m, target, seen); err != nil {
					r.problem("%s:%d: #include <%s>: %v", rel, d.Line, d.Name, err)
				}
			}
		case DirUndef:
			delete(m, d.Name)
		case DirDefine:
			m[d.Name] = &Errno{Name: d.Name, Value: d.Value, Alias: d.Alias, Comment: d.Comment, Note: d.Note,
				File: rel, Line: d.Line, Internal: rel == ErrnoInternalHeader}
		}
	}
	return nil
}

// resolve gives aliases the value of what they name, as the preprocessor
// does when the macro is used (so the last definition counts), and drops
// those that name nothing.
func (r *errnoReader) resolve(m map[string]*Errno) {
	for name, e := range m {
		if e.Alias == "" {
			continue
		}
		target, seen := e, 0
		for target != nil && target.Alias != "" && seen <= len(m) {
			target = m[target.Alias]
			seen++
		}
		if target == nil || target.Alias != "" {
			r.problem("%s:%d: %s is defined as %s, which is not an error number", e.File, e.Line, name, e.Alias)
			delete(m, name)
			continue
		}
		e.Value = target.Value
		if e.Comment == "" {
			e.Comment = target.Comment
		}
	}
}

// DirectiveKind is the kind of a preprocessor directive of an errno
// header.
type DirectiveKind int

// The directives an errno header uses.
const (
	DirDefine DirectiveKind = iota
	DirUndef
	DirInclude
)

// ErrnoDirective is a directive that matters to the table: a #define of
// an E name to a number or another name, an #undef, or an #include <...>.
type ErrnoDirective struct {
	Kind DirectiveKind
	// Name is the macro, or the included path.
	Name string
	// Value, or Alias when the definition is another name.
	Value int
	Alias string
	// Comment is the comment on the line; Note the comment block above.
	Comment, Note string
	Line          int
}

// ErrnoHeader is a parsed errno header.
type ErrnoHeader struct {
	Path       string
	Directives []ErrnoDirective
	// Problems are the lines that look like errno definitions but could
	// not be read (path:line: what).
	Problems []string
}

// ParseErrnoHeader reads the directives of an errno header. It is a
// line-oriented reader, not a preprocessor: conditionals are ignored
// (errno headers only use include guards), and only #defines of names
// that start with E to a decimal number or a name count.
func ParseErrnoHeader(path string, src []byte) *ErrnoHeader {
	h := &ErrnoHeader{Path: path}
	var (
		inComment  bool
		note       []string // the comment block above the current group
		collecting bool     // the previous line was a comment alone
		// cont is the directive whose line comment goes on to the next
		// lines (-1: none; -2: a line that is not a directive).
		cont = -1
	)
	lines := bytes.Split(src, []byte("\n"))
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := lines[i]
		// Backslash continuations join lines (outside comments).
		for !inComment && i+1 < len(lines) {
			t := bytes.TrimRight(line, " \t\r")
			if !bytes.HasSuffix(t, []byte("\\")) {
				break
			}
			line = append(append([]byte{}, t[:len(t)-1]...), lines[i+1]...)
			i++
		}
		wasComment := inComment
		code, comment, open := splitComment(line, inComment)
		inComment = open
		codeText := strings.TrimSpace(string(code))
		if codeText == "" && wasComment && cont != -1 {
			if cont >= 0 {
				d := &h.Directives[cont]
				d.Comment = cleanComment(append([]string{d.Comment}, comment...))
			}
			if !open {
				cont = -1
			}
			continue
		}
		if codeText == "" {
			switch {
			case len(comment) > 0 || wasComment:
				if !collecting {
					note = nil
				}
				note = append(note, comment...)
				collecting = true
			default: // a blank line ends the group
				note, collecting = nil, false
			}
			continue
		}
		collecting = false
		d, ok, problem := parseDirective(codeText)
		if problem != "" {
			h.Problems = append(h.Problems, fmt.Sprintf("%s:%d: %s", path, lineNo, problem))
		}
		cont = -1
		if open {
			cont = -2
			if ok {
				cont = len(h.Directives)
			}
		}
		if !ok {
			continue
		}
		d.Line = lineNo
		d.Comment = cleanComment(comment)
		d.Note = cleanComment(note)
		h.Directives = append(h.Directives, d)
	}
	return h
}

// splitComment splits a line into its code and the text of its comments,
// given whether it starts inside a block comment; open says whether it
// ends inside one.
func splitComment(line []byte, inComment bool) (code []byte, comment []string, open bool) {
	var cur []byte
	i := 0
	for i < len(line) {
		if inComment {
			j := bytes.Index(line[i:], []byte("*/"))
			if j < 0 {
				cur = append(cur, line[i:]...)
				comment = append(comment, string(cur))
				return code, comment, true
			}
			cur = append(cur, line[i:i+j]...)
			comment = append(comment, string(cur))
			cur = nil
			inComment = false
			i += j + 2
			continue
		}
		switch {
		case bytes.HasPrefix(line[i:], []byte("/*")):
			inComment = true
			i += 2
			code = append(code, ' ')
		case bytes.HasPrefix(line[i:], []byte("//")):
			comment = append(comment, string(line[i+2:]))
			return code, comment, false
		default:
			code = append(code, line[i])
			i++
		}
	}
	return code, comment, inComment
}

// cleanComment joins comment lines into one text, without the leading
// stars of a block comment.
func cleanComment(parts []string) string {
	var words []string
	for _, p := range parts {
		p = strings.TrimSpace(p)
		p = strings.TrimLeft(p, "*")
		words = append(words, strings.Fields(p)...)
	}
	return strings.Join(words, " ")
}

// parseDirective reads one line of code. ok is false for lines that do not
// matter; problem says why a line that looks like an errno definition
// could not be read.
func parseDirective(code string) (d ErrnoDirective, ok bool, problem string) {
	rest, isDir := strings.CutPrefix(code, "#")
	if !isDir {
		return d, false, ""
	}
	rest = strings.TrimLeft(rest, " \t")
	word, args := cutWord(rest)
	switch word {
	case "include":
		args = strings.TrimSpace(args)
		if len(args) >= 2 && (args[0] == '<' && args[len(args)-1] == '>' || args[0] == '"' && args[len(args)-1] == '"') {
			return ErrnoDirective{Kind: DirInclude, Name: args[1 : len(args)-1]}, true, ""
		}
		return d, false, "malformed #include"
	case "undef":
		name, _ := cutWord(strings.TrimSpace(args))
		if !isErrnoName(name) {
			return d, false, ""
		}
		return ErrnoDirective{Kind: DirUndef, Name: name}, true, ""
	case "define":
		name, val := cutWord(strings.TrimSpace(args))
		if !isErrnoName(name) {
			return d, false, ""
		}
		val = strings.TrimSpace(val)
		if strings.HasPrefix(val, "(") && strings.HasSuffix(val, ")") {
			val = strings.TrimSpace(val[1 : len(val)-1])
		}
		switch {
		case val == "":
			return d, false, "#define " + name + " has no value"
		case isErrnoName(val):
			return ErrnoDirective{Kind: DirDefine, Name: name, Alias: val}, true, ""
		}
		n, err := strconv.Atoi(val)
		if err != nil || n <= 0 || n > 1<<20 {
			return d, false, "#define " + name + " " + val + ": not an error number"
		}
		return ErrnoDirective{Kind: DirDefine, Name: name, Value: n}, true, ""
	}
	return d, false, ""
}

// cutWord splits s at its first space or tab.
func cutWord(s string) (string, string) {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// isErrnoName reports whether s looks like an errno macro: E followed
// by capitals, digits and underscores (E2BIG, ERESTART_RESTARTBLOCK).
func isErrnoName(s string) bool {
	if len(s) < 2 || s[0] != 'E' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// DeclareErr is one declare_err!(NAME, "doc", ...) of rust/kernel/error.rs.
type DeclareErr struct {
	Name, Doc string
	Line      int
}

// fromErrnoRE finds error.rs's constructor of an Error from a raw errno.
var fromErrnoRE = regexp.MustCompile(`(?m)^\s*pub(?:\([a-z]+\))?\s+(?:const\s+)?fn\s+(from_errno|from_kernel_errno)\s*\(`)

// codeConstRE finds 6.1's error codes: `pub const ENOMEM: super::Error =`
// in `pub mod code`, with the `///` lines above.
var codeConstRE = regexp.MustCompile(`(?m)((?:^[ \t]*///[^\n]*\n)*)^[ \t]*pub const ([A-Z][A-Z0-9_]*)\s*:\s*(?:super::|crate::error::)?Error\s*=`)

// ParseDeclareErr finds the error codes a file declares, by text: the
// declare_err! invocations, skipping line comments and the macro's own
// definition (whose first argument is a metavariable), and the plain
// `pub const NAME: Error` of trees before declare_err! (6.1).
func ParseDeclareErr(src []byte) []DeclareErr {
	out := parseCodeConsts(src)
	const word = "declare_err!"
	lines := NewLines(src)
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte(word))
		if j < 0 {
			return out
		}
		start := i + j
		i = start + len(word)
		ln := lines.Line(start)
		if bytes.Contains(src[lines.Start(ln):start], []byte("//")) {
			continue
		}
		d, ok := parseDeclareErrArgs(src, i)
		if !ok {
			continue
		}
		d.Line = ln + 1
		out = append(out, d)
	}
}

// parseCodeConsts reads the `pub const NAME: Error = ...` codes of src.
func parseCodeConsts(src []byte) []DeclareErr {
	var out []DeclareErr
	lines := NewLines(src)
	for _, m := range codeConstRE.FindAllSubmatchIndex(src, -1) {
		name := string(src[m[4]:m[5]])
		if !isErrnoName(name) {
			continue
		}
		var doc []string
		for _, l := range strings.Split(strings.TrimSpace(string(src[m[2]:m[3]])), "\n") {
			if t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "///")); t != "" {
				doc = append(doc, t)
			}
		}
		out = append(out, DeclareErr{Name: name, Doc: strings.Join(doc, " "), Line: lines.Line(m[4]) + 1})
	}
	return out
}

// parseDeclareErrArgs reads `(NAME, "doc", "doc")` at src[i:].
func parseDeclareErrArgs(src []byte, i int) (DeclareErr, bool) {
	var d DeclareErr
	i = skipSpace(src, i)
	if i >= len(src) || src[i] != '(' {
		return d, false
	}
	i = skipSpace(src, i+1)
	s := i
	for i < len(src) && IsIdentByte(src[i]) {
		i++
	}
	d.Name = string(src[s:i])
	if !isErrnoName(d.Name) {
		return d, false
	}
	var docs []string
	for {
		i = skipSpace(src, i)
		if i < len(src) && src[i] == ')' {
			break
		}
		if i >= len(src) || src[i] != ',' {
			return d, false
		}
		i = skipSpace(src, i+1)
		if i < len(src) && src[i] == ')' {
			break
		}
		if i >= len(src) || src[i] != '"' {
			return d, false
		}
		end, ok := scanQuoted(src, i+1, len(src))
		if !ok {
			return d, false
		}
		doc, ok := unquote(src[i:end])
		if !ok {
			return d, false
		}
		docs = append(docs, doc)
		i = end
	}
	d.Doc = strings.Join(docs, "\n")
	return d, true
}
