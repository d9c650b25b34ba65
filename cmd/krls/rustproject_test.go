package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

type projectOut struct {
	CfgGroups map[string][]string `json:"cfg_groups"`
	Crates    []struct {
		DisplayName string   `json:"display_name"`
		RootModule  string   `json:"root_module"`
		CfgGroups   []string `json:"cfg_groups"`
	} `json:"crates"`
}

// TestRustProjectCommand: on each fixture kernel, `krls rust-project`
// writes a project whose kernel crate and every crate that takes the
// .config's cfgs share one cfg group, lists on stderr the crate roots
// the .config does not build, and gives the same project whether the
// cfgs come from the build's include/generated/rustc_cfg or from krls's
// own evaluation of the .config (an object tree with a .config alone).
// --discover answers rust-analyzer's protocol with JSON lines ending in
// `finished`, whose buildfile is the .config.
func TestRustProjectCommand(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			obj := k.RustObj(t)
			sysroot := filepath.Join(k.Fake, "sysroot")
			var out, errOut bytes.Buffer
			if code := run([]string{"rust-project", "--srctree", k.Src, "--objtree", obj.Dir, "--sysroot", sysroot}, nil, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			var p projectOut
			if err := json.Unmarshal(out.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			group := p.CfgGroups["kconfig"]
			if !slices.Contains(group, "CONFIG_RUST") {
				t.Errorf("the kconfig cfg group lacks CONFIG_RUST (%d cfgs)", len(group))
			}
			var kernel bool
			for _, c := range p.Crates {
				if c.DisplayName == "kernel" {
					kernel = slices.Equal(c.CfgGroups, []string{"kconfig"}) && c.RootModule == filepath.Join(k.Src, "rust", "kernel", "lib.rs")
				}
			}
			if !kernel {
				t.Errorf("no kernel crate with the kconfig cfg group")
			}
			for _, l := range strings.Split(strings.TrimSpace(errOut.String()), "\n") {
				if l != "" && !strings.Contains(l, ": not built with this .config: CONFIG_") && !strings.Contains(l, "is not built (run make in") {
					t.Errorf("stderr: %s", l)
				}
			}

			// The same project from krls's evaluation of the .config.
			bare := t.TempDir()
			dot, err := os.ReadFile(filepath.Join(obj.Dir, ".config"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bare, ".config"), dot, 0o644); err != nil {
				t.Fatal(err)
			}
			var out2, err2 bytes.Buffer
			if code := run([]string{"rust-project", "--srctree", k.Src, "--objtree", bare, "--sysroot", sysroot}, nil, &out2, &err2); code != 0 {
				t.Fatalf("evaluated: exit %d: %s", code, err2.String())
			}
			var q projectOut
			if err := json.Unmarshal(out2.Bytes(), &q); err != nil {
				t.Fatal(err)
			}
			a, b := slices.Clone(group), slices.Clone(q.CfgGroups["kconfig"])
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("evaluated cfgs differ from the build's: %d vs %d", len(b), len(a))
			}
			if len(q.Crates) != len(p.Crates) {
				t.Errorf("evaluated: %d crates, from the build's files %d", len(q.Crates), len(p.Crates))
			}

			// rust-analyzer's discover protocol.
			arg, _ := json.Marshal(map[string]string{"path": filepath.Join(k.Src, "rust", "kernel", "lib.rs")})
			var out3, err3 bytes.Buffer
			if code := run([]string{"rust-project", "--objtree", obj.Dir, "--sysroot", sysroot, "--discover", string(arg)}, nil, &out3, &err3); code != 0 {
				t.Fatalf("discover: exit %d: %s %s", code, out3.String(), err3.String())
			}
			var last map[string]json.RawMessage
			sc := bufio.NewScanner(&out3)
			sc.Buffer(nil, 1<<26)
			lines := 0
			for sc.Scan() {
				lines++
				last = nil
				if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
					t.Fatalf("discover: line %d is not JSON: %v", lines, err)
				}
			}
			var kind, buildfile string
			json.Unmarshal(last["kind"], &kind)
			json.Unmarshal(last["buildfile"], &buildfile)
			if kind != "finished" || buildfile != filepath.Join(obj.Dir, ".config") || len(last["project"]) < 100 {
				t.Errorf("discover: last line kind %q buildfile %q", kind, buildfile)
			}
			var bad bytes.Buffer
			if code := run([]string{"rust-project", "--discover", "not json"}, nil, &bad, &bad); code != 2 || !strings.Contains(bad.String(), `"kind":"error"`) {
				t.Errorf("discover with a bad argument: exit %d: %s", code, bad.String())
			}
		})
	}
}

// TestRustProjectModule: for an out-of-tree module (KDIR a fixture's
// object tree), the project's crates are the kernel's own, then the
// module's crate roots in place of the tree's samples and drivers.
func TestRustProjectModule(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			obj := k.RustObj(t)
			mod := outOfTreeModule(t, ootModule)
			var out, errOut bytes.Buffer
			if code := run([]string{"rust-project", "--kdir", obj.Dir, "--sysroot", filepath.Join(k.Fake, "sysroot"), mod}, nil, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			var p projectOut
			if err := json.Unmarshal(out.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range p.Crates {
				names = append(names, c.DisplayName)
				if strings.HasPrefix(c.RootModule, filepath.Join(k.Src, "samples")) || strings.HasPrefix(c.RootModule, filepath.Join(k.Src, "drivers")) {
					t.Errorf("a tree crate in a module's project: %s", c.RootModule)
				}
			}
			last := p.Crates[len(p.Crates)-1]
			if last.DisplayName != "rust_oot" || last.RootModule != filepath.Join(mod, "rust_oot.rs") || !slices.Contains(names, "kernel") {
				t.Errorf("crates %v; last %+v", names, last)
			}
		})
	}
}

// TestRustProjectWritesReadable: -o writes the file readable by others
// (rust-analyzer may run as another user; CreateTemp makes files 0600).
func TestRustProjectWritesReadable(t *testing.T) {
	for i, k := range kerneltest.Kernels(t) {
		if i > 0 {
			break
		}
		out := filepath.Join(t.TempDir(), "rust-project.json")
		var stdout, stderr bytes.Buffer
		if code := run([]string{"rust-project", "--srctree", k.Src, "--objtree", k.RustObj(t).Dir, "--sysroot", "/x", "-o", out}, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		st, err := os.Stat(out)
		if err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, %v; want 0644", st.Mode(), err)
		}
	}
}
