package workspace

import (
	"errors"
	"testing"

	"github.com/krls-dev/krls/diagnostics"
)

func edit(start, end int, text string) EditFunc {
	return func([]byte) diagnostics.Edit { return diagnostics.Edit{Start: start, End: end, NewText: text} }
}

func TestApplyEdit(t *testing.T) {
	tests := []struct {
		text string
		e    diagnostics.Edit
		want string
	}{
		{"hello", diagnostics.Edit{Start: 0, End: 0, NewText: ">"}, ">hello"},
		{"hello", diagnostics.Edit{Start: 5, End: 5, NewText: "!"}, "hello!"},
		{"hello", diagnostics.Edit{Start: 1, End: 4, NewText: "ipp"}, "hippo"},
		{"hello", diagnostics.Edit{Start: 1, End: 4}, "ho"},
		{"hello", diagnostics.Edit{Start: 4, End: 1, NewText: "-"}, "h-o"},
		{"hello", diagnostics.Edit{Start: -3, End: 99, NewText: "x"}, "x"},
		{"", diagnostics.Edit{Start: 3, End: 7, NewText: "é"}, "é"},
	}
	for _, tt := range tests {
		orig := []byte(tt.text)
		got := ApplyEdit(orig, tt.e)
		if string(got) != tt.want {
			t.Errorf("ApplyEdit(%q, %+v) = %q, want %q", tt.text, tt.e, got, tt.want)
		}
		if string(orig) != tt.text {
			t.Errorf("ApplyEdit modified its input: %q", orig)
		}
	}
}

func TestDocumentsChangeInOrder(t *testing.T) {
	var ds Documents
	v1 := ds.Open("file:///a.rs", "/a.rs", "rust", 1, []byte("fn f() {}\n"))
	// Each edit applies to the text the previous one produced.
	var seen []string
	record := func(f EditFunc) EditFunc {
		return func(text []byte) diagnostics.Edit {
			seen = append(seen, string(text))
			return f(text)
		}
	}
	v2, err := ds.Change("file:///a.rs", 2, []EditFunc{
		record(edit(0, 0, "// 🐧\n")),                          // insert a line at the top
		record(edit(len("// 🐧\n"), len("// 🐧\n"), "unsafe ")), // before `fn`, now on line 2
		record(edit(len("// 🐧\nunsafe fn f() {"), len("// 🐧\nunsafe fn f() {"), " g() ")),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "// 🐧\nunsafe fn f() { g() }\n"
	if string(v2.Text) != want {
		t.Errorf("text = %q, want %q", v2.Text, want)
	}
	if len(seen) != 3 || seen[1] != "// 🐧\nfn f() {}\n" {
		t.Errorf("edits saw %q", seen)
	}
	if v2.Version != 2 || v2.Path != "/a.rs" || v2.LanguageID != "rust" {
		t.Errorf("v2 = %+v", v2)
	}
	if string(v1.Text) != "fn f() {}\n" || v1.Version != 1 {
		t.Errorf("the old snapshot changed: %+v", v1)
	}
	if ds.Get("file:///a.rs") != v2 {
		t.Error("Get does not return the new snapshot")
	}
	v3, err := ds.Change("file:///a.rs", 3, []EditFunc{FullText("x"), edit(1, 1, "y")})
	if err != nil || string(v3.Text) != "xy" {
		t.Errorf("full text then edit: %q, %v", v3.Text, err)
	}
	if _, err := ds.Change("file:///b.rs", 1, nil); !errors.Is(err, ErrNotOpen) {
		t.Errorf("change of a closed document: %v", err)
	}
	if !ds.Close("file:///a.rs") || ds.Close("file:///a.rs") || ds.Get("file:///a.rs") != nil {
		t.Error("Close")
	}
}

func TestDocumentsAll(t *testing.T) {
	var ds Documents
	ds.Open("b", "", "rust", 1, nil)
	ds.Open("a", "", "rust", 1, nil)
	all := ds.All()
	if len(all) != 2 || all[0].Key != "a" || all[1].Key != "b" {
		t.Errorf("All = %v", all)
	}
}

func TestIsRust(t *testing.T) {
	tests := []struct {
		lang, path, key string
		want            bool
	}{
		{"rust", "", "untitled:Untitled-1", true},
		{"", "/x/lib.rs", "file:///x/lib.rs", true},
		{"plaintext", "/x/lib.rs", "file:///x/lib.rs", true},
		{"c", "/x/a.c", "file:///x/a.c", false},
		{"", "", "untitled:a.rs", true},
		{"", "", "git:/x/a.rs?ref=HEAD", true},
		{"toml", "/x/.clippy.toml", "file:///x/.clippy.toml", false},
	}
	for _, tt := range tests {
		if got := IsRust(tt.lang, tt.path, tt.key); got != tt.want {
			t.Errorf("IsRust(%q, %q, %q) = %v", tt.lang, tt.path, tt.key, got)
		}
	}
}

func TestDocumentName(t *testing.T) {
	if n := (&Document{Key: "file:///x/lib.rs", Path: "/x/lib.rs"}).Name(); n != "/x/lib.rs" {
		t.Errorf("Name = %q", n)
	}
	if n := (&Document{Key: "untitled:Untitled-1"}).Name(); n != "Untitled-1" {
		t.Errorf("Name = %q", n)
	}
}
