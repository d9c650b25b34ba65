package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/diagnostics"
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
	if !conflicts([]diagnostics.Edit{e(0, 2), e(1, 3)}, nil) {
		t.Error("a fix whose own edits overlap must not apply")
	}
	if conflicts([]diagnostics.Edit{e(0, 2), e(4, 6)}, []diagnostics.Edit{e(2, 4)}) {
		t.Error("adjacent edits do not conflict")
	}
}
