package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// krls check runs the module! rules with the facts of the file's tree:
// the srctree above it, or KDIR's for an out-of-tree module, or the
// built-in 6.12 facts without either.

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

// With KDIR each fixture kernel, an out-of-tree module's keys are that
// tree's: before 7.x `authors` is unknown, and the message lists the keys
// of the tree's EXPECTED_KEYS; 7.x takes it.
func TestCheckModuleRulesKdir(t *testing.T) {
	expectedRE := regexp.MustCompile(`const EXPECTED_KEYS: &\[&str\] =\s*&\[([^\]]*)\];`)
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			mod, err := os.ReadFile(filepath.Join(k.Src, "rust", "macros", "module.rs"))
			if err != nil {
				t.Fatal(err)
			}
			dir := outOfTreeModule(t, ootModule)
			t.Setenv("KDIR", k.Src)
			out, errOut, code := krlsCheck(t, dir)
			if errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
			var keys []string
			if m := expectedRE.FindSubmatch(mod); m != nil {
				for _, q := range regexp.MustCompile(`"[a-z_]+"`).FindAll(m[1], -1) {
					keys = append(keys, string(q))
				}
			}
			if len(keys) == 0 {
				// 7.x: syn's parse_ordered_fields!, with authors.
				if !strings.Contains(string(mod), "authors") || code != 0 || out != "" {
					t.Errorf("Linux %s takes authors: exit %d, output:\n%s", k.Version, code, out)
				}
				return
			}
			want := `rust_oot.rs:6:5: error: Unknown key "authors". Valid keys are: [` + strings.Join(keys, ", ") + `]. Did you mean "author"? [module-unknown-key]`
			if code != 1 || !strings.Contains(out, want) {
				t.Errorf("exit %d, output:\n%s\nwant %s", code, out, want)
			}
		})
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
