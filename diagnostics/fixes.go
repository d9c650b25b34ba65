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
// right after `unsafe {`. When the block calls unsafe functions (of this
// file, or of the tree through Config.Contracts), the comment names them
// and quotes their `# Safety` requirements as a checklist.
func (p *Pass) safetyCommentFix(s *site) Fix {
	body, callees := p.safetyCommentBody(s)
	title := "Add a `// SAFETY:` comment"
	if len(callees) > 0 {
		title += " listing the requirements of " + strings.Join(callees, ", ")
	}
	return p.insertCommentFix(s, title, body)
}

// insertCommentFix inserts the comment lines body where they document
// the site s: above its statement when the comment may stand there, else
// above its own line, else inside its block's braces.
func (p *Pass) insertCommentFix(s *site, title string, body []string) Fix {
	lines := p.File.Lines
	anchor := -1
	if s.parent >= 0 && lines.Line(s.parent) > s.boundary {
		anchor = s.parent
	} else if s.ownLine > s.boundary {
		anchor = s.unsafeOff
	}
	nl := p.newline()
	if anchor >= 0 {
		line := lines.Line(anchor)
		indent := string(lines.Indent(line))
		before := p.File.Src[lines.Start(line):anchor]
		if bytes.ContainsAny(before, ";}") {
			// Another statement ends on this line: a comment above the
			// line would document it too. Give the statement its own line.
			cut := anchor
			for cut > lines.Start(line) && (p.File.Src[cut-1] == ' ' || p.File.Src[cut-1] == '\t') {
				cut--
			}
			return Fix{Title: title, Edits: []Edit{{
				Start: cut, End: anchor,
				NewText: nl + commentLines(indent, "//", body, nl) + indent,
			}}}
		}
		return Fix{Title: title, Edits: []Edit{{
			Start: lines.Start(line), End: lines.Start(line),
			NewText: commentLines(indent, "//", body, nl),
		}}}
	}
	indent := string(lines.Indent(s.ownLine))
	if s.brace >= 0 {
		inner := indent + "    "
		return Fix{Title: title, Edits: []Edit{{
			Start: s.brace + 1, End: s.brace + 1,
			NewText: nl + commentLines(inner, "//", body, nl) + inner,
		}}}
	}
	// An impl on the line where the previous item ends: give it a line.
	return Fix{Title: title, Edits: []Edit{{
		Start: s.unsafeOff, End: s.unsafeOff,
		NewText: nl + commentLines(indent, "//", body, nl) + indent,
	}}}
}

// newline is the file's line ending: "\r\n" for files that use it, so that
// inserted lines do not mix endings. It is looked up once per pass: a file
// without a line break (a generated one-line file) would otherwise be
// scanned whole for every finding.
func (p *Pass) newline() string {
	if p.nl == "" {
		p.nl = "\n"
		src := p.File.Src
		if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
			p.nl = "\r\n"
		}
	}
	return p.nl
}

// commentLines renders body lines as comment lines with the given marker.
func commentLines(indent, marker string, body []string, nl string) string {
	var b strings.Builder
	for _, l := range body {
		b.WriteString(indent)
		b.WriteString(marker)
		if l != "" {
			b.WriteByte(' ')
			b.WriteString(l)
		}
		b.WriteString(nl)
	}
	return b.String()
}

// safetyCommentBody is the text of the inserted comment: one group per
// unsafe callee (at most maxCallees, in order of first call), each its
// `# Safety` requirements as a checklist; a C function is named with its
// C symbol, whose contract is in its C documentation.
func (p *Pass) safetyCommentBody(s *site) (body []string, names []string) {
	callees := p.unsafeCallees(s)
	if len(callees) == 0 {
		return []string{"SAFETY: "}, nil
	}
	more := 0
	if len(callees) > maxCallees {
		more = len(callees) - maxCallees
	}
	for _, c := range callees {
		names = append(names, "`"+c.label+"`")
	}
	width := commentWidth - len(p.File.Lines.Indent(s.ownLine)) - len("// ")
	if len(callees) == 1 {
		body = append(body, fmt.Sprintf("SAFETY: TODO: show that each requirement of %s holds:", names[0]))
		return append(body, callees[0].requirements(width)...), names
	}
	body = append(body, "SAFETY: TODO: show that each requirement below holds.")
	for i, c := range callees[:len(callees)-more] {
		body = append(body, names[i]+":")
		body = append(body, c.requirements(width)...)
	}
	if more > 0 {
		rest := names[maxCallees:]
		if len(rest) > maxCallees {
			rest = append(rest[:maxCallees:maxCallees], "...")
		}
		body = append(body, "Also the requirements of "+strings.Join(rest, ", ")+".")
	}
	return body, names
}

// callee is an unsafe function an unsafe block calls.
type callee struct {
	// label is how the comment names it: the path as the block writes
	// it (`Arc::from_raw`, `bindings::mutex_lock`), `Type::method` for a
	// method call.
	label string
	// key tells callees apart: the declaration's path, or the C symbol.
	key string
	// path and file are where the index found it ("" for this file's
	// functions found by name).
	path, file string
	// safety is its `# Safety` section; cSymbol the C function it is.
	safety, cSymbol string
	// safe functions need no justification and are not listed.
	safe bool
	// panics is its `# Panics` section (undocumented-panic).
	panics string
}

// requirements renders a callee's checklist, bounded.
func (c *callee) requirements(width int) []string {
	if c.cSymbol != "" {
		return wrapItem(fmt.Sprintf("`%s` is a C function: its requirements are in its C documentation.", c.cSymbol), width)
	}
	items := checklist(c.safety)
	if len(items) == 0 {
		return wrapItem("(it documents no `# Safety` section)", width)
	}
	var out []string
	for i, item := range items {
		if i == maxItemsPerCallee {
			out = append(out, wrapItem(fmt.Sprintf("(%d more in its `# Safety` section)", len(items)-i), width)...)
			break
		}
		out = append(out, wrapItem(item, width)...)
	}
	return out
}

// unsafeCallees lists the unsafe functions the site's block calls, in
// order of first call, each once. With Config.Contracts, calls resolve
// through the index (paths as written, use imports, `Type::f`, methods on
// `self` and on names whose type is written); a function of this file is
// quoted from the current text. Calls that do not resolve (and every call
// without Contracts) match this file's documented unsafe functions by
// name.
func (p *Pass) unsafeCallees(s *site) []callee {
	from, skip := s.unsafeOff, [][2]int(nil)
	if !s.impl {
		// Calls inside nested unsafe blocks belong to their own comments.
		for _, b := range p.siteInfo().blocks {
			if b[0] > s.unsafeOff && b[1] <= s.end {
				skip = append(skip, b)
			}
		}
	}
	calls := scanCalls(p.File.Src, from, s.end, skip)
	if len(calls) == 0 {
		return nil
	}
	var sc *calleeScope
	if p.Config.Contracts != nil && !s.impl {
		sc = p.newCalleeScope(p.Config.Contracts, s.unsafeOff)
	}
	var out []callee
	seen := map[string]bool{}
	add := func(c callee) {
		if !seen[c.key] {
			seen[c.key] = true
			out = append(out, c)
		}
	}
	if len(calls) > maxCallsResolved {
		calls = calls[:maxCallsResolved]
	}
	for _, cs := range calls {
		name := cs.segs[len(cs.segs)-1]
		if sc != nil {
			if c, ok := sc.resolveCall(cs); ok {
				if p.sameFile(&c) {
					// The current text has the current docs.
					if it := p.localCallee(name, c.path); it != nil {
						add(callee{label: c.label, key: c.key, safety: it.docs.SafetyText})
					}
				} else if !c.safe {
					add(c)
				}
				continue
			}
		}
		for _, it := range p.localCallees()[name] {
			add(callee{label: p.qualifiedName(it.node, name), key: fmt.Sprintf("local:%d", it.node.StartByte()), safety: it.docs.SafetyText})
		}
	}
	return out
}

// localCallees are this file's documented unsafe functions by name.
func (p *Pass) localCallees() map[string][]*docItem {
	if p.callees == nil {
		p.callees = map[string][]*docItem{}
		for _, it := range p.docItemsOf() {
			if it.isTrait || !it.isUnsafe || !it.docs.Safety || it.docs.SafetyText == "" {
				continue
			}
			if name := it.node.ChildByFieldName("name"); name != nil {
				n := string(p.File.Text(name))
				p.callees[n] = append(p.callees[n], it)
			}
		}
	}
	return p.callees
}

// localCallee is the documented unsafe function of this file that the
// index knows at path: the one of that name whose `Type::name` ends the
// path.
func (p *Pass) localCallee(name, path string) *docItem {
	for _, it := range p.localCallees()[name] {
		if q := p.qualifiedName(it.node, name); path == q || strings.HasSuffix(path, "::"+q) {
			return it
		}
	}
	return nil
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
	itemStart := int(it.node.StartByte())
	itemLine := lines.Line(itemStart)
	indent := string(lines.Indent(itemLine))
	who := "callers"
	if it.isTrait {
		who = "implementers"
	}
	nl := p.newline()
	section := []string{"# Safety", "", "TODO: list what " + who + " must guarantee."}
	title := "Add a `# Safety` section to the docs"
	lastLine := -1
	if it.docs.Present && it.lastDocEnd > 0 {
		lastLine = lines.Line(it.lastDocEnd - 1)
	}
	if before := p.File.Src[lines.Start(itemLine):itemStart]; !isBlank(before) {
		// The item shares its line with its docs or another item: the
		// section goes right before the item, on lines of its own.
		if lastLine != itemLine {
			lastLine = -1
		}
		if lastLine >= 0 {
			section = append([]string{""}, section...)
		}
		cut := itemStart
		for cut > lines.Start(itemLine) && (p.File.Src[cut-1] == ' ' || p.File.Src[cut-1] == '\t') {
			cut--
		}
		return Fix{Title: title, Edits: []Edit{{Start: cut, End: itemStart,
			NewText: nl + commentLines(indent, "///", section, nl) + indent}}}
	}
	at := lines.Start(lines.Line(it.docStart))
	if lastLine >= 0 {
		at = lines.Start(lastLine + 1)
		if strings.TrimSpace(string(trimLeft(lines.Text(lastLine)))) != "///" {
			section = append([]string{""}, section...)
		}
	}
	return Fix{Title: title, Edits: []Edit{{Start: at, End: at, NewText: commentLines(indent, "///", section, nl)}}}
}

// plainCommentFix turns an unnecessary SAFETY comment into a plain one.
// clippy takes any "SAFETY:" (any case) in the comment run, so each goes:
// at the start of a comment's text the marker and the blanks after it are
// removed (`// SAFETY: foo` becomes `// foo`, and a `//` comment left
// empty is removed); inside the text only the colon goes (`thread-safety:
// we hold` becomes `thread-safety we hold`). Only comment text is touched:
// not code or strings before a trailing comment, not attributes in the run.
func (p *Pass) plainCommentFix(c *safetyComment) Fix {
	return p.plainLabelFix(c, "SAFETY:")
}

// plainLabelFix is plainCommentFix for a comment of label ("CAST:", ...).
func (p *Pass) plainLabelFix(c *safetyComment, label string) Fix {
	word := label[:len(label)-1]
	lines := p.File.Lines
	var edits []Edit
	for i := c.line; i < c.codeLine; i++ {
		text := lines.Text(i)
		lineStart := lines.Start(i)
		t := trimLeft(text)
		from := -1 // where the comment begins on this line
		lineComment := false
		switch {
		case bytes.HasPrefix(t, []byte("//")):
			from, lineComment = len(text)-len(t), true
		case c.blockEnd >= 0 && i <= c.blockEnd && (i > c.line || !bytes.Contains(text, []byte("/*"))):
			from = 0 // a line inside the block comment
		case i == c.line:
			from = firstCommentMarker(text)
			lineComment = from >= 0 && bytes.HasPrefix(text[from:], []byte("//"))
		}
		if from < 0 {
			continue
		}
		body := text[from:]
		start := commentTextStart(body)
		content := body[start:]
		var lineEdits []Edit
		left := 0 // bytes of text that stay
		pos := 0
		for {
			j := indexFold(content[pos:], label)
			if j < 0 {
				left += len(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(content[pos:]), []byte("*/"))))
				break
			}
			at := pos + j
			left += len(bytes.TrimSpace(content[pos:at]))
			base := lineStart + from + start
			if at == 0 {
				e := at + len(label)
				for e < len(content) && (content[e] == ' ' || content[e] == '\t') {
					e++
				}
				lineEdits = append(lineEdits, Edit{Start: base + at, End: base + e})
				pos = e
			} else {
				colon := at + len(word)
				lineEdits = append(lineEdits, Edit{Start: base + colon, End: base + colon + 1})
				left += len(word)
				pos = colon + 1
			}
		}
		if len(lineEdits) == 0 {
			continue
		}
		if left == 0 && lineComment {
			if isBlank(text[:from]) {
				// A comment line left empty: remove the line.
				end := lines.Start(i + 1)
				if i+1 >= lines.Count() {
					end = lines.End(i)
				}
				edits = append(edits, Edit{Start: lineStart, End: end})
			} else {
				// A trailing comment left empty: remove it and the blanks
				// before it.
				cut := from
				for cut > 0 && (text[cut-1] == ' ' || text[cut-1] == '\t') {
					cut--
				}
				edits = append(edits, Edit{Start: lineStart + cut, End: lines.End(i)})
			}
			continue
		}
		edits = append(edits, lineEdits...)
	}
	return Fix{Title: "Make it a plain comment (remove `" + label + "`)", Edits: edits, Safe: true}
}

// commentTextStart is where the text of a comment begins: after blanks,
// the comment markers and decoration (`//`, `///`, `//!`, `/*`, ` * `).
func commentTextStart(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	for i < len(b) && (b[i] == '/' || b[i] == '*' || b[i] == '!') {
		i++
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}
