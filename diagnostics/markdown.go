package diagnostics

import (
	"strings"
)

// Doc is what the safety rules need from a doc comment: whether it has a
// Safety heading, as clippy's markdown scan decides, and that section's
// text for quoting.
type Doc struct {
	Present bool // any doc text at all
	// Unknown: part of the docs comes from a macro (#[doc = concat!(..)]),
	// so whether they have a Safety section cannot be told.
	Unknown bool
	Safety  bool
	// SafetyText is the body of the first Safety section, unindented, or "".
	SafetyText string
	// HeadingLine is the index (in doc lines) of the Safety heading.
	HeadingLine int
	Lines       []string
}

type docFragment struct {
	text    string
	sugared bool // `///` or `/** */` rather than #[doc = "..."]
	start   int
}

// safetyHeadings are the heading texts clippy accepts for a Safety section.
var safetyHeadings = map[string]bool{
	"Safety": true, "SAFETY": true, "Implementation safety": true, "Implementation Safety": true,
}

// parseDoc joins doc fragments the way rustdoc does (each fragment is one
// or more lines; common indentation is removed) and scans the markdown for
// headings: ATX (`#`…`######`, also inside block quotes and list items) and
// setext (`===`/`---` under a paragraph line), outside fenced and indented
// code blocks. A heading is a Safety heading when one of its text pieces —
// split at emphasis markers, code spans excluded — is one of
// safetyHeadings, which is how clippy compares pulldown-cmark's text events.
func parseDoc(frags []docFragment) Doc {
	var lines []string
	for _, fr := range frags {
		lines = append(lines, strings.Split(fr.text, "\n")...)
	}
	d := Doc{HeadingLine: -1}
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			d.Present = true
			break
		}
	}
	lines = unindent(lines)
	d.Lines = lines

	var fence string // the open fence, "" outside code
	inPara := false
	headingAt := -1
	headingLevel := 0
	sectionEnd := len(lines)
	for i, raw := range lines {
		line := strings.TrimRight(raw, " \t\r")
		body := stripContainers(line)
		indent := leadingSpaces(body)
		trimmed := strings.TrimSpace(body)
		if fence != "" {
			if indent < 4 && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if trimmed == "" {
			inPara = false
			continue
		}
		if indent >= 4 && !inPara {
			continue // indented code block
		}
		if f := openFence(trimmed); f != "" && indent < 4 {
			fence = f
			inPara = false
			continue
		}
		level, text, isATX := atxHeading(body)
		if !isATX && inPara && i > 0 && isSetextUnderline(trimmed) {
			level, isATX = 2, true
			if trimmed[0] == '=' {
				level = 1
			}
			text = strings.TrimSpace(stripContainers(lines[i-1]))
		}
		if isATX {
			inPara = false
			if headingAt >= 0 && level <= headingLevel && sectionEnd == len(lines) {
				sectionEnd = i
				if trimmed[0] != '#' {
					sectionEnd = i - 1 // the setext text line
				}
			}
			if headingAt < 0 && isSafetyHeading(text) {
				d.Safety = true
				headingAt, headingLevel = i, level
			}
			continue
		}
		inPara = true
	}
	if headingAt >= 0 {
		d.HeadingLine = headingAt
		d.SafetyText = strings.TrimSpace(strings.Join(lines[headingAt+1:sectionEnd], "\n"))
	}
	return d
}

// unindent removes the indentation common to all non-blank lines, as
// rustdoc's unindent pass does.
func unindent(lines []string) []string {
	minIndent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if minIndent < 0 || n < minIndent {
			minIndent = n
		}
	}
	if minIndent <= 0 {
		return lines
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) >= minIndent && strings.TrimSpace(l[:minIndent]) == "" {
			out[i] = l[minIndent:]
		} else {
			out[i] = strings.TrimLeft(l, " \t")
		}
	}
	return out
}

// stripContainers removes block-quote markers and list-item markers at the
// start of a line, so that headings inside them are seen.
func stripContainers(s string) string {
	for {
		t := strings.TrimLeft(s, " ")
		if len(s)-len(t) > 3 {
			return s
		}
		switch {
		case strings.HasPrefix(t, ">"):
			s = strings.TrimPrefix(t[1:], " ")
			continue
		case len(t) >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ':
			if t[0] != '-' || !isSetextUnderline(strings.TrimSpace(t)) {
				s = t[2:]
				continue
			}
		default:
			j := 0
			for j < len(t) && j < 9 && t[j] >= '0' && t[j] <= '9' {
				j++
			}
			if j > 0 && j+1 < len(t) && (t[j] == '.' || t[j] == ')') && t[j+1] == ' ' {
				s = t[j+2:]
				continue
			}
		}
		return s
	}
}

func leadingSpaces(s string) int {
	n := 0
	for _, c := range s {
		switch c {
		case ' ':
			n++
		case '\t':
			n += 4 - n%4
		default:
			return n
		}
	}
	return n
}

// openFence returns the fence a line opens (``` or ~~~, three or more).
func openFence(trimmed string) string {
	for _, c := range []string{"`", "~"} {
		if strings.HasPrefix(trimmed, c+c+c) {
			n := len(trimmed) - len(strings.TrimLeft(trimmed, c))
			return strings.Repeat(c, n)
		}
	}
	return ""
}

// atxHeading parses `# text #`. The line may be indented up to 3 spaces.
func atxHeading(s string) (level int, text string, ok bool) {
	if leadingSpaces(s) > 3 {
		return 0, "", false
	}
	t := strings.TrimLeft(s, " ")
	for level < len(t) && t[level] == '#' {
		level++
	}
	if level == 0 || level > 6 {
		return 0, "", false
	}
	rest := t[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false
	}
	rest = strings.TrimSpace(rest)
	// A closing sequence of #s, preceded by a space, is not text.
	if end := strings.TrimRight(rest, "#"); end != rest && (end == "" || strings.HasSuffix(end, " ")) {
		rest = strings.TrimSpace(end)
	}
	return level, rest, true
}

func isSetextUnderline(t string) bool {
	if t == "" {
		return false
	}
	c := t[0]
	if c != '=' && c != '-' {
		return false
	}
	return strings.Trim(t, string(c)) == ""
}

// isSafetyHeading splits heading text into the pieces pulldown-cmark would
// report as separate text events and compares each, trimmed.
func isSafetyHeading(text string) bool {
	var pieces []string
	var b strings.Builder
	inCode := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '`':
			if !inCode {
				pieces = append(pieces, b.String())
			}
			b.Reset()
			inCode = !inCode
		case inCode:
		case c == '*' || c == '_' || c == '[' || c == ']':
			pieces = append(pieces, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	if !inCode {
		pieces = append(pieces, b.String())
	}
	for _, p := range pieces {
		if safetyHeadings[strings.TrimSpace(p)] {
			return true
		}
	}
	return false
}
