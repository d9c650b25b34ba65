package kconfig

import (
	"context"
	"testing"
)

func TestScanDefinitions(t *testing.T) {
	for _, kt := range fixtureTrees(t) {
		t.Run(kt.version, func(t *testing.T) { scanDefinitions(t, kt) })
	}
}

func scanDefinitions(t *testing.T, kt *kernelTree) {
	d, err := ScanDefinitions(context.Background(), kt.src, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d names", d.Files, len(d.Names()))
	// 1,812 Kconfig files in 6.12 (1,704 in 6.1, 1,916 in 7.2); a few
	// are reached by no source.
	if min := map[string]int{"6.1": 1650}[kt.version]; d.Files < max(min, 1700) && kt.version != "6.1" || d.Files < 1650 {
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
