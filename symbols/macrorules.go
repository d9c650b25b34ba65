package symbols

import (
	"bytes"
	"regexp"

	sitter "github.com/tree-sitter/go-tree-sitter"
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
	// UnsafeValue: a transcriber holds `unsafe { ... }` among its own
	// tokens, outside any braced block of its own (`() => { unsafe {
	// &*current() } }`): a call can be an unsafe block, which makes a
	// SAFETY comment above the statement holding it necessary.
	UnsafeValue bool
	// Literals are the words (identifiers, keywords) a matcher holds
	// itself, not as metavariables or fragment specifiers: a call's `as`
	// in `bitfield! { 31:24 major as u8; }` is matched, not a cast.
	Literals map[string]bool
}

// InputIsCode says whether `unsafe` in a call's input lands in code.
func (m MacroShape) InputIsCode() bool { return m.Captures && !m.LiteralUnsafe }

var (
	macroDefRE    = regexp.MustCompile(`\bmacro_rules!\s*([A-Za-z_][A-Za-z0-9_]*)`)
	literalUnsRE  = regexp.MustCompile(`(^|[^$\w])unsafe\b`)
	codeFragRE    = regexp.MustCompile(`\$[A-Za-z_][A-Za-z0-9_]*\s*:\s*(expr|expr_2021|block|stmt|tt|item)\b`)
	lineCommentRE = regexp.MustCompile(`//[^\n]*`)
)

var procMacroRE = regexp.MustCompile(`#\[proc_macro\]\s*(?:(?://[^\n]*|#\[[^\]\n]*\])\s*)*pub\s+fn\s+([A-Za-z_][A-Za-z0-9_]*)`)

// ProcMacros returns the names of the function-like proc macros src
// defines (`#[proc_macro] pub fn name(`), by text.
func ProcMacros(src []byte) []string {
	if !bytes.Contains(src, []byte("#[proc_macro]")) {
		return nil
	}
	var out []string
	for _, m := range procMacroRE.FindAllSubmatch(src, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// DefinedMacros returns the names of the macro_rules! src may define
// (a text scan, before parsing).
func DefinedMacros(src []byte) []string {
	var out []string
	for _, m := range macroDefRE.FindAllSubmatch(src, -1) {
		out = append(out, string(m[1]))
	}
	return out
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
				if right := rule.ChildByFieldName("right"); right != nil && holdsUnsafeBlock(f, right) {
					shape.UnsafeValue = true
				}
				left := rule.ChildByFieldName("left")
				if left == nil {
					continue
				}
				text := lineCommentRE.ReplaceAll(bytes.Clone(f.Text(left)), nil)
				shape.LiteralUnsafe = shape.LiteralUnsafe || literalUnsRE.Match(text)
				shape.Captures = shape.Captures || codeFragRE.Match(text)
				for _, w := range matcherWords(text) {
					if shape.Literals == nil {
						shape.Literals = map[string]bool{}
					}
					shape.Literals[w] = true
				}
			}
			out[name] = shape
			break
		}
		return true
	})
	return out
}

// matcherWords are the words of a matcher's text that are neither a
// metavariable (`$x`) nor its fragment specifier (`$x:ty`).
func matcherWords(text []byte) []string {
	var out []string
	for i := 0; i < len(text); {
		if !IsIdentStart(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && IsIdentByte(text[j]) {
			j++
		}
		k := i - 1
		for k >= 0 && (text[k] == ' ' || text[k] == '\t') {
			k--
		}
		if (i == 0 || text[i-1] != '$') && (k < 0 || text[k] != ':' || k > 0 && text[k-1] == ':') {
			out = append(out, string(text[i:j]))
		}
		i = j
	}
	return out
}

// holdsUnsafeBlock: the transcriber tt has `unsafe {` among its own
// tokens (repetitions included, braced groups not).
func holdsUnsafeBlock(f *File, tt *sitter.Node) bool {
	for i := uint(0); i+1 < tt.ChildCount(); i++ {
		c := tt.Child(i)
		switch {
		case c.KindId() == K.TokenRepetition:
			if holdsUnsafeBlock(f, c) {
				return true
			}
		case c.KindId() == K.KwUnsafe || string(f.Text(c)) == "unsafe":
			if n := tt.Child(i + 1); n.KindId() == K.TokenTree && f.Src[n.StartByte()] == '{' {
				return true
			}
		}
	}
	return false
}

// A MacroUse is what a file's invocations of one macro pass it.
type MacroUse struct {
	// UnsafeInput: some invocation's input holds the keyword `unsafe`,
	// so an expr or tt fragment of the macro may be an unsafe block.
	UnsafeInput bool
}

// MacroInvocations returns the macros src invokes in code (`name!(`,
// `name![`, `name! {`, with or without a path), by name, leaving out
// comments (doc examples run as doctests, crates of their own), literals
// and the bodies of its own macro_rules! definitions, whose invocations
// happen where those macros are expanded.
func MacroInvocations(src []byte) map[string]MacroUse {
	uses := map[string]MacroUse{}
	tk := NewTokens(src, 0, len(src))
	var prev, prev2 Token // the two tokens before
	type open struct {
		name  string
		depth int
	}
	var calls []open // the invocations whose input is being read
	depth := 0
	for {
		t := tk.Next()
		if t.Kind == TokenEOF {
			return uses
		}
		text := string(src[t.Start:t.End])
		if t.Kind == TokenPunct {
			switch text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
				for len(calls) > 0 && calls[len(calls)-1].depth > depth {
					calls = calls[:len(calls)-1]
				}
			}
		}
		if t.Kind == TokenIdent && text == "unsafe" {
			for _, c := range calls {
				uses[c.name] = MacroUse{UnsafeInput: true}
			}
		}
		if prev2.Kind == TokenIdent && prev.Kind == TokenPunct && src[prev.Start] == '!' &&
			t.Kind == TokenPunct && (text == "(" || text == "[" || text == "{") {
			name := string(src[prev2.Start:prev2.End])
			if _, seen := uses[name]; !seen {
				uses[name] = MacroUse{}
			}
			calls = append(calls, open{name, depth})
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

// skipGroup reads tokens up to the one closing the group just opened and
// returns the end of that token (of src, when it is not closed).
func skipGroup(tk *Tokens, src []byte) int {
	depth := 1
	for {
		t := tk.Next()
		if t.Kind == TokenEOF {
			return len(src)
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
		if depth == 0 {
			return t.End
		}
	}
}

// MacroRulesTexts returns the text of each `macro_rules! name { .. }`
// definition in src (not in comments or literals: by the lexer's
// tokens), so that MacroShapes can parse one definition instead of its
// whole file. An unclosed definition runs to the end of src.
func MacroRulesTexts(src []byte, name string) [][]byte {
	var out [][]byte
	toks := NewTokens(src, 0, len(src))
	var prev, prev2 Token
	text := func(t Token) string { return string(src[t.Start:t.End]) }
	for t := toks.Next(); t.Kind != TokenEOF; t = toks.Next() {
		if prev2.Kind == TokenIdent && text(prev2) == "macro_rules" && prev.Kind == TokenPunct && src[prev.Start] == '!' &&
			t.Kind == TokenIdent && text(t) == name {
			start := prev2.Start
			open := toks.Next()
			if open.Kind != TokenPunct || (src[open.Start] != '{' && src[open.Start] != '(' && src[open.Start] != '[') {
				prev2, prev = prev, t
				continue
			}
			out = append(out, src[start:skipGroup(&toks, src)])
			prev, prev2 = Token{}, Token{}
			continue
		}
		prev2, prev = prev, t
	}
	return out
}

// UseAlias is a `use` leaf that renames what it imports: `name as alias`.
type UseAlias struct{ Name, Alias string }

// AddAliasShapes gives shapes, by name, the shape of each macro a rename
// of aliases exports under another name (a name already taken keeps its
// own).
func AddAliasShapes(shapes map[string]MacroShape, aliases []UseAlias) {
	for _, a := range aliases {
		if shape, ok := shapes[a.Name]; ok {
			if _, taken := shapes[a.Alias]; !taken {
				shape.Name = a.Alias
				shapes[a.Alias] = shape
			}
		}
	}
}

// UseAliases returns the renaming leaves of src's use declarations (a
// token scan, comments and strings skipped): 7.2's kernel crate exports
// its build_assert_macro! as build_assert! by `pub use crate::{
// build_assert_macro as build_assert, .. }`. (Items' Reexports have the
// pub ones of a parsed file; this reads a whole tree without parsing.)
func UseAliases(src []byte) []UseAlias {
	if !bytes.Contains(src, []byte(" as ")) {
		return nil
	}
	var out []UseAlias
	toks := NewTokens(src, 0, len(src))
	inUse := false
	var prev2, prev Token
	text := func(t Token) string { return string(src[t.Start:t.End]) }
	for t := toks.Next(); t.Kind != TokenEOF; t = toks.Next() {
		switch {
		case t.Kind == TokenIdent && text(t) == "use":
			inUse = true
		case t.Kind == TokenPunct && src[t.Start] == ';':
			inUse = false
		case inUse && t.Kind == TokenIdent && prev.Kind == TokenIdent && text(prev) == "as" && prev2.Kind == TokenIdent:
			if a := text(t); a != "_" {
				out = append(out, UseAlias{Name: text(prev2), Alias: a})
			}
		}
		prev2, prev = prev, t
	}
	return out
}
