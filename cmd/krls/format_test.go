package main

import (
	"testing"

	"github.com/krls-dev/krls/symbols"
)

func TestPosition(t *testing.T) {
	src := "ab\n" + "é\xffx\r\n" + "😀y"
	lines := symbols.NewLines([]byte(src))
	for _, tc := range []struct {
		off, line, col int
	}{
		{0, 1, 1},
		{2, 1, 3}, // the newline
		{3, 2, 1},
		{5, 2, 2},  // after é (two bytes)
		{6, 2, 3},  // after the invalid byte, which counts as one
		{7, 2, 4},  // \r
		{9, 3, 1},  //
		{13, 3, 2}, // after the four-byte emoji
		{14, 3, 3}, // the end
		{99, 3, 3}, // clamped
	} {
		line, col := position(lines, tc.off)
		if line != tc.line || col != tc.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tc.off, line, col, tc.line, tc.col)
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	if got, want := githubData("100% sure,\r\nreally: yes"), "100%25 sure,%0D%0Areally: yes"; got != want {
		t.Errorf("data: %q, want %q", got, want)
	}
	if got, want := githubProperty("dir,x/a:b%.rs"), "dir%2Cx/a%3Ab%25.rs"; got != want {
		t.Errorf("property: %q, want %q", got, want)
	}
}

func TestSARIFArtifact(t *testing.T) {
	for _, tc := range []struct {
		path, uri, base string
	}{
		{"drivers/a.rs", "drivers/a.rs", "%SRCROOT%"},
		{"./a.rs", "a.rs", "%SRCROOT%"},
		{"dir with space/ü.rs", "dir%20with%20space/%C3%BC.rs", "%SRCROOT%"},
		{"a:b.rs", "./a:b.rs", "%SRCROOT%"},
		{"/abs/a.rs", "file:///abs/a.rs", ""},
	} {
		a := sarifArtifact(tc.path)
		if a.URI != tc.uri || a.URIBaseID != tc.base {
			t.Errorf("sarifArtifact(%q) = %+v, want %q %q", tc.path, a, tc.uri, tc.base)
		}
	}
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"One. Two.":              "One.",
		"Uses `a.b` then. Next.": "Uses `a.b` then.",
		"No period":              "No period",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q", in, got)
		}
	}
}
