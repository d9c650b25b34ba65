package diagnostics

import (
	"bytes"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// The calls an unsafe block makes, read from its text: what the
// undocumented-unsafe fix needs to name the callees whose contracts the
// SAFETY comment must justify. A text scan, like the rest of the SAFETY
// rules: the block is small and the scan skips comments, strings and
// character literals.

// callSite is one call in a block.
type callSite struct {
	at int // offset of the called name
	// segs is the path as written without generic arguments (`Arc`,
	// `from_raw`); for a method call only the method's name; for
	// `<T as Trait>::f`, Trait's path and f.
	segs   []string
	global bool // the path starts with `::`
	method bool
	// recv is a method's receiver when it is a plain name (`self`, `x`),
	// else "".
	recv string
}

// notCalled are keywords followed by `(` that are not calls.
var notCalled = map[string]bool{
	"if": true, "while": true, "match": true, "return": true, "for": true, "in": true, "loop": true,
	"as": true, "let": true, "move": true, "else": true, "mut": true, "ref": true, "fn": true,
	"unsafe": true, "where": true, "impl": true, "dyn": true, "break": true, "yield": true,
}

// scanCalls lists the calls in src[from:to], in text order, skipping the
// ranges in skip (sorted; nested unsafe blocks, which need their own
// comments).
func scanCalls(src []byte, from, to int, skip [][2]int) []callSite {
	var out []callSite
	to = min(to, len(src))
	for i := from; i < to; {
		for len(skip) > 0 && skip[0][1] <= i {
			skip = skip[1:]
		}
		if len(skip) > 0 && skip[0][0] <= i {
			i = skip[0][1]
			continue
		}
		c := src[i]
		switch {
		case c == '/' && i+1 < to && src[i+1] == '/':
			for i < to && src[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < to && src[i+1] == '*':
			i = skipBlockComment(src, i, to)
			continue
		case c == '"':
			i = skipString(src, i+1, to)
			continue
		case c == '\'':
			switch {
			case i+1 < to && src[i+1] == '\\':
				j := bytes.IndexByte(src[i+2:to], '\'')
				if j < 0 {
					return out
				}
				i += 3 + j
			case i+2 < to && src[i+2] == '\'':
				i += 3
			default:
				i++ // a lifetime
			}
			continue
		case !symbols.IsIdentStart(c):
			i++
			continue
		}
		j := i
		for j < to && symbols.IsIdentByte(src[j]) {
			j++
		}
		name := string(src[i:j])
		if (name == "r" || name == "br") && j < to && (src[j] == '"' || src[j] == '#') {
			i = skipRawString(src, j, to)
			continue
		}
		if name == "b" && j < to && (src[j] == '"' || src[j] == '\'') {
			i = j
			continue
		}
		k := skipSpaces(src, j, to)
		if k+2 < to && src[k] == ':' && src[k+1] == ':' {
			if a := skipSpaces(src, k+2, to); a < to && src[a] == '<' {
				k = skipSpaces(src, skipAngles(src, a, to), to)
			}
		}
		if k < to && src[k] == '(' && !notCalled[name] && prevWord(src, from, i) != "fn" {
			out = append(out, readCall(src, from, i, name))
		}
		i = j
	}
	return out
}

// readCall reads, backwards from the called name at i, the path or the
// receiver in front of it.
func readCall(src []byte, from, i int, name string) callSite {
	cs := callSite{at: i, segs: []string{name}}
	pos := i
	for {
		k := prevNonBlank(src, from, pos)
		if k >= from && src[k] == '.' {
			if k-1 >= from && src[k-1] == '.' {
				return cs // a range: `..f()`
			}
			cs.method = true
			r := prevNonBlank(src, from, k)
			if r < from || !symbols.IsIdentByte(src[r]) {
				return cs
			}
			s := identStartBack(src, from, r)
			if s > r || !symbols.IsIdentStart(src[s]) {
				return cs
			}
			if b := prevNonBlank(src, from, s); b >= from && (src[b] == '.' || src[b] == ':' || symbols.IsIdentByte(src[b])) {
				return cs // a field or a path: the receiver's type is not spelled out
			}
			cs.recv = string(src[s : r+1])
			return cs
		}
		if k < from+1 || src[k] != ':' || src[k-1] != ':' {
			return cs
		}
		k2 := prevNonBlank(src, from, k-1)
		if k2 < from {
			cs.global = true
			return cs
		}
		switch {
		case src[k2] == '>':
			open := matchAngleBack(src, from, k2)
			if open < 0 {
				return cs
			}
			b := prevNonBlank(src, from, open)
			if b >= from+1 && src[b] == ':' && src[b-1] == ':' {
				b = prevNonBlank(src, from, b-1) // Seg::<T>::f
			}
			if b >= from && symbols.IsIdentByte(src[b]) {
				s := identStartBack(src, from, b)
				cs.segs = append([]string{string(src[s : b+1])}, cs.segs...)
				pos = s
				continue
			}
			// <T as Trait>::f, <T>::f
			inner := string(src[open+1 : k2])
			if a := strings.LastIndex(inner, " as "); a >= 0 {
				inner = inner[a+4:]
			}
			if tp := typePaths(inner); len(tp) > 0 {
				cs.segs = append(append([]string(nil), tp[0]...), cs.segs...)
			}
			return cs
		case symbols.IsIdentByte(src[k2]):
			s := identStartBack(src, from, k2)
			cs.segs = append([]string{string(src[s : k2+1])}, cs.segs...)
			pos = s
		default:
			if src[k2] != ')' && src[k2] != ']' {
				cs.global = true
			}
			return cs
		}
	}
}

// typePaths reads a type as written (`&mut Arc<T>`, `Pin<&mut Self>`,
// `kernel::sync::Arc<Foo>`) into the paths a method on it may belong
// to: the type's own path, then that of its first generic argument (a
// method of a smart pointer's pointee). Raw pointers, tuples, slices and
// arrays give none.
func typePaths(t string) [][]string {
	var out [][]string
	for len(out) < 2 {
		t = trimTypePrefix(t)
		var segs []string
		i := 0
		for {
			j := i
			for j < len(t) && symbols.IsIdentByte(t[j]) {
				j++
			}
			if j == i || !symbols.IsIdentStart(t[i]) {
				break
			}
			segs = append(segs, t[i:j])
			i = j
			for i < len(t) && t[i] == ' ' {
				i++
			}
			if strings.HasPrefix(t[i:], "::") && !strings.HasPrefix(t[i:], "::<") {
				i += 2
				for i < len(t) && t[i] == ' ' {
					i++
				}
				continue
			}
			break
		}
		if len(segs) == 0 {
			break
		}
		out = append(out, segs)
		rest := strings.TrimPrefix(strings.TrimSpace(t[i:]), "::")
		if !strings.HasPrefix(rest, "<") {
			break
		}
		// The first generic argument.
		depth := 0
		end := len(rest)
	arg:
		for k := 1; k < len(rest); k++ {
			switch rest[k] {
			case '<', '(', '[':
				depth++
			case '>', ')', ']':
				if depth == 0 {
					end = k
					break arg
				}
				depth--
			case ',':
				if depth == 0 {
					end = k
					break arg
				}
			}
		}
		t = rest[1:end]
	}
	return out
}

// trimTypePrefix drops references, lifetimes, `mut`, `dyn` and `impl`.
func trimTypePrefix(t string) string {
	for {
		before := t
		t = strings.TrimLeft(t, " \t\r\n&")
		if strings.HasPrefix(t, "'") {
			i := 1
			for i < len(t) && symbols.IsIdentByte(t[i]) {
				i++
			}
			t = t[i:]
		}
		for _, kw := range []string{"mut", "dyn", "impl"} {
			if rest, ok := strings.CutPrefix(t, kw); ok && rest != "" && !symbols.IsIdentByte(rest[0]) {
				t = rest
			}
		}
		if t == before {
			return t
		}
	}
}

// declaredType finds the type written for name in src[from:to] (`name:
// Type` of a parameter, a let or a closure parameter), the last before
// to, or "".
func declaredType(src []byte, from, to int, name string) string {
	found := ""
	w := []byte(name)
	for i := from; i < to; {
		j := bytes.Index(src[i:to], w)
		if j < 0 {
			break
		}
		s := i + j
		e := s + len(w)
		i = e
		if s > 0 && (symbols.IsIdentByte(src[s-1]) || src[s-1] == ':' || src[s-1] == '.') || e < len(src) && symbols.IsIdentByte(src[e]) {
			continue
		}
		k := skipSpaces(src, e, to)
		if k+1 >= to || src[k] != ':' || src[k+1] == ':' {
			continue
		}
		// The type runs to a `,`, `)`, `=`, `;`, `|` or `{` outside
		// brackets.
		k++
		depth := 0
		end := k
	scan:
		for ; end < to; end++ {
			switch src[end] {
			case '<', '(', '[':
				depth++
			case '>':
				if end > 0 && src[end-1] == '-' {
					continue
				}
				depth--
			case ')', ']':
				if depth == 0 {
					break scan
				}
				depth--
			case ',', '=', ';', '|', '{':
				if depth <= 0 {
					break scan
				}
			}
		}
		if t := strings.TrimSpace(string(src[k:end])); t != "" {
			found = t
		}
	}
	return found
}

func skipSpaces(src []byte, i, to int) int {
	for i < to && isSpaceByte(src[i]) {
		i++
	}
	return i
}

// prevNonBlank is the offset of the last non-blank byte before i, not
// before from; from-1 when there is none.
func prevNonBlank(src []byte, from, i int) int {
	i--
	for i >= from && isSpaceByte(src[i]) {
		i--
	}
	return i
}

// identStartBack is where the identifier ending at src[end] starts.
func identStartBack(src []byte, from, end int) int {
	s := end
	for s > from && symbols.IsIdentByte(src[s-1]) {
		s--
	}
	return s
}

// prevWord is the identifier right before offset i (after blanks), or "".
func prevWord(src []byte, from, i int) string {
	k := prevNonBlank(src, from, i)
	if k < from || !symbols.IsIdentByte(src[k]) {
		return ""
	}
	return string(src[identStartBack(src, from, k) : k+1])
}

// matchAngleBack finds the `<` matching the `>` at close, or -1.
func matchAngleBack(src []byte, from, close int) int {
	depth := 0
	for i := close; i >= from; i-- {
		switch src[i] {
		case '>':
			if i > 0 && src[i-1] == '-' {
				continue
			}
			depth++
		case '<':
			depth--
			if depth == 0 {
				return i
			}
		case ';', '{', '}':
			return -1
		}
	}
	return -1
}

// skipAngles skips a balanced `<...>` starting at i.
func skipAngles(src []byte, i, to int) int {
	depth := 0
	for ; i < to; i++ {
		switch src[i] {
		case '<':
			depth++
		case '>':
			if i > 0 && src[i-1] == '-' {
				continue
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ';', '{', '}':
			return i
		}
	}
	return i
}

// skipBlockComment skips a (nested) block comment starting at i.
func skipBlockComment(src []byte, i, to int) int {
	depth := 0
	for i+1 < to {
		switch {
		case src[i] == '/' && src[i+1] == '*':
			depth++
			i += 2
		case src[i] == '*' && src[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return to
}

// skipString skips a string's text from i (after its opening quote).
func skipString(src []byte, i, to int) int {
	for i < to {
		switch src[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1
		default:
			i++
		}
	}
	return to
}

// skipRawString skips r#"..."# from i (at the first `#` or `"`).
func skipRawString(src []byte, i, to int) int {
	hashes := 0
	for i < to && src[i] == '#' {
		hashes++
		i++
	}
	if i >= to || src[i] != '"' {
		return i
	}
	closing := append([]byte{'"'}, bytes.Repeat([]byte{'#'}, hashes)...)
	j := bytes.Index(src[i+1:to], closing)
	if j < 0 {
		return to
	}
	return i + 1 + j + len(closing)
}
