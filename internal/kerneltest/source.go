package kerneltest

import (
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// DocSafety reads, as an oracle, the `# Safety` section of the doc
// comment above the first line of text holding decl: its paragraphs and
// list items, each as one line of words.
func DocSafety(text, decl string) []string {
	at := strings.Index(text, decl)
	if at < 0 {
		return nil
	}
	lines := strings.Split(text[:at], "\n")
	lines = lines[:len(lines)-1] // the declaration's own line
	start := len(lines)
	for start > 0 {
		l := strings.TrimSpace(lines[start-1])
		if !strings.HasPrefix(l, "///") && !strings.HasPrefix(l, "#[") {
			break
		}
		start--
	}
	var out []string
	in, open := false, false
	for _, l := range lines[start:] {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "///") {
			continue
		}
		l = strings.Join(strings.Fields(strings.TrimPrefix(l, "///")), " ")
		switch {
		case strings.HasPrefix(l, "#"):
			in = strings.TrimSpace(strings.TrimLeft(l, "#")) == "Safety"
			open = false
		case !in:
		case l == "":
			open = false
		case strings.HasPrefix(l, "- "), strings.HasPrefix(l, "* "):
			out = append(out, strings.TrimSpace(l[2:]))
			open = true
		case open:
			out[len(out)-1] += " " + l
		default:
			out = append(out, l)
			open = true
		}
	}
	return out
}

// Walk visits root and the nodes below it in order; visit says whether
// to go below the node it is given.
func Walk(root *sitter.Node, visit func(n *sitter.Node) bool) {
	c := root.Walk()
	defer c.Close()
	var walk func()
	walk = func() {
		if !visit(c.Node()) || !c.GotoFirstChild() {
			return
		}
		for {
			walk()
			if !c.GotoNextSibling() {
				break
			}
		}
		c.GotoParent()
	}
	walk()
}
