package diagnostics

import (
	"context"
	"strings"
	"testing"

	"github.com/krls-dev/krls/symbols"
)

func TestPlainCommentFix(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"fn f() {\n    // SAFETY: foo\n    let a = 1;\n}\n", "fn f() {\n    // foo\n    let a = 1;\n}\n"},
		{"fn f() {\n    // SAFETY:\n    let a = 1;\n}\n", "fn f() {\n    let a = 1;\n}\n"},
		{"fn f() {\n    let a = 1; // SAFETY: x\n    let b = 2;\n}\n", "fn f() {\n    let a = 1; // x\n    let b = 2;\n}\n"},
		{"fn f() {\n    let a = 1; // SAFETY:\n    let b = 2;\n}\n", "fn f() {\n    let a = 1;\n    let b = 2;\n}\n"},
		{"fn f() {\n    let s = \"SAFETY: in a string\"; // SAFETY: trailing\n    let b = 2;\n}\n",
			"fn f() {\n    let s = \"SAFETY: in a string\"; // trailing\n    let b = 2;\n}\n"},
		{"fn f() {\n    // Thread-safety: we hold the lock.\n    let a = 1;\n}\n", "fn f() {\n    // Thread-safety we hold the lock.\n    let a = 1;\n}\n"},
		{"fn f() {\n    /* SAFETY: x */\n    let a = 1;\n}\n", "fn f() {\n    /* x */\n    let a = 1;\n}\n"},
		{"fn f() {\n    // SAFETY: a\n    #[deprecated(note = \"SAFETY: q\")]\n    let a = 1;\n}\n",
			"fn f() {\n    // a\n    #[deprecated(note = \"SAFETY: q\")]\n    let a = 1;\n}\n"},
		{"fn f() {\n    /*\n     * SAFETY: x\n     */\n    let a = 1;\n}\n", "fn f() {\n    /*\n     * x\n     */\n    let a = 1;\n}\n"},
	} {
		f, err := symbols.Parse(context.Background(), "t.rs", []byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		var fix *Fix
		for _, x := range Analyze(context.Background(), f, Config{}) {
			if x.Rule == UnnecessarySafetyComment.Name && len(x.Fixes) > 0 {
				fix = &x.Fixes[0]
			}
		}
		f.Close()
		if fix == nil {
			t.Errorf("no fix for:\n%s", c.in)
			continue
		}
		got, _ := ApplyEdits([]byte(c.in), fix.Edits)
		if string(got) != c.want {
			t.Errorf("fix of\n%s\ngave\n%s\nwant\n%s", c.in, got, c.want)
		}
		if strings.Contains(strings.ToUpper(string(got)), "SAFETY:") && !strings.Contains(c.want, "SAFETY:") {
			t.Errorf("a SAFETY: marker is left in:\n%s", got)
		}
	}
}
