// Package kerneltest lists the real kernels of ../shared/kernel-fixture.sh
// for the tests of every package: Linux 6.1, 6.12 and 7.2, each with the
// object trees its own conf configured, and reads what a test may expect
// from them (a .config's values, a Kconfig entry as written). Only tests
// import it.
//
// Every real-tree test runs on each kernel; `make test` sets
// KRLS_REQUIRE_KERNEL=1, so that a missing kernel fails instead of
// skipping. What a test expects is read from the tree, never copied from
// one release: Debian's patch levels move lines.
package kerneltest

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Kernel is one kernel of the fixture.
type Kernel struct {
	Version string // "6.1", "6.12", "7.2"
	Src     string
	Objs    []Obj
	// Fake is the folder of the RUSTC/BINDGEN stand-ins the fixture
	// configured the trees with (7.x needs a newer bindgen).
	Fake string
}

// Obj is an object tree of a fixture kernel, with its .config.
type Obj struct {
	Name, Dir, Arch string // Name: "x86_64-rust", "arm64-rust", "debian-amd64"
}

// vars say which environment variables name each kernel's trees.
var vars = []struct {
	version, src, fake string
	objs               []Obj // Dir holds the variable's name
}{
	{"6.1", "KRLS_KERNEL_SRC_6_1", "KRLS_FAKE_TOOLCHAIN_6", []Obj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_6_1_X86_64", "x86_64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_6_1_DEBIAN", "x86_64"},
	}},
	{"6.12", "KRLS_KERNEL_SRC", "KRLS_FAKE_TOOLCHAIN_6", []Obj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_X86_64", "x86_64"},
		{"arm64-rust", "KRLS_KERNEL_OBJ_ARM64", "arm64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_DEBIAN", "x86_64"},
	}},
	{"7.2", "KRLS_KERNEL_SRC_7_2", "KRLS_FAKE_TOOLCHAIN_7", []Obj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_7_2_X86_64", "x86_64"},
		{"arm64-rust", "KRLS_KERNEL_OBJ_7_2_ARM64", "arm64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_7_2_DEBIAN", "x86_64"},
	}},
}

// Count is how many kernels the fixture has.
func Count() int { return len(vars) }

// Kernels returns the fixture kernels that are prepared (with the object
// trees that are); under KRLS_REQUIRE_KERNEL every one must be. Without
// any, the test is skipped.
func Kernels(t testing.TB) []Kernel {
	t.Helper()
	require := os.Getenv("KRLS_REQUIRE_KERNEL") != ""
	var out []Kernel
	for _, v := range vars {
		src := os.Getenv(v.src)
		if src == "" {
			if require {
				t.Fatalf("%s is not set: the Linux %s fixture is missing (eval \"$(../shared/kernel-fixture.sh)\")", v.src, v.version)
			}
			continue
		}
		k := Kernel{Version: v.version, Src: src, Fake: os.Getenv(v.fake)}
		if k.Fake == "" {
			// Older fixture scripts named no stand-ins: they sit beside
			// the trees.
			k.Fake = filepath.Join(filepath.Dir(src), "fake-toolchain")
			if strings.HasPrefix(v.version, "7.") {
				k.Fake += "-7"
			}
		}
		for _, o := range v.objs {
			dir := os.Getenv(o.Dir)
			if dir == "" {
				if require {
					t.Fatalf("%s is not set: an object tree of the Linux %s fixture is missing", o.Dir, v.version)
				}
				continue
			}
			k.Objs = append(k.Objs, Obj{o.Name, dir, o.Arch})
		}
		if len(k.Objs) > 0 {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		t.Skip("no kernel fixture: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return out
}

// RustObj is the kernel's x86_64 object tree with Rust enabled, the one
// most tests use.
func (k Kernel) RustObj(t testing.TB) Obj {
	t.Helper()
	for _, o := range k.Objs {
		if o.Name == "x86_64-rust" {
			return o
		}
	}
	t.Skipf("Linux %s: no x86_64-rust object tree", k.Version)
	return Obj{}
}

// DotConfig reads the values an object tree's .config sets: "y", "m", a
// string without its quotes, or "n" for `# CONFIG_X is not set`.
func DotConfig(t testing.TB, obj string) map[string]string {
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

// ValueOf is the value a .config gives name: what it says, else n.
func ValueOf(dot map[string]string, name string) string {
	if v, ok := dot[name]; ok {
		return v
	}
	return "n"
}

// Entry is the definition of a symbol as its Kconfig file spells it: the
// 1-based line of `config NAME` (or menuconfig), and the lines of the
// entry up to the next one.
type Entry struct {
	Line  int
	Lines []string
}

// ReadEntry finds the entry of name in the Kconfig file rel of src.
func ReadEntry(t testing.TB, src, rel, name string) Entry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(src, rel))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	def := regexp.MustCompile(`^(menu)?config\s+` + regexp.QuoteMeta(name) + `\s*$`)
	for i, l := range lines {
		if !def.MatchString(l) {
			continue
		}
		e := Entry{Line: i + 1}
		for _, l := range lines[i+1:] {
			if l != "" && l[0] != ' ' && l[0] != '\t' {
				break
			}
			e.Lines = append(e.Lines, l)
		}
		return e
	}
	t.Fatalf("%s: no definition of %s", rel, name)
	return Entry{}
}

var (
	promptRE    = regexp.MustCompile(`^\s+(?:bool|tristate|string|int|hex|prompt)\s+"([^"]*)"`)
	dependsIfRE = regexp.MustCompile(`^\s+depends on\s+(.+?)\s+if\s+(.+?)\s*$`)
)

// Prompt is the entry's prompt ("" for none).
func (e Entry) Prompt() string {
	for _, l := range e.Lines {
		if m := promptRE.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	return ""
}

// DependsIf returns the `depends on X if Y` lines of the entry, as X and
// Y.
func (e Entry) DependsIf() [][2]string {
	var out [][2]string
	for _, l := range e.Lines {
		if m := dependsIfRE.FindStringSubmatch(l); m != nil {
			out = append(out, [2]string{m[1], m[2]})
		}
	}
	return out
}

// LineOf is the 1-based line of text's first line that equals line.
func LineOf(t testing.TB, text, line string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if l == line {
			return i + 1
		}
	}
	t.Fatalf("no line %q", line)
	return 0
}

// LineWith is the 1-based line of the one line of text that contains
// sub: a line found by what it says, not by its number, which moves
// between releases and patch levels. No such line, or more than one,
// fails the test.
func LineWith(t testing.TB, text, sub string) int {
	t.Helper()
	found := 0
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			if found != 0 {
				t.Fatalf("%q is on lines %d and %d: not distinctive", sub, found, i+1)
			}
			found = i + 1
		}
	}
	if found == 0 {
		t.Fatalf("no line holds %q", sub)
	}
	return found
}

// OtherArchSymbol is a symbol only another architecture than arch
// defines.
func OtherArchSymbol(arch string) string {
	if arch == "arm64" {
		return "X86_64"
	}
	return "ARM64"
}

var definitionRE = regexp.MustCompile(`(?m)^[ \t]*(?:menu)?config[ \t]+([A-Za-z0-9_]+)`)

// Definers scans every Kconfig file of a tree as a reader would, and
// returns for each name the files (relative, with slashes) whose `config
// NAME` or `menuconfig NAME` lines define it.
func Definers(t testing.TB, src string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != src {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), "Kconfig") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		for _, m := range definitionRE.FindAllSubmatch(b, -1) {
			out[string(m[1])] = append(out[string(m[1])], filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// WriteTree writes files (relative path → text) into a new temporary
// folder and returns it.
func WriteTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
