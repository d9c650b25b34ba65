package lsp

import (
	"sort"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// Mapper converts between the byte offsets the domain packages speak and
// LSP positions: 0-based lines and UTF-16 code units within a line.
//
// Lines end at "\n", "\r\n" or a lone "\r", as the LSP specification says.
// A position past the end of a line clamps to the line end (before its
// terminator), a line past the last one clamps to the end of the text.
// Invalid UTF-8 counts one code unit per byte, both ways; a rune outside
// the Basic Multilingual Plane counts two (a surrogate pair).
//
// A Mapper is immutable and safe for concurrent use. Each conversion
// costs a binary search and a scan of at most mapperStride bytes, so that
// converting every finding of a long line (a generated one-line file)
// stays linear: lines longer than that have checkpoints.
type Mapper struct {
	text []byte
	// starts[i] is the byte offset where line i begins; ends[i] where its
	// content ends (where the terminator starts, or len(text)).
	starts []int
	ends   []int
	// cps are checkpoints in long lines, in offset order: the UTF-16
	// units from the line's start to a character boundary.
	cps []checkpoint
}

// checkpoint says that the character boundary at byte off is units
// UTF-16 code units after the start of its line.
type checkpoint struct{ off, units int }

// mapperStride is the distance between the checkpoints of a long line.
const mapperStride = 256

// NewMapper indexes text. The text must not change afterwards.
func NewMapper(text []byte) *Mapper {
	return newMapper(text, mapperStride)
}

func newMapper(text []byte, stride int) *Mapper {
	m := &Mapper{text: text, starts: make([]int, 1, len(text)/32+1)}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			m.ends = append(m.ends, i)
			m.starts = append(m.starts, i+1)
		case '\r':
			m.ends = append(m.ends, i)
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			m.starts = append(m.starts, i+1)
		}
	}
	m.ends = append(m.ends, len(text))
	for l, start := range m.starts {
		end := m.ends[l]
		if end-start <= stride {
			continue
		}
		// Decode as Position does, from the line's start.
		units, last := 0, start
		for i := start; i < end; {
			r, size := utf8.DecodeRune(text[i:end])
			units += utf16Len(r, size)
			i += size
			if i-last >= stride && i < end {
				m.cps = append(m.cps, checkpoint{i, units})
				last = i
			}
		}
	}
	return m
}

// Text is the indexed text.
func (m *Mapper) Text() []byte { return m.text }

// LineCount is the number of lines; a text ending in a terminator has an
// empty last line.
func (m *Mapper) LineCount() int { return len(m.starts) }

// line is the line holding byte offset off (clamped to the text).
func (m *Mapper) line(off int) int {
	if off <= 0 {
		return 0
	}
	return sort.SearchInts(m.starts, off+1) - 1
}

// Position converts a byte offset. Offsets are clamped to the text; an
// offset inside a line terminator maps to the end of the line, one inside
// a multi-byte character to the start of that character.
func (m *Mapper) Position(off int) protocol.Position {
	if off < 0 {
		off = 0
	}
	if off > len(m.text) {
		off = len(m.text)
	}
	l := m.line(off)
	start, end := m.starts[l], m.ends[l]
	if off > end {
		off = end
	}
	units := 0
	// The last checkpoint at or before off, if it is in this line.
	if k := sort.Search(len(m.cps), func(k int) bool { return m.cps[k].off > off }) - 1; k >= 0 && m.cps[k].off > start {
		start, units = m.cps[k].off, m.cps[k].units
	}
	for i := start; i < off; {
		r, size := utf8.DecodeRune(m.text[i:end])
		if i+size > off {
			break // off is inside this character
		}
		units += utf16Len(r, size)
		i += size
	}
	return protocol.Position{Line: uint32(l), Character: uint32(units)}
}

// Offset converts a position to a byte offset, clamping as described on
// Mapper. A character inside a surrogate pair maps to the start of the
// astral character.
func (m *Mapper) Offset(p protocol.Position) int {
	if int64(p.Line) >= int64(len(m.starts)) {
		return len(m.text)
	}
	l := int(p.Line)
	start, end := m.starts[l], m.ends[l]
	want := int64(p.Character)
	units := int64(0)
	// The last checkpoint of this line at or before the position.
	lo := sort.Search(len(m.cps), func(k int) bool { return m.cps[k].off > start })
	hi := sort.Search(len(m.cps), func(k int) bool { return m.cps[k].off > end })
	if k := lo + sort.Search(hi-lo, func(k int) bool { return int64(m.cps[lo+k].units) > want }) - 1; k >= lo {
		start, units = m.cps[k].off, int64(m.cps[k].units)
	}
	i := start
	for i < end {
		r, size := utf8.DecodeRune(m.text[i:end])
		n := int64(utf16Len(r, size))
		if units+n > want {
			break
		}
		units += n
		i += size
	}
	return i
}

// Range converts the byte range [start, end).
func (m *Mapper) Range(start, end int) protocol.Range {
	return protocol.Range{Start: m.Position(start), End: m.Position(end)}
}

// Offsets converts a range to byte offsets, with start <= end even when
// the client sent them reversed.
func (m *Mapper) Offsets(r protocol.Range) (start, end int) {
	start, end = m.Offset(r.Start), m.Offset(r.End)
	if end < start {
		start, end = end, start
	}
	return start, end
}

// utf16Len is the number of UTF-16 code units of a decoded rune. An
// invalid byte (utf8.RuneError of size 1) counts as one unit.
func utf16Len(r rune, size int) int {
	if size == 4 && r >= 0x10000 {
		return 2
	}
	return 1
}
