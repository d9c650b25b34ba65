package symbols

import (
	"bytes"
	"regexp"
)

// MacroShape is what a `macro_rules!` definition says about where its
// input's tokens may land, which decides whether `unsafe { ... }` in a
// call's input is code (clippy lints it where it lands) or a token
// pattern the macro consumes (clippy never sees it as a block).
type MacroShape struct {
	Name string
	// LiteralUnsafe: a matcher holds the token `unsafe` itself
	// (`(unsafe { $device:ident }) => ...`): the call's `unsafe` is
	// matched, not compiled.
	LiteralUnsafe bool
	// Captures: a matcher has a fragment that can hold an unsafe block
	// or impl ($x:expr, block, stmt, tt, item): the call's tokens may be
	// transcribed into code.
	Captures bool
}

// InputIsCode says whether `unsafe` in a call's input lands in code.
func (m MacroShape) InputIsCode() bool { return m.Captures && !m.LiteralUnsafe }

var (
	macroDefRE    = regexp.MustCompile(`\bmacro_rules!\s*([A-Za-z_][A-Za-z0-9_]*)`)
	literalUnsRE  = regexp.MustCompile(`(^|[^$\w])unsafe\b`)
	codeFragRE    = regexp.MustCompile(`\$[A-Za-z_][A-Za-z0-9_]*\s*:\s*(expr|expr_2021|block|stmt|tt|item)\b`)
	lineCommentRE = regexp.MustCompile(`//[^\n]*`)
)

// DefinesMacro reports whether src may define the macro name (a text
// test, before parsing).
func DefinesMacro(src []byte, name string) bool {
	for _, m := range macroDefRE.FindAllSubmatch(src, -1) {
		if string(m[1]) == name {
			return true
		}
	}
	return false
}

// MacroShapes returns the shape of each macro_rules! the file defines,
// by name (a name defined twice merges both definitions). The matchers
// are found by text and asked of the tree only for their place.
func MacroShapes(f *File) map[string]MacroShape {
	var targets []Span
	for _, m := range macroDefRE.FindAllSubmatchIndex(f.Src, -1) {
		targets = append(targets, Span{Start: m[0], End: m[0] + 1})
	}
	if len(targets) == 0 {
		return nil
	}
	out := map[string]MacroShape{}
	f.VisitPaths(targets, func(_ int, path []PathNode) bool {
		for j := len(path) - 1; j >= 0; j-- {
			if path[j].Kind != K.MacroDefinition {
				continue
			}
			def := path[j].Node
			nameNode := def.ChildByFieldName("name")
			if nameNode == nil {
				break
			}
			name := string(f.Text(nameNode))
			shape := out[name]
			shape.Name = name
			for i := uint(0); i < def.NamedChildCount(); i++ {
				rule := def.NamedChild(i)
				if rule == nil || rule.KindId() != K.MacroRule {
					continue
				}
				left := rule.ChildByFieldName("left")
				if left == nil {
					continue
				}
				text := lineCommentRE.ReplaceAll(bytes.Clone(f.Text(left)), nil)
				shape.LiteralUnsafe = shape.LiteralUnsafe || literalUnsRE.Match(text)
				shape.Captures = shape.Captures || codeFragRE.Match(text)
			}
			out[name] = shape
			break
		}
		return true
	})
	return out
}

// MacroInvocations returns the names of the macros src invokes in code
// (`name!(`, `name![`, `name! {`, with or without a path), leaving out
// comments (doc examples run as doctests, crates of their own), literals
// and the bodies of its own macro_rules! definitions, whose invocations
// happen where those macros are expanded.
func MacroInvocations(src []byte) map[string]bool {
	out := map[string]bool{}
	tk := NewTokens(src, 0, len(src))
	var prev, prev2 Token // the two tokens before
	for {
		t := tk.Next()
		if t.Kind == TokenEOF {
			return out
		}
		text := string(src[t.Start:t.End])
		if prev2.Kind == TokenIdent && prev.Kind == TokenPunct && src[prev.Start] == '!' &&
			t.Kind == TokenPunct && (text == "(" || text == "[" || text == "{") {
			out[string(src[prev2.Start:prev2.End])] = true
		}
		if prev.Kind == TokenIdent && string(src[prev.Start:prev.End]) == "macro_rules" && text == "!" {
			// macro_rules! NAME { ... }: skip the body.
			name := tk.Next()
			open := tk.Next()
			if name.Kind == TokenIdent && open.Kind == TokenPunct {
				skipGroup(&tk, src)
			}
			prev, prev2 = Token{}, Token{}
			continue
		}
		prev2, prev = prev, t
	}
}

// skipGroup reads tokens up to the one closing the group just opened.
func skipGroup(tk *Tokens, src []byte) {
	depth := 1
	for depth > 0 {
		t := tk.Next()
		if t.Kind == TokenEOF {
			return
		}
		if t.Kind != TokenPunct {
			continue
		}
		switch src[t.Start] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
	}
}
