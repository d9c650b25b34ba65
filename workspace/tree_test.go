package workspace

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindSrctreeAndModule(t *testing.T) {
	root := t.TempDir()
	tree := filepath.Join(root, "linux")
	write(t, filepath.Join(tree, "Kconfig"), "")
	write(t, filepath.Join(tree, "Makefile"), "")
	write(t, filepath.Join(tree, "rust/kernel/lib.rs"), "")
	write(t, filepath.Join(tree, "drivers/net/phy/qt2025.rs"), "")
	if got, ok := FindSrctree(filepath.Join(tree, "drivers/net/phy")); !ok || got != tree {
		t.Errorf("FindSrctree = %q, %v; want %q", got, ok, tree)
	}
	mod := filepath.Join(root, "mymod")
	write(t, filepath.Join(mod, "Makefile"), "obj-m += foo.o\n")
	if got, ok := FindModuleDir(mod); !ok || got != mod {
		t.Errorf("FindModuleDir = %q, %v; want %q", got, ok, mod)
	}
	if _, ok := FindSrctree(mod); ok {
		t.Error("a module folder is not a srctree")
	}
	kb := filepath.Join(root, "kbuild-mod")
	write(t, filepath.Join(kb, "Kbuild"), "obj-m := bar.o\n")
	if got, ok := FindModuleDir(kb); !ok || got != kb {
		t.Errorf("a Kbuild file makes a module folder: FindModuleDir = %q, %v", got, ok)
	}
	// A Makefile that mentions obj-m only in a comment is not a module's.
	notes := filepath.Join(root, "notes")
	write(t, filepath.Join(notes, "Makefile"), "# see obj-m in the kernel docs\nall:\n\tpandoc notes.md\n")
	if got, ok := FindModuleDir(notes); ok {
		t.Errorf("a comment mentioning obj-m: FindModuleDir = %q", got)
	}
}

func TestClippyConf(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "tree/.clippy.toml"), "# comment\nmsrv = \"1.78.0\"\ncheck-private-items = true # yes\n\n[table]\ncheck-private-items = false\n")
	write(t, filepath.Join(root, "tree/sub/x.rs"), "")
	c, err := ReadClippyConf(filepath.Join(root, "tree/sub"))
	if err != nil || !c.CheckPrivateItems || !strings.HasSuffix(c.Path, ".clippy.toml") {
		t.Errorf("ReadClippyConf = %+v, %v", c, err)
	}
	write(t, filepath.Join(root, "bad/clippy.toml"), "check-private-items = yes\n")
	if _, err := ReadClippyConf(filepath.Join(root, "bad")); err == nil || !strings.Contains(err.Error(), "clippy.toml:1") {
		t.Errorf("malformed value: err = %v, want file:line", err)
	}
	// may-panic-functions: an array over several lines (as the kernel
	// writes its lists), ".." keeping krls's defaults.
	write(t, filepath.Join(root, "panics/.clippy.toml"), "may-panic-functions = [\n    \"alloc::vec::Vec::push\",  # grows\n    \"..\",\n]\n\n[[disallowed-methods]]\npath = \"core::ffi::CStr::as_ptr\"\n")
	if c, err := ReadClippyConf(filepath.Join(root, "panics")); err != nil || !c.HasMayPanic || !c.MayPanicExtends || !slices.Equal(c.MayPanicFunctions, []string{"alloc::vec::Vec::push"}) {
		t.Errorf("may-panic-functions: %+v, %v", c, err)
	}
	write(t, filepath.Join(root, "replace/.clippy.toml"), "may-panic-functions = [\"kernel::foo\"]\n")
	if c, err := ReadClippyConf(filepath.Join(root, "replace")); err != nil || !c.HasMayPanic || c.MayPanicExtends {
		t.Errorf("may-panic-functions without \"..\": %+v, %v", c, err)
	}
	write(t, filepath.Join(root, "mod/Kbuild"), "obj-m += m.o\n")
	if c, _ := ReadClippyConf(filepath.Join(root, "mod")); !c.CheckPrivateItems || c.Path != ModuleDefault {
		t.Errorf("module folder without clippy.toml: %+v", c)
	}
	var cache ConfigCache
	cfg, err := cache.DiagnosticsConfig(filepath.Join(root, "tree/sub/x.rs"), nil, false)
	if err != nil || !cfg.CheckPrivateItems {
		t.Errorf("DiagnosticsConfig = %+v, %v", cfg, err)
	}
}

// FuzzClippyConf: any text gives a configuration or an error naming the
// file, never a panic.
func FuzzClippyConf(f *testing.F) {
	f.Add([]byte("check-private-items = true\nmay-panic-functions = [\"a::b\", \"..\"]\n"))
	f.Add([]byte("check-private-items = yes\n"))
	f.Add([]byte("[[disallowed-methods]]\npath = \"x\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parseClippyConf("clippy.toml", b); err != nil && !strings.Contains(err.Error(), "clippy.toml") {
			t.Errorf("error without the file: %v", err)
		}
	})
}
