package diagnostics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/panics"
)

// Fixture files under testdata/safety are Rust sources whose expected
// findings are written inline, in the spirit of go/analysis's `// want`:
// a comment `// ~ rule-a rule-b` at the end of a line says that findings of
// those rules start on that line, and no other findings may appear.
// `// ~^ rule` points one line up (`~^^` two), for findings on a comment
// whose text the marker would change. `// ~krls rule` marks a finding that
// clippy does not make, on purpose (see TestClippyAgrees).

var markerRE = regexp.MustCompile(`// ~(krls)?(\^*) ([a-z-]+(?: [a-z-]+)*)\s*$`)

type lineRule struct {
	line int // 1-based
	rule string
}

func (l lineRule) String() string { return fmt.Sprintf("%d:%s", l.line, l.rule) }

// expectations reads the markers of a fixture: all of them, and those
// marked krls-only.
func expectations(src []byte) (all, krlsOnly []lineRule) {
	for i, line := range strings.Split(string(src), "\n") {
		if m := markerRE.FindStringSubmatch(line); m != nil {
			for _, r := range strings.Fields(m[3]) {
				lr := lineRule{i + 1 - len(m[2]), r}
				all = append(all, lr)
				if m[1] != "" {
					krlsOnly = append(krlsOnly, lr)
				}
			}
		}
	}
	sortLineRules(all)
	return all, krlsOnly
}

func sortLineRules(ls []lineRule) {
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].line != ls[j].line {
			return ls[i].line < ls[j].line
		}
		return ls[i].rule < ls[j].rule
	})
}

func analyzeFile(t testing.TB, path string, cfg Config) (*symbols.File, []Finding) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := symbols.Parse(context.Background(), path, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f, Analyze(context.Background(), f, cfg)
}

func found(f *symbols.File, fs []Finding) []lineRule {
	var out []lineRule
	for _, x := range fs {
		out = append(out, lineRule{f.Lines.Line(x.Start) + 1, x.Rule})
	}
	sortLineRules(out)
	return out
}

func fixtures(t testing.TB) []string {
	files, err := filepath.Glob("testdata/safety/*.rs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return files
}

func TestFixtures(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, fs := analyzeFile(t, path, fixtureConfig(path))
			want, _ := expectations(f.Src)
			got := found(f, fs)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("findings differ\n got: %v\nwant: %v", got, want)
				for _, x := range fs {
					t.Logf("  %d:%d %s: %s", f.Lines.Line(x.Start)+1, f.Lines.Column(x.Start)+1, x.Rule, x.Message)
				}
			}
		})
	}
}

// fixtureConfig: fixtures are crate roots (clippy compiles each as one),
// unless their text says `krls-fixture: module`, and check private items
// (as the kernel's .clippy.toml does), unless it says `krls-fixture:
// public-only`.
func fixtureConfig(path string) Config {
	src, _ := os.ReadFile(path)
	root := !strings.Contains(string(src), "krls-fixture: module")
	private := !strings.Contains(string(src), "krls-fixture: public-only")
	// The justification-comment rules beyond SAFETY run in the fixtures
	// that ask for them (the others keep their findings as they were).
	conventions := strings.Contains(string(src), "krls-fixture: conventions")
	cfg := Config{CheckPrivateItems: private, CrateRoot: &root, Conventions: conventions}
	if conventions {
		// core and alloc as testdata/panics/library writes them.
		cfg.Panics = &PanicConfig{Library: fixtureLibrary}
	}
	return cfg
}

// fixtureLibrary is the hand-written stand-in for core and alloc.
var fixtureLibrary = sync.OnceValue(func() *panics.Library {
	lib, err := panics.ReadLibrary("testdata/panics/library")
	if err != nil {
		panic(err)
	}
	return lib
})
