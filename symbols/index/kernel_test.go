package index

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
)

// Tests on the real kernels of the fixture (internal/kerneltest: Linux
// 6.1, 6.12 and 7.2); the benchmarks measure 6.12 ($KRLS_KERNEL_SRC).

func kernelTree(t testing.TB) string {
	root := os.Getenv("KRLS_KERNEL_SRC")
	if root == "" {
		if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
			t.Fatal("KRLS_KERNEL_SRC is not set")
		}
		t.Skip("KRLS_KERNEL_SRC not set: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return root
}

var (
	pubFnRE = regexp.MustCompile(`^\s*pub(\([^)]*\))?\s+(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+"[^"]*"\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)`)
	// topTypeRE is a public type or trait at the top of a file (column
	// 0: not in an impl, an inline mod or a macro body).
	topTypeRE = regexp.MustCompile(`^pub\s+(?:unsafe\s+)?(?:struct|enum|trait|union)\s+([A-Za-z_][A-Za-z0-9_]*)`)
	// exportedRE is a #[macro_export] macro_rules!, which lives at the
	// crate root.
	exportedRE = regexp.MustCompile(`(?m)^#\[macro_export\]\n(?:#\[[^\n]*\]\n)*macro_rules!\s*([A-Za-z_][A-Za-z0-9_]*)`)
)

// contracts are `# Safety` sections the index must carry: checked on
// each tree whose file declares the fn.
var contracts = []struct{ path, file, decl string }{
	{"kernel::task::Task::current", "rust/kernel/task.rs", "pub unsafe fn current() -> "},
	{"kernel::print::call_printk", "rust/kernel/print.rs", "pub unsafe fn call_printk("},
}

// safetyOf reads the `# Safety` section of the doc comment above the line
// of text that holds decl: its lines, `///` and spaces removed.
func safetyOf(t *testing.T, text, decl string) string {
	lines := strings.Split(text, "\n")
	at := -1
	for i, l := range lines {
		if strings.Contains(l, decl) {
			at = i
			break
		}
	}
	if at < 0 {
		return ""
	}
	start := at
	for start > 0 && (strings.HasPrefix(strings.TrimSpace(lines[start-1]), "///") || strings.HasPrefix(strings.TrimSpace(lines[start-1]), "#[")) {
		start--
	}
	var out []string
	in := false
	for _, l := range lines[start:at] {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "///") {
			continue
		}
		l = strings.TrimSpace(strings.TrimPrefix(l, "///"))
		if strings.HasPrefix(l, "#") {
			in = strings.TrimSpace(strings.TrimLeft(l, "#")) == "Safety"
			continue
		}
		if in {
			out = append(out, l)
		}
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// TestKernelIndex indexes each fixture kernel and checks what it holds
// against the tree: every file, every `pub fn` line of rust/kernel in
// its file, every public type and trait at the top of a rust/kernel file
// and every exported macro at its path (the module of the file by the
// gate index, tested on its own), every module with its cfgs, contracts.
func TestKernelIndex(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			root := k.Src
			x := newIndex(t, root, t.TempDir(), nil)
			st := refresh(t, x)
			if n := len(rsFiles(t, root)); st.Files != n || st.Errors != 0 || !st.Persisted {
				t.Errorf("stats = %+v, the tree has %d .rs files", st, n)
			}
			s := x.Snapshot()
			gates, err := symbols.KernelGates(root)
			if err != nil {
				t.Fatal(err)
			}

			// Every `pub fn` line of rust/kernel is an indexed fn of its
			// file, except those in macro_rules! bodies and doc examples,
			// which no path names.
			byFile := map[string]map[string]bool{}
			for _, sym := range s.Symbols {
				if sym.Kind.String() == "fn" {
					if byFile[sym.File] == nil {
						byFile[sym.File] = map[string]bool{}
					}
					byFile[sym.File][sym.Name] = true
				}
			}
			found, types, modules := 0, 0, 0
			for _, f := range rsFiles(t, filepath.Join(root, "rust/kernel")) {
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				module, ok := gates.ModuleOfFile(f)
				if !ok {
					t.Errorf("%s: in no module of the kernel crate", f)
					continue
				}
				if m, ok := s.ModuleOf(f); !ok || m.Crate != "kernel" || m.Module != module || strings.Join(m.Cfgs, " | ") != strings.Join(gateCfgs(gates, module), " | ") {
					t.Errorf("%s is %+v, want %s with cfgs %q", f, m, module, gateCfgs(gates, module))
				} else {
					modules++
				}
				inMacro := 0
				sc := bufio.NewScanner(bytes.NewReader(src))
				for line := 1; sc.Scan(); line++ {
					text := sc.Text()
					trim := strings.TrimSpace(text)
					if strings.HasPrefix(trim, "macro_rules!") {
						inMacro = 1
					} else if inMacro > 0 && (text == "}" || strings.HasPrefix(text, "}")) {
						inMacro = 0
						continue
					}
					if m := topTypeRE.FindStringSubmatch(text); m != nil && inMacro == 0 {
						types++
						if len(s.Lookup(module+"::"+m[1])) == 0 {
							t.Errorf("%s:%d: no %s::%s", f, line, module, m[1])
						}
					}
					m := pubFnRE.FindStringSubmatch(text)
					if m == nil || inMacro > 0 || strings.HasPrefix(trim, "//") {
						continue
					}
					if byFile[f][m[6]] {
						found++
					} else {
						t.Errorf("%s:%d: pub fn %s not indexed", f, line, m[6])
					}
				}
				for _, m := range exportedRE.FindAllSubmatch(src, -1) {
					if len(s.Lookup("kernel::"+string(m[1]))) == 0 {
						t.Errorf("%s: no exported macro kernel::%s", f, m[1])
					}
				}
			}
			if found == 0 || types == 0 || modules == 0 {
				t.Errorf("%d pub fn lines, %d types, %d modules found", found, types, modules)
			}
			t.Logf("%d pub fn lines and %d top types of rust/kernel indexed, %d modules; %d symbols in all", found, types, modules, len(s.Symbols))

			checked := 0
			for _, c := range contracts {
				text, err := os.ReadFile(filepath.Join(root, c.file))
				want := safetyOf(t, string(text), c.decl)
				if err != nil || want == "" {
					continue
				}
				checked++
				got := s.Lookup(c.path)
				if len(got) != 1 || !got[0].Unsafe || strings.Join(strings.Fields(got[0].Safety), " ") != strings.Join(strings.Fields(want), " ") {
					t.Errorf("%s = %+v, want the safety %q", c.path, got, want)
				}
			}
			if checked == 0 {
				t.Error("no contract checked")
			}
			for _, p := range []string{"kernel::prelude", "kernel::error::Error", "kernel::ThisModule"} {
				if len(s.Lookup(p)) == 0 {
					t.Errorf("no %s", p)
				}
			}
			if m, ok := s.ModuleOf(filepath.Join(root, "samples/rust/rust_minimal.rs")); !ok || m.Crate != "rust_minimal" || !m.Root {
				t.Errorf("rust_minimal.rs is %+v", m)
			}
			for _, name := range []string{"ThisModule", "Task"} {
				want := s.Lookup("kernel::" + strings.ToLower(name) + "::" + name)
				if name == "ThisModule" {
					want = s.Lookup("kernel::ThisModule")
				}
				if len(want) == 0 {
					continue // no Task before 6.2
				}
				if hits := s.Search(name, 5); len(hits) == 0 || hits[0].Path != want[0].Path {
					for _, h := range hits {
						t.Errorf("Search(%s): %s %s", name, h.Kind, h.Path)
					}
				}
			}
		})
	}
}

// gateCfgs are the predicates of the gate of module (none if ungated),
// outermost first.
func gateCfgs(x *symbols.GateIndex, module string) []string {
	g, ok := x.Lookup(module)
	if !ok || g.Path != module {
		return nil
	}
	var out []string
	for _, c := range g.Decls[0].Conds {
		out = append(out, c.Pred.String())
	}
	return out
}

// BenchmarkIndex* measure the index of the real tree: cold (an empty
// cache), warm (nothing changed, a new process's Index), and one changed
// file. The walk of the tree is not included (see workspace).
func BenchmarkIndexCold(b *testing.B) {
	root := kernelTree(b)
	files := rsFiles(b, root)
	for b.Loop() {
		b.StopTimer()
		cache := b.TempDir()
		b.StartTimer()
		x := newIndex(b, root, cache, nil)
		if _, err := x.Refresh(context.Background(), files); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIndexWarm(b *testing.B) {
	root := kernelTree(b)
	files := rsFiles(b, root)
	cache := b.TempDir()
	refresh(b, newIndex(b, root, cache, nil))
	for b.Loop() {
		x := newIndex(b, root, cache, nil)
		st, err := x.Refresh(context.Background(), files)
		if err != nil || st.Read != 0 {
			b.Fatal(st, err)
		}
	}
}

// BenchmarkIndexOneFile changes the content of a copy of rust/kernel
// (task.rs) and updates the index.
func BenchmarkIndexOneFile(b *testing.B) {
	src := kernelTree(b)
	root := b.TempDir()
	for _, f := range rsFiles(b, src) {
		rel, _ := filepath.Rel(src, f)
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	x := newIndex(b, root, b.TempDir(), nil)
	refresh(b, x)
	task := filepath.Join(root, "rust/kernel/task.rs")
	orig, _ := os.ReadFile(task)
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		text := append(append([]byte(nil), orig...), []byte("\npub fn added"+strings.Repeat("x", i%7)+"() {}\n")...)
		os.WriteFile(task, text, 0o644)
		t := time.Now().Add(time.Duration(i) * time.Second)
		os.Chtimes(task, t, t)
		b.StartTimer()
		st, err := x.Update(context.Background(), []string{task})
		if err != nil || st.Parsed != 1 {
			b.Fatal(st, err)
		}
	}
}

// TestKernelIndexTruncated truncates each real tree's database (6.12's
// is about 512 KiB) to the sizes that killed krls with SIGBUS and more: a
// page's worth, a size inside the second page, then a sweep to its end.
func TestKernelIndexTruncated(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			t.Parallel()
			probe := newIndex(t, k.Src, t.TempDir(), nil)
			refresh(t, probe)
			fi, err := os.Stat(probe.DB())
			if err != nil {
				t.Fatal(err)
			}
			size := fi.Size()
			sizes := []int64{16384, 20000, 300000, 400000}
			step := max(65536, (size/16)&^4095)
			for s := int64(32768); s < size; s += step {
				sizes = append(sizes, s)
			}
			sizes = append(sizes, size*3/5, size*4/5, size-1)
			t.Logf("database of %d bytes, %d sizes", size, len(sizes))
			truncateSweep(t, k.Src, t.TempDir(), sizes)
		})
	}
}
