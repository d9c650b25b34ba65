package diagnostics

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
)

// Rules that need a configured kernel: they check the CONFIG_ names of cfg
// predicates against the tree's Kconfig files and the uses of the kernel
// crate's cfg-gated API against the .config. They run only when
// Config.Kernel is set; `krls check` without a configured tree and the
// syntax-only server leave it nil.

// KernelConfig is a configured kernel tree, as the kernel rules see it.
// Build it once per configuration and share it: it is read-only but for
// a lazily built name list.
type KernelConfig struct {
	Arch  string               // the configured ARCH, for messages
	Eval  *kconfig.Eval        // the evaluated .config
	Cfg   *kconfig.RustCfg     // Eval.RustCfg(), computed once
	Defs  *kconfig.Definitions // symbols defined for any arch
	Gates *symbols.GateIndex   // the kernel crate's gated API (may be nil)

	namesOnce sync.Once
	names     []string // Defs.Names(), for suggestions
}

// CfgValue is the truth of a CONFIG_ option in a cfg predicate under the
// configuration, as rustc sees it through include/generated/rustc_cfg:
// bare names hold for bool and tristate symbols at y or m, `name =
// "value"` compares the written value. Other options (test, doc,
// target_arch, MODULE) are unknown.
func (kc *KernelConfig) CfgValue(p *symbols.CfgPred) symbols.CfgTruth {
	if kc == nil || kc.Cfg == nil || !strings.HasPrefix(p.Name, "CONFIG_") {
		return symbols.CfgUnknown
	}
	switch p.Op {
	case symbols.CfgName:
		if kc.Cfg.Set(p.Name) {
			return symbols.CfgTrue
		}
		return symbols.CfgFalse
	case symbols.CfgNameValue:
		if v, ok := kc.Cfg.Value(p.Name); ok && v == p.Value {
			return symbols.CfgTrue
		}
		return symbols.CfgFalse
	}
	return symbols.CfgUnknown
}

// Holds evaluates a predicate under the configuration.
func (kc *KernelConfig) Holds(p *symbols.CfgPred) symbols.CfgTruth {
	return p.Eval(kc.CfgValue)
}

// definedHere reports whether the loaded (this arch's) Kconfig defines
// name (without CONFIG_).
func (kc *KernelConfig) definedHere(name string) bool {
	if kc.Eval == nil || kc.Eval.K == nil {
		return false
	}
	s := kc.Eval.K.Lookup(name)
	return s != nil && s.Defined()
}

func (kc *KernelConfig) allNames() []string {
	kc.namesOnce.Do(func() {
		if kc.Defs != nil {
			kc.names = kc.Defs.Names()
		}
	})
	return kc.names
}

// UndefinedConfig reports CONFIG_ names no Kconfig file of the tree
// defines, for any architecture: such a cfg never holds, most often
// because of a typo.
var NotBuiltFile = &Rule{
	Name: "not-built",
	Doc: "The kernel's .config builds no crate holding this file: the Kbuild files, read from its crate root's folder up " +
		"to the top as kbuild descends (obj-$(CONFIG_X) += name.o, obj-$(CONFIG_Y) += dir/), leave it out. The message names " +
		"the symbol to change and why it has its value; rust-analyzer only marks such a file unlinked.",
	Severity:    Information,
	NeedsKernel: true,
	Run: func(p *Pass) {
		nb := p.Config.NotBuilt
		if nb == nil {
			return
		}
		msg := "not built with this .config: " + nb.Why
		if nb.Explain != "" {
			msg += " (" + nb.Explain + ")"
		}
		start, end := firstCodeLine(p.File)
		p.report(start, Finding{Start: start, End: end, Message: msg, Explain: nb.Symbol})
	},
}

// firstCodeLine is the span of the file's first line that is not a
// comment or blank: where a finding about the whole file goes.
func firstCodeLine(f *symbols.File) (int, int) {
	for i := uint(0); i < f.Root().NamedChildCount(); i++ {
		n := f.Root().NamedChild(i)
		if kind := n.KindId(); kind == k.LineComment || kind == k.BlockComment || kind == k.InnerAttributeItem {
			continue
		}
		line := f.Line(n)
		return int(n.StartByte()), f.Lines.End(line)
	}
	return 0, f.Lines.End(0)
}

var UndefinedConfig = &Rule{
	Name: "undefined-config",
	Doc: "A cfg predicate names a CONFIG_ option that no Kconfig file of the tree defines, " +
		"for any architecture: cfg(CONFIG_X) then never holds. krls suggests defined names " +
		"within two edits or that the name is a prefix of.",
	Severity:    Error,
	NeedsKernel: true,
	Run:         runUndefinedConfig,
}

// ConfigNotForArch reports CONFIG_ names defined only for other
// architectures: under this configuration the cfg is always false.
var ConfigNotForArch = &Rule{
	Name: "config-not-for-arch",
	Doc: "A cfg predicate names a CONFIG_ option that exists, but not for the configured " +
		"architecture: under this configuration cfg(CONFIG_X) is always false.",
	Severity:    Information,
	NeedsKernel: true,
	Run:         runConfigNotForArch,
}

// DisabledCfgItem reports uses of kernel crate modules and items that the
// configuration leaves out (kernel::net with NET=n), from code that is
// itself compiled.
var DisabledCfgItem = &Rule{
	Name: "disabled-cfg-item",
	Doc: "Code that the configuration compiles uses a module or item of the kernel crate that " +
		"exists only under a cfg the configuration does not satisfy (kernel::net with " +
		"CONFIG_NET=n): the build fails there. Uses under a cfg that is false themselves, and " +
		"predicates over options krls does not know (test, MODULE), are not reported.",
	Severity:    Warning,
	NeedsKernel: true,
	Run:         runDisabledCfgItem,
}

// cfgRefs are the file's CONFIG_ refs, computed once per pass.
func (p *Pass) cfgRefs() []symbols.CfgRef {
	if !p.cfgRefsDone {
		p.cfgRefsDone = true
		p.cfgRefList = symbols.CfgRefs(p.File)
	}
	return p.cfgRefList
}

// cfgText renders the atom as the cfg it is: cfg(CONFIG_X) or
// cfg(CONFIG_X = "y").
func cfgText(r symbols.CfgRef) string {
	if r.HasValue {
		return fmt.Sprintf("cfg(%s = %q)", r.Name, r.Value)
	}
	return "cfg(" + r.Name + ")"
}

func runUndefinedConfig(p *Pass) {
	kc := p.Config.Kernel
	if kc.Defs == nil {
		return // without every arch's definitions, "undefined" cannot be told from "other arch"
	}
	for _, r := range p.cfgRefs() {
		name := strings.TrimPrefix(r.Name, "CONFIG_")
		if kc.definedHere(name) || kc.Defs.Lookup(name) != nil {
			continue
		}
		f := Finding{
			Start: r.NameSpan.Start, End: r.NameSpan.End,
			Message: r.Name + " is not defined by any Kconfig file",
		}
		if sug := kc.suggest(name); len(sug) > 0 {
			f.Message += "; did you mean CONFIG_" + sug[0] + "?"
			for _, s := range sug {
				f.Fixes = append(f.Fixes, Fix{
					Title: "Replace with CONFIG_" + s,
					Edits: []Edit{{Start: r.NameSpan.Start, End: r.NameSpan.End, NewText: "CONFIG_" + s}},
				})
			}
		}
		p.report(r.NameSpan.Start, f)
	}
}

// maxSuggestions bounds the names offered for an undefined one.
const maxSuggestions = 3

// suggest finds defined names close to name: within edit distance 2
// (letter case ignored), or that name is a prefix of; closest first,
// then names this architecture defines, then shorter, then sorted.
func (kc *KernelConfig) suggest(name string) []string {
	up := strings.ToUpper(name)
	type cand struct {
		name string
		dist int // 0..2 edits; 3 for a prefix match
		here bool
		ext  bool // extends what was typed (typing in progress)
	}
	var cands []cand
	for _, n := range kc.allNames() {
		d := -1
		if abs(len(n)-len(up)) <= 2 {
			if e := editDistance(up, n, 2); e <= 2 {
				d = e
			}
		}
		if d < 0 && len(up) >= 3 && strings.HasPrefix(n, up) {
			d = 3
		}
		if d >= 0 && n != name {
			cands = append(cands, cand{n, d, kc.definedHere(n), strings.HasPrefix(n, up)})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.ext != b.ext {
			return a.ext
		}
		if a.here != b.here {
			return a.here
		}
		if len(a.name) != len(b.name) {
			return len(a.name) < len(b.name)
		}
		return a.name < b.name
	})
	var out []string
	for i := 0; i < len(cands) && i < maxSuggestions; i++ {
		out = append(out, cands[i].name)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the Levenshtein distance of a and b, or limit+1 once it
// must exceed limit.
func editDistance(a, b string, limit int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func runConfigNotForArch(p *Pass) {
	kc := p.Config.Kernel
	if kc.Defs == nil || kc.Eval == nil {
		return
	}
	arch := kc.Arch
	if arch == "" {
		arch = "this architecture"
	}
	for _, r := range p.cfgRefs() {
		name := strings.TrimPrefix(r.Name, "CONFIG_")
		defs := kc.Defs.Lookup(name)
		if len(defs) == 0 || kc.definedHere(name) {
			continue
		}
		var files []string
		for _, d := range defs {
			if len(files) == 0 || files[len(files)-1] != d.File {
				files = append(files, d.File)
			}
		}
		where := strings.Join(files, " and ")
		if len(files) > 3 {
			where = fmt.Sprintf("%s, %s and %d more files", files[0], files[1], len(files)-2)
		} else if len(files) == 3 {
			where = files[0] + ", " + files[1] + " and " + files[2]
		}
		p.report(r.NameSpan.Start, Finding{
			Start: r.NameSpan.Start, End: r.NameSpan.End,
			Message: fmt.Sprintf("%s is defined only in %s; this tree is configured for %s, so %s is always false",
				r.Name, where, arch, cfgText(r)),
		})
	}
}

// kernelGates are the file's cfg-gated parts, computed once per pass.
func (p *Pass) kernelGates() *symbols.Gates {
	if p.gatesOf == nil {
		p.gatesOf = symbols.GatesOf(p.File)
	}
	return p.gatesOf
}

func runDisabledCfgItem(p *Pass) {
	kc := p.Config.Kernel
	if kc.Gates == nil || kc.Cfg == nil {
		return
	}
	var uses []symbols.PathUse
	if mod, ok := kc.Gates.ModuleOfFile(p.File.Path); ok {
		// A file of the kernel crate: nothing in it is compiled if its
		// module is not, and self::/super:: resolve against the module.
		if g, gated := kc.Gates.Lookup(mod); gated && g.Eval(kc.CfgValue) == symbols.CfgFalse {
			return
		}
		uses = symbols.KernelPathsIn(p.File, mod)
	} else {
		uses = symbols.KernelPaths(p.File)
	}
	// Paths through an imported name come last: as rustc reports an
	// unresolved import once and not each use of the name, a name whose
	// import is reported is not reported again.
	sort.SliceStable(uses, func(i, j int) bool {
		return uses[i].Kind != symbols.PathAlias && uses[j].Kind == symbols.PathAlias
	})
	seen := map[Span]bool{}
	importsOff := map[string]bool{}
	for i := range uses {
		u := &uses[i]
		if u.InMacroDef || u.Kind == symbols.PathAlias && importsOff[u.Import] {
			continue
		}
		g, ok := kc.Gates.Lookup(u.Path)
		if !ok || g.Eval(kc.CfgValue) != symbols.CfgFalse || len(g.Decls) == 0 {
			continue
		}
		if p.compiledAt(u.Span.Start) == symbols.CfgFalse {
			continue // the use is itself left out
		}
		if u.Kind == symbols.PathInUse {
			importsOff[u.Path] = true
		}
		cond := kc.failingCond(g)
		// Underline the segment the failing cfg is written on (phy in
		// net::phy::reg::C22 when kernel::net::phy is off), else the
		// gated path's last segment.
		depth := strings.Count(g.Path, "::")
		if cond != nil && strings.HasPrefix(u.Path+"::", cond.On+"::") {
			depth = strings.Count(cond.On, "::")
		}
		at := u.SegmentSpan(depth)
		sp := Span{at.Start, at.End}
		if seen[sp] {
			continue // several leaves of one use tree under one gated segment
		}
		seen[sp] = true
		f := Finding{Start: at.Start, End: at.End, Extent: Span{u.Span.Start, u.Span.End}}
		f.Message, f.Related, f.RelatedFiles = kc.explainGate(p, g, cond)
		p.report(at.Start, f)
	}
}

// compiledAt is whether the code at offset is compiled: the conjunction of
// the cfg predicates around it.
func (p *Pass) compiledAt(offset int) symbols.CfgTruth {
	v := symbols.CfgTrue
	for _, pred := range p.kernelGates().EnclosingCfgs(offset) {
		v = min(v, p.Config.Kernel.Holds(pred))
	}
	return v
}

// failingCond is the first (outermost) predicate of the gate's first
// declaration that is false, or nil.
func (kc *KernelConfig) failingCond(g *symbols.Gate) *symbols.GateCond {
	d := g.Decls[0]
	for i := range d.Conds {
		if kc.Holds(d.Conds[i].Pred) == symbols.CfgFalse {
			return &d.Conds[i]
		}
	}
	return nil
}

// explainGate says why a gated path is out: which predicate fails, on
// what, and why the symbols in it have their values (kconfig.Explain's
// sentence), pointing at the attribute that gates it.
func (kc *KernelConfig) explainGate(p *Pass, g *symbols.Gate, cond *symbols.GateCond) (string, []Related, []RelatedFile) {
	if cond == nil {
		return g.Path + " is not built under this configuration", nil, nil
	}
	var b strings.Builder
	if cond.On != g.Path {
		fmt.Fprintf(&b, "%s is not built: ", g.Path)
	}
	atoms := responsible(cond.Pred, symbols.CfgFalse, kc.CfgValue)
	single := cond.Pred.Op == symbols.CfgName || cond.Pred.Op == symbols.CfgNameValue
	if single {
		fmt.Fprintf(&b, "%s is built only with %s", cond.On, atomText(cond.Pred))
	} else {
		fmt.Fprintf(&b, "%s is built only with cfg(%s)", cond.On, cond.Pred)
	}
	for i, a := range atoms {
		if i == 2 {
			fmt.Fprintf(&b, "; and %d more", len(atoms)-i)
			break
		}
		if single && i == 0 {
			b.WriteString(", which is ")
		} else {
			fmt.Fprintf(&b, "; %s is ", a.Name)
		}
		b.WriteString(kc.why(a))
	}
	if len(g.Decls) > 1 {
		fmt.Fprintf(&b, " (and %d other declarations of it are left out too)", len(g.Decls)-1)
	}
	msg := cond.On + " is gated here"
	if samePath(cond.File, p.File.Path, kc.Gates.Srctree) {
		return b.String(), []Related{{Start: cond.Span.Start, End: cond.Span.End, Message: msg}}, nil
	}
	return b.String(), nil, []RelatedFile{{Path: cond.File, Start: cond.Span.Start, End: cond.Span.End, Line: cond.Line, Message: msg}}
}

// samePath compares a gate's file (absolute) with a finding's file, which
// may be relative to the srctree.
func samePath(gateFile, file, srctree string) bool {
	if !filepath.IsAbs(file) {
		if filepath.Join(srctree, file) == gateFile {
			return true
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return false
		}
		file = abs
	}
	return filepath.Clean(file) == gateFile
}

func atomText(a *symbols.CfgPred) string {
	if a.Op == symbols.CfgNameValue {
		return fmt.Sprintf("%s = %q", a.Name, a.Value)
	}
	return a.Name
}

// responsible lists the atoms that make p evaluate to v: for a false
// all(), the atoms of its first false operand; for a false any(), those
// of every operand; through not(), the atoms that make the operand true.
func responsible(p *symbols.CfgPred, v symbols.CfgTruth, leaf func(*symbols.CfgPred) symbols.CfgTruth) []*symbols.CfgPred {
	return responsibleDepth(p, v, leaf, 0)
}

func responsibleDepth(p *symbols.CfgPred, v symbols.CfgTruth, leaf func(*symbols.CfgPred) symbols.CfgTruth, depth int) []*symbols.CfgPred {
	if p == nil || depth > 64 {
		return nil
	}
	switch p.Op {
	case symbols.CfgName, symbols.CfgNameValue:
		if leaf(p) == v {
			return []*symbols.CfgPred{p}
		}
	case symbols.CfgNot:
		if len(p.Args) == 1 {
			return responsibleDepth(p.Args[0], -v, leaf, depth+1)
		}
	case symbols.CfgAll, symbols.CfgAny:
		// The operand that decides: for all() a false one decides false,
		// for any() a true one decides true; otherwise all operands do.
		decisive := symbols.CfgFalse
		if p.Op == symbols.CfgAny {
			decisive = symbols.CfgTrue
		}
		var out []*symbols.CfgPred
		for _, a := range p.Args {
			av := a.Eval(leaf)
			if v == decisive && av == v {
				return responsibleDepth(a, v, leaf, depth+1)
			}
			if av == v {
				out = append(out, responsibleDepth(a, v, leaf, depth+1)...)
			}
		}
		return out
	}
	return nil
}

// why says why a CONFIG_ atom has its truth: kconfig.Explain's sentence,
// or that the symbol is not defined for this architecture, or that a bare
// cfg of a non-bool symbol never holds.
func (kc *KernelConfig) why(a *symbols.CfgPred) string {
	name := strings.TrimPrefix(a.Name, "CONFIG_")
	var s *kconfig.Symbol
	if kc.Eval != nil && kc.Eval.K != nil {
		s = kc.Eval.K.Lookup(name)
	}
	if s == nil || !s.Defined() {
		arch := kc.Arch
		if arch == "" {
			arch = "this architecture"
		}
		return "not defined for " + arch
	}
	x := kconfig.Explain(kc.Eval, s)
	if a.Op == symbols.CfgName && s.Type != kconfig.Bool && s.Type != kconfig.Tristate {
		return fmt.Sprintf("a %s symbol (%s): a bare cfg(%s) never holds; compare its value with cfg(%s = \"...\")",
			s.Type, x.Value, a.Name, a.Name)
	}
	return x.Why
}
