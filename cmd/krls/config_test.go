package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes a small tree.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// brokenTree has a Kconfig file krls cannot fully read: `depends on X if
// Y` in a tree whose scripts/kconfig (a stand-in parser.y of 6.12's kind)
// does not know it.
func brokenTree(t *testing.T) string {
	return writeFiles(t, map[string]string{
		"Kconfig": "mainmenu \"Test\"\nconfig A\n\tbool \"a\"\n\tdefault y\nsource \"sub/Kconfig\"\n",
		"sub/Kconfig": "config B\n\tbool \"b\"\n\tdepends on A if C\n\tdefault y\n" +
			"config C\n\tbool \"c\"\n\tdefault y\n\tdepends on A\n",
		"scripts/kconfig/lexer.l":    "\"bool\"\t\treturn T_BOOL;\n\"config\"\treturn T_CONFIG;\n\"default\"\treturn T_DEFAULT;\n\"depends\"\treturn T_DEPENDS;\n\"if\"\treturn T_IF;\n\"on\"\treturn T_ON;\n\"source\"\treturn T_SOURCE;\n\"mainmenu\"\treturn T_MAINMENU;\n",
		"scripts/kconfig/parser.y":   "depends: T_DEPENDS T_ON expr T_EOL\nchoice_option: T_BOOL T_WORD_QUOTE if_expr T_EOL\n",
		"scripts/kconfig/symbol.c":   "newval.val = \"0x0\";\n",
		"scripts/kconfig/expr.h":     "#define SYMBOL_HASHSIZE\t\t(1U << 14)\nval_is_valid\n",
		"scripts/kconfig/confdata.c": "int conf_read(const char *name)\n{\n}\n",
		".config":                    "CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=y\n",
	})
}

func TestConfigOlddefconfigRefusesPartialTree(t *testing.T) {
	tree := brokenTree(t)
	out := filepath.Join(t.TempDir(), "out.config")
	var stdout, stderr bytes.Buffer
	code := runConfig([]string{"olddefconfig", "--srctree", tree, "--arch", "x86_64", "--in", filepath.Join(tree, ".config"), "--out", out}, &stdout, &stderr)
	if code != 2 {
		t.Errorf("exit %d, want 2\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "sub/Kconfig:3: unexpected 'if' at end of statement") {
		t.Errorf("the error is not listed with its place:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "not writing") {
		t.Errorf("no word of the refusal:\n%s", stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was written (%v)", out, err)
	}
}

func TestConfigExplainPartialTree(t *testing.T) {
	tree := brokenTree(t)
	var stdout, stderr bytes.Buffer
	code := runConfig([]string{"explain", "B", "--srctree", tree, "--objtree", tree, "--arch", "x86_64"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	text := stdout.String()
	for _, want := range []string{"CONFIG_B=y", "incomplete:", "sub/Kconfig:3: unexpected 'if' at end of statement"} {
		if !strings.Contains(text, want) {
			t.Errorf("explain lacks %q:\n%s", want, text)
		}
	}
	// A symbol whose files read cleanly still hears of the tree's errors.
	stdout.Reset()
	if code := runConfig([]string{"explain", "A", "--srctree", tree, "--objtree", tree, "--arch", "x86_64"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout.String(), "the tree has 1 Kconfig errors") {
		t.Errorf("explain A does not mention the tree's error:\n%s", stdout.String())
	}
}

// fixtureKernel is one kernel of ../shared/kernel-fixture.sh with its
// object trees.
type fixtureKernel struct {
	version, src string
	objs         []string
}

func fixtureKernels(t *testing.T) []fixtureKernel {
	t.Helper()
	var out []fixtureKernel
	for _, k := range []struct {
		version, src string
		objs         []string
	}{
		{"6.1", "KRLS_KERNEL_SRC_6_1", []string{"KRLS_KERNEL_OBJ_6_1_X86_64", "KRLS_KERNEL_OBJ_6_1_DEBIAN"}},
		{"6.12", "KRLS_KERNEL_SRC", []string{"KRLS_KERNEL_OBJ_X86_64", "KRLS_KERNEL_OBJ_ARM64", "KRLS_KERNEL_OBJ_DEBIAN"}},
		{"7.2", "KRLS_KERNEL_SRC_7_2", []string{"KRLS_KERNEL_OBJ_7_2_X86_64", "KRLS_KERNEL_OBJ_7_2_ARM64", "KRLS_KERNEL_OBJ_7_2_DEBIAN"}},
	} {
		fk := fixtureKernel{version: k.version, src: os.Getenv(k.src)}
		for _, o := range k.objs {
			if dir := os.Getenv(o); dir != "" {
				fk.objs = append(fk.objs, dir)
			}
		}
		if fk.src == "" || len(fk.objs) != len(k.objs) {
			if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
				t.Fatalf("the Linux %s fixture is missing (%s)", k.version, k.src)
			}
			continue
		}
		out = append(out, fk)
	}
	if len(out) == 0 {
		t.Skip("no fixture kernel: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return out
}

// TestConfigOlddefconfigRealTrees: on each fixture kernel, the CLI writes
// each fixture .config (made by that kernel's conf) back unchanged, and
// explain speaks the tree's language.
func TestConfigOlddefconfigRealTrees(t *testing.T) {
	for _, fk := range fixtureKernels(t) {
		for _, obj := range fk.objs {
			t.Run(fk.version+"/"+filepath.Base(obj), func(t *testing.T) {
				in := filepath.Join(obj, ".config")
				want, err := os.ReadFile(in)
				if err != nil {
					t.Fatal(err)
				}
				arch := "x86_64"
				if strings.Contains(string(want[:200]), "Linux/arm64") {
					arch = "arm64"
				}
				out := filepath.Join(t.TempDir(), ".config")
				var stdout, stderr bytes.Buffer
				if code := runConfig([]string{"olddefconfig", "--srctree", fk.src, "--arch", arch, "--in", in, "--out", out}, &stdout, &stderr); code != 0 {
					t.Fatalf("exit %d\n%s", code, stderr.String())
				}
				got, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("the fixture .config did not come back unchanged")
				}
			})
		}
	}
}

func TestConfigExplainRealTrees(t *testing.T) {
	for _, fk := range fixtureKernels(t) {
		t.Run(fk.version, func(t *testing.T) {
			explain := func(sym string) string {
				var stdout, stderr bytes.Buffer
				if code := runConfig([]string{"explain", sym, "--srctree", fk.src, "--objtree", fk.objs[0]}, &stdout, &stderr); code != 0 {
					t.Fatalf("explain %s: exit %d\n%s", sym, code, stderr.String())
				}
				if strings.Contains(stdout.String(), "incomplete") {
					t.Errorf("explain %s: the tree reads as incomplete:\n%s", sym, stdout.String())
				}
				return stdout.String()
			}
			if got := explain("NET"); !strings.Contains(got, "CONFIG_NET=y (bool)") || !strings.Contains(got, "net/Kconfig") {
				t.Errorf("explain NET:\n%s", got)
			}
			switch fk.version {
			case "7.2":
				// `depends on X if Y` as the tree writes it.
				if got := explain("USB_CDNS_SUPPORT"); !strings.Contains(got, "(USB [=") || !strings.Contains(got, " if !USB_GADGET [=") {
					t.Errorf("explain USB_CDNS_SUPPORT does not show the depends-if form:\n%s", got)
				}
			case "6.1":
				// A member of a tristate choice depends on the choice.
				if got := explain("RAPIDIO_ENUM_BASIC"); !strings.Contains(got, `<choice "Enumeration method"> [=`) {
					t.Errorf("explain RAPIDIO_ENUM_BASIC does not show its choice:\n%s", got)
				}
			}
		})
	}
}
