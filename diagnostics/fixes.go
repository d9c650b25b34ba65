package diagnostics

import (
	"bytes"
	"fmt"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// commentWidth is where inserted comments wrap: the kernel's line limit.
const commentWidth = 100

// safetyCommentFix inserts a `// SAFETY: ` comment where clippy will
// accept it: above the enclosing statement when the block sits in plain
// expressions, else above the block's line, else (a one-line function)
// right after `unsafe {`. When the block calls unsafe functions of this
// file whose docs have a Safety section, the comment names them and
// quotes their requirements as a checklist.
func (p *Pass) safetyCommentFix(s *site) Fix {
	lines := p.File.Lines
	body, callees := p.safetyCommentBody(s)
	title := "Add a `// SAFETY:` comment"
	if len(callees) > 0 {
		title += " listing the requirements of " + strings.Join(callees, ", ")
	}
	line := -1
	if s.parent >= 0 {
		if l := lines.Line(s.parent); l > s.boundary {
			line = l
		}
	}
	if line < 0 && s.ownLine > s.boundary {
		line = s.ownLine
	}
	if line >= 0 {
		indent := string(lines.Indent(line))
		return Fix{Title: title, Edits: []Edit{{
			Start: lines.Start(line), End: lines.Start(line),
			NewText: commentLines(indent, "//", body),
		}}}
	}
	indent := string(lines.Indent(s.ownLine))
	if s.brace >= 0 {
		inner := indent + "    "
		return Fix{Title: title, Edits: []Edit{{
			Start: s.brace + 1, End: s.brace + 1,
			NewText: "\n" + commentLines(inner, "//", body) + inner,
		}}}
	}
	// An impl on the line where the previous item ends: give it a line.
	return Fix{Title: title, Edits: []Edit{{
		Start: s.unsafeOff, End: s.unsafeOff,
		NewText: "\n" + commentLines(indent, "//", body) + indent,
	}}}
}

// commentLines renders body lines as comment lines with the given marker.
func commentLines(indent, marker string, body []string) string {
	var b strings.Builder
	for _, l := range body {
		b.WriteString(indent)
		b.WriteString(marker)
		if l != "" {
			b.WriteByte(' ')
			b.WriteString(l)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// safetyCommentBody is the text of the inserted comment.
func (p *Pass) safetyCommentBody(s *site) (body []string, names []string) {
	callees := p.unsafeCallees(s)
	if len(callees) == 0 {
		return []string{"SAFETY: "}, nil
	}
	for _, c := range callees {
		names = append(names, "`"+c.label+"`")
	}
	width := commentWidth - len(p.File.Lines.Indent(s.ownLine)) - len("// ")
	if len(callees) == 1 {
		body = append(body, fmt.Sprintf("SAFETY: TODO: show that each requirement of %s holds:", names[0]))
		for _, item := range checklist(callees[0].docs.SafetyText) {
			body = append(body, wrapItem(item, width)...)
		}
		return body, names
	}
	body = append(body, "SAFETY: TODO: show that each requirement below holds.")
	for i, c := range callees {
		body = append(body, names[i]+":")
		for _, item := range checklist(c.docs.SafetyText) {
			body = append(body, wrapItem(item, width)...)
		}
	}
	return body, names
}

type callee struct {
	label string
	docs  Doc
}

// unsafeCallees finds calls in the site's text to unsafe functions of this
// file that document a Safety section.
func (p *Pass) unsafeCallees(s *site) []callee {
	byName := map[string][]*docItem{}
	for _, it := range p.docItemsOf() {
		if it.isTrait || !it.isUnsafe || !it.docs.Safety || it.docs.SafetyText == "" {
			continue
		}
		if name := it.node.ChildByFieldName("name"); name != nil {
			n := string(p.File.Text(name))
			byName[n] = append(byName[n], it)
		}
	}
	if len(byName) == 0 {
		return nil
	}
	var out []callee
	seen := map[*docItem]bool{}
	for _, name := range calledNames(p.File.Src[s.unsafeOff:s.end]) {
		for _, it := range byName[name] {
			if seen[it] {
				continue
			}
			seen[it] = true
			out = append(out, callee{label: p.qualifiedName(it.node, name), docs: it.docs})
		}
	}
	return out
}

// calledNames lists, in order, the identifiers in text that are followed by
// an argument list (optionally after a turbofish): `f(`, `x.m(`, `T::f::<U>(`.
func calledNames(text []byte) []string {
	var out []string
	for i := 0; i < len(text); {
		if !isIdentStart(text[i]) || (i > 0 && isIdentByte(text[i-1])) {
			i++
			continue
		}
		j := i
		for j < len(text) && isIdentByte(text[j]) {
			j++
		}
		name := string(text[i:j])
		k := j
		for k < len(text) && isSpaceByte(text[k]) {
			k++
		}
		if bytes.HasPrefix(text[k:], []byte("::<")) {
			depth := 0
			for k += 2; k < len(text); k++ {
				if text[k] == '<' {
					depth++
				} else if text[k] == '>' {
					depth--
					if depth == 0 {
						k++
						break
					}
				}
			}
			for k < len(text) && isSpaceByte(text[k]) {
				k++
			}
		}
		if k < len(text) && text[k] == '(' {
			out = append(out, name)
		}
		i = j
	}
	return out
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// qualifiedName is `Type::name` for a method, `Trait::name` for a trait
// member, else name.
func (p *Pass) qualifiedName(fn *sitter.Node, name string) string {
	list := fn.Parent()
	if list == nil || list.KindId() != k.DeclarationList {
		return name
	}
	owner := list.Parent()
	if owner == nil {
		return name
	}
	var t *sitter.Node
	switch owner.KindId() {
	case k.ImplItem:
		t = owner.ChildByFieldName("type")
	case k.TraitItem:
		t = owner.ChildByFieldName("name")
	}
	if t == nil {
		return name
	}
	typ := string(p.File.Text(t))
	if i := strings.IndexByte(typ, '<'); i > 0 {
		typ = typ[:i]
	}
	return typ + "::" + name
}

// checklist splits a Safety section into requirements: list items, or
// paragraphs when the section is prose. Code blocks are dropped.
func checklist(section string) []string {
	var items []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			items = append(items, strings.Join(cur, " "))
			cur = nil
		}
	}
	inCode := false
	for _, raw := range strings.Split(section, "\n") {
		t := strings.TrimSpace(raw)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inCode = !inCode
			flush()
			continue
		}
		if inCode {
			continue
		}
		if t == "" {
			flush()
			continue
		}
		if marker := listMarker(t); marker > 0 {
			flush()
			t = strings.TrimSpace(t[marker:])
		}
		cur = append(cur, strings.Join(strings.Fields(t), " "))
	}
	flush()
	return items
}

// listMarker is the length of a list-item marker at the start of t, or 0.
func listMarker(t string) int {
	if len(t) >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ' {
		return 2
	}
	j := 0
	for j < len(t) && j < 9 && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	if j > 0 && j+1 < len(t) && (t[j] == '.' || t[j] == ')') && t[j+1] == ' ' {
		return j + 2
	}
	return 0
}

// wrapItem renders one checklist entry as "- text", wrapped to width with
// continuation lines indented under the text.
func wrapItem(item string, width int) []string {
	if width < 40 {
		width = 40
	}
	var out []string
	line := "-"
	for _, w := range strings.Fields(item) {
		if len(line)+1+len(w) > width && line != "-" && line != " " {
			out = append(out, line)
			line = " "
		}
		line += " " + w
	}
	return append(out, line)
}

// safetyDocFix appends a `# Safety` section to an item's doc comment, or
// writes one above the item (and its attributes) when it has no docs.
func (p *Pass) safetyDocFix(it *docItem) Fix {
	lines := p.File.Lines
	itemLine := p.File.Line(it.node)
	indent := string(lines.Indent(itemLine))
	who := "callers"
	if it.isTrait {
		who = "implementers"
	}
	section := []string{"# Safety", "", "TODO: list what " + who + " must guarantee."}
	at := lines.Start(lines.Line(it.docStart))
	if it.docs.Present && it.lastDocEnd > 0 {
		last := lines.Line(it.lastDocEnd - 1)
		at = lines.Start(last + 1)
		if strings.TrimSpace(string(trimLeft(lines.Text(last)))) != "///" {
			section = append([]string{""}, section...)
		}
	}
	return Fix{
		Title: "Add a `# Safety` section to the docs",
		Edits: []Edit{{Start: at, End: at, NewText: commentLines(indent, "///", section)}},
	}
}

// plainCommentFix turns an unnecessary SAFETY comment into a plain one by
// removing every "SAFETY:" marker between the comment and the code it sits
// above (clippy takes any of them); a comment left empty is removed.
func (p *Pass) plainCommentFix(c *safetyComment) Fix {
	lines := p.File.Lines
	var edits []Edit
	for i := c.line; i < c.codeLine; i++ {
		text := lines.Text(i)
		if indexFold(text, "SAFETY:") < 0 {
			continue
		}
		lineStart := lines.Start(i)
		var stripped []byte
		pos := 0
		var lineEdits []Edit
		for {
			j := indexFold(text[pos:], "SAFETY:")
			if j < 0 {
				break
			}
			s := pos + j
			e := s + len("SAFETY:")
			for e < len(text) && (text[e] == ' ' || text[e] == '\t') {
				e++
			}
			stripped = append(stripped, text[pos:s]...)
			lineEdits = append(lineEdits, Edit{Start: lineStart + s, End: lineStart + e})
			pos = e
		}
		stripped = append(stripped, text[pos:]...)
		t := trimLeft(stripped)
		switch m := firstCommentMarker(text); {
		case bytes.HasPrefix(t, []byte("//")) && isBlank(bytes.TrimLeft(t, "/!")):
			// The whole line was the marker: drop the line.
			end := lines.Start(i + 1)
			if i+1 >= lines.Count() {
				end = lines.End(i)
			}
			edits = append(edits, Edit{Start: lineStart, End: end})
		case m > 0 && m <= len(stripped) && !isBlank(text[:m]) && isBlank(bytes.Trim(stripped[m:], "/!* \t")):
			// A trailing comment left empty: drop it with the blanks before.
			cut := m
			for cut > 0 && (text[cut-1] == ' ' || text[cut-1] == '\t') {
				cut--
			}
			edits = append(edits, Edit{Start: lineStart + cut, End: lines.End(i)})
		default:
			edits = append(edits, lineEdits...)
		}
	}
	return Fix{Title: "Make it a plain comment (remove `SAFETY:`)", Edits: edits, Safe: true}
}
