package rustproject

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// makeProject is the part of a rust-project.json the comparison reads.
type makeProject struct {
	Sysroot    string `json:"sysroot"`
	SysrootSrc string `json:"sysroot_src"`
	Crates     []struct {
		DisplayName       string            `json:"display_name"`
		RootModule        string            `json:"root_module"`
		IsWorkspaceMember bool              `json:"is_workspace_member"`
		IsProcMacro       *bool             `json:"is_proc_macro"`
		ProcMacroDylib    string            `json:"proc_macro_dylib_path"`
		Deps              []Dep             `json:"deps"`
		Cfg               []string          `json:"cfg"`
		Edition           string            `json:"edition"`
		Env               map[string]string `json:"env"`
		Source            *Source           `json:"source"`
	} `json:"crates"`
}

// TestProjectMatchesMake: on each fixture kernel whose x86_64 object tree
// holds the rust-project.json `make rust-analyzer` wrote (6.12, 7.2),
// krls's project has the same crates but those the .config does not
// build (each listed with why), and for each crate the same root, deps
// (by name, in order), cfg set, edition, proc-macro library, env and
// include dirs. The .config's cfgs are the build's rustc_cfg here (krls's
// own evaluation of them is compared with the build in kconfig's tests).
func TestProjectMatchesMake(t *testing.T) {
	compared := 0
	for _, k := range kerneltest.Kernels(t) {
		obj := k.RustObj(t)
		b, err := os.ReadFile(filepath.Join(obj.Dir, "rust-project.json"))
		if err != nil {
			continue // the fixture made it for 6.12 and 7.2 only
		}
		compared++
		t.Run(k.Version, func(t *testing.T) {
			var want makeProject
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			g, err := ReadGenerator(k.Src)
			if err != nil {
				t.Fatal(err)
			}
			dot := kerneltest.DotConfig(t, obj.Dir)
			version, _ := strconv.Atoi(dot["RUSTC_VERSION"])
			a, err := ReadMakefileArgs(k.Src, version)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Unknown) > 0 {
				t.Errorf("rust/Makefile: not evaluated: %v", a.Unknown)
			}
			sysroot := want.Sysroot
			if sysroot == "" {
				sysroot = strings.TrimSuffix(want.SysrootSrc, "/lib/rustlib/src/rust/library")
			}
			built := &Built{Srctree: k.Src, Value: func(name string) string { return dot[name] }}
			got := Build(g, a, Options{Srctree: k.Src, Objtree: obj.Dir, Sysroot: sysroot, Cfg: rustcCfg(t, obj.Dir), Built: built})
			if got.Sysroot != want.Sysroot || got.SysrootSrc != want.SysrootSrc {
				t.Errorf("sysroot %q/%q, want %q/%q", got.Sysroot, got.SysrootSrc, want.Sysroot, want.SysrootSrc)
			}
			ours := map[string]int{}
			for i, c := range got.Crates {
				ours[c.DisplayName+" "+c.RootModule] = i
			}
			skipped := map[string]string{}
			for _, s := range got.NotBuilt {
				skipped[filepath.Join(k.Src, s.Path)] = s.Why
			}
			names := func(deps []Dep, crates func(int) string) []string {
				var out []string
				for _, d := range deps {
					out = append(out, d.Name+"="+crates(d.Crate))
				}
				return out
			}
			matched := 0
			for _, w := range want.Crates {
				i, ok := ours[w.DisplayName+" "+w.RootModule]
				if !ok {
					if why, ok := skipped[w.RootModule]; ok {
						t.Logf("not built with this .config: %s (%s): %s", w.DisplayName, w.RootModule, why)
						continue
					}
					t.Errorf("crate %s (%s) is missing", w.DisplayName, w.RootModule)
					continue
				}
				matched++
				c := got.Crates[i]
				wantDeps := names(w.Deps, func(i int) string { return want.Crates[i].RootModule })
				gotDeps := names(c.Deps, func(i int) string { return got.Crates[i].RootModule })
				if !slices.Equal(gotDeps, wantDeps) {
					t.Errorf("%s: deps %v, want %v", c.DisplayName, gotDeps, wantDeps)
				}
				cfg := append([]string{}, c.Cfg...)
				for _, grp := range c.CfgGroups {
					cfg = append(cfg, got.CfgGroups[grp]...)
				}
				if !sameSet(cfg, w.Cfg) {
					t.Errorf("%s: %d cfgs, want %d (first differences: %v)", c.DisplayName, len(cfg), len(w.Cfg), firstDiff(cfg, w.Cfg))
				}
				if c.Edition != w.Edition || c.IsWorkspaceMember != w.IsWorkspaceMember || c.ProcMacroDylib != w.ProcMacroDylib {
					t.Errorf("%s: edition %s member %v dylib %q, want %s %v %q", c.DisplayName, c.Edition, c.IsWorkspaceMember, c.ProcMacroDylib,
						w.Edition, w.IsWorkspaceMember, w.ProcMacroDylib)
				}
				if (c.IsProcMacro == nil) != (w.IsProcMacro == nil) || c.IsProcMacro != nil && *c.IsProcMacro != *w.IsProcMacro {
					t.Errorf("%s: is_proc_macro %v, want %v", c.DisplayName, c.IsProcMacro, w.IsProcMacro)
				}
				if !maps.Equal(c.Env, w.Env) {
					t.Errorf("%s: env %v, want %v", c.DisplayName, c.Env, w.Env)
				}
				if (c.Source == nil) != (w.Source == nil) || c.Source != nil && !slices.Equal(c.Source.IncludeDirs, w.Source.IncludeDirs) {
					t.Errorf("%s: source %+v, want %+v", c.DisplayName, c.Source, w.Source)
				}
			}
			if matched != len(got.Crates) {
				t.Errorf("%d crates, %d of them in make's project", len(got.Crates), matched)
			}
			if len(got.NotBuilt) == 0 {
				t.Logf("every crate root of the tree is built by this .config")
			}
		})
	}
	if compared == 0 {
		t.Skip("no fixture object tree holds a rust-project.json")
	}
}

// rustcCfg reads the build's include/generated/rustc_cfg as the
// generator does.
func rustcCfg(t *testing.T, objtree string) []string {
	f, err := os.Open(filepath.Join(objtree, "include", "generated", "rustc_cfg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, strings.Replace(sc.Text(), "--cfg=", "", 1))
	}
	return out
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func firstDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] && len(out) < 3 {
			out = append(out, "+"+s)
		}
	}
	in = map[string]bool{}
	for _, s := range a {
		in[s] = true
	}
	for _, s := range b {
		if !in[s] && len(out) < 6 {
			out = append(out, "-"+s)
		}
	}
	return out
}
