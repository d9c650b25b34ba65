package kconfig

import (
	"context"
	"testing"
)

func TestScanDefinitions(t *testing.T) {
	f := kernelFixture(t)
	d, err := ScanDefinitions(context.Background(), f.src, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d names", d.Files, len(d.Names()))
	// 1,812 Kconfig files in the tree; a few are reached by no source.
	if d.Files < 1700 {
		t.Errorf("read %d files", d.Files)
	}
	for name, file := range map[string]string{
		"ARM64":  "arch/arm64/Kconfig",
		"X86_64": "arch/x86/Kconfig",
		"NET":    "net/Kconfig",
		"RUST":   "init/Kconfig",
		"UML":    "arch/um/Kconfig",
	} {
		ps := d.Lookup(name)
		if len(ps) == 0 || ps[0].File != file {
			t.Errorf("%s defined at %v, want %s", name, ps, file)
		}
	}
	if d.Lookup("NO_SUCH_SYMBOL_ANYWHERE") != nil {
		t.Error("an undefined name was found")
	}
}
