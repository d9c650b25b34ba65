package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
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

// moduleRules are the module! rules, for --rules.
const moduleRules = "module-syntax,module-unknown-key,module-missing-key,module-duplicate-key,module-key-order,module-non-ascii,module-value-kind,module-string-literal,module-unknown-license,module-non-gpl-license,module-name-mismatch,module-unknown-type"

// On every fixture kernel, the module! and driver macro uses of
// samples/rust, drivers and rust/ (the vendored crates too) have no
// finding but module-name-mismatch (information: a name other than the
// object's, listed with the reasons in diagnostics' real-tree test);
// zerocopy's own module! is not the kernel's.
func TestCheckModuleRulesRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			out, errOut, code := krlsCheck(t, "--all-crates", "--rules", moduleRules,
				filepath.Join(k.Src, "samples", "rust"), filepath.Join(k.Src, "drivers"), filepath.Join(k.Src, "rust"))
			if code != 0 || errOut != "" {
				t.Errorf("exit %d, stderr %q", code, errOut)
			}
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if l != "" && (!strings.Contains(l, ": info: the module is named ") || !strings.HasSuffix(l, "[module-name-mismatch]")) {
					t.Errorf("unexpected: %s", l)
				}
			}
		})
	}
}

// With KDIR a 7.x tree, 7.x's keys: authors and params are taken, a
// parameter of a type the tree does not take is not.
func TestCheckModuleRulesKdirSyn(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		if !strings.HasPrefix(k.Version, "7.") {
			continue
		}
		text := strings.Replace(ootModule, "    license: \"GPL\",\n", "    license: \"GPL\",\n    params: {\n        debug: u32 {\n            default: 0,\n            description: \"debug level\",\n        },\n        flag: f64 { default: 0.5, description: \"no\", },\n    },\n", 1)
		dir := outOfTreeModule(t, text)
		t.Setenv("KDIR", k.Src)
		out, errOut, code := krlsCheck(t, dir)
		want := "/rust_oot.rs:13:15: error: Unsupported parameter type f64: module! takes a parameter of one of the types "
		if code != 1 || errOut != "" || strings.Count(out, "\n") != 1 || !strings.Contains(out, want) || !strings.HasSuffix(out, "not `f64` [module-value-kind]\n") {
			t.Errorf("Linux %s: exit %d, stderr %q, output:\n%s", k.Version, code, errOut, out)
		}
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
