package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// brokenTree has a Kconfig file krls cannot fully read: `depends on X if
// Y` in a tree whose scripts/kconfig (a stand-in parser.y of 6.12's kind)
// does not know it.
func brokenTree(t *testing.T) string {
	return kerneltest.WriteTree(t, map[string]string{
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

// TestConfigOlddefconfigRealTrees: on each fixture kernel, the CLI writes
// each fixture .config (made by that kernel's conf) back unchanged, and
// explain speaks the tree's language.
func TestConfigOlddefconfigRealTrees(t *testing.T) {
	for _, fk := range kerneltest.Kernels(t) {
		for _, o := range fk.Objs {
			t.Run(fk.Version+"/"+o.Name, func(t *testing.T) {
				in := filepath.Join(o.Dir, ".config")
				want, err := os.ReadFile(in)
				if err != nil {
					t.Fatal(err)
				}
				arch := o.Arch
				out := filepath.Join(t.TempDir(), ".config")
				var stdout, stderr bytes.Buffer
				if code := runConfig([]string{"olddefconfig", "--srctree", fk.Src, "--arch", arch, "--in", in, "--out", out}, &stdout, &stderr); code != 0 {
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
	for _, fk := range kerneltest.Kernels(t) {
		t.Run(fk.Version, func(t *testing.T) {
			explain := func(sym string) string {
				var stdout, stderr bytes.Buffer
				if code := runConfig([]string{"explain", sym, "--srctree", fk.Src, "--objtree", fk.Objs[0].Dir}, &stdout, &stderr); code != 0 {
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
			switch fk.Version {
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
