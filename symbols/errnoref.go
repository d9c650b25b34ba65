package symbols

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

// Where a Rust file names an error code: an errno constant (EINVAL,
// code::EINVAL, kernel::error::code::EINVAL, bindings::EINVAL, a leaf of
// `use kernel::error::code::{EINVAL, ...}`), or a number given to a
// function that takes one (Error::from_errno(-22), to_result(-22)).

// ErrnoRef is an error code named at a place of a Rust file.
type ErrnoRef struct {
	// Span is the name, or the literal with its minus sign.
	Span Span
	// Name is the constant's name ("" for a number).
	Name string
	// Path is the path written before the name ("kernel::error::code").
	Path string
	// Value is the number as written, with its sign (for a number).
	Value int64
	// Func is the function the number is given to ("from_errno",
	// "to_result"), and Callee its path as written ("Error::from_errno").
	Func, Callee string
}

// IsNumber reports whether the reference is a number rather than a name.
func (r ErrnoRef) IsNumber() bool { return r.Name == "" }

// errnoFuncs are the functions whose argument is an errno number.
var errnoFuncs = map[string]bool{
	"from_errno": true, "try_from_errno": true, "from_errno_unchecked": true, "to_result": true,
}

// errnoPathEnds are the modules whose constants are error codes: the
// kernel crate's error::code, and the generated bindings.
var errnoPathEnds = map[string]bool{"code": true, "bindings": true, "uapi": true}

// ErrnoRefAt finds the error code at offset: a name known(name) accepts,
// in a path or expression (not a declaration, comment or string), or an
// integer literal that is the whole argument of an errno function. The
// text decides the candidate; the tree is asked only about it.
func ErrnoRefAt(f *File, offset int, known func(name string) bool) (ErrnoRef, bool) {
	src := f.Src
	if offset < 0 || offset > len(src) {
		return ErrnoRef{}, false
	}
	// On the minus sign of a negative number: the number.
	if offset < len(src) && src[offset] == '-' {
		if j := skipSpace(src, offset+1); j < len(src) && src[j] >= '0' && src[j] <= '9' {
			offset = j
		}
	}
	s, e := offset, offset
	for s > 0 && IsIdentByte(src[s-1]) {
		s--
	}
	for e < len(src) && IsIdentByte(src[e]) {
		e++
	}
	if s == e {
		return ErrnoRef{}, false
	}
	if src[s] >= '0' && src[s] <= '9' {
		return errnoNumberAt(f, s, e)
	}
	name := string(src[s:e])
	if !isErrnoName(name) || !known(name) {
		return ErrnoRef{}, false
	}
	return errnoNameAt(f, s, e, name)
}

// errnoNumberAt: the literal src[s:e], with an optional minus, as the
// only argument of an errno function.
func errnoNumberAt(f *File, s, e int) (ErrnoRef, bool) {
	src := f.Src
	v, ok := parseIntLiteral(string(src[s:e]))
	if !ok {
		return ErrnoRef{}, false
	}
	start := s
	open := prevNonSpace(src, s)
	if open >= 0 && src[open] == '-' {
		v, start = -v, open
		open = prevNonSpace(src, open)
	}
	if open < 0 || src[open] != '(' {
		return ErrnoRef{}, false
	}
	after := skipSpace(src, e)
	if after < len(src) && src[after] == ',' {
		after = skipSpace(src, after+1)
	}
	if after >= len(src) || src[after] != ')' {
		return ErrnoRef{}, false
	}
	segs, _ := pathBefore(src, open)
	if len(segs) == 0 || !errnoFuncs[segs[len(segs)-1]] {
		return ErrnoRef{}, false
	}
	path := f.PathTo(s, e)
	if leaf := path[len(path)-1]; leaf.Kind != K.IntegerLiteral || leaf.Start != s || leaf.End != e {
		return ErrnoRef{}, false
	}
	return ErrnoRef{Span: Span{start, e}, Value: v, Func: segs[len(segs)-1], Callee: strings.Join(segs, "::")}, true
}

// parseIntLiteral reads a Rust integer literal: decimal, 0x, 0o, 0b,
// underscores, a type suffix.
func parseIntLiteral(lit string) (int64, bool) {
	lit = strings.ReplaceAll(lit, "_", "")
	base := 10
	switch {
	case strings.HasPrefix(lit, "0x"):
		base, lit = 16, lit[2:]
	case strings.HasPrefix(lit, "0o"):
		base, lit = 8, lit[2:]
	case strings.HasPrefix(lit, "0b"):
		base, lit = 2, lit[2:]
	}
	if i := strings.IndexAny(lit, "iu"); i >= 0 {
		lit = lit[:i]
	}
	v, err := strconv.ParseInt(lit, base, 64)
	return v, err == nil
}

// pathBefore reads the path that ends right before end (blanks allowed
// around `::`), returning its segments and where it starts.
func pathBefore(src []byte, end int) ([]string, int) {
	var segs []string
	i := prevNonSpace(src, end) + 1
	start := i
	for {
		e := i
		for i > 0 && IsIdentByte(src[i-1]) {
			i--
		}
		if i == e || src[i] >= '0' && src[i] <= '9' {
			break
		}
		segs = append(segs, string(src[i:e]))
		start = i
		j := prevNonSpace(src, i)
		if j < 1 || src[j] != ':' || src[j-1] != ':' {
			break
		}
		i = prevNonSpace(src, j-1) + 1
	}
	for l, r := 0, len(segs)-1; l < r; l, r = l+1, r-1 {
		segs[l], segs[r] = segs[r], segs[l]
	}
	return segs, start
}

// errnoNameAt: the known name src[s:e] as a constant of an errno module,
// or bare in an expression of a file that does not define it.
func errnoNameAt(f *File, s, e int, name string) (ErrnoRef, bool) {
	src := f.Src
	// Not a path prefix (EINVAL::x), a macro (EINVAL!) or a call.
	if n := skipSpace(src, e); n < len(src) && (src[n] == '!' || src[n] == '(' ||
		src[n] == ':' && n+1 < len(src) && src[n+1] == ':') {
		return ErrnoRef{}, false
	}
	path := f.PathTo(s, e)
	leaf := path[len(path)-1]
	if leaf.Kind != K.Identifier || leaf.Start != s || leaf.End != e || len(path) < 2 {
		return ErrnoRef{}, false
	}
	for _, p := range path {
		if p.Kind == K.AttributeItem || p.Kind == K.InnerAttributeItem {
			return ErrnoRef{}, false
		}
	}
	ref := ErrnoRef{Span: Span{s, e}, Name: name}
	if j := prevNonSpace(src, s); j >= 1 && src[j] == ':' && src[j-1] == ':' {
		segs, _ := pathBefore(src, prevNonSpace(src, j-1)+1)
		if len(segs) == 0 || !errnoPathEnds[segs[len(segs)-1]] {
			return ErrnoRef{}, false
		}
		ref.Path = strings.Join(segs, "::")
		return ref, true
	}
	// A leaf of `use ...::code::{EINVAL, ...}`.
	for i := len(path) - 2; i >= 1; i-- {
		if path[i].Kind == K.UseList && path[i-1].Kind == K.ScopedUseList {
			p := path[i-1].Node.ChildByFieldName("path")
			if p == nil {
				return ErrnoRef{}, false
			}
			segs := strings.Split(strings.Join(strings.Fields(string(f.Text(p))), ""), "::")
			if !errnoPathEnds[segs[len(segs)-1]] {
				return ErrnoRef{}, false
			}
			ref.Path = strings.Join(segs, "::")
			return ref, true
		}
		if path[i].Kind == K.UseDeclaration {
			return ErrnoRef{}, false
		}
	}
	// Bare: not what a declaration names, and not a name the file
	// defines itself.
	parent := path[len(path)-2]
	if parent.Kind != K.TokenTree {
		for _, field := range []string{"name", "pattern"} {
			if c := parent.Node.ChildByFieldName(field); c != nil && int(c.StartByte()) == s {
				return ErrnoRef{}, false
			}
		}
	}
	if definesName(src, name) {
		return ErrnoRef{}, false
	}
	return ref, true
}

// definesName reports whether the text declares name itself (a const,
// static, fn, let binding, type or module), so that a bare use of it is
// not the errno.
func definesName(src []byte, name string) bool {
	if !bytes.Contains(src, []byte(name)) {
		return false
	}
	re := regexp.MustCompile(`\b(?:const|static|fn|let|struct|enum|mod|type|use)\s+(?:mut\s+)?` + regexp.QuoteMeta(name) + `\b|\bas\s+` + regexp.QuoteMeta(name) + `\b`)
	return re.Match(src)
}
