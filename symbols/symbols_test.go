package symbols

import (
	"context"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	src := []byte("ab\r\n\ncd é\nlast")
	l := NewLines(src)
	if l.Count() != 4 {
		t.Fatalf("Count = %d, want 4", l.Count())
	}
	for _, c := range []struct {
		off, line, col int
	}{{0, 0, 0}, {2, 0, 2}, {3, 0, 3}, {4, 1, 0}, {5, 2, 0}, {9, 2, 4}, {11, 3, 0}, {15, 3, 4}, {99, 3, 4}} {
		if got := l.Line(c.off); got != c.line {
			t.Errorf("Line(%d) = %d, want %d", c.off, got, c.line)
		}
		if got := l.Column(c.off); got != c.col {
			t.Errorf("Column(%d) = %d, want %d", c.off, got, c.col)
		}
	}
	if got := string(l.Text(0)); got != "ab\r" {
		t.Errorf("Text(0) = %q: the \\r stays, as in rustc's source map", got)
	}
	if got := string(l.Text(2)); got != "cd é" {
		t.Errorf("Text(2) = %q", got)
	}
	if got := string(l.Indent(2)); got != "" {
		t.Errorf("Indent(2) = %q", got)
	}
	if l.Start(-1) != 0 || l.Start(99) != len(src) || l.End(99) != len(src) || l.Text(99) != nil {
		t.Error("out-of-range lines must clamp")
	}
}

func TestParseAndPaths(t *testing.T) {
	src := []byte("fn f() {\n    let x = unsafe { g() };\n}\n// unsafe in a comment\n")
	f, err := Parse(context.Background(), "t.rs", src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.HasError() {
		t.Fatal("unexpected syntax error")
	}
	at := strings.Index(string(src), "unsafe")
	path := f.PathTo(at, at+len("unsafe"))
	var kinds []string
	for _, n := range path {
		kinds = append(kinds, n.Node.Kind())
	}
	want := "source_file function_item block let_declaration unsafe_block unsafe"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("PathTo = %s, want %s", got, want)
	}
	if path[len(path)-1].Kind != K.KwUnsafe || path[len(path)-2].Kind != K.UnsafeBlock {
		t.Error("kind ids do not match the kinds")
	}
	// VisitPaths yields the same paths as PathTo, in order.
	comment := strings.LastIndex(string(src), "unsafe")
	targets := []Span{{Start: at, End: at + 6}, {Start: comment, End: comment + 6}}
	var got []string
	f.VisitPaths(targets, func(i int, p []PathNode) bool {
		got = append(got, p[len(p)-1].Node.Kind())
		if want := f.PathTo(targets[i].Start, targets[i].End); len(want) != len(p) {
			t.Errorf("target %d: VisitPaths depth %d, PathTo depth %d", i, len(p), len(want))
		}
		return true
	})
	if strings.Join(got, ",") != "unsafe,line_comment" {
		t.Errorf("VisitPaths leaves = %v", got)
	}
}

func TestParseCancelledAndTooLarge(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := []byte(strings.Repeat("fn f() { let x = 1; }\n", 100000))
	if _, err := Parse(ctx, "big.rs", big); err == nil {
		t.Error("a cancelled parse must fail")
	}
	if _, err := Parse(context.Background(), "huge.rs", make([]byte, MaxFileSize+1)); err == nil {
		t.Error("a file over MaxFileSize must be refused")
	}
}

func TestParseInvalidUTF8(t *testing.T) {
	f, err := Parse(context.Background(), "bad.rs", []byte("fn f() { let s = \"\xff\xfe\"; unsafe { } }\n"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}
