package symbols

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// Tests on the real kernels of the fixture (internal/kerneltest: Linux
// 6.1, 6.12 and 7.2, from ../shared/kernel-fixture.sh). What they expect
// is read from each tree: its module declarations, its cfg attributes,
// its use declarations.

// kernelTree is the Linux 6.12 tree ($KRLS_KERNEL_SRC) the benchmarks
// measure, or skips (fails under KRLS_REQUIRE_KERNEL, as `make test` sets
// it).
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

// kernelRustFiles parses every .rs file of the tree (vendored crates
// too); the files are closed when the test ends.
func kernelRustFiles(t testing.TB, root string) []*File {
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
	if !slices.ContainsFunc(files, func(f *File) bool { return f.Path == "rust/kernel/lib.rs" }) {
		t.Fatalf("%s: no rust/kernel/lib.rs among %d .rs files", root, len(files))
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

// oracleMod is a module of the kernel crate as its declarations in the
// tree spell it.
type oracleMod struct {
	path string
	// file implements the module (the declaring file for an inline one);
	// declFile holds its `mod` item, decl its text.
	file, declFile, decl string
	// conds are the predicates of its ancestors' cfgs, of the cfg
	// attributes of its declaration, and of the #![cfg] attributes
	// inside it, outermost first (normPred); last is the text of the last
	// of its own, in lastFile.
	conds          []string
	last, lastFile string
}

var cfgAttrRE = regexp.MustCompile(`^#!?\[\s*cfg\s*\(([\s\S]*)\)\s*\]$`)

// normPred removes what the writing of a predicate may vary in: spaces,
// line breaks, trailing commas.
func normPred(s string) string {
	s = strings.Join(strings.Fields(s), "")
	return strings.ReplaceAll(s, ",)", ")")
}

// kernelModules follows the kernel crate's `mod` declarations from
// rust/kernel/lib.rs with Rust 2018's file rules (x.rs or x/mod.rs beside
// the declaring module's folder; no kernel uses #[path]), through inline
// modules too, and returns the modules by path (a path declared twice,
// under other cfgs, keeps the first) and the module of each file.
func kernelModules(t testing.TB, src string) (map[string]oracleMod, map[string]string) {
	t.Helper()
	mods := map[string]oracleMod{}
	files := map[string]string{}
	parse := func(rel string) *File {
		text, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(context.Background(), rel, text)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	// enter registers m with the #![cfg] attributes of its body (the
	// items of n in f) and walks its items.
	var items func(f *File, n *sitter.Node, m oracleMod, dir string)
	enter := func(f *File, n *sitter.Node, m oracleMod, dir string) {
		for i := uint(0); i < n.NamedChildCount(); i++ {
			c := n.NamedChild(i)
			if c.KindId() == K.InnerAttributeItem {
				if a := cfgAttrRE.FindSubmatch(f.Text(c)); a != nil {
					m.conds = append(m.conds, normPred(string(a[1])))
					m.last, m.lastFile = string(f.Text(c)), f.Path
				}
			}
		}
		mods[m.path] = m
		if m.file != m.declFile || m.path == "kernel" {
			files[m.file] = m.path
		}
		items(f, n, m, dir)
	}
	items = func(f *File, n *sitter.Node, parent oracleMod, dir string) {
		var cfgs []string
		for i := uint(0); i < n.NamedChildCount(); i++ {
			c := n.NamedChild(i)
			switch c.KindId() {
			case K.AttributeItem:
				if cfgAttrRE.Match(f.Text(c)) {
					cfgs = append(cfgs, string(f.Text(c)))
				}
				continue
			case K.LineComment, K.BlockComment, K.InnerAttributeItem:
				continue
			case K.ModItem:
				name := string(f.Text(c.ChildByFieldName("name")))
				m := oracleMod{path: parent.path + "::" + name, declFile: f.Path, decl: string(f.Text(c)), conds: slices.Clone(parent.conds)}
				if _, ok := mods[m.path]; ok {
					break
				}
				for _, a := range cfgs {
					m.conds = append(m.conds, normPred(cfgAttrRE.FindStringSubmatch(a)[1]))
					m.last, m.lastFile = a, f.Path
				}
				if body := c.ChildByFieldName("body"); body != nil {
					m.file = f.Path
					enter(f, body, m, dir+"/"+name)
					break
				}
				for _, cand := range []string{dir + "/" + name + ".rs", dir + "/" + name + "/mod.rs"} {
					if _, err := os.Stat(filepath.Join(src, cand)); err == nil {
						m.file = cand
						break
					}
				}
				if m.file == "" {
					t.Fatalf("%s: mod %s: no file", f.Path, name)
				}
				child := parse(m.file)
				enter(child, child.Root(), m, dir+"/"+name)
				child.Close()
			}
			cfgs = nil
		}
	}
	lib := parse("rust/kernel/lib.rs")
	defer lib.Close()
	enter(lib, lib.Root(), oracleMod{path: "kernel", file: "rust/kernel/lib.rs"}, "rust/kernel")
	return mods, files
}

// itemGates are gated items other than modules, read by hand from each
// tree: path → predicates of its first declaration.
var itemGates = map[string]map[string]string{
	"6.1": {
		"kernel::print_macro": "not(testlib)",
	},
	"6.12": {
		"kernel::error::Error::to_blk_status":  "CONFIG_BLOCK",
		"kernel::module_phy_driver":            "CONFIG_NET CONFIG_RUST_PHYLIB_ABSTRACTIONS",
		"kernel::kunit_assert":                 "CONFIG_KUNIT",
		"kernel::net::phy::Driver":             "CONFIG_NET CONFIG_RUST_PHYLIB_ABSTRACTIONS",
		"kernel::block::mq::GenDisk":           "CONFIG_BLOCK",
		"kernel::block::mq::gen_disk::GenDisk": "CONFIG_BLOCK",
		"kernel::error::Error::name":           "not(any(test, testlib))",
	},
	"7.2": {
		"kernel::error::Error::to_blk_status":                "CONFIG_BLOCK",
		"kernel::module_phy_driver":                          "CONFIG_NET CONFIG_RUST_PHYLIB_ABSTRACTIONS",
		"kernel::kunit_assert":                               "CONFIG_KUNIT",
		"kernel::net::phy::Driver":                           "CONFIG_NET CONFIG_RUST_PHYLIB_ABSTRACTIONS",
		"kernel::block::mq::GenDisk":                         "CONFIG_BLOCK",
		"kernel::error::Error::name":                         "not(testlib)",
		"kernel::pci_device_table":                           "CONFIG_PCI",
		"kernel::cpufreq::Policy::set_clk":                   "CONFIG_CPU_FREQ CONFIG_COMMON_CLK",
		"kernel::miscdevice::MiscdeviceVTable::compat_ioctl": "CONFIG_COMPAT",
	},
}

// ungated are paths of each tree no cfg gates.
var ungated = map[string][]string{
	"6.1":  {"kernel::prelude", "kernel::error::Error::to_errno", "kernel::str::RawFormatter", "kernel::ThisModule"},
	"6.12": {"kernel::sync::Arc", "kernel::prelude", "kernel::error::Error::to_errno", "kernel::init"},
	"7.2":  {"kernel::sync::Arc", "kernel::prelude", "kernel::error::Error::to_errno", "kernel::init", "kernel::device::Device"},
}

// TestKernelGatesRealTree compares the gate index of each kernel crate
// with its module declarations: the files read are the files they reach
// (every .rs file under rust/kernel), each module declared under cfgs is
// gated by them and its ancestors', in that order, each condition and
// declaration points at its text, each file is its module's; a module no
// cfg reaches is not gated.
func TestKernelGatesRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			x, err := KernelGates(k.Src)
			if err != nil {
				t.Fatal(err)
			}
			mods, files := kernelModules(t, k.Src)
			var under []string
			filepath.WalkDir(filepath.Join(k.Src, "rust/kernel"), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rs") {
					under = append(under, p)
				}
				return nil
			})
			if x.Files != len(files) || x.Files != len(under) || len(x.Missing) > 0 {
				t.Errorf("%d files read, the declarations reach %d, rust/kernel has %d; missing %v", x.Files, len(files), len(under), x.Missing)
			}
			gated := 0
			for path, m := range mods {
				g, ok := x.Lookup(path)
				if len(m.conds) == 0 {
					if ok {
						t.Errorf("%s is gated by %s", path, g.Path)
					}
					continue
				}
				gated++
				if !ok || g.Path != path {
					t.Errorf("%s (%s): gate %v", path, strings.Join(m.conds, " "), g)
					continue
				}
				if got := normPred(condNames(g)); got != normPred(strings.Join(m.conds, " ")) {
					t.Errorf("%s: gate %s, the declarations say %s", path, condNames(g), strings.Join(m.conds, " "))
				}
				d := g.Decls[0]
				if text := readSpan(t, d.File, d.Span); text != m.decl || !strings.HasSuffix(d.File, "/"+m.declFile) {
					t.Errorf("%s: declaration %s %q, want %s %q", path, d.File, text, m.declFile, m.decl)
				}
				if m.last != "" {
					c := d.Conds[len(d.Conds)-1]
					if text := readSpan(t, c.File, c.Span); c.On != path || text != m.last || !strings.HasSuffix(c.File, "/"+m.lastFile) {
						t.Errorf("%s: condition on %s in %s: %q, want %q in %s", path, c.On, c.File, text, m.last, m.lastFile)
					}
				}
			}
			for file, want := range files {
				if got, _ := x.ModuleOfFile(file); got != want {
					t.Errorf("ModuleOfFile(%s) = %q, want %s", file, got, want)
				}
			}
			if got, _ := x.ModuleOfFile(filepath.Join(k.Src, "rust/kernel/lib.rs")); got != "kernel" {
				t.Errorf("ModuleOfFile of an absolute lib.rs = %q", got)
			}
			for path, want := range itemGates[k.Version] {
				g, ok := x.Lookup(path)
				if !ok {
					t.Errorf("%s: no gate", path)
				} else if got := condNames(g); got != want {
					t.Errorf("%s: gate %s = %s, want %s", path, g.Path, got, want)
				}
			}
			// A function declared twice under opposite cfgs.
			if g, ok := x.Lookup("kernel::error::Error::name"); ok && len(g.Decls) != 2 {
				t.Errorf("kernel::error::Error::name: %d declarations", len(g.Decls))
			}
			for _, path := range ungated[k.Version] {
				if g, ok := x.Lookup(path); ok {
					t.Errorf("%s is gated by %s", path, g.Path)
				}
			}
			if gated == 0 {
				t.Error("no module declared under a cfg")
			}
			var paths []string
			for _, g := range x.Gates() {
				paths = append(paths, g.Path)
			}
			t.Logf("%d modules (%d gated), %d files; %d gates: %s", len(mods), gated, len(files), len(paths), strings.Join(paths, " "))
		})
	}
}

func readSpan(t testing.TB, file string, s Span) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil || s.Start < 0 || s.End > len(b) || s.Start > s.End {
		t.Errorf("%s %v: %v", file, s, err)
		return ""
	}
	return string(b[s.Start:s.End])
}

// cfgWordRE finds where a cfg predicate may start: cfg( of #[cfg] and
// #![cfg], cfg!(, and cfg_attr(.
var cfgWordRE = regexp.MustCompile(`\bcfg(?:_attr)?\s*!?\s*\(`)

var configNameRE = regexp.MustCompile(`\bCONFIG_[A-Za-z0-9_]+`)

// cfgConfigNames reads the CONFIG_ names of a file's cfg predicates from
// its text: after each cfg(, cfg!( and cfg_attr( (its first argument, and
// cfg( among the others), up to the closing parenthesis, outside comments
// and strings (the code module.rs prints, doc examples).
func cfgConfigNames(f *File) []string {
	var out []string
	for _, m := range cfgWordRE.FindAllIndex(f.Src, -1) {
		if inCommentOrStringAt(f, m[0]) {
			continue
		}
		depth, end := 1, m[1]
		for ; end < len(f.Src) && depth > 0; end++ {
			switch f.Src[end] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		pred := string(f.Src[m[1] : end-1])
		if strings.HasPrefix(string(f.Src[m[0]:m[1]]), "cfg_attr") {
			pred = firstArg(pred)
		}
		out = append(out, configNameRE.FindAllString(pred, -1)...)
	}
	return out
}

// firstArg is the text before the first top-level comma.
func firstArg(s string) string {
	depth := 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				return s[:i]
			}
		}
	}
	return s
}

func inCommentOrStringAt(f *File, off int) bool {
	for n := f.Root().DescendantForByteRange(uint(off), uint(off+1)); n != nil; n = n.Parent() {
		switch n.KindId() {
		case K.LineComment, K.BlockComment, K.StringLiteral, K.RawStringLiteral, K.CharLiteral:
			return true
		}
	}
	return false
}

// TestCfgRefsRealTree: the CONFIG_ names each file of each tree tests in
// cfg predicates are the ones its text spells there, as often. (Up to
// 6.12, CONFIG_HAVE_ARCH_PREL32_RELOCATIONS is only inside a string that
// rust/macros/module.rs prints: not a ref; 7.x's module.rs writes it in a
// quote! token tree: a ref.)
func TestCfgRefsRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			names, want := map[string]int{}, map[string]int{}
			sites := 0
			for _, f := range kernelRustFiles(t, k.Src) {
				got := map[string]int{}
				for _, r := range CfgRefs(f) {
					got[r.Name]++
					sites++
					if string(f.Src[r.NameSpan.Start:r.NameSpan.End]) != r.Name {
						t.Errorf("%s: bad span for %s", f.Path, r.Name)
					}
				}
				exp := map[string]int{}
				for _, n := range cfgConfigNames(f) {
					exp[n]++
				}
				if !maps.Equal(got, exp) {
					t.Errorf("%s: refs %v, the text %v", f.Path, got, exp)
				}
				for n, c := range got {
					names[n] += c
				}
				for n, c := range exp {
					want[n] += c
				}
				// GatesOf reads every real file without panicking (what it
				// finds is checked by TestGatesOf and TestKernelGatesRealTree).
				GatesOf(f)
			}
			var list []string
			for n := range names {
				list = append(list, n)
			}
			sort.Strings(list)
			if len(list) == 0 {
				t.Error("no CONFIG_ name in a cfg predicate")
			}
			t.Logf("%d refs of %d names: %v", sites, len(names), list)
		})
	}
}

// useLeaves expands the text of a use tree (after `use `, without the
// `;`) to its leaves' paths: `a::{b, c::{self, d as e}}` → a::b, a::c,
// a::c::d; a glob ends in ::*.
func useLeaves(tree string) []string {
	tree = strings.Join(strings.Fields(tree), " ")
	var out []string
	var expand func(prefix, s string)
	expand = func(prefix, s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		if i := strings.Index(s, "{"); i >= 0 && strings.HasSuffix(s, "}") {
			p := strings.TrimSuffix(strings.TrimSpace(s[:i]), "::")
			if prefix != "" && p != "" {
				p = prefix + "::" + p
			} else if p == "" {
				p = prefix
			}
			depth, start := 0, i+1
			for j := i + 1; j < len(s)-1; j++ {
				switch s[j] {
				case '{':
					depth++
				case '}':
					depth--
				case ',':
					if depth == 0 {
						expand(p, s[start:j])
						start = j + 1
					}
				}
			}
			expand(p, s[start:len(s)-1])
			return
		}
		if i := strings.Index(s, " as "); i >= 0 {
			s = s[:i]
		}
		s = strings.ReplaceAll(s, " ", "")
		switch {
		case s == "self":
			out = append(out, prefix)
		case prefix == "":
			out = append(out, s)
		default:
			out = append(out, prefix+"::"+s)
		}
	}
	expand("", tree)
	return out
}

var commentRE = regexp.MustCompile(`//[^\n]*|/\*[\s\S]*?\*/`)

// kernelUses reads from a file's syntax tree its use declarations (not
// those in macro bodies, which are token trees) and returns the leaves
// that name the kernel crate: kernel::..., ::kernel::..., crate::... in
// rust/kernel, and a path through a name such a leaf imports (`use
// bindings::x;` after `use kernel::bindings;`, wherever in the file).
func kernelUses(f *File) []string {
	var kernel, other []string
	kerneltest.Walk(f.Root(), func(n *sitter.Node) bool {
		if n.KindId() != K.UseDeclaration {
			return true
		}
		arg := n.ChildByFieldName("argument")
		if arg == nil {
			return false
		}
		for _, leaf := range useLeaves(commentRE.ReplaceAllString(string(f.Text(arg)), " ")) {
			leaf = strings.TrimPrefix(leaf, "::")
			if rest, ok := strings.CutPrefix(leaf, "crate::"); ok && InKernelCrate(f.Path) {
				leaf = "kernel::" + rest
			}
			if strings.HasPrefix(leaf, "kernel::") {
				kernel = append(kernel, leaf)
			} else {
				other = append(other, leaf)
			}
		}
		return false
	})
	imported := map[string]string{}
	for _, leaf := range kernel {
		if i := strings.LastIndex(leaf, "::"); !strings.HasSuffix(leaf, "::*") {
			imported[leaf[i+2:]] = leaf
		}
	}
	out := kernel
	for _, leaf := range other {
		first, rest, ok := strings.Cut(leaf, "::")
		if full, imp := imported[first]; ok && imp {
			out = append(out, full+"::"+rest)
		}
	}
	return out
}

// pathsSpelled are uses of gated kernel modules a driver of a tree makes
// by another spelling (an imported name, a macro's input): checked on
// each tree whose file spells `text`.
var pathsSpelled = []struct{ file, text, path string }{
	{"drivers/net/phy/ax88796b_rust.rs", "DeviceId::new_with_driver", "kernel::net::phy::DeviceId::new_with_driver"},
	{"drivers/net/phy/ax88796b_rust.rs", "module_phy_driver!", "kernel::module_phy_driver"},
	{"drivers/net/phy/qt2025.rs", "Firmware", "kernel::firmware::Firmware"},
	{"rust/kernel/block/mq/gen_disk.rs", "RawWriter", "kernel::block::mq::raw_writer::RawWriter"},
}

// TestKernelPathsRealTree: every use-tree leaf of each tree that names
// the kernel crate is a PathInUse of KernelPaths, and no other; then a
// few uses by other spellings.
func TestKernelPathsRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			uses := map[string][]string{}
			leaves := 0
			for _, f := range kernelRustFiles(t, k.Src) {
				var got []string
				for _, u := range KernelPaths(f) {
					uses[f.Path] = append(uses[f.Path], u.Path)
					if u.Kind == PathInUse && !u.InMacroDef {
						got = append(got, u.Path)
					}
				}
				want := kernelUses(f)
				leaves += len(want)
				sort.Strings(got)
				sort.Strings(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s: use leaves\n got %v\nwant %v", f.Path, got, want)
				}
			}
			if leaves == 0 {
				t.Error("no use of the kernel crate")
			}
			checked := 0
			for _, c := range pathsSpelled {
				text, err := os.ReadFile(filepath.Join(k.Src, c.file))
				if err != nil || !strings.Contains(string(text), c.text) {
					continue
				}
				checked++
				if !slices.Contains(uses[c.file], c.path) {
					t.Errorf("%s: no use of %s in %v", c.file, c.path, uses[c.file])
				}
			}
			t.Logf("%d use leaves; %d uses by other spellings checked", leaves, checked)
		})
	}
}
