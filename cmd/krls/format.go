package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
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

func locate(path string, lines *symbols.Lines, f diagnostics.Finding) report {
	r := report{Path: path, Finding: f}
	r.Line, r.Col = position(lines, f.Start)
	r.EndLine, r.EndCol = position(lines, max(f.Start, f.End))
	for _, rel := range f.Related {
		s := relatedSpan{Message: rel.Message}
		s.Line, s.Col = position(lines, rel.Start)
		s.EndLine, s.EndCol = position(lines, max(rel.Start, rel.End))
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
