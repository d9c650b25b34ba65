package lsp

import (
	"testing"

	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/workspace"
)

func rng(l1, c1, l2, c2 uint32) *protocol.Range {
	return &protocol.Range{Start: pos(l1, c1), End: pos(l2, c2)}
}

func TestChangeEdits(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		changes []contentChange
		want    string
	}{
		{"insert after emoji", "// 🐧\nfn f() {}\n", []contentChange{{Range: rng(0, 5, 0, 5), Text: " é"}}, "// 🐧 é\nfn f() {}\n"},
		{"several edits apply in order", "fn f() {}\n", []contentChange{
			{Range: rng(0, 0, 0, 0), Text: "// 🐧\n"},     // the text moves down a line
			{Range: rng(1, 0, 1, 0), Text: "unsafe "},    // line 1 is now `fn f() {}`
			{Range: rng(0, 3, 0, 5), Text: "penguin"},    // replaces the surrogate pair
			{Range: rng(1, 15, 1, 15), Text: " g() "},    // inside the braces
			{Range: rng(2, 0, 2, 0), Text: "// end\r\n"}, // the empty last line
		}, "// penguin\nunsafe fn f() { g() }\n// end\r\n"},
		{"full text", "abc", []contentChange{{Text: "new"}}, "new"},
		{"full text then edit", "abc", []contentChange{{Text: "new"}, {Range: rng(0, 3, 0, 3), Text: "er"}}, "newer"},
		{"empty range at start is an edit", "abc", []contentChange{{Range: rng(0, 0, 0, 0), Text: ">"}}, ">abc"},
		{"past the end clamps", "ab\ncd", []contentChange{{Range: rng(7, 7, 9, 9), Text: "!"}}, "ab\ncd!"},
		{"past the line end clamps", "ab\r\ncd", []contentChange{{Range: rng(0, 9, 0, 9), Text: "!"}}, "ab!\r\ncd"},
		{"delete a CRLF line", "a\r\nb\r\nc", []contentChange{{Range: rng(1, 0, 2, 0)}}, "a\r\nc"},
		{"reversed range", "abcd", []contentChange{{Range: rng(0, 3, 0, 1), Text: "-"}}, "a-d"},
		{"invalid bytes count one unit", "\xff\xfex", []contentChange{{Range: rng(0, 2, 0, 2), Text: "é"}}, "\xff\xfeéx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := workspace.NewSession()
			s.Open("untitled:a.rs", "", "rust", 1, []byte(tt.text))
			d, err := s.Change("untitled:a.rs", 2, changeEdits(tt.changes))
			if err != nil {
				t.Fatal(err)
			}
			if string(d.Text) != tt.want {
				t.Errorf("text = %q, want %q", d.Text, tt.want)
			}
		})
	}
}

func TestURIToPath(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"file:///home/u/linux/rust/kernel/lib.rs", "/home/u/linux/rust/kernel/lib.rs"},
		{"file:///home/u/caf%C3%A9/a%20b.rs", "/home/u/café/a b.rs"},
		{"file://localhost/x/a.rs", "/x/a.rs"},
		{"FILE:///x/a.rs", "/x/a.rs"},
		{"file://server/share/a.rs", ""},
		{"untitled:Untitled-1", ""},
		{"%%%", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := uriToPath(tt.uri); got != tt.want {
			t.Errorf("uriToPath(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}
