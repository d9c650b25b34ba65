package symbols

import (
	"reflect"
	"testing"
)

// tokenStrings lists the tokens of src as "kind:text".
func tokenStrings(src string) []string {
	kinds := map[TokenKind]string{TokenIdent: "id", TokenLiteral: "lit", TokenLifetime: "lt", TokenPunct: "p"}
	var out []string
	toks := NewTokens([]byte(src), 0, len(src))
	for tok := toks.Next(); tok.Kind != TokenEOF; tok = toks.Next() {
		out = append(out, kinds[tok.Kind]+":"+src[tok.Start:tok.End])
	}
	return out
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{`f(x)`, []string{"id:f", "p:(", "id:x", "p:)"}},
		// The quote of '\'' is escaped: the literal ends at the fourth byte.
		{`['\'','"'] g`, []string{"p:[", `lit:'\''`, "p:,", `lit:'"'`, "p:]", "id:g"}},
		{`'\\' g`, []string{`lit:'\\'`, "id:g"}},
		{`'\n' '\x7f' '\u{1F600}' 'é' b'a' b'\'' g`, []string{`lit:'\n'`, `lit:'\x7f'`, `lit:'\u{1F600}'`, "lit:'é'", "lit:b'a'", `lit:b'\''`, "id:g"}},
		{`fn f<'a>(x: &'a u8) -> &'static str`, []string{"id:fn", "id:f", "p:<", "lt:'a", "p:>", "p:(", "id:x", "p::", "p:&", "lt:'a", "id:u8", "p:)", "p:-", "p:>", "p:&", "lt:'static", "id:str"}},
		{`'outer: loop { break 'outer; }`, []string{"lt:'outer", "p::", "id:loop", "p:{", "id:break", "lt:'outer", "p:;", "p:}"}},
		// A C raw string holding a quote.
		{`cr#"a"b"# g`, []string{`lit:cr#"a"b"#`, "id:g"}},
		{`br"a\" g`, []string{`lit:br"a\"`, "id:g"}},
		{`r##"x"#"## c"y" b"z\"" "w\\" g`, []string{`lit:r##"x"#"##`, `lit:c"y"`, `lit:b"z\""`, `lit:"w\\"`, "id:g"}},
		{`r#match r#"s"#`, []string{"id:r#match", `lit:r#"s"#`}},
		{"/* a /* nested */ f() */ g // h()\ni", []string{"id:g", "id:i"}},
		{`1..2 0x1f_u8 1.5e3f64 x.0.y`, []string{"lit:1", "p:.", "p:.", "lit:2", "lit:0x1f_u8", "lit:1.5e3f64", "id:x", "p:.", "lit:0", "p:.", "id:y"}},
		{`a::<b>()`, []string{"id:a", "p::", "p::", "p:<", "id:b", "p:>", "p:(", "p:)"}},
		{`x == y => z`, []string{"id:x", "p:=", "p:=", "id:y", "p:=", "p:>", "id:z"}},
		{`"unterminated`, []string{`lit:"unterminated`}},
		{`/* open`, nil},
		{`'`, []string{"p:'"}},
		{`'\`, []string{"p:'", `p:\`}},
	} {
		if got := tokenStrings(tc.src); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.src, got, tc.want)
		}
	}
}

func TestTokensSeekAndCopy(t *testing.T) {
	src := []byte(`a b c d`)
	toks := NewTokens(src, 2, 5)
	ahead := toks
	if tok := ahead.Next(); string(src[tok.Start:tok.End]) != "b" {
		t.Fatalf("first: %q", src[tok.Start:tok.End])
	}
	if tok := toks.Next(); string(src[tok.Start:tok.End]) != "b" {
		t.Errorf("a copy moved the original: %q", src[tok.Start:tok.End])
	}
	toks.Seek(4)
	if tok := toks.Next(); string(src[tok.Start:tok.End]) != "c" {
		t.Errorf("after Seek: %q", src[tok.Start:tok.End])
	}
	if tok := toks.Next(); tok.Kind != TokenEOF || tok.Start != 5 {
		t.Errorf("end: %+v", tok)
	}
}

// FuzzTokens reads arbitrary text as tokens: no panic, tokens in order
// inside the range, none empty, identifiers made of identifier bytes.
//
//	go test ./symbols -run XXX -fuzz FuzzTokens
func FuzzTokens(f *testing.F) {
	for _, s := range []string{
		`unsafe { a::b::<T>::c(x); '\''; '\\'; cr#"a"b"#; br"x"; /* /* */ */ 'a: loop {} }`,
		`b'\'' 'é' '\u{1F600}' r#fn 0x1f.2 "\"" c"\0" // x`, "'", `'\`, `r#`, `br##"`, "\xff'\xc3'",
	} {
		f.Add([]byte(s), 0, len(s))
	}
	f.Fuzz(func(t *testing.T, src []byte, from, to int) {
		if from < 0 || from > len(src) || to < from {
			return
		}
		toks := NewTokens(src, from, to)
		end := min(to, len(src))
		last := from
		for {
			tok := toks.Next()
			if tok.Start < last || tok.End > end || tok.Start > tok.End {
				t.Fatalf("token %+v after %d, end %d", tok, last, end)
			}
			if tok.Kind == TokenEOF {
				return
			}
			if tok.Start == tok.End {
				t.Fatalf("empty token %+v", tok)
			}
			if tok.Kind == TokenIdent {
				text := src[tok.Start:tok.End]
				if len(text) > 2 && text[0] == 'r' && text[1] == '#' {
					text = text[2:]
				}
				for _, c := range text {
					if !IsIdentByte(c) {
						t.Fatalf("identifier %q", src[tok.Start:tok.End])
					}
				}
			}
			last = tok.End
		}
	})
}
