package diagnostics

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/krls-dev/krls/symbols"
)

// Rules over module! and the kernel crate's module_*_driver! macros.
// rust/macros/module.rs checks the macro's input only when the module is
// built, with a panic!; these rules say the same thing (in its words,
// read from the tree) as the file is written. The schema, the licences
// and the driver macros come from the tree through Config.Module.

// ModuleConfig is what the module! rules check against.
type ModuleConfig struct {
	// Facts are the tree's (or the built-in 6.12 facts without a tree).
	Facts *symbols.ModuleFacts
	// Object is the kbuild object the file builds ("" when no Makefile
	// or Kbuild next to it says), and Makefile the file that says so.
	Object, Makefile string
	// CrateMacro reports whether the file's crate defines, in another
	// of its files, a macro_rules! of that name, which an unqualified
	// invocation then names instead of the kernel's (symbols.MacroScope);
	// nil when not known. It is asked only about invocations the file
	// does not resolve itself.
	CrateMacro func(name string) bool
}

// ModuleRules need Config.Module.
var ModuleRules = []*Rule{
	ModuleSyntax,
	ModuleUnknownKey,
	ModuleMissingKey,
	ModuleDuplicateKey,
	ModuleKeyOrder,
	ModuleNonASCII,
	ModuleValueKind,
	ModuleStringLiteral,
	ModuleUnknownLicense,
	ModuleNonGPLLicense,
	ModuleNameMismatch,
	ModuleUnknownType,
}

// ModuleSyntax reports a value without the `,` that must follow it.
var ModuleSyntax = &Rule{
	Name:        "module-syntax",
	Doc:         "A value is not followed by the `,` module.rs requires after every value, the last one too (`assert_eq!(expect_punct(it), ',')` by hand up to 6.18, `parse::<Token![,]>()` with syn in 7.x): the build fails with expect_punct's \"Expected Punct\" or \"Reached end of token stream for Punct\", or syn's \"expected `,`\". In a params block: an entry without its `:`, without the `{ ... }` after its type, or without the `,` that separates it from the next (that ends every entry, up to 6.18). The fix inserts the comma, or the block.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleSyntax,
}

// ModuleUnknownKey reports keys the macro does not take.
var ModuleUnknownKey = &Rule{
	Name:        "module-unknown-key",
	Doc:         "A key module! (or the module_*_driver! macro, or a parameter's block in params) does not take: the build fails with module.rs's \"Unknown key\" panic (\"unknown key\" error in 7.x). The valid keys are read from the tree's rust/macros/module.rs; a key a driver macro writes itself, or that module! orders after a key the macro appends (module_pwm_platform_driver!'s imports_ns), cannot be written either. The fixes rename the key to a close valid one.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleUnknownKey,
}

// ModuleMissingKey reports a required key that is not written.
var ModuleMissingKey = &Rule{
	Name:        "module-missing-key",
	Doc:         "A key module! requires (type, name, license: REQUIRED_KEYS of rust/macros/module.rs, or its `[required]` lines in 7.x; a driver macro's own keys; default and description in a parameter's block) is not written. The fix inserts it in its place in the order.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleMissingKey,
}

// ModuleDuplicateKey reports a key written twice.
var ModuleDuplicateKey = &Rule{
	Name:        "module-duplicate-key",
	Doc:         "A key is written twice: module.rs panics with \"Duplicated key\". Two parameters of one name in params: module! makes a `static` of that name for each, which rustc rejects (E0428). The fix removes the repeated entry.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleDuplicateKey,
}

// ModuleKeyOrder reports keys out of the order module.rs requires.
var ModuleKeyOrder = &Rule{
	Name:        "module-key-order",
	Doc:         "The keys are not in the order module.rs requires (EXPECTED_KEYS), which it checks with a panic. The fix reorders the entries.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleKeyOrder,
}

// ModuleNonASCII reports non-ASCII text where module.rs wants ASCII.
var ModuleNonASCII = &Rule{
	Name:        "module-non-ascii",
	Doc:         "A string of a key module.rs reads as ASCII (name, license, the alias and firmware arrays in 6.12) holds other characters: the build fails with \"Expected ASCII string\".",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleNonASCII,
}

// ModuleValueKind reports values of the wrong kind.
var ModuleValueKind = &Rule{
	Name:        "module-value-kind",
	Doc:         "A value is not of the kind module.rs reads for its key: a byte string b\"...\" where this kernel takes a string (or a string where an older kernel takes a byte string), a string where it takes an identifier or a type, a single string where it takes an array; in params, a parameter type module.rs does not map to kernel_param ops (\"Unsupported parameter type\", the types read from the tree), or a default that is not a literal where the hand-written reader wants one. The fix converts between string and byte string literals, or corrects a type's case.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleValueKind,
}

// ModuleStringLiteral reports string literals module.rs cannot read.
var ModuleStringLiteral = &Rule{
	Name:        "module-string-literal",
	Doc:         "A string literal module.rs's string reader (try_string in rust/macros/helpers.rs) rejects: in 6.12 one with an escape sequence (\"Escape sequences in string literals not yet handled\") or a raw string (\"Raw string literals are not yet handled\"). Read from the tree: a kernel whose reader has no such panic is not checked. The fix turns a raw string into a plain one when nothing in it needs escaping.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleStringLiteral,
}

// ModuleUnknownLicense reports licences the kernel does not know.
var ModuleUnknownLicense = &Rule{
	Name:        "module-unknown-license",
	Doc:         "The license is not one of the strings the kernel knows (include/linux/license.h and MODULE_LICENSE's list in include/linux/module.h): the module is taken as proprietary, taints the kernel and cannot use EXPORT_SYMBOL_GPL symbols.",
	Severity:    Warning,
	NeedsModule: true,
	Run:         runModuleUnknownLicense,
}

// ModuleNonGPLLicense reports a licence the kernel knows but does not
// count as GPL-compatible ("Proprietary").
var ModuleNonGPLLicense = &Rule{
	Name:        "module-non-gpl-license",
	Doc:         "The license is one the kernel knows but license_is_gpl_compatible (include/linux/license.h) does not accept, such as \"Proprietary\": loading the module taints the kernel, and it cannot use symbols exported with EXPORT_SYMBOL_GPL, which include every symbol of the Rust kernel crate (modpost rejects the module).",
	Severity:    Warning,
	NeedsModule: true,
	Run:         runModuleNonGPLLicense,
}

// ModuleNameMismatch reports a name other than the kbuild object's.
var ModuleNameMismatch = &Rule{
	Name:        "module-name-mismatch",
	Doc:         "The name differs from the object the Makefile or Kbuild next to the file builds (obj-m += rust_minimal.o builds the module rust_minimal): modprobe, lsmod and modinfo know the module by the object's name, while module! gives its name to the log prefix and to the built-in module's parameters and modinfo. `-` and `_` count as the same, as they do for kbuild and modprobe.",
	Severity:    Information,
	NeedsModule: true,
	Run:         runModuleNameMismatch,
}

// ModuleUnknownType reports a `type` naming no type in scope.
var ModuleUnknownType = &Rule{
	Name:        "module-unknown-type",
	Doc:         "The type names no type the file declares or imports (files with glob imports other than the prelude are not checked).",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleUnknownType,
}

// modCall is an invocation with the schema of its macro, or the block
// of one entry of its params (param is set).
type modCall struct {
	symbols.ModuleCall
	schema *symbols.ModuleSchema
	// label names the macro (or the parameter) in messages.
	label string
	// param is the parameter whose block this is; nil for an invocation.
	param *symbols.ModuleParam
	// params are an invocation's params entries, read with paramSchema
	// from its entry paramsEntry.
	params      []symbols.ModuleParam
	paramSchema *symbols.ParamSchema
	paramsEntry symbols.ModuleEntry
}

// moduleCalls are the file's invocations of the kernel's module! and
// driver macros (symbols.MacroScope decides which are the kernel's),
// each followed by the blocks of its parameters, computed once per pass.
func (p *Pass) moduleCalls() []modCall {
	if p.modCallsDone {
		return p.modCalls
	}
	p.modCallsDone = true
	facts := p.Config.Module.Facts
	if facts == nil {
		return nil
	}
	var scope *symbols.MacroScope
	for _, c := range symbols.ModuleCalls(p.File, func(n string) bool { return facts.Drivers[n] != nil }) {
		s := facts.SchemaOf(c.Macro)
		if s == nil {
			continue
		}
		if scope == nil {
			scope = symbols.NewMacroScope(p.File.Path, p.File.Src, p.File)
			scope.Crate = p.Config.Module.CrateMacro
		}
		if !scope.IsKernel(p.File.Src, c) {
			continue
		}
		mc := modCall{ModuleCall: c, schema: s, label: c.Macro + "!"}
		var blocks []modCall
		for _, e := range mc.entries() {
			k, ok := s.Key(e.Key)
			if !ok || k.Params == nil || mc.paramSchema != nil {
				continue
			}
			mc.paramSchema, mc.paramsEntry = k.Params, e
			mc.params = symbols.ModuleParams(p.File.Src, e)
			for i := range mc.params {
				prm := &mc.params[i]
				if !prm.HasBlock {
					continue
				}
				b := prm.Block
				b.Start = c.Start
				blocks = append(blocks, modCall{ModuleCall: b, schema: k.Params.Fields, param: prm,
					label: fmt.Sprintf("%s! (parameter `%s`)", c.Macro, prm.Key)})
			}
		}
		p.modCalls = append(p.modCalls, mc)
		p.modCalls = append(p.modCalls, blocks...)
	}
	return p.modCalls
}

// entries are the call's entries with a colon: what the macro reads as
// keys. Entries being typed (no colon yet) are left to the editor.
func (c *modCall) entries() []symbols.ModuleEntry {
	var out []symbols.ModuleEntry
	for _, e := range c.Entries {
		if e.Colon {
			out = append(out, e)
		}
	}
	return out
}

// vars are the values of module.rs's format arguments.
func (c *modCall) vars(key string, ordered []string) map[string]string {
	v := map[string]string{"key": key, "EXPECTED_KEYS": symbols.DebugList(c.schema.Names())}
	if ordered != nil {
		v["ordered_keys"] = symbols.DebugList(ordered)
	}
	return v
}

// macroLabel names the macro (and the parameter) in messages.
func (c *modCall) macroLabel() string { return c.label }

// extent is where a finding about the whole call or block spans.
func (c *modCall) extent() Span {
	if c.param != nil {
		return Span{c.param.Name.Start, c.Close + 1}
	}
	return Span{c.Start, c.Close + 1}
}

func runModuleSyntax(p *Pass) {
	for _, c := range p.moduleCalls() {
		if !c.schema.Comma {
			continue
		}
		for i, e := range c.Entries {
			if !e.Colon || e.Comma || e.Shape == symbols.ShapeNone {
				continue
			}
			var msg, where string
			switch {
			case i+1 < len(c.Entries):
				msg, where = c.schema.Messages.Punct.Render(nil), fmt.Sprintf(", before `%s`", c.Entries[i+1].Key)
			case c.Closed:
				msg, where = c.schema.Messages.PunctEnd.Render(nil), ", the last one too"
			default:
				continue // being typed
			}
			if d := p.Config.Module.Facts.Drivers[c.Macro]; d != nil && c.schema.Index(e.Key) >= 0 && c.schema.Index(e.Key) < d.Own {
				msg = "" // the macro_rules! matcher's own key: rustc's error, not module.rs's
			}
			f := Finding{Message: fmt.Sprintf("%s expects a `,` after the value of `%s`%s", c.macroLabel(), e.Key, where)}
			if msg != "" {
				f.Message = msg + ": " + f.Message
			}
			f.Start, f.End = e.Last.Start, e.Last.End
			f.Fixes = []Fix{{Title: "Insert `,`", Safe: true, Edits: []Edit{{Start: e.Value.End, End: e.Value.End, NewText: ","}}}}
			p.report(c.Start, f)
		}
		p.paramsSyntax(&c)
	}
}

// paramsSyntax checks the entries of a params block: each is `name:
// type { ... }` and the entries are separated by `,` (every one ends
// with one where the reader asserts it).
func (p *Pass) paramsSyntax(c *modCall) {
	ps := c.paramSchema
	if ps == nil {
		return
	}
	punct := c.schema.Messages.Punct.Render(nil)
	for i, prm := range c.params {
		last := i+1 == len(c.params)
		switch {
		case !prm.Colon:
			f := Finding{Start: prm.Name.Start, End: prm.Name.End,
				Message: fmt.Sprintf("%s expects `%s: type { ... }` in params: a `:` after the parameter's name", c.macroLabel(), prm.Key)}
			p.report(c.Start, f)
			continue
		case prm.Type.End == 0:
			continue // no type: module-value-kind
		case !prm.HasBlock:
			msg := fmt.Sprintf("%s expects a block `{ %s }` after the type of parameter `%s`", c.macroLabel(), fieldList(ps), prm.Key)
			if ps.Block != "" {
				msg = ps.Block + ": " + msg
			}
			f := Finding{Start: prm.Type.Start, End: prm.Type.End, Message: msg}
			f.Fixes = []Fix{{Title: "Insert the block", Edits: []Edit{{Start: prm.Type.End, End: prm.Type.End, NewText: " " + p.paramBlock(c, prm)}}}}
			p.report(c.Start, f)
			continue
		}
		if prm.Comma || last && (ps.Separated || !c.paramsClosed()) {
			continue
		}
		where := ", before parameter `" + c.params[min(i+1, len(c.params)-1)].Key + "`"
		msg := punct
		if last {
			where, msg = ", the last one too", c.schema.Messages.PunctEnd.Render(nil)
		}
		f := Finding{Start: prm.Block.Close, End: prm.Block.Close + 1,
			Message: fmt.Sprintf("%s: %s expects a `,` after parameter `%s`%s", msg, c.label, prm.Key, where)}
		f.Fixes = []Fix{{Title: "Insert `,`", Safe: true, Edits: []Edit{{Start: prm.Block.Close + 1, End: prm.Block.Close + 1, NewText: ","}}}}
		p.report(c.Start, f)
	}
}

// paramsClosed says the params block's closing brace is written.
func (c *modCall) paramsClosed() bool {
	e := c.paramsEntry
	return e.Last.Start > e.Value.Start && e.Last.End == e.Value.End && c.Closed
}

// fieldList is the keys of a parameter's block, for messages.
func fieldList(ps *symbols.ParamSchema) string {
	var out []string
	for _, k := range ps.Fields.Keys {
		out = append(out, k.Name+": ...")
	}
	return strings.Join(out, ", ")
}

// paramBlock is a parameter's block with its required keys, for a fix,
// indented under the parameter's line.
func (p *Pass) paramBlock(c *modCall, prm symbols.ModuleParam) string {
	ind, _ := symbols.LineIndent(p.File.Src, prm.Name.Start)
	var b strings.Builder
	b.WriteString("{\n")
	for _, k := range c.paramSchema.Fields.Keys {
		if k.Required {
			fmt.Fprintf(&b, "%s    %s: %s,\n", ind, k.Name, fieldPlaceholder(k))
		}
	}
	b.WriteString(ind + "}")
	return b.String()
}

// fieldPlaceholder is the value a fix writes for a key of a parameter's
// block: 0 for the default (every type taken is an integer), an empty
// literal of the kind otherwise.
func fieldPlaceholder(k symbols.ModuleKey) string {
	if k.Kind == symbols.ValueExpr || k.Kind == symbols.ValueLiteral {
		return "0"
	}
	return k.Kind.Placeholder()
}

func runModuleUnknownKey(p *Pass) {
	for _, c := range p.moduleCalls() {
		present := map[string]bool{}
		for _, e := range c.entries() {
			present[e.Key] = true
		}
		for _, e := range c.entries() {
			if c.schema.Index(e.Key) >= 0 {
				continue
			}
			f := Finding{Start: e.KeySpan.Start, End: e.KeySpan.End,
				Message: c.schema.Messages.Unknown.Render(c.vars(e.Key, nil))}
			if d := p.Config.Module.Facts.Drivers[c.Macro]; d != nil && c.param == nil {
				ms := p.Config.Module.Facts.Schema.Messages
				switch {
				case slices.Contains(d.After, e.Key):
					f.Message = buildSays(ms.Duplicate.Render(c.vars(e.Key, nil)), fmt.Sprintf("%s writes `%s` into module! itself, after your keys", c.macroLabel(), e.Key))
				case slices.Contains(d.Closed, e.Key):
					f.Message = buildSays(ms.Order.Render(c.vars(e.Key, p.reachingModule(&c, d))),
						fmt.Sprintf("%s writes %s into module! after your keys, and module! takes `%s` only before it", c.macroLabel(), backquoted(d.After), e.Key))
				case slices.Contains(d.Preset, e.Key):
					f.Message = fmt.Sprintf("%s writes `%s` into module! itself: %s", c.macroLabel(), e.Key, f.Message)
				}
			}
			for _, s := range suggestKeys(e.Key, c.schema, present) {
				f.Message += fmt.Sprintf(" Did you mean %q?", s)
				f.Fixes = append(f.Fixes, Fix{Title: "Replace with " + s, Edits: []Edit{{Start: e.KeySpan.Start, End: e.KeySpan.End, NewText: s}}})
				break
			}
			p.report(c.Start, f)
		}
	}
}

// buildSays puts the build's message before krls's explanation.
func buildSays(build, ours string) string {
	if strings.HasSuffix(build, ".") {
		return build + " " + ours
	}
	return build + ": " + ours
}

// reachingModule lists, in module!'s order, the keys module! gets from a
// driver macro's invocation: those the macro writes and the user's that
// are not the macro's own.
func (p *Pass) reachingModule(c *modCall, d *symbols.DriverMacro) []string {
	s := p.Config.Module.Facts.Schema
	keys := append(slices.Clone(d.Preset), d.After...)
	for _, e := range c.entries() {
		if i := c.schema.Index(e.Key); (i < 0 || i >= d.Own) && s.Index(e.Key) >= 0 && !slices.Contains(keys, e.Key) {
			keys = append(keys, e.Key)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return s.Index(keys[i]) < s.Index(keys[j]) })
	return keys
}

// backquoted lists names as `a`, `b`.
func backquoted(names []string) string {
	var out []string
	for _, n := range names {
		out = append(out, "`"+n+"`")
	}
	return strings.Join(out, ", ")
}

// suggestKeys lists the valid keys not yet written that are within two
// edits of key or start with it (or it with them), closest first.
func suggestKeys(key string, s *symbols.ModuleSchema, present map[string]bool) []string {
	type cand struct {
		name string
		d    int
	}
	var cands []cand
	for _, k := range s.Keys {
		if present[k.Name] {
			continue
		}
		d := editDistance(key, k.Name, 2)
		if d > 2 {
			d = -1
			if (strings.HasPrefix(k.Name, key) || strings.HasPrefix(key, k.Name)) && min(len(key), len(k.Name)) >= 3 {
				d = 3
			}
		}
		if d >= 0 {
			cands = append(cands, cand{k.Name, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = c.name
	}
	return out
}

func runModuleMissingKey(p *Pass) {
	for _, c := range p.moduleCalls() {
		if !c.Closed {
			continue // being typed
		}
		present := map[string]bool{}
		for _, e := range c.entries() {
			present[e.Key] = true
		}
		for _, k := range c.schema.Keys {
			if !k.Required || present[k.Name] {
				continue
			}
			f := Finding{Start: c.Name.Start, End: c.Name.End,
				Message: c.schema.Messages.Missing.Render(c.vars(k.Name, nil)),
				Extent:  c.extent()}
			f.Fixes = []Fix{{Title: "Insert " + k.Name, Edits: []Edit{p.insertKey(&c, k)}}}
			p.report(c.Start, f)
		}
	}
}

// insertKey is the edit inserting `key: value,` at the key's place in
// the order, on a line of its own indented as the others.
func (p *Pass) insertKey(c *modCall, k symbols.ModuleKey) Edit {
	src := p.File.Src
	text := k.Name + ": " + p.moduleValue(c, k) + ","
	idx := c.schema.Index(k.Name)
	entries := c.entries()
	// Before the first written key that comes after it in the order.
	for _, e := range entries {
		if c.schema.Index(e.Key) > idx {
			ind, own := symbols.LineIndent(src, e.KeySpan.Start)
			if own {
				return Edit{Start: e.KeySpan.Start, End: e.KeySpan.Start, NewText: text + "\n" + ind}
			}
			return Edit{Start: e.KeySpan.Start, End: e.KeySpan.Start, NewText: text + " "}
		}
	}
	if len(entries) > 0 {
		last := entries[len(entries)-1]
		ind, own := symbols.LineIndent(src, last.KeySpan.Start)
		comma := ""
		if !last.Comma {
			comma = ","
		}
		if own {
			return Edit{Start: last.End, End: last.End, NewText: comma + "\n" + ind + text}
		}
		return Edit{Start: last.End, End: last.End, NewText: comma + " " + text}
	}
	ind, _ := symbols.LineIndent(src, c.Name.Start)
	return Edit{Start: c.Open + 1, End: c.Open + 1, NewText: "\n" + ind + "    " + text}
}

// moduleValue is the value a fix writes for a key: the file's module
// type, the object's name, "GPL", or an empty literal of the kind.
func (p *Pass) moduleValue(c *modCall, k symbols.ModuleKey) string {
	if c.param != nil {
		return fieldPlaceholder(k)
	}
	switch {
	case k.Name == "type" && (k.Kind == symbols.ValueIdent || k.Kind == symbols.ValueType):
		for _, t := range symbols.TypesInFile(p.File) {
			if t.Module {
				return t.Name
			}
		}
	case k.Name == "name" && p.Config.Module.Object != "":
		return quoteKind(k.Kind, p.Config.Module.Object)
	case k.Name == "license" && len(p.Config.Module.Facts.Licenses) > 0:
		return quoteKind(k.Kind, p.Config.Module.Facts.Licenses[0].Name)
	}
	return k.Kind.Placeholder()
}

// quoteKind writes s as a literal of the kind.
func quoteKind(k symbols.ModuleValueKind, s string) string {
	if k == symbols.ValueByteString {
		return "b" + fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q", s)
}

func runModuleDuplicateKey(p *Pass) {
	for _, c := range p.moduleCalls() {
		seen := map[string]symbols.ModuleEntry{}
		for _, e := range c.entries() {
			first, dup := seen[e.Key]
			if !dup {
				seen[e.Key] = e
				continue
			}
			f := Finding{Start: e.KeySpan.Start, End: e.KeySpan.End,
				Message: c.schema.Messages.Duplicate.Render(c.vars(e.Key, nil)),
				Related: []Related{{Start: first.KeySpan.Start, End: first.KeySpan.End, Message: "first written here"}}}
			f.Fixes = []Fix{{Title: "Remove this " + e.Key, Edits: []Edit{removeEntry(p.File.Src, e)}}}
			p.report(c.Start, f)
		}
		// Two parameters of one name: module! makes a `static` of that
		// name for each in `module_parameters`, which rustc rejects
		// (E0428).
		seenParam := map[string]symbols.ModuleParam{}
		for _, prm := range c.params {
			first, dup := seenParam[prm.Key]
			if !dup {
				seenParam[prm.Key] = prm
				continue
			}
			f := Finding{Start: prm.Name.Start, End: prm.Name.End,
				Message: fmt.Sprintf("the parameter `%s` is declared twice: %s makes a `static %s` in `module_parameters` for each, and rustc rejects the second (E0428)", prm.Key, c.macroLabel(), prm.Key),
				Related: []Related{{Start: first.Name.Start, End: first.Name.End, Message: "first declared here"}}}
			f.Fixes = []Fix{{Title: "Remove this parameter", Edits: []Edit{removeEntry(p.File.Src, symbols.ModuleEntry{KeySpan: prm.Name, End: prm.End})}}}
			p.report(c.Start, f)
		}
	}
}

// removeEntry deletes an entry, with its line when it has one of its own.
func removeEntry(src []byte, e symbols.ModuleEntry) Edit {
	start, end := e.KeySpan.Start, e.End
	if _, own := symbols.LineIndent(src, start); own {
		ls := start
		for ls > 0 && src[ls-1] != '\n' {
			ls--
		}
		le := end
		for le < len(src) && (src[le] == ' ' || src[le] == '\t') {
			le++
		}
		if le < len(src) && src[le] == '\n' {
			return Edit{Start: ls, End: le + 1}
		}
	}
	return Edit{Start: start, End: end}
}

func runModuleKeyOrder(p *Pass) {
	for _, c := range p.moduleCalls() {
		if !c.schema.Ordered || !c.Closed {
			continue
		}
		// As module.rs: the keys written (known, each once) against the
		// expected order.
		var seen []symbols.ModuleEntry
		have := map[string]bool{}
		for _, e := range c.entries() {
			if c.schema.Index(e.Key) < 0 || have[e.Key] {
				continue
			}
			have[e.Key] = true
			seen = append(seen, e)
		}
		ordered := slices.Clone(seen)
		sort.SliceStable(ordered, func(i, j int) bool { return c.schema.Index(ordered[i].Key) < c.schema.Index(ordered[j].Key) })
		first := -1
		for i := range seen {
			if seen[i].Key != ordered[i].Key {
				first = i
				break
			}
		}
		if first < 0 {
			continue
		}
		var names []string
		for _, e := range ordered {
			names = append(names, e.Key)
		}
		e := seen[first]
		f := Finding{Start: e.KeySpan.Start, End: e.KeySpan.End,
			Message: c.schema.Messages.Order.Render(c.vars(e.Key, names)),
			Extent:  c.extent()}
		if len(seen) == len(c.Entries) { // nothing else in the way
			f.Fixes = []Fix{{Title: "Reorder the keys", Safe: true, Edits: reorderEdits(p.File.Src, &c, seen, ordered)}}
		}
		p.report(c.Start, f)
	}
}

// reorderEdits puts each entry's text (key to comma, with the comments
// on its line: one before the key, one after the comma) in the place of
// the entry that comes at its position in the order; the text between
// entries (blank lines, comments on lines of their own) stays where it
// is.
func reorderEdits(src []byte, c *modCall, seen, ordered []symbols.ModuleEntry) []Edit {
	spans := map[symbols.Span]symbols.Span{}
	lo := c.Open + 1
	for _, e := range seen {
		spans[e.KeySpan] = symbols.Span{Start: leadingComments(src, e.KeySpan.Start, lo), End: trailingComment(src, e.End)}
		lo = e.End
	}
	var edits []Edit
	last := seen[len(seen)-1]
	for i, slot := range seen {
		e := ordered[i]
		if slot.KeySpan == e.KeySpan {
			if !e.Comma && slot.KeySpan != last.KeySpan {
				edits = append(edits, Edit{Start: e.End, End: e.End, NewText: ","})
			}
			continue
		}
		from, to := spans[e.KeySpan], spans[slot.KeySpan]
		text := string(src[from.Start:from.End])
		if !e.Comma {
			at := e.End - from.Start
			text = text[:at] + "," + text[at:]
		}
		edits = append(edits, Edit{Start: to.Start, End: to.End, NewText: text})
	}
	return edits
}

// leadingComments is where the block comments before a key on its line
// begin (`/* desc */ description: ...`), not before lo; key when there
// are none.
func leadingComments(src []byte, key, lo int) int {
	start := key
	for {
		i := start
		for i > lo && (src[i-1] == ' ' || src[i-1] == '\t') {
			i--
		}
		if i-2 < lo || src[i-1] != '/' || src[i-2] != '*' {
			return start
		}
		open := strings.LastIndex(string(src[lo:i-2]), "/*")
		if open < 0 || strings.Contains(string(src[lo+open:i]), "\n") {
			return start
		}
		start = lo + open
	}
}

// trailingComment is where the comments after an entry's end on its
// line end (`name: "x", // the name`) when nothing else follows on that
// line (a key there takes them as its leading comments); end when there
// are none.
func trailingComment(src []byte, end int) int {
	out, hi := end, len(src)
	for i := end; ; {
		for i < hi && (src[i] == ' ' || src[i] == '\t') {
			i++
		}
		switch {
		case i >= hi || src[i] == '\n' || src[i] == '\r':
			return out
		case strings.HasPrefix(string(src[i:hi]), "//"):
			j := i
			for j < hi && src[j] != '\n' && src[j] != '\r' {
				j++
			}
			return j
		case strings.HasPrefix(string(src[i:hi]), "/*"):
			j := strings.Index(string(src[i+2:hi]), "*/")
			if j < 0 || strings.Contains(string(src[i:i+2+j]), "\n") {
				return end
			}
			i = i + 2 + j + 2
			out = i
		default:
			return end // another entry on the line: the comment is its
		}
	}
}

func runModuleNonASCII(p *Pass) {
	for _, c := range p.moduleCalls() {
		for _, e := range c.entries() {
			k, ok := c.schema.Key(e.Key)
			if !ok || k.Kind != symbols.ValueASCIIString && k.Kind != symbols.ValueStringArray {
				continue
			}
			for _, s := range e.Strings {
				if symbols.IsASCII(s.Value) {
					continue
				}
				msg := c.schema.Messages.ASCII.Render(nil)
				p.report(c.Start, Finding{Start: s.Start, End: s.End,
					Message: fmt.Sprintf("%s: %s reads `%s` with %s, which takes ASCII only", msg, c.macroLabel(), e.Key, k.Helper)})
			}
		}
	}
}

func runModuleValueKind(p *Pass) {
	for _, c := range p.moduleCalls() {
		for _, e := range c.entries() {
			k, ok := c.schema.Key(e.Key)
			if !ok || e.Shape == symbols.ShapeNone {
				continue
			}
			if fits(k.Kind, e.Shape) {
				continue
			}
			f := Finding{Start: e.Value.Start, End: e.Value.End,
				Message: fmt.Sprintf("%s expects %s for `%s`", c.macroLabel(), article(k.Kind.String()), e.Key)}
			if k.Helper != "" {
				f.Message += " (" + k.Helper + ")"
			}
			if e.Shape == symbols.ShapeOther {
				f.Message += ", not `" + string(p.File.Src[e.Value.Start:e.Value.End]) + "`"
			} else {
				f.Message += ", not " + shapeText(e.Shape)
			}
			if len(e.Strings) == 1 && e.Strings[0].Span == (symbols.Span{Start: e.Value.Start, End: e.Value.End}) {
				s := e.Strings[0]
				switch {
				case e.Shape == symbols.ShapeByteString && (k.Kind == symbols.ValueString || k.Kind == symbols.ValueASCIIString):
					f.Fixes = []Fix{{Title: "Use a string literal", Safe: true, Edits: []Edit{{Start: s.Start, End: s.Start + 1}}}}
				case e.Shape == symbols.ShapeString && k.Kind == symbols.ValueByteString:
					f.Fixes = []Fix{{Title: "Use a byte string literal", Safe: true, Edits: []Edit{{Start: s.Start, End: s.Start, NewText: "b"}}}}
				case e.Shape == symbols.ShapeString && k.Kind == symbols.ValueStringArray:
					f.Fixes = []Fix{{Title: "Make it an array", Safe: true, Edits: []Edit{{Start: s.Start, End: s.Start, NewText: "["}, {Start: s.End, End: s.End, NewText: "]"}}}}
				}
			}
			p.report(c.Start, f)
		}
		p.paramTypes(&c)
	}
}

// paramTypes checks each parameter's type: one identifier, among the
// types module.rs maps to kernel_param ops.
func (p *Pass) paramTypes(c *modCall) {
	ps := c.paramSchema
	if ps == nil {
		return
	}
	src := p.File.Src
	for _, prm := range c.params {
		if !prm.Colon {
			continue
		}
		if prm.Type.End == 0 {
			if prm.HasBlock {
				p.report(c.Start, Finding{Start: prm.Name.Start, End: prm.Name.End,
					Message: fmt.Sprintf("%s expects the type of parameter `%s` after its `:`: one of %s", c.macroLabel(), prm.Key, strings.Join(ps.Types, ", "))})
			}
			continue
		}
		ty := string(src[prm.Type.Start:prm.Type.End])
		if len(ps.Types) == 0 || ps.HasType(ty) {
			continue
		}
		msg := fmt.Sprintf("%s takes a parameter of one of the types %s, not `%s`", c.macroLabel(), strings.Join(ps.Types, ", "), ty)
		if ps.Unsupported.Format != "" {
			vars := map[string]string{"t": ty}
			for _, a := range ps.Unsupported.Args {
				vars[a] = ty
			}
			msg = buildSays(ps.Unsupported.Render(vars), msg)
		}
		f := Finding{Start: prm.Type.Start, End: prm.Type.End, Message: msg}
		for _, t := range ps.Types {
			if strings.EqualFold(t, ty) || editDistance(strings.ToLower(ty), t, 1) <= 1 {
				f.Fixes = append(f.Fixes, Fix{Title: "Replace with " + t, Edits: []Edit{{Start: prm.Type.Start, End: prm.Type.End, NewText: t}}})
			}
		}
		p.report(c.Start, f)
	}
}

func runModuleStringLiteral(p *Pass) {
	src := p.File.Src
	for _, c := range p.moduleCalls() {
		m := c.schema.Messages
		for _, e := range c.entries() {
			k, ok := c.schema.Key(e.Key)
			if !ok || k.Kind != symbols.ValueString && k.Kind != symbols.ValueASCIIString && k.Kind != symbols.ValueStringArray {
				continue
			}
			if e.Shape != symbols.ShapeString && e.Shape != symbols.ShapeArray {
				continue
			}
			for _, s := range e.Strings {
				if src[s.Start] != '"' && src[s.Start] != 'r' {
					continue // byte and C strings: module-value-kind
				}
				reads := fmt.Sprintf("%s reads `%s` with %s", c.macroLabel(), e.Key, k.Helper)
				f := Finding{Start: s.Start, End: s.End}
				// plain is the literal's text, when the fix can write it
				// between plain quotes.
				plain, fixable := s.Value, true
				switch {
				case s.Raw && m.Raw.Format != "":
					f.Message = reads + ", which takes plain string literals only, not raw ones"
					if src[s.Start+1] == '"' { // r"": try_string's own panic (r#""# is just not a string to it)
						f.Message = m.Raw.Render(nil) + ": " + f.Message
					}
				case s.Escapes && m.Escape.Format != "":
					f.Message = m.Escape.Render(nil) + ": " + reads + ", which takes no `\\` in a string literal"
					plain, fixable = rustUnescape(string(src[s.Start+1 : s.End-1]))
				default:
					continue
				}
				if fixable && literalText(plain, k.Kind != symbols.ValueString) {
					f.Fixes = []Fix{{Title: "Write it as \"" + plain + "\"", Safe: true, Edits: []Edit{{Start: s.Start, End: s.End, NewText: `"` + plain + `"`}}}}
				}
				p.report(c.Start, f)
			}
		}
	}
}

// literalText reports whether s can be written between plain quotes
// with no escape (and, if ascii, is ASCII).
func literalText(s string, ascii bool) bool {
	for _, r := range s {
		if r == '"' || r == '\\' || r < 0x20 || r == 0x7f || ascii && r >= 0x80 {
			return false
		}
	}
	return true
}

// rustUnescape resolves the escapes of a Rust string literal's body;
// ok is false for what it does not know (line continuations).
func rustUnescape(body string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			b.WriteByte(body[i])
			continue
		}
		if i+1 >= len(body) {
			return "", false
		}
		i++
		switch c := body[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\', '\'', '"':
			b.WriteByte(c)
		case 'x':
			v, err := strconv.ParseUint(body[i+1:min(i+3, len(body))], 16, 8)
			if err != nil || v > 0x7f || i+3 > len(body) {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 2
		case 'u':
			end := strings.IndexByte(body[i:], '}')
			if end < 0 || i+1 >= len(body) || body[i+1] != '{' {
				return "", false
			}
			v, err := strconv.ParseUint(strings.ReplaceAll(body[i+2:i+end], "_", ""), 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", false
			}
			b.WriteRune(rune(v))
			i += end
		default:
			return "", false
		}
	}
	return b.String(), true
}

// fits reports whether a written value is of a kind a key takes.
func fits(k symbols.ModuleValueKind, s symbols.ValueShape) bool {
	switch k {
	case symbols.ValueIdent:
		return s == symbols.ShapeIdent
	case symbols.ValueString, symbols.ValueASCIIString:
		return s == symbols.ShapeString
	case symbols.ValueByteString:
		return s == symbols.ShapeByteString
	case symbols.ValueStringArray, symbols.ValueArray:
		return s == symbols.ShapeArray
	case symbols.ValueGroup, symbols.ValueParams:
		return s == symbols.ShapeGroup
	case symbols.ValueLiteral:
		return s == symbols.ShapeString || s == symbols.ShapeByteString || s == symbols.ShapeCString || s == symbols.ShapeOther
	case symbols.ValueType:
		return s == symbols.ShapeIdent || s == symbols.ShapePath
	}
	return true // expressions and readers krls does not know
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func shapeText(s symbols.ValueShape) string {
	switch s {
	case symbols.ShapeIdent:
		return "an identifier"
	case symbols.ShapePath:
		return "a path"
	case symbols.ShapeString:
		return "a string literal"
	case symbols.ShapeByteString:
		return "a byte string literal"
	case symbols.ShapeCString:
		return "a C string literal"
	case symbols.ShapeArray:
		return "an array"
	case symbols.ShapeGroup:
		return "a block"
	}
	return "this"
}

// licenseLit is the call's licence string.
func (c *modCall) licenseLit() (symbols.StringLit, bool) {
	e, ok := c.Entry("license")
	if !ok || !e.Colon || len(e.Strings) != 1 || e.Shape != symbols.ShapeString && e.Shape != symbols.ShapeByteString {
		return symbols.StringLit{}, false
	}
	return e.Strings[0], true
}

func runModuleNonGPLLicense(p *Pass) {
	for _, c := range p.moduleCalls() {
		if c.param != nil {
			continue
		}
		s, ok := c.licenseLit()
		if !ok {
			continue
		}
		if l, known := p.Config.Module.Facts.License(s.Value); !known || l.GPL {
			continue
		}
		p.report(c.Start, Finding{Start: s.Start, End: s.End,
			Message: fmt.Sprintf("the licence %q is not GPL-compatible (license_is_gpl_compatible, include/linux/license.h): the module taints the kernel when loaded and cannot use EXPORT_SYMBOL_GPL symbols, which every symbol of the Rust kernel crate is (modpost rejects it)", s.Value)})
	}
}

func runModuleUnknownLicense(p *Pass) {
	facts := p.Config.Module.Facts
	for _, c := range p.moduleCalls() {
		if c.param != nil {
			continue
		}
		s, ok := c.licenseLit()
		if !ok {
			continue
		}
		if _, known := facts.License(s.Value); known {
			continue
		}
		var names []string
		for _, l := range facts.Licenses {
			names = append(names, fmt.Sprintf("%q", l.Name))
		}
		f := Finding{Start: s.Start, End: s.End,
			Message: fmt.Sprintf("the kernel does not know the licence %q: the module is taken as proprietary, taints the kernel and cannot use EXPORT_SYMBOL_GPL symbols (known: %s)", s.Value, strings.Join(names, ", "))}
		for _, l := range suggestLicenses(s.Value, facts.Licenses) {
			f.Fixes = append(f.Fixes, Fix{Title: fmt.Sprintf("Replace with %q", l), Edits: []Edit{{Start: s.Start, End: s.End, NewText: quoteKind(litKind(s), l)}}})
		}
		p.report(c.Start, f)
	}
}

func litKind(s symbols.StringLit) symbols.ModuleValueKind {
	if s.Byte {
		return symbols.ValueByteString
	}
	return symbols.ValueString
}

// suggestLicenses finds known licences close to v: the same but for case
// and punctuation, or holding v ("MIT" in "Dual MIT/GPL"), or within
// three edits; else the first GPL one when v names GPL.
func suggestLicenses(v string, ls []symbols.License) []string {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '_' || r == '.' {
				return -1
			}
			return r
		}, strings.ToLower(s))
	}
	var same, holds, near []string
	for _, l := range ls {
		switch {
		case norm(l.Name) == norm(v):
			same = append(same, l.Name)
		case len(norm(v)) >= 3 && strings.Contains(norm(l.Name), norm(v)):
			holds = append(holds, l.Name)
		case editDistance(strings.ToLower(v), strings.ToLower(l.Name), 3) <= 3:
			near = append(near, l.Name)
		}
	}
	out := append(append(same, holds...), near...)
	if len(out) == 0 && strings.Contains(strings.ToUpper(v), "GPL") && len(ls) > 0 && ls[0].GPL {
		out = append(out, ls[0].Name)
	}
	if len(out) > maxSuggestions {
		out = out[:maxSuggestions]
	}
	return out
}

func runModuleNameMismatch(p *Pass) {
	obj := p.Config.Module.Object
	if obj == "" {
		return
	}
	for _, c := range p.moduleCalls() {
		if c.param != nil {
			continue
		}
		e, ok := c.Entry("name")
		if !ok || !e.Colon || len(e.Strings) != 1 || e.Shape != symbols.ShapeString && e.Shape != symbols.ShapeByteString {
			continue
		}
		s := e.Strings[0]
		if modName(s.Value) == modName(obj) {
			continue
		}
		mk := p.Config.Module.Makefile
		f := Finding{Start: s.Start, End: s.End,
			Message: fmt.Sprintf("the module is named %q but %s builds it as %s.ko: modprobe, lsmod and modinfo know it as %s, while %q is only its log prefix and the prefix of its parameters and modinfo when built in", s.Value, baseName(mk), obj, obj, s.Value),
			Fixes:   []Fix{{Title: fmt.Sprintf("Name it %q", obj), Edits: []Edit{{Start: s.Start, End: s.End, NewText: quoteKind(litKind(s), obj)}}}}}
		p.report(c.Start, f)
	}
}

// modName is a module name as kbuild (KBUILD_MODNAME), modprobe and
// lsmod know it: `-` and `_` are the same.
func modName(s string) string { return strings.ReplaceAll(s, "-", "_") }

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	if path == "" {
		return "the Makefile"
	}
	return path
}

func runModuleUnknownType(p *Pass) {
	var types map[string]bool
	for _, c := range p.moduleCalls() {
		if c.param != nil {
			continue
		}
		e, ok := c.Entry("type")
		if !ok || !e.Colon || e.Shape != symbols.ShapeIdent {
			continue
		}
		if k, ok := c.schema.Key("type"); !ok || k.Kind != symbols.ValueIdent && k.Kind != symbols.ValueType {
			continue
		}
		if types == nil {
			names, glob := symbols.ImportedNames(p.File.Src)
			if glob {
				return
			}
			for _, t := range symbols.TypesInFile(p.File) {
				names[t.Name] = true
			}
			types = names
		}
		name := string(p.File.Src[e.Value.Start:e.Value.End])
		if types[name] || name == "Self" {
			continue
		}
		f := Finding{Start: e.Value.Start, End: e.Value.End,
			Message: fmt.Sprintf("no type named `%s` is declared or imported in this file", name)}
		var decls []string
		for _, t := range symbols.TypesInFile(p.File) {
			decls = append(decls, t.Name)
		}
		for _, d := range decls {
			if editDistance(name, d, 2) <= 2 {
				f.Fixes = append(f.Fixes, Fix{Title: "Replace with " + d, Edits: []Edit{{Start: e.Value.Start, End: e.Value.End, NewText: d}}})
			}
		}
		p.report(c.Start, f)
	}
}
