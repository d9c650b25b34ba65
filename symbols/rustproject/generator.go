// Package rustproject writes the rust-project.json rust-analyzer needs for
// a kernel tree and its .config, without running make: the crates, their
// dependencies, editions, env, cfgs and include dirs the tree's own
// scripts/generate_rust_analyzer.py would write (`make rust-analyzer`),
// read from that script and rust/Makefile for the version in front of it,
// with the .config's cfgs from krls's evaluator, and only the driver and
// sample crates the .config builds.
package rustproject

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// GeneratorFile is the kernel's generator of rust-project.json.
const GeneratorFile = "scripts/generate_rust_analyzer.py"

// A Generator is what a tree's generate_rust_analyzer.py says: its crates
// in order and how it fills their fields. It is read from the script's
// text, call by call; the scripts of 6.1 to 7.x are written in a small,
// regular subset of Python that this reader follows.
type Generator struct {
	// Fixed are the crates of the sysroot and of rust/, in the script's
	// order.
	Fixed []CrateDecl
	// ScriptsCrates: the script adds scripts/*.rs files named in
	// scripts/Makefile as NAME-rust, with deps ScriptsDeps.
	ScriptsCrates bool
	ScriptsDeps   []string
	// TreeDirs are the folders searched for crate roots (samples,
	// drivers), with the deps TreeDeps.
	TreeDirs []string
	TreeDeps []string
	// RustcCrateName: the script asks rustc for a crate's name (7.x),
	// else it is the file's stem.
	RustcCrateName bool
	// CfgsByName: every crate without a cfg argument takes the
	// --cfgs=NAME=... of rust/Makefile (7.x); else only those that ask.
	CfgsByName bool
	// EnvsByName: crates take the --envs=NAME=... of rust/Makefile.
	EnvsByName bool
	// AlwaysProcMacroField: every crate has "is_proc_macro" (6.1, 6.12).
	AlwaysProcMacroField bool
	// SysrootKey is "sysroot" or "sysroot_src" (6.1): the top-level path
	// the script writes.
	SysrootKey string
}

// A CrateDecl is one crate the script appends.
type CrateDecl struct {
	Name string
	// Root is the root module relative to its base: the sysroot's
	// library folder for sysroot crates, else the srctree.
	Root    string
	Sysroot bool
	Deps    []string
	// Cfg says which cfgs: "" none, "generated" the .config's,
	// "makefile" rust/Makefile's --cfgs for the crate.
	Cfg       string
	Edition   string // "" the default; "core" the core edition
	ProcMacro bool
	// Generated: the crate includes generated files: env OBJTREE and
	// include dirs of its source folder and objtree/rust.
	Generated bool
	// NotMember: is_workspace_member false.
	NotMember bool
}

// ReadGenerator reads the tree's generate_rust_analyzer.py.
func ReadGenerator(srctree string) (*Generator, error) {
	path := filepath.Join(srctree, GeneratorFile)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the rust-analyzer generator: %w", err)
	}
	g, err := ParseGenerator(string(src))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

var (
	callRE = regexp.MustCompile(`(?m)^[ \t]*(?:[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*)?(append_sysroot_crate|append_crate_with_generated|append_proc_macro_crate|append_crate)\(`)
	defRE  = regexp.MustCompile(`(?m)^[ \t]*def[ \t]+([A-Za-z_][A-Za-z0-9_]*)\(`)
	varRE  = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*append_[a-z_]+\(\s*"([^"]+)"`)
	// The folders searched for crate roots: `for dir in ("samples",
	// "drivers")` (7.x) or `map(lambda dir: srctree / dir, ("samples",
	// "drivers"))` (6.x).
	dirsRE = regexp.MustCompile(`(?:for dir in|lambda dir: srctree / dir,)\s*\(([^)]*)\)`)
)

// ParseGenerator reads a generate_rust_analyzer.py text.
func ParseGenerator(src string) (*Generator, error) {
	g := &Generator{SysrootKey: "sysroot"}
	defs := functionBodies(src)
	if strings.Contains(src, `"sysroot_src": str(`) {
		g.SysrootKey = "sysroot_src"
	}
	g.RustcCrateName = strings.Contains(src, "get_crate_name(path)")
	g.CfgsByName = strings.Contains(defs["build_crate"], "crates_cfgs.get(display_name")
	g.EnvsByName = strings.Contains(src, "crates_envs.get(display_name")
	g.AlwaysProcMacroField = strings.Contains(defs["append_crate"], `"is_proc_macro": is_proc_macro`)
	sysrootCoreEdition := strings.Contains(defs["append_sysroot_crate"], "edition=core_edition")
	withGenCfg := "generated"
	if m := dirsRE.FindStringSubmatch(src); m != nil {
		for _, d := range strings.Split(m[1], ",") {
			if d = strings.Trim(strings.TrimSpace(d), `"`); d != "" {
				g.TreeDirs = append(g.TreeDirs, d)
			}
		}
	}
	// Variables holding a crate (7.x: `core = append_sysroot_crate("core", ...)`).
	vars := map[string]string{}
	for _, m := range varRE.FindAllStringSubmatch(src, -1) {
		vars[m[1]] = m[2]
	}
	scriptsAt := strings.Index(src, "scripts.glob(")
	treeAt := strings.Index(src, "for folder in extra_dirs")
	// Calls inside function definitions are the helpers' own.
	inDef := defSpans(src)
	for _, m := range callRE.FindAllStringSubmatchIndex(src, -1) {
		if inside(inDef, m[0]) {
			continue
		}
		fn := src[m[2]:m[3]]
		args, ok := callArgs(src, m[1])
		if !ok || len(args) < 2 {
			return nil, fmt.Errorf("cannot read the call of %s at offset %d", fn, m[0])
		}
		switch {
		case treeAt >= 0 && m[0] > treeAt:
			g.TreeDeps = depNames(args[2], vars)
			continue
		case scriptsAt >= 0 && m[0] > scriptsAt:
			g.ScriptsCrates = true
			g.ScriptsDeps = depNames(args[2], vars)
			continue
		}
		name, ok := stringLit(args[0])
		if !ok || name == "" {
			return nil, fmt.Errorf("%s: the crate name %q is not a string", fn, args[0])
		}
		c := CrateDecl{Name: name}
		kw := keywords(args)
		switch fn {
		case "append_sysroot_crate":
			c.Sysroot, c.NotMember = true, true
			c.Root = name + "/src/lib.rs"
			c.Deps = depNames(args[1], vars)
			if sysrootCoreEdition {
				c.Edition = "core"
			}
		case "append_crate_with_generated":
			c.Root = "rust/" + name + "/lib.rs"
			c.Deps = depNames(args[1], vars)
			c.Cfg, c.Generated = withGenCfg, true
		default:
			if len(args) < 3 {
				return nil, fmt.Errorf("%s(%q): no deps", fn, name)
			}
			root, ok := srctreePath(args[1])
			if !ok {
				return nil, fmt.Errorf("%s(%q): cannot read the root %q", fn, name, args[1])
			}
			c.Root = root
			c.Deps = depNames(args[2], vars)
			c.ProcMacro = fn == "append_proc_macro_crate" || kw["is_proc_macro"] == "True"
		}
		if e, ok := stringLit(kw["edition"]); ok {
			c.Edition = e
		}
		if kw["is_workspace_member"] == "False" {
			c.NotMember = true
		}
		switch v := kw["cfg"]; {
		case v == "cfg" || v == "generated_cfg":
			c.Cfg = "generated"
		case strings.HasPrefix(v, "crates_cfgs.get("):
			c.Cfg = "makefile"
		}
		if c.Cfg == "" && fn != "append_crate_with_generated" && g.CfgsByName {
			c.Cfg = "makefile"
		}
		// 6.1 and 6.12 give generated files by assignments after the
		// call: crates[-1]["env"]["OBJTREE"], crates[-1]["source"].
		next := len(src)
		if n := callRE.FindStringIndex(src[m[1]:]); n != nil {
			next = m[1] + n[0]
		}
		if tail := src[m[1]:next]; strings.Contains(tail, `crates[-1]["env"]["OBJTREE"]`) || strings.Contains(tail, `crates[-1]["source"]`) {
			c.Generated = true
		}
		g.Fixed = append(g.Fixed, c)
	}
	if len(g.Fixed) == 0 {
		return nil, fmt.Errorf("no crate appended")
	}
	return g, nil
}

// functionBodies maps each def's name to its text (up to the next def).
func functionBodies(src string) map[string]string {
	out := map[string]string{}
	ms := defRE.FindAllStringSubmatchIndex(src, -1)
	for i, m := range ms {
		end := len(src)
		if i+1 < len(ms) {
			end = ms[i+1][0]
		}
		out[src[m[2]:m[3]]] = src[m[0]:end]
	}
	return out
}

// defSpans are the [start, end) ranges of the helper definitions that
// call the append functions themselves (nested defs of generate_crates,
// indented deeper than the code that calls them).
func defSpans(src string) [][2]int {
	var out [][2]int
	for _, m := range defRE.FindAllStringSubmatchIndex(src, -1) {
		name := src[m[2]:m[3]]
		if !strings.HasPrefix(name, "append_") && name != "build_crate" && name != "register_crate" {
			continue
		}
		indent := m[2] - m[0] - len("def ")
		// The body runs to the first non-blank line indented no deeper
		// than the def.
		end := len(src)
		for off := strings.IndexByte(src[m[1]:], '\n'); off >= 0; {
			at := m[1] + off + 1
			if at >= len(src) {
				break
			}
			line := src[at:]
			if i := strings.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			if t := strings.TrimLeft(line, " \t"); t != "" && len(line)-len(t) <= indent && !strings.HasPrefix(t, ")") {
				end = at
				break
			}
			next := strings.IndexByte(src[at:], '\n')
			if next < 0 {
				break
			}
			off = at - m[1] + next
		}
		out = append(out, [2]int{m[0], end})
	}
	return out
}

func inside(spans [][2]int, off int) bool {
	for _, s := range spans {
		if off >= s[0] && off < s[1] {
			return true
		}
	}
	return false
}

// callArgs splits the arguments of the call whose '(' ends at open, at
// the top level of brackets and outside strings.
func callArgs(src string, open int) ([]string, bool) {
	depth := 0
	var args []string
	start := open
	for i := open; i < len(src); i++ {
		switch c := src[i]; c {
		case '"', '\'':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, false
			}
			i += j + 1
		case '#':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				return nil, false
			}
			i += j
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 {
				if a := strings.TrimSpace(src[start:i]); a != "" {
					args = append(args, a)
				}
				return args, true
			}
			depth--
		case ',':
			if depth == 0 {
				args = append(args, strings.TrimSpace(src[start:i]))
				start = i + 1
			}
		}
	}
	return nil, false
}

// keywords maps the keyword arguments of a call to their text.
func keywords(args []string) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		if i := strings.IndexByte(a, '='); i > 0 && !strings.ContainsAny(a[:i], `"( `) {
			out[a[:i]] = strings.TrimSpace(a[i+1:])
		}
	}
	return out
}

func stringLit(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1], true
	}
	return "", false
}

// depNames reads a deps list: ["core", "std"] (6.x) or [core, std],
// variables holding crates (7.x).
func depNames(list string, vars map[string]string) []string {
	list = strings.TrimSpace(list)
	list = strings.TrimSuffix(strings.TrimPrefix(list, "["), "]")
	var out []string
	for _, d := range strings.Split(list, ",") {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		if s, ok := stringLit(d); ok {
			out = append(out, s)
		} else if n, ok := vars[d]; ok {
			out = append(out, n)
		} else {
			out = append(out, d)
		}
	}
	return out
}

// srctreePath reads `srctree / "rust" / "macros" / "lib.rs"`.
func srctreePath(expr string) (string, bool) {
	parts := strings.Split(expr, "/")
	if len(parts) < 2 || strings.TrimSpace(parts[0]) != "srctree" {
		return "", false
	}
	var out []string
	for _, p := range parts[1:] {
		s, ok := stringLit(p)
		if !ok {
			return "", false
		}
		out = append(out, s)
	}
	return strings.Join(out, "/"), true
}
