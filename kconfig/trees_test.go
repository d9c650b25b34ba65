package kconfig

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	tools := &Toolchain{Env: map[string]string{"srctree": tree, "KRLS_TEST_VAR": testEnvVar}}
	k, err := Load(context.Background(), LoadOptions{Srctree: tree, Tools: tools, Shell: shell})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range k.Errors {
		if !e.Warning {
			t.Fatalf("load: %v", e)
		}
	}
	d, err := ParseDotConfig("in", bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEval(k)
	e.Apply(d)
	var out bytes.Buffer
	if err := e.WriteConfig(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), k
}

func TestTreesAgainstConf(t *testing.T) {
	conf := confBinary(t)
	trees, _ := filepath.Glob("testdata/trees/*")
	if len(trees) == 0 {
		t.Fatal("no trees")
	}
	for _, tree := range trees {
		tree, _ = filepath.Abs(tree)
		inputs, _ := filepath.Glob(filepath.Join(tree, "config*"))
		for _, in := range inputs {
			t.Run(filepath.Base(tree)+"/"+filepath.Base(in), func(t *testing.T) {
				input, err := os.ReadFile(in)
				if err != nil {
					t.Fatal(err)
				}
				want := runConf(t, conf, tree, input)
				shell := &ExecShell{Dir: t.TempDir(), Timeout: time.Minute}
				got, _ := runKrls(t, tree, input, shell)
				if d := firstDiff(want, got); d != "" {
					t.Errorf("krls differs from conf: %s\nconf:\n%s\nkrls:\n%s", d, want, got)
				}
				// A second pass, reading conf's own output back, must
				// agree too. It is usually a fixpoint but not always: a
				// "tristate ... if m" with "default y" is written as y and
				// read back as m, by conf and krls alike.
				want2 := runConf(t, conf, tree, want)
				again, _ := runKrls(t, tree, want, shell)
				if d := firstDiff(want2, again); d != "" {
					t.Errorf("second pass differs from conf: %s", d)
				}
			})
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
