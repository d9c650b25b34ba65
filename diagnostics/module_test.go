package diagnostics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/krls-dev/krls/symbols"
)

// The module! rules on annotated fixtures (testdata/module, with `// ~
// rule` markers), under 6.12's schema or, when a fixture says
// `krls-fixture: schema vX`, under the schema of symbols' fixture trees
// written after older and newer kernels.

const moduleFixtures = "testdata/module"

var schemaDirective = regexp.MustCompile(`krls-fixture: schema (v[0-9.]+)`)

// moduleConfig is the configuration a module fixture is checked with.
func moduleConfig(t testing.TB, path string, src []byte) Config {
	t.Helper()
	facts := symbols.BuiltinModuleFacts()
	if m := schemaDirective.FindSubmatch(src); m != nil {
		facts = symbols.ReadModuleFacts(context.Background(), filepath.Join("..", "symbols", "testdata", "modschema", string(m[1])))
		if facts.Schema.Source == "" {
			t.Fatalf("schema %s: %v", m[1], facts.Problems)
		}
	}
	mc := &ModuleConfig{Facts: facts}
	mc.Object, mc.Makefile, _ = symbols.ObjectName(path)
	return Config{Module: mc}
}

func analyzeModuleFixture(t *testing.T, name string) (*symbols.File, []Finding) {
	t.Helper()
	path := filepath.Join(moduleFixtures, name)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return analyzeFile(t, path, moduleConfig(t, path, src))
}

func TestModuleFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(moduleFixtures, "*.rs"))
	if len(files) < 6 {
		t.Fatalf("%d module fixtures", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, fs := analyzeModuleFixture(t, filepath.Base(path))
			want, _ := expectations(f.Src)
			got := found(f, fs)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("findings differ\n got: %v\nwant: %v", got, want)
			}
			for _, x := range fs {
				t.Logf("  %d:%d %s: %s", f.Lines.Line(x.Start)+1, f.Lines.Column(x.Start)+1, x.Rule, x.Message)
				for _, fx := range x.Fixes {
					out, skipped := ApplyEdits(f.Src, fx.Edits)
					if skipped > 0 {
						t.Errorf("%s fix %q: %d edits overlap", x.Rule, fx.Title, skipped)
					}
					// A fix resolves its finding.
					g, err := symbols.Parse(context.Background(), f.Path, out)
					if err != nil {
						t.Fatal(err)
					}
					after := Analyze(context.Background(), g, moduleConfig(t, f.Path, f.Src))
					g.Close()
					line := f.Lines.Line(x.Start)
					for _, y := range after {
						if y.Rule == x.Rule && y.Message == x.Message && g.Lines.Line(y.Start) == line {
							t.Errorf("%s fix %q leaves the finding:\n%s", x.Rule, fx.Title, out)
						}
					}
				}
			}
			// Without Config.Module the rules do not run.
			_, plain := analyzeFile(t, path, Config{})
			for _, x := range plain {
				if RuleByName(x.Rule).NeedsModule {
					t.Errorf("%s ran without Config.Module", x.Rule)
				}
			}
		})
	}
}

// fixed applies the finding's first fix.
func fixed(t *testing.T, f *symbols.File, x Finding) string {
	t.Helper()
	if len(x.Fixes) == 0 {
		t.Fatalf("%s: no fix", x.Rule)
	}
	out, _ := ApplyEdits(f.Src, x.Fixes[0].Edits)
	return string(out)
}

func TestModuleMessagesAndFixes(t *testing.T) {
	f, fs := analyzeModuleFixture(t, "keys.rs")
	x := findingAt(t, f, fs, "module-unknown-key", "autor:")
	if want := `Unknown key "autor". Valid keys are: ["type", "name", "author", "description", "license", "alias", "firmware"]. Did you mean "author"?`; x.Message != want {
		t.Errorf("unknown: %q", x.Message)
	}
	if out := fixed(t, f, x); !strings.Contains(out, "    author: \"A. U. Thor\", // ~") {
		t.Errorf("did-you-mean fix:\n%s", out)
	}
	x = findingAt(t, f, fs, "module-duplicate-key", `name: "keys", // ~`)
	if x.Message != `Duplicated key "name". Keys can only be specified once.` || len(x.Related) != 1 {
		t.Errorf("duplicate: %q %v", x.Message, x.Related)
	}
	if out := fixed(t, f, x); strings.Count(out, "name: \"keys\"") != 4 {
		t.Errorf("duplicate fix:\n%s", out)
	}
	x = findingAt(t, f, fs, "module-key-order", `license: "GPL", // ~ module-key-order`)
	if x.Message != `Keys are not ordered as expected. Order them like: ["type", "name", "license"].` || !x.Fixes[0].Safe {
		t.Errorf("order: %q", x.Message)
	}
	if out := fixed(t, f, x); !strings.Contains(out, "    type: Keys,\n    name: \"keys\", // ~ module-key-order\n    license: \"GPL\",\n}") {
		t.Errorf("reorder fix:\n%s", out)
	}
	var missing []Finding
	for _, y := range fs {
		if y.Rule == "module-missing-key" {
			missing = append(missing, y)
		}
	}
	if len(missing) != 2 || missing[0].Message != `Missing required key "name".` || missing[1].Message != `Missing required key "license".` {
		t.Fatalf("missing: %v", missing)
	}
	if out := fixed(t, f, missing[0]); !strings.Contains(out, "    type: Keys,\n    name: \"keys\",\n    author: \"A. U. Thor\",\n}") {
		t.Errorf("insert name (the object's):\n%s", out)
	}
	if out := fixed(t, f, missing[1]); !strings.Contains(out, "    author: \"A. U. Thor\",\n    license: \"GPL\",\n}") {
		t.Errorf("insert license:\n%s", out)
	}

	f, fs = analyzeModuleFixture(t, "values.rs")
	x = findingAt(t, f, fs, "module-non-ascii", `"valuës"`)
	if x.Message != "Expected ASCII string: module! reads `name` with expect_string_ascii, which takes ASCII only" || string(f.Src[x.Start:x.End]) != `"valuës"` {
		t.Errorf("ascii: %q", x.Message)
	}
	x = findingAt(t, f, fs, "module-name-mismatch", `"valuës"`)
	if !strings.Contains(x.Message, "Makefile builds it as values.ko") || !strings.Contains(fixed(t, f, x), `name: "values", // ~ module-non-ascii`) {
		t.Errorf("name: %q", x.Message)
	}
	x = findingAt(t, f, fs, "module-unknown-license", `"MIT"`)
	if !strings.HasPrefix(x.Message, `the kernel does not know the licence "MIT"`) || !strings.Contains(x.Message, `"Dual MIT/GPL"`) {
		t.Errorf("licence: %q", x.Message)
	}
	x = findingAt(t, f, fs, "module-unknown-license", `"gpl"`)
	if len(x.Fixes) == 0 || x.Fixes[0].Title != `Replace with "GPL"` {
		t.Errorf("licence fixes %v", x.Fixes)
	}
	x = findingAt(t, f, fs, "module-unknown-type", "Valuse")
	if x.Message != "no type named `Valuse` is declared or imported in this file" || !strings.Contains(fixed(t, f, x), "type: Values, // ~") {
		t.Errorf("type: %q", x.Message)
	}
	x = findingAt(t, f, fs, "module-value-kind", `b"values"`)
	if x.Message != "module! expects an ASCII string literal for `name` (expect_string_ascii), not a byte string literal" || !strings.Contains(fixed(t, f, x), `name: "values", // ~ module-value-kind`) {
		t.Errorf("kind: %q", x.Message)
	}
	x = findingAt(t, f, fs, "module-value-kind", `"single"`)
	if !strings.Contains(fixed(t, f, x), `alias: ["single"],`) {
		t.Errorf("array fix %v", x.Fixes)
	}

	f, fs = analyzeModuleFixture(t, "old.rs")
	x = findingAt(t, f, fs, "module-value-kind", `"A. U. Thor"`)
	if !strings.Contains(x.Message, "expects a byte string literal for `author` (expect_byte_string)") || !strings.Contains(fixed(t, f, x), `author: b"A. U. Thor"`) {
		t.Errorf("6.1 byte strings: %q", x.Message)
	}
	x = findingAt(t, f, fs, "module-unknown-key", "firmware: [")
	if x.Message != `Unknown key "firmware". Valid keys are: ["type", "name", "author", "description", "license", "alias"].` {
		t.Errorf("6.1 unknown: %q", x.Message)
	}

	f, fs = analyzeModuleFixture(t, "new.rs")
	x = findingAt(t, f, fs, "module-unknown-key", "author:")
	if !strings.HasSuffix(x.Message, `Did you mean "authors"?`) {
		t.Errorf("new unknown: %q", x.Message)
	}

	f, fs = analyzeModuleFixture(t, "driver.rs")
	x = findingAt(t, f, fs, "module-missing-key", "kernel::module_phy_driver! { // ~ module-missing-key")
	if x.Message != `Missing required key "device_table".` || !strings.Contains(fixed(t, f, x), "    drivers: [PhyA],\n    device_table: [],\n    name:") {
		t.Errorf("driver missing: %q\n%s", x.Message, fixed(t, f, x))
	}
	x = findingAt(t, f, fs, "module-key-order", "device_table: [DeviceId::new_with_driver::<PhyA>()], // ~ module-key-order")
	if !strings.Contains(x.Message, `["drivers", "device_table", "name", "license"]`) {
		t.Errorf("driver order: %q", x.Message)
	}
}
