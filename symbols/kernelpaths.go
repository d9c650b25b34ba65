package symbols

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
)

// PathKind says how a kernel path was written.
type PathKind uint8

const (
	// PathInUse is a leaf of a use tree, expanded to its full path.
	PathInUse PathKind = iota + 1
	// PathQualified is a path in code that starts at the crate:
	// kernel::net::phy::Driver, ::kernel::..., crate::... in the kernel.
	PathQualified
	// PathAlias is a path through a name a use imported: net::phy::Foo
	// after `use kernel::net;`.
	PathAlias
)

// PathSeg is one segment of a path. Segments the text does not spell
// (the expansion of an imported name) have Span.Start < 0.
type PathSeg struct {
	Name string
	Span Span
}

// PathUse is a use of a path into the kernel crate.
type PathUse struct {
	// Path is the full path, `kernel::net::phy::Driver`; a glob import
	// ends in `::*`.
	Path string
	Segs []PathSeg
	// Span is the path as written (for a use-tree leaf, the leaf).
	Span Span
	Kind PathKind
	// InMacroDef: the path is in a macro_rules! body, which is compiled
	// only where the macro expands.
	InMacroDef bool
	// Import is, for PathAlias, the path the imported name stands for
	// (kernel::net for net::phy::Foo after `use kernel::net;`).
	Import string
}

// SegmentSpan is where to underline segment i: its own text, else (an
// implicit segment) the first later segment the text spells, else the
// whole path.
func (u *PathUse) SegmentSpan(i int) Span {
	for j := max(i, 0); j < len(u.Segs); j++ {
		if u.Segs[j].Span.Start >= 0 {
			return u.Segs[j].Span
		}
	}
	return u.Span
}

// InKernelCrate reports whether a file path lies in the kernel crate's
// sources (rust/kernel/), where `crate::` means `kernel::`.
func InKernelCrate(path string) bool {
	p := filepath.ToSlash(path)
	return strings.HasPrefix(p, "rust/kernel/") || strings.Contains(p, "/rust/kernel/")
}

// KernelPaths returns the uses of kernel crate paths in a file, in text
// order: the leaves of `use kernel::...` trees, qualified paths
// (kernel::..., ::kernel::..., and crate::... in files under
// rust/kernel/), and paths through names those uses import, within the
// module or block that holds the use.
//
// Not handled: self:: and super:: (they need the file's module: see
// KernelPathsIn), names imported by a use that itself goes through an
// imported name (one level of aliasing), single-segment uses of
// imported items (`Driver` after `use kernel::net::phy::Driver`: the
// import is reported), glob-imported names, and macro-generated paths.
func KernelPaths(f *File) []PathUse {
	if f == nil {
		return nil
	}
	return kernelPaths(f, InKernelCrate(f.Path), "")
}

// KernelPathsIn is KernelPaths for a file of the kernel crate whose
// module path is module (`kernel::block::mq`): crate::, self:: and
// super:: resolve against it (self and super only outside inline mods).
func KernelPathsIn(f *File, module string) []PathUse {
	if f == nil {
		return nil
	}
	return kernelPaths(f, true, module)
}

// alias is a name a use declaration brought into scope.
type alias struct {
	segs  []PathSeg // the expansion, all implicit
	owner uintptr   // the innermost module (mod_item or source_file) of the use
	scope Span      // the block or module body holding the use
}

type pathScanner struct {
	f           *File
	src         []byte
	crateKernel bool
	module      []string // the file's module path, or nil
	aliases     map[string][]alias
	parsedUses  map[int]bool
	aliasPass   bool // the second pass: candidates are imported names
	out         []PathUse
}

func kernelPaths(f *File, crateKernel bool, module string) []PathUse {
	if f.tree == nil {
		return nil
	}
	ps := &pathScanner{f: f, src: f.Src, crateKernel: crateKernel, aliases: map[string][]alias{}, parsedUses: map[int]bool{}}
	if module != "" {
		ps.module = strings.Split(module, "::")
	}
	roots := []string{"kernel"}
	if crateKernel {
		roots = append(roots, "crate")
	}
	if ps.module != nil {
		roots = append(roots, "self", "super")
	}
	ps.pass(pathCandidates(ps.src, roots), false)
	if len(ps.aliases) > 0 {
		names := make([]string, 0, len(ps.aliases))
		for n := range ps.aliases {
			names = append(names, n)
		}
		ps.pass(pathCandidates(ps.src, names), true)
	}
	sort.SliceStable(ps.out, func(i, j int) bool { return ps.out[i].Span.Start < ps.out[j].Span.Start })
	return ps.out
}

// pathCandidates finds each word of words that starts a path: followed
// by `::`, not preceded by an identifier character, `$`, `.` or a `::`
// that continues another path. Sorted.
func pathCandidates(src []byte, words []string) []Span {
	var out []Span
	for _, w := range words {
		for i := 0; ; {
			j := bytes.Index(src[i:], []byte(w))
			if j < 0 {
				break
			}
			s := i + j
			e := s + len(w)
			i = e
			if s > 0 && (IsIdentByte(src[s-1]) || src[s-1] == '$') || e < len(src) && IsIdentByte(src[e]) {
				continue
			}
			if k := skipSpace(src, e); k+1 >= len(src) || src[k] != ':' || src[k+1] != ':' {
				continue
			}
			if p := prevNonSpace(src, s); p >= 0 {
				if src[p] == '.' {
					continue
				}
				if p >= 1 && src[p] == ':' && src[p-1] == ':' {
					// `::word`: a global path if no path precedes the `::`.
					if w != "kernel" || continuesPath(src, p-1) {
						continue
					}
				}
			}
			out = append(out, Span{s, e})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// pathKeywords are the keywords a global path (`::kernel::...`) can
// follow.
var pathKeywords = map[string]bool{
	"use": true, "dyn": true, "impl": true, "return": true, "in": true, "as": true, "mut": true,
	"break": true, "for": true, "where": true, "if": true, "match": true, "else": true, "ref": true,
	"move": true, "yield": true, "let": true, "const": true, "static": true, "type": true, "pub": true,
}

// continuesPath reports whether the `::` ending before end follows a
// path segment (`a::`, `T>::`, `)::`) rather than starting a global path.
func continuesPath(src []byte, end int) bool {
	q := prevNonSpace(src, end)
	if q < 0 {
		return false
	}
	if src[q] == '>' || src[q] == ')' {
		return true
	}
	if !IsIdentByte(src[q]) {
		return false
	}
	s := q
	for s > 0 && IsIdentByte(src[s-1]) {
		s--
	}
	return !pathKeywords[string(src[s:q+1])]
}

func (ps *pathScanner) pass(cands []Span, aliases bool) {
	if len(cands) == 0 {
		return
	}
	ps.aliasPass = aliases
	ps.f.VisitPaths(cands, func(i int, path []PathNode) bool {
		c := cands[i]
		leaf := path[len(path)-1]
		if leaf.Start != c.Start || leaf.End != c.End || inCommentOrString(path) {
			return true
		}
		useAt, inMacro := -1, false
		owner, inlineMod := path[0].Node.Id(), false
		for j, n := range path {
			switch n.Kind {
			case K.UseDeclaration:
				useAt = j
			case K.MacroDefinition:
				inMacro = true
			case K.ModItem:
				owner, inlineMod = n.Node.Id(), true
			}
		}
		if useAt >= 0 {
			u := path[useAt]
			if ps.parsedUses[u.Start] || useAt == 0 {
				return true
			}
			ps.parsedUses[u.Start] = true
			container := path[useAt-1]
			ps.useDecl(u.Start, u.End, owner, inlineMod, container, inMacro)
			return true
		}
		segs, end := readPath(ps.src, c.Start)
		if len(segs) < 2 {
			return true
		}
		global := false
		if p := prevNonSpace(ps.src, c.Start); p >= 1 && ps.src[p] == ':' && ps.src[p-1] == ':' {
			global = true
		}
		u := PathUse{Span: Span{c.Start, end}, Kind: PathQualified, InMacroDef: inMacro}
		var ok bool
		if aliases {
			u.Kind = PathAlias
			u.Segs, u.Import, ok = ps.expandAlias(segs, owner, c.Start)
		} else {
			u.Segs, ok = ps.resolveRoot(segs, global, inlineMod)
		}
		if ok {
			u.Path = joinSegs(u.Segs)
			ps.out = append(ps.out, u)
		}
		return true
	})
}

func joinSegs(segs []PathSeg) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteString("::")
		}
		b.WriteString(s.Name)
	}
	return b.String()
}

// resolveRoot maps a path's first segment to the kernel crate: kernel,
// crate (in the kernel crate), self and super (when the module is known
// and the path is not in an inline mod).
func (ps *pathScanner) resolveRoot(segs []PathSeg, global, inlineMod bool) ([]PathSeg, bool) {
	if len(segs) == 0 {
		return nil, false
	}
	switch segs[0].Name {
	case "kernel":
		return segs, true
	case "crate":
		if !ps.crateKernel || global {
			return nil, false
		}
		out := append([]PathSeg{{Name: "kernel", Span: segs[0].Span}}, segs[1:]...)
		return out, true
	case "self", "super":
		if ps.module == nil || inlineMod || global {
			return nil, false
		}
		mod := ps.module
		i := 0
		if segs[0].Name == "self" {
			i = 1
		} else {
			for i < len(segs) && segs[i].Name == "super" {
				if len(mod) <= 1 {
					return nil, false
				}
				mod = mod[:len(mod)-1]
				i++
			}
		}
		out := make([]PathSeg, 0, len(mod)+len(segs)-i)
		for j, m := range mod {
			sp := Span{-1, -1}
			if j == len(mod)-1 {
				sp = segs[i-1].Span
			}
			out = append(out, PathSeg{Name: m, Span: sp})
		}
		return append(out, segs[i:]...), true
	}
	return nil, false
}

// expandAlias replaces an imported name by its expansion, if a use in
// scope at offset (same module, enclosing block) imported it.
func (ps *pathScanner) expandAlias(segs []PathSeg, owner uintptr, offset int) ([]PathSeg, string, bool) {
	if len(segs) == 0 {
		return nil, "", false
	}
	var best *alias
	for i, a := range ps.aliases[segs[0].Name] {
		if a.owner != owner || offset < a.scope.Start || offset >= a.scope.End {
			continue
		}
		if best == nil || a.scope.End-a.scope.Start < best.scope.End-best.scope.Start {
			best = &ps.aliases[segs[0].Name][i]
		}
	}
	if best == nil {
		return nil, "", false
	}
	out := make([]PathSeg, 0, len(best.segs)+len(segs))
	out = append(out, best.segs[:len(best.segs)-1]...)
	out = append(out, PathSeg{Name: best.segs[len(best.segs)-1].Name, Span: segs[0].Span})
	return append(out, segs[1:]...), joinSegs(best.segs), true
}

// useDecl parses a use declaration, records its kernel leaves and the
// names they import.
func (ps *pathScanner) useDecl(start, end int, owner uintptr, inlineMod bool, container PathNode, inMacro bool) {
	from, ok := useKeywordEnd(ps.src, start, end)
	if !ok {
		return
	}
	for _, leaf := range parseUseTree(ps.src, from, end) {
		full, ok := ps.resolveRoot(leaf.Segs, leaf.Global, inlineMod)
		if !ok && ps.aliasPass && !leaf.Global {
			full, _, ok = ps.expandAlias(leaf.Segs, owner, start)
		}
		if !ok || len(full) == 0 {
			continue
		}
		p := joinSegs(full)
		if leaf.Glob {
			p += "::*"
		}
		ps.out = append(ps.out, PathUse{Path: p, Segs: full, Span: leaf.Span, Kind: PathInUse, InMacroDef: inMacro})
		if leaf.Glob || leaf.Alias == "_" {
			continue
		}
		name := leaf.Alias
		if name == "" {
			name = full[len(full)-1].Name
		}
		exp := make([]PathSeg, len(full))
		for i, s := range full {
			exp[i] = PathSeg{Name: s.Name, Span: Span{-1, -1}}
		}
		ps.aliases[name] = append(ps.aliases[name], alias{segs: exp, owner: owner, scope: Span{container.Start, container.End}})
	}
}

// readPath reads `seg::seg::...` from start: identifiers (raw ones too)
// and the keywords crate, self, super, separated by `::` with optional
// blanks. It stops at generic arguments, `!`, a group or a glob.
func readPath(src []byte, start int) (segs []PathSeg, end int) {
	i := start
	for {
		s := i
		if i+1 < len(src) && src[i] == 'r' && src[i+1] == '#' {
			i += 2
		}
		if i >= len(src) || !IsIdentStart(src[i]) {
			return segs, end
		}
		for i < len(src) && IsIdentByte(src[i]) {
			i++
		}
		segs = append(segs, PathSeg{Name: strings.TrimPrefix(string(src[s:i]), "r#"), Span: Span{s, i}})
		end = i
		k := skipSpace(src, i)
		if k+1 >= len(src) || src[k] != ':' || src[k+1] != ':' {
			return segs, end
		}
		i = skipSpace(src, k+2)
	}
}

// useKeywordEnd finds the end of the `use` keyword of a use declaration
// at [start, end), after its visibility.
func useKeywordEnd(src []byte, start, end int) (int, bool) {
	l := cfgLexer{src: src, pos: start, end: end}
	for {
		k, s, e := l.next()
		switch {
		case k == tokEOF:
			return 0, false
		case k == tokIdent && string(src[s:e]) == "use":
			return e, true
		case k == tokOpen:
			depth := 1
			for depth > 0 {
				k2, _, _ := l.next()
				switch k2 {
				case tokEOF:
					return 0, false
				case tokOpen:
					depth++
				case tokClose:
					depth--
				}
			}
		}
	}
}

// useLeaf is one leaf of a use tree.
type useLeaf struct {
	// Segs is the full path as written, prefixes of enclosing groups
	// included; a `self` leaf ends at its group's prefix.
	Segs   []PathSeg
	Glob   bool
	Alias  string // `as name` ("_" for `as _`), or ""
	Global bool   // the tree starts with `::`
	Span   Span   // the leaf's own text
}

// maxUseDepth bounds the nesting of use groups parseUseTree follows.
const maxUseDepth = 32

// parseUseTree parses the use tree in src[start:end] (after `use`, up to
// the `;`). Malformed trees give what parsed.
func parseUseTree(src []byte, start, end int) []useLeaf {
	u := &useParser{l: cfgLexer{src: src, pos: start, end: end}, src: src}
	u.tree(nil, false, 0)
	return u.leaves
}

type useParser struct {
	l      cfgLexer
	src    []byte
	leaves []useLeaf
}

func (u *useParser) isColons() bool {
	k, s, _ := u.l.peek()
	return k == tokOther && u.src[s] == ':' && s+1 < u.l.end && u.src[s+1] == ':'
}

func (u *useParser) colons() {
	u.l.next()
	u.l.next()
}

func (u *useParser) tree(prefix []PathSeg, global bool, depth int) {
	segs := append([]PathSeg(nil), prefix...)
	_, first, _ := u.l.peek()
	if u.isColons() {
		u.colons()
		if len(prefix) == 0 {
			global = true
		}
	}
	for {
		k, s, e := u.l.peek()
		switch {
		case k == tokIdent:
			u.l.next()
			name := strings.TrimPrefix(string(u.src[s:e]), "r#")
			segs = append(segs, PathSeg{Name: name, Span: Span{s, e}})
			if u.isColons() {
				u.colons()
				continue
			}
			leaf := useLeaf{Segs: segs, Global: global, Span: Span{first, e}}
			if k2, s2, e2 := u.l.peek(); k2 == tokIdent && string(u.src[s2:e2]) == "as" {
				u.l.next()
				if k3, s3, e3 := u.l.peek(); k3 == tokIdent { // `_` too
					u.l.next()
					leaf.Alias = string(u.src[s3:e3])
					leaf.Span.End = e3
				}
			}
			if name == "self" && len(segs) > 1 {
				leaf.Segs = segs[:len(segs)-1]
			}
			u.leaves = append(u.leaves, leaf)
			return
		case k == tokOther && u.src[s] == '$':
			// $crate in a macro body: not a path krls follows.
			u.l.next()
			if k2, _, _ := u.l.peek(); k2 == tokIdent {
				u.l.next()
			}
			segs = append(segs, PathSeg{Name: "$crate", Span: Span{s, e}})
			if u.isColons() {
				u.colons()
				continue
			}
			return
		case k == tokOther && u.src[s] == '*':
			u.l.next()
			u.leaves = append(u.leaves, useLeaf{Segs: segs, Glob: true, Global: global, Span: Span{first, e}})
			return
		case k == tokOpen && u.src[s] == '{':
			u.l.next()
			for {
				k2, _, _ := u.l.peek()
				switch k2 {
				case tokEOF:
					return
				case tokClose:
					u.l.next()
					return
				case tokComma:
					u.l.next()
					continue
				}
				if depth >= maxUseDepth {
					u.l.next()
					continue
				}
				// tree consumes at least one token here, so this ends.
				u.tree(segs, global, depth+1)
			}
		default:
			if k != tokEOF {
				u.l.next()
			}
			return
		}
	}
}
