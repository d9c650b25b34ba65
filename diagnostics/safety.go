package diagnostics

import (
	"bytes"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/symbols"
)

// The kernel's safety-comment discipline, as clippy enforces it with the
// kernel's flags (-Wclippy::undocumented_unsafe_blocks,
// -Wclippy::unnecessary_safety_comment, -Wclippy::unnecessary_safety_doc,
// clippy::all for missing_safety_doc) and .clippy.toml
// (check-private-items = true).

var UndocumentedUnsafe = &Rule{
	Name: "undocumented-unsafe",
	Doc: "An `unsafe` block or `unsafe impl` without a `// SAFETY:` comment explaining why it is sound. " +
		"The comment may stand on the lines directly above (blank lines and one-line attributes in between are fine), " +
		"right after `unsafe {`, or above the `let`, assignment, `const`, `static` or expression statement " +
		"that holds the block in plain expressions (calls, method chains, arrays, casts, references).",
	Severity: Warning,
	Clippy:   "clippy::undocumented_unsafe_blocks",
	Lints:    []string{"clippy::undocumented_unsafe_blocks", "clippy::restriction", "warnings"},
	Run:      func(p *Pass) { reportUndocumented(p, false) },
}

// UndocumentedUnsafeOutsideClippy is undocumented-unsafe where clippy,
// under the kernel's build, never looks: kept apart so that
// undocumented-unsafe means exactly what clippy reports.
var UndocumentedUnsafeOutsideClippy = &Rule{
	Name: "undocumented-unsafe-outside-clippy",
	Doc: "An `unsafe` block or `unsafe impl` without a `// SAFETY:` comment where clippy never looks under the kernel's build: " +
		"in the body of a `macro_rules!` that no code of its own crate invokes outside macro bodies (clippy lints a macro's expansions only in its own crate; " +
		"one invoked only from other macros' bodies, or only in other crates, is left to them), " +
		"or in `#[cfg(test)]` code, which the kernel never compiles. The block still deserves its comment; " +
		"`--rules` without this rule leaves such places out.",
	Severity: Warning,
	Lints:    []string{"clippy::undocumented_unsafe_blocks", "clippy::restriction", "warnings"},
	Run:      func(p *Pass) { reportUndocumented(p, true) },
}

// reportUndocumented reports the undocumented sites clippy checks, or
// (outside) those it never looks at.
func reportUndocumented(p *Pass, outside bool) {
	for _, s := range p.siteInfo().sites {
		if s.documented {
			continue
		}
		why := p.outsideClippy(s)
		if (why != "") != outside {
			continue
		}
		what := "unsafe block"
		if s.impl {
			what = "unsafe impl"
		}
		msg := what + " missing a safety comment"
		if outside {
			msg += " (clippy does not report it: " + why + ")"
		}
		end := min(s.end, p.File.Lines.End(s.ownLine))
		p.report(s.scope, Finding{
			Start:   s.unsafeOff,
			End:     end,
			Message: msg,
			Fixes:   []Fix{p.safetyCommentFix(s)},
			Extent:  Span{p.commentWindow(s), end},
		})
	}
}

var UnnecessarySafetyComment = &Rule{
	Name: "unnecessary-safety-comment",
	Doc: "A `// SAFETY:` comment above an item, statement or tail expression that holds no unsafe block: " +
		"it documents nothing, or the unsafe code it meant moved. Not reported on impls, on members of impls and traits, " +
		"inside unsafe blocks, on a `static`/`const` whose value is exactly an unsafe block, on pin-init's `#[pinned_drop]` impls " +
		"(they become unsafe impls), or on a tail `for` loop or range (rustc gives them the desugaring's span). " +
		"Statements of `macro_rules!` bodies are judged as code where their crate expands the macro, as clippy judges the expansions.",
	Severity: Warning,
	Clippy:   "clippy::unnecessary_safety_comment",
	Lints:    []string{"clippy::unnecessary_safety_comment", "clippy::restriction", "warnings"},
	Run: func(p *Pass) {
		sa := p.siteInfo()
		lines := p.File.Lines
		comments := p.safetyComments()
		targets := make([]symbols.Span, 0, len(comments))
		var which []*safetyComment
		for _, c := range comments {
			first := lines.Start(c.codeLine) + len(lines.Indent(c.codeLine))
			if first < lines.End(c.codeLine) {
				targets = append(targets, symbols.Span{Start: first, End: first + 1})
				which = append(which, c)
			}
		}
		p.File.VisitPaths(targets, func(i int, path []symbols.PathNode) bool {
			if p.ctx.Err() != nil {
				return false
			}
			c := which[i]
			if cands := p.candidatesOn(c.codeLine, path); len(cands) > 0 {
				p.reportFirstUnnecessary(c, cands, sa, nil, false)
			} else if def := macroDefOf(path); def != nil {
				p.unnecessaryInMacroBody(c, def)
			}
			return true
		})
	},
}

// reportFirstUnnecessary reports the comment c on the first of the code
// candidates it documents that holds no unsafe block. sa is the site
// analysis of the tree the candidates come from; view, when set, is the
// macro-body view they come from, where statements holding unparsed
// tokens are not judged, nor, when opaque, those holding metavariables
// that may stand for unsafe blocks.
func (p *Pass) reportFirstUnnecessary(c *safetyComment, cands []candidate, sa *siteAnalysis, view *macroBodyView, opaque bool) {
	for _, cand := range cands {
		start := int(cand.node.StartByte())
		if sa.insideUnsafeBlock(start) || cand.exactUnsafe {
			continue
		}
		if cand.needsUnsafe && (sa.necessary[cand.node.Id()] || p.callsUnsafeMacro(cand.node)) {
			continue
		}
		if view != nil && cand.needsUnsafe && !view.judged(cand.node, opaque) {
			continue
		}
		at, ok := safetyAbove(p.File.Lines, cand.boundary, c.codeLine)
		if !ok {
			continue
		}
		p.reportUnnecessary(c, at, start, cand.what, cand.node)
		return
	}
}

// unnecessaryInMacroBody judges a comment above code of a macro_rules!
// transcriber, through the macro-body view, when clippy sees the macro's
// expansions (it is invoked in its own crate).
func (p *Pass) unnecessaryInMacroBody(c *safetyComment, def *sitter.Node) {
	// Clippy sees the body where its crate expands the macro: the crate's
	// invocations say whether it does, and whether metavariables that may
	// hold code can be unsafe blocks; without the tree, the file's own.
	opaque := true
	if name := def.ChildByFieldName("name"); name != nil {
		macro := string(p.File.Text(name))
		if p.Config.Macros != nil {
			if !p.Config.Macros.ExpandedInCrate(macro, p.File.Path) {
				return
			}
			opaque = p.Config.Macros.UnsafeInputInCrate(macro, p.File.Path)
		} else {
			use, ok := p.fileMacroUses()[macro]
			if !ok {
				return
			}
			opaque = use.UnsafeInput
		}
	}
	v := p.macroBodies()
	lines := p.File.Lines
	first := lines.Start(c.codeLine) + len(lines.Indent(c.codeLine))
	if v == nil || !v.covers(first) {
		return
	}
	path := v.file.PathTo(first, first+1)
	if len(path) == 0 {
		return
	}
	p.reportFirstUnnecessary(c, v.pass.candidatesOn(c.codeLine, path), v.pass.siteInfo(), v, opaque)
}

// fileMacroUses are the file's own macro invocations, on first use.
func (p *Pass) fileMacroUses() map[string]symbols.MacroUse {
	if p.macroUses == nil {
		p.macroUses = symbols.MacroInvocations(p.File.Src)
	}
	return p.macroUses
}

func (p *Pass) reportUnnecessary(c *safetyComment, at, scope int, what string, node *sitter.Node) {
	lines := p.File.Lines
	f := Finding{
		Start:   at,
		End:     at + len("SAFETY:"),
		Message: what + " has unnecessary safety comment",
	}
	if node != nil {
		end := min(int(node.EndByte()), lines.End(p.File.Line(node)))
		f.Related = []Related{{Start: int(node.StartByte()), End: end, Message: "this " + what + " contains no unsafe block"}}
	}
	// The same comment may also document an unsafe block (`a(); unsafe
	// { b() };` on one line, or a static around an unsafe block): then
	// removing it would undocument the block, and no fix is offered.
	lo, hi := lines.Start(c.line), lines.Start(c.codeLine)
	inUse := false
	for _, s := range p.siteInfo().sites {
		if s.documented && s.commentAt >= lo && s.commentAt < hi {
			inUse = true
			f.Related = append(f.Related, Related{
				Start: s.unsafeOff, End: min(s.end, lines.End(lines.Line(s.unsafeOff))),
				Message: "the comment also documents this unsafe code: give the two their own lines",
			})
		}
	}
	if !inUse {
		f.Fixes = []Fix{p.plainCommentFix(c)}
	}
	f.Extent = Span{lines.Start(c.line), lines.End(c.codeLine)}
	p.report(scope, f)
}

// commentWindow is where a site's SAFETY comment would be looked for,
// with the line of code just above it: the start of that line.
func (p *Pass) commentWindow(s *site) int {
	lines := p.File.Lines
	line := s.ownLine
	if s.parent >= 0 && lines.Line(s.parent) < line {
		line = lines.Line(s.parent)
	}
	for i := line - 1; i > s.boundary && i >= 0; i-- {
		t := trimLeft(lines.Text(i))
		if len(trimRight(t)) == 0 || isAttributeLine(t) || bytes.HasPrefix(t, []byte("//")) ||
			bytes.HasPrefix(t, []byte("/*")) || bytes.HasPrefix(t, []byte("*")) {
			continue
		}
		return lines.Start(i)
	}
	return lines.Start(max(s.boundary, 0))
}

// macroDefOf returns the macro_rules definition whose transcriber holds
// the last node of path (a token), or nil.
func macroDefOf(path []symbols.PathNode) *sitter.Node {
	for i := len(path) - 2; i > 0; i-- {
		switch path[i].Kind {
		case k.TokenTree, k.TokenRepetition:
			continue
		case k.MacroRule:
			return path[i-1].Node
		}
		return nil
	}
	return nil
}

var MissingSafetyDoc = &Rule{
	Name: "missing-safety-doc",
	Doc: "An `unsafe fn` or `unsafe trait` whose docs have no `# Safety` section (headings Safety, SAFETY or " +
		"Implementation safety, at any level) telling callers or implementers what they must guarantee. " +
		"Private items count when .clippy.toml sets check-private-items = true, as the kernel's does. " +
		"Methods of trait impls are never flagged: the trait documents them.",
	Severity: Warning,
	Clippy:   "clippy::missing_safety_doc",
	Lints:    []string{"clippy::missing_safety_doc", "clippy::style", "clippy::all", "warnings"},
	Run: func(p *Pass) {
		for _, it := range p.docItemsOf() {
			if !it.checked(p) || !it.isUnsafe || it.docs.Safety {
				continue
			}
			msg := "unsafe function's docs are missing a `# Safety` section"
			if it.isTrait {
				msg = "docs for unsafe trait missing `# Safety` section"
			}
			start, end := itemNameSpan(it.node)
			p.report(start, Finding{Start: start, End: end, Message: msg, Fixes: []Fix{p.safetyDocFix(it)},
				Extent: Span{it.docStart, end}})
		}
	},
}

var UnnecessarySafetyDoc = &Rule{
	Name:     "unnecessary-safety-doc",
	Doc:      "A `# Safety` section in the docs of a function or trait that is not unsafe: either it should be unsafe, or the section is stale.",
	Severity: Warning,
	Clippy:   "clippy::unnecessary_safety_doc",
	Lints:    []string{"clippy::unnecessary_safety_doc", "clippy::restriction", "warnings"},
	Run: func(p *Pass) {
		for _, it := range p.docItemsOf() {
			if !it.checked(p) || it.isUnsafe || !it.docs.Safety {
				continue
			}
			msg := "safe function's docs have unnecessary `# Safety` section"
			if it.isTrait {
				msg = "docs for safe trait have unnecessary `# Safety` section"
			}
			start, end := itemNameSpan(it.node)
			p.report(start, Finding{Start: start, End: end, Message: msg, Extent: Span{it.docStart, end}})
		}
	},
}

// checked applies clippy's exclusions: #[doc(hidden)] items, methods of
// trait impls, and (without check-private-items) functions that are not
// exported. Traits are checked whatever their visibility.
func (it *docItem) checked(p *Pass) bool {
	if it.hidden || it.traitImplMember || it.docs.Unknown {
		return false
	}
	return it.isTrait || p.Config.CheckPrivateItems || it.exported
}

// itemNameSpan runs from the item's start (visibility included, attributes
// not) to the end of its name, like rustc's def_span.
func itemNameSpan(n *sitter.Node) (int, int) {
	start := int(n.StartByte())
	if name := n.ChildByFieldName("name"); name != nil {
		return start, int(name.EndByte())
	}
	return start, start
}

var SafetyPlaceholder = &Rule{
	Name: "safety-placeholder",
	Doc: "A `// SAFETY:` comment that satisfies the lint without justifying anything: empty, or `TODO`/`FIXME`/`XXX`. " +
		"The kernel tree has a couple of dozen; each is a soundness argument still owed.",
	Severity: Information,
	Lints:    []string{"clippy::undocumented_unsafe_blocks", "clippy::restriction", "warnings"},
	Run: func(p *Pass) {
		seen := map[int]bool{}
		for _, s := range p.siteInfo().sites {
			if !s.documented || s.commentAt < 0 || seen[s.commentAt] {
				continue
			}
			seen[s.commentAt] = true
			if end, ok := placeholder(p.File.Lines, s.commentAt); ok {
				p.report(s.scope, Finding{
					Start:   s.commentAt,
					End:     end,
					Message: "SAFETY comment is a placeholder: it does not say why the unsafe code is sound",
					Extent:  Span{s.commentAt, p.File.Lines.End(s.ownLine)},
				})
			}
		}
	},
}

var placeholderWords = []string{"TODO", "FIXME", "XXX", "TBD", "HACK"}

// placeholder decides whether the SAFETY comment at "SAFETY:" (offset at)
// justifies nothing, and returns the end of its first line.
func placeholder(lines *symbols.Lines, at int) (int, bool) {
	line := lines.Line(at)
	src := lines.Src()
	end := lines.End(line)
	rest := string(src[at+len("SAFETY:") : end])
	rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "*/"))
	if rest == "" {
		// `// SAFETY:` with the argument on the following comment lines.
		for i := line + 1; i < lines.Count(); i++ {
			t := trimLeft(lines.Text(i))
			if !bytes.HasPrefix(t, []byte("//")) {
				break
			}
			body := strings.TrimSpace(strings.TrimLeft(string(t), "/!"))
			if body != "" {
				return end, false
			}
		}
		return end, true
	}
	word := strings.ToUpper(strings.TrimRight(strings.Fields(rest)[0], ".:;,!-"))
	for _, w := range placeholderWords {
		if word == w {
			return end, true
		}
	}
	if strings.Trim(rest, ".?!-_ ") == "" {
		return end, true
	}
	return end, false
}
