package rustproject

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Options are the inputs of a project.
type Options struct {
	Srctree, Objtree string // absolute
	// Sysroot is the Rust sysroot (`rustc --print sysroot`); the
	// library sources are under lib/rustlib/src/rust/library.
	Sysroot string
	// Cfg are the .config's rustc cfgs (include/generated/rustc_cfg
	// without --cfg=).
	Cfg []string
	// Built decides which driver and sample crates the .config builds;
	// nil lists every crate root, as the kernel's script does.
	Built *Built
	// Exttree is an out-of-tree module's folder (M=): its crate roots
	// replace the tree's samples and drivers.
	Exttree string
	// RustFiles lists the .rs files below a folder (nil: filepath.WalkDir).
	RustFiles func(dirs []string) []string
}

// KconfigGroup is the name of the cfg group holding the .config's cfgs.
const KconfigGroup = "kconfig"

// Project is a rust-project.json.
type Project struct {
	Sysroot    string              `json:"sysroot,omitempty"`
	SysrootSrc string              `json:"sysroot_src,omitempty"`
	CfgGroups  map[string][]string `json:"cfg_groups,omitempty"`
	Crates     []Crate             `json:"crates"`
	// NotBuilt are the crate roots the kernel's script would list that
	// the .config does not build, with why (not part of the JSON).
	NotBuilt []Skipped `json:"-"`
}

// Crate is one crate of a rust-project.json.
type Crate struct {
	DisplayName       string            `json:"display_name"`
	RootModule        string            `json:"root_module"`
	IsWorkspaceMember bool              `json:"is_workspace_member"`
	IsProcMacro       *bool             `json:"is_proc_macro,omitempty"`
	ProcMacroDylib    string            `json:"proc_macro_dylib_path,omitempty"`
	Deps              []Dep             `json:"deps"`
	Cfg               []string          `json:"cfg"`
	CfgGroups         []string          `json:"cfg_groups,omitempty"`
	Edition           string            `json:"edition"`
	Env               map[string]string `json:"env"`
	Source            *Source           `json:"source,omitempty"`
	// Build names the file the crate is built from, for rust-analyzer's
	// discover protocol: a change to it makes rust-analyzer ask again.
	Build *BuildInfo `json:"build,omitempty"`
}

// BuildInfo is a crate's build in rust-analyzer's terms.
type BuildInfo struct {
	Label      string `json:"label"`
	BuildFile  string `json:"build_file"`
	TargetKind string `json:"target_kind"`
}

// Dep is a dependency by index.
type Dep struct {
	Crate int    `json:"crate"`
	Name  string `json:"name"`
}

// Source lists a crate's folders.
type Source struct {
	IncludeDirs []string `json:"include_dirs"`
	ExcludeDirs []string `json:"exclude_dirs"`
}

// Skipped is a crate root left out, and why.
type Skipped struct {
	Path, Why string
}

// Build makes the project of g for opts, with the rust/Makefile
// arguments a.
func Build(g *Generator, a *MakefileArgs, opts Options) *Project {
	p := &Project{CfgGroups: map[string][]string{KconfigGroup: append([]string{}, opts.Cfg...)}}
	sysrootSrc := filepath.Join(opts.Sysroot, "lib", "rustlib", "src", "rust", "library")
	if g.SysrootKey == "sysroot_src" {
		p.SysrootSrc = sysrootSrc
	} else {
		p.Sysroot = opts.Sysroot
	}
	objtreeReal := opts.Objtree
	if r, err := filepath.EvalSymlinks(opts.Objtree); err == nil {
		objtreeReal = r
	}
	index := map[string]int{}
	add := func(c Crate, deps []string) {
		for _, d := range deps {
			if i, ok := index[d]; ok {
				c.Deps = append(c.Deps, Dep{Crate: i, Name: d})
			}
		}
		if c.Deps == nil {
			c.Deps = []Dep{}
		}
		if c.Cfg == nil {
			c.Cfg = []string{}
		}
		if c.IsProcMacro == nil && g.AlwaysProcMacroField {
			f := false
			c.IsProcMacro = &f
		}
		index[c.DisplayName] = len(p.Crates)
		p.Crates = append(p.Crates, c)
	}
	env := func(name string) map[string]string {
		e := map[string]string{"RUST_MODFILE": "This is only for rust-analyzer"}
		if g.EnvsByName {
			for k, v := range a.Envs[name] {
				e[k] = v
			}
		}
		return e
	}
	for _, d := range g.Fixed {
		c := Crate{DisplayName: d.Name, IsWorkspaceMember: !d.NotMember, Edition: "2021", Env: env(d.Name)}
		if d.Sysroot {
			c.RootModule = filepath.Join(sysrootSrc, filepath.FromSlash(d.Root))
		} else {
			c.RootModule = filepath.Join(opts.Srctree, filepath.FromSlash(d.Root))
		}
		switch d.Edition {
		case "":
		case "core":
			if a.CoreEdition != "" {
				c.Edition = a.CoreEdition
			}
		default:
			c.Edition = d.Edition
		}
		switch d.Cfg {
		case "generated":
			c.CfgGroups = []string{KconfigGroup}
		case "makefile":
			c.Cfg = append([]string{}, a.Cfgs[d.Name]...)
		}
		if d.ProcMacro {
			t := true
			c.IsProcMacro = &t
			c.ProcMacroDylib = filepath.Join(opts.Objtree, "rust", "lib"+d.Name+".so")
		}
		if d.Generated {
			c.Env["OBJTREE"] = objtreeReal
			c.Source = &Source{
				IncludeDirs: []string{filepath.Join(opts.Srctree, "rust", d.Name), filepath.Join(opts.Objtree, "rust")},
				ExcludeDirs: []string{},
			}
		}
		add(c, d.Deps)
	}
	if g.ScriptsCrates {
		for _, path := range scriptsCrates(opts.Srctree) {
			name := strings.TrimSuffix(filepath.Base(path), ".rs")
			c := Crate{DisplayName: name, RootModule: path, IsWorkspaceMember: true, Edition: "2021", Env: env(name)}
			if g.CfgsByName {
				c.Cfg = append([]string{}, a.Cfgs[name]...)
			}
			add(c, g.ScriptsDeps)
		}
	}
	dirs := []string{}
	if opts.Exttree != "" {
		dirs = append(dirs, opts.Exttree)
	} else {
		for _, d := range g.TreeDirs {
			dirs = append(dirs, filepath.Join(opts.Srctree, d))
		}
	}
	list := opts.RustFiles
	if list == nil {
		list = walkRustFiles
	}
	for _, root := range treeCrates(list(dirs)) {
		if opts.Built != nil && opts.Exttree == "" {
			rel, _ := filepath.Rel(opts.Srctree, root)
			if ok, why := opts.Built.File(filepath.ToSlash(rel)); !ok {
				p.NotBuilt = append(p.NotBuilt, Skipped{Path: filepath.ToSlash(rel), Why: why})
				continue
			}
		}
		name := strings.TrimSuffix(filepath.Base(root), ".rs")
		if g.RustcCrateName {
			name = crateName(root)
		}
		c := Crate{DisplayName: name, RootModule: root, IsWorkspaceMember: true, Edition: "2021", Env: env(name), CfgGroups: []string{KconfigGroup}}
		add(c, g.TreeDeps)
	}
	return p
}

// scriptsCrates are the scripts/*.rs that scripts/Makefile builds as
// host programs (NAME-rust), sorted.
func scriptsCrates(srctree string) []string {
	mk, err := os.ReadFile(filepath.Join(srctree, "scripts", "Makefile"))
	if err != nil {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(srctree, "scripts", "*.rs"))
	var out []string
	for _, p := range paths {
		if strings.Contains(string(mk), strings.TrimSuffix(filepath.Base(p), ".rs")+"-rust") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// treeCrates are the files whose folder's Makefile or Kbuild names
// NAME.o: the crate roots the kernel's script lists, sorted.
func treeCrates(files []string) []string {
	var out []string
	kbuild := map[string]string{} // folder → its Makefile and Kbuild texts
	for _, path := range files {
		dir := filepath.Dir(path)
		text, ok := kbuild[dir]
		if !ok {
			for _, n := range []string{"Makefile", "Kbuild"} {
				if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
					text += string(b) + "\n"
				}
			}
			kbuild[dir] = text
		}
		if strings.Contains(text, strings.TrimSuffix(filepath.Base(path), ".rs")+".o") {
			out = append(out, path)
		}
	}
	sort.Strings(out)
	return out
}

// walkRustFiles lists the .rs files below dirs.
func walkRustFiles(dirs []string) []string {
	var out []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".rs") {
				out = append(out, path)
			}
			return nil
		})
	}
	return out
}

var crateNameRE = regexp.MustCompile(`(?m)^\s*#!\[\s*crate_name\s*=\s*"([^"]+)"\s*\]`)

// crateName is the name rustc gives the crate rooted at path: its
// #![crate_name], else the file's stem with '-' made '_'.
func crateName(path string) string {
	if b, err := os.ReadFile(path); err == nil {
		if m := crateNameRE.FindSubmatch(b); m != nil {
			return string(m[1])
		}
	}
	return strings.ReplaceAll(strings.TrimSuffix(filepath.Base(path), ".rs"), "-", "_")
}
