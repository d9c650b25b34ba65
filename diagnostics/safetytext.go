package diagnostics

import (
	"bytes"
	"unicode"

	"github.com/krls-dev/krls/symbols"
)

// This file is the textual half of the SAFETY rules: where a `// SAFETY:`
// comment may stand for a given line. It follows clippy 1.95's
// `text_has_safety_comment` and `block_has_inner_safety_comment`, which
// look at source lines, not at the syntax tree. The behaviour below was
// pinned down case by case against clippy-driver 1.95 (see
// testdata/safety/*.rs, which the clippy differential test replays).

// safetyAbove reports whether a SAFETY comment documents the code starting
// on line anchor, looking only at lines strictly between boundary and
// anchor (clippy never looks above the enclosing function, block or item).
// It returns the offset of the "SAFETY:" text.
//
// Going upward, blank lines and single-line attributes are skipped. If the
// first remaining line starts with `//`, the run of `//` lines counts when
// any of them contains "SAFETY:" (any case), outside ``` code blocks of doc
// comments. Otherwise the first remaining line counts if its first
// comment marker (`//` or `/*`, textually) is followed by "SAFETY:"; failing
// that, the nearest line above that starts with `/*` counts when that block
// comment contains "SAFETY:" and only whitespace follows it.
func safetyAbove(lines *symbols.Lines, boundary, anchor int) (int, bool) {
	return commentAbove(lines, boundary, anchor, "SAFETY:")
}

// commentAbove is safetyAbove for the justification comment starting
// with label ("SAFETY:", "CAST:", ...): the kernel's other justification
// comments stand where clippy accepts a SAFETY comment.
func commentAbove(lines *symbols.Lines, boundary, anchor int, label string) (int, bool) {
	if boundary >= anchor {
		return 0, false
	}
	i := anchor - 1
	// next returns the next line upward that is neither blank nor a
	// single-line attribute, with its text trimmed on the left.
	next := func() (int, []byte, bool) {
		for ; i > boundary; i-- {
			t := trimLeft(lines.Text(i))
			if len(trimRight(t)) == 0 || isAttributeLine(t) {
				continue
			}
			line := i
			i--
			return line, t, true
		}
		return 0, nil, false
	}
	line, text, ok := next()
	if !ok {
		return 0, false
	}
	if bytes.HasPrefix(text, []byte("//")) {
		inCode := false
		for {
			if bytes.HasPrefix(trimLeft(trimRepeated(text, "///")), []byte("```")) {
				inCode = !inCode
			}
			if !inCode {
				if k := indexFold(text, label); k >= 0 {
					return lineTextOffset(lines, line, text) + k, true
				}
			}
			line, text, ok = next()
			if !ok || !bytes.HasPrefix(text, []byte("//")) {
				return 0, false
			}
		}
	}
	// A comment after code on the line above: its first marker must be
	// followed by "SAFETY:".
	if m := firstCommentMarker(text); m >= 0 {
		rest := trimLeft(text[m+2:])
		if hasPrefixFold(rest, label) {
			return lineTextOffset(lines, line, rest), true
		}
	}
	// A block comment starting its line, directly above: clippy looks up
	// for the nearest line that starts with `/*` and accepts its comment
	// when only whitespace follows it. So the first line seen must end
	// that comment, and the search can stop at the first line that opens
	// a comment it does not close (anything above is followed by code).
	if !bytes.HasSuffix(trimRight(text), []byte("*/")) {
		return 0, false
	}
	for {
		if bytes.HasPrefix(text, []byte("/*")) {
			start := lineTextOffset(lines, line, text)
			region := lines.Start(anchor)
			src := lines.Src()[start:region]
			end := blockCommentEnd(src)
			if k := indexFold(src[:end], label); k >= 0 && isBlank(src[end:]) {
				return start + k, true
			}
			return 0, false
		}
		if o := bytes.LastIndex(text, []byte("/*")); o >= 0 && !bytes.Contains(text[o:], []byte("*/")) {
			return 0, false
		}
		line, text, ok = next()
		if !ok {
			return 0, false
		}
	}
}

// innerSafety reports whether the block whose '{' is at brace starts with
// a SAFETY comment: the first thing after the brace (whitespace skipped)
// must be a comment whose text begins with "SAFETY:" (any case). For a
// block comment whose first line is empty, the first non-blank line counts,
// with a leading '*' stripped. It returns the offset of "SAFETY:".
func innerSafety(src []byte, brace int) (int, bool) {
	i := brace + 1
	for i < len(src) && isSpaceByte(src[i]) {
		i++
	}
	rest := src[i:]
	switch {
	case bytes.HasPrefix(rest, []byte("//")):
		body := rest[2:]
		if nl := bytes.IndexByte(body, '\n'); nl >= 0 {
			body = body[:nl]
		}
		t := trimLeft(body)
		if hasPrefixFold(t, "SAFETY:") {
			return offsetIn(src, t), true
		}
	case bytes.HasPrefix(rest, []byte("/*")):
		end := blockCommentEnd(rest)
		body := rest[2:end]
		firstLine := body
		if nl := bytes.IndexByte(body, '\n'); nl >= 0 {
			firstLine = body[:nl]
			if isBlank(firstLine) {
				// The comment text starts on a later line.
				rest := body[nl+1:]
				for len(rest) > 0 {
					l := rest
					if k := bytes.IndexByte(rest, '\n'); k >= 0 {
						l, rest = rest[:k], rest[k+1:]
					} else {
						rest = rest[len(rest):]
					}
					t := trimLeft(l)
					if len(trimRight(t)) == 0 {
						continue
					}
					if t[0] == '*' {
						t = trimLeft(t[1:])
					}
					if hasPrefixFold(t, "SAFETY:") {
						return offsetIn(src, t), true
					}
					return 0, false
				}
				return 0, false
			}
		}
		t := trimLeft(firstLine)
		if hasPrefixFold(t, "SAFETY:") {
			return offsetIn(src, t), true
		}
	}
	return 0, false
}

// blockCommentEnd returns the length of the (possibly nested) block
// comment at the start of src, or len(src) if it is not closed.
func blockCommentEnd(src []byte) int {
	depth := 0
	for i := 0; i+1 < len(src); i++ {
		switch {
		case src[i] == '/' && src[i+1] == '*':
			depth++
			i++
		case src[i] == '*' && src[i+1] == '/':
			depth--
			i++
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(src)
}

// firstCommentMarker is the index of the first "//" or "/*" in t, textual
// as clippy's is (a marker inside a string literal counts), or -1.
func firstCommentMarker(t []byte) int {
	for i := 0; i+1 < len(t); i++ {
		if t[i] == '/' && (t[i+1] == '/' || t[i+1] == '*') {
			return i
		}
	}
	return -1
}

// isAttributeLine: a line holding a whole attribute, `#[...]` or an inner
// `#![...]` (clippy looks across a crate root's inner attributes for the
// comment of its first item). A multi-line attribute does not qualify,
// and ends clippy's search.
func isAttributeLine(t []byte) bool {
	return (bytes.HasPrefix(t, []byte("#[")) || bytes.HasPrefix(t, []byte("#!["))) && bytes.HasSuffix(trimRight(t), []byte("]"))
}

// lineTextOffset is the file offset of sub, a subslice of line's text.
func lineTextOffset(lines *symbols.Lines, line int, sub []byte) int {
	t := lines.Text(line)
	return lines.Start(line) + offsetIn(t, sub)
}

// offsetIn is the offset of sub within s. sub must have been sliced from
// s without limiting its capacity (the capacities tell the offset).
func offsetIn(s, sub []byte) int {
	return cap(s) - cap(sub)
}

// trimLeft drops leading white space, and a byte-order mark (rustc does
// not see one at the start of a file).
func trimLeft(b []byte) []byte  { return bytes.TrimLeftFunc(b, isSpaceOrBOM) }
func isSpaceOrBOM(r rune) bool  { return unicode.IsSpace(r) || r == '\uFEFF' }
func trimRight(b []byte) []byte { return bytes.TrimRightFunc(b, unicode.IsSpace) }
func isBlank(b []byte) bool     { return len(bytes.TrimFunc(b, unicode.IsSpace)) == 0 }

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// trimRepeated removes every leading repetition of prefix, like Rust's
// trim_start_matches.
func trimRepeated(b []byte, prefix string) []byte {
	for bytes.HasPrefix(b, []byte(prefix)) {
		b = b[len(prefix):]
	}
	return b
}

// indexFold finds an ASCII-uppercase needle in b ignoring ASCII case,
// as clippy's `to_ascii_uppercase().contains(...)` does.
func indexFold(b []byte, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(b); i++ {
		if hasPrefixFold(b[i:], needle) {
			return i
		}
	}
	return -1
}

// hasPrefixFold: ASCII case-insensitive prefix test; needle is uppercase.
func hasPrefixFold(b []byte, needle string) bool {
	if len(b) < len(needle) {
		return false
	}
	for i := 0; i < len(needle); i++ {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != needle[i] {
			return false
		}
	}
	return true
}
