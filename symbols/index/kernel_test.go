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
)

// Tests and benchmarks on the real Linux 6.12 tree ($KRLS_KERNEL_SRC).

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

var pubFnRE = regexp.MustCompile(`^\s*pub(\([^)]*\))?\s+(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+"[^"]*"\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)`)

func TestKernelIndex(t *testing.T) {
	root := kernelTree(t)
	x := newIndex(t, root, t.TempDir(), nil)
	st := refresh(t, x)
	if st.Files != 79 || st.Errors != 0 || !st.Persisted {
		t.Errorf("stats = %+v", st)
	}
	s := x.Snapshot()

	// Every `pub fn` line of rust/kernel is an indexed fn of its file,
	// except those in macro_rules! bodies and doc examples, which no
	// path names.
	byFile := map[string]map[string]bool{}
	for _, sym := range s.Symbols {
		if sym.Kind.String() == "fn" {
			if byFile[sym.File] == nil {
				byFile[sym.File] = map[string]bool{}
			}
			byFile[sym.File][sym.Name] = true
		}
	}
	found, missed := 0, 0
	for _, f := range rsFiles(t, filepath.Join(root, "rust/kernel")) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
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
			m := pubFnRE.FindStringSubmatch(text)
			if m == nil || inMacro > 0 || strings.HasPrefix(trim, "//") {
				continue
			}
			if byFile[f][m[6]] {
				found++
			} else {
				missed++
				t.Errorf("%s:%d: pub fn %s not indexed", f, line, m[6])
			}
		}
	}
	if found < 300 {
		t.Errorf("only %d pub fns found", found)
	}
	t.Logf("%d pub fn lines of rust/kernel indexed, %d missed; %d symbols in all", found, missed, len(s.Symbols))

	cur := s.Lookup("kernel::task::Task::current")
	if len(cur) != 1 || !cur[0].Unsafe || cur[0].Safety != "Callers must ensure that the returned object doesn't outlive the current task/thread." {
		t.Errorf("Task::current = %+v", cur)
	}
	for _, p := range []string{
		"kernel::sync::lock::Guard", "kernel::sync::arc::Arc", "kernel::error::Error", "kernel::error::code",
		"kernel::net::phy::Driver", "kernel::pr_info", "kernel::init::PinInit", "macros::module",
		"kernel::alloc::kbox::Box", "kernel::prelude",
	} {
		if len(s.Lookup(p)) == 0 {
			t.Errorf("no %s", p)
		}
	}
	if m, ok := s.ModuleOf(filepath.Join(root, "rust/kernel/net/phy/reg.rs")); !ok || m.Module != "kernel::net::phy::reg" || strings.Join(m.Cfgs, ",") != "CONFIG_NET,CONFIG_RUST_PHYLIB_ABSTRACTIONS" {
		t.Errorf("reg.rs is %+v", m)
	}
	if m, ok := s.ModuleOf(filepath.Join(root, "samples/rust/rust_minimal.rs")); !ok || m.Crate != "rust_minimal" || !m.Root {
		t.Errorf("rust_minimal.rs is %+v", m)
	}
	if hits := s.Search("Task", 5); len(hits) == 0 || hits[0].Path != "kernel::task::Task" {
		for _, h := range hits {
			t.Errorf("Search(Task): %s %s", h.Kind, h.Path)
		}
	}
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

// TestKernelIndexTruncated truncates the real tree's database (about
// 512 KiB) to the sizes that killed krls with SIGBUS and more.
func TestKernelIndexTruncated(t *testing.T) {
	root := kernelTree(t)
	sizes := []int64{16384, 20000, 300000, 400000}
	for s := int64(32768); s < 1<<20; s += 65536 {
		sizes = append(sizes, s)
	}
	truncateSweep(t, root, t.TempDir(), sizes)
}
