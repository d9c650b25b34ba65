package diagnostics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
)

// TestModuleRulesRealTree runs the module! rules with the facts read from
// each fixture kernel (6.1, 6.12, 7.2) over every .rs file of samples/rust,
// drivers and rust/. The findings are computed from the tree, not copied
// from a release:
//
//   - the uses checked are the kernel's module! and module_*_driver!
//     invocations a plain scan of the text finds at the start of a line
//     (`module! {`, `kernel::module_pci_driver! {`), minus those of a file
//     that defines a macro_rules! of that name (7.2's
//     rust/zerocopy/src/byteorder.rs defines its own `module!`);
//   - the only finding allowed is module-name-mismatch (information),
//     where the name written differs from the object the folder's
//     Makefile builds, `-` and `_` being the same (6.12's and 7.2's PHY
//     drivers are named rust_asix_phy and qt2025_phy but build
//     ax88796b_rust.ko and qt2025.ko; 7.2's cpufreq-dt,
//     rust_faux_driver and rust_device_i2c build rcpufreq_dt.ko,
//     rust_driver_faux.ko and rust_i2c_client.ko): true, and why the rule
//     is only information.
func TestModuleRulesRealTree(t *testing.T) {
	lineCallRE := regexp.MustCompile(`(?m)^(?:kernel::)?(module(?:_[a-z0-9_]+)?)!\s*[{(]`)
	nameRE := regexp.MustCompile(`\bname:\s*"([^"]*)"`)
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			root := k.Src
			facts := symbols.ReadModuleFacts(context.Background(), root)
			if len(facts.Problems) > 0 || facts.Schema.Source == "" {
				t.Fatalf("facts: %v", facts.Problems)
			}
			rules := map[string]bool{}
			for _, r := range ModuleRules {
				rules[r.Name] = true
			}
			wantCalls, gotCalls := map[string]bool{}, map[string]bool{}
			want, got := map[string]string{}, map[string]string{}
			shadowed := 0
			for _, kf := range readTree(t, root) {
				if !strings.HasPrefix(kf.rel, "samples/rust/") && !strings.HasPrefix(kf.rel, "drivers/") && !strings.HasPrefix(kf.rel, "rust/") {
					continue
				}
				if !strings.Contains(string(kf.src), "module") {
					continue
				}
				path := filepath.Join(root, kf.rel)
				// The expected uses, by a scan of the text.
				for _, m := range lineCallRE.FindAllSubmatchIndex(kf.src, -1) {
					name := string(kf.src[m[2]:m[3]])
					if facts.SchemaOf(name) == nil {
						continue
					}
					if regexp.MustCompile(`macro_rules!\s*` + name + `\b`).Match(kf.src) {
						shadowed++
						continue
					}
					wantCalls[fmt.Sprintf("%s:%d", kf.rel, strings.Count(string(kf.src[:m[0]]), "\n")+1)] = true
				}
				f, err := symbols.Parse(context.Background(), path, kf.src)
				if err != nil {
					t.Fatal(err)
				}
				mc := &ModuleConfig{Facts: facts}
				mc.Object, mc.Makefile, _ = symbols.ObjectName(path)
				mc.CrateMacro = func(name string) bool {
					_, macros, _, _ := symbols.CrateMacros(path, root)
					_, ok := macros[name]
					return ok
				}
				cfg := Config{Module: mc, Rules: rules}
				p := newPass(context.Background(), f, cfg)
				for _, c := range p.moduleCalls() {
					if c.param != nil {
						continue
					}
					line := f.Lines.Line(c.Start) + 1
					gotCalls[fmt.Sprintf("%s:%d", kf.rel, line)] = true
					// A name other than the object's is the one finding
					// expected.
					if n := nameRE.FindSubmatch(kf.src[c.Open:c.Close]); n != nil && mc.Object != "" && strings.ReplaceAll(string(n[1]), "-", "_") != strings.ReplaceAll(mc.Object, "-", "_") {
						at := c.Open + nameRE.FindSubmatchIndex(kf.src[c.Open:c.Close])[2] - 1
						want[fmt.Sprintf("%s:%d module-name-mismatch", kf.rel, f.Lines.Line(at)+1)] = fmt.Sprintf("name %q, object %s.o", n[1], mc.Object)
					}
				}
				for _, x := range Analyze(context.Background(), f, cfg) {
					got[fmt.Sprintf("%s:%d %s", kf.rel, f.Lines.Line(x.Start)+1, x.Rule)] = x.Message
				}
				f.Close()
			}
			if len(wantCalls) == 0 {
				t.Fatal("no module! use found")
			}
			// zerocopy's byteorder.rs invokes its own module! (7.x).
			if _, err := os.Stat(filepath.Join(root, "rust/zerocopy/src/byteorder.rs")); err == nil && shadowed == 0 {
				t.Error("rust/zerocopy/src/byteorder.rs: its own module! uses were not seen")
			}
			for _, m := range diffKeys(wantCalls, gotCalls) {
				t.Errorf("use %s", m)
			}
			for _, m := range diffKeys(want, got) {
				t.Errorf("finding %s", m)
			}
			t.Logf("Linux %s: %d uses checked, %d of a file's own macro left alone; findings: %v", k.Version, len(gotCalls), shadowed, sortedKeys(got))
		})
	}
}

// diffKeys lists what want has and got lacks ("missing: k") and the
// reverse ("unexpected: k").
func diffKeys[V any](want, got map[string]V) []string {
	var out []string
	for _, k := range sortedKeys(want) {
		if _, ok := got[k]; !ok {
			out = append(out, "missing: "+k)
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("unexpected: %s: %v", k, got[k]))
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
