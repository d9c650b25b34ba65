package diagnostics

import (
	"bytes"
	"slices"
	"sort"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/symbols"
)

// A macro_rules! transcriber has no syntax tree: tree-sitter sees tokens.
// Clippy sees its expansions, whose spans point back into the
// transcriber, so a SAFETY comment above a safe statement of a macro body
// is reported once the macro is expanded in its crate. To look at those
// statements as code, krls makes a second text of the file, of the same
// length so that offsets and lines carry over, in which every transcriber
// is a function body and everything else is blank:
//
//	macro_rules! m { ($t:ty) => { let x: $t = 0; }; }
//	fn f()           {          let x: _t = 0;   }
//
// Metavariables become identifiers (`$t` → `_t`; lifetimes `'t`;
// visibilities blanks), repetition markers blanks, and each transcriber
// is preceded by `fn f()` written into the blanked matcher.

// macroBodyView is the re-parsed text and what it cannot know.
type macroBodyView struct {
	file *symbols.File
	pass *Pass
	// opaque are the offsets of metavariables whose fragments may hold
	// an unsafe block (expr, tt, block, stmt, item, pat): what a statement
	// holding one expands to is not known.
	opaque []int
	// metavars are the offsets of all metavariables, sorted.
	metavars []int
	// rules are the [start, end) ranges of the transcribers rewritten.
	rules [][2]int
}

// opaqueFragments are the fragment specifiers whose tokens can hold an
// unsafe block or are too loose to parse as an identifier in place.
var opaqueFragments = map[string]bool{
	"expr": true, "expr_2021": true, "tt": true, "block": true, "stmt": true,
	"item": true, "pat": true, "pat_param": true,
}

// macroBodies returns the view of the file's macro bodies (nil when it has
// none), built on first use.
func (p *Pass) macroBodies() *macroBodyView {
	if p.bodiesDone {
		return p.bodies
	}
	p.bodiesDone = true
	src := p.File.Src
	if !bytes.Contains(src, []byte("macro_rules!")) {
		return nil
	}
	out := bytes.Repeat([]byte{' '}, len(src))
	for i, c := range src {
		if c == '\n' || c == '\r' {
			out[i] = c
		}
	}
	v := &macroBodyView{}
	free := 0 // the first byte not yet written
	var walk func(n *sitter.Node)
	walk = func(n *sitter.Node) {
		if n.KindId() == k.MacroDefinition {
			for i := uint(0); i < n.NamedChildCount(); i++ {
				r := n.NamedChild(i)
				if r.KindId() != k.MacroRule {
					continue
				}
				if end, ok := v.rewriteRule(src, out, r, free); ok {
					free = end
				}
			}
			return
		}
		for i := uint(0); i < n.NamedChildCount(); i++ {
			walk(n.NamedChild(i))
		}
	}
	walk(p.File.Root())
	if len(v.rules) == 0 {
		return nil
	}
	f, err := symbols.Parse(p.ctx, p.File.Path, out)
	if err != nil {
		return nil
	}
	sort.Ints(v.opaque)
	sort.Ints(v.metavars)
	v.file = f
	v.pass = newPass(p.ctx, f, p.Config)
	v.pass.rule = p.rule
	v.pass.inView = true
	v.pass.bodyView = true
	// The file's macro_rules! are blanked in the view: its macro calls
	// (paste! in a transcriber) are asked of the file's.
	v.pass.macroShapes = p.fileMacroShapes()
	p.bodies = v
	return v
}

// rewriteRule writes a rule's transcriber into out as a function body and
// returns the end of what it wrote; false when there is no room before the
// transcriber for the function's head.
func (v *macroBodyView) rewriteRule(src, out []byte, rule *sitter.Node, free int) (int, bool) {
	left, right := rule.ChildByFieldName("left"), rule.ChildByFieldName("right")
	if left == nil || right == nil || right.KindId() != k.TokenTree {
		return 0, false
	}
	start, end := int(right.StartByte()), int(right.EndByte())
	if end-start < 2 {
		return 0, false
	}
	head := []byte("fn f()")
	at := -1
	for i, run := free, 0; i < start; i++ {
		if src[i] == '\n' || src[i] == '\r' {
			run = 0
			continue
		}
		if run++; run == len(head) {
			at = i + 1 - len(head)
			break
		}
	}
	if at < 0 {
		return 0, false
	}
	copy(out[at:], head)
	frags := fragments(src, left)
	copy(out[start+1:end-1], src[start+1:end-1])
	out[start], out[end-1] = '{', '}'
	v.rewriteTokens(src, out, right, frags)
	v.rules = append(v.rules, [2]int{start, end})
	return end, true
}

// fragments maps a rule's metavariable names (with `$`) to their fragment
// specifiers.
func fragments(src []byte, pattern *sitter.Node) map[string]string {
	out := map[string]string{}
	var walk func(n *sitter.Node)
	walk = func(n *sitter.Node) {
		if n.Kind() == "token_binding_pattern" {
			name, typ := n.ChildByFieldName("name"), n.ChildByFieldName("type")
			if name != nil && typ != nil {
				out[string(src[name.StartByte():name.EndByte()])] = string(src[typ.StartByte():typ.EndByte()])
			}
			return
		}
		for i := uint(0); i < n.NamedChildCount(); i++ {
			walk(n.NamedChild(i))
		}
	}
	walk(pattern)
	return out
}

// rewriteTokens turns the metavariables and repetition markers under n
// into code.
func (v *macroBodyView) rewriteTokens(src, out []byte, n *sitter.Node, frags map[string]string) {
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		s, e := int(c.StartByte()), int(c.EndByte())
		switch c.KindId() {
		case k.Metavariable:
			name := string(src[s:e])
			frag := frags[name]
			switch {
			case frag == "vis":
				blank(out, s, e)
			case frag == "lifetime":
				out[s] = '\''
			default:
				out[s] = '_'
			}
			v.metavars = append(v.metavars, s)
			if opaqueFragments[frag] {
				v.opaque = append(v.opaque, s)
			}
		case k.TokenRepetition:
			v.blankRepetition(out, c)
			v.rewriteTokens(src, out, c, frags)
		case k.TokenTree:
			v.rewriteTokens(src, out, c, frags)
		default:
			if c.ChildCount() == 0 && e-s == 1 && src[s] == '$' {
				// The `$` of a repetition stands before its node.
				out[s] = ' '
			}
		}
	}
}

// blankRepetition blanks `$(` and `) sep *` around a repetition's tokens.
func (v *macroBodyView) blankRepetition(out []byte, rep *sitter.Node) {
	n := int(rep.ChildCount())
	if n < 3 {
		return
	}
	open := -1
	for i := 0; i < n; i++ {
		if c := rep.Child(uint(i)); c.Kind() == "(" {
			open = i
			break
		}
	}
	closeAt := -1
	for i := n - 1; i > open; i-- {
		if c := rep.Child(uint(i)); c.Kind() == ")" {
			closeAt = i
			break
		}
	}
	if open < 0 || closeAt < 0 {
		return
	}
	blank(out, int(rep.StartByte()), int(rep.Child(uint(open)).EndByte()))
	blank(out, int(rep.Child(uint(closeAt)).StartByte()), int(rep.EndByte()))
}

func blank(out []byte, s, e int) {
	for i := s; i < e; i++ {
		if out[i] != '\n' && out[i] != '\r' {
			out[i] = ' '
		}
	}
}

// holdsOpaque: [s, e) holds a metavariable whose expansion is unknown.
func (v *macroBodyView) holdsOpaque(s, e int) bool {
	i := sort.SearchInts(v.opaque, s)
	return i < len(v.opaque) && v.opaque[i] < e
}

// metavariableAt: a metavariable starts at off.
func (v *macroBodyView) metavariableAt(off int) bool {
	_, ok := slices.BinarySearch(v.metavars, off)
	return ok
}

// covers: off is inside a rewritten transcriber.
func (v *macroBodyView) covers(off int) bool {
	for _, r := range v.rules {
		if off > r[0] && off < r[1] {
			return true
		}
	}
	return false
}

// judged decides whether a statement or tail expression of a transcriber
// is judged by the rule: not when it holds unparsed tokens, nor, when
// opaque, metavariables that may stand for unsafe blocks; and not when
// its last token is a metavariable.
// That last one is what real clippy did on Linux 7.2 (impl_flags!'s
// `flag as $ty` and `0 $(| $value)+` tails): rustc joins the spans of
// tokens of two contexts into one of them, and the expression is then no
// longer found in the macro body. A metavariable the macro binds from
// its own body (define_sizes!'s recursion) stays in it: the one miss.
func (v *macroBodyView) judged(n *sitter.Node, opaque bool) bool {
	s, e := int(n.StartByte()), int(n.EndByte())
	if n.HasError() || opaque && v.holdsOpaque(s, e) {
		return false
	}
	last := n
	for last.ChildCount() > 0 {
		last = last.Child(last.ChildCount() - 1)
	}
	if last.KindId() == k.KwSemi && last.PrevSibling() != nil {
		last = last.PrevSibling()
		for last.ChildCount() > 0 {
			last = last.Child(last.ChildCount() - 1)
		}
	}
	return !v.metavariableAt(int(last.StartByte()))
}
