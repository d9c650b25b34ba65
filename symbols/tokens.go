package symbols

import "unicode/utf8"

// TokenKind says what a Token is.
type TokenKind uint8

const (
	TokenEOF      TokenKind = iota
	TokenIdent              // an identifier or keyword; r#raw ones keep their prefix
	TokenLiteral            // a string, byte string, C string (raw or not), char, byte or number
	TokenLifetime           // 'a, 'static
	TokenPunct              // one byte: `::` is two tokens, `->` too
)

// Token is one token of Rust text, by byte offsets.
type Token struct {
	Kind       TokenKind
	Start, End int
}

// Tokens reads the tokens of Rust text, skipping whitespace and comments
// (nested block comments too), for the text scans that must not see a
// name inside a literal or a comment: literals are one token each, of
// any prefix (b, c, r, br, cr with any number of #), and a quote starts
// a char literal ('\”, '\\', 'é', '\u{1F600}') or a lifetime. It is
// built on the attribute lexer (cfgLexer). A copy of a Tokens is an
// independent iterator at the same place, which is how a caller looks
// ahead.
type Tokens struct{ l cfgLexer }

// NewTokens iterates over the tokens of src[from:to].
func NewTokens(src []byte, from, to int) Tokens {
	return Tokens{l: cfgLexer{src: src, pos: from, end: min(to, len(src))}}
}

// Seek continues at offset i (past a range the caller does not want
// read, for instance); i must be at a token's start or between tokens.
func (t *Tokens) Seek(i int) {
	t.l.pos = max(i, t.l.pos)
	t.l.has = false
}

// Next is the next token; at the end, a TokenEOF at the end offset.
func (t *Tokens) Next() Token {
	l := &t.l
	k, s, e := l.next()
	src, end := l.src, l.end
	switch k {
	case tokEOF:
		return Token{TokenEOF, s, e}
	case tokString:
		return Token{TokenLiteral, s, e}
	case tokIdent:
		// b'x', a byte literal.
		if e == s+1 && src[s] == 'b' && e < end && src[e] == '\'' {
			if ce, ok := charLiteralEnd(src, e, end); ok {
				l.pos = ce
				return Token{TokenLiteral, s, ce}
			}
		}
		return Token{TokenIdent, s, e}
	}
	// Punctuation is one byte (the lexer gives `==` and `=>` as one).
	e = s + 1
	c := src[s]
	switch {
	case c == '\'':
		if ce, ok := charLiteralEnd(src, s, end); ok {
			l.pos = ce
			return Token{TokenLiteral, s, ce}
		}
		if e < end && IsIdentStart(src[e]) {
			for e < end && IsIdentByte(src[e]) {
				e++
			}
			l.pos = e
			return Token{TokenLifetime, s, e}
		}
	case '0' <= c && c <= '9':
		// A number with its suffix (0x1f, 1_000u32, 1.5e3f64); a `.`
		// followed by a digit continues it, so `1..2` is a range.
		for e < end && (IsIdentByte(src[e]) || src[e] == '.' && e+1 < end && '0' <= src[e+1] && src[e+1] <= '9') {
			e++
		}
		l.pos = e
		return Token{TokenLiteral, s, e}
	}
	l.pos = e
	return Token{TokenPunct, s, e}
}

// charLiteralEnd is the end of the char literal whose opening quote is
// at s ('x', 'é', '\”, '\\', '\n', '\x7f', '\u{10FFFF}'); ok is false
// when the quote starts a lifetime (or nothing).
func charLiteralEnd(src []byte, s, end int) (int, bool) {
	if s+1 >= end {
		return 0, false
	}
	if src[s+1] == '\\' {
		// The escape's first character may be a quote or a backslash;
		// the closing quote follows within the longest escape.
		for i := s + 3; i < end && i < s+12; i++ {
			if src[i] == '\'' {
				return i + 1, true
			}
		}
		return 0, false
	}
	_, n := utf8.DecodeRune(src[s+1 : end])
	if q := s + 1 + n; q < end && src[q] == '\'' {
		return q + 1, true
	}
	return 0, false
}

// skipCharLiteral returns the end of a char literal at s, or s+1 for a
// lifetime's quote.
func skipCharLiteral(src []byte, s, end int) int {
	if e, ok := charLiteralEnd(src, s, end); ok {
		return e
	}
	return s + 1
}
