package diagnostics

import (
	"bytes"
	"strings"
)

// lintIndex answers "is this clippy lint allowed here?" from the
// `#[allow]`/`#[expect]` (and `#[warn]`/`#[deny]`/`#[forbid]`) attributes
// on the enclosing items, statements and modules. The innermost attribute
// that names the lint (or one of its groups) decides; inner attributes
// `#![...]` apply to their module, function body or file.
//
// It is built once per file from the places the lint names appear in the
// text, so a query is a scan of a handful of ranges.
type lintIndex struct {
	attrs []lintAttr
}

// lintAttr is one attribute that mentions a lint, and the range of code it
// applies to.
type lintAttr struct {
	start, end int // the code the attribute governs
	at         int // the attribute itself, to order attributes on one item
	text       []byte
}

var lintMentions = [][]byte{
	[]byte("undocumented_unsafe_blocks"), []byte("unnecessary_safety_comment"),
	[]byte("unnecessary_safety_doc"), []byte("missing_safety_doc"),
	[]byte("clippy::restriction"), []byte("clippy::all"), []byte("clippy::style"),
}

func (p *Pass) lints() *lintIndex {
	if p.lintLevels != nil {
		return p.lintLevels
	}
	li := &lintIndex{}
	p.lintLevels = li
	f := p.File
	seen := map[int]bool{}
	for _, m := range lintMentions {
		for off := 0; ; {
			i := bytes.Index(f.Src[off:], m)
			if i < 0 {
				break
			}
			at := off + i
			off = at + len(m)
			path := f.PathTo(at, at+1)
			for j := len(path) - 1; j > 0; j-- {
				kind := path[j].Kind
				if kind != k.AttributeItem && kind != k.InnerAttributeItem {
					continue
				}
				if seen[path[j].Start] {
					break
				}
				seen[path[j].Start] = true
				a := lintAttr{at: path[j].Start, text: f.Src[path[j].Start:path[j].End]}
				parent := path[j-1]
				switch {
				case kind == k.InnerAttributeItem:
					a.start, a.end = parent.Start, parent.End
				case parent.Kind == k.SourceFile || parent.Kind == k.DeclarationList || parent.Kind == k.Block:
					target := nextCodeSibling(path[j].Node)
					for target != nil && target.KindId() == k.AttributeItem {
						target = nextCodeSibling(target)
					}
					if target == nil {
						break
					}
					a.start, a.end = int(target.StartByte()), int(target.EndByte())
				default:
					// An attribute inside a match arm, a field, a parameter:
					// it governs its parent.
					a.start, a.end = parent.Start, parent.End
				}
				if a.end > a.start {
					li.attrs = append(li.attrs, a)
				}
				break
			}
		}
	}
	return li
}

// allowed reports whether one of lints is allowed at byte offset scope.
func (li *lintIndex) allowed(scope int, lints []string) bool {
	if len(lints) == 0 {
		return false
	}
	best, bestLen, bestAt := "", -1, -1
	for _, a := range li.attrs {
		if scope < a.start || scope >= a.end {
			continue
		}
		level := attrLevel(a.text, lints)
		if level == "" {
			continue
		}
		n := a.end - a.start
		if bestLen < 0 || n < bestLen || n == bestLen && a.at > bestAt {
			best, bestLen, bestAt = level, n, a.at
		}
	}
	return best == "allow" || best == "expect"
}

// attrLevel reads one attribute's text (`#[allow(a, b)]`, `#![expect(a)]`,
// `#[cfg_attr(cond, allow(a))]`) and returns the lint level it sets for
// one of lints, or "". A cfg_attr is taken as active: krls does not know
// the configuration here, and a silenced rule is the safer mistake.
func attrLevel(text []byte, lints []string) string {
	s := strings.TrimSpace(string(text))
	s = strings.TrimPrefix(s, "#!")
	s = strings.TrimPrefix(s, "#")
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return ""
	}
	return metaLevel(s[1:len(s)-1], lints)
}

func metaLevel(meta string, lints []string) string {
	meta = strings.TrimSpace(meta)
	open := strings.IndexByte(meta, '(')
	if open < 0 || !strings.HasSuffix(meta, ")") {
		return ""
	}
	name := strings.TrimSpace(meta[:open])
	args := splitTopLevel(meta[open+1 : len(meta)-1])
	switch name {
	case "allow", "expect", "warn", "deny", "forbid":
		for _, a := range args {
			a = strings.Join(strings.Fields(a), "")
			for _, l := range lints {
				if a == l {
					return name
				}
			}
		}
	case "cfg_attr":
		level := ""
		for _, a := range args[min(1, len(args)):] {
			if l := metaLevel(a, lints); l != "" {
				level = l
			}
		}
		return level
	}
	return ""
}

// splitTopLevel splits on commas outside parentheses, brackets and strings.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	inStr := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}
