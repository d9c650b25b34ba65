package diagnostics

import (
	"bytes"
	"context"
	"sort"
	"strings"

	"github.com/krls-dev/krls/symbols"
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
	[]byte("warnings"),
}

func (p *Pass) lints() *lintIndex {
	if p.lintLevels != nil {
		return p.lintLevels
	}
	li := &lintIndex{}
	p.lintLevels = li
	f := p.File
	// Every mention of a lint name, in order; one cursor visits them all.
	var targets []symbols.Span
	for _, m := range lintMentions {
		for off := 0; ; {
			i := bytes.Index(f.Src[off:], m)
			if i < 0 {
				break
			}
			at := off + i
			off = at + len(m)
			targets = append(targets, symbols.Span{Start: at, End: at + 1})
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].Start < targets[j].Start })
	seen := map[int]bool{}
	f.VisitPaths(targets, func(_ int, path []symbols.PathNode) bool {
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
		return true
	})
	return li
}

// AllowedAt lists the rules whose lints the attributes around byte
// offset off of f allow (or expect): what a file that f pulls in with
// `include!` there inherits, since the included text is compiled as if it
// stood at the include! (bindgen output under a module's
// `#![allow(clippy::all, ...)]`).
func AllowedAt(ctx context.Context, f *symbols.File, off int) map[string]bool {
	li := newPass(ctx, f, Config{}).lints()
	out := map[string]bool{}
	for _, r := range AllRules() {
		if len(r.Lints) > 0 && li.allowed(off, r.Lints) {
			out[r.Name] = true
		}
	}
	return out
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
		if len(args) == 0 || !cfgMayHold(args[0]) {
			return ""
		}
		level := ""
		for _, a := range args[1:] {
			if l := metaLevel(a, lints); l != "" {
				level = l
			}
		}
		return level
	}
	return ""
}

// cfgMayHold evaluates a cfg predicate as far as it can be known here:
// `all()`, `any()`, `not(..)`, and `test` and `doc` (false: clippy runs on
// the kernel's normal build). Anything else (CONFIG_ options, features)
// counts as holding: a silenced rule is the safer mistake.
func cfgMayHold(pred string) bool {
	pred = strings.Join(strings.Fields(pred), "")
	switch pred {
	case "test", "doc", "doctest":
		return false
	}
	open := strings.IndexByte(pred, '(')
	if open < 0 || !strings.HasSuffix(pred, ")") {
		return true
	}
	args := splitTopLevel(pred[open+1 : len(pred)-1])
	switch pred[:open] {
	case "all":
		for _, a := range args {
			if !cfgMayHold(a) {
				return false
			}
		}
		return true
	case "any":
		for _, a := range args {
			if cfgMayHold(a) {
				return true
			}
		}
		return false
	case "not":
		if len(args) == 1 && cfgKnown(args[0]) {
			return !cfgMayHold(args[0])
		}
	}
	return true
}

// cfgKnown: the predicate's value is known exactly (no CONFIG_ options).
func cfgKnown(pred string) bool {
	pred = strings.Join(strings.Fields(pred), "")
	switch pred {
	case "test", "doc", "doctest":
		return true
	}
	open := strings.IndexByte(pred, '(')
	if open < 0 || !strings.HasSuffix(pred, ")") {
		return false
	}
	for _, a := range splitTopLevel(pred[open+1 : len(pred)-1]) {
		if !cfgKnown(a) {
			return false
		}
	}
	return pred[:open] == "all" || pred[:open] == "any" || pred[:open] == "not"
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
