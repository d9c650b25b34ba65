package workspace

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
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
		items, _, err := moduleComplete(context.Background(), builtinFacts(), d, end, "")
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
	src := kernelSrc(t)
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
}
