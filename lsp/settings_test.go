package lsp

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/krls-dev/krls/workspace"
)

func TestParseSettings(t *testing.T) {
	yes, no := true, false
	base := workspace.Settings{Rules: map[string]bool{"safety-placeholder": true}, CheckPrivateItems: &yes}
	tests := []struct {
		name     string
		raw      string
		rules    []string // nil: all
		private  *bool
		warnings int
	}{
		{"absent", ``, []string{"safety-placeholder"}, &yes, 0},
		{"null", `null`, []string{"safety-placeholder"}, &yes, 0},
		{"wrapped", `{"krls":{"checkPrivateItems":false,"rules":["undocumented-unsafe","missing-safety-doc"]}}`,
			[]string{"missing-safety-doc", "undocumented-unsafe"}, &no, 0},
		{"unwrapped", `{"checkPrivateItems":false}`, []string{"safety-placeholder"}, &no, 0},
		{"krls null", `{"krls":null}`, []string{"safety-placeholder"}, &yes, 0},
		{"private null", `{"krls":{"checkPrivateItems":null}}`, []string{"safety-placeholder"}, nil, 0},
		{"unknown keys ignored", `{"krls":{"future":3}}`, []string{"safety-placeholder"}, &yes, 0},
		{"kernel keys", `{"krls":{"srctree":"/src/linux","kdir":null,"kconfig":{"allowShell":true}}}`, []string{"safety-placeholder"}, &yes, 0},
		{"kdir of the wrong type", `{"krls":{"kdir":3}}`, []string{"safety-placeholder"}, &yes, 1},
		{"allowShell of the wrong type", `{"kconfig.allowShell":"yes"}`, []string{"safety-placeholder"}, &yes, 1},
		{"other sections ignored", `{"rust-analyzer":{"checkOnSave":true}}`, []string{"safety-placeholder"}, &yes, 0},
		{"empty rules: all", `{"rules":[]}`, nil, &yes, 0},
		{"null rules: all", `{"rules":null}`, nil, &yes, 0},
		{"comma string", `{"rules":"undocumented-unsafe, safety-placeholder"}`, []string{"safety-placeholder", "undocumented-unsafe"}, &yes, 0},
		{"unknown rule dropped", `{"rules":["undocumented-unsafe","nope"]}`, []string{"undocumented-unsafe"}, &yes, 1},
		{"only unknown rules keep the old", `{"rules":["nope"]}`, []string{"safety-placeholder"}, &yes, 1},
		{"rules of the wrong type", `{"rules":42}`, []string{"safety-placeholder"}, &yes, 1},
		{"private of the wrong type", `{"checkPrivateItems":"yes"}`, []string{"safety-placeholder"}, &yes, 1},
		{"not an object", `[1]`, []string{"safety-placeholder"}, &yes, 1},
		{"krls not an object", `{"krls":"x"}`, []string{"safety-placeholder"}, &yes, 1},
		{"rustAnalyzer", `{"krls":{"rustAnalyzer":true}}`, []string{"safety-placeholder"}, &yes, 0},
		{"rustAnalyzer of the wrong type", `{"rustAnalyzer":"yes"}`, []string{"safety-placeholder"}, &yes, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, warnings := parseSettings(json.RawMessage(tt.raw), base)
			var rules []string
			if st.Rules != nil {
				rules = slices.Sorted(maps.Keys(st.Rules))
			}
			if !slices.Equal(rules, tt.rules) || (rules == nil) != (tt.rules == nil) {
				t.Errorf("rules = %v, want %v", rules, tt.rules)
			}
			if (st.CheckPrivateItems == nil) != (tt.private == nil) || (st.CheckPrivateItems != nil && *st.CheckPrivateItems != *tt.private) {
				t.Errorf("checkPrivateItems = %v, want %v", st.CheckPrivateItems, tt.private)
			}
			if len(warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", warnings, tt.warnings)
			}
			if want := tt.name == "rustAnalyzer"; (st.RustAnalyzer != nil && *st.RustAnalyzer) != want {
				t.Errorf("rustAnalyzer = %v, want %v", st.RustAnalyzer, want)
			}
			for _, w := range warnings {
				if !strings.HasPrefix(w, "settings") {
					t.Errorf("warning %q does not say it is about settings", w)
				}
			}
		})
	}
	st, _ := parseSettings(json.RawMessage(`{"krls":{"srctree":" /src/linux ","objtree":"build","kconfig":{"allowShell":true}}}`), base)
	if st.Kernel.Srctree != "/src/linux" || st.Kernel.Objtree != "build" || !st.Kernel.AllowShell {
		t.Errorf("kernel settings = %+v", st.Kernel)
	}
	resolveKernelPaths(&st, "/work")
	if st.Kernel.Objtree != "/work/build" || st.Kernel.Srctree != "/src/linux" {
		t.Errorf("resolved kernel settings = %+v", st.Kernel)
	}
	st, _ = parseSettings(json.RawMessage(`{"kconfig.allowShell":true,"srctree":null}`), st)
	if !st.Kernel.AllowShell || st.Kernel.Srctree != "" {
		t.Errorf("dotted allowShell / null srctree: %+v", st.Kernel)
	}
	if *base.CheckPrivateItems != true || len(base.Rules) != 1 {
		t.Error("parseSettings modified its base")
	}
}
