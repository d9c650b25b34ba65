package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
)

// report is a finding placed for output: 1-based lines and columns, the
// columns counted in Unicode code points as rustc counts them (a byte
// that is not valid UTF-8 counts as one). EndCol is exclusive.
type report struct {
	Path    string
	Finding diagnostics.Finding
	Line    int
	Col     int
	EndLine int
	EndCol  int
	Related []relatedSpan
}

// relatedSpan is a diagnostics.Related placed like a report.
type relatedSpan struct {
	Line, Col, EndLine, EndCol int
	Message                    string
}

// position turns a byte offset into a 1-based line and code-point column.
func position(lines *symbols.Lines, off int) (line, col int) {
	src := lines.Src()
	off = max(0, min(off, len(src)))
	l := lines.Line(off)
	return l + 1, utf8.RuneCount(src[lines.Start(l):off]) + 1
}

// locator places many offsets of one file in time linear in the file and
// the number of offsets: counting each column from its line's start would
// be quadratic on a long line with many findings (a generated one-line
// file). It gives the same answers as position.
type locator struct {
	lines *symbols.Lines
	offs  []int // sorted, distinct, clamped to the text
	pos   [][2]int
}

// newLocator places the offsets offs (in any order) of lines' text.
func newLocator(lines *symbols.Lines, offs []int) *locator {
	src := lines.Src()
	for i, o := range offs {
		offs[i] = max(0, min(o, len(src)))
	}
	slices.Sort(offs)
	offs = slices.Compact(offs)
	loc := &locator{lines: lines, offs: offs, pos: make([][2]int, len(offs))}
	// A cursor at a character boundary of the current line: byte i is
	// after n characters. position counts utf8.RuneCount(line[:off]), in
	// which a character cut by off counts one per byte; the cursor takes
	// whole characters only and counts the cut rest the same way.
	line, i, n := -1, 0, 0
	for k, off := range offs {
		if l := lines.Line(off); l != line || off < i {
			line, i, n = l, lines.Start(l), 0
		}
		for i < off {
			if c := src[i]; c < utf8.RuneSelf {
				i, n = i+1, n+1
				continue
			}
			_, size := utf8.DecodeRune(src[i:])
			if i+size > off {
				break
			}
			i, n = i+size, n+1
		}
		loc.pos[k] = [2]int{line + 1, n + utf8.RuneCount(src[i:off]) + 1}
	}
	return loc
}

// position is the 1-based line and code-point column of an offset given
// to newLocator.
func (loc *locator) position(off int) (line, col int) {
	off = max(0, min(off, len(loc.lines.Src())))
	k, found := slices.BinarySearch(loc.offs, off)
	if !found {
		return position(loc.lines, off)
	}
	return loc.pos[k][0], loc.pos[k][1]
}

// locateAll places the findings of one file, in their order.
func locateAll(path string, lines *symbols.Lines, fs []diagnostics.Finding) []report {
	if len(fs) == 0 {
		return nil
	}
	offs := make([]int, 0, 2*len(fs))
	for _, f := range fs {
		offs = append(offs, f.Start, max(f.Start, f.End))
		for _, rel := range f.Related {
			offs = append(offs, rel.Start, max(rel.Start, rel.End))
		}
	}
	loc := newLocator(lines, offs)
	out := make([]report, 0, len(fs))
	for _, f := range fs {
		out = append(out, locate(path, loc, f))
	}
	return out
}

func locate(path string, loc *locator, f diagnostics.Finding) report {
	r := report{Path: path, Finding: f}
	r.Line, r.Col = loc.position(f.Start)
	r.EndLine, r.EndCol = loc.position(max(f.Start, f.End))
	for _, rel := range f.Related {
		s := relatedSpan{Message: rel.Message}
		s.Line, s.Col = loc.position(rel.Start)
		s.EndLine, s.EndCol = loc.position(max(rel.Start, rel.End))
		r.Related = append(r.Related, s)
	}
	return r
}

// The output formats. Each writes every report, in the order given.
var formats = map[string]func(w io.Writer, reports []report) error{
	"text":   writeText,
	"json":   writeJSON,
	"sarif":  writeSARIF,
	"github": writeGitHub,
}

// writeText prints one line per finding, as compilers do, so that editors
// and terminals link the positions: `path:line:col: warning: message [rule]`.
func writeText(w io.Writer, reports []report) error {
	bw := bufio.NewWriter(w)
	for _, r := range reports {
		fmt.Fprintf(bw, "%s:%d:%d: %s: %s [%s]\n", r.Path, r.Line, r.Col, r.Finding.Severity, r.Finding.Message, r.Finding.Rule)
	}
	return bw.Flush()
}

type jsonFinding struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	Severity  string `json:"severity"`
	Rule      string `json:"rule"`
	Message   string `json:"message"`
}

// writeJSON prints a JSON array of findings (`[]` when there are none).
func writeJSON(w io.Writer, reports []report) error {
	out := make([]jsonFinding, 0, len(reports))
	for _, r := range reports {
		out = append(out, jsonFinding{
			File: r.Path, Line: r.Line, Column: r.Col, EndLine: r.EndLine, EndColumn: r.EndCol,
			Severity: r.Finding.Severity.String(), Rule: r.Finding.Rule, Message: r.Finding.Message,
		})
	}
	return encodeJSON(w, out)
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeGitHub prints GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request's diff.
func writeGitHub(w io.Writer, reports []report) error {
	bw := bufio.NewWriter(w)
	for _, r := range reports {
		cmd := "warning"
		switch r.Finding.Severity {
		case diagnostics.Error:
			cmd = "error"
		case diagnostics.Information, diagnostics.Hint:
			cmd = "notice"
		}
		fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
			cmd, githubProperty(r.Path), r.Line, r.Col, r.EndLine, r.EndCol,
			githubProperty(r.Finding.Rule), githubData(r.Finding.Message))
	}
	return bw.Flush()
}

// githubData escapes a workflow command's message as @actions/core does.
var githubData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// githubProperty escapes a workflow command's property value.
var githubProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
