package symbols

import (
	"os"
	"path/filepath"
	"testing"
)

func TestKbuildObjM(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		objM      bool
	}{
		{"+=", "obj-m += hello.o\n", true},
		{":=", "obj-m := hello.o\n", true},
		{"=", "obj-m = hello.o\n", true},
		{"?=", "obj-m ?= hello.o\n", true},
		{"no blanks", "obj-m:=hello.o\n", true},
		{"indented", "ifneq ($(KERNELRELEASE),)\n  obj-m += hello.o\nendif\n", true},
		{"continued value", "obj-m += \\\n\thello.o \\\n\tother.o\n", true},
		{"CRLF", "obj-m := hello.o\r\n", true},
		{"after other lines", "KDIR ?= /lib/modules/$(shell uname -r)/build\n\nobj-m := hello.o\n\nall:\n\t$(MAKE) -C $(KDIR) M=$(PWD)\n", true},
		{"comment", "# obj-m += hello.o\nall:\n\t$(MAKE) -C $(KDIR) M=$(PWD)\n", false},
		{"trailing comment", "obj-y += x.o # not obj-m := y.o\n", false},
		{"continued comment", "# a comment \\\nobj-m := hello.o\n", false},
		{"inside a continued line", "FOO := a \\\nobj-m := hello.o\n", false},
		{"in a recipe", "modules:\n\techo obj-m\n", false},
		{"obj-y", "obj-y += hello.o\n", false},
		{"obj-$(CONFIG_X)", "obj-$(CONFIG_X) += hello.o\n", false},
		{"another list", "hello-m := hello.o\n", false},
		{"a word ending in obj-m", "xobj-m := hello.o\n", false},
		{"a use, not an assignment", "ifneq ($(obj-m),)\nendif\n", false},
	} {
		if got := ParseKbuild("Makefile", []byte(tc.src)).ObjM; got != tc.objM {
			t.Errorf("%s: ObjM = %v, want %v (%q)", tc.name, got, tc.objM, tc.src)
		}
	}
}

func TestIsModuleDir(t *testing.T) {
	root := t.TempDir()
	for dir, files := range map[string]map[string]string{
		"kbuild":  {"Kbuild": "# anything\n"},
		"objm":    {"Makefile": "obj-m := hello.o\n"},
		"comment": {"Makefile": "# builds with obj-m += hello.o\nall:\n"},
		"none":    {},
	} {
		for name, text := range files {
			p := filepath.Join(root, dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for dir, want := range map[string]bool{"kbuild": true, "objm": true, "comment": false, "none": false} {
		if got := IsModuleDir(filepath.Join(root, dir)); got != want {
			t.Errorf("IsModuleDir(%s) = %v, want %v", dir, got, want)
		}
	}
}
