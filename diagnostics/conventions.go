package diagnostics

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// The kernel's other justification comments (Rust-for-Linux's clippy
// wish list, issue #349): `// CAST:` above an `as` cast or a pointer
// `.cast()`, and its dual. They stand exactly where clippy accepts a
// SAFETY comment (commentAbove, climbAnchor), so kernel developers have
// one rule to learn; one comment may justify several sites of its
// statement. The kernel has not switched them on: the server runs them
// at hint severity (Config.Conventions), `krls check` when asked
// (`--rules=+conventions`).

var UndocumentedCast = &Rule{
	Name: "undocumented-cast",
	Doc: "An `as` cast, or a pointer `.cast()`, `.cast_mut()` or `.cast_const()`, without a `// CAST:` comment saying why the " +
		"value fits or the pointer is valid for the new type. The comment stands where a SAFETY comment would (the lines " +
		"directly above, or above the enclosing `let`, assignment or statement in plain expressions). Off by default in " +
		"`krls check` (`--rules=+conventions`); a hint in the editor.",
	Severity: Hint,
	Run: func(p *Pass) {
		p.reportUndocumentedConvention(p.castSites(), "CAST", func(*site) (string, string, string) { return "cast", "", "" })
	},
}

// reportUndocumentedConvention reports the sites of cs without their
// `// WORD:` comment. describe says, per site, the message's subject and,
// when the site has a quote, the fix title's addition and the line that
// introduces the quote in the inserted comment.
func (p *Pass) reportUndocumentedConvention(cs *conventionSites, word string, describe func(*site) (subject, titleMore, quoteHead string)) {
	for _, s := range cs.sites {
		if s.documented {
			continue
		}
		end := min(s.end, p.File.Lines.End(s.ownLine))
		subject, titleMore, quoteHead := describe(s)
		title, body := "Add a `// "+word+":` comment", []string{word + ": "}
		if len(s.quote) > 0 && quoteHead != "" {
			title += titleMore
			body = append(append(body, "", quoteHead), s.quote...)
		}
		p.report(s.scope, Finding{
			Start: s.unsafeOff, End: end,
			Message: subject + " without a `// " + word + ":` comment",
			Fixes:   []Fix{p.insertCommentFix(s, title, body)},
			Extent:  Span{p.commentWindow(s), end},
		})
	}
}

var UnnecessaryCastComment = &Rule{
	Name: "unnecessary-cast-comment",
	Doc: "A `// CAST:` comment above a statement, tail expression or item that holds no cast: it justifies nothing, " +
		"or the cast it meant moved. Off by default in `krls check` (`--rules=+conventions`); a hint in the editor.",
	Severity: Hint,
	Run:      func(p *Pass) { p.reportUnneededConvention(p.castSites(), "cast") },
}

var UndocumentedOrdering = &Rule{
	Name: "undocumented-ordering",
	Doc: "A call passing a memory ordering (core's `Ordering::*`, and the kernel's own atomics' orderings as the tree's " +
		"rust/kernel/sync/atomic/ordering.rs defines them: `Relaxed`, `Acquire`, `Release`, `Full`) without an " +
		"`// ORDERING:` comment saying why that ordering suffices. The comment stands where a SAFETY comment would. " +
		"Off by default in `krls check` (`--rules=+conventions`); a hint in the editor.",
	Severity: Hint,
	Run: func(p *Pass) {
		p.reportUndocumentedConvention(p.orderingSites(), "ORDERING", func(*site) (string, string, string) {
			return "call passing a memory ordering", "", ""
		})
	},
}

var UnnecessaryOrderingComment = &Rule{
	Name: "unnecessary-ordering-comment",
	Doc: "An `// ORDERING:` comment above code that passes no memory ordering. Off by default in `krls check` " +
		"(`--rules=+conventions`); a hint in the editor.",
	Severity: Hint,
	Run:      func(p *Pass) { p.reportUnneededConvention(p.orderingSites(), "memory ordering") },
}

// ConventionRules are the justification-comment rules beyond SAFETY.
var ConventionRules = []*Rule{UndocumentedPanic, UnnecessaryPanicComment, UndocumentedCast, UnnecessaryCastComment, UndocumentedOrdering, UnnecessaryOrderingComment, MissingInvariantComment}

// ConventionsGroup is the --rules group that adds ConventionRules.
const ConventionsGroup = "conventions"

// conventionSites are the sites of one convention in a file and the
// nodes their comments are necessary for.
type conventionSites struct {
	label     string // "CAST:"
	sites     []*site
	necessary map[uintptr]bool
	// view holds the sites of the file's macro bodies (their nodes are
	// the macro-body view's), or nil.
	view *conventionSites
}

// A convention is one justification comment beyond SAFETY: its label,
// where its sites may be (by text), and which node of a path to such a
// place is the site (-1: none).
type convention struct {
	label   string
	targets func(p *Pass) []symbols.Span
	// siteAt returns the path index of the site node, or -1; about (a
	// name) and quote (text) are what the site's fix quotes ("" for
	// none: the invariants of the type an INVARIANT site builds).
	siteAt func(p *Pass, path []symbols.PathNode) (idx int, about, quote string)
	// inside: a comment on its own line inside the site (a struct
	// expression's field list) documents it too.
	inside bool
}

var castConvention = &convention{label: "CAST:", targets: castTargets, siteAt: func(p *Pass, path []symbols.PathNode) (int, string, string) {
	return castAt(p.File, path), "", ""
}}

var orderingConvention = &convention{label: "ORDERING:", targets: orderingTargets, siteAt: func(p *Pass, path []symbols.PathNode) (int, string, string) {
	return orderingAt(path), "", ""
}}

// castSites are the `as` casts and the pointer casts by method of the
// file, its macro bodies included.
func (p *Pass) castSites() *conventionSites { return p.conventionSites(castConvention) }

// orderingSites are the calls that pass a memory ordering.
func (p *Pass) orderingSites() *conventionSites { return p.conventionSites(orderingConvention) }

// conventionSites finds the sites of c in the file (not in macro input,
// which is tokens), with its macro bodies read as code.
func (p *Pass) conventionSites(c *convention) *conventionSites {
	if cs, ok := p.conventions[c]; ok {
		return cs
	}
	cs := &conventionSites{label: c.label, necessary: map[uintptr]bool{}}
	if p.conventions == nil {
		p.conventions = map[*convention]*conventionSites{}
	}
	p.conventions[c] = cs
	targets := p.conventionTargets(c)
	if len(targets) > 0 {
		seen := map[uintptr]bool{}
		p.File.VisitPaths(targets, func(_ int, path []symbols.PathNode) bool {
			if p.ctx.Err() != nil {
				return false
			}
			idx, about, quote := c.siteAt(p, path)
			if idx < 0 || seen[path[idx].Node.Id()] {
				return true
			}
			seen[path[idx].Node.Id()] = true
			at := path[len(path)-1].Start
			s := &site{unsafeOff: at, end: path[idx].End, node: path[idx].Node, scope: at, brace: -1}
			s.boundary = p.codeBoundary(path, idx)
			if p.viewBoundary != nil {
				s.boundary = max(s.boundary, p.viewBoundary(at))
			}
			s.parent = climbAnchorFrom(path, idx, func(int) (int, bool) { return 0, false }, func(at int) { s.fieldAnchors = append(s.fieldAnchors, at) })
			s.ownLine = p.File.Lines.Line(at)
			p.judgeConvention(s, cs.label)
			if !s.documented && c.inside {
				p.judgeInside(s, cs.label)
			}
			s.macroName = about
			for _, l := range strings.Split(quote, "\n") {
				if l = strings.TrimSpace(l); l != "" && len(s.quote) < maxItemsPerCallee {
					s.quote = append(s.quote, l)
				}
			}
			cs.sites = append(cs.sites, s)
			markNecessaryFrom(cs.necessary, path, idx, true)
			return true
		})
	}
	// The sites of macro_rules! bodies, read as code (macroBodies): a
	// macro's expansions are code like any other for these comments.
	if !p.inView && p.anyInMacroDef(targets, c.label) {
		if v := p.macroBodies(); v != nil {
			vs := v.pass.conventionSites(c)
			cs.view = vs
			for _, s := range vs.sites {
				if v.covers(s.unsafeOff) {
					cs.sites = append(cs.sites, s)
				}
			}
		}
	}
	// The sites in the input of macro calls whose input is code, when
	// the text puts a target there: in the file, and in its macro bodies
	// (`build_assert!(x as u32 < N)` in a transcriber).
	if (!p.inView || p.bodyView) && anyInMacroCall(p, targets) {
		if v := p.macroInputs(); v != nil {
			for _, s := range v.pass.conventionSites(c).sites {
				if v.covers(p, s.unsafeOff) && !statementHasError(s.node) {
					cs.sites = append(cs.sites, s)
				}
			}
		}
	}
	return cs
}

// conventionTargets are c's targets in the file, sorted, found once (the
// macro-input view asks for every convention's).
func (p *Pass) conventionTargets(c *convention) []symbols.Span {
	if t, ok := p.targets[c]; ok {
		return t
	}
	t := c.targets(p)
	sortSpans(t)
	if p.targets == nil {
		p.targets = map[*convention][]symbols.Span{}
	}
	p.targets[c] = t
	return t
}

// anyInMacroDef: a target, or a comment of label, lies inside a
// macro_rules! definition (by text), so the macro-body view may hold a
// site or judge a comment: the view is parsed only then.
func (p *Pass) anyInMacroDef(targets []symbols.Span, label string) bool {
	if p.bodiesDone {
		return p.bodies != nil
	}
	if !bytes.Contains(p.File.Src, []byte("macro_rules")) {
		return false
	}
	defs := p.macroDefs()
	for _, t := range targets {
		if inSpans(defs, t.Start) {
			return true
		}
	}
	lower, needle := p.lowerSrc(), bytes.ToLower([]byte(label))
	for _, d := range defs {
		if bytes.Contains(lower[d[0]:min(d[1]+1, len(lower))], needle) {
			return true
		}
	}
	return false
}

// anyInMacroCall: a target lies inside the token tree of a macro call
// (by text: after a `name!(` whose parenthesis is not closed before it),
// so the macro-input view may hold a site.
func anyInMacroCall(p *Pass, targets []symbols.Span) bool {
	if p.inputsDone {
		return p.inputs != nil
	}
	// Both sorted by start.
	spans, _ := p.codeInputSpansCached()
	j := 0
	for _, t := range targets {
		for j < len(spans) && spans[j][1] <= t.Start {
			j++
		}
		if j == len(spans) {
			return false
		}
		if t.Start > spans[j][0] {
			return true
		}
	}
	return false
}

// wordTargets are the places of the whole word w outside comment lines
// (doc comments included): where the rules ask the tree about it.
func wordTargets(p *Pass, w string) []symbols.Span {
	src := p.File.Src
	var out []symbols.Span
	for off := 0; ; {
		i := bytes.Index(src[off:], []byte(w))
		if i < 0 {
			return out
		}
		at := off + i
		off = at + len(w)
		if (at > 0 && symbols.IsIdentByte(src[at-1])) || (off < len(src) && symbols.IsIdentByte(src[off])) || p.onCommentLine(at) {
			continue
		}
		out = append(out, symbols.Span{Start: at, End: off})
	}
}

// castTargets are the `as` keywords and `.cast` method names by text.
func castTargets(p *Pass) []symbols.Span {
	src := p.File.Src
	targets := wordTargets(p, "as")
	for off := 0; ; {
		i := bytes.Index(src[off:], []byte(".cast"))
		if i < 0 {
			break
		}
		at := off + i + 1
		off = at + len("cast")
		rest := src[off:]
		name := len("cast")
		switch {
		case bytes.HasPrefix(rest, []byte("_mut")):
			name += len("_mut")
		case bytes.HasPrefix(rest, []byte("_const")):
			name += len("_const")
		}
		if end := at + name; end < len(src) && symbols.IsIdentByte(src[end]) || p.onCommentLine(at) {
			continue
		}
		targets = append(targets, symbols.Span{Start: at, End: at + name})
	}
	return targets
}

// coreOrderings are core::sync::atomic::Ordering's variants.
var coreOrderings = []string{"Relaxed", "Release", "Acquire", "AcqRel", "SeqCst"}

// orderingNames are the memory orderings of the file's tree: core's, and
// the kernel's own (Config.Orderings, read from the tree).
func (p *Pass) orderingNames() []string {
	names := append([]string(nil), coreOrderings...)
	for _, n := range p.Config.Orderings {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// orderingTargets are the ordering names by text.
func orderingTargets(p *Pass) []symbols.Span {
	var out []symbols.Span
	for _, n := range p.orderingNames() {
		out = append(out, wordTargets(p, n)...)
	}
	return out
}

// orderingAt is the path index of the call an ordering at the end of path
// is an argument of (`a.load(Relaxed)`, `x.store(v, Ordering::Release)`),
// or -1.
func orderingAt(path []symbols.PathNode) int {
	i := len(path) - 1
	if path[i].Kind != k.Identifier {
		return -1
	}
	if i > 0 && path[i-1].Kind == k.ScopedIdentifier {
		// Ordering::Relaxed: the name is the path's last segment.
		if n := path[i-1].Node.ChildByFieldName("name"); n == nil || int(n.StartByte()) != path[i].Start {
			return -1
		}
		i--
	}
	if i < 2 || path[i-1].Kind != k.Arguments || path[i-2].Kind != k.CallExpression {
		return -1
	}
	return i - 2
}

// castAt is the path index of the cast expression whose `as` keyword or
// `cast` method name ends path (`x as u32`; `p.cast()`, `p.cast::<T>()`,
// `.cast_mut()`, `.cast_const()`), or -1.
func castAt(f *symbols.File, path []symbols.PathNode) int {
	last := len(path) - 1
	if last < 2 {
		return -1
	}
	if path[last-1].Kind == k.TypeCastExpression && string(f.Text(path[last].Node)) == "as" {
		return last - 1
	}
	if path[last].Kind != k.FieldIdentifier || path[last-1].Kind != k.FieldExpression {
		return -1
	}
	call := last - 2
	if path[call].Kind == k.GenericFunction && call > 0 {
		call-- // p.cast::<T>()
	}
	if path[call].Kind != k.CallExpression {
		return -1
	}
	if fn := path[call].Node.ChildByFieldName("function"); fn == nil || int(fn.StartByte()) != path[call+1].Start {
		return -1
	}
	return call
}

// sortSpans orders spans by start (VisitPaths walks them in order).
func sortSpans(ss []symbols.Span) {
	sort.Slice(ss, func(i, j int) bool { return ss[i].Start < ss[j].Start })
}

// onCommentLine: the line of off starts with `//` (doc comments too).
func (p *Pass) onCommentLine(off int) bool {
	return bytes.HasPrefix(trimLeft(p.File.Lines.Text(p.File.Lines.Line(off))), []byte("//"))
}

// judgeConvention decides whether a site has its comment, where a SAFETY
// comment would document an unsafe block in its place.
func (p *Pass) judgeConvention(s *site, label string) {
	lines := p.File.Lines
	if at, ok := commentAbove(lines, s.boundary, s.ownLine, label); ok {
		s.documented, s.commentAt = true, at
		return
	}
	for _, anchor := range append(s.fieldAnchors, s.parent) {
		if anchor < 0 {
			continue
		}
		if line := lines.Line(anchor); line != s.ownLine {
			if at, ok := commentAbove(lines, s.boundary, line, label); ok {
				s.documented, s.commentAt = true, at
				return
			}
		}
	}
}

// judgeInside documents a site by a comment of label on a line of its
// own between the site's first and last lines: the kernel writes
// `// INVARIANT:` above the field of a `pin_init!(Self { .. })` that
// keeps the invariant.
func (p *Pass) judgeInside(s *site, label string) {
	lines := p.File.Lines
	last := lines.Line(max(s.end-1, s.unsafeOff))
	for l := s.ownLine + 1; l < last; l++ {
		t := trimLeft(lines.Text(l))
		if !bytes.HasPrefix(t, []byte("//")) {
			continue
		}
		if k := indexFold(t, label); k >= 0 {
			s.documented, s.commentAt = true, lineTextOffset(lines, l, t)+k
			return
		}
	}
}

// reportUneededConvention reports the comments of a convention above
// code that holds none of its sites.
func (p *Pass) reportUnneededConvention(cs *conventionSites, what string) {
	lines := p.File.Lines
	for _, c := range p.labelComments(cs.label) {
		first := lines.Start(c.codeLine) + len(lines.Indent(c.codeLine))
		if first >= lines.End(c.codeLine) {
			continue
		}
		path := p.File.PathTo(first, first+1)
		if len(path) == 0 {
			continue
		}
		cands, necessary := p.candidatesOn(c.codeLine, path), cs.necessary
		if len(cands) == 0 && cs.view != nil && macroDefOf(path) != nil {
			// In a macro body: its code as the macro-body view reads it.
			v := p.macroBodies()
			if vpath := v.file.PathTo(first, first+1); v.covers(first) && len(vpath) > 0 {
				cands, necessary = v.pass.candidatesOn(c.codeLine, vpath), cs.view.necessary
			}
		}
		for _, cand := range cands {
			if necessary[cand.node.Id()] {
				break
			}
			at, ok := commentAbove(lines, cand.boundary, c.codeLine, cs.label)
			if !ok {
				continue
			}
			p.report(int(cand.node.StartByte()), Finding{
				Start: at, End: at + len(cs.label),
				Message: cand.what + " has a `// " + cs.label + "` comment but no " + what,
				Fixes:   []Fix{p.plainLabelFix(c, cs.label)},
				Extent:  Span{lines.Start(c.line), lines.End(c.codeLine)},
			})
			break
		}
	}
}
