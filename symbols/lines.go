package symbols

import "sort"

// Lines indexes the line starts of a source text. Domain code speaks byte
// offsets; Lines turns them into 0-based line numbers and back. A line
// includes its terminating '\n' (a "\r\n" pair counts as one terminator
// whose '\r' stays part of the line text, as rustc's source map does).
type Lines struct {
	src    []byte
	starts []int // starts[i] is the byte offset of line i; len(starts) >= 1
}

// NewLines indexes src.
func NewLines(src []byte) *Lines {
	starts := make([]int, 1, len(src)/32+1)
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &Lines{src: src, starts: starts}
}

// Count is the number of lines. A text ending in '\n' has an empty last line.
func (l *Lines) Count() int { return len(l.starts) }

// Start is the byte offset where line i begins (clamped to the text).
func (l *Lines) Start(i int) int {
	if i <= 0 {
		return 0
	}
	if i >= len(l.starts) {
		return len(l.src)
	}
	return l.starts[i]
}

// End is the byte offset just past line i's content, before its '\n'.
func (l *Lines) End(i int) int {
	if i < 0 {
		return 0
	}
	if i+1 >= len(l.starts) {
		return len(l.src)
	}
	return l.starts[i+1] - 1
}

// Text is line i without its '\n'.
func (l *Lines) Text(i int) []byte {
	if i < 0 || i >= len(l.starts) {
		return nil
	}
	return l.src[l.Start(i):l.End(i)]
}

// Line is the 0-based line holding byte offset off (clamped).
func (l *Lines) Line(off int) int {
	if off <= 0 {
		return 0
	}
	// The last start <= off.
	return sort.SearchInts(l.starts, off+1) - 1
}

// Column is the 0-based byte column of off within its line.
func (l *Lines) Column(off int) int {
	if off > len(l.src) {
		off = len(l.src)
	}
	return off - l.Start(l.Line(off))
}

// Indent is the leading blanks (spaces and tabs) of line i.
func (l *Lines) Indent(i int) []byte {
	t := l.Text(i)
	n := 0
	for n < len(t) && (t[n] == ' ' || t[n] == '\t') {
		n++
	}
	return t[:n]
}

// Src is the indexed text.
func (l *Lines) Src() []byte { return l.src }
