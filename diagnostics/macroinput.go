package diagnostics

import (
	"bytes"
	"sort"

	"github.com/krls-dev/krls/symbols"
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// The input of a macro call is tokens to tree-sitter. Where that input
// is code — the calls whose input the SAFETY engine reads as code
// (callInputIsCode: format and assert macros, macros whose shape makes
// their input code, the tree's function-like proc macros such as
// pin_init!) — the justification comments' sites inside it are sites
// like any other: `pr_info!("{}", x.unwrap())`, `pin_init!(Self { .. })`
// building a type with invariants, a PANIC comment above a statement in
// `try_pin_init!`'s `field <- { .. }` block. So the conventions read a
// second text of the file, of the same length (offsets and lines carry
// over), holding only those calls' delimited input and the file's
// comment lines:
//
//	let x = pin_init!(Self { a <- f(), b: 1 });
//	                ;(Self { a :  f(), b: 1 });
//
// The macro's name is blanked, pin-init's `<-` becomes `: `, and `;`
// stands before and after the input where the text allows, so each reads
// as an expression statement. Scope questions (imports, `Self`) are asked of the file
// itself (Pass.origin), and a comment documents a site only down from
// the code above the call (macroInputView.boundary).

// macroInputView is the re-parsed text of the file's code macro input.
type macroInputView struct {
	file *symbols.File
	pass *Pass
	// spans are the [start, end) of the token trees kept, sorted, and
	// macros the name of each one's macro.
	spans  [][2]int
	macros []string
	// nested are the code-input calls inside kept token trees whose
	// input is read too (`name!(..)` made the call `name (..)`).
	nested []textCall
}

// macroInputs returns the view of the file's macro call input that is
// code (nil when there is none), built on first use.
func (p *Pass) macroInputs() *macroInputView {
	if p.inputsDone {
		return p.inputs
	}
	p.inputsDone = true
	spans, macros := p.codeInputSpansCached()
	if len(spans) == 0 {
		return nil
	}
	nested := p.nestedCodeCalls(spans)
	src := p.File.Src
	out := bytes.Repeat([]byte{' '}, len(src))
	lines := p.File.Lines
	for i, c := range src {
		if c == '\n' || c == '\r' {
			out[i] = c
		}
	}
	// The comment lines above each input, up to the code above it, stay:
	// they are what the sites' comments are (the input's own are copied
	// with it). The file's other comments would be parsed for nothing.
	for _, s := range spans {
		for l := lines.Line(s[0]) - 1; l >= 0; l-- {
			t := trimLeft(lines.Text(l))
			if len(trimRight(t)) > 0 && !bytes.HasPrefix(t, []byte("//")) && !isAttributeLine(t) {
				break
			}
			if bytes.HasPrefix(t, []byte("//")) {
				copy(out[lines.Start(l):lines.End(l)], src[lines.Start(l):lines.End(l)])
			}
		}
	}
	for n, s := range spans {
		copy(out[s[0]:s[1]], src[s[0]:s[1]])
		for i := s[0]; i+1 < s[1]; i++ {
			if out[i] == '<' && out[i+1] == '-' {
				out[i], out[i+1] = ':', ' '
			}
		}
		if macros[n] == "paste" {
			pasteIdents(out[s[0]:s[1]])
		}
		// `;` where the `!` was and after the input: each input is a
		// statement of its own, not the callee of the next `( .. )`.
		if s[0] > 0 && out[s[0]-1] == ' ' {
			out[s[0]-1] = ';'
		}
		for i := s[1]; i < len(out); i++ {
			if out[i] == ' ' {
				out[i] = ';' // the first blank after it, maybe on a later line
				break
			}
			if out[i] != '\n' && out[i] != '\r' {
				break // text of the next input: no room
			}
		}
	}
	// A code-input call inside kept input is read as a call of a
	// function (`build_assert!(a as u8 < N)` → `build_assert (..)`), so
	// its input is an expression of the statement holding it.
	for _, c := range nested {
		out[c.bang] = ' '
		if c.name == "paste" {
			pasteIdents(out[c.open : c.close+1])
		}
	}
	f, err := symbols.Parse(p.ctx, p.File.Path, out)
	if err != nil {
		return nil
	}
	// A nested call whose input is no expression (`matches!(k, Some(v)
	// if v > 3)`, `pin_init!(&this in Self { .. })`) would make its whole
	// statement fail to parse, and so hide the outer input's sites: it
	// stays a macro call, tokens, and the text is parsed again.
	if kept, dropped := parsedNested(f, nested); len(dropped) > 0 {
		for _, c := range dropped {
			copy(out[c.bang:c.close+1], src[c.bang:c.close+1])
		}
		nested = kept
		f.Close()
		if f, err = symbols.Parse(p.ctx, p.File.Path, out); err != nil {
			return nil
		}
	}
	v := &macroInputView{file: f, spans: spans, macros: macros, nested: nested}
	v.pass = newPass(p.ctx, f, p.Config)
	v.pass.rule = p.rule
	v.pass.inView = true
	v.pass.origin = p
	v.pass.viewBoundary = v.boundary
	p.inputs = v
	return v
}

// boundary is the line above which a comment cannot document a site at
// off: the last line of code above the line where its call's input
// starts, in the file itself. The view blanks that code, and the comment
// search skips blank lines; a comment above the statement holding the
// call is found, one above earlier code is not.
func (v *macroInputView) boundary(off int) int {
	origin := v.pass.origin
	lines := origin.File.Lines
	for _, s := range v.spans {
		if off > s[0] && off < s[1] {
			for l := lines.Line(s[0]) - 1; l >= 0; l-- {
				t := trimLeft(lines.Text(l))
				if len(trimRight(t)) > 0 && !bytes.HasPrefix(t, []byte("//")) && !isAttributeLine(t) {
					return l
				}
			}
			return -1
		}
	}
	return -1
}

// covers: off is inside a kept token tree, and the word there is not
// one its macro's matchers take literally (`as` in `bitfield! { 31:24
// major as u8; }` is matched, not a cast).
func (v *macroInputView) covers(p *Pass, off int) bool {
	for i := len(v.nested) - 1; i >= 0; i-- { // innermost first
		if c := v.nested[i]; off > c.open && off < c.close {
			shape, ok := p.macroShape(c.name)
			return !ok || !shape.Literals[wordAt(p.File.Src, off)]
		}
	}
	for i, s := range v.spans {
		if off > s[0] && off < s[1] {
			shape, ok := p.macroShape(v.macros[i])
			return !ok || !shape.Literals[wordAt(p.File.Src, off)]
		}
	}
	return false
}

// wordAt is the identifier starting at off, or "".
func wordAt(src []byte, off int) string {
	end := off
	for end < len(src) && symbols.IsIdentByte(src[end]) {
		end++
	}
	return string(src[off:end])
}

// codeInputSpansCached is codeInputSpans, computed once.
func (p *Pass) codeInputSpansCached() ([][2]int, []string) {
	if !p.codeSpansDone {
		p.codeSpansDone = true
		p.codeSpans, p.codeMacros = p.codeInputSpans()
	}
	return p.codeSpans, p.codeMacros
}

// codeInputSpans are the token trees of the file's macro calls whose
// input is code and holds a place of interest to a convention (a
// target), outermost only, sorted. The calls and their delimited input
// are found by text, with the lexer (a format string's `{}` is no
// brace), and only those holding a target are asked of the tree: a
// kernel file has hundreds of pr_*! and dev_*! calls, and visiting each
// took a third of `krls check --rules=+conventions`.
func (p *Pass) codeInputSpans() ([][2]int, []string) {
	src := p.File.Src
	if bytes.IndexByte(src, '!') < 0 {
		return nil, nil
	}
	var interest []symbols.Span
	for _, c := range []*convention{panicConvention, castConvention, orderingConvention, invariantConvention} {
		interest = append(interest, p.conventionTargets(c)...)
	}
	if len(interest) == 0 {
		return nil, nil
	}
	sortSpans(interest)
	var spans [][2]int
	var macros []string
	defs := p.macroDefs()
	for _, call := range p.textCalls() {
		if len(spans) > 0 && call.open < spans[len(spans)-1][1] {
			continue // nested in a kept one
		}
		// Does the input hold a target, outside macro_rules! bodies (the
		// macro-body view reads those)?
		i := sort.Search(len(interest), func(i int) bool { return interest[i].Start > call.open })
		if i == len(interest) || interest[i].Start >= call.close || inSpans(defs, call.bang) {
			continue
		}
		if p.inputIsCode(call.name) {
			spans = append(spans, [2]int{call.open, call.close + 1})
			macros = append(macros, call.name)
		}
	}
	return spans, macros
}

// nestedCodeCalls are the calls inside the kept token trees spans whose
// input is code and delimited by parentheses (a call's arguments once
// the `!` is gone; `vec![a; n]` or `m! { .. }` in place would not parse
// as an expression), in text order.
func (p *Pass) nestedCodeCalls(spans [][2]int) []textCall {
	var out []textCall
	for _, c := range p.textCalls() {
		if c.name == "macro_rules" || p.File.Src[c.open] != '(' || c.bang != c.open-1 {
			continue
		}
		i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > c.bang })
		if i < len(spans) && c.bang > spans[i][0] && p.inputIsCode(c.name) {
			out = append(out, c)
		}
	}
	return out
}

// parsedNested splits the nested calls rewritten in the view f into
// those whose input parsed and those whose did not (with the calls
// nested in those, which go back to tokens with them).
func parsedNested(f *symbols.File, nested []textCall) (kept, dropped []textCall) {
	for _, c := range nested {
		inDropped := false
		for _, d := range dropped {
			if c.bang > d.open && c.bang < d.close {
				inDropped = true
			}
		}
		n := f.Root().DescendantForByteRange(uint(c.open), uint(c.close+1))
		if inDropped || n == nil || n.HasError() {
			dropped = append(dropped, c)
		} else {
			kept = append(kept, c)
		}
	}
	return kept, dropped
}

// pasteIdents makes each `[< .. >]` of paste!'s input (identifiers
// pasted into one: `[<$from _into_ $into>]`) an identifier of the same
// length, so the input parses as the items it expands to.
func pasteIdents(b []byte) {
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '[' || b[i+1] != '<' {
			continue
		}
		j := i + 2
		for j+1 < len(b) && (symbols.IsIdentByte(b[j]) || b[j] == ' ' || b[j] == '$' || b[j] == ':') {
			j++
		}
		if j+1 < len(b) && b[j] == '>' && b[j+1] == ']' {
			for x := i; x <= j+1; x++ {
				b[x] = '_'
			}
			i = j + 1
		}
	}
}

// scopePass is the pass whose file answers scope questions (imports,
// the enclosing impl): the file's own for a view's pass.
func (p *Pass) scopePass() *Pass {
	if p.origin != nil {
		return p.origin
	}
	return p
}

// statementHasError: the top-level statement holding n in the view did
// not parse cleanly. Input that is not Rust (a table, a DSL: `{ TABLE,
// <T as Trait>::Info, [..] }`) parses by error recovery into nodes that
// are not what they look like (`T as Trait` a cast); its sites are left
// out. A climb, but only for the view's few sites.
func statementHasError(n *sitter.Node) bool {
	for n != nil {
		parent := n.Parent()
		if parent == nil || parent.Parent() == nil {
			return n.HasError()
		}
		n = parent
	}
	return false
}

// textCall is a macro call found by text: its name (the last segment of
// its path), the `!`, and the offsets of its input's opening and closing
// delimiters.
type textCall struct {
	name              string
	bang, open, close int
}

// macroCallsByText lists `name!(..)`, `name![..]` and `name! {..}` with
// their input's extent, nested calls too, by the lexer's tokens.
func macroCallsByText(src []byte) []textCall {
	var out []textCall
	var stack []int // open delimiters: index into out, or -1
	toks := symbols.NewTokens(src, 0, len(src))
	var prev, prev2, prev3 symbols.Token
	isBang := func(t symbols.Token) bool { return t.Kind == symbols.TokenPunct && src[t.Start] == '!' }
	for t := toks.Next(); t.Kind != symbols.TokenEOF; t = toks.Next() {
		if t.Kind == symbols.TokenPunct {
			switch src[t.Start] {
			case '(', '[', '{':
				call := -1
				switch {
				case isBang(prev) && prev2.Kind == symbols.TokenIdent && prev2.End == prev.Start:
					out = append(out, textCall{name: string(src[prev2.Start:prev2.End]), bang: prev.Start, open: t.Start, close: len(src) - 1})
					call = len(out) - 1
				case prev.Kind == symbols.TokenIdent && isBang(prev2) && prev3.Kind == symbols.TokenIdent && string(src[prev3.Start:prev3.End]) == "macro_rules":
					// `macro_rules! name {`: a definition, named macro_rules.
					out = append(out, textCall{name: "macro_rules", bang: prev2.Start, open: t.Start, close: len(src) - 1})
					call = len(out) - 1
				}
				stack = append(stack, call)
			case ')', ']', '}':
				if n := len(stack); n > 0 {
					if c := stack[n-1]; c >= 0 {
						out[c].close = t.Start
					}
					stack = stack[:n-1]
				}
			}
		}
		prev3, prev2, prev = prev2, prev, t
	}
	return out
}

// textCalls are the file's macro calls by text (macroCallsByText), lexed
// once: the input view, its nested calls and the macro definitions all
// read them.
func (p *Pass) textCalls() []textCall {
	if !p.callsDone {
		p.callsDone = true
		p.calls = macroCallsByText(p.File.Src)
	}
	return p.calls
}

// macroDefs are the extents of the file's `macro_rules! name { .. }`
// definitions, by text.
func (p *Pass) macroDefs() [][2]int {
	if !p.defsDone {
		p.defsDone = true
		for _, c := range p.textCalls() {
			if c.name == "macro_rules" {
				p.defSpans = append(p.defSpans, [2]int{c.bang, c.close})
			}
		}
	}
	return p.defSpans
}

func inSpans(spans [][2]int, off int) bool {
	for _, s := range spans {
		if off >= s[0] && off < s[1] {
			return true
		}
	}
	return false
}
