package index

import (
	"path"
	"sort"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// Linking: each file's items carry paths relative to the file's module;
// which module that is, and in which crate, follows from the `mod`
// declarations of the other files. Linking runs over every entry in
// memory after each update (no file is read), so a new `mod` line in one
// file moves the items of another without reparsing it.

// knownCrates are the crate roots of the kernel's rust/ folder.
var knownCrates = []struct{ file, crate string }{
	{"rust/kernel/lib.rs", "kernel"},
	{"rust/macros/lib.rs", "macros"},
	{"rust/uapi/lib.rs", "uapi"},
	{"rust/bindings/lib.rs", "bindings"},
}

// FileModule is where a file sits: its crate and module path, and the
// cfg predicates of its module (the `mod` declarations' and enclosing
// modules', and its own #![cfg]), outermost first.
type FileModule struct {
	Crate  string
	Module string
	Cfgs   []string
	// Root is set for a crate root.
	Root bool
}

// linked is one file's module while linking.
type linked struct {
	FileModule
	modRS bool
}

// link assigns every file its module.
func link(entries map[string]*entry) map[string]*FileModule {
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	// Each file's targets are asked for again while visiting.
	type targetsKey struct {
		file  string
		modRS bool
	}
	memo := map[targetsKey][]modTarget{}
	targetsOf := func(file string, modRS bool) []modTarget {
		k := targetsKey{file, modRS}
		t, ok := memo[k]
		if !ok {
			t = modTargets(entries, file, modRS)
			memo[k] = t
		}
		return t
	}
	// Files some `mod` names, under either placement of its children:
	// they are modules of another file, not crate roots.
	targeted := map[string]bool{}
	for _, n := range names {
		for _, modRS := range []bool{false, true} {
			for _, c := range targetsOf(n, modRS) {
				if c.file != n {
					targeted[c.file] = true
				}
			}
		}
	}
	out := map[string]*FileModule{}
	var visit func(file string, l linked)
	visit = func(file string, l linked) {
		if _, done := out[file]; done {
			return
		}
		fm := l.FileModule
		en := entries[file]
		if en.Items != nil && len(en.Items.Cfgs) > 0 {
			fm.Cfgs = append(append([]string(nil), fm.Cfgs...), en.Items.Cfgs...)
		}
		out[file] = &fm
		for _, c := range targetsOf(file, l.modRS) {
			cfgs := append(append([]string(nil), fm.Cfgs...), enclosingModCfgs(en.Items, c.decl.Rel)...)
			cfgs = append(cfgs, c.decl.Cfgs...)
			mod := fm.Module + "::" + strings.Join(append(append([]string(nil), c.decl.Rel...), c.decl.Name), "::")
			visit(c.file, linked{FileModule{Crate: fm.Crate, Module: mod, Cfgs: cfgs}, c.modRS})
		}
	}
	root := func(file, crate string) {
		visit(file, linked{FileModule{Crate: crate, Module: crate, Root: true}, true})
	}
	for _, k := range knownCrates {
		if _, ok := entries[k.file]; ok {
			root(k.file, k.crate)
		}
	}
	for _, n := range names {
		if !targeted[n] {
			root(n, crateName(n))
		}
	}
	for _, n := range names {
		root(n, crateName(n)) // a cycle of `mod`s nobody else reaches
	}
	return out
}

// crateName is the crate a root file makes: its stem (`rust_minimal.rs`
// → rust_minimal), or its folder's name for lib.rs, main.rs and mod.rs.
func crateName(file string) string {
	stem := strings.TrimSuffix(path.Base(file), ".rs")
	if stem == "lib" || stem == "main" || stem == "mod" {
		if d := path.Base(path.Dir(file)); d != "." && d != "/" {
			stem = d
		}
	}
	return strings.ReplaceAll(stem, "-", "_")
}

type modTarget struct {
	decl  *symbols.ModDecl
	file  string
	modRS bool
}

// modTargets resolves the `mod x;` declarations of a file with the Rust
// 2018 module file rules: x.rs or x/mod.rs beside a file that places its
// children beside it (modRS: a crate root, mod.rs, a file loaded through
// #[path]) or in a folder named after it; #[path] relative to the file's
// folder, or inside inline modules to their folders.
func modTargets(entries map[string]*entry, file string, modRS bool) []modTarget {
	en := entries[file]
	if en == nil || en.Items == nil || len(en.Items.Mods) == 0 {
		return nil
	}
	fileDir := path.Dir(file)
	dir := fileDir
	if !modRS {
		dir = path.Join(fileDir, strings.TrimSuffix(path.Base(file), ".rs"))
	}
	var out []modTarget
	for i := range en.Items.Mods {
		d := &en.Items.Mods[i]
		var cands []string
		switch {
		case d.PathAttr != "" && len(d.Dirs) == 0:
			cands = []string{path.Join(fileDir, d.PathAttr)}
		case d.PathAttr != "":
			cands = []string{path.Join(append(append([]string{dir}, d.Dirs...), d.PathAttr)...)}
		default:
			base := path.Join(append([]string{dir}, d.Dirs...)...)
			cands = []string{path.Join(base, d.Name+".rs"), path.Join(base, d.Name, "mod.rs")}
		}
		for _, c := range cands {
			if _, ok := entries[c]; ok {
				out = append(out, modTarget{decl: d, file: c, modRS: d.PathAttr != "" || path.Base(c) == "mod.rs"})
				break
			}
		}
	}
	return out
}

// enclosingModCfgs are the predicates of the inline mods at rel.
func enclosingModCfgs(fi *symbols.FileItems, rel []string) []string {
	if len(rel) == 0 || fi == nil {
		return nil
	}
	for i := range fi.Items {
		it := &fi.Items[i]
		if it.Kind == symbols.ItemMod && equalStrings(it.Rel, rel) {
			return append(append([]string(nil), it.EnclosingCfgs...), it.Cfgs...)
		}
	}
	return nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
