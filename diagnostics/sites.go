package diagnostics

import (
	"bytes"
	"regexp"
	"sort"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/symbols"
)

// itemRef is an item and the node whose children it is among.
type itemRef struct{ node, container *sitter.Node }

// A site is an `unsafe { }` block or an `unsafe impl`, with where a SAFETY
// comment for it may stand and whether one does.
type site struct {
	impl      bool
	unsafeOff int // the `unsafe` keyword
	end       int // end of the block or impl
	brace     int // the block's '{', or -1
	node      *sitter.Node
	// scope is where lint attributes are looked up from.
	scope int
	// context: a macro_rules transcriber, or a macro invocation's tokens.
	inMacroDef, inMacroCall bool
	macroName               string   // the macro_rules! whose transcriber holds the site (conventions: the type built)
	quote                   []string // what the fix quotes (conventions: the type's invariants)

	boundary int // clippy looks only below this line
	ownLine  int
	// parent is the start of the enclosing statement (let, assignment,
	// const, static, expression statement) whose comment also counts, or
	// -1 when clippy does not look there (braced blocks, closures with
	// braces, struct fields, match arms, if/match/loop heads, macros).
	parent int
	// fieldAnchors are, for a convention's site in a struct field's value,
	// where a comment above each field between it and parent may stand.
	fieldAnchors []int

	documented bool
	commentAt  int // offset of the "SAFETY:" text that documents it
}

type siteAnalysis struct {
	sites []*site
	// unsafeItems are unsafe fns (items and trait members) and unsafe
	// traits, with the node that holds them.
	unsafeItems []itemRef
	// blocks are the [start, end) ranges of every unsafe block, sorted.
	blocks [][2]int
	// necessary holds the ids of the nodes an unsafe block makes a SAFETY
	// comment necessary for: its enclosing expressions and statement up to
	// the nearest braced block, as clippy's expr_has_unnecessary_safety_comment
	// descends.
	necessary map[uintptr]bool
	// anchors memoizes parentAnchor by expression node.
	anchors map[uintptr]int
}

// siteInfo finds every unsafe block and impl. It scans the text for the
// word `unsafe` and asks the tree only about those places, one root-to-leaf
// path each.
func (p *Pass) siteInfo() *siteAnalysis {
	if p.sites != nil {
		return p.sites
	}
	sa := &siteAnalysis{necessary: map[uintptr]bool{}, anchors: map[uintptr]int{}}
	p.sites = sa
	f := p.File
	src := f.Src
	var targets []symbols.Span
	for _, t := range wordTargets(p, "unsafe") {
		if unsafeExternRE.Match(src[t.End:min(len(src), t.End+64)]) {
			// `unsafe extern "C" { .. }` (Rust 1.82): tree-sitter-rust
			// 0.24 does not know it, and it is neither block nor impl.
			continue
		}
		targets = append(targets, t)
	}
	f.VisitPaths(targets, func(_ int, path []symbols.PathNode) bool {
		if p.ctx.Err() != nil {
			return false
		}
		kw := len(path) - 1
		if kw < 1 || path[kw].Kind != k.KwUnsafe {
			return true // in a comment, string or identifier
		}
		at := path[kw].Start
		parent := path[kw-1]
		switch parent.Kind {
		case k.UnsafeBlock:
			s := &site{unsafeOff: at, end: parent.End, node: parent.Node, scope: at, brace: -1}
			if b := firstChildOfKind(parent.Node, k.Block); b != nil {
				s.brace = int(b.StartByte())
			}
			s.boundary = p.codeBoundary(path, kw-1)
			s.parent = sa.parentAnchor(path, kw-1)
			sa.addSite(s)
			sa.markNecessary(path, kw-1)
		case k.ImplItem:
			s := &site{impl: true, unsafeOff: at, end: parent.End, node: parent.Node, scope: at, brace: -1, parent: -1}
			s.boundary = p.itemBoundary(parent.Node, path[kw-2].Node)
			sa.addSite(s)
		case k.FunctionModifiers:
			if kw >= 3 {
				if fn := path[kw-2]; fn.Kind == k.FunctionItem || fn.Kind == k.FunctionSignatureItem {
					sa.unsafeItems = append(sa.unsafeItems, itemRef{fn.Node, path[kw-3].Node})
				}
			}
		case k.TraitItem:
			if kw >= 2 {
				sa.unsafeItems = append(sa.unsafeItems, itemRef{parent.Node, path[kw-2].Node})
			}
		case k.TokenTree, k.TokenRepetition:
			sa.addTokenSite(p, path)
		}
		return true
	})
	sort.Slice(sa.blocks, func(i, j int) bool { return sa.blocks[i][0] < sa.blocks[j][0] })
	for _, s := range sa.sites {
		p.judge(s)
	}
	return sa
}

func (sa *siteAnalysis) addSite(s *site) {
	sa.sites = append(sa.sites, s)
	if !s.impl {
		sa.blocks = append(sa.blocks, [2]int{s.unsafeOff, s.end})
	}
}

// addTokenSite handles `unsafe` inside a token tree (the last node of
// path): `unsafe { ... }` or `unsafe impl` in a macro_rules transcriber or
// in a macro call's input.
func (sa *siteAnalysis) addTokenSite(p *Pass, path []symbols.PathNode) {
	kw := path[len(path)-1].Node
	next := kw.NextSibling()
	if next == nil {
		return
	}
	isBlock := next.KindId() == k.TokenTree && p.File.Src[next.StartByte()] == '{'
	isImpl := next.KindId() == k.KwImpl
	if !isBlock && !isImpl && (next.KindId() == k.TokenRepetition || next.KindId() == k.Metavariable) {
		// `unsafe $($impl_sig)* { ... }`: the tokens before the body come
		// from the caller. Without `fn`, `trait` or `extern` among them it
		// can only expand to an unsafe impl.
		for n := next; n != nil; n = n.NextSibling() {
			if n.KindId() == k.TokenTree && p.File.Src[n.StartByte()] == '{' {
				between := p.File.Src[next.StartByte():n.StartByte()]
				isImpl = !wordRE.Match(between)
				break
			}
			if n.KindId() == k.KwSemi {
				break
			}
		}
	}
	if !isBlock && !isImpl {
		return
	}
	// Find the context: the macro_rule whose transcriber holds the tokens,
	// or the macro invocation whose input they are.
	var def, call *sitter.Node
	callAt := -1
	for i := len(path) - 2; i >= 0; i-- {
		kind := path[i].Kind
		if kind == k.TokenTree || kind == k.TokenRepetition {
			continue
		}
		switch kind {
		case k.MacroRule:
			if i > 0 {
				def = path[i-1].Node
			}
		case k.MacroInvocation:
			call, callAt = path[i].Node, i
		}
		break
	}
	if def == nil && call == nil {
		return // a matcher, an attribute's arguments, ...
	}
	if def != nil && p.passedToTokenMacro(path) {
		return
	}
	at := int(kw.StartByte())
	s := &site{impl: isImpl, unsafeOff: at, node: kw, scope: at, brace: -1, parent: -1}
	if isBlock {
		s.brace = int(next.StartByte())
		s.end = int(next.EndByte())
	} else {
		s.end = int(kw.EndByte())
		// The impl runs to its body's token tree.
		for n := next; n != nil; n = n.NextSibling() {
			if n.KindId() == k.TokenTree && p.File.Src[n.StartByte()] == '{' {
				s.end = int(n.EndByte())
				break
			}
		}
	}
	if def != nil {
		s.inMacroDef = true
		s.boundary = p.File.Line(def)
		if n := def.ChildByFieldName("name"); n != nil {
			s.macroName = string(p.File.Text(n))
		}
	} else {
		s.inMacroCall = true
		if inBody(path[:callAt]) {
			s.boundary = p.codeBoundary(path, callAt)
		} else {
			s.boundary = p.itemBoundary(call, path[callAt-1].Node)
		}
		// A block in a macro call's input makes the statement's SAFETY
		// comment necessary, unless the macro formats its arguments:
		// format_args! puts them in a block of its own.
		if !isFormatMacro(p.File, call) {
			sa.markNecessary(path, callAt)
		}
		// Only input that lands in code is checked, as clippy checks
		// the expansion: `impl_x!(unsafe { Device })` matched by a
		// matcher `(unsafe { $t:ident })` holds no unsafe block.
		if !p.callInputIsCode(call) {
			return
		}
	}
	sa.addSite(s)
}

// passedToTokenMacro: the `unsafe` at the end of path, in a macro_rules
// transcriber, is in the input of a macro called there (`other!(unsafe {
// .. })`) that krls knows consumes it as tokens (symbols.MacroShape's
// InputIsCode).
func (p *Pass) passedToTokenMacro(path []symbols.PathNode) bool {
	src := p.File.Src
	for i := len(path) - 2; i > 0 && path[i].Kind == k.TokenTree; i-- {
		bang := path[i].Node.PrevSibling()
		if bang == nil || bang.StartByte()+1 != bang.EndByte() || src[bang.StartByte()] != '!' {
			continue
		}
		id := bang.PrevSibling()
		if id == nil || id.KindId() != k.Identifier {
			continue
		}
		if shape, ok := p.macroShape(string(p.File.Text(id))); ok {
			return !shape.InputIsCode()
		}
		return false
	}
	return false
}

// Macros finds macro_rules! definitions by name in the file's tree.
type Macros interface {
	Shape(name string) (symbols.MacroShape, bool)
	// ExpandedInCrate reports whether the crate of the file at path
	// invokes the macro name in its code (not in doc examples, not only
	// in macro bodies): clippy lints a macro's expansion in its own
	// crate, never in the crates that use it.
	ExpandedInCrate(name, path string) bool
	// UnsafeInputInCrate reports whether an invocation of the macro name
	// in that crate passes it the keyword `unsafe`: else its expr and tt
	// fragments hold no unsafe block there.
	UnsafeInputInCrate(name, path string) bool
}

// outsideClippy says why clippy, under the kernel's build, never looks
// at a site ("" when it does): a macro_rules! body only other crates
// expand, or code under #[cfg(test)], which the kernel never compiles.
func (p *Pass) outsideClippy(s *site) string {
	if s.inMacroDef && s.macroName != "" && p.Config.Macros != nil && !p.Config.Macros.ExpandedInCrate(s.macroName, p.File.Path) {
		return "it is in the body of " + s.macroName + "!, which no code of its own crate invokes outside macro bodies, and clippy lints a macro's expansions only in its own crate"
	}
	for _, pred := range p.kernelGates().EnclosingCfgs(s.unsafeOff) {
		if requiresTest(pred) {
			return "it is in #[cfg(test)] code, which the kernel's build never compiles"
		}
	}
	return ""
}

// requiresTest: the predicate holds only with `test` set.
func requiresTest(pred *symbols.CfgPred) bool {
	switch pred.Op {
	case symbols.CfgName:
		return pred.Name == "test"
	case symbols.CfgAll:
		for _, a := range pred.Args {
			if requiresTest(a) {
				return true
			}
		}
	}
	return false
}

// exprMacros are macros of core and alloc whose arguments are
// expressions (the format-like ones are isFormatMacro's).
var exprMacros = map[string]bool{
	"assert": true, "assert_eq": true, "assert_ne": true, "debug_assert": true,
	"debug_assert_eq": true, "debug_assert_ne": true, "matches": true, "vec": true,
	"dbg": true, "addr_of": true, "addr_of_mut": true, "cfg_if": true, "const_format_args": true,
}

// quoteMacros build token streams: their input is generated code, not
// code of this crate.
var quoteMacros = map[string]bool{
	"quote": true, "quote_spanned": true, "parse_quote": true, "parse_quote_spanned": true,
}

// callInputIsCode decides, by syntax, whether the input of a macro call
// is compiled where it stands: the arguments of format-like and
// expression macros are; the bodies of quote! and friends are not; for
// other macros, the macro_rules! definition decides (in the file, else
// through Config.Macros): a matcher that takes `unsafe` literally
// consumes it, one with an expr, block, stmt, tt or item fragment may
// transcribe it. A macro krls cannot see is not assumed to compile its
// input.
func (p *Pass) callInputIsCode(call *sitter.Node) bool {
	m := call.ChildByFieldName("macro")
	if m == nil {
		return false
	}
	name := string(p.File.Text(m))
	if i := strings.LastIndex(name, "::"); i >= 0 {
		name = name[i+2:]
	}
	return p.inputIsCode(name)
}

// inputIsCode is callInputIsCode for a macro's name (the last segment of
// its path).
func (p *Pass) inputIsCode(name string) bool {
	switch {
	case formatMacro(name), exprMacros[name]:
		return true
	case quoteMacros[name]:
		return false
	}
	shape, ok := p.macroShape(name)
	return ok && shape.InputIsCode()
}

// fileMacroShapes are the shapes of the file's own macro_rules!, by the
// names it defines and exports them under, read once.
func (p *Pass) fileMacroShapes() map[string]symbols.MacroShape {
	if p.macroShapes == nil {
		p.macroShapes = symbols.MacroShapes(p.File)
		if p.macroShapes == nil {
			p.macroShapes = map[string]symbols.MacroShape{}
		}
		if len(p.macroShapes) > 0 && bytes.Contains(p.File.Src, []byte("pub use")) {
			symbols.AddAliasShapes(p.macroShapes, symbols.UseAliases(p.File.Src))
		}
	}
	return p.macroShapes
}

// macroShape finds the macro_rules! named name: in the file, else
// through Config.Macros.
func (p *Pass) macroShape(name string) (symbols.MacroShape, bool) {
	if shape, ok := p.fileMacroShapes()[name]; ok {
		return shape, true
	}
	if p.Config.Macros != nil {
		return p.Config.Macros.Shape(name)
	}
	return symbols.MacroShape{}, false
}

// callsUnsafeMacro: n calls, outside any braced block or closure of its
// own, a macro whose expansion is an unsafe block (symbols.MacroShape's
// UnsafeValue, as `current!()`): clippy sees that block in the statement.
func (p *Pass) callsUnsafeMacro(n *sitter.Node) bool {
	switch n.KindId() {
	case k.Block, k.ClosureExpression:
		return false
	case k.MacroInvocation:
		if m := n.ChildByFieldName("macro"); m != nil {
			name := string(p.File.Text(m))
			if i := strings.LastIndex(name, "::"); i >= 0 {
				name = name[i+2:]
			}
			if shape, ok := p.macroShape(name); ok && shape.UnsafeValue {
				return true
			}
		}
		return false
	}
	for i := uint(0); i < n.NamedChildCount(); i++ {
		if p.callsUnsafeMacro(n.NamedChild(i)) {
			return true
		}
	}
	return false
}

// isFormatMacro: format!, write!, println!, panic!, the kernel's pr_*!
// and dev_*!, and the like, whose arguments end up inside format_args!.
func isFormatMacro(f *symbols.File, call *sitter.Node) bool {
	m := call.ChildByFieldName("macro")
	if m == nil {
		return false
	}
	name := string(f.Text(m))
	if i := strings.LastIndex(name, "::"); i >= 0 {
		name = name[i+2:]
	}
	return formatMacro(name)
}

// formatMacro is isFormatMacro by name.
func formatMacro(name string) bool {
	switch name {
	case "format", "format_args", "write", "writeln", "print", "println", "eprint", "eprintln",
		"panic", "unreachable", "todo", "unimplemented", "fmt":
		return true
	}
	return strings.HasPrefix(name, "pr_") || strings.HasPrefix(name, "dev_")
}

// inBody: the path runs through a block (a function body, typically).
func inBody(path []symbols.PathNode) bool {
	for _, n := range path {
		if n.Kind == k.Block {
			return true
		}
	}
	return false
}

// parentAnchor climbs from the unsafe block at path[idx] through the
// expressions that contain it, as clippy's block_parents_have_safety_comment
// does on HIR, and returns where the SAFETY comment of the enclosing
// statement may stand (its start), or -1. The answer is the same for every
// expression passed on the way, so it is remembered for them: a long chain
// of `a + unsafe {..} + ...` then costs one climb, not one per block.
func (sa *siteAnalysis) parentAnchor(path []symbols.PathNode, idx int) int {
	var passed []uintptr
	res := climbAnchor(path, idx, func(i int) (int, bool) {
		id := path[i].Node.Id()
		if v, ok := sa.anchors[id]; ok {
			return v, true
		}
		passed = append(passed, id)
		return 0, false
	})
	for _, id := range passed {
		sa.anchors[id] = res
	}
	return res
}

// climbAnchor is parentAnchor's climb; known answers a memoized result for
// the expression at path[i].
func climbAnchor(path []symbols.PathNode, idx int, known func(i int) (int, bool)) int {
	return climbAnchorFrom(path, idx, known, nil)
}

// climbAnchorFrom is climbAnchor; with atField (the conventions beyond
// SAFETY) it also climbs out of the unsafe blocks and struct fields on the
// way, telling atField where a comment above each field passed may stand:
// a cast inside `unsafe { f(x as i32) }`, and the `ListLinks` built in
// `Self { inner: ListLinks { .. } }`, are sites of their statement.
func climbAnchorFrom(path []symbols.PathNode, idx int, known func(i int) (int, bool), atField func(anchor int)) int {
	cur := idx
	for cur > 0 {
		if cur != idx {
			if v, ok := known(cur); ok {
				return v
			}
		}
		if isArrayLength(path, cur) {
			break // an array length is a constant of its own
		}
		p := path[cur-1]
		if atField != nil && p.Kind == k.Block && cur >= 2 && path[cur-2].Kind == k.UnsafeBlock {
			cur -= 2
			continue
		}
		if atField != nil && p.Kind == k.FieldInitializer && cur >= 3 && path[cur-2].Kind == k.FieldInitializerList && path[cur-3].Kind == k.StructExpression {
			// A field's value: a comment above the field counts (where
			// clippy's HIR climb stops, so SAFETY goes no further), and so
			// does one above the struct expression's statement.
			if kind := path[cur].Kind; kind != k.IfExpression && kind != k.MatchExpression {
				// Above the field's name: its value may start on the next
				// line (`a:\n x as u32`).
				at := path[cur].Start
				if name := p.Node.ChildByFieldName("field"); name != nil {
					at = int(name.StartByte())
				}
				atField(at)
			}
			cur -= 3
			continue
		}
		switch p.Kind {
		case k.LetDeclaration, k.ConstItem, k.StaticItem:
			// Attributes are not part of the statement for this: a
			// comment above a multi-line attribute does not count.
			return p.Start
		case k.AssignmentExpression:
			// rustc records the span of the `=` for assignments.
			if eq := firstChildOfKind(p.Node, k.KwEq); eq != nil {
				return int(eq.StartByte())
			}
			return p.Start
		case k.Arguments:
			// A call's arguments: continue from the call.
			cur--
			continue
		case k.BaseFieldInitializer:
			// `..base` belongs to the struct expression itself.
			cur--
			for cur > 0 && path[cur].Kind != k.StructExpression {
				cur--
			}
			continue
		case k.WhileExpression, k.ForExpression:
			// Lowered to a loop around an if/match: clippy gives up.
			return -1
		case k.CallExpression, k.FieldExpression, k.IndexExpression, k.TypeCastExpression,
			k.ReferenceExpression, k.UnaryExpression, k.BinaryExpression,
			k.ParenthesizedExpression, k.TupleExpression, k.ArrayExpression,
			k.CompoundAssignmentExpr, k.ReturnExpression, k.BreakExpression,
			k.TryExpression, k.AwaitExpression, k.RangeExpression, k.YieldExpression,
			k.ClosureExpression, k.IfExpression, k.MatchExpression, k.LetCondition,
			k.LetChain, k.StructExpression:
			cur--
			continue
		}
		break
	}
	// Anything else (a block, an expression statement, a match arm, a
	// struct field, ...) ends the climb: the comment may stand above the
	// outermost expression reached, unless that is an if or match.
	if cur == 0 {
		return -1
	}
	if kind := path[cur].Kind; kind == k.IfExpression || kind == k.MatchExpression || kind == k.LetCondition || kind == k.LetChain {
		return -1
	}
	return path[cur].Start
}

// isArrayLength: path[i] is the length of an array expression or type
// (`[0; N]`), which rustc makes a constant with a body of its own.
func isArrayLength(path []symbols.PathNode, i int) bool {
	if i == 0 || path[i-1].Kind != k.ArrayExpression && path[i-1].Kind != k.ArrayType {
		return false
	}
	l := path[i-1].Node.ChildByFieldName("length")
	return l != nil && int(l.StartByte()) == path[i].Start
}

// markNecessary records the nodes an unsafe block at path[idx] makes
// necessary: its ancestors up to the nearest braced block. A loop's body
// does not stop the climb, as clippy's visitor enters it.
func (sa *siteAnalysis) markNecessary(path []symbols.PathNode, idx int) {
	markNecessaryFrom(sa.necessary, path, idx, false)
}

// markNecessaryFrom is markNecessary into necessary; throughUnsafe also
// climbs out of unsafe blocks (the conventions beyond SAFETY: the
// statement holding `unsafe { f(x as i32) }` holds the cast).
func markNecessaryFrom(necessary map[uintptr]bool, path []symbols.PathNode, idx int, throughUnsafe bool) {
	for cur := idx; cur > 0; cur-- {
		id := path[cur].Node.Id()
		if necessary[id] && cur != idx {
			return // an earlier site marked the rest
		}
		necessary[id] = true
		if isArrayLength(path, cur) {
			return
		}
		if path[cur-1].Kind == k.Block && (cur < 2 || path[cur-2].Kind != k.LoopExpression && !(throughUnsafe && path[cur-2].Kind == k.UnsafeBlock)) {
			return
		}
	}
}

// insideUnsafeBlock reports whether off lies inside an unsafe block.
// Any block starting before off may enclose it, so all of them are looked
// at; files have at most a few hundred.
func (sa *siteAnalysis) insideUnsafeBlock(off int) bool {
	i := sort.Search(len(sa.blocks), func(i int) bool { return sa.blocks[i][0] >= off })
	for j := i - 1; j >= 0; j-- {
		if sa.blocks[j][1] > off {
			return true
		}
	}
	return false
}

// judge decides whether a site is documented.
func (p *Pass) judge(s *site) {
	f := p.File
	s.ownLine = f.Lines.Line(s.unsafeOff)
	if s.boundary == unknownBoundary {
		s.documented, s.commentAt = true, -1
		return
	}
	if s.brace >= 0 {
		if at, ok := innerSafety(f.Src, s.brace); ok {
			s.documented, s.commentAt = true, at
			return
		}
	}
	if at, ok := safetyAbove(f.Lines, s.boundary, s.ownLine); ok {
		s.documented, s.commentAt = true, at
		return
	}
	if s.parent >= 0 {
		if line := f.Lines.Line(s.parent); line != s.ownLine {
			if at, ok := safetyAbove(f.Lines, s.boundary, line); ok {
				s.documented, s.commentAt = true, at
			}
		}
	}
}

var unsafeExternRE = regexp.MustCompile(`^\s*extern\s*(?:"[^"]*"\s*)?\{`)

// wordRE finds the keywords that make `unsafe <tokens> {` something other
// than an unsafe impl.
var wordRE = regexp.MustCompile(`\b(?:fn|trait|extern)\b`)
