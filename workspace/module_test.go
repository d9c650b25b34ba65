package workspace

import (
	"context"
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
