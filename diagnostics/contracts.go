package diagnostics

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// Contracts tell the undocumented-unsafe fix what the functions an unsafe
// block calls require, when they are declared in other files: the
// workspace fills it from the index of the file's tree. Diagnostics stay
// independent of how the index is stored.
type Contracts interface {
	// Module is the path of the file's module in its crate
	// (`kernel::sync::arc`, `rust_minimal`), "" when the file is not
	// indexed.
	Module() string
	// Contract finds the function a full path names
	// (`kernel::sync::Arc::from_raw`), following `pub use` re-exports.
	Contract(path string) (Contract, bool)
}

// Contract is what is known of a callee.
type Contract struct {
	// Path is where the function is declared (`kernel::sync::arc::Arc::from_raw`).
	Path string
	// File is the absolute path of the file that declares it.
	File string
	// Unsafe: an unsafe fn. Foreign: declared in an extern block, a C
	// function (its C symbol is its name).
	Unsafe, Foreign bool
	// Safety is the text of its doc's `# Safety` section, "" if none;
	// Panics that of its `# Panics` section.
	Safety, Panics string
}

// Limits of the inserted comment: it lists the callees of one block, and
// must never flood the file.
const (
	maxCallees         = 3  // callees quoted
	maxItemsPerCallee  = 6  // checklist entries quoted per callee
	maxCandidatePaths  = 12 // full paths tried per call
	maxImportExpansion = 3  // imports followed through other imports
	maxGlobs           = 8  // glob imports tried per path
	maxCallsResolved   = 64 // calls of one block resolved (a generated block may hold thousands)
)

// calleeScope resolves the paths written at one place of the file.
type calleeScope struct {
	p      *Pass
	c      Contracts
	crate  string
	module []string // the module around the place, inline mods included
	at     int
	enc    symbols.Enclosing
	// types memoizes the types written for receivers; imported the full
	// paths of imports; uses are the imports visible here.
	types    map[string][][]string
	imported map[*symbols.UseImport][]string
	uses     []*symbols.UseImport
	usesDone bool
}

// newCalleeScope is the scope of the unsafe block at off.
func (p *Pass) newCalleeScope(c Contracts, off int) *calleeScope {
	return p.newCalleeScopeIn(c, off, p.enclosingAt(off))
}

// newCalleeScopeIn is newCalleeScope with what surrounds off known.
func (p *Pass) newCalleeScopeIn(c Contracts, off int, enc symbols.Enclosing) *calleeScope {
	sc := &calleeScope{p: p, c: c, at: off, enc: enc}
	if m := c.Module(); m != "" {
		sc.module = strings.Split(m, "::")
	} else if symbols.InKernelCrate(p.File.Path) {
		sc.module = []string{"kernel"} // crate:: still resolves
	}
	if len(sc.module) > 0 {
		sc.crate = sc.module[0]
		sc.module = append(sc.module, sc.enc.Mods...)
	}
	return sc
}

// enclosingAt is what surrounds the unsafe block at off. The first call
// reads it for every undocumented block of the file, with one cursor
// pass.
func (p *Pass) enclosingAt(off int) symbols.Enclosing {
	if p.enclosing == nil {
		var offs []int
		for _, s := range p.siteInfo().sites {
			if !s.documented && !s.impl {
				offs = append(offs, s.unsafeOff)
			}
		}
		sort.Ints(offs)
		p.enclosing = map[int]symbols.Enclosing{}
		for i, e := range symbols.EnclosingAll(p.File, offs) {
			p.enclosing[offs[i]] = e
		}
	}
	if e, ok := p.enclosing[off]; ok {
		return e
	}
	return symbols.EnclosingAt(p.File, off)
}

// useImports are the file's use declarations, read on first use.
func (p *Pass) useImports() []symbols.UseImport {
	if !p.usesDone {
		p.usesDone = true
		p.uses = symbols.UseImports(p.File)
	}
	return p.uses
}

// resolve lists the full paths a path written here may mean, most
// likely first: through the imports in scope, an item of this module, a
// crate, the glob imports in scope.
func (sc *calleeScope) resolve(segs []string, global bool, depth int) []string {
	return sc.resolveIn(segs, global, depth, true)
}

// resolveIn is resolve, through the glob imports or not.
func (sc *calleeScope) resolveIn(segs []string, global bool, depth int, globs bool) []string {
	if len(segs) == 0 {
		return nil
	}
	var out []string
	add := func(prefix []string, rest []string) {
		if len(out) < maxCandidatePaths {
			out = append(out, strings.Join(append(append([]string(nil), prefix...), rest...), "::"))
		}
	}
	if global {
		add(segs, nil)
		return out
	}
	switch segs[0] {
	case "crate":
		if sc.crate != "" {
			add([]string{sc.crate}, segs[1:])
		}
		return out
	case "self":
		if len(sc.module) > 0 {
			add(sc.module, segs[1:])
		}
		return out
	case "super":
		mod := sc.module
		i := 0
		for i < len(segs) && segs[i] == "super" {
			if len(mod) <= 1 {
				return nil
			}
			mod = mod[:len(mod)-1]
			i++
		}
		add(mod, segs[i:])
		return out
	case "Self":
		if sc.enc.SelfType == "" || depth <= 0 {
			return nil
		}
		for _, tp := range typePaths(sc.enc.SelfType) {
			if len(tp) == 1 && tp[0] == "Self" {
				continue
			}
			for _, full := range sc.resolve(tp, false, depth-1) {
				add([]string{full}, segs[1:])
			}
			break // the impl's own type, not its generic argument
		}
		return out
	}
	if imp := sc.importNamed(segs[0]); imp != nil && depth > 0 {
		for _, full := range sc.importPaths(imp, depth) {
			add([]string{full}, segs[1:])
		}
	}
	if len(sc.module) > 0 {
		add(sc.module, segs)
	}
	if len(segs) > 1 {
		add(segs, nil) // a crate: kernel::, bindings::, core::
	}
	if depth > 0 && globs {
		for _, g := range sc.globImports() {
			for _, full := range sc.importPaths(g, depth) {
				add([]string{full}, segs)
			}
		}
	}
	return out
}

// importPaths are the full paths an import's path may mean. A use path
// is not looked up through glob imports (a glob bringing in the crate or
// module another use names is rare, and following globs from globs costs
// the product of their numbers); the result is kept per import.
func (sc *calleeScope) importPaths(u *symbols.UseImport, depth int) []string {
	if got, ok := sc.imported[u]; ok {
		return got
	}
	if sc.imported == nil {
		sc.imported = map[*symbols.UseImport][]string{}
	}
	sc.imported[u] = nil // a use that names itself
	got := sc.resolveIn(u.Path, u.Global, depth-1, false)
	sc.imported[u] = got
	return got
}

// visible reports whether an import is in scope here: in the same module
// (not an enclosing one: names do not cross into inline mods) and in a
// block or module body around the place.
func (sc *calleeScope) visible(u *symbols.UseImport) bool {
	return u.Module == sc.enc.Module && u.Scope.Start <= sc.at && sc.at < u.Scope.End
}

// visibleUses are the imports in scope here.
func (sc *calleeScope) visibleUses() []*symbols.UseImport {
	if !sc.usesDone {
		sc.usesDone = true
		uses := sc.p.useImports()
		for i := range uses {
			if sc.visible(&uses[i]) {
				sc.uses = append(sc.uses, &uses[i])
			}
		}
	}
	return sc.uses
}

// importNamed is the innermost import of name in scope, or nil.
func (sc *calleeScope) importNamed(name string) *symbols.UseImport {
	var best *symbols.UseImport
	for _, u := range sc.visibleUses() {
		if u.Name != name {
			continue
		}
		if best == nil || u.Scope.End-u.Scope.Start < best.Scope.End-best.Scope.Start {
			best = u
		}
	}
	return best
}

func (sc *calleeScope) globImports() []*symbols.UseImport {
	var out []*symbols.UseImport
	for _, u := range sc.visibleUses() {
		if len(out) == maxGlobs {
			break
		}
		if u.Glob {
			out = append(out, u)
		}
	}
	return out
}

// cFunction is the C symbol a full path names when it is a function of
// the generated bindings (`bindings::foo`, `kernel::bindings::foo`).
func cFunction(path string) (string, bool) {
	for _, prefix := range []string{"bindings::", "kernel::bindings::"} {
		if rest, ok := strings.CutPrefix(path, prefix); ok && rest != "" && !strings.Contains(rest, "::") {
			return rest, true
		}
	}
	return "", false
}

// resolveCall finds what a call in the block calls: a contract of the
// index, or a C function. ok is false when the call does not resolve
// (the fix then falls back to this file's functions by name).
func (sc *calleeScope) resolveCall(cs callSite) (callee, bool) {
	if !cs.method {
		label := strings.Join(cs.segs, "::")
		return sc.first(label, sc.resolve(cs.segs, cs.global, maxImportExpansion))
	}
	if cs.recv == "" {
		return callee{}, false
	}
	types, ok := sc.types[cs.recv]
	if !ok {
		// The type written last before the receiver's first call in
		// the block.
		if t := sc.receiverType(cs); t != "" {
			types = typePaths(t)
		} else if cs.recv == "self" && sc.enc.SelfType != "" {
			types = [][]string{{"Self"}}
		}
		if sc.types == nil {
			sc.types = map[string][][]string{}
		}
		sc.types[cs.recv] = types
	}
	for _, tp := range types {
		name := tp[len(tp)-1]
		if name == "Self" {
			own := typePaths(sc.enc.SelfType)
			if len(own) == 0 {
				continue
			}
			name = own[0][len(own[0])-1]
		}
		var cands []string
		for _, full := range sc.resolve(tp, false, maxImportExpansion) {
			cands = append(cands, full+"::"+cs.segs[0])
		}
		if c, ok := sc.first(name+"::"+cs.segs[0], cands); ok {
			return c, true
		}
	}
	return callee{}, false
}

// maxTypeScan bounds how far before a call the function's text is
// searched for its receiver's declaration (besides the signature).
const maxTypeScan = 16 << 10

// receiverType is the type written for a call's receiver: in the
// function's signature, or in the text shortly before the call.
func (sc *calleeScope) receiverType(cs callSite) string {
	src := sc.p.File.Src
	lo := max(sc.at-maxTypeScan, 0)
	if fn := sc.enc.Fn.Start; fn >= 0 {
		lo = max(cs.at-maxTypeScan, fn)
		// The signature: up to the body's brace.
		if body := bytes.IndexByte(src[fn:sc.at], '{'); body >= 0 && fn+body < lo {
			if t := declaredType(src, lo, cs.at, cs.recv); t != "" {
				return t
			}
			return declaredType(src, fn, fn+body, cs.recv)
		}
	}
	return declaredType(src, lo, cs.at, cs.recv)
}

// first is the callee of the first candidate path that names a function
// (or a C function).
func (sc *calleeScope) first(label string, cands []string) (callee, bool) {
	for _, full := range cands {
		if ct, ok := sc.c.Contract(full); ok {
			return calleeOf(label, ct), true
		}
		if sym, ok := cFunction(full); ok {
			return callee{label: label, key: "c:" + sym, cSymbol: sym}, true
		}
	}
	return callee{}, false
}

// calleeOf turns a contract into a callee of the fix; safe functions
// have no requirements to list.
func calleeOf(label string, ct Contract) callee {
	c := callee{label: label, key: ct.Path, file: ct.File, path: ct.Path, panics: ct.Panics}
	switch {
	case ct.Foreign:
		c.cSymbol = ct.Path[strings.LastIndex(ct.Path, ":")+1:]
	case !ct.Unsafe:
		c.safe = true
	default:
		c.safety = ct.Safety
	}
	return c
}

// sameFile reports whether a callee is declared in the file being
// analysed, whose current text (not the index's) has the docs.
func (p *Pass) sameFile(c *callee) bool {
	return c.file != "" && p.File.Path != "" && filepath.Clean(c.file) == filepath.Clean(p.File.Path)
}
