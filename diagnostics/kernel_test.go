package diagnostics

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/lints"
)

// Tests on the real kernels of the fixture (internal/kerneltest: Linux
// 6.1, 6.12 and 7.2, from ../shared/kernel-fixture.sh), each analysed as
// its own build lints it. `make test` sets KRLS_REQUIRE_KERNEL=1 so that a
// missing tree fails instead of skipping.

// kernelSrc is the Linux 6.12 tree ($KRLS_KERNEL_SRC) the benchmarks
// measure.
func kernelSrc(t testing.TB) string {
	root := os.Getenv("KRLS_KERNEL_SRC")
	if root == "" {
		if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
			t.Fatal("KRLS_KERNEL_SRC is not set")
		}
		t.Skip("KRLS_KERNEL_SRC not set: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return root
}

type kernelFile struct {
	rel string
	src []byte
}

// kernelTree is a fixture kernel as these tests analyse it: the .rs files
// of the crates its build lints (the crates rust/Makefile builds with
// skip_clippy, 6.1's vendored alloc, 7.2's syn, quote, zerocopy..., get no
// rule, as `krls check` leaves them), each file alone, with every rule and
// check-private-items as the tree's .clippy.toml says (6.12 and 7.2 set
// it; 6.1 has no .clippy.toml).
type kernelTree struct {
	kerneltest.Kernel
	lints *lints.Tree
	cfg   Config
	files []kernelFile
}

var checkPrivateRE = regexp.MustCompile(`(?m)^\s*check-private-items\s*=\s*true\s*$`)

func readKernel(t testing.TB, k kerneltest.Kernel) kernelTree {
	t.Helper()
	lt, err := lints.Read(k.Src)
	if err != nil {
		t.Fatal(err)
	}
	kt := kernelTree{Kernel: k, lints: lt}
	if b, err := os.ReadFile(filepath.Join(k.Src, ".clippy.toml")); err == nil {
		kt.cfg.CheckPrivateItems = checkPrivateRE.Match(b)
	}
	seen := map[string]bool{}
	for _, kf := range readTree(t, k.Src) {
		if _, ok := lt.UnlintedCrate(kf.rel); !ok {
			kt.files = append(kt.files, kf)
			seen[kf.rel] = true
		}
	}
	for _, rel := range []string{"rust/kernel/lib.rs", "rust/macros/lib.rs", "samples/rust/rust_minimal.rs"} {
		if !seen[rel] {
			t.Fatalf("no %s among the %d linted files of %s", rel, len(kt.files), k.Src)
		}
	}
	return kt
}

// readTree reads every .rs file of a tree.
func readTree(t testing.TB, root string) []kernelFile {
	var files []kernelFile
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rs") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, kernelFile{filepath.ToSlash(rel), b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func analyzeSrc(t testing.TB, path string, src []byte, cfg Config) (*symbols.File, []Finding) {
	t.Helper()
	f, err := symbols.Parse(context.Background(), path, src)
	if err != nil {
		t.Fatal(err)
	}
	return f, Analyze(context.Background(), f, cfg)
}

// pristineFinding is a warning krls makes on an unmodified tree: in file,
// by rule, on the line at finds (lineAt); why says why it is right.
type pristineFinding struct {
	file, at, rule, why string
	// lintOff: the tree's build does not enable the rule's clippy lint
	// (checked on its Makefile), so no build of that kernel reported it.
	lintOff bool
}

// lineAt finds a line of text by what it says: at is lines separated by
// "\n", the first one text of the only line that holds it, each other
// one text of the first line below the previous one that holds it.
func lineAt(t testing.TB, text, at string) int {
	t.Helper()
	parts := strings.Split(at, "\n")
	line := kerneltest.LineWith(t, text, parts[0])
	lines := strings.Split(text, "\n")
	for _, p := range parts[1:] {
		for line++; line <= len(lines) && !strings.Contains(lines[line-1], p); line++ {
		}
		if line > len(lines) {
			t.Fatalf("no line holds %q below %q", p, parts[0])
		}
	}
	return line
}

// pristineFindings are the warnings of each kernel, analysing each linted
// file alone: with no view of the crate, a macro_rules! body is judged
// as code, whoever expands it (workspace's crate-aware check moves those
// sites to undocumented-unsafe-outside-clippy).
var pristineFindings = map[string][]pristineFinding{
	// 6.1 predates the kernel's SAFETY-comment discipline: its Makefile
	// does not enable clippy::undocumented_unsafe_blocks, and these
	// blocks have no SAFETY comment. (rust_fmt_argument, a private unsafe
	// fn without docs, is no missing-safety-doc: 6.1 has no .clippy.toml
	// to check private items.)
	"6.1": {
		{"rust/kernel/allocator.rs", "unsafe impl GlobalAlloc for KernelAllocator {", "undocumented-unsafe",
			"no comment above the impl", true},
		{"rust/kernel/allocator.rs", "unsafe { bindings::krealloc(ptr::null(), layout.size(), bindings::GFP_KERNEL) as *mut u8 }", "undocumented-unsafe",
			"the comment above says why krealloc rather than kmalloc, not why the call is sound", true},
		{"rust/kernel/allocator.rs", "unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {\nunsafe {", "undocumented-unsafe",
			"GlobalAlloc::dealloc's kfree block: no comment", true},
		{"rust/kernel/allocator.rs", "fn __rust_dealloc(\nunsafe { bindings::kfree(", "undocumented-unsafe",
			"__rust_dealloc's kfree: no comment", true},
		{"rust/kernel/print.rs", "let _ = w.write_fmt(unsafe { *(ptr as *const fmt::Arguments<'_>) });", "undocumented-unsafe",
			"the SAFETY comment two lines up documents the `let mut w` statement between", true},
		{"rust/kernel/print.rs", "pub unsafe fn call_printk(\n#[cfg(CONFIG_PRINTK)]\nunsafe {", "undocumented-unsafe",
			"call_printk's _printk block: the comment above its attribute says _printk does not fail, not why the call is sound", true},
	},
	"6.12": {
		{"rust/kernel/str.rs", "let unchecked_str = unsafe { checked_cstr.as_str_unchecked() };", UndocumentedUnsafeOutsideClippy.Name,
			"in a #[cfg(test)] unit test, which kernel builds never compile", false},
		{"rust/kernel/init/macros.rs", "$(let $this = unsafe { ::core::ptr::NonNull::new_unchecked(slot) };)?", "undocumented-unsafe",
			"__init_internal!'s `$(let $this = unsafe {...})?`: only expanded for initializers that name `&this`, " +
				"which no 6.12 code of the kernel crate does", false},
		{"rust/kernel/init/macros.rs", "@munch_fields(..Zeroable::zeroed() $(,)?),\n#[allow(unused_assignments)]\nunsafe {", "undocumented-unsafe",
			"__init_internal!'s `..Zeroable::zeroed()` arm, used by no 6.12 initializer", false},
		{"rust/kernel/list/arc.rs", "unsafe impl$(<$($generics)*>)? $crate::list::TryNewListArc<$num> for $t", "undocumented-unsafe",
			"impl_list_arc_safe!'s `tracked_by` arm: the macro is not invoked in 6.12", false},
		{"rust/kernel/list/impl_list_item_mod.rs", "unsafe impl$(<$($implarg)*>)? $crate::list::HasListLinks$(<$id>)? for", "undocumented-unsafe",
			"impl_has_list_links_self_ptr! (unsafe impl HasListLinks): the macro is not invoked in 6.12", false},
		{"rust/kernel/list/impl_list_item_mod.rs", "unsafe { ::core::ptr::addr_of_mut!((*ptr).$field) };", "undocumented-unsafe",
			"same macro: in a macro body only the line directly above the block counts, and the comment sits above the `let`", false},
	},
	// 7.2: real clippy reports nothing on the crates the x86_64-rust
	// .config builds (the pristine findings of
	// testdata/clippy-truth/linux-7.2-x86_64.json.gz); these are in macro
	// bodies only other crates expand, where clippy never looks (a macro
	// of another crate is external to it).
	"7.2": {
		{"rust/kernel/configfs.rs", "static [< $data:upper _ $name:upper _ATTR >]:\nunsafe {", "undocumented-unsafe",
			"configfs_attrs!: invoked by samples/rust/rust_configfs.rs and rnull, other crates; in a macro body only the " +
				"line directly above the block counts, and the SAFETY comment sits above the `static`", false},
		{"rust/kernel/configfs.rs", "unsafe { $crate::configfs::AttributeList::new() };", "undocumented-unsafe",
			"configfs_attrs! again: the comment sits above `static [< $data:upper _ATTRS >]:`, two lines up", false},
		{"rust/kernel/device_id.rs", "unsafe { ::core::mem::transmute_copy($table_name.raw_ids()) };", "undocumented-unsafe",
			"module_device_table!, no comment at all: the kernel crate invokes it only from other macros' bodies " +
				"(module_phy_driver!, the pci/of/acpi/i2c/auxiliary/usb table macros), expanded in driver crates", false},
		{"rust/kernel/list/arc.rs", "unsafe impl$(<$($generics)*>)? $crate::list::TryNewListArc<$num> for $t", "undocumented-unsafe",
			"impl_list_arc_safe!'s `tracked_by` arm: only binder (drivers/android/binder, another crate) uses it", false},
	},
}

// allowedInclude is a file compiled only through include! at a site that
// allows lints: every finding of their rules in it is expected, and
// there must be some. The test reads the allowance from the includer: an
// inner #![allow(...)] listing the lint or one of its groups.
type allowedInclude struct{ file, includer, why string }

var pristineIncludes = map[string][]allowedInclude{
	"7.2": {
		{"drivers/gpu/nova-core/gsp/fw/r570_144/bindings.rs", "drivers/gpu/nova-core/gsp/fw/r570_144.rs",
			"nova-core's bindgen output, checked in: undocumented `unsafe {` blocks and `pub unsafe fn`s without a " +
				"# Safety section, under r570_144.rs's #![allow(clippy::all, clippy::undocumented_unsafe_blocks, ...)]"},
	},
}

// pristineSyntaxErrors are files of a tree tree-sitter-rust does not
// parse, which rustc does.
var pristineSyntaxErrors = map[string]map[string]string{
	"7.2": {
		// configfs_attrs!'s transcriber writes `&[<$ data:upper _ATTRS >]`:
		// `$` and its name apart, which macro_rules! takes, but
		// tree-sitter-rust's token trees have no lone `$` (a krls parser
		// limitation, not the tree's).
		"rust/kernel/configfs.rs": "`$ data` in a macro_rules! transcriber",
	},
}

var allowListRE = regexp.MustCompile(`#!\[allow\(([^)]*)\)\]`)

// includeAllows reads the lints the includer's inner #![allow(...)]
// attributes name, after checking that it includes file.
func includeAllows(t testing.TB, src string, a allowedInclude) map[string]bool {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(src, a.includer))
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(filepath.Dir(a.includer), a.file)
	if !bytes.Contains(text, []byte(`include!("`+filepath.ToSlash(rel)+`")`)) {
		t.Fatalf("%s does not include %s", a.includer, rel)
	}
	out := map[string]bool{}
	for _, m := range allowListRE.FindAllSubmatch(text, -1) {
		for _, name := range strings.Split(string(m[1]), ",") {
			out[strings.TrimSpace(name)] = true
		}
	}
	return out
}

// allowedBy reports whether the rule's clippy lint, or a group of it, is
// among allowed.
func allowedBy(rule string, allowed map[string]bool) bool {
	for _, r := range AllRules() {
		if r.Name != rule || r.Clippy == "" {
			continue
		}
		if allowed[r.Clippy] {
			return true
		}
		for _, g := range lints.Known[r.Clippy].Groups {
			if allowed[g] {
				return true
			}
		}
	}
	return false
}

var (
	safetyCommentRE = regexp.MustCompile(`^//[ \t]*SAFETY:`)
	placeholderRE   = regexp.MustCompile(`^//[ \t]*SAFETY:[ \t]*(?:TODO|FIXME|XXX|TBD|HACK)\b`)
)

// safetyComments counts, from the syntax tree alone, a file's `//
// SAFETY:` comments that stand on their own line, and the placeholders
// among them (TODO, FIXME...). Doc lines are not counted (a doc example
// is a rustdoc test, not analysed), nor comments in a quote! body or in
// a string (the code a proc macro writes: its comments reach no
// compiler).
func safetyComments(f *symbols.File) (all, placeholders int) {
	kerneltest.Walk(f.Root(), func(n *sitter.Node) bool {
		switch n.KindId() {
		case k.MacroInvocation:
			if m := n.ChildByFieldName("macro"); m != nil {
				if name := string(f.Text(m)); name == "quote" || strings.HasSuffix(name, "::quote") {
					return false
				}
			}
		case k.LineComment:
			text := f.Text(n)
			line := f.Line(n)
			if safetyCommentRE.Match(text) && int(n.StartByte()) == f.Lines.Start(line)+len(f.Lines.Indent(line)) {
				all++
				if placeholderRE.Match(text) {
					placeholders++
				}
			}
			return false
		}
		return true
	})
	return all, placeholders
}

// TestKernelPristine analyses every linted file of each kernel and
// compares the warnings with the kernel's pristineFindings, its include!
// allowances, and the placeholder SAFETY comments with the tree's.
func TestKernelPristine(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			kt := readKernel(t, k)
			texts := map[string]string{}
			for _, kf := range kt.files {
				texts[kf.rel] = string(kf.src)
			}
			want := map[string]string{}
			for _, p := range pristineFindings[k.Version] {
				text, ok := texts[p.file]
				if !ok {
					t.Errorf("%s is not a linted file of the tree", p.file)
					continue
				}
				key := fmt.Sprintf("%s:%d %s", p.file, lineAt(t, text, p.at), p.rule)
				want[key] = p.why
				if p.lintOff {
					r := ruleNamed(t, p.rule)
					if kt.lints.Enabled(r.Clippy) {
						t.Errorf("%s: the build enables %s: no excuse", key, r.Clippy)
					}
				}
			}
			includes := map[string]map[string]bool{}
			for _, a := range pristineIncludes[k.Version] {
				includes[a.file] = includeAllows(t, k.Src, a)
			}
			got := map[string]bool{}
			included := map[string]int{}
			placeholders, wantPlaceholders := 0, 0
			for _, kf := range kt.files {
				f, fs := analyzeSrc(t, kf.rel, kf.src, kt.cfg)
				if f.HasError() != (pristineSyntaxErrors[k.Version][kf.rel] != "") {
					t.Errorf("%s: tree-sitter-rust found a syntax error: %v", kf.rel, f.HasError())
				}
				_, n := safetyComments(f)
				wantPlaceholders += n
				for _, x := range fs {
					if x.Severity == Information {
						if x.Rule == SafetyPlaceholder.Name {
							placeholders++
						}
						continue
					}
					key := fmt.Sprintf("%s:%d %s", kf.rel, f.Lines.Line(x.Start)+1, x.Rule)
					if allowed, ok := includes[kf.rel]; ok && allowedBy(x.Rule, allowed) {
						included[kf.rel]++
						continue
					}
					got[key] = true
					if _, ok := want[key]; !ok {
						t.Errorf("unexpected finding %s: %s", key, x.Message)
					}
				}
				f.Close()
			}
			for key := range want {
				if !got[key] {
					t.Errorf("missing finding %s", key)
				}
			}
			for file := range includes {
				if included[file] == 0 {
					t.Errorf("%s: no finding its include! site allows", file)
				}
			}
			// The `// SAFETY: TODO.` lines of code (6.12 has 24, of which 4
			// sit in doc examples; 7.2 14, of which 2 in doc examples and 2
			// in pin-init's quote! output).
			if placeholders != wantPlaceholders {
				t.Errorf("found %d safety placeholders, the tree has %d", placeholders, wantPlaceholders)
			}
			t.Logf("%d linted files: %d expected warnings, %d allowed at include! sites, %d placeholders",
				len(kt.files), len(want), len(included), placeholders)
		})
	}
}

func ruleNamed(t testing.TB, name string) *Rule {
	t.Helper()
	for _, r := range AllRules() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule %s", name)
	return nil
}

// TestKernelMutations deletes, one at a time, every SAFETY comment that
// documents an unsafe block in the tree, and checks that exactly the blocks
// it documented become undocumented while every other finding stays; then
// adds a SAFETY comment above safe `let` statements and checks that exactly
// that comment is reported as unnecessary.
func TestKernelMutations(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			t.Parallel()
			kt := readKernel(t, k)
			deletions, additions, comments := 0, 0, 0
			for _, kf := range kt.files {
				d, a, c := mutateFile(t, kt.cfg, kf)
				comments += c
				deletions += d
				additions += a
			}
			t.Logf("%d deletions (of %d `// SAFETY:` lines), %d additions", deletions, comments, additions)
			// Nearly every SAFETY comment line of the tree documents a site
			// (6.12: 579 of 607); the rest document something else (a
			// statement of a block's tail, an unsafe fn's body...).
			if deletions*10 < comments*9 || additions*10 < len(kt.files) {
				t.Errorf("too few mutations (%d deletions of %d SAFETY comments, %d additions in %d files): the tree or the test changed",
					deletions, comments, additions, len(kt.files))
			}
		})
	}
}

// mutateFile makes the mutations of TestKernelMutations in one file, and
// counts its SAFETY comments (safetyComments).
func mutateFile(t *testing.T, cfg Config, kf kernelFile) (deletions, additions, comments int) {
	f, base := analyzeSrc(t, kf.rel, kf.src, cfg)
	defer f.Close()
	comments, _ = safetyComments(f)
	p := newPass(context.Background(), f, cfg)
	sa := p.siteInfo()
	li := p.lints()
	// Group the documented sites by the comment that documents them.
	byComment := map[int][]*site{}
	for _, s := range sa.sites {
		if s.documented && s.commentAt >= 0 {
			byComment[s.commentAt] = append(byComment[s.commentAt], s)
		}
	}
	var documenting []int
	for at := range byComment {
		documenting = append(documenting, at)
	}
	sort.Ints(documenting)
	for _, at := range documenting {
		start, end, ok := commentExtent(f.Lines, at)
		if !ok {
			continue // an inner or trailing comment: not a whole-line comment
		}
		deletions++
		mutated := append(append([]byte{}, kf.src[:start]...), kf.src[end:]...)
		mlines := symbols.NewLines(mutated)
		want := shiftFindings(base, start, end-start)
		for _, s := range byComment[at] {
			// A block in plain expressions may still be documented by
			// the comment above its enclosing statement.
			if s.parent >= 0 && s.parent < start {
				if _, ok := safetyAbove(mlines, s.boundary, f.Lines.Line(s.parent)); ok {
					continue
				}
			}
			// Under an #[allow] of the lint (bindgen output, pin-init's
			// examples) it stays quiet.
			if li.allowed(s.scope, UndocumentedUnsafe.Lints) {
				continue
			}
			want = append(want, key(s.unsafeOff-(end-start), UndocumentedUnsafe.Name))
		}
		checkMutation(t, cfg, kf.rel, fmt.Sprintf("deleting the SAFETY comment at line %d", f.Lines.Line(at)+1), mutated, want, start, end)
	}
	for _, line := range safeLets(t, f, sa, 10) {
		additions++
		ins := f.Lines.Start(line)
		text := string(f.Lines.Indent(line)) + "// SAFETY: mutation test.\n"
		mutated := append(append(append([]byte{}, kf.src[:ins]...), text...), kf.src[ins:]...)
		want := shiftFindings(base, ins, -len(text))
		want = append(want, key(ins+len(f.Lines.Indent(line))+3, UnnecessarySafetyComment.Name))
		checkMutation(t, cfg, kf.rel, fmt.Sprintf("adding a SAFETY comment above line %d", line+1), mutated, want, -1, -1)
	}
	return deletions, additions, comments
}

// key identifies a finding by its start offset and rule.
func key(off int, rule string) string { return fmt.Sprintf("%d %s", off, rule) }

// shiftFindings keys the warnings of base as they sit after removing n
// bytes at start (n < 0: inserting -n bytes), dropping informational ones.
func shiftFindings(base []Finding, start, n int) []string {
	var out []string
	for _, x := range base {
		if x.Severity == Information {
			continue
		}
		off := x.Start
		if off >= start {
			off -= n
		}
		out = append(out, key(off, x.Rule))
	}
	return out
}

func checkMutation(t *testing.T, cfg Config, rel, what string, src []byte, want []string, delStart, delEnd int) {
	t.Helper()
	f, fs := analyzeSrc(t, rel, src, cfg)
	defer f.Close()
	var got []string
	for _, x := range fs {
		if x.Severity != Information {
			got = append(got, key(x.Start, x.Rule))
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: %s:\n got %v\nwant %v", rel, what, got, want)
	}
}

// commentExtent is the byte range of the whole-line `//` comment holding
// the "SAFETY:" text at at: from its line through the continuation lines
// below it (up to code, a blank line, or another SAFETY comment).
func commentExtent(lines *symbols.Lines, at int) (start, end int, ok bool) {
	line := lines.Line(at)
	if !bytes.HasPrefix(trimLeft(lines.Text(line)), []byte("//")) {
		return 0, 0, false
	}
	last := line
	for i := line + 1; i < lines.Count(); i++ {
		t := trimLeft(lines.Text(i))
		if !bytes.HasPrefix(t, []byte("//")) || indexFold(t, "SAFETY:") >= 0 {
			break
		}
		last = i
	}
	return lines.Start(line), lines.Start(last + 1), true
}

// safeLets picks up to max `let` statements with a value and no unsafe
// code, outside unsafe blocks and macros, not preceded by a comment or an
// attribute: a SAFETY comment above any of them is unnecessary.
func safeLets(t testing.TB, f *symbols.File, sa *siteAnalysis, max int) []int {
	var out []int
	kerneltest.Walk(f.Root(), func(n *sitter.Node) bool {
		switch n.KindId() {
		case k.MacroDefinition, k.MacroInvocation, k.UnsafeBlock, k.TokenTree:
			return false
		case k.LetDeclaration:
			if len(out) < max && isSafeLet(f, sa, n) {
				out = append(out, f.Line(n))
			}
			return false
		}
		return true
	})
	return out
}

func isSafeLet(f *symbols.File, sa *siteAnalysis, n *sitter.Node) bool {
	text := f.Text(n)
	if n.ChildByFieldName("value") == nil || bytes.Contains(text, []byte("unsafe")) || bytes.Contains(text, []byte("!")) {
		return false
	}
	line := f.Line(n)
	if line == 0 || sa.insideUnsafeBlock(int(n.StartByte())) {
		return false
	}
	if int(n.StartByte()) != f.Lines.Start(line)+len(f.Lines.Indent(line)) {
		return false // not first on its line
	}
	prev := trimLeft(f.Lines.Text(line - 1))
	p := n.Parent()
	return len(trimRight(prev)) > 0 && !bytes.HasPrefix(prev, []byte("//")) && !bytes.HasPrefix(prev, []byte("#")) &&
		!bytes.HasPrefix(prev, []byte("/*")) && !bytes.HasPrefix(prev, []byte("*")) &&
		p != nil && p.KindId() == k.Block && f.Line(p) < line-1
}
