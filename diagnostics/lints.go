package diagnostics

import (
	"bytes"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// lintIndex answers "is this clippy lint allowed here?" from the
// `#[allow]`/`#[expect]` (and `#[warn]`/`#[deny]`/`#[forbid]`) attributes
// on the enclosing items, statements and modules. The innermost attribute
// that names the lint (or one of its groups) decides; inner attributes
// `#![...]` apply to their module, function body or file.
type lintIndex struct {
	p *Pass
	// relevant is false when the file mentions none of the lints, which is
	// most files: then nothing is allowed and no tree lookups happen.
	relevant bool
}

var lintMentions = [][]byte{
	[]byte("undocumented_unsafe_blocks"), []byte("unnecessary_safety_comment"),
	[]byte("unnecessary_safety_doc"), []byte("missing_safety_doc"),
	[]byte("clippy::restriction"), []byte("clippy::all"), []byte("clippy::style"),
}

func (p *Pass) lints() *lintIndex {
	if p.lintLevels == nil {
		li := &lintIndex{p: p}
		for _, m := range lintMentions {
			if bytes.Contains(p.File.Src, m) {
				li.relevant = true
				break
			}
		}
		p.lintLevels = li
	}
	return p.lintLevels
}

// allowed reports whether one of lints is allowed at byte offset scope.
func (li *lintIndex) allowed(scope int, lints []string) bool {
	if !li.relevant || len(lints) == 0 {
		return false
	}
	f := li.p.File
	n := f.NodeAt(scope, scope+1)
	for ; n != nil; n = n.Parent() {
		// Outer attributes: the attribute items just before n.
		var level string
		for s := n.PrevSibling(); s != nil; s = s.PrevSibling() {
			kind := s.KindId()
			if isComment(kind) {
				continue
			}
			if kind != k.AttributeItem {
				break
			}
			if l := attrLevel(f.Text(s), lints); l != "" && level == "" {
				level = l // the last attribute wins; we walk backwards
			}
		}
		// Inner attributes of a container n.
		if level == "" {
			if kind := n.KindId(); kind == k.SourceFile || kind == k.DeclarationList || kind == k.Block {
				level = innerLevel(li.p, n, lints)
			}
		}
		switch level {
		case "allow", "expect":
			return true
		case "warn", "deny", "forbid":
			return false
		}
	}
	return false
}

func innerLevel(p *Pass, container *sitter.Node, lints []string) string {
	level := ""
	c := container.Walk()
	defer c.Close()
	if !c.GotoFirstChild() {
		return ""
	}
	for {
		n := c.Node()
		kind := n.KindId()
		if kind == k.InnerAttributeItem {
			if l := attrLevel(p.File.Text(n), lints); l != "" {
				level = l
			}
		} else if !isComment(kind) && n.IsNamed() {
			break
		}
		if !c.GotoNextSibling() {
			break
		}
	}
	return level
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
