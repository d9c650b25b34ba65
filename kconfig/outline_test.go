package kconfig

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const outlineSrc = `mainmenu "Test"

config A
	bool "First"
	depends on B && !C
	select D if E
	help
	  Some help.

	  More help.

menu "Drivers"
	depends on A

menuconfig M
	tristate "Module thing"
	range 1 FOO_MAX

if M
config N
	def_bool M = y || A
endif

choice
	prompt "Pick"
	default P1

config P1
	bool "one"

config P2
	bool "two"
	depends on 0x10 < 0x20

endchoice

comment "A comment"
	depends on "quoted" = X

endmenu

source "arch/$(SRCARCH)/Kconfig"
`

func TestOutline(t *testing.T) {
	f := ParseFile("Kconfig", []byte(outlineSrc))
	if len(f.Errors) > 0 {
		t.Fatal(f.Errors)
	}
	var b strings.Builder
	var dump func(ns []*OutlineNode, depth int)
	dump = func(ns []*OutlineNode, depth int) {
		for _, n := range ns {
			fmt.Fprintf(&b, "%s%d %s [%s] %d-%d\n", strings.Repeat("  ", depth), n.Kind, n.Name, n.Detail, n.Line, n.EndLine)
			dump(n.Children, depth+1)
		}
	}
	dump(Outline(f), 0)
	want := `6 Test [] 1-1
0 A [bool "First"] 3-11
3 Drivers [] 12-40
  1 M [tristate "Module thing"] 15-17
  5 if M [] 19-22
    0 N [bool] 20-21
  2 Pick [] 24-35
    0 P1 [bool "one"] 28-29
    0 P2 [bool "two"] 31-33
  4 A comment [] 37-37
7 arch/$(SRCARCH)/Kconfig [] 42-42
`
	if got := b.String(); got != want {
		t.Errorf("outline:\n%s\nwant:\n%s", got, want)
	}
}

func TestNameRefs(t *testing.T) {
	f := ParseFile("Kconfig", []byte(outlineSrc))
	var got []string
	for _, r := range NameRefs(f) {
		s := fmt.Sprintf("%s:%d", r.Name, r.Line)
		if r.Def {
			s += "*"
		}
		got = append(got, s)
	}
	want := "A:3* B:5 C:5 D:6 E:6 A:13 M:15* FOO_MAX:17 M:19 N:20* M:21 A:21 P1:26 P1:28* P2:31* X:38"
	if strings.Join(got, " ") != want {
		t.Errorf("refs:\n%s\nwant:\n%s", strings.Join(got, " "), want)
	}
}

// TestUndefinedNamesInTree counts the names the tree's Kconfig files use
// that no Kconfig file defines (what scripts/checkkconfigsymbols.py
// reports), the basis of the editor's warning.
func TestUndefinedNamesInTree(t *testing.T) {
	for _, kt := range fixtureTrees(t) {
		t.Run(kt.version, func(t *testing.T) { undefinedNamesInTree(t, kt) })
	}
}

func undefinedNamesInTree(t *testing.T, kt *kernelTree) {
	d0, err := DetectDialect(kt.src)
	if err != nil {
		t.Fatal(err)
	}
	cache := &FileCache{}
	d, err := ScanDefinitions(context.Background(), kt.src, cache, d0)
	if err != nil {
		t.Fatal(err)
	}
	undefined := map[string]string{}
	for _, path := range cache.paths() {
		rel, _ := filepath.Rel(kt.src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range NameRefs(ParseFileDialect(rel, data, d0)) {
			if d.Lookup(r.Name) == nil {
				undefined[r.Name] = fmt.Sprintf("%s:%d", rel, r.Line)
			}
		}
	}
	t.Logf("%d names used but never defined, e.g. %v", len(undefined), sample(undefined, 5))
	if len(undefined) == 0 || len(undefined) > 500 {
		t.Errorf("%d undefined names", len(undefined))
	}
}

func sample(m map[string]string, n int) []string {
	var out []string
	for k, v := range m {
		if len(out) == n {
			break
		}
		out = append(out, k+"@"+v)
	}
	return out
}
