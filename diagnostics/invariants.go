package diagnostics

import (
	"bytes"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// `// INVARIANT:` comments: kernel reviewers ask for one wherever a value
// of a type documented with an `# Invariants` section is built, saying
// why the new value keeps them.

var MissingInvariantComment = &Rule{
	Name: "missing-invariant-comment",
	Doc: "A struct expression (`Type { .. }`, `Self { .. }`) or tuple-struct construction (`Type(..)`, `Self(..)`) that " +
		"builds a value of a type whose docs have an `# Invariants` section, without an `// INVARIANT:` comment saying why " +
		"the value keeps them. The type is the file's own or found through the index (the kernel crate, the file's crate); " +
		"values built in the input of a macro call that takes code (`pin_init!(Self { .. })`) count. The comment stands " +
		"where a SAFETY comment would, or inside the construction above the field that keeps the invariants. Off by default in `krls check` (`--rules=+conventions`); a hint in the editor.",
	Severity: Hint,
	Run: func(p *Pass) {
		p.reportUndocumentedConvention(p.conventionSites(invariantConvention), "INVARIANT", func(s *site) (string, string, string) {
			return "a `" + s.macroName + "` is built (its docs have an `# Invariants` section)",
				" listing the invariants of `" + s.macroName + "`", "The invariants of `" + s.macroName + "`:"
		})
	},
}

var invariantConvention = &convention{label: "INVARIANT:", targets: invariantTargets, siteAt: invariantAt, inside: true}

// invariantTargets are the places that may build a value, by text:
// `Name {`, `Name(`, `Self {`, `Self(` (a capitalised identifier, spaces,
// then a brace or a parenthesis). A byte scan: a regexp took a tenth of
// `krls check --rules=+conventions`.
func invariantTargets(p *Pass) []symbols.Span {
	src := p.File.Src
	var out []symbols.Span
	for i := 0; i < len(src); {
		c := src[i]
		if !symbols.IsIdentByte(c) {
			i++
			continue
		}
		j := i
		for j < len(src) && symbols.IsIdentByte(src[j]) {
			j++
		}
		if c >= 'A' && c <= 'Z' {
			k := j
			for k < len(src) && (src[k] == ' ' || src[k] == '\t' || src[k] == '\n' || src[k] == '\r') {
				k++
			}
			// A name no type with invariants has (Ok, Some, most structs)
			// is no target: the tree is not asked about it.
			if k < len(src) && (src[k] == '{' || src[k] == '(') && (string(src[i:j]) == "Self" || p.mayHaveInvariants(string(src[i:j]))) && !p.onCommentLine(i) {
				out = append(out, symbols.Span{Start: i, End: j})
			}
		}
		i = j
	}
	return out
}

// invariantAt is the path index of a struct expression or tuple-struct
// call whose name ends path and names a type with invariants, or -1, with
// the type's name and its `# Invariants` text.
func invariantAt(p *Pass, path []symbols.PathNode) (int, string, string) {
	last := len(path) - 1
	if last < 1 {
		return -1, "", ""
	}
	name := path[last]
	idx := -1
	switch {
	case path[last-1].Kind == k.StructExpression:
		idx = last - 1
	case last >= 2 && path[last-1].Kind == k.ScopedTypeIdentifier && path[last-2].Kind == k.StructExpression:
		idx = last - 2
	case path[last-1].Kind == k.CallExpression && path[last-1].Node.ChildByFieldName("function") != nil &&
		int(path[last-1].Node.ChildByFieldName("function").StartByte()) == name.Start:
		idx = last - 1
	case last >= 2 && path[last-1].Kind == k.ScopedIdentifier && path[last-2].Kind == k.CallExpression:
		idx = last - 2
	default:
		return -1, "", ""
	}
	// The type path as written: the struct expression's name, or the
	// call's function.
	var typeNode = path[idx].Node.ChildByFieldName("name")
	if typeNode == nil {
		typeNode = path[idx].Node.ChildByFieldName("function")
	}
	if typeNode == nil || int(typeNode.EndByte()) != name.End {
		return -1, "", ""
	}
	typ, inv := p.invariantsOf(string(p.File.Text(typeNode)), name.Start)
	if inv == "" {
		return -1, "", ""
	}
	return idx, typ, inv
}

// invariantsOf finds the `# Invariants` section of the type a path
// written at off names: `Self` is the enclosing impl's type; the file's
// own types first, then through the index (Config.Contracts).
func (p *Pass) invariantsOf(written string, off int) (typ, text string) {
	// Most constructions (Ok, Some, a plain struct) name no type with
	// invariants: tell them from the name before the scope is read.
	if last := written[strings.LastIndex(written, ":")+1:]; last != "Self" && !p.mayHaveInvariants(strings.TrimSpace(last)) {
		return "", ""
	}
	// The answer for a path depends on the imports and items in scope:
	// the same within one module and impl (Ok, Some and the file's own
	// types are met again and again).
	enc := symbols.EnclosingAt(p.scopePass().File, off)
	key := written + "\x00" + strings.Join(enc.Mods, "::")
	if strings.HasPrefix(written, "Self") {
		key += "\x00" + enc.SelfType
	}
	if a, ok := p.invariantMemo[key]; ok {
		return a[0], a[1]
	}
	typ, text = p.lookupInvariants(written, off, enc)
	if p.invariantMemo == nil {
		p.invariantMemo = map[string][2]string{}
	}
	p.invariantMemo[key] = [2]string{typ, text}
	return typ, text
}

// lookupInvariants is invariantsOf without the memo.
func (p *Pass) lookupInvariants(written string, off int, enc symbols.Enclosing) (typ, text string) {
	segs := strings.Split(strings.ReplaceAll(written, " ", ""), "::")
	if segs[0] == "Self" && len(segs) == 1 {
		self := enc.SelfType
		if self == "" {
			return "", ""
		}
		if tp := typePaths(self); len(tp) > 0 {
			segs = tp[0]
		}
	}
	name := segs[len(segs)-1]
	if len(segs) == 1 {
		// The file's own type. Of cfg'd alternatives (7.2's atomic Flag:
		// plain on x86, padded with invariants elsewhere), any with
		// invariants counts: the code is built for every arch.
		own := false
		for _, it := range p.scopePass().fileItems().Items {
			if it.Name == name && (it.Kind == symbols.ItemStruct || it.Kind == symbols.ItemEnum || it.Kind == symbols.ItemUnion) {
				if inv := symbols.DocSection(it.Doc, "Invariants"); inv != "" {
					return name, inv
				}
				own = true
			}
		}
		if own {
			return "", ""
		}
	}
	docs, ok := p.Config.Contracts.(TypeDocs)
	if !ok {
		return "", ""
	}
	sc := p.scopePass().newCalleeScopeIn(p.Config.Contracts, off, enc)
	for _, full := range sc.resolve(segs, false, maxImportExpansion) {
		if inv, ok := docs.Invariants(full); ok {
			return name, inv
		}
	}
	return "", ""
}

// mayHaveInvariants: a type named name may have an `# Invariants`
// section: the file has one, or the index knows such a type of that name
// (or cannot say).
func (p *Pass) mayHaveInvariants(name string) bool {
	q := p.scopePass()
	if !q.invariantsChecked {
		q.invariantsChecked = true
		q.fileHasInvariants = bytes.Contains(q.File.Src, []byte("Invariants"))
	}
	if q.fileHasInvariants {
		return true
	}
	names, ok := p.Config.Contracts.(invariantTypeNames)
	return !ok || names.HasInvariantType(name)
}

// invariantTypeNames is an optional interface of Config.Contracts: which
// type names have invariants somewhere in the index.
type invariantTypeNames interface {
	HasInvariantType(name string) bool
}

// fileItems are the file's items, read on first use.
func (p *Pass) fileItems() *symbols.FileItems {
	if p.items == nil {
		p.items = symbols.Items(p.File)
	}
	return p.items
}

// TypeDocs finds the docs of types through the index (an optional
// interface of Config.Contracts).
type TypeDocs interface {
	// Invariants returns the `# Invariants` section of the struct, enum
	// or union a full path names, and whether there is one.
	Invariants(path string) (string, bool)
}
