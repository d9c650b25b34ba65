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
	toks := symbols.NewTokens(src, from, to)
	var prev symbols.Token
	for {
		tok := toks.Next()
		if tok.Kind == symbols.TokenEOF {
			return out
		}
		for len(skip) > 0 && skip[0][1] <= tok.Start {
			skip = skip[1:]
		}
		if len(skip) > 0 && skip[0][0] <= tok.Start {
			toks.Seek(skip[0][1])
			prev = symbols.Token{}
			continue
		}
		afterFn := prev.Kind == symbols.TokenIdent && string(src[prev.Start:prev.End]) == "fn"
		prev = tok
		if tok.Kind != symbols.TokenIdent || afterFn {
			continue
		}
		at := tok.Start
		if src[at] == 'r' && at+1 < tok.End && src[at+1] == '#' {
			at += 2 // r#name
		}
		name := string(src[at:tok.End])
		if !notCalled[name] && callFollows(src, toks) {
			out = append(out, readCall(src, from, at, name))
		}
	}
}

// callFollows reports whether the tokens from toks (a copy: the caller's
// place is kept) open a call's arguments: `(`, or a turbofish `::<...>(`.
func callFollows(src []byte, toks symbols.Tokens) bool {
	t := toks.Next()
	if isPunct(src, t, ':') {
		if c := toks.Next(); !isPunct(src, c, ':') || c.Start != t.End {
			return false
		}
		if t = toks.Next(); !isPunct(src, t, '<') {
			return false
		}
		// The generic arguments, to the matching `>` (not that of `->`).
		depth, last := 0, t
		for ; ; last, t = t, toks.Next() {
			if t.Kind == symbols.TokenEOF || t.Kind == symbols.TokenPunct && (src[t.Start] == ';' || src[t.Start] == '{' || src[t.Start] == '}') {
				return false
			}
			if isPunct(src, t, '<') {
				depth++
			} else if isPunct(src, t, '>') && !(isPunct(src, last, '-') && last.End == t.Start) {
				if depth--; depth == 0 {
					break
				}
			}
		}
		t = toks.Next()
	}
	return isPunct(src, t, '(')
}

func isPunct(src []byte, t symbols.Token, c byte) bool {
	return t.Kind == symbols.TokenPunct && src[t.Start] == c
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
