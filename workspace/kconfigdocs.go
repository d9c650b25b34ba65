package workspace

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
)

// What krls says about Kconfig files and .config files open in the editor:
// their diagnostics, hovers, definitions and outlines. Offsets are bytes
// of the document's text.

// Rule names of the findings in Kconfig and .config documents (the Rust
// rules are in package diagnostics).
const (
	RuleKconfigSyntax    = "kconfig-syntax"
	RuleKconfigUndefined = "kconfig-undefined-symbol"
	RuleDotConfigStale   = "dotconfig-stale"
	RuleDotConfigUnknown = "dotconfig-unknown-symbol"
	RuleDotConfigInvalid = "dotconfig-invalid"
)

// DocKind tells the documents krls understands apart.
type DocKind int

const (
	KindOther DocKind = iota
	KindRust
	KindKconfig
	KindDotConfig
)

// KindOf classifies a document by its language id, path or key (URI):
// Rust (.rs), Kconfig (a file named Kconfig or Kconfig.*), or a .config.
func KindOf(languageID, path, key string) DocKind {
	if IsRust(languageID, path, key) {
		return KindRust
	}
	name := path
	if name == "" {
		k, _, _ := strings.Cut(key, "?")
		k, _, _ = strings.Cut(k, "#")
		name = k[strings.LastIndexAny(k, "/:")+1:]
	}
	base := filepath.Base(name)
	switch {
	case strings.EqualFold(languageID, "kconfig") || base == "Kconfig" || strings.HasPrefix(base, "Kconfig."):
		return KindKconfig
	case base == ".config":
		return KindDotConfig
	}
	return KindOther
}

// Kind classifies the document.
func (d *Document) Kind() DocKind { return KindOf(d.LanguageID, d.Path, d.Key) }

// relPath is the document's path relative to the kernel's srctree, as
// Kconfig positions name files.
func relPath(k *Kernel, path string) string {
	if rel, err := filepath.Rel(k.Srctree, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

// sameAsDisk reports whether the document's text is what its file holds:
// then the kernel's load (which read the file) speaks of this text.
func sameAsDisk(d *Document) bool {
	if d.Path == "" {
		return false
	}
	b, err := os.ReadFile(d.Path)
	return err == nil && bytes.Equal(b, d.Text)
}

// lineSpan is the span of line (1-based) less its leading and trailing
// blanks, in lines' text.
func lineSpan(lines *symbols.Lines, line int) (int, int) {
	i := line - 1
	start, end := lines.Start(i), lines.End(i)
	src := lines.Src()
	for start < end && isBlank(src[start]) {
		start++
	}
	for end > start && isBlank(src[end-1]) {
		end--
	}
	return start, end
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// wordsIn returns the offsets (in text) of name as a whole word in a
// Kconfig line, outside strings and the trailing comment.
func wordsIn(text []byte, base int, name string) []int {
	var out []int
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return out
		case isWordByte(c) && (i == 0 || !isWordByte(text[i-1])):
			j := i
			for j < len(text) && isWordByte(text[j]) {
				j++
			}
			if string(text[i:j]) == name {
				out = append(out, base+i)
			}
			i = j - 1
		}
	}
	return out
}

// wordAt returns the word (letters, digits, _) around off and its span.
func wordAt(src []byte, off int) (string, int, int) {
	off = max(0, min(off, len(src)))
	start, end := off, off
	for start > 0 && isWordByte(src[start-1]) {
		start--
	}
	for end < len(src) && isWordByte(src[end]) {
		end++
	}
	return string(src[start:end]), start, end
}

// kernelDialect is the Kconfig dialect of k's tree, or the newest krls
// knows when there is no kernel.
func kernelDialect(k *Kernel) *kconfig.Dialect {
	if k != nil && k.K != nil {
		return k.K.Dialect
	}
	return kconfig.Latest()
}

// kconfigFindings are the diagnostics of a Kconfig document: its syntax
// errors, the load's errors for it (when the text is the file's), and
// names it uses that no Kconfig file defines.
func kconfigFindings(d *Document, k *Kernel) []diagnostics.Finding {
	lines := symbols.NewLines(d.Text)
	rel := d.Name()
	if k != nil {
		rel = relPath(k, d.Path)
	}
	f := kconfig.ParseFileDialect(rel, d.Text, kernelDialect(k))
	var out []diagnostics.Finding
	add := func(rule string, sev diagnostics.Severity, start, end int, msg string) {
		out = append(out, diagnostics.Finding{Rule: rule, Severity: sev, Start: start, End: end, Message: msg, Extent: diagnostics.Span{Start: start, End: end}})
	}
	errSeverity := func(e *kconfig.Error) diagnostics.Severity {
		if e.Warning {
			return diagnostics.Warning
		}
		return diagnostics.Error
	}
	for _, e := range f.Errors {
		start, end := lineSpan(lines, e.Line)
		add(RuleKconfigSyntax, errSeverity(e), start, end, e.Msg)
	}
	if k == nil {
		return out
	}
	if sameAsDisk(d) {
		seen := map[string]bool{}
		for _, e := range f.Errors {
			seen[fmt.Sprint(e.Line, e.Msg)] = true
		}
		for _, e := range k.K.Errors {
			if e.File != rel || seen[fmt.Sprint(e.Line, e.Msg)] {
				continue
			}
			start, end := lineSpan(lines, e.Line)
			add(RuleKconfigSyntax, errSeverity(e), start, end, e.Msg)
		}
	}
	refs := kconfig.NameRefs(f)
	here := map[string]bool{}
	for _, r := range refs {
		if r.Def {
			here[r.Name] = true
		}
	}
	nth := map[[2]any]int{}
	for _, r := range refs {
		key := [2]any{r.Name, r.Line}
		n := nth[key]
		nth[key] = n + 1
		if r.Def || here[r.Name] || k.Defs.Lookup(r.Name) != nil {
			continue
		}
		i := r.Line - 1
		offs := wordsIn(lines.Text(i), lines.Start(i), r.Name)
		start, end := lineSpan(lines, r.Line)
		if n < len(offs) {
			start, end = offs[n], offs[n]+len(r.Name)
		}
		add(RuleKconfigUndefined, diagnostics.Warning, start, end,
			fmt.Sprintf("%s is not defined by any Kconfig file, for any architecture: it is always n", r.Name))
	}
	return out
}

// dotConfigEval evaluates a .config document: the kernel's own evaluation
// when the document is its .config as on disk, else the document's text
// applied to the kernel's Kconfig.
func dotConfigEval(d *Document, k *Kernel) (*kconfig.Eval, *kconfig.DotConfig, error) {
	if k.Eval != nil && d.Path == k.DotConfig() && sameAsDisk(d) {
		return k.Eval, k.Dot, nil
	}
	dot, err := kconfig.ParseDotConfig(d.Name(), bytes.NewReader(d.Text))
	if err != nil {
		return nil, nil, err
	}
	e := kconfig.NewEval(k.K)
	e.Apply(dot)
	e.Freeze()
	return e, dot, nil
}

// dotConfigFindings are the diagnostics of a .config document: lines the
// next build would change (a stale .config after a pull or a toolchain
// change), with the reason; symbols this tree does not define for the
// arch; values conf rejects.
func dotConfigFindings(d *Document, k *Kernel) ([]diagnostics.Finding, error) {
	e, dot, err := dotConfigEval(d, k)
	if err != nil {
		return nil, err
	}
	lines := symbols.NewLines(d.Text)
	var out []diagnostics.Finding
	add := func(rule string, sev diagnostics.Severity, line int, msg string) {
		start, end := lineSpan(lines, line)
		out = append(out, diagnostics.Finding{Rule: rule, Severity: sev, Start: start, End: end, Message: msg, Extent: diagnostics.Span{Start: start, End: end}})
	}
	for _, p := range dot.Problems {
		add(RuleDotConfigInvalid, diagnostics.Warning, p.Line, p.Msg)
	}
	for _, w := range e.Warnings {
		if w.Line > 0 && w.File == dot.Path {
			add(RuleDotConfigInvalid, diagnostics.Warning, w.Line, w.Msg)
		}
	}
	last := map[string]int{}
	for i, en := range dot.Entries {
		last[en.Name] = i
	}
	for i, en := range dot.Entries {
		if last[en.Name] != i {
			continue // overridden by a later line: conf warned above
		}
		s := k.Symbol(en.Name)
		if s == nil {
			msg := fmt.Sprintf("CONFIG_%s is not a symbol of this tree for %s: the next build drops it", en.Name, k.Arch)
			if defs := k.Defs.Lookup(en.Name); len(defs) > 0 {
				msg = fmt.Sprintf("CONFIG_%s is defined only in %s, not for %s: the next build drops it", en.Name, defs[0].File, k.Arch)
			}
			add(RuleDotConfigUnknown, diagnostics.Information, en.Line, msg)
			continue
		}
		x := kconfig.Explain(e, s)
		user := en.Value
		if en.Unset {
			user = "n"
		}
		if s.Type == kconfig.String {
			user = x.User
		}
		switch {
		case x.Probe:
			// Decided by a toolchain probe krls did not run: the .config
			// is the only witness.
		case s.Transitional:
			add(RuleDotConfigStale, diagnostics.Information, en.Line,
				fmt.Sprintf("CONFIG_%s is transitional: the next build reads it once and drops it", en.Name))
		case !e.Written(s) && user != "n":
			// "n because RUST depends on ..." reads "RUST depends on ...".
			why := strings.TrimPrefix(strings.TrimPrefix(x.Why, x.Value+" because "), x.Value+" ")
			add(RuleDotConfigStale, diagnostics.Warning, en.Line,
				fmt.Sprintf("CONFIG_%s=%s will be dropped by the next build: %s", en.Name, en.Value, why))
		case e.Written(s) && x.HasUser && x.User != x.Value:
			add(RuleDotConfigStale, diagnostics.Warning, en.Line,
				fmt.Sprintf("the next build changes CONFIG_%s from %s to %s: %s", en.Name, x.User, x.Value, strings.TrimPrefix(x.Why, "the .config says "+x.User+" but the next build will make it "+x.Value+": ")))
		}
	}
	return out, nil
}

// Hover is what a hover shows: markdown about the text from Start to End.
type Hover struct {
	Start, End int
	Markdown   string
}

// Location is a place in a file: a 1-based line, and byte offsets in the
// file when known (Start < 0 when only the line is).
type Location struct {
	Path       string
	Line       int
	Start, End int
}

// symbolAt finds the Kconfig symbol a Kconfig or .config document names
// at off: the word there, with a CONFIG_ prefix dropped (help texts and
// .config lines spell names with it).
func symbolAt(d *Document, off int) (string, int, int) {
	word, start, end := wordAt(d.Text, off)
	if name, ok := strings.CutPrefix(word, "CONFIG_"); ok {
		return name, start, end
	}
	return word, start, end
}

// kconfigHover explains the symbol at off in a Kconfig or .config
// document.
func kconfigHover(d *Document, k *Kernel, off int) (*Hover, error) {
	name, start, end := symbolAt(d, off)
	if name == "" {
		return nil, nil
	}
	md := SymbolMarkdown(k, name, nil)
	if md == "" {
		return nil, nil
	}
	return &Hover{Start: start, End: end, Markdown: md}, nil
}

// SymbolMarkdown describes a symbol for a hover: value and type, prompt,
// where it is defined, dependencies with values, what selects it, why it
// has its value, and its help. e is the evaluation to describe (nil: the
// kernel's own). It returns "" for a name no Kconfig file defines.
func SymbolMarkdown(k *Kernel, name string, e *kconfig.Eval) string {
	if e == nil {
		e = k.Eval
	}
	s := k.Symbol(name)
	if s == nil {
		defs := k.Defs.Lookup(name)
		if len(defs) == 0 {
			return ""
		}
		return fmt.Sprintf("**CONFIG_%s** is not defined for %s: it is defined in %s:%d (for another architecture), so it is always n here.", name, k.Arch, defs[0].File, defs[0].Line)
	}
	var b strings.Builder
	if e == nil {
		fmt.Fprintf(&b, "**CONFIG_%s** (%s)", name, s.Type)
		b.WriteString(" — no .config: values unknown\n\n")
		writeDefinitions(&b, s)
		writeHelp(&b, s)
		return b.String()
	}
	x := kconfig.Explain(e, s)
	fmt.Fprintf(&b, "**CONFIG_%s** = `%s` (%s)", name, x.Value, x.Type)
	if x.HasUser && x.User != x.Value {
		fmt.Fprintf(&b, " — the .config says `%s`", x.User)
	}
	b.WriteString("\n\n")
	if x.Prompt != "" {
		vis := "visible"
		if x.Visible == kconfig.No {
			vis = "hidden"
		}
		fmt.Fprintf(&b, "\"%s\" (%s in menuconfig)\n\n", x.Prompt, vis)
	}
	writeDefinitions(&b, s)
	if x.DependsOn != "" {
		fmt.Fprintf(&b, "Depends on: `%s`\n\n", x.DependsOn)
	}
	writeTerms := func(label string, ts []kconfig.Term) {
		var on []string
		off := 0
		for _, t := range ts {
			if t.Value == kconfig.No {
				off++
				continue
			}
			on = append(on, "`"+t.Text+"`")
		}
		if len(on) == 0 && off == 0 {
			return
		}
		fmt.Fprintf(&b, "%s: ", label)
		const most = 5
		if len(on) > most {
			fmt.Fprintf(&b, "%s and %d more", strings.Join(on[:most], ", "), len(on)-most)
		} else {
			b.WriteString(strings.Join(on, ", "))
		}
		if off > 0 {
			if len(on) > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%d more that are n", off)
		}
		b.WriteString("\n\n")
	}
	writeTerms("Selected by", x.SelectedBy)
	writeTerms("Implied by", x.ImpliedBy)
	fmt.Fprintf(&b, "Why: %s\n\n", x.Why)
	writeHelp(&b, s)
	return strings.TrimRight(b.String(), "\n")
}

func writeDefinitions(b *strings.Builder, s *kconfig.Symbol) {
	var defs []string
	for _, n := range s.Nodes {
		defs = append(defs, fmt.Sprintf("%s:%d", n.File, n.Line))
	}
	fmt.Fprintf(b, "Defined at %s\n\n", strings.Join(defs, ", "))
}

func writeHelp(b *strings.Builder, s *kconfig.Symbol) {
	for _, n := range s.Nodes {
		if n.Help != "" {
			b.WriteString("---\n\n")
			b.WriteString(strings.TrimSpace(n.Help))
			b.WriteString("\n")
			return
		}
	}
}

// SymbolLocations are a symbol's definitions: for the configured arch,
// else for any arch.
func SymbolLocations(k *Kernel, name string) []Location {
	var out []Location
	if s := k.Symbol(name); s != nil {
		for _, n := range s.Nodes {
			out = append(out, Location{Path: filepath.Join(k.Srctree, n.File), Line: n.Line, Start: -1})
		}
		return out
	}
	for _, p := range k.Defs.Lookup(name) {
		out = append(out, Location{Path: filepath.Join(k.Srctree, p.File), Line: p.Line, Start: -1})
	}
	return out
}

// kconfigDefinition finds the definitions of the symbol at off, or, on a
// `source` line of a Kconfig document, the file it reads.
func kconfigDefinition(d *Document, k *Kernel, off int) []Location {
	if d.Kind() == KindKconfig {
		lines := symbols.NewLines(d.Text)
		text := strings.TrimSpace(string(lines.Text(lines.Line(off))))
		for _, kw := range []string{"source", "osource", "rsource", "orsource"} {
			if rest, ok := strings.CutPrefix(text, kw+" "); ok {
				path := strings.Trim(strings.TrimSpace(rest), "\"")
				path = strings.ReplaceAll(path, "$(SRCARCH)", kconfig.SrcArch(k.Arch))
				if strings.HasPrefix(kw, "r") || strings.HasPrefix(kw, "or") {
					path = filepath.Join(filepath.Dir(relPath(k, d.Path)), path)
				}
				return []Location{{Path: filepath.Join(k.Srctree, path), Line: 1, Start: -1}}
			}
		}
	}
	name, _, _ := symbolAt(d, off)
	if name == "" {
		return nil
	}
	return SymbolLocations(k, name)
}
