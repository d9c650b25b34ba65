package symbols

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Which module!-style invocations are the kernel's. A file may define
// its own macro named `module` (rust/zerocopy/src/byteorder.rs does, with
// macro_rules!) or import one from another crate; those invocations are
// not the kernel's and the module! features leave them alone. The
// decision is syntactic, as rustc's name resolution would make it for
// the paths the kernel's macros can be reached by:
//
//   - A path that starts with `kernel` (or `::kernel`, or `macros`, the
//     proc-macro crate that defines module!) names the kernel's macro;
//     one that starts with a name a `use` of the file imports from such
//     a path (`use kernel::prelude; prelude::module!`) too. `crate::`,
//     `self::`, `super::` and `$crate::` name the kernel's macro only in
//     the kernel crate (rust/kernel); any other path names another
//     crate's.
//   - An unqualified `module!` or `module_*!` is not the kernel's when
//     the file defines a macro_rules! of that name (outside the kernel
//     crate), when a `use` of the file imports the name from a path that
//     is not the kernel's (`use zerocopy::module;`), or when the file's
//     crate defines a macro_rules! of that name in another of its files
//     (MacroScope.Crate; see CrateMacros). Otherwise it is the kernel's:
//     the prelude's module!, or a driver macro #[macro_export]ed by the
//     kernel crate.
//
// What is not followed: macros brought in by a glob import of another
// crate, and `#[macro_use] extern crate`.

// MacroScope says which module!-style invocations of one file are the
// kernel's.
type MacroScope struct {
	// KernelCrate: the file is part of the kernel crate (rust/kernel),
	// where `crate::` is `kernel::` and its own macro_rules! are the
	// kernel's.
	KernelCrate bool
	// Local are the macro_rules! names the file defines in code.
	Local map[string]bool
	// Imports maps the names `use` declarations of the file bring in to
	// the first segment of the path they import from.
	Imports map[string]string
	// Crate reports whether the file's crate defines a macro_rules! of
	// that name in another file; nil when unknown (not looked at).
	Crate func(name string) bool
}

// macroRulesNameRE finds the macro_rules! definitions of module-like
// names.
var macroRulesNameRE = regexp.MustCompile(`macro_rules!\s*(module[A-Za-z0-9_]*)`)

// NewMacroScope reads the scope of the file at path (its text src; f is
// its parse tree or nil, when the text is being typed).
func NewMacroScope(path string, src []byte, f *File) *MacroScope {
	s := &MacroScope{KernelCrate: path != "" && InKernelCrate(path), Local: map[string]bool{}, Imports: map[string]string{}}
	inCode := func(a, b int) bool {
		if f != nil && f.tree != nil && len(f.Src) == len(src) {
			return !inCommentOrString(f.PathTo(a, b))
		}
		return !wordInCommentOrString(src, nil, a, b)
	}
	if bytes.Contains(src, []byte("macro_rules!")) {
		for _, m := range macroRulesNameRE.FindAllSubmatchIndex(src, -1) {
			if inCode(m[0], m[0]+len("macro_rules")) {
				s.Local[string(src[m[2]:m[3]])] = true
			}
		}
	}
	if f != nil && f.tree != nil && len(f.Src) == len(src) {
		for _, u := range UseImports(f) {
			if u.Name != "" && len(u.Path) > 0 {
				s.Imports[u.Name] = u.Path[0]
			}
		}
		return s
	}
	for _, m := range useDeclRE.FindAllSubmatchIndex(src, -1) {
		if !inCode(m[0], m[0]+3) || m[0] > 0 && IsIdentByte(src[m[0]-1]) {
			continue
		}
		for _, leaf := range parseUseTree(src, m[2], m[3]) {
			if len(leaf.Segs) == 0 || leaf.Glob || leaf.Alias == "_" {
				continue
			}
			path, name := leaf.names()
			s.Imports[name] = path[0]
		}
	}
	return s
}

// kernelRoot reports whether a path starting with first reaches the
// kernel crate from a file (of the kernel crate when kernelCrate).
func kernelRoot(first string, kernelCrate bool) bool {
	switch first {
	case "kernel", "macros":
		return true
	case "crate", "self", "super", "$crate":
		return kernelCrate
	}
	return false
}

// IsKernel reports whether the invocation c of the file names the
// kernel's macro.
func (s *MacroScope) IsKernel(src []byte, c ModuleCall) bool {
	if s == nil {
		return true
	}
	segs, global := callPath(src, c)
	if len(segs) > 0 {
		first := segs[0]
		switch {
		case first == "kernel" || first == "macros":
			return true
		case global:
			return false
		}
		if kernelRoot(first, s.KernelCrate) {
			return true
		}
		if root, ok := s.Imports[first]; ok {
			return kernelRoot(root, s.KernelCrate)
		}
		return false
	}
	if s.Local[c.Macro] {
		return s.KernelCrate
	}
	if root, ok := s.Imports[c.Macro]; ok {
		return kernelRoot(root, s.KernelCrate)
	}
	if s.Crate != nil && !s.KernelCrate && s.Crate(c.Macro) {
		return false
	}
	return true
}

// callPath is the path written before an invocation's name, as
// segments, and whether it starts with `::`.
func callPath(src []byte, c ModuleCall) ([]string, bool) {
	if c.Start >= c.Name.Start || c.Name.Start > len(src) {
		return nil, false
	}
	text := strings.Join(strings.Fields(string(src[c.Start:c.Name.Start])), "")
	text = strings.TrimSuffix(text, "::")
	// pathStart leaves a leading `::` out of the invocation.
	global := strings.HasPrefix(text, "::") || c.Start >= 2 && string(src[c.Start-2:c.Start]) == "::"
	text = strings.TrimPrefix(text, "::")
	if text == "" {
		return nil, global
	}
	return strings.Split(text, "::"), global
}

// maxCrateFiles bounds the files CrateMacros reads for one crate.
const maxCrateFiles = 4000

// CrateOf finds the crate the file at path belongs to: its root and its
// files, with the files and folders read (to notice changes). The crate
// is found syntactically: going up from the file's folder (at most to
// stop, and never out of the tree), each folder's crate roots — lib.rs,
// main.rs, and the files its Kbuild or Makefile builds as objects — are
// followed through their `mod name;` declarations (Rust 2018 file rules,
// #[path]); the first root that reaches the file is its crate's. ok is
// false when no root reaches it.
func CrateOf(path, stop string) (root string, files map[string]bool, read []string, ok bool) {
	path = filepath.Clean(path)
	dir := filepath.Dir(path)
	if stop == "" {
		stop = dir
	}
	stop = filepath.Clean(stop)
	for depth := 0; depth < 8; depth++ {
		for _, r := range crateRoots(dir, &read) {
			if mods := crateFiles(r, &read); mods[path] {
				return r, mods, read, true
			}
		}
		if dir == stop || filepath.Dir(dir) == dir || !strings.HasPrefix(dir, stop+string(filepath.Separator)) {
			break
		}
		dir = filepath.Dir(dir)
	}
	return "", nil, read, false
}

// CrateMacros finds the crate of the file at path (CrateOf) and the
// macro_rules! of module-like names its files define (name → file), with
// the files read.
func CrateMacros(path, stop string) (root string, macros map[string]string, files []string, ok bool) {
	root, mods, read, ok := CrateOf(path, stop)
	if !ok {
		return "", nil, read, false
	}
	macros = map[string]string{}
	for f := range mods {
		src, err := os.ReadFile(f)
		if err != nil || !bytes.Contains(src, []byte("macro_rules!")) {
			continue
		}
		for _, m := range macroRulesNameRE.FindAllSubmatchIndex(src, -1) {
			if !wordInCommentOrString(src, nil, m[0], m[0]+len("macro_rules")) {
				macros[string(src[m[2]:m[3]])] = f
			}
		}
	}
	return root, macros, read, true
}

// crateRoots lists the files of dir that are crate roots.
func crateRoots(dir string, read *[]string) []string {
	var out []string
	for _, n := range []string{"lib.rs", "main.rs"} {
		if p := filepath.Join(dir, n); fileExists(p) {
			out = append(out, p)
		}
	}
	kb := ReadKbuildDir(dir)
	// The folder itself: a file appearing in it changes its mtime.
	*read = append(*read, dir)
	for _, n := range KbuildNames {
		*read = append(*read, filepath.Join(dir, n))
	}
	if len(kb) == 0 {
		return out
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".rs") {
			continue
		}
		base := strings.TrimSuffix(n, ".rs")
		for _, k := range kb {
			if _, ok := k.Object(base); ok {
				out = append(out, filepath.Join(dir, n))
				break
			}
		}
	}
	return out
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// modDeclRE finds `mod name;` declarations, with a #[path] before them.
var modDeclRE = regexp.MustCompile(`(?m)(?:#\[path\s*=\s*"([^"]*)"\]\s*)?(?:pub(?:\([^)]*\))?\s+)?\bmod\s+(r#)?([A-Za-z_][A-Za-z0-9_]*)\s*;`)

// crateFiles follows the `mod` declarations from a crate root and
// returns the files of the crate (inline modules holding `mod x;` are
// not followed into their folders).
func crateFiles(root string, read *[]string) map[string]bool {
	seen := map[string]bool{}
	type item struct {
		file  string
		modRS bool // places its children beside it
	}
	queue := []item{{root, true}}
	for len(queue) > 0 && len(seen) < maxCrateFiles {
		it := queue[0]
		queue = queue[1:]
		if seen[it.file] {
			continue
		}
		src, err := os.ReadFile(it.file)
		if err != nil {
			continue
		}
		seen[it.file] = true
		*read = append(*read, it.file)
		if !bytes.Contains(src, []byte("mod")) {
			continue
		}
		dir := filepath.Dir(it.file)
		childDir := dir
		if !it.modRS {
			childDir = filepath.Join(dir, strings.TrimSuffix(filepath.Base(it.file), ".rs"))
		}
		for _, m := range modDeclRE.FindAllSubmatchIndex(src, -1) {
			if wordInCommentOrString(src, nil, m[6], m[7]) {
				continue
			}
			name := string(src[m[6]:m[7]])
			if m[2] >= 0 {
				p := filepath.Join(dir, string(src[m[2]:m[3]]))
				queue = append(queue, item{p, true})
				continue
			}
			for _, c := range []string{filepath.Join(childDir, name+".rs"), filepath.Join(childDir, name, "mod.rs")} {
				if fileExists(c) {
					queue = append(queue, item{c, filepath.Base(c) == "mod.rs"})
					break
				}
			}
		}
	}
	return seen
}
