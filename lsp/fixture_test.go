package lsp

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// kernelGate is a module of the kernel crate as lib.rs declares it: `pub
// mod name;`, with `#[cfg(CONFIG_X)]` or `#[cfg(CONFIG_X = "y")]` above
// it or no cfg at all.
type kernelGate struct {
	cfg    string // as written: CONFIG_X or CONFIG_X = "y"; "" for none
	module string
	line   int // 1-based line of the cfg attribute, or of the mod
}

// libGates reads the modules of rust/kernel/lib.rs that are declared
// under a cfg of one CONFIG_ name, or under none (modules under other
// cfgs are left out).
func libGates(t testing.TB, src string) []kernelGate {
	t.Helper()
	lines := strings.Split(mustReadFile(t, filepath.Join(src, "rust/kernel/lib.rs")), "\n")
	cfg := regexp.MustCompile(`^#\[cfg\((CONFIG_\w+(?: = "\w+")?)\)\]$`)
	mod := regexp.MustCompile(`^pub mod (\w+);`)
	var out []kernelGate
	for i, l := range lines {
		m := mod.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		g := kernelGate{module: m[1], line: i + 1}
		for j := i - 1; j >= 0 && (strings.HasPrefix(lines[j], "#[") || strings.HasPrefix(lines[j], "///")); j-- {
			if strings.HasPrefix(lines[j], "#[cfg") {
				c := cfg.FindStringSubmatch(lines[j])
				if c == nil || g.cfg != "" {
					g.module = "" // another cfg: left out
					break
				}
				g.cfg, g.line = c[1], j+1
			}
		}
		if g.module != "" {
			out = append(out, g)
		}
	}
	return out
}

// holds reports whether a gate's cfg holds in an object tree, as conf
// wrote the flags rustc gets (include/generated/rustc_cfg).
func (g kernelGate) holds(t testing.TB, obj string) bool {
	t.Helper()
	if g.cfg == "" {
		return true
	}
	flag := "--cfg=" + strings.ReplaceAll(g.cfg, " = ", "=")
	for _, l := range strings.Split(mustReadFile(t, filepath.Join(obj, "include/generated/rustc_cfg")), "\n") {
		if l == flag {
			return true
		}
	}
	return false
}

func mustReadFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
