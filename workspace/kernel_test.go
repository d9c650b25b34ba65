package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/internal/kerneltest"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

const tinyKconfig = `mainmenu "Tiny"

config NET
	bool "Networking"
	default y

config RUST_NET
	bool "Rust networking"
	depends on NET
`

func TestLocateKernel(t *testing.T) {
	src := kerneltest.WriteTree(t, map[string]string{
		"Kconfig":             tinyKconfig,
		"Makefile":            "VERSION = 6\n",
		"rust/kernel/lib.rs":  "",
		"drivers/net/foo.rs":  "",
		"build/.config":       "CONFIG_NET=y\n",
		"out/.config":         "CONFIG_NET=y\n",
		"out/Makefile":        "# generated\ninclude " + "SRC/Makefile\n",
		"kdir/Makefile":       "include SRC/Makefile\n",
		"elsewhere/README.md": "",
	})
	fix := func(p string) {
		b, _ := os.ReadFile(p)
		os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "SRC", src)), 0o644)
	}
	fix(filepath.Join(src, "out/Makefile"))
	fix(filepath.Join(src, "kdir/Makefile"))
	// An out-of-tree module lives outside the kernel tree.
	mod := kerneltest.WriteTree(t, map[string]string{"Kbuild": "obj-m := m.o\n", "m.rs": ""})
	env := envOf(map[string]string{})
	for _, c := range []struct {
		name    string
		path    string
		set     KernelSettings
		env     map[string]string
		src     string
		obj     string
		wantErr bool
		// rustProject: the tree holds a rust-project.json whose kernel
		// crate's OBJTREE is out/.
		rustProject bool
	}{
		{name: "in tree, no .config", path: "drivers/net/foo.rs", src: "", obj: ""},
		{name: "KBUILD_OUTPUT", path: "drivers/net/foo.rs", env: map[string]string{"KBUILD_OUTPUT": "build"}, src: "", obj: "build"},
		{name: "objtree setting", path: "drivers/net/foo.rs", set: KernelSettings{Objtree: "OUT"}, src: "", obj: "out"},
		{name: ".config in an O= objtree", path: "out/.config", src: "", obj: "out"},
		{name: "module without KDIR", path: "mod/m.rs", wantErr: true},
		{name: "module with KDIR objtree", path: "mod/m.rs", set: KernelSettings{Kdir: "KDIR"}, src: "", obj: "kdir"},
		{name: "module with $KDIR srctree", path: "mod/m.rs", env: map[string]string{"KDIR": "SRC"}, src: "", obj: ""},
		{name: "nothing", path: "elsewhere/README.md", wantErr: true},
		{name: "rust-project.json names the objtree", path: "drivers/net/foo.rs", src: "", obj: "out", rustProject: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			set := c.set
			set.Objtree = strings.ReplaceAll(set.Objtree, "OUT", filepath.Join(src, "out"))
			set.Kdir = strings.ReplaceAll(set.Kdir, "KDIR", filepath.Join(src, "kdir"))
			e := env
			if c.env != nil {
				m := map[string]string{}
				for k, v := range c.env {
					m[k] = strings.ReplaceAll(v, "SRC", src)
				}
				e = envOf(m)
			}
			path := filepath.Join(src, c.path)
			if rest, ok := strings.CutPrefix(c.path, "mod/"); ok {
				path = filepath.Join(mod, rest)
			}
			if c.path == "elsewhere/README.md" {
				path = filepath.Join(t.TempDir(), "README.md")
				os.WriteFile(path, nil, 0o644)
			}
			if c.rustProject {
				rp := filepath.Join(src, "rust-project.json")
				text := `{"crates": [{"display_name": "core", "env": {}}, {"display_name": "kernel", "env": {"OBJTREE": "` + filepath.Join(src, "out") + `"}}]}`
				if err := os.WriteFile(rp, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				defer os.Remove(rp)
			}
			trees, err := LocateKernel(path, set, e)
			if c.wantErr {
				if err == nil || !errors.Is(err, ErrNoKernel) {
					t.Fatalf("got %+v, %v; want ErrNoKernel", trees, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(src, c.src); trees.Srctree != want {
				t.Errorf("srctree %s, want %s", trees.Srctree, want)
			}
			if want := filepath.Join(src, c.obj); trees.Objtree != want {
				t.Errorf("objtree %s, want %s", trees.Objtree, want)
			}
		})
	}
}

func TestKernelsReloadOnChange(t *testing.T) {
	src := kerneltest.WriteTree(t, map[string]string{
		"Kconfig": tinyKconfig,
		".config": "CONFIG_NET=y\nCONFIG_RUST_NET=y\n",
	})
	ks := NewKernels()
	defer ks.Close()
	reloaded := make(chan *Kernel, 4)
	ks.OnReload = func(k *Kernel) { reloaded <- k }
	ks.Getenv = envOf(map[string]string{"ARCH": "x86_64"})
	trees := KernelTrees{Srctree: src, Objtree: src}
	k, err := ks.Get(context.Background(), trees)
	if err != nil {
		t.Fatal(err)
	}
	if v := k.Eval.Str(k.Symbol("RUST_NET")); v != "y" {
		t.Fatalf("RUST_NET = %s", v)
	}
	if !k.Cfg.Set("CONFIG_RUST_NET") {
		t.Error("cfg(CONFIG_RUST_NET) does not hold")
	}
	if k2, _ := ks.Get(context.Background(), trees); k2 != k {
		t.Error("a second Get loaded again")
	}

	// The stat fallback sees an edit of the .config.
	writeLater(t, filepath.Join(src, ".config"), "# CONFIG_NET is not set\n")
	ks.Poll()
	k = waitReload(t, reloaded)
	if v := k.Eval.Str(k.Symbol("RUST_NET")); v != "n" {
		t.Errorf("after the .config edit, RUST_NET = %s", v)
	}

	// A watched-file notification for a Kconfig file.
	writeLater(t, filepath.Join(src, "Kconfig"), tinyKconfig+"\nconfig NEW\n\tbool \"new\"\n\tdefault y\n")
	ks.FilesChanged([]string{filepath.Join(src, "Kconfig")})
	k = waitReload(t, reloaded)
	if k.Symbol("NEW") == nil {
		t.Error("the new symbol is missing after the Kconfig edit")
	}

	// A broken Kconfig keeps the last good kernel... and the load reports
	// the syntax error in K.Errors rather than failing.
	writeLater(t, filepath.Join(src, "Kconfig"), "config\n")
	ks.FilesChanged([]string{filepath.Join(src, "Kconfig")})
	k = waitReload(t, reloaded)
	if len(k.K.Errors) == 0 {
		t.Error("no error for a broken Kconfig")
	}
}

// writeLater writes a file so that its modification time differs from
// the previous write's even on coarse clocks.
func writeLater(t *testing.T, path, content string) {
	t.Helper()
	st, _ := os.Stat(path)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if st != nil {
		later := st.ModTime().Add(time.Second)
		os.Chtimes(path, later, later)
	}
}

func waitReload(t *testing.T, ch chan *Kernel) *Kernel {
	t.Helper()
	select {
	case k := <-ch:
		return k
	case <-time.After(10 * time.Second):
		t.Fatal("no reload")
	}
	return nil
}

func TestKernelNoDotConfig(t *testing.T) {
	src := kerneltest.WriteTree(t, map[string]string{"Kconfig": tinyKconfig})
	ks := NewKernels()
	defer ks.Close()
	k, err := ks.Get(context.Background(), KernelTrees{Srctree: src, Objtree: src})
	if err != nil {
		t.Fatal(err)
	}
	if k.Eval != nil || !errors.Is(k.NoConfig, ErrNoDotConfig) {
		t.Errorf("Eval %v, NoConfig %v", k.Eval, k.NoConfig)
	}
	if k.Symbol("NET") == nil {
		t.Error("the Kconfig was not loaded")
	}
	// The tree has no scripts/kconfig: krls says which language it assumed.
	if msg := k.DialectFallback(); !strings.Contains(msg, "no scripts/kconfig") {
		t.Errorf("DialectFallback %q", msg)
	}
}

func TestKernelMissingTree(t *testing.T) {
	ks := NewKernels()
	defer ks.Close()
	dir := t.TempDir()
	_, err := ks.Get(context.Background(), KernelTrees{Srctree: dir, Objtree: dir})
	if err == nil {
		t.Fatal("no error for a folder without Kconfig")
	}
}

// realKernel is the Linux 6.12 fixture's srctree and x86_64 objtree, or
// skips (fails under KRLS_REQUIRE_KERNEL, as `make test` sets it).
func realKernel(t testing.TB) (src, objX86 string) {
	t.Helper()
	src, objX86 = os.Getenv("KRLS_KERNEL_SRC"), os.Getenv("KRLS_KERNEL_OBJ_X86_64")
	if src == "" || objX86 == "" {
		if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
			t.Fatal("the kernel fixture is missing")
		}
		t.Skip("no kernel fixture")
	}
	return src, objX86
}

// TestKernelRealTree loads every object tree of the fixture kernels as the
// server would, and compares what the Rust code gets with the tree's own
// conf: the cfg flags krls computes are exactly the lines conf wrote to
// include/generated/rustc_cfg.
func TestKernelRealTree(t *testing.T) {
	for _, fk := range kerneltest.Kernels(t) {
		for _, o := range fk.Objs {
			t.Run(fk.Version+"/"+o.Name, func(t *testing.T) {
				ks := NewKernels()
				defer ks.Close()
				trees, err := LocateKernel(filepath.Join(fk.Src, "rust/kernel/lib.rs"), KernelSettings{Objtree: o.Dir}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if trees.Srctree != fk.Src || trees.Objtree != o.Dir {
					t.Errorf("located %+v", trees)
				}
				k, err := ks.Get(context.Background(), trees)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("loaded %s for %s in %v: %d Kconfig files", k.Srctree, k.Arch, k.Took, len(k.K.Files))
				if k.Arch != o.Arch {
					t.Errorf("arch %s, want %s", k.Arch, o.Arch)
				}
				if msg := k.KconfigErrorSummary(); msg != "" {
					t.Errorf("a real tree reads with errors: %s", msg)
				}
				if msg := k.DialectFallback(); msg != "" {
					t.Errorf("a real tree's dialect is not read from it: %s", msg)
				}
				if k.Eval == nil || k.Cfg == nil || k.Rules == nil {
					t.Fatalf("no evaluation: %v", k.NoConfig)
				}
				dot := kerneltest.DotConfig(t, o.Dir)
				if got, want := k.Eval.Str(k.Symbol("RUST")), kerneltest.ValueOf(dot, "RUST"); got != want {
					t.Errorf("RUST = %s, the .config says %s", got, want)
				}
				if got, want := k.Cfg.Set("CONFIG_RUST"), kerneltest.ValueOf(dot, "RUST") == "y"; got != want {
					t.Errorf("cfg(CONFIG_RUST) %v, want %v", got, want)
				}
				other := kerneltest.OtherArchSymbol(o.Arch)
				if k.Symbol(other) != nil || k.Defs.Lookup(other) == nil {
					t.Errorf("%s: symbol %v, definitions %v", other, k.Symbol(other), k.Defs.Lookup(other))
				}
				want := strings.Split(strings.TrimSuffix(mustRead(t, filepath.Join(o.Dir, "include/generated/rustc_cfg")), "\n"), "\n")
				sort.Strings(want)
				if got := k.Cfg.Flags(); !slices.Equal(got, want) {
					gotSet := map[string]bool{}
					for _, f := range got {
						gotSet[f] = true
					}
					wantSet := map[string]bool{}
					for _, f := range want {
						wantSet[f] = true
						if !gotSet[f] {
							t.Errorf("conf's rustc_cfg has %s, krls not", f)
						}
					}
					for _, f := range got {
						if !wantSet[f] {
							t.Errorf("krls has %s, conf's rustc_cfg not", f)
						}
					}
				}
				if k.Changed() {
					t.Error("Changed right after the load")
				}
			})
		}
	}
}
