package diagnostics

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/krls-dev/krls/symbols"
)

// moduleRealFindings are the module! findings on the unmodified 6.12
// tree. Both are true: the PHY drivers' module! names differ from the
// objects kbuild builds (so `modinfo qt2025` works, `modinfo qt2025_phy`
// does not), which is why the rule is only information.
var moduleRealFindings = map[string]string{
	"drivers/net/phy/ax88796b_rust.rs:21 module-name-mismatch": "name \"rust_asix_phy\", object ax88796b_rust.o",
	"drivers/net/phy/qt2025.rs:28 module-name-mismatch":        "name \"qt2025_phy\", object qt2025.o",
}

// TestModuleRulesRealTree runs the module! rules with the facts read from
// the 6.12 tree over every .rs file of it: the samples' and drivers'
// module! and module_phy_driver! uses must have no other findings.
func TestModuleRulesRealTree(t *testing.T) {
	root := kernelSrc(t)
	facts := symbols.ReadModuleFacts(context.Background(), root)
	if len(facts.Problems) > 0 || facts.Schema.Source == "" {
		t.Fatalf("facts: %v", facts.Problems)
	}
	rules := map[string]bool{}
	for _, r := range ModuleRules {
		rules[r.Name] = true
	}
	calls := 0
	got := map[string]string{}
	for _, kf := range readKernel(t) {
		if !strings.Contains(string(kf.src), "module") {
			continue
		}
		path := filepath.Join(root, kf.rel)
		f, err := symbols.Parse(context.Background(), path, kf.src)
		if err != nil {
			t.Fatal(err)
		}
		mc := &ModuleConfig{Facts: facts}
		mc.Object, mc.Makefile, _ = symbols.ObjectName(path)
		p := newPass(context.Background(), f, Config{Module: mc, Rules: rules})
		calls += len(p.moduleCalls())
		for _, x := range Analyze(context.Background(), f, Config{Module: mc, Rules: rules}) {
			got[fmt.Sprintf("%s:%d %s", kf.rel, f.Lines.Line(x.Start)+1, x.Rule)] = x.Message
		}
		f.Close()
	}
	// samples/rust: rust_minimal, rust_print; drivers: rnull, and the two
	// module_phy_driver! PHYs.
	if calls != 5 {
		t.Errorf("%d module! and driver macro uses, want 5", calls)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := moduleRealFindings[k]; !ok {
			t.Errorf("unexpected: %s: %s", k, got[k])
		}
	}
	for k := range moduleRealFindings {
		if _, ok := got[k]; !ok {
			t.Errorf("missing: %s", k)
		}
	}
}
