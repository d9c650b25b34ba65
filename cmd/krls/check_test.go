package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
)

// krlsCheck runs `krls check args...` in-process.
func krlsCheck(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(append([]string{"check"}, args...), strings.NewReader(""), &o, &e)
	return o.String(), e.String(), code
}

// sample has non-ASCII text before and on the line of a finding, so that
// the golden columns pin the unit: code points (bytes would say 24 for 23).
const sample = "// Größe: ünïcödé\n" +
	"fn f() { let s = \"é\"; unsafe { g() }; }\n" +
	"\n" +
	"fn k() {\n" +
	"    // SAFETY: TODO\n" +
	"    unsafe { g() };\n" +
	"}\n"

const (
	infoOnly = "fn k() {\n    // SAFETY: TODO\n    unsafe { g() };\n}\n"
	clean    = "fn k() {\n    // SAFETY: `g` has no requirements.\n    unsafe { g() };\n}\n"
)

// inTemp writes files into a new temporary folder and makes it the
// working directory.
func checkInTemp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

func TestCheckFormatsGolden(t *testing.T) {
	checkInTemp(t, map[string]string{"src/sample.rs": sample})
	for _, tc := range []struct {
		format, want string
	}{
		{"text", `src/sample.rs:2:23: warning: unsafe block missing a safety comment [undocumented-unsafe]
src/sample.rs:5:8: info: SAFETY comment is a placeholder: it does not say why the unsafe code is sound [safety-placeholder]
`},
		{"json", `[
  {
    "file": "src/sample.rs",
    "line": 2,
    "column": 23,
    "endLine": 2,
    "endColumn": 37,
    "severity": "warning",
    "rule": "undocumented-unsafe",
    "message": "unsafe block missing a safety comment"
  },
  {
    "file": "src/sample.rs",
    "line": 5,
    "column": 8,
    "endLine": 5,
    "endColumn": 20,
    "severity": "info",
    "rule": "safety-placeholder",
    "message": "SAFETY comment is a placeholder: it does not say why the unsafe code is sound"
  }
]
`},
		{"github", `::warning file=src/sample.rs,line=2,col=23,endLine=2,endColumn=37,title=undocumented-unsafe::unsafe block missing a safety comment
::notice file=src/sample.rs,line=5,col=8,endLine=5,endColumn=20,title=safety-placeholder::SAFETY comment is a placeholder: it does not say why the unsafe code is sound
`},
	} {
		// The flag after the path, as well as before.
		for _, args := range [][]string{{"--format", tc.format, "src/sample.rs"}, {"src/sample.rs", "-format=" + tc.format}} {
			out, errOut, code := krlsCheck(t, args...)
			if out != tc.want {
				t.Errorf("krls check %q:\n%s\nwant:\n%s", args, out, tc.want)
			}
			if code != 1 || errOut != "" {
				t.Errorf("krls check %q: exit %d, stderr %q", args, code, errOut)
			}
		}
	}
	// Folders expand to relative paths too.
	if out, _, _ := krlsCheck(t, "--rules", "undocumented-unsafe"); out != "src/sample.rs:2:23: warning: unsafe block missing a safety comment [undocumented-unsafe]\n" {
		t.Errorf("krls check (no path): %q", out)
	}
}

func TestCheckSARIF(t *testing.T) {
	checkInTemp(t, map[string]string{"src/sample.rs": sample})
	out, errOut, code := krlsCheck(t, "--format", "sarif", ".")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var log map[string]any
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, log)

	run := log["runs"].([]any)[0].(map[string]any)
	results := run["results"].([]any)
	if len(results) != 2 {
		t.Fatalf("%d results, want 2", len(results))
	}
	got, _ := json.Marshal(results[0])
	want := `{"level":"warning","locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/sample.rs","uriBaseId":"%SRCROOT%"},"region":{"endColumn":37,"endLine":2,"startColumn":23,"startLine":2}}}],"message":{"text":"unsafe block missing a safety comment"},"ruleId":"undocumented-unsafe","ruleIndex":0}`
	if string(got) != want {
		t.Errorf("first result\n got %s\nwant %s", got, want)
	}
	if lvl := results[1].(map[string]any)["level"]; lvl != "note" {
		t.Errorf("info finding has level %v, want note", lvl)
	}

	// Related locations: the statement an unnecessary comment sits on.
	checkInTemp(t, map[string]string{"u.rs": "fn f() {\n    // SAFETY: nothing unsafe.\n    let x = 1;\n}\n"})
	out, _, _ = krlsCheck(t, "--format", "sarif", "u.rs")
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, log)
	if !strings.Contains(out, `"relatedLocations"`) {
		t.Errorf("no relatedLocations:\n%s", out)
	}

	// No findings: still a valid log, with an empty results array.
	checkInTemp(t, map[string]string{"clean.rs": clean})
	out, _, code = krlsCheck(t, "--format", "sarif", "clean.rs")
	if code != 0 || !strings.Contains(out, `"results": []`) {
		t.Errorf("clean: exit %d\n%s", code, out)
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, log)
}

// validateSARIF checks the parts of the SARIF 2.1.0 schema krls fills in,
// and that results point at the right rule descriptors.
func validateSARIF(t *testing.T, log map[string]any) {
	t.Helper()
	str := func(m map[string]any, key, where string) string {
		s, ok := m[key].(string)
		if !ok || s == "" {
			t.Errorf("%s: %q missing or not a string: %v", where, key, m[key])
		}
		return s
	}
	obj := func(v any, where string) map[string]any {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: not an object: %v", where, v)
		}
		return m
	}
	positive := func(m map[string]any, key, where string) int {
		f, ok := m[key].(float64)
		if !ok || f < 1 || f != float64(int(f)) {
			t.Errorf("%s: %q must be a positive integer, is %v", where, key, m[key])
		}
		return int(f)
	}
	if s := str(log, "$schema", "log"); s != "https://json.schemastore.org/sarif-2.1.0.json" {
		t.Errorf("$schema %q", s)
	}
	if v := str(log, "version", "log"); v != "2.1.0" {
		t.Errorf("version %q", v)
	}
	runs, ok := log["runs"].([]any)
	if !ok || len(runs) != 1 {
		t.Fatalf("runs: %v", log["runs"])
	}
	run := obj(runs[0], "run")
	if ck := str(run, "columnKind", "run"); ck != "unicodeCodePoints" {
		t.Errorf("columnKind %q", ck)
	}
	driver := obj(obj(run["tool"], "tool")["driver"], "driver")
	if str(driver, "name", "driver") != "krls" {
		t.Errorf("driver name %v", driver["name"])
	}
	str(driver, "version", "driver")
	str(driver, "informationUri", "driver")
	rules, ok := driver["rules"].([]any)
	if !ok || len(rules) != len(diagnostics.CheckRules()) {
		t.Fatalf("driver.rules: %d entries, want %d", len(rules), len(diagnostics.CheckRules()))
	}
	var ids []string
	for i, r := range rules {
		rd := obj(r, "rule")
		id := str(rd, "id", "rule")
		ids = append(ids, id)
		rule := diagnostics.RuleByName(id)
		if rule == nil || diagnostics.CheckRules()[i] != rule {
			t.Errorf("rules[%d] is %q, not diagnostics.Rules[%d]", i, id, i)
			continue
		}
		short := str(obj(rd["shortDescription"], id+".shortDescription"), "text", id+".shortDescription")
		if !strings.HasPrefix(rule.Doc, short) || !strings.HasSuffix(short, ".") {
			t.Errorf("%s: shortDescription %q is not the first sentence of the doc", id, short)
		}
		if str(obj(rd["fullDescription"], id+".fullDescription"), "text", id+".fullDescription") != rule.Doc {
			t.Errorf("%s: fullDescription is not the doc", id)
		}
		level := str(obj(rd["defaultConfiguration"], id+".defaultConfiguration"), "level", id+".defaultConfiguration")
		if want := sarifLevel(rule.Severity); level != want {
			t.Errorf("%s: level %q, want %q", id, level, want)
		}
		if rule.Clippy != "" {
			want := "https://rust-lang.github.io/rust-clippy/master/index.html#" + strings.TrimPrefix(rule.Clippy, "clippy::")
			if rd["helpUri"] != want {
				t.Errorf("%s: helpUri %v, want %s", id, rd["helpUri"], want)
			}
		}
	}
	results, ok := run["results"].([]any)
	if !ok {
		t.Fatalf("results is not an array: %v", run["results"])
	}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	for i, r := range results {
		res := obj(r, "result")
		where := fmt.Sprintf("results[%d]", i)
		id := str(res, "ruleId", where)
		idx, ok := res["ruleIndex"].(float64)
		if !ok || int(idx) < 0 || int(idx) >= len(ids) || ids[int(idx)] != id {
			t.Errorf("%s: ruleIndex %v does not point at rule %q", where, res["ruleIndex"], id)
		}
		if !levels[str(res, "level", where)] {
			t.Errorf("%s: level %v", where, res["level"])
		}
		str(obj(res["message"], where+".message"), "text", where+".message")
		locs, ok := res["locations"].([]any)
		if !ok || len(locs) == 0 {
			t.Fatalf("%s: no locations", where)
		}
		pl := obj(obj(locs[0], where+".location")["physicalLocation"], where+".physicalLocation")
		art := obj(pl["artifactLocation"], where+".artifactLocation")
		uri := str(art, "uri", where+".artifactLocation")
		if strings.Contains(uri, `\`) {
			t.Errorf("%s: uri %q has backslashes", where, uri)
		}
		if base, ok := art["uriBaseId"]; ok != !strings.HasPrefix(uri, "file:") || ok && base != "%SRCROOT%" {
			t.Errorf("%s: uri %q with uriBaseId %v", where, uri, base)
		}
		region := func(v any, where string) {
			reg := obj(v, where)
			sl, sc := positive(reg, "startLine", where), positive(reg, "startColumn", where)
			el, ec := positive(reg, "endLine", where), positive(reg, "endColumn", where)
			if el < sl || el == sl && ec < sc {
				t.Errorf("%s: region ends before it starts: %v", where, reg)
			}
		}
		region(pl["region"], where+".region")
		if rel, ok := res["relatedLocations"]; ok {
			for j, l := range rel.([]any) {
				w := fmt.Sprintf("%s.relatedLocations[%d]", where, j)
				loc := obj(l, w)
				if id, ok := loc["id"].(float64); !ok || int(id) != j {
					t.Errorf("%s: id %v", w, loc["id"])
				}
				str(obj(loc["message"], w+".message"), "text", w+".message")
				rpl := obj(loc["physicalLocation"], w+".physicalLocation")
				str(obj(rpl["artifactLocation"], w+".artifactLocation"), "uri", w+".artifactLocation")
				region(rpl["region"], w+".region")
			}
		}
	}
}

func TestCheckExitCodes(t *testing.T) {
	checkInTemp(t, map[string]string{
		"warn.rs":  sample,
		"info.rs":  infoOnly,
		"clean.rs": clean,
	})
	for _, tc := range []struct {
		args []string
		code int
		out  string // substring of stdout; "" means stdout must be empty
	}{
		{[]string{"warn.rs"}, 1, "warn.rs:2:23: warning"},
		{[]string{"info.rs"}, 0, "info.rs:2:8: info: SAFETY comment is a placeholder"},
		{[]string{"clean.rs"}, 0, ""},
		{[]string{"--format", "json", "clean.rs"}, 0, "[]\n"},
		{[]string{"--rules", "safety-placeholder", "warn.rs"}, 0, "warn.rs:5:8: info"},
		{[]string{"--rules", "undocumented-unsafe , missing-safety-doc", "info.rs", "clean.rs"}, 0, ""},
		{[]string{"--jobs", "1", "--check-private-items", "."}, 1, "warn.rs:2:23"},
	} {
		out, errOut, code := krlsCheck(t, tc.args...)
		if code != tc.code || errOut != "" {
			t.Errorf("krls check %q: exit %d (want %d), stderr %q", tc.args, code, tc.code, errOut)
		}
		if tc.out == "" && out != "" || !strings.Contains(out, tc.out) {
			t.Errorf("krls check %q: stdout\n%s\nwant it to contain %q", tc.args, out, tc.out)
		}
	}
}

func TestCheckOrder(t *testing.T) {
	// Output is ordered by path, then position, then rule, whatever the
	// order of the arguments.
	checkInTemp(t, map[string]string{"b.rs": sample, "a/z.rs": sample, "a.rs": infoOnly})
	out, _, _ := krlsCheck(t, "b.rs", "a", "a.rs")
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.SplitN(l, ":", 3)
		got = append(got, f[0]+":"+f[1])
	}
	want := []string{"a.rs:2", "a/z.rs:2", "a/z.rs:5", "b.rs:2", "b.rs:5"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	checkInTemp(t, map[string]string{"a.rs": sample})
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--rules", "undocumented-unsafe,no-such-rule", "a.rs"}, `unknown rule "no-such-rule" (rules: undocumented-unsafe, undocumented-unsafe-outside-clippy, unnecessary-safety-comment, missing-safety-doc, unnecessary-safety-doc, safety-placeholder, module-syntax, module-unknown-key, module-missing-key, module-duplicate-key, module-key-order, module-non-ascii, module-value-kind, module-string-literal, module-unknown-license, module-non-gpl-license, module-name-mismatch, module-unknown-type)`},
		{[]string{"--rules", "", "a.rs"}, "--rules"},
		{[]string{"--frobnicate", "a.rs"}, "flag provided but not defined: -frobnicate"},
		{[]string{"a.rs", "--format"}, "flag needs an argument: -format"},
		{[]string{"--format", "xml", "a.rs"}, `unknown format "xml"`},
		{[]string{"--jobs", "-1", "a.rs"}, "--jobs"},
		{[]string{"--jobs", "many", "a.rs"}, "invalid value"},
		{[]string{"--diff", "--fix", "a.rs"}, "--diff needs a git revision"},
		{[]string{"a.rs", "missing.rs"}, "missing.rs: no such file or directory"},
		{[]string{"--", "-a.rs"}, "-a.rs: no such file or directory"},
	} {
		out, errOut, code := krlsCheck(t, tc.args...)
		if code != 2 || out != "" {
			t.Errorf("krls check %q: exit %d, stdout %q; want 2 and nothing", tc.args, code, out)
		}
		if !strings.HasPrefix(errOut, "krls: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.msg) {
			t.Errorf("krls check %q: stderr %q, want one line with %q", tc.args, errOut, tc.msg)
		}
	}
}

func TestCheckHelp(t *testing.T) {
	for _, args := range [][]string{{"check", "--help"}, {"check", "-h"}, {"help", "check"}} {
		var o, e bytes.Buffer
		code := run(args, strings.NewReader(""), &o, &e)
		if code != 0 || e.Len() != 0 {
			t.Errorf("krls %q: exit %d, stderr %q", args, code, e.String())
		}
		help := o.String()
		var wanted []string
		var fl checkFlags
		var rules string
		checkFlagSet(&fl, &rules).VisitAll(func(f *flag.Flag) { wanted = append(wanted, "--"+f.Name) })
		for _, r := range diagnostics.CheckRules() {
			wanted = append(wanted, r.Name)
		}
		wanted = append(wanted, "text", "json", "sarif", "github", "krls check --format github .",
			"krls check --format sarif . > krls.sarif || true", "github/codeql-action/upload-sarif", "Exit status")
		for _, w := range wanted {
			if !strings.Contains(help, w) {
				t.Errorf("krls %q: help does not mention %q", args, w)
			}
		}
	}
}

func TestCheckSkippedAndUnreadable(t *testing.T) {
	dir := checkInTemp(t, map[string]string{"src/good.rs": sample, "src/info.rs": infoOnly})
	big, err := os.Create(filepath.Join(dir, "src", "big.rs"))
	if err != nil {
		t.Fatal(err)
	}
	big.Truncate(symbols.MaxFileSize + 1)
	big.Close()

	// Too large: a notice, not an error.
	out, errOut, code := krlsCheck(t, "src/info.rs", "src/big.rs")
	if code != 0 || !strings.Contains(out, "src/info.rs:2:8") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if errOut != "krls: src/big.rs: skipped: over 16 MiB, too large to analyse\n" {
		t.Errorf("stderr %q", errOut)
	}

	// Unreadable: the other findings, then exit 2.
	if err := os.Symlink("nowhere.rs", filepath.Join(dir, "src", "bad.rs")); err != nil {
		t.Skip(err)
	}
	out, errOut, code = krlsCheck(t, "src")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(out, "src/good.rs:2:23: warning") || !strings.Contains(out, "src/info.rs:2:8: info") {
		t.Errorf("stdout lacks the findings of readable files:\n%s", out)
	}
	if !strings.Contains(errOut, "krls: open src/bad.rs: no such file or directory\n") {
		t.Errorf("stderr %q", errOut)
	}
}

// markerRE reads the expectations written in the fixtures (see
// diagnostics/analysistest_test.go).
var markerRE = regexp.MustCompile(`// ~(?:krls)?(\^*) ([a-z-]+(?: [a-z-]+)*)\s*$`)

// fixtureTree copies the rule fixtures into a new temporary folder, made
// the working directory, laid out so that krls check sees each with the
// configuration diagnostics' fixture tests give it: a crate root (as
// lib.rs) unless it says `krls-fixture: module`, with check-private-items
// (a .clippy.toml) unless it says `krls-fixture: public-only`. It returns
// the fixtures by the path krls check reports them under.
func fixtureTree(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../../diagnostics/testdata/safety/*.rs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	tree := map[string]string{}
	byPath := map[string]string{}
	for _, path := range files {
		if path, err = filepath.Abs(path); err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		stem := strings.TrimSuffix(filepath.Base(path), ".rs")
		name := stem + "/lib.rs"
		if strings.Contains(string(src), "krls-fixture: module") {
			name = stem + "/" + filepath.Base(path)
		}
		if !strings.Contains(string(src), "krls-fixture: public-only") {
			tree[stem+"/.clippy.toml"] = "check-private-items = true\n"
		}
		tree[name] = string(src)
		byPath[filepath.FromSlash(name)] = path
	}
	checkInTemp(t, tree)
	return byPath
}

func TestCheckFixtures(t *testing.T) {
	// The panics fixture calls the stand-in for core and alloc.
	lib, err := filepath.Abs("../../diagnostics/testdata/panics/library")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("RUST_SRC_PATH", lib)
	fixtures := fixtureTree(t)
	var want, conventions []string
	withConventions := map[string]bool{} // the fixtures that ask for them
	for name, path := range fixtures {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "krls-fixture: conventions") {
			withConventions[name] = true
		}
		for i, line := range strings.Split(string(src), "\n") {
			if m := markerRE.FindStringSubmatch(line); m != nil {
				for _, r := range strings.Fields(m[2]) {
					key := fmt.Sprintf("%s:%d:%s", name, i+1-len(m[1]), r)
					if isConventionRule(r) {
						conventions = append(conventions, key)
						continue
					}
					want = append(want, key)
				}
			}
		}
	}
	out, errOut, code := krlsCheck(t, "--format=json", ".")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var findings []jsonFinding
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, fmt.Sprintf("%s:%d:%s", f.File, f.Line, f.Rule))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings differ from the fixtures' markers\n got %d: %q\nwant %d: %q", len(got), got, len(want), want)
	}
	// The conventions' rules run when asked: --rules=+conventions adds
	// them to the rest.
	out, errOut, _ = krlsCheck(t, "--format=json", "--rules=+conventions", ".")
	if errOut != "" {
		t.Fatalf("+conventions: stderr %q", errOut)
	}
	findings = nil
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, f := range findings {
		if isConventionRule(f.Rule) && withConventions[f.File] {
			got = append(got, fmt.Sprintf("%s:%d:%s", f.File, f.Line, f.Rule))
		}
	}
	sort.Strings(got)
	sort.Strings(conventions)
	if strings.Join(got, "\n") != strings.Join(conventions, "\n") {
		t.Errorf("+conventions: findings differ from the markers\n got %q\nwant %q", got, conventions)
	}
}

func isConventionRule(name string) bool {
	r := diagnostics.RuleByName(name)
	return r != nil && r.IsConvention()
}

// TestCheckLongLine: columns of many findings on one long line, in time
// linear in the line (it was quadratic; the test asserts no timing, only
// that a run this size finishes, and the columns).
func TestCheckLongLine(t *testing.T) {
	const n = 20000
	var b strings.Builder
	b.WriteString("fn f() -> u32 { let x = ")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(" + ")
		}
		b.WriteString("unsafe { g(\"é🐧\") }")
	}
	b.WriteString("; x }\n")
	checkInTemp(t, map[string]string{"sum.rs": b.String()})
	out, errOut, code := krlsCheck(t, "--format", "json", "sum.rs")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var findings []jsonFinding
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatal(err)
	}
	if len(findings) != n {
		t.Fatalf("%d findings, want %d", len(findings), n)
	}
	const prefix, item = len("fn f() -> u32 { let x = "), len("unsafe { g(\"é🐧\") }") - 4 // 🐧 is 4 bytes, one column; é two bytes, one column
	for i, f := range findings {
		col := prefix + 1 + i*(item+len(" + "))
		if f.Line != 1 || f.Column != col || f.EndLine != 1 || f.EndColumn != col+item {
			t.Fatalf("finding %d at %d:%d-%d:%d, want 1:%d-1:%d", i, f.Line, f.Column, f.EndLine, f.EndColumn, col, col+item)
		}
	}
}

// TestCheckConventionsExitStatus: the justification-comment rules are
// hints, and pass unless asked for; asked for, they fail the check (a
// pre-commit hook requiring `// PANIC:` on new code).
func TestCheckConventionsExitStatus(t *testing.T) {
	checkInTemp(t, map[string]string{"a.rs": "fn f(x: Option<u32>) -> u32 {\n    x.unwrap()\n}\n"})
	if out, _, code := krlsCheck(t, "."); code != 0 || out != "" {
		t.Errorf("without --rules: exit %d, %q", code, out)
	}
	out, _, code := krlsCheck(t, "--rules=+conventions", ".")
	if code != 1 || !strings.Contains(out, "[undocumented-panic]") {
		t.Errorf("--rules=+conventions: exit %d, %q", code, out)
	}
}
