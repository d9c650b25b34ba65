package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/workspace"
)

// parseSettings reads the krls settings from initializationOptions or the
// settings of workspace/didChangeConfiguration:
//
//	{"krls": {"checkPrivateItems": true, "rules": ["undocumented-unsafe"],
//	          "srctree": "/src/linux", "objtree": "/build/linux", "kdir": "...",
//	          "kconfig": {"allowShell": false}, "rustAnalyzer": true}}
//
// The "krls" wrapper is optional. Keys that are absent keep their value in
// base; unknown keys are ignored. checkPrivateItems null means "as
// .clippy.toml says"; rules null or empty means all rules, and may also be
// a comma-separated string; srctree, objtree and kdir null or "" mean
// "find it" (relative paths are taken from the workspace folder by the
// caller); kconfig.allowShell lets Kconfig's toolchain probes run;
// rustAnalyzer says rust-analyzer has the kernel's project (null: when
// the srctree holds a rust-project.json). Values
// of the wrong type and unknown rule names are skipped with a warning.
func parseSettings(raw json.RawMessage, base workspace.Settings) (workspace.Settings, []string) {
	st := base
	var warnings []string
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return st, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return st, []string{"settings must be a JSON object"}
	}
	if inner, ok := obj["krls"]; ok {
		inner = bytes.TrimSpace(inner)
		if string(inner) == "null" {
			return st, nil
		}
		obj = nil
		if err := json.Unmarshal(inner, &obj); err != nil {
			return st, []string{`settings: "krls" must be a JSON object`}
		}
	}
	if v, ok := obj["rustAnalyzer"]; ok {
		var b *bool
		if err := json.Unmarshal(v, &b); err != nil {
			warnings = append(warnings, fmt.Sprintf("settings: rustAnalyzer must be true, false or null, not %s", abbreviate(v)))
		} else {
			st.RustAnalyzer = b
		}
	}
	if v, ok := obj["checkPrivateItems"]; ok {
		var b *bool
		if err := json.Unmarshal(v, &b); err != nil {
			warnings = append(warnings, fmt.Sprintf("settings: checkPrivateItems must be true, false or null, not %s", abbreviate(v)))
		} else {
			st.CheckPrivateItems = b
		}
	}
	for _, key := range []struct {
		name string
		dst  *string
	}{{"srctree", &st.Kernel.Srctree}, {"objtree", &st.Kernel.Objtree}, {"kdir", &st.Kernel.Kdir}} {
		v, ok := obj[key.name]
		if !ok {
			continue
		}
		var p *string
		if err := json.Unmarshal(v, &p); err != nil {
			warnings = append(warnings, fmt.Sprintf("settings: %s must be a path or null, not %s", key.name, abbreviate(v)))
			continue
		}
		*key.dst = ""
		if p != nil {
			*key.dst = strings.TrimSpace(*p)
		}
	}
	// kconfig.allowShell, nested ({"kconfig": {"allowShell": true}}, as
	// VS Code sends its settings) or dotted.
	allow, hasAllow := obj["kconfig.allowShell"]
	if v, ok := obj["kconfig"]; ok {
		var kc map[string]json.RawMessage
		if err := json.Unmarshal(v, &kc); err != nil {
			warnings = append(warnings, fmt.Sprintf("settings: kconfig must be an object, not %s", abbreviate(v)))
		} else if a, ok := kc["allowShell"]; ok {
			allow, hasAllow = a, true
		}
	}
	if hasAllow {
		var b *bool
		if err := json.Unmarshal(allow, &b); err != nil {
			warnings = append(warnings, fmt.Sprintf("settings: kconfig.allowShell must be true or false, not %s", abbreviate(allow)))
		} else {
			st.Kernel.AllowShell = b != nil && *b
		}
	}
	if v, ok := obj["rules"]; ok {
		rules, ws := parseRules(v)
		warnings = append(warnings, ws...)
		if rules != nil || len(ws) == 0 {
			st.Rules = rules
		}
	}
	return st, warnings
}

// parseRules reads the rules setting. It returns nil for all rules.
func parseRules(v json.RawMessage) (map[string]bool, []string) {
	var names []string
	var list []string
	var s *string
	switch {
	case json.Unmarshal(v, &list) == nil:
		names = list
	case json.Unmarshal(v, &s) == nil:
		if s != nil {
			names = strings.Split(*s, ",")
		}
	default:
		return nil, []string{fmt.Sprintf("settings: rules must be a list of rule names, not %s", abbreviate(v))}
	}
	var warnings []string
	set := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if diagnostics.RuleByName(n) == nil {
			warnings = append(warnings, fmt.Sprintf("settings: unknown rule %q (rules: %s)", n, ruleNames()))
			continue
		}
		set[n] = true
	}
	if len(set) == 0 {
		if len(warnings) > 0 {
			return nil, warnings // nothing usable: keep what was there
		}
		return nil, nil
	}
	return set, warnings
}

func ruleNames() string {
	var names []string
	for _, r := range diagnostics.AllRules() {
		names = append(names, r.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
