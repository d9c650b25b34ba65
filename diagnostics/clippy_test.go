package diagnostics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestClippyAgrees replays every fixture through clippy-driver itself, with
// the kernel's lint flags and check-private-items, and checks that clippy
// reports exactly the findings the fixture's markers expect. This is what
// keeps the rules honest: the markers are not krls's opinion of clippy but
// clippy's own output. Markers written `// ~krls rule` are findings krls
// makes on purpose where clippy is silent (code clippy never sees, such as
// #[cfg(test)] items or macros that are not expanded).
//
// clippy-driver comes with rustup's clippy component; without it the test
// is skipped (set KRLS_REQUIRE_CLIPPY=1 to make that a failure).
func TestClippyAgrees(t *testing.T) {
	driver, err := exec.LookPath("clippy-driver")
	if err != nil {
		if os.Getenv("KRLS_REQUIRE_CLIPPY") != "" {
			t.Fatal("clippy-driver not found")
		}
		t.Skip("clippy-driver not found; the fixtures are not checked against clippy")
	}
	conf, publicConf := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(conf, "clippy.toml"), []byte("check-private-items = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range fixtures(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(src, []byte("krls-fixture: no-clippy")) {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			dir := conf
			if !fixtureConfig(path).CheckPrivateItems {
				dir = publicConf
			}
			got := runClippy(t, driver, dir, path)
			all, krlsOnly := expectations(src)
			var want []lineRule
			for _, e := range all {
				if RuleByName(e.rule).Clippy != "" {
					want = append(want, e)
				}
			}
			for _, e := range krlsOnly {
				want = removeLineRule(want, e)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("clippy disagrees with the fixture\nclippy: %v\n  want: %v", got, want)
			}
		})
	}
}

func removeLineRule(ls []lineRule, x lineRule) []lineRule {
	for i, l := range ls {
		if l == x {
			return append(ls[:i], ls[i+1:]...)
		}
	}
	return ls
}

func runClippy(t *testing.T, driver, conf, path string) []lineRule {
	t.Helper()
	args := []string{
		"--edition", "2021", "--crate-type", "lib", "--cap-lints", "warn", "--error-format", "json",
		"-W", "clippy::undocumented_unsafe_blocks", "-W", "clippy::unnecessary_safety_comment",
		"-W", "clippy::unnecessary_safety_doc", "-W", "clippy::missing_safety_doc",
		"-o", filepath.Join(t.TempDir(), "out.rlib"), path,
	}
	cmd := exec.Command(driver, args...)
	cmd.Env = append(os.Environ(), "CLIPPY_CONF_DIR="+conf)
	out, _ := cmd.CombinedOutput()
	byLint := map[string]string{}
	for _, r := range Rules {
		if r.Clippy != "" {
			byLint[r.Clippy] = r.Name
		}
	}
	type span struct {
		LineStart int  `json:"line_start"`
		Primary   bool `json:"is_primary"`
	}
	type diag struct {
		Level    string `json:"level"`
		Rendered string `json:"rendered"`
		Code     *struct {
			Code string `json:"code"`
		} `json:"code"`
		Spans    []span `json:"spans"`
		Children []struct {
			Spans []span `json:"spans"`
		} `json:"children"`
	}
	seen := map[lineRule]bool{}
	var got []lineRule
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var d diag
		if json.Unmarshal(sc.Bytes(), &d) != nil {
			continue
		}
		if d.Level == "error" && (d.Code == nil || !strings.HasPrefix(d.Code.Code, "clippy::")) && !strings.HasPrefix(d.Rendered, "error: aborting") {
			t.Fatalf("fixture does not compile:\n%s", d.Rendered)
		}
		if d.Code == nil || byLint[d.Code.Code] == "" {
			continue
		}
		rule := byLint[d.Code.Code]
		line := 0
		for _, s := range d.Spans {
			if s.Primary {
				line = s.LineStart
			}
		}
		if rule == UnnecessarySafetyComment.Name {
			// krls reports on the comment, clippy on the code; clippy's
			// help points at the comment.
			for _, c := range d.Children {
				for _, s := range c.Spans {
					line = s.LineStart
				}
			}
		}
		lr := lineRule{line, rule}
		if !seen[lr] { // macro bodies are reported once per expansion
			seen[lr] = true
			got = append(got, lr)
		}
	}
	sortLineRules(got)
	return got
}
