package symbols

import (
	"strings"
	"testing"
	"time"
)

// FuzzErrnoHeader runs the errno header parser and the table reader's
// resolution on arbitrary text: no panic, no hang, every directive on a
// line of the text, and every resolved code a positive number.
//
//	go test ./symbols -run XXX -fuzz FuzzErrnoHeader
func FuzzErrnoHeader(f *testing.F) {
	for _, s := range errnoFixture {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		"", "#", "#define", "#define E", "#define EA EA", "#define EA EB\n#define EB EA\n",
		"/*", "/* */ #define EA 1 /*\n*/", "#define EA \\\n", "\\\n\\\n#define EB 2",
		"#include <", "#include <asm-generic/errno.h>", "#undef EA", "#define EA (12", "#define EA 99999999999999999999",
		"\xff#define E\xff 1", "#  define   EB\t\t2\t// x\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		h := ParseErrnoHeader("fuzz.h", src)
		lines := strings.Count(string(src), "\n") + 1
		for _, d := range h.Directives {
			if d.Line < 1 || d.Line > lines {
				t.Fatalf("directive %+v outside lines 1..%d", d, lines)
			}
			if d.Kind == DirDefine && d.Alias == "" && d.Value <= 0 {
				t.Fatalf("define with value %d", d.Value)
			}
		}
		// The same text as every header of a tree: includes of itself
		// stop at the depth limit.
		r := &errnoReader{parsed: map[string]*ErrnoHeader{
			ErrnoBaseHeader: h, ErrnoGenericHeader: h, ErrnoInternalHeader: h,
		}}
		s, err := r.set(ErrnoGenericHeader)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range s.All() {
			if e.Value <= 0 {
				t.Fatalf("%s resolved to %d", e.Name, e.Value)
			}
		}
		_ = ParseDeclareErr(src)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%d bytes took %v", len(src), d)
		}
	})
}
