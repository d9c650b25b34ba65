package diagnostics

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/krls-dev/krls/symbols"
)

// Tests on the real Linux 6.12 tree ($KRLS_KERNEL_SRC, from
// ../shared/kernel-fixture.sh). `make test` sets KRLS_REQUIRE_KERNEL=1 so
// that a missing tree fails instead of skipping.

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

// kernelConfig is the kernel's: its .clippy.toml sets check-private-items.
var kernelConfig = Config{CheckPrivateItems: true}

// pristineFindings are the warnings krls makes on the unmodified 6.12
// tree, each a real omission in code that clippy never compiles with the
// kernel's flags, so the kernel's clippy-clean builds never saw them.
var pristineFindings = map[string]string{
	"rust/kernel/str.rs:584 undocumented-unsafe-outside-clippy": "in a #[cfg(test)] unit test, which kernel builds never compile",
	"rust/kernel/init/macros.rs:1180 undocumented-unsafe": "__init_internal!'s `$(let $this = unsafe {...})?`: only expanded " +
		"for initializers that name `&this`, which no 6.12 code of the kernel crate does",
	"rust/kernel/init/macros.rs:1425 undocumented-unsafe": "__init_internal!'s `..Zeroable::zeroed()` arm, used by no 6.12 initializer",
	"rust/kernel/list/arc.rs:116 undocumented-unsafe":     "impl_list_arc_safe!'s `tracked_by` arm: the macro is not invoked in 6.12",
	"rust/kernel/list/impl_list_item_mod.rs:97 undocumented-unsafe": "impl_has_list_links_self_ptr! (unsafe impl HasListLinks): " +
		"the macro is not invoked in 6.12",
	"rust/kernel/list/impl_list_item_mod.rs:106 undocumented-unsafe": "same macro: in a macro body only the line directly " +
		"above the block counts, and the comment sits above the `let`",
}

type kernelFile struct {
	rel string
	src []byte
}

func readKernel(t testing.TB) []kernelFile {
	root := kernelSrc(t)
	files := readTree(t, root)
	if len(files) < 79 {
		t.Fatalf("found %d .rs files in %s, want the 79 of Linux 6.12", len(files), root)
	}
	return files
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

func analyzeSrc(t testing.TB, path string, src []byte) (*symbols.File, []Finding) {
	t.Helper()
	f, err := symbols.Parse(context.Background(), path, src)
	if err != nil {
		t.Fatal(err)
	}
	return f, Analyze(context.Background(), f, kernelConfig)
}

func TestKernelPristine(t *testing.T) {
	got := map[string]bool{}
	placeholders := 0
	for _, kf := range readKernel(t) {
		f, fs := analyzeSrc(t, kf.rel, kf.src)
		if f.HasError() {
			t.Errorf("%s: tree-sitter-rust found a syntax error", kf.rel)
		}
		for _, x := range fs {
			if x.Severity == Information {
				if x.Rule == SafetyPlaceholder.Name {
					placeholders++
				}
				continue
			}
			key := fmt.Sprintf("%s:%d %s", kf.rel, f.Lines.Line(x.Start)+1, x.Rule)
			got[key] = true
			if _, ok := pristineFindings[key]; !ok {
				t.Errorf("unexpected finding %s: %s", key, x.Message)
			}
		}
		f.Close()
	}
	for key := range pristineFindings {
		if !got[key] {
			t.Errorf("missing finding %s", key)
		}
	}
	// 24 `SAFETY: TODO` lines in 6.12: 4 sit in doc examples (rustdoc
	// tests, not analysed); the other 20 are code.
	if placeholders != 20 {
		t.Errorf("found %d safety placeholders, want 20", placeholders)
	}
}

// TestKernelMutations deletes, one at a time, every SAFETY comment that
// documents an unsafe block in the tree, and checks that exactly the blocks
// it documented become undocumented while every other finding stays; then
// adds a SAFETY comment above safe `let` statements and checks that exactly
// that comment is reported as unnecessary.
func TestKernelMutations(t *testing.T) {
	deletions, additions := 0, 0
	for _, kf := range readKernel(t) {
		f, base := analyzeSrc(t, kf.rel, kf.src)
		p := newPass(context.Background(), f, kernelConfig)
		sa := p.siteInfo()
		// Group the documented sites by the comment that documents them.
		byComment := map[int][]*site{}
		for _, s := range sa.sites {
			if s.documented && s.commentAt >= 0 {
				byComment[s.commentAt] = append(byComment[s.commentAt], s)
			}
		}
		var comments []int
		for at := range byComment {
			comments = append(comments, at)
		}
		sort.Ints(comments)
		for _, at := range comments {
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
				want = append(want, key(s.unsafeOff-(end-start), UndocumentedUnsafe.Name))
			}
			checkMutation(t, kf.rel, fmt.Sprintf("deleting the SAFETY comment at line %d", f.Lines.Line(at)+1), mutated, want, start, end)
		}
		for _, line := range safeLets(t, f, sa, 10) {
			additions++
			ins := f.Lines.Start(line)
			text := string(f.Lines.Indent(line)) + "// SAFETY: mutation test.\n"
			mutated := append(append(append([]byte{}, kf.src[:ins]...), text...), kf.src[ins:]...)
			want := shiftFindings(base, ins, -len(text))
			want = append(want, key(ins+len(f.Lines.Indent(line))+3, UnnecessarySafetyComment.Name))
			checkMutation(t, kf.rel, fmt.Sprintf("adding a SAFETY comment above line %d", line+1), mutated, want, -1, -1)
		}
		f.Close()
	}
	t.Logf("%d deletions, %d additions", deletions, additions)
	if deletions < 500 || additions < 80 {
		t.Errorf("too few mutations (%d deletions, %d additions): the tree or the test changed", deletions, additions)
	}
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

func checkMutation(t *testing.T, rel, what string, src []byte, want []string, delStart, delEnd int) {
	t.Helper()
	f, fs := analyzeSrc(t, rel, src)
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
	c := f.Root().Walk()
	defer c.Close()
	var visit func()
	visit = func() {
		n := c.Node()
		switch n.KindId() {
		case k.MacroDefinition, k.MacroInvocation, k.UnsafeBlock, k.TokenTree:
			return
		case k.LetDeclaration:
			if len(out) < max && isSafeLet(f, sa, n) {
				out = append(out, f.Line(n))
			}
			return
		}
		if c.GotoFirstChild() {
			for {
				visit()
				if !c.GotoNextSibling() {
					break
				}
			}
			c.GotoParent()
		}
	}
	visit()
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
