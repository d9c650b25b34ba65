package kconfig

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// The small trees under testdata/trees exercise one part of the language
// each (tristates and modules, choices, ranges, selects and implies, menus,
// strings, comparisons, symbols defined twice, macros), with .config
// inputs written to hit the corner cases. Each is run through the kernel's
// own conf (built by the kernel fixture) and through krls, and the two
// outputs must match byte for byte.

// confBinary finds a conf built by ../shared/kernel-fixture.sh.
func confBinary(t *testing.T) string {
	t.Helper()
	for _, v := range []string{"KRLS_KERNEL_OBJ_X86_64", "KRLS_KERNEL_OBJ_ARM64", "KRLS_KERNEL_OBJ_DEBIAN"} {
		if dir := os.Getenv(v); dir != "" {
			p := filepath.Join(dir, "scripts", "kconfig", "conf")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
		t.Fatal("no conf binary: the kernel fixture is missing")
	}
	t.Skip("no conf binary (eval \"$(../shared/kernel-fixture.sh)\")")
	return ""
}

const testEnvVar = "a value from the environment"

func runConf(t *testing.T, conf, tree string, input []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".config")
	if err := os.WriteFile(cfg, input, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(conf, "-s", "--olddefconfig", "Kconfig")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "srctree="+tree, "KCONFIG_CONFIG="+cfg, "KRLS_TEST_VAR="+testEnvVar)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("conf: %v\n%s", err, stderr.String())
	}
	out, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runKrls(t *testing.T, tree string, input []byte, shell Shell) ([]byte, *Kconfig) {
	t.Helper()
	return runKrlsDialect(t, tree, input, shell, nil)
}

// runKrlsDialect is runKrls with the semantics of dialect d (nil: the
// tree's, which for these trees without scripts/kconfig is Latest).
func runKrlsDialect(t *testing.T, tree string, input []byte, shell Shell, d *Dialect) ([]byte, *Kconfig) {
	t.Helper()
	tools := &Toolchain{Env: map[string]string{"srctree": tree, "KRLS_TEST_VAR": testEnvVar}}
	k := loadClean(t, LoadOptions{Srctree: tree, Tools: tools, Shell: shell, Dialect: d})
	out, _, _ := applyAndWrite(t, k, input)
	return out, k
}

// treeVersions reads the kernels whose conf accepts a test tree (its
// `versions` file); a tree without one is for every kernel.
func treeVersions(t *testing.T, tree string) []string {
	b, err := os.ReadFile(filepath.Join(tree, "versions"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// TestTreesAgainstConf runs each small tree through the conf of every
// fixture kernel whose language it is written in, and krls with that
// kernel's dialect (as read from its scripts/kconfig): the outputs must
// match byte for byte.
func TestTreesAgainstConf(t *testing.T) {
	trees, _ := filepath.Glob("testdata/trees/*")
	if len(trees) == 0 {
		t.Fatal("no trees")
	}
	kernels := fixtureTrees(t)
	seen := map[string]bool{}
	for _, kt := range kernels {
		conf, d := kt.conf(t), kt.dialect(t)
		for _, tree := range trees {
			tree, _ = filepath.Abs(tree)
			if vs := treeVersions(t, tree); vs != nil && !slices.Contains(vs, kt.version) {
				// Written in another kernel's language: this conf
				// refuses it, and krls reports an error too.
				t.Run(kt.version+"/"+filepath.Base(tree)+"/refused", func(t *testing.T) {
					cmd := exec.Command(conf, "-s", "--olddefconfig", "Kconfig")
					cmd.Dir = t.TempDir()
					cmd.Env = append(os.Environ(), "srctree="+tree, "KCONFIG_CONFIG="+filepath.Join(cmd.Dir, ".config"), "KRLS_TEST_VAR="+testEnvVar)
					confOut, err := cmd.CombinedOutput()
					if err == nil {
						t.Fatalf("conf accepts the tree: list %s in its versions file", kt.version)
					}
					tools := &Toolchain{Env: map[string]string{"srctree": tree, "KRLS_TEST_VAR": testEnvVar}}
					k, err := Load(context.Background(), LoadOptions{Srctree: tree, Tools: tools, Dialect: d})
					if err == nil && !k.HasErrors() {
						t.Errorf("krls reads without an error a tree conf refuses:\n%s", confOut)
					}
				})
				continue
			}
			seen[filepath.Base(tree)] = true
			inputs, _ := filepath.Glob(filepath.Join(tree, "config*"))
			for _, in := range inputs {
				t.Run(kt.version+"/"+filepath.Base(tree)+"/"+filepath.Base(in), func(t *testing.T) {
					input, err := os.ReadFile(in)
					if err != nil {
						t.Fatal(err)
					}
					want := runConf(t, conf, tree, input)
					shell := &ExecShell{Dir: t.TempDir(), Timeout: time.Minute}
					got, _ := runKrlsDialect(t, tree, input, shell, d)
					if diff := firstDiff(want, got); diff != "" {
						t.Errorf("krls differs from conf: %s\nconf:\n%s\nkrls:\n%s", diff, want, got)
					}
					// A second pass, reading conf's own output back, must
					// agree too. It is usually a fixpoint but not always: a
					// "tristate ... if m" with "default y" is written as y
					// and read back as m, by conf and krls alike.
					want2 := runConf(t, conf, tree, want)
					again, _ := runKrlsDialect(t, tree, want, shell, d)
					if diff := firstDiff(want2, again); diff != "" {
						t.Errorf("second pass differs from conf: %s", diff)
					}
				})
			}
		}
	}
	if len(kernels) == kerneltest.Count() {
		for _, tree := range trees {
			if !seen[filepath.Base(tree)] {
				t.Errorf("%s: no fixture kernel's conf runs it (see its versions file)", tree)
			}
		}
	}
}

func TestMacroTree(t *testing.T) {
	tree, _ := filepath.Abs("testdata/trees/macros")
	out, k := runKrls(t, tree, nil, nil)
	e := NewEval(k)
	e.Apply(&DotConfig{byName: map[string]int{}})
	if got, want := e.Str(k.Lookup("MACRO_STR")), "baz-bar one two [x|y] Kconfig:12"; got != want {
		t.Errorf("MACRO_STR = %q, want %q", got, want)
	}
	if got := e.Str(k.Lookup("FROM_ENV")); got != testEnvVar {
		t.Errorf("FROM_ENV = %q", got)
	}
	if k.Lookup("baz_SYM") == nil {
		t.Error("a symbol named by a macro is missing")
	}
	if len(k.Probes) != 1 || k.Probes[0] != "echo y" {
		t.Errorf("probes = %q, want [echo y]", k.Probes)
	}
	if !strings.Contains(string(out), "CONFIG_MACRO_STR=") {
		t.Errorf("output:\n%s", out)
	}
	var info bool
	for _, m := range k.Errors {
		info = info || m.Msg == "an info line"
	}
	if !info {
		t.Error("$(info,...) was not reported")
	}
}

// TestTransitional checks `transitional` symbols (Linux 6.18+; the tree
// has no scripts/kconfig, so Latest, 7.2's, applies; testdata/trees has
// trees checked against 7.2's conf): an old .config's value feeds the new
// symbol's default, and the old name is never written back.
func TestTransitional(t *testing.T) {
	tree, _ := filepath.Abs("testdata/transitional")
	old, err := os.ReadFile(filepath.Join(tree, "old.config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		in        []byte
		want      []string
		wantValue map[string]string
	}{
		{"old config", old,
			[]string{"CONFIG_MODULES=y", "CONFIG_NEW_NAME=y", "CONFIG_NEW_TRI=m", "CONFIG_NEW_INT=42", `CONFIG_NEW_STR="kept"`},
			map[string]string{"OLD_NAME": "y", "OLD_TRI": "m", "OLD_INT": "42", "OLD_STR": "kept"}},
		{"no value", nil,
			[]string{"CONFIG_MODULES=y", "# CONFIG_NEW_NAME is not set", "# CONFIG_NEW_TRI is not set", "CONFIG_NEW_INT=0", `CONFIG_NEW_STR=""`},
			map[string]string{"OLD_NAME": "n", "OLD_INT": "0"}},
		{"new name set by the user wins", []byte("CONFIG_NEW_NAME=n\nCONFIG_OLD_NAME=y\n"),
			[]string{"# CONFIG_NEW_NAME is not set"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, k := runKrls(t, tree, c.in, nil)
			lines := strings.Split(string(out), "\n")
			for _, w := range c.want {
				if !slices.Contains(lines, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), "OLD_") {
				t.Errorf("a transitional symbol was written:\n%s", out)
			}
			d, _ := ParseDotConfig("in", bytes.NewReader(c.in))
			e := NewEval(k)
			e.Apply(d)
			for name, v := range c.wantValue {
				if got := e.Str(k.Lookup(name)); got != v {
					t.Errorf("%s = %q, want %q", name, got, v)
				}
				// conf makes a transitional symbol "visible" inside, so
				// that the .config's value counts; nothing shows it.
				if s := k.Lookup(name); e.Visible(s) != Yes || e.Written(s) {
					t.Errorf("%s: visible %v, written %v", name, e.Visible(s), e.Written(s))
				}
			}
			// The output read back gives itself: the new names now carry
			// the values.
			again, _ := runKrls(t, tree, out, nil)
			if d := firstDiff(out, again); d != "" {
				t.Errorf("not a fixpoint: %s", d)
			}
		})
	}
}

func TestTransitionalErrors(t *testing.T) {
	tree, _ := filepath.Abs("testdata/transitional/bad")
	k, err := Load(context.Background(), LoadOptions{Srctree: tree, Tools: &Toolchain{Env: map[string]string{}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range k.Errors {
		got = append(got, e.Error())
	}
	slices.Sort(got)
	want := []string{
		"Kconfig:10: transitional symbol C cannot have a default: its value comes only from the .config",
		"Kconfig:11: transitional symbol C cannot have select: its value comes only from the .config",
		"Kconfig:12: transitional symbol C cannot have dependencies: its value comes only from the .config",
		"Kconfig:2: transitional symbol A cannot have a prompt: its value comes only from the .config",
		"Kconfig:5: config symbol defined without type",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
