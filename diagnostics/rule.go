// Package diagnostics holds krls's rules and their fixes. The server and
// `krls check` run the same rules through Analyze.
//
// Each rule is a value with a name, a doc string and a run function, in
// the spirit of go/analysis. Rules that look at the same syntax share the
// work through a Pass, which computes each shared analysis once per file.
package diagnostics

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// Rule is one check. Its Name is part of krls's interface: it appears in
// output, in `--rules`, and as the LSP diagnostic code.
type Rule struct {
	Name     string
	Doc      string
	Severity Severity
	// Lints are the clippy lint and group names whose allow/expect
	// attributes silence this rule, as they silence the clippy lint.
	Lints []string
	// Clippy is the clippy lint this rule reproduces, or "".
	Clippy string
	// NeedsKernel rules run only with Config.Kernel set.
	NeedsKernel bool
	// NeedsModule rules run only with Config.Module set.
	NeedsModule bool
	Run         func(*Pass)
}

// Config selects rules and sets their options.
type Config struct {
	// Rules enabled by name; nil means all.
	Rules map[string]bool
	// CheckPrivateItems makes missing-safety-doc look at private items too,
	// as clippy's `check-private-items = true` (the kernel's .clippy.toml).
	CheckPrivateItems bool
	// CrateRoot says whether the file is a crate root; nil lets krls guess.
	CrateRoot *bool
	// Kernel is the configured kernel tree the kernel rules check
	// against (undefined-config, config-not-for-arch, disabled-cfg-item);
	// nil skips them.
	Kernel *KernelConfig
	// Module is what the module! rules check against (the tree's
	// module! schema, licences, the file's kbuild object); nil skips
	// them.
	Module *ModuleConfig
	// Contracts resolve the callees of unsafe blocks to their `# Safety`
	// sections in other files, for the undocumented-unsafe fix; nil
	// quotes only this file's functions.
	Contracts Contracts
	// Macros finds the macro_rules! definitions of the file's tree by
	// name, to decide whether `unsafe` in a macro call's input is code;
	// nil looks in the file alone.
	Macros Macros
	// OutOfScope, when set, says why no rule runs on the file: its crate
	// is one the kernel's build does not lint (a vendored crate).
	OutOfScope string
	// Conventions runs the justification-comment rules beyond SAFETY
	// (ConventionRules); without it they run only when Rules names them.
	// The server sets it (they show as hints); krls check runs them when
	// asked (--rules=+conventions).
	Conventions bool
	// Orderings are the memory orderings of the kernel's own atomics
	// (rust/kernel/sync/atomic/ordering.rs), beside core's.
	Orderings []string
	// Panics is what undocumented-panic knows of the tree and the Rust
	// library; nil counts the panicking macros, slicing and the methods
	// of panics.Builtin.
	Panics *PanicConfig
	// NotBuilt, when set, says why the kernel's .config builds no crate
	// holding the file (the not-built rule reports it).
	NotBuilt *NotBuilt
}

// NotBuilt is why a file is not built with the .config.
type NotBuilt struct {
	// Why names the condition: "CONFIG_X is not set", or the folder
	// kbuild does not enter.
	Why string
	// Symbol is the Kconfig symbol to change (without CONFIG_), or "".
	Symbol string
	// Explain is the evaluator's sentence on why Symbol has its value
	// ("n because it depends on SAMPLES_RUST [=n]"), or "".
	Explain string
}

// Enabled reports whether the rule named name runs under c.
func (c Config) Enabled(name string) bool {
	return c.Rules == nil || c.Rules[name]
}

// Rules lists every rule, in the order their findings are documented.
var Rules = []*Rule{
	UndocumentedUnsafe,
	UndocumentedUnsafeOutsideClippy,
	UnnecessarySafetyComment,
	MissingSafetyDoc,
	UnnecessarySafetyDoc,
	SafetyPlaceholder,
}

// KernelRules need a configured kernel (Config.Kernel). They are kept
// apart from Rules so that the syntax-only server and `krls check`
// without a configured tree list and describe the rules they run, as
// before; RuleByName and ParseRuleList know them.
var KernelRules = []*Rule{
	UndefinedConfig,
	ConfigNotForArch,
	DisabledCfgItem,
	NotBuiltFile,
}

// CheckRules are the rules `krls check` and the server run on every
// file: Rules, then ModuleRules (whose facts come from the file's tree,
// or the built-in ones).
func CheckRules() []*Rule {
	return append(append([]*Rule(nil), Rules...), ModuleRules...)
}

// AllRules lists Rules, then ModuleRules, then KernelRules.
func AllRules() []*Rule {
	return append(append(append(append([]*Rule(nil), Rules...), ModuleRules...), KernelRules...), ConventionRules...)
}

// RuleByName finds a rule, kernel rules included.
func RuleByName(name string) *Rule {
	for _, r := range AllRules() {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// ParseRuleList turns "a,b" into a Config.Rules set, checking the names
// (kernel rules included; the error lists CheckRules, what runs without
// a configured kernel).
func ParseRuleList(s string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if RuleByName(name) == nil {
			var names []string
			for _, r := range CheckRules() {
				names = append(names, r.Name)
			}
			return nil, fmt.Errorf("unknown rule %q (rules: %s)", name, strings.Join(names, ", "))
		}
		set[name] = true
	}
	return set, nil
}

// Analyze runs the enabled rules on a parsed file.
func Analyze(ctx context.Context, f *symbols.File, cfg Config) []Finding {
	p := newPass(ctx, f, cfg)
	defer p.close()
	rules := Rules
	if cfg.Kernel != nil || cfg.Module != nil {
		rules = append(append(append([]*Rule(nil), Rules...), ModuleRules...), KernelRules...)
	}
	rules = append(rules, ConventionRules...)
	for _, r := range rules {
		if r.IsConvention() {
			// Off unless asked for: by name, or by Conventions.
			if !cfg.Conventions && !cfg.Rules[r.Name] {
				continue
			}
		} else if !cfg.Enabled(r.Name) || r.NeedsKernel && cfg.Kernel == nil || r.NeedsModule && cfg.Module == nil {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		p.rule = r
		r.Run(p)
	}
	SortFindings(p.findings)
	return p.findings
}

// Pass is the state of one Analyze call: the file, the options, the
// findings so far, and shared analyses computed on first use.
type Pass struct {
	ctx      context.Context
	File     *symbols.File
	Config   Config
	rule     *Rule
	findings []Finding

	crateRoot  *bool
	lower      []byte
	spans      map[uintptr][][2]int
	boundaries map[uintptr]int
	callees    map[string][]*docItem
	uses       []symbols.UseImport
	usesDone   bool
	enclosing  map[int]symbols.Enclosing
	types      map[string]bool
	sites      *siteAnalysis
	comments   []*safetyComment
	docItems   []*docItem
	lintLevels *lintIndex
	nl         string

	modCallsDone bool
	modCalls     []modCall

	macroShapes map[string]symbols.MacroShape // the file's own macro_rules!, on first use

	conventions map[*convention]*conventionSites // each convention's sites, on first use
	targets     map[*convention][]symbols.Span   // each convention's targets, on first use
	// panicNameSet are the names whose calls may panic, on first use.
	panicNameSet map[string]bool
	panicConf    *panicFacts
	// invariantMemo are invariantsOf's answers by path and scope;
	// fileHasInvariants whether the text mentions Invariants at all.
	invariantMemo                        map[string][2]string
	invariantsChecked, fileHasInvariants bool
	bodies                               *macroBodyView // the file's macro bodies as code, on first use
	macroUses                            map[string]symbols.MacroUse
	inView                               bool // the pass is a view's (macro bodies, macro input)
	// bodyView: the pass is the macro-body view's, whose macro calls'
	// input is read as code in turn (build_assert! in a transcriber).
	bodyView bool
	// inputs is the file's code macro input as code (macroinput.go);
	// origin, for a view's pass, the pass of the file itself.
	inputs        *macroInputView
	inputsDone    bool
	codeSpans     [][2]int   // the token trees of code macro input
	codeMacros    []string   // and their macros' names
	calls         []textCall // the file's macro calls by text (textCalls)
	callsDone     bool
	defSpans      [][2]int // the file's macro_rules! definitions, by text
	defsDone      bool
	codeSpansDone bool
	origin        *Pass
	// viewBoundary, for a view's pass, is where the file's code above a
	// site ends the comment search (a line), or -1.
	viewBoundary func(off int) int

	items      *symbols.FileItems
	bodiesDone bool

	cfgRefsDone bool
	cfgRefList  []symbols.CfgRef
	gatesOf     *symbols.Gates
}

func newPass(ctx context.Context, f *symbols.File, cfg Config) *Pass {
	return &Pass{ctx: ctx, File: f, Config: cfg}
}

// close releases the trees the pass made.
func (p *Pass) close() {
	if p.bodies != nil {
		p.bodies.file.Close()
	}
	if p.inputs != nil {
		p.inputs.file.Close()
	}
}

// report records a finding for the running rule, unless an allow/expect
// attribute around scope (a byte offset of the item, statement or block
// the lint is attached to) silences it.
func (p *Pass) report(scope int, f Finding) {
	if len(p.rule.Lints) > 0 && p.lints().allowed(scope, p.rule.Lints) {
		return
	}
	f.Rule = p.rule.Name
	if f.Severity == 0 {
		f.Severity = p.rule.Severity
	}
	if f.Extent == (Span{}) {
		f.Extent = Span{f.Start, f.End}
	}
	f.Extent.Start = min(f.Extent.Start, f.Start)
	f.Extent.End = max(f.Extent.End, f.End)
	p.findings = append(p.findings, f)
}

// crateRootRE matches what only a crate root holds: crate-level inner
// attributes, or a kernel module declaration.
var crateRootRE = regexp.MustCompile(`(?m)^(?:#!\[\s*(?:no_std|no_main|feature|crate_type|crate_name|recursion_limit)\b|(?:kernel::)?module(?:_[a-z0-9_]+)?!\s*[{(])`)

// isCrateRoot guesses whether the file is a crate root (lib.rs, main.rs, a
// kernel module's single file) rather than a module of a bigger crate.
// Config.CrateRoot overrides the guess.
func (p *Pass) isCrateRoot() bool {
	if p.Config.CrateRoot != nil {
		return *p.Config.CrateRoot
	}
	if p.crateRoot == nil {
		base := filepath.Base(p.File.Path)
		v := base == "lib.rs" || base == "main.rs" || crateRootRE.Match(p.File.Src)
		p.crateRoot = &v
	}
	return *p.crateRoot
}

// lowerSrc is the file with ASCII letters lowered (same length, so offsets
// carry over), for case-insensitive searches with bytes.Index.
func (p *Pass) lowerSrc() []byte {
	if p.lower == nil {
		src := p.File.Src
		p.lower = make([]byte, len(src))
		for i, c := range src {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			p.lower[i] = c
		}
	}
	return p.lower
}

// IsConvention reports whether r is one of ConventionRules, which run
// only when asked (Config.Conventions, or by name).
func (r *Rule) IsConvention() bool {
	return slices.Contains(ConventionRules, r)
}
