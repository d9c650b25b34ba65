package workspace

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
)

// The module! features of a Rust document: the facts the module! rules
// check against, completion of keys and values inside module! and the
// driver macros (and of a whole module! block at item level), and hover
// on a key. Their facts come from the file's srctree (found as the
// kernel rules find it, without loading Kconfig), else from the built-in
// 6.12 facts.

// ModuleFactsCache keeps the module! facts of each srctree, read again
// when one of the files they were read from changes. It also keeps the parsed kbuild files of each folder (the object name
// of every file analysed), read again when one changes.
type ModuleFactsCache struct {
	facts  stampedCache[*symbols.ModuleFacts]
	kbuild stampedCache[[]*symbols.Kbuild]
	// crates keeps, per file, the module-like macro_rules! its crate
	// defines (symbols.CrateMacros), read again when a file of the
	// crate, a folder walked or a kbuild file changes.
	crates stampedCache[map[string]string]
}

// moduleFactFiles are the files the facts are read from, below srctree
// (the driver macros of rust/kernel are read with them, but a change
// there does not trigger a reread).
var moduleFactFiles = []string{
	"rust/macros/module.rs", "rust/macros/helpers.rs", "rust/macros/lib.rs",
	"include/linux/license.h", "include/linux/module.h",
	"rust/kernel/module_param.rs", "rust/syn/token.rs",
}

var builtinFacts = sync.OnceValue(symbols.BuiltinModuleFacts)

// ForPath returns the facts of the tree that path belongs to (located
// as the kernel rules locate it), or the built-in ones when it belongs
// to none. Callers that know the srctree call For.
func (c *ModuleFactsCache) ForPath(ctx context.Context, path string, set KernelSettings) *symbols.ModuleFacts {
	if path == "" {
		return builtinFacts()
	}
	trees, err := LocateKernel(path, set, nil)
	if err != nil {
		return builtinFacts()
	}
	return c.For(ctx, trees.Srctree)
}

// For returns the facts of srctree, or the built-in ones for "" or a
// tree without rust/macros/module.rs.
func (c *ModuleFactsCache) For(ctx context.Context, src string) *symbols.ModuleFacts {
	if src == "" {
		return builtinFacts()
	}
	return c.facts.get(src, func() (*symbols.ModuleFacts, stampSet, bool) {
		// Stamped before the read: a change during it means another.
		stamps := stampSet{}
		for _, f := range moduleFactFiles {
			stamps.record(filepath.Join(src, f))
		}
		if stamps[filepath.Join(src, moduleFactFiles[0])].gone {
			return builtinFacts(), stamps, true // until module.rs appears
		}
		facts := symbols.ReadModuleFacts(ctx, src)
		return facts, stamps, ctx.Err() == nil // partial: not kept
	})
}

// ModuleConfig is what the module! rules get for the file at path: the
// facts of srctree, the tree the caller found for the file; when it has
// none ("", e.g. the kernel failed to load), the tree is located from
// path with set.
func (c *ModuleFactsCache) ModuleConfig(ctx context.Context, path, srctree string, set KernelSettings) *diagnostics.ModuleConfig {
	var facts *symbols.ModuleFacts
	if srctree != "" {
		facts = c.For(ctx, srctree)
	} else {
		facts = c.ForPath(ctx, path, set)
	}
	mc := &diagnostics.ModuleConfig{Facts: facts}
	if path != "" {
		mc.Object, mc.Makefile, _ = c.objectName(path)
		mc.CrateMacro = c.crateMacro(path, facts.Srctree)
	}
	return mc
}

// crateMacro returns the question MacroScope.Crate asks for the file at
// path, answered from the crate's files when first asked (only for an
// invocation the file does not resolve itself), then from the cache.
func (c *ModuleFactsCache) crateMacro(path, srctree string) func(string) bool {
	var once sync.Once
	var macros map[string]string
	return func(name string) bool {
		once.Do(func() { macros = c.crateMacros(path, srctree) })
		_, ok := macros[name]
		return ok
	}
}

// crateMacros are the module-like macro_rules! of the crate of the file
// at path, walking up from it no further than srctree (when the file is
// in it; else its own folder).
func (c *ModuleFactsCache) crateMacros(path, srctree string) map[string]string {
	// Both absolute, as treeMacros.crateUses has them: `krls check .`
	// gives relative paths, and the prefix test below needs one form.
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if abs, err := filepath.Abs(srctree); err == nil && srctree != "" {
		srctree = abs
	}
	stop := ""
	if srctree != "" && strings.HasPrefix(filepath.Clean(path), filepath.Clean(srctree)+string(filepath.Separator)) {
		stop = srctree
	}
	return c.crates.get(path, func() (map[string]string, stampSet, bool) {
		_, macros, files, _ := symbols.CrateMacros(path, stop)
		stamps := stampSet{}
		stamps.record(files...)
		return macros, stamps, true
	})
}

// macroScope is built on first use: the scope of a document that
// invokes no module!-like macro is never read (hover and completion ask
// on every request, and reading it lexes the whole buffer).
type macroScope func() *symbols.MacroScope

// MacroScope is what decides which invocations of the document name the
// kernel's module! and driver macros (with the crate's macro_rules!
// asked lazily).
func (c *ModuleFactsCache) MacroScope(d *Document, facts *symbols.ModuleFacts) macroScope {
	return sync.OnceValue(func() *symbols.MacroScope {
		sc := symbols.NewMacroScope(d.Path, d.Text, nil)
		if d.Path != "" {
			sc.Crate = c.crateMacro(d.Path, facts.Srctree)
		}
		return sc
	})
}

// kernelCalls are the document's invocations of the kernel's module! and
// driver macros, by text (a nil scope takes every invocation).
func kernelCalls(facts *symbols.ModuleFacts, scope macroScope, src []byte) []symbols.ModuleCall {
	var out []symbols.ModuleCall
	for _, c := range symbols.ModuleCallsText(src, func(n string) bool { return facts.Drivers[n] != nil }) {
		if facts.SchemaOf(c.Macro) != nil && (scope == nil || scope().IsKernel(src, c)) {
			out = append(out, c)
		}
	}
	return out
}

// moduleHover documents the key at off of a module! invocation (or of a
// parameter's block), from the macro's documentation in the tree, the
// accepted types on a parameter's type, or the macro's keys on its name.
func moduleHover(facts *symbols.ModuleFacts, scope macroScope, d *Document, off int) *Hover {
	for _, c := range kernelCalls(facts, scope, d.Text) {
		s := facts.SchemaOf(c.Macro)
		if c.Name.Start <= off && off < c.Name.End {
			return &Hover{Start: c.Name.Start, End: c.Name.End, Markdown: macroMarkdown(facts, c.Macro, s)}
		}
		if off <= c.Open || off > c.Close {
			continue
		}
		for _, e := range c.Entries {
			k, known := s.Key(e.Key)
			if e.KeySpan.Start <= off && off < e.KeySpan.End {
				if !known {
					return nil
				}
				return &Hover{Start: e.KeySpan.Start, End: e.KeySpan.End, Markdown: keyMarkdown(facts, c.Macro, k)}
			}
			if known && k.Params != nil && e.Value.Start < off && off < e.Value.End {
				return paramHover(facts, c.Macro, k.Params, d.Text, e, off)
			}
		}
	}
	return nil
}

// paramHover documents what is at off in a params block: a key of a
// parameter's block, or a parameter's type.
func paramHover(facts *symbols.ModuleFacts, macro string, ps *symbols.ParamSchema, src []byte, e symbols.ModuleEntry, off int) *Hover {
	for _, prm := range symbols.ModuleParams(src, e) {
		if prm.Type.Start <= off && off < prm.Type.End {
			ty := string(src[prm.Type.Start:prm.Type.End])
			var b strings.Builder
			fmt.Fprintf(&b, "**%s** — the type of module parameter `%s`", ty, prm.Key)
			if !ps.HasType(ty) {
				b.WriteString(" (not one module! takes)")
			}
			b.WriteString("\n\n" + paramTypesText(ps) + "\n\n" + factsSource(facts, macro))
			return &Hover{Start: prm.Type.Start, End: prm.Type.End, Markdown: b.String()}
		}
		if !prm.HasBlock || off <= prm.Block.Open || off > prm.Block.Close {
			continue
		}
		for _, fe := range prm.Block.Entries {
			if fe.KeySpan.Start <= off && off < fe.KeySpan.End {
				k, ok := ps.Fields.Key(fe.Key)
				if !ok {
					return nil
				}
				return &Hover{Start: fe.KeySpan.Start, End: fe.KeySpan.End, Markdown: fieldMarkdown(facts, macro, ps, k)}
			}
		}
	}
	return nil
}

// paramTypesText lists the parameter types a tree takes.
func paramTypesText(ps *symbols.ParamSchema) string {
	var ts []string
	for _, t := range ps.Types {
		ts = append(ts, "`"+t+"`")
	}
	if len(ts) == 0 {
		return "The tree lists no parameter types."
	}
	return "Parameter types module! takes: " + strings.Join(ts, ", ") + "."
}

// fieldMarkdown documents a key of a parameter's block.
func fieldMarkdown(facts *symbols.ModuleFacts, macro string, ps *symbols.ParamSchema, k symbols.ModuleKey) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** — a module parameter of %s!: %s", k.Name, macro, k.Kind)
	if k.Helper != "" {
		fmt.Fprintf(&b, " (%s)", k.Helper)
	}
	if k.Required {
		b.WriteString(", required")
	}
	b.WriteString("\n\n")
	switch k.Name {
	case "default":
		b.WriteString("The parameter's value until the module is loaded with another (`modprobe name param=value`, or `name.param=value` on the command line when built in).\n\n")
	case "description":
		b.WriteString("What `modinfo` shows for the parameter (its `parm` modinfo string).\n\n")
	}
	fmt.Fprintf(&b, "Each entry of `params`: `%s`.\n\n", ps)
	b.WriteString(factsSource(facts, macro))
	return b.String()
}

// keyMarkdown documents one key.
func keyMarkdown(facts *symbols.ModuleFacts, macro string, k symbols.ModuleKey) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** — %s!: %s", k.Name, macro, k.Kind)
	if k.Required {
		b.WriteString(", required")
	}
	b.WriteString("\n\n")
	if k.Doc != "" {
		b.WriteString(k.Doc + "\n\n")
	}
	if k.Name == "license" {
		b.WriteString("Accepted:")
		for _, l := range facts.Licenses {
			fmt.Fprintf(&b, " `%q`", l.Name)
		}
		b.WriteString("\n\n")
	}
	if k.Params != nil {
		fmt.Fprintf(&b, "Each entry: `%s`. %s\n\n", k.Params, paramTypesText(k.Params))
	}
	b.WriteString(factsSource(facts, macro))
	return b.String()
}

// macroMarkdown lists a macro's keys.
func macroMarkdown(facts *symbols.ModuleFacts, macro string, s *symbols.ModuleSchema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s!** takes, in this order:\n\n", macro)
	for _, k := range s.Keys {
		req := ""
		if k.Required {
			req = " (required)"
		}
		fmt.Fprintf(&b, "- `%s`: %s%s\n", k.Name, k.Kind, req)
	}
	b.WriteString("\n" + factsSource(facts, macro))
	return b.String()
}

// factsSource says where the facts come from.
func factsSource(facts *symbols.ModuleFacts, macro string) string {
	if facts.Srctree == "" {
		return "_Linux 6.12's module! (krls's built-in schema: no kernel tree found)_"
	}
	if d := facts.Drivers[macro]; d != nil {
		rel, _ := filepath.Rel(facts.Srctree, d.File)
		return fmt.Sprintf("_From %s:%d and rust/macros/module.rs of %s_", rel, d.Line+1, facts.Srctree)
	}
	return "_From rust/macros/module.rs and lib.rs of " + facts.Srctree + "_"
}

// Completion item kinds, as the lsp package maps them.
const (
	CompletionKey     = "key"
	CompletionValue   = "value"
	CompletionType    = "type"
	CompletionSnippet = "snippet"
)

// moduleComplete lists completions inside a module! invocation, or a
// module! block at item level. ok is false when off is in neither place
// (the caller then tries others).
func moduleComplete(ctx context.Context, facts *symbols.ModuleFacts, scope macroScope, d *Document, off int, object string) ([]CompletionItem, bool, error) {
	src := d.Text
	calls := kernelCalls(facts, scope, src)
	if c, ok := symbols.CallAt(calls, off); ok {
		return callCompletions(ctx, facts, d, c, facts.SchemaOf(c.Macro), off), true, nil
	}
	start := off
	for start > 0 && symbols.IsIdentByte(src[start-1]) {
		start--
	}
	word := string(src[start:off])
	if len(word) < 2 || !strings.HasPrefix("module", word) || !symbols.AtItemLevel(src, start) {
		return nil, false, nil
	}
	// Only at the start of a line, and once per file.
	if ind, own := symbols.LineIndent(src, start); !own || ind != "" {
		return nil, false, nil
	}
	if len(calls) > 0 {
		return nil, true, nil
	}
	end := off
	for end < len(src) && symbols.IsIdentByte(src[end]) {
		end++
	}
	if end < len(src) && src[end] == '!' {
		end++
	}
	var typ string
	if f, err := parseRust(ctx, d); err == nil {
		for _, t := range symbols.TypesInFile(f) {
			if t.Module {
				typ = t.Name
				break
			}
		}
		f.Close()
	}
	return []CompletionItem{{
		Label: "module!", Detail: "a module! block (" + facts.Schema.Source + ")", Kind: CompletionSnippet,
		Insert: moduleBlockSnippet(facts, typ, object), Snippet: true, Start: start, End: end, Filter: "module!",
		Doc: macroMarkdown(facts, "module", facts.Schema),
	}}, true, nil
}

// moduleBlockSnippet is a whole module! block: the required keys and the
// descriptive ones (author(s), description), with the type and name
// filled in when known.
func moduleBlockSnippet(facts *symbols.ModuleFacts, typ, object string) string {
	var b strings.Builder
	b.WriteString("module! {\n")
	n := 1
	for _, k := range facts.Schema.Keys {
		if !k.Required && k.Name != "author" && k.Name != "authors" && k.Name != "description" {
			continue
		}
		var def string
		switch k.Name {
		case "type":
			def = typ
			if def == "" {
				def = "Module"
			}
		case "name":
			def = object
		case "license":
			if len(facts.Licenses) > 0 {
				def = facts.Licenses[0].Name
			}
		}
		v := strings.Replace(k.Kind.Snippet(), "$1", fmt.Sprintf("${%d:%s}", n, snippetEscape(def)), 1)
		if def == "" {
			v = strings.Replace(k.Kind.Snippet(), "$1", fmt.Sprintf("$%d", n), 1)
		}
		n++
		fmt.Fprintf(&b, "\t%s: %s,\n", k.Name, v)
	}
	b.WriteString("}\n$0")
	return b.String()
}

// snippetEscape escapes text for an LSP snippet placeholder.
func snippetEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `$`, `\$`, `}`, `\}`).Replace(s)
}

// callCompletions completes a key, or the value of license or type.
func callCompletions(ctx context.Context, facts *symbols.ModuleFacts, d *Document, c symbols.ModuleCall, s *symbols.ModuleSchema, off int) []CompletionItem {
	src := d.Text
	// The entry the cursor is in: a key being typed, or a value.
	for _, e := range c.Entries {
		if e.Colon && off > e.KeySpan.End && (off <= e.End || !e.Comma && off <= nextEntryStart(c, e)) {
			if k, ok := s.Key(e.Key); ok && k.Params != nil && e.Shape == symbols.ShapeGroup && e.Value.Start < off && (off < e.Value.End || !closedGroup(src, e)) {
				return paramsCompletions(ctx, facts, d, k.Params, e, off)
			}
			return valueCompletions(ctx, facts, d, e, off)
		}
		if !e.Colon && e.KeySpan.Start <= off && off <= e.KeySpan.End {
			return keyCompletions(s, c, off, e.KeySpan.Start, e.KeySpan.End, src)
		}
	}
	// Between entries: a key goes here if the entry before ends with a
	// comma (or there is none).
	var prev *symbols.ModuleEntry
	for i := range c.Entries {
		if c.Entries[i].End <= off {
			prev = &c.Entries[i]
		}
	}
	if prev != nil && !prev.Comma {
		return nil
	}
	start := off
	for start > 0 && symbols.IsIdentByte(src[start-1]) {
		start--
	}
	end := off
	for end < len(src) && symbols.IsIdentByte(src[end]) {
		end++
	}
	return keyCompletions(s, c, off, start, end, src)
}

// nextEntryStart is where the entry after e begins (or the close).
func nextEntryStart(c symbols.ModuleCall, e symbols.ModuleEntry) int {
	for _, x := range c.Entries {
		if x.KeySpan.Start > e.KeySpan.Start {
			return x.KeySpan.Start
		}
	}
	return c.Close
}

// keyCompletions offers the keys not yet written, in the required order,
// as `key: value,` snippets replacing start..end.
func keyCompletions(s *symbols.ModuleSchema, c symbols.ModuleCall, off, start, end int, src []byte) []CompletionItem {
	written := map[string]bool{}
	for _, e := range c.Entries {
		if e.Colon && !(e.KeySpan.Start <= off && off <= e.KeySpan.End) {
			written[e.Key] = true
		}
	}
	// A colon already typed after the word: insert the key alone.
	hasColon := false
	if j := skipBlank(src, end); j < len(src) && src[j] == ':' {
		hasColon = true
	}
	var out []CompletionItem
	for i, k := range s.Keys {
		if written[k.Name] {
			continue
		}
		it := CompletionItem{Label: k.Name, Detail: k.Kind.String(), Kind: CompletionKey, Start: start, End: end,
			Sort: fmt.Sprintf("%02d", i), Doc: k.Doc}
		if k.Required {
			it.Detail += " (required)"
		}
		switch {
		case hasColon:
			it.Insert = k.Name
		case k.Params != nil:
			// A block with one parameter to fill in.
			it.Insert, it.Snippet = k.Name+": {\n\t"+indentSnippet(paramSnippet(k.Params, "", 1), "\t")+"\n},", true
		default:
			it.Insert, it.Snippet = k.Name+": "+k.Kind.Snippet()+",", true
		}
		out = append(out, it)
	}
	return out
}

func skipBlank(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i
}

// valueCompletions offers the licences for `license:`, the file's types
// for `type:`; nothing for other keys.
func valueCompletions(ctx context.Context, facts *symbols.ModuleFacts, d *Document, e symbols.ModuleEntry, off int) []CompletionItem {
	src := d.Text
	start, end := off, off
	if e.Value.End > e.Value.Start && e.Value.Start <= off && off <= e.Value.End {
		start, end = e.Value.Start, e.Value.End
	}
	switch e.Key {
	case "license":
		var out []CompletionItem
		byteStr := len(e.Strings) == 1 && e.Strings[0].Byte
		if k, ok := facts.SchemaOf("module").Key("license"); ok && k.Kind == symbols.ValueByteString {
			byteStr = true
		}
		for i, l := range facts.Licenses {
			text := fmt.Sprintf("%q", l.Name)
			if byteStr {
				text = "b" + text
			}
			detail := "GPL-compatible"
			if !l.GPL {
				detail = "not GPL-compatible: taints the kernel, no EXPORT_SYMBOL_GPL symbols"
			}
			out = append(out, CompletionItem{Label: text, Insert: text, Detail: detail, Kind: CompletionValue,
				Start: start, End: end, Sort: fmt.Sprintf("%02d", i), Filter: text})
		}
		return out
	case "type":
		if e.Shape == symbols.ShapeString || e.Shape == symbols.ShapeArray {
			return nil
		}
		f, err := parseRust(ctx, d)
		if err != nil {
			return nil
		}
		defer f.Close()
		if start == off { // the identifier being typed
			for start > 0 && symbols.IsIdentByte(src[start-1]) {
				start--
			}
			for end < len(src) && symbols.IsIdentByte(src[end]) {
				end++
			}
		}
		var out []CompletionItem
		for i, t := range symbols.TypesInFile(f) {
			detail := "type in this file"
			if t.Module {
				detail = "implements kernel::Module"
			}
			out = append(out, CompletionItem{Label: t.Name, Insert: t.Name, Detail: detail, Kind: CompletionType,
				Start: start, End: end, Sort: fmt.Sprintf("%02d", i)})
		}
		return out
	}
	return nil
}

// objectName is symbols.ObjectName from the folder's cached kbuild
// files.
func (c *ModuleFactsCache) objectName(path string) (name, mkfile string, ok bool) {
	dir := filepath.Dir(path)
	files := c.kbuild.get(dir, func() ([]*symbols.Kbuild, stampSet, bool) {
		stamps := stampSet{}
		for _, n := range symbols.KbuildNames {
			stamps.record(filepath.Join(dir, n))
		}
		return symbols.ReadKbuildDir(dir), stamps, true
	})
	return symbols.ObjectIn(files, path)
}

// moduleObject is the kbuild object of the document's file ("" unknown).
func (c *ModuleFactsCache) moduleObject(d *Document) string {
	if d.Path == "" {
		return ""
	}
	name, _, _ := c.objectName(d.Path)
	return name
}

// closedGroup reports whether an entry's `{ ... }` value is closed.
func closedGroup(src []byte, e symbols.ModuleEntry) bool {
	return e.Last.Start > e.Value.Start && src[e.Last.Start] == '}'
}

// paramSnippet is one entry of a params block: the name (name, or a tab
// stop), a type, and the block with the required keys, tab stops
// numbered from n.
func paramSnippet(ps *symbols.ParamSchema, name string, n int) string {
	var b strings.Builder
	if name == "" {
		fmt.Fprintf(&b, "${%d:name}", n)
		n++
	} else {
		b.WriteString(snippetEscape(name))
	}
	fmt.Fprintf(&b, ": ${%d:%s} {\n", n, snippetEscape(defaultParamType(ps)))
	n++
	for _, k := range ps.Fields.Keys {
		if !k.Required {
			continue
		}
		v := fmt.Sprintf("${%d:0}", n)
		if k.Kind != symbols.ValueExpr && k.Kind != symbols.ValueLiteral {
			v = strings.Replace(k.Kind.Snippet(), "$1", fmt.Sprintf("$%d", n), 1)
		}
		n++
		fmt.Fprintf(&b, "\t%s: %s,\n", k.Name, v)
	}
	b.WriteString("},")
	return b.String()
}

// defaultParamType is the type a new parameter's snippet proposes: i32
// (C's int, module_param's most common type) when the tree takes it.
func defaultParamType(ps *symbols.ParamSchema) string {
	if ps.HasType("i32") || len(ps.Types) == 0 {
		return "i32"
	}
	return ps.Types[0]
}

// indentSnippet indents every line of a snippet but the first.
func indentSnippet(s, ind string) string {
	return strings.ReplaceAll(s, "\n", "\n"+ind)
}

// paramsCompletions completes inside a params block: a whole parameter
// where an entry begins, the accepted types after a parameter's `:`, and
// the keys of a parameter's block inside it.
func paramsCompletions(ctx context.Context, facts *symbols.ModuleFacts, d *Document, ps *symbols.ParamSchema, e symbols.ModuleEntry, off int) []CompletionItem {
	src := d.Text
	params := symbols.ModuleParams(src, e)
	var prev *symbols.ModuleParam
	for i := range params {
		prm := &params[i]
		if prm.HasBlock && prm.Block.Open < off && off <= prm.Block.Close {
			return callCompletions(ctx, facts, d, prm.Block, ps.Fields, off)
		}
		// The type goes up to the block, the comma, or (being typed)
		// the next parameter.
		typeEnd := e.Value.End
		switch {
		case prm.HasBlock:
			typeEnd = prm.Block.Open
		case prm.Comma:
			typeEnd = prm.End - 1
		case i+1 < len(params):
			typeEnd = params[i+1].Name.Start
		}
		if prm.Colon && off > prm.Name.End && off <= typeEnd {
			return paramTypeCompletions(ps, src, prm, off)
		}
		if prm.Name.Start <= off && off <= prm.Name.End && !prm.Colon {
			return []CompletionItem{paramItem(ps, prm.Name.Start, prm.Name.End, string(src[prm.Name.Start:off]))}
		}
		if prm.End <= off {
			prev = prm
		}
	}
	if prev != nil && !prev.Comma {
		return nil
	}
	start, end := off, off
	for start > 0 && symbols.IsIdentByte(src[start-1]) {
		start--
	}
	for end < len(src) && symbols.IsIdentByte(src[end]) {
		end++
	}
	return []CompletionItem{paramItem(ps, start, end, string(src[start:off]))}
}

// paramItem is the snippet of a whole parameter, replacing start..end
// (the name being typed, which it keeps).
func paramItem(ps *symbols.ParamSchema, start, end int, typed string) CompletionItem {
	filter := "parameter"
	if typed != "" {
		filter = typed
	}
	return CompletionItem{Label: "parameter", Detail: ps.String(), Kind: CompletionSnippet,
		Insert: paramSnippet(ps, typed, 1), Snippet: true, Start: start, End: end, Filter: filter,
		Doc: "A module parameter: `" + ps.String() + "`.\n\n" + paramTypesText(ps)}
}

// paramTypeCompletions offers the parameter types the tree accepts.
func paramTypeCompletions(ps *symbols.ParamSchema, src []byte, prm *symbols.ModuleParam, off int) []CompletionItem {
	start, end := off, off
	if prm.Type.End > prm.Type.Start && prm.Type.Start <= off && off <= prm.Type.End {
		start, end = prm.Type.Start, prm.Type.End
	}
	for start > 0 && symbols.IsIdentByte(src[start-1]) {
		start--
	}
	var out []CompletionItem
	for i, t := range ps.Types {
		out = append(out, CompletionItem{Label: t, Insert: t, Detail: "module parameter type", Kind: CompletionType,
			Start: start, End: end, Sort: fmt.Sprintf("%02d", i)})
	}
	return out
}
