package diagnostics

import (
	"fmt"
	"slices"
	"sort"
	"strings"

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
}

// ModuleRules need Config.Module.
var ModuleRules = []*Rule{
	ModuleUnknownKey,
	ModuleMissingKey,
	ModuleDuplicateKey,
	ModuleKeyOrder,
	ModuleNonASCII,
	ModuleValueKind,
	ModuleUnknownLicense,
	ModuleNameMismatch,
	ModuleUnknownType,
}

// ModuleUnknownKey reports keys the macro does not take.
var ModuleUnknownKey = &Rule{
	Name:        "module-unknown-key",
	Doc:         "A key module! (or the module_*_driver! macro) does not take: the build fails with module.rs's \"Unknown key\" panic. The valid keys are read from the tree's rust/macros/module.rs; the fixes rename the key to a close valid one.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleUnknownKey,
}

// ModuleMissingKey reports a required key that is not written.
var ModuleMissingKey = &Rule{
	Name:        "module-missing-key",
	Doc:         "A key module! requires (type, name, license in 6.12: REQUIRED_KEYS of rust/macros/module.rs, or a driver macro's own keys) is not written. The fix inserts it in its place in the order.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleMissingKey,
}

// ModuleDuplicateKey reports a key written twice.
var ModuleDuplicateKey = &Rule{
	Name:        "module-duplicate-key",
	Doc:         "A key is written twice: module.rs panics with \"Duplicated key\". The fix removes the repeated entry.",
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
	Doc:         "A value is not of the kind module.rs reads for its key: a byte string b\"...\" where this kernel takes a string (or a string where an older kernel takes a byte string), a string where it takes an identifier, a single string where it takes an array. The fix converts between string and byte string literals.",
	Severity:    Error,
	NeedsModule: true,
	Run:         runModuleValueKind,
}

// ModuleUnknownLicense reports licences the kernel does not know.
var ModuleUnknownLicense = &Rule{
	Name:        "module-unknown-license",
	Doc:         "The license is not one of the strings the kernel knows (include/linux/license.h and MODULE_LICENSE's list in include/linux/module.h): the module is taken as proprietary, taints the kernel and cannot use EXPORT_SYMBOL_GPL symbols.",
	Severity:    Warning,
	NeedsModule: true,
	Run:         runModuleUnknownLicense,
}

// ModuleNameMismatch reports a name other than the kbuild object's.
var ModuleNameMismatch = &Rule{
	Name:        "module-name-mismatch",
	Doc:         "The name differs from the object the Makefile or Kbuild next to the file builds (obj-m += rust_minimal.o builds the module rust_minimal): modprobe, lsmod and modinfo know the module by the object's name, while module! gives its name to the log prefix and to the built-in module's parameters and modinfo.",
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

// modCall is an invocation with the schema of its macro.
type modCall struct {
	symbols.ModuleCall
	schema *symbols.ModuleSchema
}

// moduleCalls are the file's invocations, computed once per pass.
func (p *Pass) moduleCalls() []modCall {
	if p.modCallsDone {
		return p.modCalls
	}
	p.modCallsDone = true
	facts := p.Config.Module.Facts
	if facts == nil {
		return nil
	}
	for _, c := range symbols.ModuleCalls(p.File, func(n string) bool { return facts.Drivers[n] != nil }) {
		if s := facts.SchemaOf(c.Macro); s != nil {
			p.modCalls = append(p.modCalls, modCall{c, s})
		}
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

// macroLabel names the macro in messages.
func (c *modCall) macroLabel() string { return c.Macro + "!" }

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
			if d := p.Config.Module.Facts.Drivers[c.Macro]; d != nil && slices.Contains(d.Preset, e.Key) {
				f.Message = fmt.Sprintf("%s writes `%s` into module! itself: %s", c.macroLabel(), e.Key, f.Message)
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
				Extent:  Span{c.Start, c.Close + 1}}
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
	ind, _ := symbols.LineIndent(src, c.Start)
	return Edit{Start: c.Open + 1, End: c.Open + 1, NewText: "\n" + ind + "    " + text}
}

// moduleValue is the value a fix writes for a key: the file's module
// type, the object's name, "GPL", or an empty literal of the kind.
func (p *Pass) moduleValue(c *modCall, k symbols.ModuleKey) string {
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
			Extent:  Span{c.Start, c.Close + 1}}
		if len(seen) == len(c.Entries) { // nothing else in the way
			f.Fixes = []Fix{{Title: "Reorder the keys", Safe: true, Edits: reorderEdits(p.File.Src, seen, ordered)}}
		}
		p.report(c.Start, f)
	}
}

// reorderEdits puts each entry's text (key to comma) in the place of the
// entry that comes at its position in the order; the text between
// entries (blanks, comments) stays where it is.
func reorderEdits(src []byte, seen, ordered []symbols.ModuleEntry) []Edit {
	var edits []Edit
	last := seen[len(seen)-1]
	for i, slot := range seen {
		e := ordered[i]
		text := string(src[e.KeySpan.Start:e.End])
		if !e.Comma {
			text += ","
		}
		if slot.KeySpan == e.KeySpan {
			if !e.Comma && slot.KeySpan != last.KeySpan {
				edits = append(edits, Edit{Start: e.End, End: e.End, NewText: ","})
			}
			continue
		}
		edits = append(edits, Edit{Start: slot.KeySpan.Start, End: slot.End, NewText: text})
	}
	return edits
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
			f.Message += ", not " + shapeText(e.Shape)
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
	}
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
	case symbols.ValueGroup:
		return s == symbols.ShapeGroup
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

func runModuleUnknownLicense(p *Pass) {
	facts := p.Config.Module.Facts
	for _, c := range p.moduleCalls() {
		e, ok := c.Entry("license")
		if !ok || !e.Colon || len(e.Strings) != 1 || e.Shape != symbols.ShapeString && e.Shape != symbols.ShapeByteString {
			continue
		}
		s := e.Strings[0]
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
		e, ok := c.Entry("name")
		if !ok || !e.Colon || len(e.Strings) != 1 || e.Shape != symbols.ShapeString && e.Shape != symbols.ShapeByteString {
			continue
		}
		s := e.Strings[0]
		if s.Value == obj {
			continue
		}
		mk := p.Config.Module.Makefile
		f := Finding{Start: s.Start, End: s.End,
			Message: fmt.Sprintf("the module is named %q but %s builds it as %s.ko: modprobe, lsmod and modinfo know it as %s, while %q is only its log prefix and the prefix of its parameters and modinfo when built in", s.Value, baseName(mk), obj, obj, s.Value),
			Fixes:   []Fix{{Title: fmt.Sprintf("Name it %q", obj), Edits: []Edit{{Start: s.Start, End: s.End, NewText: quoteKind(litKind(s), obj)}}}}}
		p.report(c.Start, f)
	}
}

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
