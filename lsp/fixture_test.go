package lsp

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The real kernels of ../shared/kernel-fixture.sh: Linux 6.1, 6.12 and
// 7.2, each with object trees its own conf configured. Every real-tree
// test runs on each; `make test` sets KRLS_REQUIRE_KERNEL=1, so that a
// missing kernel fails instead of skipping. What a test expects is read
// from the tree (definitions, prompts, .config values), never copied
// from one release: Debian's patch levels move lines.

// fixtureKernel is one kernel of the fixture.
type fixtureKernel struct {
	version string // "6.1", "6.12", "7.2"
	src     string
	objs    []fixtureObj
}

// fixtureObj is an object tree of a fixture kernel, with its .config.
type fixtureObj struct {
	name, dir, arch string // name: "x86_64-rust", "arm64-rust", "debian-amd64"
}

// fixtureKernelVars say which environment variables name each kernel's
// trees.
var fixtureKernelVars = []struct {
	version, srcVar string
	objs            []fixtureObj // dir holds the variable's name
}{
	{"6.1", "KRLS_KERNEL_SRC_6_1", []fixtureObj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_6_1_X86_64", "x86_64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_6_1_DEBIAN", "x86_64"},
	}},
	{"6.12", "KRLS_KERNEL_SRC", []fixtureObj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_X86_64", "x86_64"},
		{"arm64-rust", "KRLS_KERNEL_OBJ_ARM64", "arm64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_DEBIAN", "x86_64"},
	}},
	{"7.2", "KRLS_KERNEL_SRC_7_2", []fixtureObj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_7_2_X86_64", "x86_64"},
		{"arm64-rust", "KRLS_KERNEL_OBJ_7_2_ARM64", "arm64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_7_2_DEBIAN", "x86_64"},
	}},
}

// fixtureKernels returns the fixture kernels that are prepared (with the
// object trees that are); under KRLS_REQUIRE_KERNEL every one must be.
// Without any, the test is skipped.
func fixtureKernels(t testing.TB) []fixtureKernel {
	t.Helper()
	require := os.Getenv("KRLS_REQUIRE_KERNEL") != ""
	var out []fixtureKernel
	for _, fv := range fixtureKernelVars {
		src := os.Getenv(fv.srcVar)
		if src == "" {
			if require {
				t.Fatalf("%s is not set: the Linux %s fixture is missing (eval \"$(../shared/kernel-fixture.sh)\")", fv.srcVar, fv.version)
			}
			continue
		}
		fk := fixtureKernel{version: fv.version, src: src}
		for _, o := range fv.objs {
			dir := os.Getenv(o.dir)
			if dir == "" {
				if require {
					t.Fatalf("%s is not set: an object tree of the Linux %s fixture is missing", o.dir, fv.version)
				}
				continue
			}
			fk.objs = append(fk.objs, fixtureObj{o.name, dir, o.arch})
		}
		if len(fk.objs) > 0 {
			out = append(out, fk)
		}
	}
	if len(out) == 0 {
		t.Skip("no kernel fixture: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return out
}

// rustObj is the kernel's x86_64 object tree with Rust enabled, the one
// most tests use.
func (fk fixtureKernel) rustObj(t testing.TB) fixtureObj {
	t.Helper()
	for _, o := range fk.objs {
		if o.name == "x86_64-rust" {
			return o
		}
	}
	t.Skipf("Linux %s: no x86_64-rust object tree", fk.version)
	return fixtureObj{}
}

// dotConfig reads the values an object tree's .config sets: "y", "m", a
// string without its quotes, or "n" for `# CONFIG_X is not set`.
func dotConfig(t testing.TB, obj string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(obj, ".config"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "# CONFIG_"); ok {
			if name, ok := strings.CutSuffix(name, " is not set"); ok {
				out[name] = "n"
			}
			continue
		}
		if rest, ok := strings.CutPrefix(line, "CONFIG_"); ok {
			name, v, _ := strings.Cut(rest, "=")
			out[name] = strings.Trim(v, `"`)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// valueOf is the value a .config gives name: what it says, else n.
func valueOf(dot map[string]string, name string) string {
	if v, ok := dot[name]; ok {
		return v
	}
	return "n"
}

// kconfigEntry is the definition of a symbol as its Kconfig file spells
// it: the 1-based line of `config NAME` (or menuconfig), and the lines of
// the entry up to the next one.
type kconfigEntry struct {
	line  int
	lines []string
}

// readEntry finds the entry of name in the Kconfig file rel of src.
func readEntry(t testing.TB, src, rel, name string) kconfigEntry {
	t.Helper()
	lines := strings.Split(mustReadFile(t, filepath.Join(src, rel)), "\n")
	def := regexp.MustCompile(`^(menu)?config\s+` + name + `\s*$`)
	for i, l := range lines {
		if !def.MatchString(l) {
			continue
		}
		e := kconfigEntry{line: i + 1}
		for _, l := range lines[i+1:] {
			if l != "" && l[0] != ' ' && l[0] != '\t' {
				break
			}
			e.lines = append(e.lines, l)
		}
		return e
	}
	t.Fatalf("%s: no definition of %s", rel, name)
	return kconfigEntry{}
}

var promptRE = regexp.MustCompile(`^\s+(?:bool|tristate|string|int|hex|prompt)\s+"([^"]*)"`)

// prompt is the entry's prompt ("" for none).
func (e kconfigEntry) prompt() string {
	for _, l := range e.lines {
		if m := promptRE.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	return ""
}

// dependsIf returns the `depends on X if Y` lines of the entry, as X and
// Y.
func (e kconfigEntry) dependsIf() [][2]string {
	var out [][2]string
	for _, l := range e.lines {
		if m := regexp.MustCompile(`^\s+depends on\s+(.+?)\s+if\s+(.+?)\s*$`).FindStringSubmatch(l); m != nil {
			out = append(out, [2]string{m[1], m[2]})
		}
	}
	return out
}

// lineOf is the 1-based line of text's first line that equals line.
func lineOf(t testing.TB, text, line string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if l == line {
			return i + 1
		}
	}
	t.Fatalf("no line %q", line)
	return 0
}

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

// otherArchSymbol is a symbol only another architecture defines.
func otherArchSymbol(arch string) string {
	if arch == "arm64" {
		return "X86_64"
	}
	return "ARM64"
}

func mustReadFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
