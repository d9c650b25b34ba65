package lsp

import (
	"math/rand/v2"
	"strings"
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
		{"many cursors, last first", "a🐧b\ncd\n", []contentChange{
			{Range: rng(1, 1, 1, 2), Text: "D"},
			{Range: rng(1, 0, 1, 0), Text: ">"},
			{Range: rng(0, 3, 0, 4), Text: "B\n"},
			{Range: rng(0, 0, 0, 1), Text: ""},
		}, "🐧B\n\n>cD\n"},
		{"a change after a CR joins a CRLF", "a\rb", []contentChange{
			{Range: rng(1, 0, 1, 1), Text: "\nc"}, // "a\r\nc": line 1 is "c"
			{Range: rng(1, 0, 1, 0), Text: "!"},
		}, "a\r\n!c"},
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

// TestChangeEditsBatch: many changes in one event, applied at once when
// they come last first, give what applying them one by one gives.
func TestChangeEditsBatch(t *testing.T) {
	texts := []string{
		"fn f() {\n    unsafe { g() };\n}\n",
		"// 🐧 é\r\nfn f() {}\r\n\rx\xff\xfe\n",
		"a\rb\r\nc\n\n🐧🐧",
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 3000; round++ {
		text := texts[round%len(texts)]
		m := NewMapper([]byte(text))
		// Random positions, some past line ends or inside characters,
		// mostly from the last to the first.
		var changes []contentChange
		line, char := uint32(m.LineCount()), uint32(8)
		for k := rnd.IntN(6); k >= 0; k-- {
			if rnd.IntN(8) > 0 {
				line, char = uint32(rnd.IntN(int(line)+1)), uint32(rnd.IntN(int(char)+2))
			} else {
				line, char = uint32(rnd.IntN(m.LineCount()+1)), uint32(rnd.IntN(9))
			}
			end := protocol.Position{Line: line, Character: char}
			if rnd.IntN(2) == 0 {
				end.Character += uint32(rnd.IntN(3))
			}
			insert := []string{"", "x", "\n", "🐧", "\r", "é\r\n"}[rnd.IntN(6)]
			changes = append(changes, contentChange{Range: &protocol.Range{Start: pos(line, char), End: end}, Text: insert})
		}
		want := []byte(text)
		for _, f := range sequentialEdits(changes) {
			want = workspace.ApplyEdit(want, f(want))
		}
		got := []byte(text)
		for _, f := range changeEdits(changes) {
			got = workspace.ApplyEdit(got, f(got))
		}
		if string(got) != string(want) {
			t.Fatalf("%q with %+v:\n got %q\nwant %q", text, changes, got, want)
		}
	}
}

// TestChangeEditsManyCursors: an edit with a cursor on each of 100,000
// lines of a 2 MB document applies in one pass (it would take a pass
// per cursor otherwise; nothing here is timed, the test would just run
// for hours).
func TestChangeEditsManyCursors(t *testing.T) {
	const n = 100000
	text := []byte(strings.Repeat("    unsafe { g() };\n", n))
	changes := make([]contentChange, 0, n)
	for l := n - 1; l >= 0; l-- {
		changes = append(changes, contentChange{Range: rng(uint32(l), 4, uint32(l), 4), Text: "/* x */ "})
	}
	edits := changeEdits(changes)
	if len(edits) != 1 {
		t.Fatalf("%d edits", len(edits))
	}
	e, ok := batchEdit(text, changes)
	if !ok {
		t.Fatal("not applied as one edit")
	}
	got := workspace.ApplyEdit(text, e)
	if want := strings.Repeat("    /* x */ unsafe { g() };\n", n); string(got) != want {
		t.Error("wrong text")
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
