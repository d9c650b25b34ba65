package rustproject

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBuilt: a file is built when its folder's obj-<cond> and every
// folder above it, down from the top Kbuild, are on; else the answer
// names the symbol to change.
func TestBuilt(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"Kbuild":                   "obj-y += drivers/\nobj-$(CONFIG_SAMPLES) += samples/\n",
		"drivers/Makefile":         "obj-$(CONFIG_GPU) += gpu/\nobj-y += net/\n",
		"drivers/gpu/Makefile":     "obj-$(CONFIG_NOVA) += nova.o\n",
		"drivers/net/Kbuild":       "obj-m += big.o\nbig-y := part_a.o \\\n\tpart_b.o\nbig-$(CONFIG_EXTRA) += extra.o\n",
		"drivers/net/Makefile":     "obj-y += ignored_because_kbuild_wins.o\n",
		"samples/Makefile":         "obj-$(CONFIG_SAMPLE_RUST) += rust/\n",
		"samples/rust/Makefile":    "obj-$(CONFIG_SAMPLE_MIN) += rust_minimal.o\n",
		"drivers/orphan/Makefile":  "obj-y += lost.o\n",
		"drivers/gpu/unlisted.rs":  "",
		"drivers/net/part_b.rs":    "",
		"samples/rust/rust_min.rs": "",
	}
	for rel, text := range files {
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	values := map[string]string{"GPU": "y", "NOVA": "m", "SAMPLES": "y", "SAMPLE_RUST": "", "SAMPLE_MIN": "m"}
	b := &Built{Srctree: root, Value: func(n string) string { return values[n] }}
	for _, tc := range []struct {
		file string
		ok   bool
		why  string
	}{
		{"drivers/gpu/nova.rs", true, ""},
		{"drivers/net/part_b.rs", true, ""},
		{"drivers/net/extra.rs", false, "CONFIG_EXTRA is not set"},
		{"drivers/net/ignored_because_kbuild_wins.rs", false, "no obj- entry of the Kbuild files of drivers/net/ builds ignored_because_kbuild_wins.o"},
		{"samples/rust/rust_minimal.rs", false, "samples/rust/ is not built: CONFIG_SAMPLE_RUST is not set"},
		{"drivers/orphan/lost.rs", false, "kbuild never enters drivers/orphan/: drivers/ does not name it"},
		{"drivers/gpu/unlisted.rs", false, "no obj- entry of the Kbuild files of drivers/gpu/ builds unlisted.o"},
	} {
		ok, why := b.File(tc.file)
		if ok != tc.ok || why != tc.why {
			t.Errorf("%s: %v %q, want %v %q", tc.file, ok, why, tc.ok, tc.why)
		}
	}
	values["SAMPLE_RUST"] = "y"
	b = &Built{Srctree: root, Value: func(n string) string { return values[n] }}
	if ok, why := b.File("samples/rust/rust_minimal.rs"); !ok {
		t.Errorf("with SAMPLE_RUST=y: %s", why)
	}
}
