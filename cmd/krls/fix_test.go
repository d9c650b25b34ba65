package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
)

func TestCheckFix(t *testing.T) {
	const before = "fn f() {\n" +
		"    // SAFETY: nothing unsafe here.\n" +
		"    let x = 1;\n" +
		"    let y = 2; // SAFETY: trailing\n" +
		"    let z = 3;\n" +
		"    unsafe { g() };\n" +
		"}\n"
	const after = "fn f() {\n" +
		"    // nothing unsafe here.\n" +
		"    let x = 1;\n" +
		"    let y = 2; // trailing\n" +
		"    let z = 3;\n" +
		"    unsafe { g() };\n" +
		"}\n"
	dir := checkInTemp(t, map[string]string{"fix.rs": before, "clean.rs": clean})
	// A file with nothing to fix is not written.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	cleanPath := filepath.Join(dir, "clean.rs")
	if err := os.Chtimes(cleanPath, old, old); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := krlsCheck(t, "--fix", ".")
	// What remains needs a human: the SAFETY comment to write.
	if want := "fix.rs:6:5: warning: unsafe block missing a safety comment [undocumented-unsafe]\n"; out != want || code != 1 {
		t.Errorf("exit %d, stdout\n%s\nwant\n%s", code, out, want)
	}
	if errOut != "krls: fixed 2 finding(s) in 1 file(s)\n" {
		t.Errorf("stderr %q", errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "fix.rs")); string(b) != after {
		t.Errorf("fixed file:\n%s\nwant\n%s", b, after)
	}
	if st, err := os.Stat(cleanPath); err != nil || !st.ModTime().Equal(old) {
		t.Errorf("clean.rs was written (%v)", err)
	}

	// Again: nothing left to fix, nothing written.
	fixPath := filepath.Join(dir, "fix.rs")
	if err := os.Chtimes(fixPath, old, old); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = krlsCheck(t, "--fix", "fix.rs")
	if errOut != "krls: fixed 0 finding(s) in 0 file(s)\n" || code != 1 {
		t.Errorf("second run: exit %d, stderr %q", code, errOut)
	}
	if st, _ := os.Stat(fixPath); !st.ModTime().Equal(old) {
		t.Error("second run wrote fix.rs")
	}
}

func TestCheckFixRulesSelect(t *testing.T) {
	const src = "fn f() {\n    // SAFETY: nothing unsafe here.\n    let x = 1;\n}\n"
	dir := checkInTemp(t, map[string]string{"a.rs": src})
	// The fix belongs to a rule that is not selected: nothing changes.
	_, errOut, code := krlsCheck(t, "--fix", "--rules", "undocumented-unsafe", "a.rs")
	if code != 0 || errOut != "krls: fixed 0 finding(s) in 0 file(s)\n" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.rs")); string(b) != src {
		t.Errorf("a.rs changed:\n%s", b)
	}
}

func TestCheckFixFixture(t *testing.T) {
	orig, err := os.ReadFile("../../diagnostics/testdata/safety/blocks.rs")
	if err != nil {
		t.Fatal(err)
	}
	want := string(orig)
	for _, c := range []string{"here.", "nor a closure with braces."} {
		if !strings.Contains(want, "    // SAFETY: "+c+" // ~ unnecessary-safety-comment\n") {
			t.Fatalf("the fixture no longer has the comment %q", c)
		}
		want = strings.Replace(want, "// SAFETY: "+c, "// "+c, 1)
	}
	dir := checkInTemp(t, map[string]string{"blocks.rs": string(orig)})

	count := func(out, rule string) int { return strings.Count(out, "["+rule+"]") }
	before, _, _ := krlsCheck(t, "--check-private-items", "blocks.rs")
	if n := count(before, "unnecessary-safety-comment"); n != 2 {
		t.Fatalf("%d unnecessary-safety-comment findings before the fix, want 2:\n%s", n, before)
	}

	after, errOut, _ := krlsCheck(t, "--check-private-items", "--fix", "blocks.rs")
	if errOut != "krls: fixed 2 finding(s) in 1 file(s)\n" {
		t.Errorf("stderr %q", errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "blocks.rs")); string(got) != want {
		t.Errorf("fixed file differs from the expected one:\n%s", got)
	}
	if c := count(after, "unnecessary-safety-comment"); c != 0 {
		t.Errorf("%d unnecessary-safety-comment findings remain:\n%s", c, after)
	}
	for _, r := range diagnostics.Rules {
		if r.Name != "unnecessary-safety-comment" && count(after, r.Name) != count(before, r.Name) {
			t.Errorf("%s: %d findings before the fix, %d after", r.Name, count(before, r.Name), count(after, r.Name))
		}
	}
	again, _, _ := krlsCheck(t, "--check-private-items", "--rules", "unnecessary-safety-comment", "blocks.rs")
	if again != "" {
		t.Errorf("re-running reports\n%s", again)
	}
}

// TestCheckFixAllFixtures fixes every fixture and checks that no file
// gets a warning it did not have: fixes only ever take findings away.
func TestCheckFixAllFixtures(t *testing.T) {
	fixtureTree(t)
	type key struct{ file, rule string }
	counts := func(out string) (map[key]int, int) {
		t.Helper()
		var fs []jsonFinding
		if err := json.Unmarshal([]byte(out), &fs); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		m, n := map[key]int{}, 0
		for _, f := range fs {
			if f.Severity == "warning" || f.Severity == "error" {
				m[key{f.File, f.Rule}]++
				n++
			}
		}
		return m, n
	}
	out, _, _ := krlsCheck(t, "--format", "json", ".")
	before, nBefore := counts(out)
	out, errOut, _ := krlsCheck(t, "--format", "json", "--fix", ".")
	after, nAfter := counts(out)
	if strings.Contains(errOut, "introduced new findings") || !strings.Contains(errOut, "krls: fixed ") {
		t.Errorf("stderr %q", errOut)
	}
	for k, n := range after {
		if n > before[k] {
			t.Errorf("%s: %d %s findings after the fixes, %d before", k.file, n, k.rule, before[k])
		}
	}
	t.Logf("%d warnings before the fixes, %d after", nBefore, nAfter)
	if nAfter >= nBefore {
		t.Errorf("%d warnings after the fixes, %d before: nothing was fixed", nAfter, nBefore)
	}
	// Fixed, the files have nothing left to fix.
	out, errOut, _ = krlsCheck(t, "--format", "json", "--fix", ".")
	if again, _ := counts(out); !reflect.DeepEqual(again, after) || !strings.Contains(errOut, "fixed 0 finding(s)") {
		t.Errorf("second --fix: stderr %q", errOut)
	}
}

func TestIntroduced(t *testing.T) {
	old := symbols.NewLines([]byte("a\n// SAFETY: x\nb\nc\n"))
	w := func(rule string, start int) diagnostics.Finding {
		return diagnostics.Finding{Rule: rule, Severity: diagnostics.Warning, Start: start}
	}
	before := []diagnostics.Finding{w("unnecessary-safety-comment", 5), w("undocumented-unsafe", 15)}
	// "// SAFETY: x" → "// x": 8 bytes fewer from offset 5 on.
	edits := []diagnostics.Edit{{Start: 5, End: 13, NewText: ""}}
	for _, tc := range []struct {
		after []diagnostics.Finding
		want  int
	}{
		{nil, 0},
		{[]diagnostics.Finding{w("undocumented-unsafe", 7)}, 0},                              // the same, moved by the edit
		{[]diagnostics.Finding{w("undocumented-unsafe", 9)}, 1},                              // a line further
		{[]diagnostics.Finding{w("undocumented-unsafe", 7), w("undocumented-unsafe", 7)}, 1}, // twice
		{[]diagnostics.Finding{w("missing-safety-doc", 0)}, 1},                               // another rule
		{[]diagnostics.Finding{{Rule: "safety-placeholder", Severity: diagnostics.Information, Start: 0}}, 0},
	} {
		if got := introduced(before, tc.after, edits, old); len(got) != tc.want {
			t.Errorf("introduced(%v) = %v, want %d", tc.after, got, tc.want)
		}
	}
}

func TestOldOffset(t *testing.T) {
	// "0123456789" with [2,4) → "XYZ" and [6,6) → "ab": "01XYZ45ab6789".
	edits := []diagnostics.Edit{{Start: 2, End: 4, NewText: "XYZ"}, {Start: 6, End: 6, NewText: "ab"}}
	for newOff, want := range []int{0, 1, 2, 2, 2, 4, 5, 6, 6, 6, 7, 8, 9, 10} {
		if got := oldOffset(edits, newOff); got != want {
			t.Errorf("oldOffset(%d) = %d, want %d", newOff, got, want)
		}
	}
}

func TestOverlap(t *testing.T) {
	e := func(s, e int) diagnostics.Edit { return diagnostics.Edit{Start: s, End: e} }
	for _, tc := range []struct {
		a, b diagnostics.Edit
		want bool
	}{
		{e(0, 5), e(5, 9), false},
		{e(0, 5), e(4, 9), true},
		{e(3, 3), e(3, 3), true},
		{e(3, 3), e(4, 4), false},
		{e(3, 3), e(3, 6), false},
		{e(3, 3), e(0, 3), false},
		{e(3, 3), e(1, 6), true},
		{e(1, 6), e(3, 3), true},
	} {
		if got := overlap(tc.a, tc.b); got != tc.want {
			t.Errorf("overlap(%v, %v) = %v", tc.a, tc.b, got)
		}
	}
	if !conflicts([]diagnostics.Edit{e(0, 2), e(1, 3)}, &editSet{}) {
		t.Error("a fix whose own edits overlap must not apply")
	}
	if conflicts([]diagnostics.Edit{e(0, 2), e(4, 6)}, &editSet{edits: []diagnostics.Edit{e(2, 4)}}) {
		t.Error("adjacent edits do not conflict")
	}
}

// TestEditSet compares the set's answer with a scan of every edit.
func TestEditSet(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		var set editSet
		var all []diagnostics.Edit
		for k := 0; k < 40; k++ {
			s := rnd.IntN(60)
			e := diagnostics.Edit{Start: s, End: s + rnd.IntN(4)}
			want := false
			for _, t := range all {
				want = want || overlap(e, t)
			}
			if got := set.overlaps(e); got != want {
				t.Fatalf("overlaps(%v) = %v with %v, want %v", e, got, all, want)
			}
			if !want {
				set.add(e)
				all = append(all, e)
			}
		}
		if !slices.IsSortedFunc(set.edits, func(a, b diagnostics.Edit) int {
			if editLess(a, b) {
				return -1
			}
			return 0
		}) {
			t.Fatalf("edits out of order: %v", set.edits)
		}
	}
}
