package symbols

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Tests on the real Linux 6.12 tree ($KRLS_KERNEL_SRC, from
// ../shared/kernel-fixture.sh).

// kernelTree is $KRLS_KERNEL_SRC, or skips (fails under
// KRLS_REQUIRE_KERNEL, as `make test` sets it).
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

// kernelRustFiles parses every .rs file of the tree; the files are
// closed when the test ends.
func kernelRustFiles(t testing.TB) []*File {
	root := kernelTree(t)
	var files []*File
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rs") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		f, err := Parse(context.Background(), filepath.ToSlash(rel), src)
		if err != nil {
			return err
		}
		t.Cleanup(f.Close)
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 79 {
		t.Fatalf("found %d .rs files, want the 79 of Linux 6.12", len(files))
	}
	return files
}

// condNames renders a gate's first declaration as its predicates.
func condNames(g *Gate) string {
	var parts []string
	for _, c := range g.Decls[0].Conds {
		parts = append(parts, c.Pred.String())
	}
	return strings.Join(parts, " ")
}

func TestKernelGatesRealTree(t *testing.T) {
	src := kernelTree(t)
	x, err := KernelGates(src)
	if err != nil {
		t.Fatal(err)
	}
	if x.Files != 51 || len(x.Missing) > 0 {
		t.Errorf("%d files read (want the 51 of rust/kernel), missing %v", x.Files, x.Missing)
	}
	for path, want := range map[string]string{
		"kernel::net":                          "CONFIG_NET",
		"kernel::net::phy":                     "CONFIG_NET CONFIG_RUST_PHYLIB_ABSTRACTIONS",
		"kernel::net::phy::reg":                "CONFIG_NET CONFIG_RUST_PHYLIB_ABSTRACTIONS",
		"kernel::block":                        "CONFIG_BLOCK",
		"kernel::block::mq":                    "CONFIG_BLOCK",
		"kernel::firmware":                     "CONFIG_RUST_FW_LOADER_ABSTRACTIONS",
		"kernel::kunit":                        "CONFIG_KUNIT",
		"kernel::error::Error::to_blk_status":  "CONFIG_BLOCK",
		"kernel::module_phy_driver":            "CONFIG_NET CONFIG_RUST_PHYLIB_ABSTRACTIONS",
		"kernel::kunit_assert":                 "CONFIG_KUNIT",
		"kernel::str::tests":                   "test",
		"kernel::alloc::allocator":             "not(any(test, testlib))",
		"kernel::net::phy::Driver":             "CONFIG_NET CONFIG_RUST_PHYLIB_ABSTRACTIONS",
		"kernel::block::mq::GenDisk":           "CONFIG_BLOCK",
		"kernel::block::mq::gen_disk::GenDisk": "CONFIG_BLOCK",
	} {
		g, ok := x.Lookup(path)
		if !ok {
			t.Errorf("%s: no gate", path)
			continue
		}
		if got := condNames(g); got != want {
			t.Errorf("%s: gate %s = %s, want %s", path, g.Path, got, want)
		}
	}
	// The conditions say where they are written.
	g, _ := x.Lookup("kernel::net::phy::Driver")
	if g.Path != "kernel::net::phy" {
		t.Errorf("Lookup(kernel::net::phy::Driver) = %s", g.Path)
	}
	c := g.Decls[0].Conds[1]
	text, _ := os.ReadFile(c.File)
	if c.On != "kernel::net::phy" || !strings.HasSuffix(c.File, "rust/kernel/net.rs") ||
		string(text[c.Span.Start:c.Span.End]) != "#[cfg(CONFIG_RUST_PHYLIB_ABSTRACTIONS)]" {
		t.Errorf("condition %+v: %q", c, text[c.Span.Start:c.Span.End])
	}
	d := g.Decls[0]
	text, _ = os.ReadFile(d.File)
	if string(text[d.Span.Start:d.Span.End]) != "pub mod phy;" {
		t.Errorf("declaration of kernel::net::phy: %q", text[d.Span.Start:d.Span.End])
	}
	// error::Error::name has two declarations under opposite cfgs.
	if g, _ := x.Lookup("kernel::error::Error::name"); len(g.Decls) != 2 {
		t.Errorf("kernel::error::Error::name: %d declarations", len(g.Decls))
	}
	for _, ungated := range []string{"kernel::sync::Arc", "kernel::prelude", "kernel::error::Error::to_errno", "kernel::init"} {
		if g, ok := x.Lookup(ungated); ok {
			t.Errorf("%s is gated by %s", ungated, g.Path)
		}
	}
	for file, want := range map[string]string{
		"rust/kernel/lib.rs":                                 "kernel",
		"rust/kernel/net/phy/reg.rs":                         "kernel::net::phy::reg",
		"rust/kernel/block/mq/gen_disk.rs":                   "kernel::block::mq::gen_disk",
		filepath.Join(src, "rust/kernel/sync/lock/mutex.rs"): "kernel::sync::lock::mutex",
		"rust/kernel/sync/arc/std_vendor.rs":                 "kernel::sync::arc::std_vendor",
	} {
		if got, _ := x.ModuleOfFile(file); got != want {
			t.Errorf("ModuleOfFile(%s) = %q, want %s", file, got, want)
		}
	}
	var paths []string
	for _, g := range x.Gates() {
		paths = append(paths, g.Path)
	}
	t.Logf("%d gates: %s", len(paths), strings.Join(paths, " "))
}

// TestCfgRefsRealTree: the CONFIG_ names the tree's Rust tests in cfg
// predicates. CONFIG_HAVE_ARCH_PREL32_RELOCATIONS appears only inside a
// string that rust/macros/module.rs prints: not a ref.
func TestCfgRefsRealTree(t *testing.T) {
	names := map[string]int{}
	sites := 0
	for _, f := range kernelRustFiles(t) {
		for _, r := range CfgRefs(f) {
			names[r.Name]++
			sites++
			if string(f.Src[r.NameSpan.Start:r.NameSpan.End]) != r.Name {
				t.Errorf("%s: bad span for %s", f.Path, r.Name)
			}
		}
		// Every gate's predicates come from a cfg site.
		GatesOf(f)
	}
	var got []string
	for n := range names {
		got = append(got, n)
	}
	sort.Strings(got)
	want := []string{
		"CONFIG_BLK_DEBUG_FS", "CONFIG_BLOCK", "CONFIG_DEBUG_MISC", "CONFIG_KUNIT", "CONFIG_NET",
		"CONFIG_PRINTK", "CONFIG_RUST", "CONFIG_RUSTC_HAS_SUSPICIOUS_RUNTIME_SYMBOL_DEFINITIONS",
		"CONFIG_RUSTC_HAS_UNNECESSARY_TRANSMUTES", "CONFIG_RUST_FW_LOADER_ABSTRACTIONS",
		"CONFIG_RUST_PHYLIB_ABSTRACTIONS",
	}
	if !slices.Equal(got, want) {
		t.Errorf("CONFIG names:\n got %v\nwant %v", got, want)
	}
	t.Logf("%d refs of %d names", sites, len(names))
}

// TestKernelPathsRealTree: the drivers that use gated kernel modules.
func TestKernelPathsRealTree(t *testing.T) {
	uses := map[string][]string{}
	for _, f := range kernelRustFiles(t) {
		for _, u := range KernelPaths(f) {
			if strings.HasPrefix(u.Path, "kernel::net") || strings.HasPrefix(u.Path, "kernel::firmware") ||
				strings.HasPrefix(u.Path, "kernel::block") || u.Path == "kernel::module_phy_driver" {
				uses[f.Path] = append(uses[f.Path], u.Path)
			}
		}
	}
	ax := strings.Join(uses["drivers/net/phy/ax88796b_rust.rs"], " ")
	for _, want := range []string{"kernel::net::phy", "kernel::net::phy::reg::C22", "kernel::module_phy_driver",
		"kernel::net::phy::Device", "kernel::net::phy::DeviceId::new_with_driver"} {
		if !strings.Contains(" "+ax+" ", " "+want+" ") {
			t.Errorf("ax88796b_rust.rs: no use of %s in %s", want, ax)
		}
	}
	qt := strings.Join(uses["drivers/net/phy/qt2025.rs"], " ")
	if !strings.Contains(qt, "kernel::firmware::Firmware") {
		t.Errorf("qt2025.rs: %s", qt)
	}
	blk := strings.Join(uses["rust/kernel/block/mq/gen_disk.rs"], " ")
	if !strings.Contains(blk, "kernel::block::mq::raw_writer::RawWriter") {
		t.Errorf("gen_disk.rs: crate:: paths: %s", blk)
	}
	if len(uses["drivers/block/rnull.rs"]) == 0 {
		t.Errorf("rnull.rs uses no kernel::block path")
	}
}
