package workspace

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// The word typed at item level is a Rust identifier, non-ASCII letters
// included: `émodu` is not the start of `module`, and a completion never
// starts inside a UTF-8 sequence.
func TestModuleCompletionNonASCIIWord(t *testing.T) {
	for _, tc := range []struct {
		text, typed string
		snippet     bool
	}{
		{"modu", "modu", true},
		{"émodu", "émodu", false},
		{"modé", "modé", false},
		{"module! {\n    type: M,\n    nä\n}\n", "nä", false},
	} {
		end := strings.Index(tc.text, tc.typed) + len(tc.typed)
		d := &Document{Key: "m.rs", LanguageID: "rust", Text: []byte(tc.text)}
		items, _, err := moduleComplete(context.Background(), builtinFacts(), nil, d, end, "")
		if err != nil {
			t.Fatalf("%q: %v", tc.typed, err)
		}
		snippet := false
		for _, it := range items {
			snippet = snippet || it.Kind == CompletionSnippet
			if got := tc.text[it.Start:it.End]; got != tc.typed {
				t.Errorf("%q: item %s replaces %q", tc.typed, it.Label, got)
			}
		}
		if snippet != tc.snippet {
			t.Errorf("%q: module! snippet offered = %v, want %v", tc.typed, snippet, tc.snippet)
		}
	}
}

// ModuleConfig takes the facts of the srctree the caller located, even
// for a path below no tree; with no srctree it locates one from the path.
func TestModuleConfigSrctree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			src := k.Src
			var c ModuleFactsCache
			ctx := context.Background()
			outside := filepath.Join(t.TempDir(), "m.rs")
			if got := c.ModuleConfig(ctx, outside, src, KernelSettings{}).Facts.Srctree; got != src {
				t.Errorf("given the srctree: facts of %q, want %q", got, src)
			}
			if got := c.ModuleConfig(ctx, outside, "", KernelSettings{}).Facts.Srctree; got != "" {
				t.Errorf("no srctree, path below none: facts of %q, want the built-in ones", got)
			}
			in := filepath.Join(src, "samples", "rust", "rust_minimal.rs")
			if got := c.ModuleConfig(ctx, in, "", KernelSettings{}).Facts.Srctree; got != src {
				t.Errorf("no srctree, path in the tree: facts of %q, want %q", got, src)
			}
			if c.For(ctx, src) != c.ForPath(ctx, in, KernelSettings{}) {
				t.Error("For and ForPath of the same tree: two reads")
			}
		})
	}
}

// minimalWith is samples/rust/rust_minimal.rs of a tree with its module!
// block replaced by block, as a document, and the offset of the first
// `|` in block (removed).
func minimalWith(t *testing.T, src, block string) (*Document, int) {
	t.Helper()
	path := filepath.Join(src, "samples", "rust", "rust_minimal.rs")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(orig), "module! {")
	j := strings.Index(string(orig[i:]), "\n}\n") + i + 3
	at := strings.Index(block, "|")
	block = strings.Replace(block, "|", "", 1)
	text := string(orig[:i]) + block + string(orig[j:])
	return &Document{Key: "file://" + path, Path: path, LanguageID: "rust", Text: []byte(text)}, i + at
}

func completionLabels(items []CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

// Completion and hover inside module! follow each kernel's schema: 6.1's
// byte strings, 6.12's author and firmware, 7.2's authors, imports_ns and
// params, with a snippet for a parameter and its block.
func TestModuleCompletionVersions(t *testing.T) {
	ctx := context.Background()
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			var c ModuleFactsCache
			facts := c.For(ctx, k.Src)
			complete := func(d *Document, off int) []CompletionItem {
				t.Helper()
				items, ok, err := moduleComplete(ctx, facts, c.MacroScope(d, facts), d, off, "rust_minimal")
				if err != nil || !ok {
					t.Fatalf("completion: %v %v", ok, err)
				}
				return items
			}
			d, off := minimalWith(t, k.Src, "module! {\n    type: RustMinimal,\n    |\n}\n")
			got := completionLabels(complete(d, off))
			if want := facts.Schema.Names()[1:]; !slices.Equal(got, want) {
				t.Errorf("keys %v, want the tree's %v", got, want)
			}
			_, hasParams := facts.Schema.Key("params")
			switch k.Version {
			case "7.2":
				for _, key := range []string{"authors", "imports_ns", "params"} {
					if !slices.Contains(got, key) {
						t.Errorf("7.2 offers %s: %v", key, got)
					}
				}
				if slices.Contains(got, "author") || !hasParams {
					t.Errorf("7.2: %v", got)
				}
			default:
				if !slices.Contains(got, "author") || slices.Contains(got, "authors") || hasParams {
					t.Errorf("Linux %s: %v", k.Version, got)
				}
			}
			if !hasParams {
				return
			}
			ps := facts.Schema.Keys[facts.Schema.Index("params")].Params
			// The params key brings one parameter to fill in.
			for _, it := range complete(d, off) {
				if it.Label == "params" && it.Insert != "params: {\n\t${1:name}: ${2:i32} {\n\t\tdefault: ${3:0},\n\t\tdescription: \"$4\",\n\t},\n}," {
					t.Errorf("params snippet %q", it.Insert)
				}
			}
			// Where a parameter begins, a whole one.
			d, off = minimalWith(t, k.Src, "module! {\n    type: RustMinimal,\n    name: \"rust_minimal\",\n    license: \"GPL\",\n    params: {\n        |\n    },\n}\n")
			items := complete(d, off)
			if len(items) != 1 || items[0].Kind != CompletionSnippet || items[0].Insert != "${1:name}: ${2:i32} {\n\tdefault: ${3:0},\n\tdescription: \"$4\",\n}," {
				t.Errorf("parameter snippet %+v", items)
			}
			// A name being typed is kept.
			d, off = minimalWith(t, k.Src, "module! {\n    type: RustMinimal,\n    params: {\n        debug|\n    },\n}\n")
			if items := complete(d, off); len(items) != 1 || !strings.HasPrefix(items[0].Insert, "debug: ${1:i32} {") || d.Text[items[0].Start] != 'd' {
				t.Errorf("named parameter %+v", items)
			}
			// After the name: the tree's types.
			d, off = minimalWith(t, k.Src, "module! {\n    type: RustMinimal,\n    params: {\n        p: |\n    },\n}\n")
			if got := completionLabels(complete(d, off)); !slices.Equal(got, ps.Types) {
				t.Errorf("types %v, want %v", got, ps.Types)
			}
			// In a parameter's block: its keys, in order.
			d, off = minimalWith(t, k.Src, "module! {\n    type: RustMinimal,\n    params: {\n        p: i32 {\n            |\n        },\n    },\n}\n")
			if got := completionLabels(complete(d, off)); !slices.Equal(got, ps.Fields.Names()) {
				t.Errorf("block keys %v, want %v", got, ps.Fields.Names())
			}
			d, off = minimalWith(t, k.Src, "module! {\n    type: RustMinimal,\n    params: {\n        p: i32 {\n            default: 1,\n            |\n        },\n    },\n}\n")
			if got := completionLabels(complete(d, off)); !slices.Equal(got, []string{"description"}) {
				t.Errorf("block keys after default: %v", got)
			}
		})
	}
}

// Hover on the keys of each kernel's module!, params included.
func TestModuleHoverVersions(t *testing.T) {
	ctx := context.Background()
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			var c ModuleFactsCache
			facts := c.For(ctx, k.Src)
			path := filepath.Join(k.Src, "samples", "rust", "rust_minimal.rs")
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d := &Document{Key: "file://" + path, Path: path, LanguageID: "rust", Text: text}
			hover := func(needle string) string {
				i := strings.Index(string(text), needle)
				if i < 0 {
					return ""
				}
				h := moduleHover(facts, c.MacroScope(d, facts), d, i)
				if h == nil {
					return ""
				}
				return h.Markdown
			}
			author := "author:"
			if _, ok := facts.Schema.Key("authors"); ok {
				author = "authors:"
			}
			k0, _ := facts.Schema.Key(strings.TrimSuffix(author, ":"))
			if h := hover(author); k0.Doc == "" || !strings.Contains(h, k0.Doc) || !strings.Contains(h, "rust/macros/module.rs and lib.rs of "+k.Src) {
				t.Errorf("hover on %s:\n%s", author, h)
			}
			pk, ok := facts.Schema.Key("params")
			if !ok {
				if h := hover("params"); h != "" {
					t.Errorf("no params in Linux %s: %s", k.Version, h)
				}
				return
			}
			if h := hover("params:"); !strings.Contains(h, "The `params` field describe module parameters") || !strings.Contains(h, "`"+pk.Params.Types[0]+"`") {
				t.Errorf("hover on params:\n%s", h)
			}
			if h := hover("default:"); !strings.Contains(h, "**default** — a module parameter of module!:") || !strings.Contains(h, "required") {
				t.Errorf("hover on default:\n%s", h)
			}
			if h := hover("i64 {"); !strings.Contains(h, "the type of module parameter `test_parameter`") || strings.Contains(h, "not one module! takes") {
				t.Errorf("hover on the type:\n%s", h)
			}
		})
	}
}

// A module! the file defines itself (7.2's zerocopy) gets no completion
// and no hover.
func TestModuleOwnMacro(t *testing.T) {
	ctx := context.Background()
	for _, k := range kerneltest.Kernels(t) {
		path := filepath.Join(k.Src, "rust", "zerocopy", "src", "byteorder.rs")
		text, err := os.ReadFile(path)
		if err != nil {
			continue // before 7.x
		}
		var c ModuleFactsCache
		facts := c.For(ctx, k.Src)
		d := &Document{Key: "file://" + path, Path: path, LanguageID: "rust", Text: text}
		sc := c.MacroScope(d, facts)
		i := strings.Index(string(text), "\nmodule!(") + 1
		if i == 0 {
			t.Fatalf("Linux %s: no module!( at a line start in %s", k.Version, path)
		}
		if items, ok, _ := moduleComplete(ctx, facts, sc, d, i+len("module!(b"), ""); ok || len(items) > 0 {
			t.Errorf("Linux %s: completion in zerocopy's module!: %v", k.Version, completionLabels(items))
		}
		if h := moduleHover(facts, sc, d, i+1); h != nil {
			t.Errorf("Linux %s: hover on zerocopy's module!: %s", k.Version, h.Markdown)
		}
		if len(kernelCalls(facts, sc, text)) != 0 {
			t.Errorf("Linux %s: zerocopy's module! taken for the kernel's", k.Version)
		}
		return
	}
	t.Skip("no kernel with rust/zerocopy")
}
