package kconfig

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The lexer follows scripts/kconfig/lexer.l of Linux 6.12: the same
// tokens, the same treatment of comments, escaped newlines, strings and
// help text, and the same rule that `WORD =`, `:=` or `+=` at the start of
// a statement takes the rest of the line raw. Macro references are not
// expanded here (see the package comment); their extent is found exactly
// as the C lexer's expand_token finds it.

type tokKind int

const (
	tEOF tokKind = iota
	tEOL
	tWord      // a name, keyword-free; Word.Raw may hold macro references
	tString    // a quoted string; Word.Quoted
	tAssignVal // the raw value of an assignment
	tHelpText
	// keywords
	tBool
	tChoice
	tComment
	tConfig
	tDefBool
	tDefTristate
	tDefault
	tDepends
	tEndchoice
	tEndif
	tEndmenu
	tHelp
	tHex
	tIf
	tImply
	tInt
	tMainmenu
	tMenu
	tMenuconfig
	tModules
	tOn
	tPrompt
	tRange
	tSelect
	tSource
	tString_ // the `string` type keyword
	tTristate
	tVisible
	tOption       // older trees
	tOptional     // older trees' optional choices
	tTransitional // Linux 6.17+
	tOsource      // optional source, in some trees
	// operators
	tOr
	tAnd
	tEqual
	tUnequal
	tLess
	tLessEqual
	tGreater
	tGreaterEqual
	tNot
	tOpenParen
	tCloseParen
	tColonEqual
	tPlusEqual
)

// keywordNames names the keyword tokens in messages; which words are
// keywords in a file depends on its tree's lexer.l (Dialect).
var keywordNames = func() map[tokKind]string {
	m := map[tokKind]string{tOption: "option", tOptional: "optional", tOsource: "osource"}
	for name, k := range builtinKeywords {
		m[k] = name
	}
	return m
}()

var tokNames = map[tokKind]string{
	tEOF: "end of file", tEOL: "end of line", tWord: "word", tString: "string",
	tAssignVal: "value", tHelpText: "help text", tOr: "'||'", tAnd: "'&&'", tEqual: "'='",
	tUnequal: "'!='", tLess: "'<'", tLessEqual: "'<='", tGreater: "'>'", tGreaterEqual: "'>='",
	tNot: "'!'", tOpenParen: "'('", tCloseParen: "')'", tColonEqual: "':='", tPlusEqual: "'+='",
}

func (k tokKind) String() string {
	if s, ok := tokNames[k]; ok {
		return s
	}
	if name, ok := keywordNames[k]; ok {
		return "'" + name + "'"
	}
	return "token"
}

type token struct {
	kind tokKind
	line int
	word Word   // tWord, tString
	text string // tAssignVal, tHelpText
}

type lexer struct {
	src  string // words and literal strings are substrings of it: no copies
	pos  int
	line int // the line of src[pos], 1-based
	file string

	prev, prevPrev tokKind
	assign         bool // the next token is an assignment's raw value

	warnings []*Error
	helpBuf  []byte // reused while building help texts
	mem      *parseMem
	keywords map[string]tokKind // the tree's (Dialect.keywords)
}

// newLexer reads src without copying it: the words of the file alias its
// bytes, so the caller must not change src afterwards.
func newLexer(file string, src []byte, mem *parseMem, keywords map[string]tokKind) *lexer {
	return &lexer{src: unsafe.String(unsafe.SliceData(src), len(src)), line: 1, file: file, prev: tEOL, prevPrev: tEOL, mem: mem, keywords: keywords}
}

func (lx *lexer) warn(line int, msg string) {
	lx.warnings = append(lx.warnings, &Error{Pos: Pos{lx.file, line}, Msg: msg, Warning: true})
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// next returns the next token, applying the second-stage rules of the C
// lexer's yylex: newlines after a newline are dropped, and `WORD =` at the
// start of a statement switches to reading the raw value.
func (lx *lexer) next() token {
	for {
		var t token
		if lx.assign {
			lx.assign = false
			t = lx.assignValue()
		} else {
			t = lx.scan()
		}
		if (lx.prev == tEOL || lx.prev == tHelpText) && t.kind == tEOL {
			continue
		}
		if t.kind == tEOF && lx.prev != tEOL && lx.prev != tHelpText && lx.prev != tEOF {
			// As the C lexer warns; the parser may ask for more tokens
			// after the end, and prev then stays tEOF.
			lx.warn(lx.line, "no new line at end of file")
		}
		if lx.prevPrev == tEOL && lx.prev == tWord && (t.kind == tEqual || t.kind == tColonEqual || t.kind == tPlusEqual) {
			lx.assign = true
		}
		lx.prevPrev, lx.prev = lx.prev, t.kind
		return t
	}
}

// scan is the INITIAL state of the C lexer.
func (lx *lexer) scan() token {
	src := lx.src
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch {
		case c == ' ' || c == '\t':
			lx.pos++
		case c == '\\' && lx.pos+1 < len(src) && src[lx.pos+1] == '\n':
			lx.pos += 2
			lx.line++
		case c == '#':
			for lx.pos < len(src) && src[lx.pos] != '\n' {
				lx.pos++
			}
		case c == '\n':
			lx.pos++
			lx.line++
			return token{kind: tEOL, line: lx.line - 1}
		case c == '"' || c == '\'':
			line := lx.line
			w := lx.quoted(c)
			return token{kind: tString, line: line, word: w}
		case isNameChar(c) || c == '$':
			return lx.word()
		default:
			if t, n := lx.operator(); n > 0 {
				lx.pos += n
				return t
			}
			lx.pos += lx.unsupported(c)
		}
	}
	return token{kind: tEOF, line: lx.line}
}

// unsupported warns about a character the language has no use for, as
// the C lexer does, and returns its length. The C tool prints the byte as
// is; the warning names it readably instead: a character of a UTF-8
// sequence once, other bytes outside printable ASCII in hex, and a
// carriage return with the likely cause.
func (lx *lexer) unsupported(c byte) int {
	n := 1
	var what string
	switch {
	case c == '\r':
		what = `'\r' (a file with CRLF line endings?)`
	case c >= 0x80:
		r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
		if r != utf8.RuneError {
			n = size
			what = "'" + string(r) + "'"
			break
		}
		fallthrough
	case c < ' ' || c == 0x7f:
		what = fmt.Sprintf(`'\x%02x'`, c)
	default:
		what = "'" + string(c) + "'"
	}
	lx.warn(lx.line, "ignoring unsupported character "+what)
	return n
}

func (lx *lexer) operator() (token, int) {
	src, p := lx.src, lx.pos
	two := ""
	if p+1 < len(src) {
		two = src[p : p+2]
	}
	t := token{line: lx.line}
	switch two {
	case "||":
		t.kind = tOr
		return t, 2
	case "&&":
		t.kind = tAnd
		return t, 2
	case "!=":
		t.kind = tUnequal
		return t, 2
	case "<=":
		t.kind = tLessEqual
		return t, 2
	case ">=":
		t.kind = tGreaterEqual
		return t, 2
	case ":=":
		t.kind = tColonEqual
		return t, 2
	case "+=":
		t.kind = tPlusEqual
		return t, 2
	}
	switch src[p] {
	case '=':
		t.kind = tEqual
	case '<':
		t.kind = tLess
	case '>':
		t.kind = tGreater
	case '!':
		t.kind = tNot
	case '(':
		t.kind = tOpenParen
	case ')':
		t.kind = tCloseParen
	default:
		return t, 0
	}
	return t, 1
}

// word reads a name, a keyword, or a word with macro references. A word
// holding '$' extends, as expand_one_token does, over name characters and
// whole `$(...)` references (which may contain anything but a newline);
// a '$' not followed by '(' is a literal '$'.
func (lx *lexer) word() token {
	src := lx.src
	start, line := lx.pos, lx.line
	hasDollar := false
	p := lx.pos
	for p < len(src) {
		c := src[p]
		if isNameChar(c) {
			p++
			continue
		}
		if c != '$' {
			break
		}
		hasDollar = true
		p++
		if p < len(src) && src[p] == '(' {
			end, ok := matchParen(src, p)
			if !ok {
				lx.pos = p
				for lx.pos < len(src) && src[lx.pos] != '\n' {
					lx.pos++
				}
				lx.warn(line, "unterminated reference to '"+src[p+1:lx.pos]+"': missing ')'")
				return token{kind: tWord, line: line, word: Word{Raw: src[start:lx.pos]}}
			}
			p = end
		}
	}
	lx.pos = p
	text := src[start:p]
	// Keywords are lower case; most words are upper-case symbol names,
	// which this spares the map lookup.
	if !hasDollar && text[0] >= 'a' && text[0] <= 'z' {
		if k, ok := lx.keywords[text]; ok {
			return token{kind: k, line: line}
		}
	}
	return token{kind: tWord, line: line, word: Word{Raw: text}}
}

// matchParen returns the index after the ')' closing the '(' at open, on
// the same line. A NUL byte ends the search as a newline does: the C
// lexer reads the rest of the line as a C string, which ends there.
func matchParen(src string, open int) (int, bool) {
	nest := 0
	for q := open + 1; q < len(src) && src[q] != '\n' && src[q] != 0; q++ {
		switch src[q] {
		case '(':
			nest++
		case ')':
			if nest == 0 {
				return q + 1, true
			}
			nest--
		}
	}
	return 0, false
}

// quoted reads a string after its opening quote: backslash escapes any
// character, the other quote is literal, `$(...)` references are kept as
// macro parts, and a newline ends the string with a warning. A NUL byte
// ends the string's text, as it ends the C tool's C string, though the
// string goes on to its closing quote; no token text may hold a NUL
// (probe placeholders do).
func (lx *lexer) quoted(open byte) Word {
	src := lx.src
	lx.pos++
	// Most strings have neither escapes nor references: one substring.
	for q := lx.pos; q < len(src); q++ {
		c := src[q]
		if c == open {
			text := src[lx.pos:q]
			lx.pos = q + 1
			parts := lx.mem.parts.take(1)
			parts[0].Text = text
			return Word{Quoted: true, Parts: parts, Raw: text}
		}
		if c == '\\' || c == '$' || c == '\n' || c == 0 {
			break
		}
	}
	var parts []StrPart
	var lit []byte
	cut := false // a NUL was seen: the rest is dropped
	flush := func() {
		if len(lit) > 0 {
			parts = append(parts, StrPart{Text: string(lit)})
			lit = lit[:0]
		}
	}
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch {
		case c == open:
			lx.pos++
			flush()
			return Word{Quoted: true, Parts: parts, Raw: partsRaw(parts)}
		case c == '\n':
			lx.warn(lx.line, "multi-line strings not supported")
			flush()
			return Word{Quoted: true, Parts: parts, Raw: partsRaw(parts)}
		case c == 0:
			if !cut {
				lx.warn(lx.line, "string truncated at a NUL byte")
				cut = true
			}
			lx.pos++
		case c == '\\':
			lx.pos++
			if lx.pos < len(src) && src[lx.pos] != '\n' {
				if src[lx.pos] == 0 {
					continue // the NUL case above
				}
				if !cut {
					lit = append(lit, src[lx.pos])
				}
				lx.pos++
			}
		case c == '$':
			lx.pos++
			if lx.pos < len(src) && src[lx.pos] == '(' {
				end, ok := matchParen(src, lx.pos)
				if ok {
					if !cut {
						flush()
						parts = append(parts, StrPart{Text: src[lx.pos+1 : end-1], Macro: true})
					}
					lx.pos = end
					continue
				}
				lx.warn(lx.line, "unterminated reference in string: missing ')'")
			}
			if !cut {
				lit = append(lit, '$')
			}
		default:
			if !cut {
				lit = append(lit, c)
			}
			lx.pos++
		}
	}
	flush()
	return Word{Quoted: true, Parts: parts, Raw: partsRaw(parts)}
}

// partsRaw renders string parts back into text with `$(...)` references.
func partsRaw(parts []StrPart) string {
	n := 0
	for _, p := range parts {
		n += len(p.Text) + 3
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		if p.Macro {
			b = append(b, "$("...)
			b = append(b, p.Text...)
			b = append(b, ')')
		} else {
			b = append(b, p.Text...)
		}
	}
	return string(b)
}

// assignValue is the ASSIGN_VAL state: blanks, then the rest of the line.
func (lx *lexer) assignValue() token {
	src := lx.src
	for lx.pos < len(src) && src[lx.pos] != '\n' && (src[lx.pos] == ' ' || src[lx.pos] == '\t') {
		lx.pos++
	}
	if lx.pos >= len(src) {
		return token{kind: tEOF, line: lx.line}
	}
	if src[lx.pos] == '\n' {
		lx.pos++
		lx.line++
		return token{kind: tEOL, line: lx.line - 1}
	}
	start := lx.pos
	for lx.pos < len(src) && src[lx.pos] != '\n' {
		lx.pos++
	}
	text := src[start:lx.pos]
	// The C tool keeps the value as a C string, which ends at a NUL.
	if i := strings.IndexByte(text, 0); i >= 0 {
		lx.warn(lx.line, "value truncated at a NUL byte")
		text = text[:i]
	}
	// The newline that follows comes back as the next token's tEOL: switch
	// the state back after this value.
	return token{kind: tAssignVal, line: lx.line, text: text}
}

// helpText is the HELP state, entered after `help` and its newline. The
// first non-blank line sets the indentation; a line indented less, or a
// non-blank line at column 0, ends the text. Tabs count to the next
// multiple of 8; extra indentation is kept as spaces; trailing blanks go.
func (lx *lexer) helpText() token {
	src := lx.src
	line := lx.line
	limit := len(src) - lx.pos
	text := lx.helpBuf[:0]
	defer func() { lx.helpBuf = text[:0] }()
	firstTS, lastTS := 0, 0
	for lx.pos < len(src) {
		// [ \t]* at the start of a line.
		p := lx.pos
		ts := 0
		for p < len(src) && (src[p] == ' ' || src[p] == '\t') {
			if src[p] == '\t' {
				ts = (ts &^ 7) + 8
			} else {
				ts++
			}
			p++
		}
		if p < len(src) && src[p] == '\n' {
			// A blank line: it ends the text when the next line starts
			// with a non-blank character.
			lx.pos = p + 1
			lx.line++
			if lx.pos < len(src) && src[lx.pos] != ' ' && src[lx.pos] != '\t' && src[lx.pos] != '\n' {
				break
			}
			text = append(text, '\n')
			continue
		}
		if p >= len(src) {
			lx.pos = p
			break
		}
		if p > lx.pos {
			lastTS = ts
			if firstTS != 0 {
				if ts < firstTS {
					lx.pos = p
					break
				}
				for ts -= firstTS; ts > 0; ts-- {
					text = append(text, ' ')
				}
			}
		}
		// [^ \t\n].*: the text of the line, without trailing blanks.
		end := p
		for end < len(src) && src[end] != '\n' {
			end++
		}
		t := end
		for t > p && (src[t-1] == ' ' || src[t-1] == '\t') {
			t--
		}
		text = append(text, src[p:t]...)
		if firstTS == 0 {
			firstTS = lastTS
		}
		lx.pos = end
		// The newline after the text: end the help when the next line
		// starts at column 0 with text, else keep it.
		if lx.pos < len(src) {
			lx.pos++
			lx.line++
			if lx.pos < len(src) && src[lx.pos] != ' ' && src[lx.pos] != '\t' && src[lx.pos] != '\n' {
				break
			}
			text = append(text, '\n')
		}
	}
	lx.prevPrev, lx.prev = lx.prev, tHelpText
	return token{kind: tHelpText, line: line, text: lx.mem.text.string(text, limit)}
}
