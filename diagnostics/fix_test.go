package diagnostics

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/panics"
)

// TestFixesResolve applies, one at a time, the fix of every finding in the
// fixtures and checks that the finding is gone and nothing new of warning
// level appeared (an inserted empty SAFETY comment is expected to leave an
// informational safety-placeholder).
func TestFixesResolve(t *testing.T) {
	for _, path := range fixtures(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg := fixtureConfig(path)
		f, base := analyzeFile(t, path, cfg)
		for _, x := range base {
			for _, fix := range x.Fixes {
				fixed, skipped := ApplyEdits(src, fix.Edits)
				if skipped > 0 {
					t.Errorf("%s:%d: fix %q has overlapping edits", filepath.Base(path), f.Lines.Line(x.Start)+1, fix.Title)
					continue
				}
				g, err := symbols.Parse(context.Background(), path, fixed)
				if err != nil {
					t.Fatal(err)
				}
				after := Analyze(context.Background(), g, cfg)
				g.Close()
				count := countWarnings
				fewer := func(n, m int) bool { return n == m-1 }
				if x.Severity > Warning {
					// A hint (the conventions' rules): fewer of its rule, by
					// one or more (one comment documents every site of its
					// statement).
					count = func(fs []Finding) int { return countRule(fs, x.Rule) }
					fewer = func(n, m int) bool { return n < m }
				}
				if n, m := count(after), count(base); !fewer(n, m) {
					t.Errorf("%s:%d %s: fix %q leaves %d warnings, want %d\n%s", filepath.Base(path), f.Lines.Line(x.Start)+1,
						x.Rule, fix.Title, n, m-1, context3(fixed, fix.Edits[0].Start))
				}
			}
		}
	}
}

func countRule(fs []Finding, rule string) int {
	n := 0
	for _, x := range fs {
		if x.Rule == rule {
			n++
		}
	}
	return n
}

func countWarnings(fs []Finding) int {
	n := 0
	for _, x := range fs {
		if x.Severity <= Warning {
			n++
		}
	}
	return n
}

// context3 shows the lines around off, for failure messages.
func context3(src []byte, off int) string {
	lines := symbols.NewLines(src)
	l := lines.Line(off)
	var b strings.Builder
	for i := max(0, l-3); i < min(lines.Count(), l+4); i++ {
		b.WriteString("    | ")
		b.Write(lines.Text(i))
		b.WriteByte('\n')
	}
	return b.String()
}

func TestSafetyCommentFixQuotesCallee(t *testing.T) {
	src := []byte(`/// Reads the thing.
///
/// # Safety
///
/// - ` + "`ptr`" + ` must be valid for reads.
/// - The caller holds the lock.
pub unsafe fn read(ptr: *const u32) -> u32 {
    // SAFETY: forwarded to the caller.
    unsafe { *ptr }
}

pub fn user(p: *const u32) -> u32 {
    let v = unsafe { read(p) };
    v
}
`)
	f, err := symbols.Parse(context.Background(), "quote.rs", src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fix *Fix
	for _, x := range Analyze(context.Background(), f, Config{CheckPrivateItems: true}) {
		if x.Rule == UndocumentedUnsafe.Name {
			fix = &x.Fixes[0]
		}
	}
	if fix == nil {
		t.Fatal("no undocumented-unsafe finding")
	}
	got, _ := ApplyEdits(src, fix.Edits)
	want := "    // SAFETY: TODO: show that each requirement of `read` holds:\n" +
		"    // - `ptr` must be valid for reads.\n" +
		"    // - The caller holds the lock.\n" +
		"    let v = unsafe { read(p) };\n"
	if !strings.Contains(string(got), want) {
		t.Errorf("fixed text:\n%s\nwant it to contain:\n%s", got, want)
	}
	if !strings.Contains(fix.Title, "`read`") {
		t.Errorf("fix title %q does not name the callee", fix.Title)
	}
}

// TestPanicFixQuotesSection: the undocumented-panic fix quotes when the
// callee panics, from its `# Panics` section (both unwraps when the
// receiver's type is not known), and the missing-invariant fix the
// type's invariants.
func TestPanicFixQuotesSection(t *testing.T) {
	src := "fn f(x: Option<u32>, d: &mut [u8], s: &[u8]) -> u32 {\n    d.copy_from_slice(s);\n    x.unwrap()\n}\n"
	f, err := symbols.Parse(context.Background(), "a.rs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lib, err := panics.ReadLibrary("testdata/panics/library")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Rules: map[string]bool{UndocumentedPanic.Name: true}, Panics: &PanicConfig{Library: func() *panics.Library { return lib }}}
	var got []string
	for _, x := range Analyze(context.Background(), f, cfg) {
		fixed, _ := ApplyEdits([]byte(src), x.Fixes[0].Edits)
		got = append(got, x.Message+"\n"+string(fixed))
	}
	want := []string{
		"`slice::copy_from_slice` may panic, without a `// PANIC:` comment\n" +
			"fn f(x: Option<u32>, d: &mut [u8], s: &[u8]) -> u32 {\n" +
			"    // PANIC: \n    //\n    // When `slice::copy_from_slice` panics:\n    // This function will panic if the two slices have different lengths.\n" +
			"    d.copy_from_slice(s);\n    x.unwrap()\n}\n",
		"`Option::unwrap` may panic, without a `// PANIC:` comment\n" +
			"fn f(x: Option<u32>, d: &mut [u8], s: &[u8]) -> u32 {\n    d.copy_from_slice(s);\n" +
			"    // PANIC: \n    //\n    // When `Option::unwrap` panics:\n    // Panics if the self value equals [`None`].\n" +
			"    x.unwrap()\n}\n",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
	}
}
