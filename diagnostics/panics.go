package diagnostics

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/panics"
)

// `// PANIC:` comments: above code that may panic, saying why it does
// not (Rust-for-Linux's clippy wish list; clippy's proposed
// undocumented_may_panic_call).

var UndocumentedPanic = &Rule{
	Name: "undocumented-panic",
	Doc: "Code that may panic without a `// PANIC:` comment saying why it does not: a panicking macro (`panic!`, " +
		"`unreachable!`, `todo!`, `unimplemented!`; the `assert!` family too when the tree's own code documents one " +
		"with a PANIC comment), slicing with a range (`x[a..b]`), `.unwrap()`/`.expect()`, and calls of functions whose " +
		"docs have a `# Panics` section: in the kernel crate and the file's crate (through the index), and in core and " +
		"alloc when the Rust sources are installed ($RUST_SRC_PATH, the rust-project.json's sysroot_src, or rustc's " +
		"sysroot). A method call whose receiver's type is not known counts when every method of that name documents " +
		"a panic. .clippy.toml's `may-panic-functions` adds paths (with \"..\") or replaces the defaults (without). " +
		"The comment stands where a SAFETY comment would. Off by default in `krls check` (`--rules=+conventions`); a " +
		"hint in the editor.",
	Severity: Hint,
	Run: func(p *Pass) {
		p.reportUndocumentedConvention(p.panicSites(), "PANIC", func(s *site) (string, string, string) {
			what := "`" + s.macroName + "`"
			if s.macroName == slicing {
				what = slicing
			}
			return what + " may panic,", " quoting when " + what + " panics", "When " + what + " panics:"
		})
	},
}

var UnnecessaryPanicComment = &Rule{
	Name: "unnecessary-panic-comment",
	Doc: "A `// PANIC:` comment above code where krls finds nothing that may panic (see undocumented-panic). Off by " +
		"default in `krls check` (`--rules=+conventions`); a hint in the editor.",
	Severity: Hint,
	Run:      func(p *Pass) { p.reportUnneededConvention(p.panicSites(), "call that may panic") },
}

// PanicConfig is what undocumented-panic knows beyond the file. Its
// functions are called only when the rule runs.
type PanicConfig struct {
	// Library returns core and alloc as the installed Rust sources
	// document them; nil (or a nil result) uses panics.Builtin.
	Library func() *panics.Library
	// Macros returns the panicking macros of the tree (panics.MacroSet);
	// nil counts panics.Macros.
	Macros func() map[string]bool
	// MayPanic are the paths .clippy.toml's may-panic-functions lists;
	// with ReplaceDefaults (the list has no ".."), only they count among
	// functions.
	MayPanic        []string
	ReplaceDefaults bool
}

// PanicDocs is an optional interface of Config.Contracts: the `# Panics`
// sections of the index's functions, by name.
type PanicDocs interface {
	// AssociatedPanics lists, for each associated function (or method)
	// named name in the index, its `# Panics` section ("" for none).
	AssociatedPanics(name string) []string
	// PanicNames are the names of the index's functions whose docs have
	// a `# Panics` section.
	PanicNames() []string
}

// slicing is what a slicing site is called.
const slicing = "slicing"

var panicConvention = &convention{label: panics.Label, targets: panicTargets, siteAt: panicAt}

// panicSites are the places of the file that may panic.
func (p *Pass) panicSites() *conventionSites { return p.conventionSites(panicConvention) }

// panicConfig is Config.Panics, or what holds without a tree, with the
// assert macros that the file's own PANIC comments document (as the
// tree's code would make them count).
func (p *Pass) panicConfig() *panicFacts {
	if p.panicConf != nil {
		return p.panicConf
	}
	pf := &panicFacts{macros: panics.MacroSet(nil)}
	if pc := p.Config.Panics; pc != nil {
		pf.mayPanic, pf.replaceDefaults = pc.MayPanic, pc.ReplaceDefaults
		if pc.Library != nil {
			pf.library = pc.Library()
		}
		if pc.Macros != nil {
			if m := pc.Macros(); m != nil {
				pf.macros = maps.Clone(m)
			}
		}
	}
	if own := panics.DocumentedAsserts(p.File.Src); len(own) > 0 {
		maps.Copy(pf.macros, panics.MacroSet(own))
	}
	p.panicConf = pf
	return pf
}

// panicFacts are a PanicConfig's answers, for one pass.
type panicFacts struct {
	library         *panics.Library
	macros          map[string]bool
	mayPanic        []string
	replaceDefaults bool
}

// panicNames are the names whose calls may panic: the macros, the
// functions with a `# Panics` section, the listed paths' last segments.
func (p *Pass) panicNames() map[string]bool {
	if p.panicNameSet != nil {
		return p.panicNameSet
	}
	pc := p.panicConfig()
	names := map[string]bool{}
	for m := range pc.macros {
		names[m] = true
	}
	for _, path := range pc.mayPanic {
		names[path[strings.LastIndex(path, ":")+1:]] = true
	}
	if !pc.replaceDefaults {
		if pc.library != nil {
			for _, n := range pc.library.PanicNames() {
				names[n] = true
			}
		} else {
			for n := range panics.Builtin {
				names[n] = true
			}
		}
		if d, ok := p.Config.Contracts.(PanicDocs); ok {
			for _, n := range d.PanicNames() {
				names[n] = true
			}
		}
	}
	p.panicNameSet = names
	return names
}

// panicTargets are, by text, the calls and macro calls of the names of
// panicNames (`name(`, `name::<`, `name!`) and the `..` of ranges inside
// brackets (`x[a..b]`, not `for i in 0..n`): where the tree is asked.
func panicTargets(p *Pass) []symbols.Span {
	src := p.File.Src
	names := p.panicNames()
	var out []symbols.Span
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '.' && i+1 < len(src) && src[i+1] == '.':
			if (i == 0 || src[i-1] != '.') && (i+2 >= len(src) || src[i+2] != '.') && inBrackets(src, i) && !p.onCommentLine(i) {
				out = append(out, symbols.Span{Start: i, End: i + 2})
			}
			i += 2
		case symbols.IsIdentByte(c) && (c < '0' || c > '9'):
			j := i
			for j < len(src) && symbols.IsIdentByte(src[j]) {
				j++
			}
			if names[string(src[i:j])] && calledAt(src, j) && !p.onCommentLine(i) {
				out = append(out, symbols.Span{Start: i, End: j})
			}
			i = j
		default:
			i++
		}
	}
	return out
}

// calledAt: what follows a name at end calls it: `(`, `::<` or `!`,
// after blanks.
func calledAt(src []byte, end int) bool {
	for end < len(src) && (src[end] == ' ' || src[end] == '\t' || src[end] == '\n' || src[end] == '\r') {
		end++
	}
	return end < len(src) && (src[end] == '(' || src[end] == '!' || bytes.HasPrefix(src[end:], []byte("::<")))
}

// inBrackets: the `..` at i has an open `[` before it on its line, the
// nearest bracket there.
func inBrackets(src []byte, i int) bool {
	for j := i - 1; j >= 0 && src[j] != '\n'; j-- {
		switch src[j] {
		case '[':
			return true
		case ']', ';', '{', '}':
			return false
		}
	}
	return false
}

// panicAt is the path index of the node that may panic at the end of
// path, or -1, with what it is (`unreachable!`, `Option::unwrap`) and its
// `# Panics` text.
func panicAt(p *Pass, path []symbols.PathNode) (int, string, string) {
	last := len(path) - 1
	if last < 1 {
		return -1, "", ""
	}
	n := path[last]
	// Slicing: the range of an index expression.
	if n.Kind == k.RangeExpression || string(p.File.Text(n.Node)) == ".." {
		j := last
		if n.Kind != k.RangeExpression {
			j--
		}
		if j < 1 || path[j].Kind != k.RangeExpression || path[j-1].Kind != k.IndexExpression {
			return -1, "", ""
		}
		idx := path[j-1].Node.NamedChild(1)
		if idx == nil || idx.Id() != path[j].Node.Id() || path[j].Node.NamedChildCount() == 0 {
			return -1, "", "" // `x[..]` cannot panic
		}
		return j - 1, slicing, "Panics if the range is out of the slice's bounds, or starts after it ends."
	}
	if n.Kind != k.Identifier && n.Kind != k.FieldIdentifier {
		return -1, "", ""
	}
	name := string(p.File.Text(n.Node))
	pc := p.panicConfig()
	parent := path[last-1]
	// A macro: `unreachable!()`, `core::panic!(..)`.
	inv := last - 1
	if parent.Kind == k.ScopedIdentifier && inv > 0 {
		inv--
	}
	if path[inv].Kind == k.MacroInvocation {
		if m := path[inv].Node.ChildByFieldName("macro"); m != nil && int(m.EndByte()) == n.End && pc.macros[name] {
			return inv, name + "!()", ""
		}
		return -1, "", ""
	}
	// A method call: `x.unwrap()`, `x.split_at::<..>(n)`.
	if n.Kind == k.FieldIdentifier {
		if parent.Kind != k.FieldExpression || last < 2 {
			return -1, "", ""
		}
		call := last - 2
		if path[call].Kind == k.GenericFunction && call > 0 {
			call--
		}
		if path[call].Kind != k.CallExpression {
			return -1, "", ""
		}
		if fn := path[call].Node.ChildByFieldName("function"); fn == nil || int(fn.StartByte()) != path[call+1].Start {
			return -1, "", ""
		}
		recv := ""
		if v := parent.Node.ChildByFieldName("value"); v != nil && (v.Kind() == "identifier" || v.Kind() == "self") {
			recv = string(p.File.Text(v))
		}
		about, quote, ok := p.methodPanics(callSite{at: n.Start, segs: []string{name}, method: true, recv: recv})
		if !ok {
			return -1, "", ""
		}
		return call, about, quote
	}
	// A path call: `split(..)`, `Type::f(..)`, `core::f::<T>(..)`.
	fnNode := n.Node
	call := last - 1
	if parent.Kind == k.ScopedIdentifier {
		if nm := parent.Node.ChildByFieldName("name"); nm == nil || int(nm.StartByte()) != n.Start {
			return -1, "", ""
		}
		fnNode = parent.Node
		call = last - 2
	}
	if call >= 0 && path[call].Kind == k.GenericFunction {
		fnNode = path[call].Node
		call--
	}
	if call < 0 || path[call].Kind != k.CallExpression {
		return -1, "", ""
	}
	if fn := path[call].Node.ChildByFieldName("function"); fn == nil || fn.Id() != fnNode.Id() {
		return -1, "", ""
	}
	written := string(p.File.Text(fnNode))
	segs := pathSegments(written)
	if segs == nil {
		return -1, "", ""
	}
	about, quote, ok := p.pathPanics(segs, strings.HasPrefix(written, "::"), n.Start)
	if !ok {
		return -1, "", ""
	}
	return call, about, quote
}

// contractsOrNone are Config.Contracts, or an index that knows nothing.
func (p *Pass) contractsOrNone() Contracts {
	if p.Config.Contracts != nil {
		return p.Config.Contracts
	}
	return noContracts{}
}

type noContracts struct{}

func (noContracts) Module() string                   { return "" }
func (noContracts) Contract(string) (Contract, bool) { return Contract{}, false }

// listed reports whether .clippy.toml's may-panic-functions names one of
// the full paths (or, for a method whose receiver's type is not known,
// its name).
func (pc *panicFacts) listed(fulls []string, method string) bool {
	for _, l := range pc.mayPanic {
		if slices.Contains(fulls, l) || method != "" && l[strings.LastIndex(l, ":")+1:] == method {
			return true
		}
	}
	return false
}

const listedQuote = "Listed in .clippy.toml's may-panic-functions."

// methodPanics decides whether a method call may panic: its receiver's
// type when the index resolves it, else every method of that name.
func (p *Pass) methodPanics(cs callSite) (about, quote string, ok bool) {
	name := cs.segs[0]
	pc := p.panicConfig()
	sc := p.scopePass().newCalleeScope(p.contractsOrNone(), cs.at)
	c, resolved := sc.resolveCall(cs)
	if resolved && c.path != "" {
		if pc.listed([]string{c.path}, "") {
			return c.label, listedQuote, true
		}
		return c.label, c.panics, c.panics != "" && !pc.replaceDefaults
	}
	if pc.listed(nil, name) {
		return name, listedQuote, true
	}
	if pc.replaceDefaults {
		return "", "", false
	}
	// By name: every definition must document a panic.
	var defs []panicDef
	if pc.library != nil {
		for _, f := range pc.library.Methods(name) {
			if !f.Counts() {
				return "", "", false
			}
			defs = append(defs, panicDef{ownerName(f.Path), f.Panics})
		}
	} else if text, ok := panics.Builtin[name]; ok {
		defs = append(defs, panicDef{name, text})
	}
	if d, ok := p.Config.Contracts.(PanicDocs); ok {
		for _, text := range d.AssociatedPanics(name) {
			if text == "" {
				return "", "", false
			}
			defs = append(defs, panicDef{name, text})
		}
	}
	return describeDefs(name, defs)
}

// panicDef is one definition of a method called by name.
type panicDef struct{ label, panics string }

// describeDefs names what a method call by name may call: the one
// definition's `Type::name`, or `.name()` with each definition's
// section (Option's and Result's unwrap), at most maxCallees of them.
func describeDefs(name string, defs []panicDef) (about, quote string, ok bool) {
	switch len(defs) {
	case 0:
		return "", "", false
	case 1:
		return defs[0].label, defs[0].panics, true
	}
	var lines []string
	seen := map[string]bool{}
	for _, d := range defs {
		if seen[d.label] || len(seen) == maxCallees {
			continue
		}
		seen[d.label] = true
		lines = append(lines, "`"+d.label+"`: "+strings.Join(strings.Fields(d.panics), " "))
	}
	if len(seen) == 1 {
		return defs[0].label, defs[0].panics, true
	}
	return "." + name + "()", strings.Join(lines, "\n"), true
}

// ownerName is `Option::unwrap` for core::option::Option::unwrap.
func ownerName(path string) string {
	segs := strings.Split(path, "::")
	if len(segs) >= 2 && segs[len(segs)-2] != "" && segs[len(segs)-2][0] >= 'A' && segs[len(segs)-2][0] <= 'Z' || len(segs) >= 2 && (segs[len(segs)-2] == "slice" || segs[len(segs)-2] == "str") {
		return segs[len(segs)-2] + "::" + segs[len(segs)-1]
	}
	return segs[len(segs)-1]
}

// pathPanics decides whether a call of a path may panic: the function the
// path resolves to, in the index or in core and alloc.
func (p *Pass) pathPanics(segs []string, global bool, at int) (about, quote string, ok bool) {
	pc := p.panicConfig()
	c := p.contractsOrNone()
	sc := p.scopePass().newCalleeScope(c, at)
	fulls := sc.resolve(segs, global, maxImportExpansion)
	label := strings.Join(segs, "::")
	if pc.listed(fulls, "") {
		return label, listedQuote, true
	}
	if pc.replaceDefaults {
		return "", "", false
	}
	for _, full := range fulls {
		if ct, ok := c.Contract(full); ok {
			return label, ct.Panics, ct.Panics != ""
		}
		if pc.library != nil {
			if f, ok := pc.library.ByPath[full]; ok {
				return label, f.Panics, f.Counts()
			}
		}
	}
	return "", "", false
}

// pathSegments reads a path as written without its generic arguments
// (`KVec::<u8>::with_capacity` → KVec, with_capacity), or nil for a
// qualified path (`<T as Trait>::f`).
func pathSegments(written string) []string {
	var b strings.Builder
	depth := 0
	for _, c := range written {
		switch {
		case c == '<':
			depth++
		case c == '>':
			depth--
		case depth == 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r':
			b.WriteRune(c)
		}
	}
	t := strings.TrimPrefix(b.String(), "::")
	if t == "" || strings.HasPrefix(written, "<") {
		return nil
	}
	var segs []string
	for _, s := range strings.Split(t, "::") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}
