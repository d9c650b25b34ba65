package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// krls check runs the module! rules with the facts of the file's tree:
// the srctree above it, or KDIR's for an out-of-tree module, or the
// built-in 6.12 facts without either.

func kernelSrcOrSkip(t *testing.T) string {
	src := os.Getenv("KRLS_KERNEL_SRC")
	if src == "" {
		if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
			t.Fatal("KRLS_KERNEL_SRC is not set")
		}
		t.Skip("KRLS_KERNEL_SRC not set: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return src
}

// outOfTreeModule writes a module folder (Kbuild + one file).
func outOfTreeModule(t *testing.T, text string) string {
	dir := t.TempDir()
	for name, body := range map[string]string{"Kbuild": "obj-m := rust_oot.o\n", "rust_oot.rs": text} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const ootModule = `use kernel::prelude::*;

module! {
    type: RustOot,
    name: "rust_oot",
    authors: ["A. U. Thor"],
    license: "GPL",
}

struct RustOot;
`

func TestCheckModuleRulesKdir(t *testing.T) {
	src := kernelSrcOrSkip(t)
	dir := outOfTreeModule(t, ootModule)
	t.Setenv("KDIR", src)
	out, errOut, code := krlsCheck(t, dir)
	if code != 1 || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if want := `rust_oot.rs:6:5: error: Unknown key "authors". Valid keys are: ["type", "name", "author", "description", "license", "alias", "firmware"]. Did you mean "author"? [module-unknown-key]`; !strings.Contains(out, want) {
		t.Errorf("output:\n%s\nwant %s", out, want)
	}
}

func TestCheckModuleRulesRealTree(t *testing.T) {
	src := kernelSrcOrSkip(t)
	out, errOut, code := krlsCheck(t, "--rules", "module-unknown-key,module-missing-key,module-duplicate-key,module-key-order,module-non-ascii,module-value-kind,module-unknown-license,module-name-mismatch,module-unknown-type",
		filepath.Join(src, "samples", "rust"), filepath.Join(src, "drivers", "net", "phy"), filepath.Join(src, "drivers", "block", "rnull.rs"))
	if code != 0 || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "ax88796b_rust.rs:21:11: info:") || !strings.Contains(lines[1], "qt2025.rs:28:11: info:") {
		t.Errorf("output:\n%s", out)
	}
}

func TestCheckModuleRulesBuiltin(t *testing.T) {
	dir := outOfTreeModule(t, ootModule)
	t.Setenv("KDIR", "")
	out, _, code := krlsCheck(t, dir)
	if code != 1 || !strings.Contains(out, `Unknown key "authors"`) {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}
