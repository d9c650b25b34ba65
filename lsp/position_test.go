package lsp

import (
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// refPosition is a slow, independent byte offset → position conversion:
// walk the text from its start, character by character.
func refPosition(text []byte, off int) protocol.Position {
	off = max(0, min(off, len(text)))
	line, char := 0, 0
	for i := 0; i < off; {
		c := text[i]
		if c == '\n' || c == '\r' {
			n := 1
			if c == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				n = 2
			}
			if i+n > off {
				break // inside "\r\n": the end of the line
			}
			line, char, i = line+1, 0, i+n
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if i+size > off {
			break
		}
		if r == utf8.RuneError && size == 1 {
			char++
		} else {
			char += len(utf16.Encode([]rune{r}))
		}
		i += size
	}
	return protocol.Position{Line: uint32(line), Character: uint32(char)}
}

func pos(l, c uint32) protocol.Position { return protocol.Position{Line: l, Character: c} }

func TestPosition(t *testing.T) {
	tests := []struct {
		name string
		text string
		off  int
		want protocol.Position
	}{
		{"empty", "", 0, pos(0, 0)},
		{"ascii", "abc", 2, pos(0, 2)},
		{"end", "abc", 3, pos(0, 3)},
		{"negative", "abc", -4, pos(0, 0)},
		{"past end", "abc\nde", 100, pos(1, 2)},
		{"second line", "abc\nde", 5, pos(1, 1)},
		{"after newline", "abc\n", 4, pos(1, 0)},
		{"before newline", "abc\n", 3, pos(0, 3)},
		{"é is one unit", "é=1", 2, pos(0, 1)},
		{"after é", "aé=1", 4, pos(0, 3)},
		{"inside é", "aé=1", 2, pos(0, 1)},
		{"penguin is two units", "🐧x", 4, pos(0, 2)},
		{"after penguin", "🐧x", 5, pos(0, 3)},
		{"inside penguin", "🐧x", 2, pos(0, 0)},
		{"CJK is one unit each", "中文x", 6, pos(0, 2)},
		{"comment before unsafe", "    /* 🐧 é 中 */ unsafe {}", len("    /* 🐧 é 中 */ "), pos(0, 17)},
		{"CRLF second line", "ab\r\ncd", 5, pos(1, 1)},
		{"inside CRLF", "ab\r\ncd", 3, pos(0, 2)},
		{"at CR", "ab\r\ncd", 2, pos(0, 2)},
		{"after CRLF", "ab\r\ncd", 4, pos(1, 0)},
		{"lone CR ends a line", "ab\rcd", 4, pos(1, 1)},
		{"CR CR", "a\r\rb", 3, pos(2, 0)},
		{"LF CR", "a\n\rb", 3, pos(2, 0)},
		{"invalid byte is one unit", "a\xffb", 2, pos(0, 2)},
		{"invalid bytes", "\xff\xfe\xfdx", 3, pos(0, 3)},
		{"truncated sequence", "\xe4\xb8x", 2, pos(0, 2)},
		{"surrogate encoded in UTF-8 is invalid", "\xed\xa0\x80x", 3, pos(0, 3)},
		{"emoji after CRLF lines", "//🐧\r\n//é\r\nx", len("//🐧\r\n//é\r\n") + 1, pos(2, 1)},
		{"trailing CRLF", "x\r\n", 3, pos(1, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMapper([]byte(tt.text))
			if got := m.Position(tt.off); got != tt.want {
				t.Errorf("Position(%q, %d) = %v, want %v", tt.text, tt.off, got, tt.want)
			}
			if got := refPosition([]byte(tt.text), tt.off); got != tt.want {
				t.Errorf("reference Position(%q, %d) = %v, want %v (bad test?)", tt.text, tt.off, got, tt.want)
			}
		})
	}
}

func TestOffset(t *testing.T) {
	tests := []struct {
		name string
		text string
		pos  protocol.Position
		want int
	}{
		{"empty", "", pos(0, 0), 0},
		{"empty past", "", pos(3, 3), 0},
		{"ascii", "abc", pos(0, 2), 2},
		{"past line end clamps", "abc\nde", pos(0, 10), 3},
		{"past last line clamps to end", "abc\nde", pos(5, 0), 6},
		{"last line", "abc\nde", pos(1, 2), 6},
		{"empty last line", "abc\n", pos(1, 0), 4},
		{"past empty last line", "abc\n", pos(1, 7), 4},
		{"after é", "aé=1", pos(0, 2), 3},
		{"after penguin", "🐧x", pos(0, 2), 4},
		{"inside the surrogate pair", "🐧x", pos(0, 1), 0},
		{"after x", "🐧x", pos(0, 3), 5},
		{"CJK", "中文x", pos(0, 2), 6},
		{"comment before unsafe", "    /* 🐧 é 中 */ unsafe {}", pos(0, 17), len("    /* 🐧 é 中 */ ")},
		{"CRLF line end", "ab\r\ncd", pos(0, 5), 2},
		{"CRLF second line", "ab\r\ncd", pos(1, 1), 5},
		{"lone CR", "ab\rcd", pos(1, 0), 3},
		{"invalid bytes", "\xff\xfe\xfdx", pos(0, 3), 3},
		{"truncated sequence", "\xe4\xb8x", pos(0, 2), 2},
		{"huge values", "ab\ncd", pos(^uint32(0), ^uint32(0)), 5},
		{"huge character", "ab\ncd", pos(0, ^uint32(0)), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMapper([]byte(tt.text))
			if got := m.Offset(tt.pos); got != tt.want {
				t.Errorf("Offset(%q, %v) = %d, want %d", tt.text, tt.pos, got, tt.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, text := range roundTripSeeds {
		checkRoundTrip(t, []byte(text))
	}
}

func TestRangeAndOffsets(t *testing.T) {
	m := NewMapper([]byte("a🐧b\nc"))
	r := m.Range(1, 5)
	if r.Start != pos(0, 1) || r.End != pos(0, 3) {
		t.Errorf("Range = %v", r)
	}
	start, end := m.Offsets(protocol.Range{Start: pos(1, 1), End: pos(0, 1)})
	if start != 1 || end != 8 {
		t.Errorf("reversed Offsets = %d, %d; want 1, 8", start, end)
	}
	if m.LineCount() != 2 {
		t.Errorf("LineCount = %d", m.LineCount())
	}
}

var roundTripSeeds = []string{
	"",
	"fn main() {}\n",
	"// 🐧 é 中\r\nunsafe { x }\r\n",
	"a\rb\r\n\n\rc",
	"\xff\xfe🐧\xe4\xb8\xed\xa0\x80é",
	"🐧🐧🐧\n\n",
	"\r",
	"\n",
	"x\xf0\x9f\x90",
	"a long line of 🐧 and \xff bytes, é and 中, long enough for checkpoints at the default stride: " +
		"🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧🐧\xf0\x9f" +
		"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé\r\nand a second line",
}

// TestMapperLongLine converts every finding of a long generated line: each
// conversion scans at most a stride, not the line from its start.
func TestMapperLongLine(t *testing.T) {
	var b []byte
	for i := 0; i < 5000; i++ {
		b = append(b, "unsafe { g() } + é🐧 + "...)
	}
	m := NewMapper(b)
	if len(m.cps) < len(b)/(mapperStride+utf8.UTFMax) {
		t.Fatalf("%d checkpoints for %d bytes", len(m.cps), len(b))
	}
	for off := 0; off < len(b); off += 997 {
		p := m.Position(off)
		if want := refPosition(b, off); p != want {
			t.Fatalf("Position(%d) = %v, want %v", off, p, want)
		}
		if o := m.Offset(p); o > off || m.Position(o) != p {
			t.Fatalf("Offset(%v) = %d", p, o)
		}
	}
}

// checkRoundTrip checks, for every offset of text, that the mapper agrees
// with the reference and that offsets and positions convert back.
func checkRoundTrip(t *testing.T, text []byte) {
	t.Helper()
	// Small strides put checkpoints everywhere in short texts.
	for _, stride := range []int{mapperStride, 1, 2, 3, 5} {
		checkRoundTripWith(t, text, newMapper(text, stride))
	}
}

func checkRoundTripWith(t *testing.T, text []byte, m *Mapper) {
	t.Helper()
	for off := -1; off <= len(text)+1; off++ {
		p := m.Position(off)
		if want := refPosition(text, off); p != want {
			t.Fatalf("%q: Position(%d) = %v, reference %v", text, off, p, want)
		}
		back := m.Offset(p)
		if back > max(0, min(off, len(text))) {
			t.Fatalf("%q: Offset(Position(%d) = %v) = %d, past the offset", text, off, p, back)
		}
		if m.Position(back) != p {
			t.Fatalf("%q: Position(Offset(%v) = %d) = %v", text, p, back, m.Position(back))
		}
		// The offset of a position converts back to it or to a position
		// before it on the same line (a clamped or split character).
		for _, q := range []protocol.Position{p, {Line: p.Line, Character: p.Character + 1}, {Line: p.Line + 1, Character: 0}} {
			o := m.Offset(q)
			if o < 0 || o > len(text) {
				t.Fatalf("%q: Offset(%v) = %d out of range", text, q, o)
			}
			if m.Offset(m.Position(o)) != o {
				t.Fatalf("%q: offset %d of %v does not round trip", text, o, q)
			}
			if got := m.Position(o); got.Line > q.Line || (got.Line == q.Line && got.Character > q.Character) {
				t.Fatalf("%q: Position(Offset(%v)) = %v, past it", text, q, got)
			}
		}
	}
}

func FuzzPosition(f *testing.F) {
	for _, s := range roundTripSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 512 {
			return
		}
		checkRoundTrip(t, text)
	})
}
