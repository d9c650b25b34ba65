package symbols

import (
	"bytes"
	"strconv"
	"strings"
)

// Conditional compilation in Rust source: the predicates of #[cfg(...)],
// #![cfg(...)], #[cfg_attr(PRED, ...)] and cfg!(...).
//
// Predicates are parsed from the text of their token trees, not from the
// syntax tree: tree-sitter gives a token tree no structure, the same
// parser then serves attributes in code and in macro bodies, and it keeps
// working on code being typed. The syntax tree is asked only whether a
// `cfg` found in the text is code (not a comment or a string) and in
// which context it sits.

// CfgOp is the kind of a predicate node.
type CfgOp uint8

const (
	// CfgName is an option given bare: `CONFIG_NET`, `test`.
	CfgName CfgOp = iota
	// CfgNameValue is `name = "value"`.
	CfgNameValue
	CfgNot
	CfgAny
	CfgAll
	// CfgBool is `true` or `false` (Rust 1.88).
	CfgBool
	// CfgOther is anything else: `version("1.80")`, `target(...)`, a
	// metavariable, malformed or unfinished text. Its value is unknown.
	CfgOther
)

// CfgPred is a node of a cfg predicate.
type CfgPred struct {
	Op CfgOp
	// Name is the option (CfgName, CfgNameValue), "true"/"false"
	// (CfgBool), or the function of a CfgOther (`version`, or "").
	Name     string
	NameSpan Span
	// Value is the unescaped string of CfgNameValue; ValueSpan covers the
	// literal, quotes included.
	Value     string
	ValueSpan Span
	// Args are the operands of not/any/all (and whatever parsed inside a
	// malformed CfgOther, so that its names are still found).
	Args []*CfgPred
	// Span is the predicate's text.
	Span Span
	// Site is set on root predicates: the attribute or macro invocation
	// that holds the predicate.
	Site Span
}

// CfgTruth is a three-valued truth: a predicate over options krls does
// not know (test, doc, target_arch, MODULE) may hold or not.
type CfgTruth int8

const (
	CfgFalse   CfgTruth = -1
	CfgUnknown CfgTruth = 0
	CfgTrue    CfgTruth = 1
)

func (t CfgTruth) String() string {
	switch t {
	case CfgFalse:
		return "false"
	case CfgTrue:
		return "true"
	}
	return "unknown"
}

// maxCfgDepth bounds predicate nesting, so that hostile input cannot
// recurse without limit; deeper parts are CfgOther.
const maxCfgDepth = 64

// Eval evaluates the predicate as rustc does (any() is false, all() is
// true), in Kleene's three-valued logic: leaf gives the value of each
// CfgName and CfgNameValue node; CfgOther is unknown. A predicate is
// unknown only when its value depends on an unknown part: all(CONFIG_X,
// test) is false when CONFIG_X is.
func (p *CfgPred) Eval(leaf func(*CfgPred) CfgTruth) CfgTruth {
	return p.eval(leaf, 0)
}

func (p *CfgPred) eval(leaf func(*CfgPred) CfgTruth, depth int) CfgTruth {
	if p == nil || depth > maxCfgDepth {
		return CfgUnknown
	}
	switch p.Op {
	case CfgName, CfgNameValue:
		return leaf(p)
	case CfgBool:
		if p.Name == "true" {
			return CfgTrue
		}
		return CfgFalse
	case CfgNot:
		if len(p.Args) != 1 {
			return CfgUnknown
		}
		return -p.Args[0].eval(leaf, depth+1)
	case CfgAny:
		v := CfgFalse
		for _, a := range p.Args {
			v = max(v, a.eval(leaf, depth+1))
		}
		return v
	case CfgAll:
		v := CfgTrue
		for _, a := range p.Args {
			v = min(v, a.eval(leaf, depth+1))
		}
		return v
	}
	return CfgUnknown
}

// Atoms calls fn for every CfgName and CfgNameValue node, in text order.
func (p *CfgPred) Atoms(fn func(*CfgPred)) { p.atoms(fn, 0) }

func (p *CfgPred) atoms(fn func(*CfgPred), depth int) {
	if p == nil || depth > maxCfgDepth {
		return
	}
	if p.Op == CfgName || p.Op == CfgNameValue {
		fn(p)
		return
	}
	for _, a := range p.Args {
		a.atoms(fn, depth+1)
	}
}

// String renders the predicate canonically: `any(CONFIG_A, not(B = "y"))`.
func (p *CfgPred) String() string {
	var b strings.Builder
	p.write(&b, 0)
	return b.String()
}

func (p *CfgPred) write(b *strings.Builder, depth int) {
	if p == nil || depth > maxCfgDepth {
		b.WriteString("?")
		return
	}
	switch p.Op {
	case CfgName, CfgBool:
		b.WriteString(p.Name)
		return
	case CfgNameValue:
		b.WriteString(p.Name)
		b.WriteString(" = ")
		b.WriteString(strconv.Quote(p.Value))
		return
	case CfgNot:
		b.WriteString("not")
	case CfgAny:
		b.WriteString("any")
	case CfgAll:
		b.WriteString("all")
	default:
		switch {
		case p.Name != "":
			b.WriteString(p.Name)
		case len(p.Args) == 0:
			b.WriteString("?")
			return
		default:
			b.WriteString("?")
		}
	}
	b.WriteByte('(')
	for i, a := range p.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		a.write(b, depth+1)
	}
	b.WriteByte(')')
}

// ---- lexing ----

type cfgTok uint8

const (
	tokEOF cfgTok = iota
	tokIdent
	tokString
	tokOpen  // ( [ {
	tokClose // ) ] }
	tokComma
	tokEq
	tokOther
)

// cfgLexer reads Rust tokens from src[pos:end], skipping whitespace and
// comments. It knows just enough Rust for attribute arguments: identifiers
// (raw ones too), string literals of every kind, delimiters, `,` and `=`;
// everything else is tokOther, one byte at a time.
type cfgLexer struct {
	src      []byte
	pos, end int
	// peeked token
	has              bool
	kind             cfgTok
	tStart, tEnd     int
	unterminated     bool // the last string or comment ran to end
	unterminatedPeek bool
}

func (l *cfgLexer) peek() (cfgTok, int, int) {
	if !l.has {
		l.kind, l.tStart, l.tEnd, l.unterminatedPeek = l.scan()
		l.has = true
	}
	return l.kind, l.tStart, l.tEnd
}

func (l *cfgLexer) next() (cfgTok, int, int) {
	k, s, e := l.peek()
	l.has = false
	l.pos = e
	l.unterminated = l.unterminatedPeek
	return k, s, e
}

// skipTrivia skips whitespace and comments from i; it reports whether a
// comment ran to the end of the text.
func skipTrivia(src []byte, i, end int) (int, bool) {
	for i < end {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && i+1 < end && src[i+1] == '/':
			j := bytes.IndexByte(src[i:end], '\n')
			if j < 0 {
				return end, true
			}
			i += j + 1
		case c == '/' && i+1 < end && src[i+1] == '*':
			depth := 1
			i += 2
			for i < end && depth > 0 {
				if src[i] == '/' && i+1 < end && src[i+1] == '*' {
					depth++
					i += 2
				} else if src[i] == '*' && i+1 < end && src[i+1] == '/' {
					depth--
					i += 2
				} else {
					i++
				}
			}
			if depth > 0 {
				return end, true
			}
		default:
			return i, false
		}
	}
	return i, false
}

func (l *cfgLexer) scan() (cfgTok, int, int, bool) {
	i, open := skipTrivia(l.src, l.pos, l.end)
	if i >= l.end {
		return tokEOF, l.end, l.end, open
	}
	src, end := l.src, l.end
	c := src[i]
	switch c {
	case '(', '[', '{':
		return tokOpen, i, i + 1, false
	case ')', ']', '}':
		return tokClose, i, i + 1, false
	case ',':
		return tokComma, i, i + 1, false
	case '=':
		if i+1 < end && (src[i+1] == '=' || src[i+1] == '>') {
			return tokOther, i, i + 2, false
		}
		return tokEq, i, i + 1, false
	case '"':
		e, ok := scanQuoted(src, i+1, end)
		return tokString, i, e, !ok
	}
	// Prefixed and raw strings: b"", c"", r"", br#""#, cr#""#.
	j := i
	if c == 'b' || c == 'c' {
		j++
	}
	if j < end && src[j] == 'r' && j+1 < end && (src[j+1] == '"' || src[j+1] == '#') {
		k := j + 1
		hashes := 0
		for k < end && src[k] == '#' {
			hashes++
			k++
		}
		if k < end && src[k] == '"' {
			e, ok := scanRaw(src, k+1, end, hashes)
			return tokString, i, e, !ok
		}
		if hashes == 1 && src[j] == 'r' && j == i && k < end && IsIdentStart(src[k]) {
			// r#ident
			e := k
			for e < end && IsIdentByte(src[e]) {
				e++
			}
			return tokIdent, i, e, false
		}
	}
	if j > i && j < end && src[j] == '"' {
		e, ok := scanQuoted(src, j+1, end)
		return tokString, i, e, !ok
	}
	if IsIdentStart(c) {
		e := i + 1
		for e < end && IsIdentByte(src[e]) {
			e++
		}
		return tokIdent, i, e, false
	}
	return tokOther, i, i + 1, false
}

// scanQuoted finds the end of a "..." literal whose body starts at i.
func scanQuoted(src []byte, i, end int) (int, bool) {
	for i < end {
		switch src[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1, true
		default:
			i++
		}
	}
	return end, false
}

func scanRaw(src []byte, i, end, hashes int) (int, bool) {
	for i < end {
		if src[i] == '"' {
			k := i + 1
			n := 0
			for k < end && n < hashes && src[k] == '#' {
				n++
				k++
			}
			if n == hashes {
				return k, true
			}
		}
		i++
	}
	return end, false
}

// unquote gives the value of a string literal token; ok is false for
// byte and C strings and malformed literals.
func unquote(lit []byte) (string, bool) {
	s := string(lit)
	if strings.HasPrefix(s, "b") || strings.HasPrefix(s, "c") {
		return "", false
	}
	if strings.HasPrefix(s, "r") {
		s = strings.TrimLeft(s[1:], "#")
		s = strings.TrimRight(s, "#")
		if len(s) < 2 {
			return "", false
		}
		return s[1 : len(s)-1], true
	}
	if v, err := strconv.Unquote(s); err == nil {
		return v, true
	}
	// Rust escapes Go does not know (\u{..}, line continuations): keep the
	// text between the quotes.
	if len(s) >= 2 {
		return s[1 : len(s)-1], true
	}
	return "", false
}

// ---- parsing ----

type cfgParser struct {
	l   cfgLexer
	src []byte
}

func (p *cfgParser) text(s, e int) string { return string(p.src[s:e]) }

// skipBalanced skips tokens up to and including the close matching an
// open already consumed; it returns the end offset.
func (p *cfgParser) skipBalanced() int {
	depth := 1
	for {
		k, _, e := p.l.next()
		switch k {
		case tokEOF:
			return e
		case tokOpen:
			depth++
		case tokClose:
			depth--
			if depth == 0 {
				return e
			}
		}
	}
}

// pred parses one predicate.
func (p *cfgParser) pred(depth int) *CfgPred {
	k, s, e := p.l.peek()
	if k != tokIdent {
		// Not a predicate: consume one token (a metavariable's `$`, a
		// stray literal) unless it ends the list.
		if k == tokEOF || k == tokClose || k == tokComma {
			return &CfgPred{Op: CfgOther, Span: Span{s, s}}
		}
		p.l.next()
		n := &CfgPred{Op: CfgOther, Span: Span{s, e}}
		if k == tokOpen {
			n.Span.End = p.skipBalanced()
		} else if k == tokOther && p.src[s] == '$' {
			// $name: a metavariable stands for a whole predicate.
			if k2, _, e2 := p.l.peek(); k2 == tokIdent {
				p.l.next()
				n.Span.End = e2
			}
		}
		return n
	}
	p.l.next()
	name := p.text(s, e)
	n := &CfgPred{Op: CfgName, Name: name, NameSpan: Span{s, e}, Span: Span{s, e}}
	switch k2, _, _ := p.l.peek(); k2 {
	case tokEq:
		p.l.next()
		k3, s3, e3 := p.l.peek()
		n.Op = CfgNameValue
		if k3 != tokString {
			// `name = 1`, `name = $v`: not a cfg, but the name counts.
			n.Op = CfgOther
			n.Name = ""
			n.Args = []*CfgPred{{Op: CfgName, Name: name, NameSpan: Span{s, e}, Span: Span{s, e}}}
			if k3 != tokComma && k3 != tokClose && k3 != tokEOF {
				p.l.next()
				n.Span.End = e3
				if k3 == tokOpen {
					n.Span.End = p.skipBalanced()
				}
			}
			return n
		}
		p.l.next()
		n.ValueSpan = Span{s3, e3}
		n.Span.End = e3
		if v, ok := unquote(p.src[s3:e3]); ok && !p.l.unterminated {
			n.Value = v
		} else {
			n.Op = CfgOther
			n.Name = ""
			n.Args = []*CfgPred{{Op: CfgName, Name: name, NameSpan: Span{s, e}, Span: Span{s, e}}}
		}
		return n
	case tokOpen:
		_, os, _ := p.l.next()
		if p.src[os] != '(' {
			n.Op = CfgOther
			n.Span.End = p.skipBalanced()
			return n
		}
		switch name {
		case "not", "any", "all":
			if depth >= maxCfgDepth {
				n.Op = CfgOther
				n.Span.End = p.skipBalanced()
				return n
			}
			args, end, closed := p.list(depth + 1)
			n.Args = args
			n.Span.End = end
			n.Op = map[string]CfgOp{"not": CfgNot, "any": CfgAny, "all": CfgAll}[name]
			if !closed || n.Op == CfgNot && len(args) != 1 {
				n.Op = CfgOther
				n.Name = name
			}
			return n
		}
		// version("1.80"), target(os = "linux"), accessible(...): unknown.
		n.Op = CfgOther
		n.Span.End = p.skipBalanced()
		return n
	}
	if name == "true" || name == "false" {
		n.Op = CfgBool
	}
	return n
}

// list parses `pred, pred, ...)` after an open paren; closed says whether
// the closing paren was found (unfinished text ends without one). Any
// CfgOther in it makes a malformed list keep its names.
func (p *cfgParser) list(depth int) (args []*CfgPred, end int, closed bool) {
	for {
		k, s, e := p.l.peek()
		switch k {
		case tokEOF:
			return args, s, false
		case tokClose:
			p.l.next()
			return args, e, true
		case tokComma:
			p.l.next()
			continue
		}
		// pred consumes at least one token here, so the loop ends. Text
		// after a predicate that is not `,` or `)` (`CONFIG_A CONFIG_B`)
		// is read as further predicates: the names in it still count.
		args = append(args, p.pred(depth))
	}
}

// cfgArgs parses the arguments of cfg(...) after its open delimiter: one
// predicate. Anything else (none, several) is a CfgOther holding what
// parsed.
func (p *cfgParser) cfgArgs(open int) *CfgPred {
	args, end, closed := p.list(1)
	if len(args) == 1 && closed {
		return args[0]
	}
	return &CfgPred{Op: CfgOther, Args: args, Span: Span{open + 1, max(open+1, end-boolInt(closed))}}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cfgAttrArgs parses cfg_attr(PRED, attr, ...) after its open paren. It
// returns the condition, the cfg predicates found among the attributes
// (for their CONFIG names), and the predicate that gates the item when
// the attributes include cfg(...): `cfg_attr(A, cfg(B))` gates with
// any(not(A), B). gate is nil when no cfg is among the attributes.
func (p *cfgParser) cfgAttrArgs(open, depth int) (cond *CfgPred, nested []*CfgPred, gate *CfgPred, end int) {
	k, s, _ := p.l.peek()
	if k == tokClose || k == tokEOF {
		if k == tokClose {
			_, _, end = p.l.next()
		} else {
			end = s
		}
		return &CfgPred{Op: CfgOther, Span: Span{s, s}}, nil, nil, end
	}
	cond = p.pred(depth)
	var gates []*CfgPred
	for {
		k, s, e := p.l.next()
		switch k {
		case tokEOF:
			end = s
			goto done
		case tokClose:
			end = e
			goto done
		case tokComma:
			continue
		case tokIdent:
			// An attribute: a path, then (...) or = value or nothing. Only
			// a bare cfg or cfg_attr matters.
			name := p.text(s, e)
			colon := false
			for {
				k2, s2, _ := p.l.peek()
				if k2 == tokOther && p.src[s2] == ':' {
					p.l.next()
					colon = true
					continue
				}
				if k2 == tokIdent && colon {
					p.l.next()
					colon = false
					name = ""
					continue
				}
				break
			}
			k2, s2, _ := p.l.peek()
			switch {
			case k2 == tokOpen && p.src[s2] == '(' && name == "cfg" && depth < maxCfgDepth:
				p.l.next()
				c := p.cfgArgs(s2)
				nested = append(nested, c)
				gates = append(gates, c)
			case k2 == tokOpen && p.src[s2] == '(' && name == "cfg_attr" && depth < maxCfgDepth:
				p.l.next()
				c2, n2, g2, _ := p.cfgAttrArgs(s2, depth+1)
				nested = append(nested, c2)
				nested = append(nested, n2...)
				if g2 != nil {
					gates = append(gates, g2)
				}
			case k2 == tokOpen:
				p.l.next()
				p.skipBalanced()
			case k2 == tokEq:
				// name = value: skip to the next top-level comma.
				p.l.next()
				for {
					k3, _, _ := p.l.peek()
					if k3 == tokComma || k3 == tokClose || k3 == tokEOF {
						break
					}
					p.l.next()
					if k3 == tokOpen {
						p.skipBalanced()
					}
				}
			}
		case tokOpen:
			p.skipBalanced()
		}
	}
done:
	if len(gates) > 0 {
		span := Span{open + 1, max(open+1, end-1)}
		args := []*CfgPred{{Op: CfgNot, Args: []*CfgPred{cond}, Span: cond.Span}}
		if len(gates) == 1 {
			args = append(args, gates[0])
		} else {
			args = append(args, &CfgPred{Op: CfgAll, Args: gates, Span: span})
		}
		gate = &CfgPred{Op: CfgAny, Args: args, Span: span}
	}
	return cond, nested, gate, end
}

// ParseCfg parses the text of a predicate, as it stands inside cfg(...).
// It never fails: what does not parse is CfgOther.
func ParseCfg(src []byte) *CfgPred {
	p := &cfgParser{l: cfgLexer{src: src, end: len(src)}, src: src}
	args, end, _ := p.list(1)
	if len(args) == 1 {
		if k, _, _ := p.l.peek(); k == tokEOF {
			return args[0]
		}
	}
	return &CfgPred{Op: CfgOther, Args: args, Span: Span{0, max(0, min(end, len(src)))}}
}
