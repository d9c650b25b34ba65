package symbols

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func parseT(t testing.TB, src string) *File {
	t.Helper()
	f, err := Parse(context.Background(), "t.rs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

func TestParseCfg(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`CONFIG_A`, `CONFIG_A`},
		{`CONFIG_A = "y"`, `CONFIG_A = "y"`},
		{`any(CONFIG_A, not(CONFIG_B = "m"),)`, `any(CONFIG_A, not(CONFIG_B = "m"))`},
		{`all()`, `all()`},
		{`not(a, b)`, `not(a, b)`}, // malformed: CfgOther named not
		{`version("1.80")`, `version()`},
		{`target_arch = r#"x86"#`, `target_arch = "x86"`},
		{`true`, `true`},
		{`any(CONFIG_A, /* c */ CONFIG_B // d
		)`, `any(CONFIG_A, CONFIG_B)`},
		{`$cfg`, `?`},
		{`CONFIG_A = 1`, `?(CONFIG_A)`},
		{`any(CONFIG_A, `, `any(CONFIG_A)`}, // unfinished
		{`a, b`, `?(a, b)`},
		{``, `?`},
	} {
		p := ParseCfg([]byte(c.in))
		if got := p.String(); got != c.want {
			t.Errorf("ParseCfg(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestCfgEval(t *testing.T) {
	set := map[string]bool{"CONFIG_Y": true}
	leaf := func(p *CfgPred) CfgTruth {
		if !strings.HasPrefix(p.Name, "CONFIG_") {
			return CfgUnknown
		}
		if p.Op == CfgNameValue {
			if set[p.Name] && p.Value == "y" {
				return CfgTrue
			}
			return CfgFalse
		}
		if set[p.Name] {
			return CfgTrue
		}
		return CfgFalse
	}
	for in, want := range map[string]CfgTruth{
		`CONFIG_Y`:                  CfgTrue,
		`CONFIG_N`:                  CfgFalse,
		`not(CONFIG_N)`:             CfgTrue,
		`CONFIG_Y = "y"`:            CfgTrue,
		`CONFIG_Y = "m"`:            CfgFalse,
		`any()`:                     CfgFalse,
		`all()`:                     CfgTrue,
		`test`:                      CfgUnknown,
		`not(test)`:                 CfgUnknown,
		`any(test, CONFIG_N)`:       CfgUnknown,
		`any(test, CONFIG_Y)`:       CfgTrue,
		`all(test, CONFIG_N)`:       CfgFalse,
		`all(test, CONFIG_Y)`:       CfgUnknown,
		`version("1.0")`:            CfgUnknown,
		`false`:                     CfgFalse,
		`not(any(CONFIG_N, false))`: CfgTrue,
	} {
		if got := ParseCfg([]byte(in)).Eval(leaf); got != want {
			t.Errorf("Eval(%s) = %v, want %v", in, got, want)
		}
	}
}

// refsString renders refs as "NAME@line:ctx[=value]" for comparison.
func refsString(f *File, refs []CfgRef) string {
	var parts []string
	for _, r := range refs {
		s := fmt.Sprintf("%s@%d:%s", r.Name, f.Lines.Line(r.NameSpan.Start)+1, r.Context)
		if r.Inner {
			s += "!"
		}
		if r.InTokenTree {
			s += "~"
		}
		if r.HasValue {
			s += "=" + r.Value
		}
		if got := string(f.Src[r.NameSpan.Start:r.NameSpan.End]); got != r.Name {
			s += "(bad span " + got + ")"
		}
		if r.HasValue && string(f.Src[r.ValueSpan.Start:r.ValueSpan.End]) != `"`+r.Value+`"` {
			s += "(bad value span)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestCfgRefs(t *testing.T) {
	src := `#![cfg(CONFIG_A)]
#[cfg(any(CONFIG_B, not(CONFIG_C = "y"), test, target_arch = "x86_64"))]
#[cfg_attr(CONFIG_D, allow(CONFIG_NOT_A_CFG))]
fn f() {
    #[cfg(CONFIG_E)]
    let x = 1;
    if cfg!(CONFIG_F) && !cfg![all(doc, CONFIG_G)] {}
    // #[cfg(CONFIG_COMMENT)]
    let s = "#[cfg(CONFIG_STRING)] cfg!(CONFIG_STRING2)";
    /// #[cfg(CONFIG_DOC)]
    g(cfg(CONFIG_CALL));
}
macro_rules! m { () => { #[cfg(CONFIG_H)] fn h() {} #![cfg_attr(CONFIG_I, x)] cfg!(CONFIG_J) } }
m!(#[cfg(CONFIG_K)] x, [cfg(CONFIG_NOT_ATTR)]);
#[cfg_attr(CONFIG_L, cfg(CONFIG_M))]
#[cfg_attr(
    CONFIG_N,
    cfg_attr(CONFIG_O, cfg(CONFIG_P))
)]
struct S { #[cfg(CONFIG_Q)] a: u8 }
#[cfg(CONFIG_R="m")]
fn r() { match 1 { #[cfg(CONFIG_S)] 1 => {} _ => {} } }
`
	f := parseT(t, src)
	got := refsString(f, CfgRefs(f))
	want := "CONFIG_A@1:inner attribute! CONFIG_B@2:attribute CONFIG_C@2:attribute=y CONFIG_D@3:cfg_attr " +
		"CONFIG_E@5:attribute CONFIG_F@7:cfg! CONFIG_G@7:cfg! " +
		"CONFIG_H@13:attribute~ CONFIG_I@13:cfg_attr!~ CONFIG_J@13:cfg!~ CONFIG_K@14:attribute~ " +
		"CONFIG_L@15:cfg_attr CONFIG_M@15:cfg_attr CONFIG_N@17:cfg_attr CONFIG_O@18:cfg_attr CONFIG_P@18:cfg_attr " +
		"CONFIG_Q@20:attribute CONFIG_R@21:attribute=m CONFIG_S@22:attribute"
	if got != want {
		t.Errorf("CfgRefs:\n got %s\nwant %s", got, want)
	}
}

// TestCfgRefsIncomplete: code being typed still yields its names.
func TestCfgRefsIncomplete(t *testing.T) {
	for src, want := range map[string]string{
		"#[cfg(CONFIG_A":                         "CONFIG_A@1:attribute~",
		"#[cfg(any(CONFIG_A, CONFIG_B\nfn f(){}": "CONFIG_A@1:attribute~ CONFIG_B@1:attribute~",
		"fn f() { if cfg!(CONFIG_A) { } ":        "CONFIG_A@1:cfg!",
		"#[cfg(CONFIG_A = \"y":                   "CONFIG_A@1:attribute~",
		"#[cfg(CONFIG_A = \"y\"":                 "CONFIG_A@1:attribute~=y",
	} {
		f := parseT(t, src)
		if got := refsString(f, CfgRefs(f)); got != want {
			t.Errorf("CfgRefs(%q) = %q, want %q", src, got, want)
		}
	}
}

func TestGatesOf(t *testing.T) {
	src := `#![cfg(CONFIG_FILE)]
#[cfg(CONFIG_A)]
#[derive(Debug)]
mod a {
    #![cfg(CONFIG_INNER)]
    #[cfg(CONFIG_B)]
    pub fn f() {
        #[cfg(CONFIG_C)]
        let x = 1;
        #[cfg(CONFIG_D)]
        {
            here1();
        }
        match x {
            #[cfg(CONFIG_E)]
            1 => here2(),
            _ => {}
        }
    }
    impl S {
        #[cfg_attr(CONFIG_F, cfg(CONFIG_G))]
        fn g() { here3() }
    }
}
fn plain() { here4() }
struct T {
    #[cfg(CONFIG_H)]
    // a comment between
    #[allow(dead_code)]
    field: u8,
}
`
	f := parseT(t, src)
	g := GatesOf(f)
	at := func(s string) int { return strings.Index(src, s) }
	for _, c := range []struct{ at, want string }{
		{"here1", "CONFIG_FILE CONFIG_A CONFIG_INNER CONFIG_B CONFIG_D"},
		{"here2", "CONFIG_FILE CONFIG_A CONFIG_INNER CONFIG_B CONFIG_E"},
		{"here3", `CONFIG_FILE CONFIG_A CONFIG_INNER any(not(CONFIG_F), CONFIG_G)`},
		{"here4", "CONFIG_FILE"},
		{"x = 1", "CONFIG_FILE CONFIG_A CONFIG_INNER CONFIG_B CONFIG_C"},
		{"field", "CONFIG_FILE CONFIG_H"},
		{"derive", "CONFIG_FILE CONFIG_A CONFIG_INNER"},
	} {
		var parts []string
		for _, p := range g.EnclosingCfgs(at(c.at)) {
			parts = append(parts, p.String())
		}
		if got := strings.Join(parts, " "); got != c.want {
			t.Errorf("EnclosingCfgs(%s) = %s, want %s", c.at, got, c.want)
		}
	}
	if n := len(g.EnclosingCfgs(len(src))); n != 1 {
		t.Errorf("end of file: %d predicates, want the file's", n)
	}
	kinds := map[string]int{}
	for _, x := range g.Items {
		kinds[x.Node.Kind()]++
	}
	want := map[string]int{"source_file": 1, "mod_item": 1, "function_item": 2, "let_declaration": 1,
		"expression_statement": 1, "match_arm": 1, "field_declaration": 1}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("gated kinds = %v, want %v", kinds, want)
	}
}

// TestCfgCompletionAt: `|` marks the cursor; want is the prefix, or "-"
// for no completion there.
func TestCfgCompletionAt(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"#[cfg(|", ""},
		{"#[cfg(CONF|", "CONF"},
		{"#[cfg(CONF|IG_A)]\nfn f() {}", "CONF"},
		{"#[cfg(CONFIG_A|)]", "CONFIG_A"},
		{"#![cfg(CONFIG_|", "CONFIG_"},
		{"#[ cfg ( any ( CONFIG_A, |", ""},
		{"#[cfg(any(CONFIG_A, not(CONFIG_B), all(C|\nfn f() {}\n", "C"},
		{"#[cfg(any(CONFIG_A,\n    // a comment\n    CONFIG_|", "CONFIG_"},
		{"#[cfg_attr(CONFIG_|", "CONFIG_"},
		{"#[cfg_attr(any(CONFIG_A, |", ""},
		{"#[cfg_attr(CONFIG_A, |", "-"},
		{"#[cfg_attr(CONFIG_A, allow(|", "-"},
		{"#[cfg_attr(CONFIG_A, cfg(CONFIG_|", "CONFIG_"},
		{"#[cfg_attr(CONFIG_A, cfg_attr(B, cfg(all(|", ""},
		{"fn f() { if cfg!(CONFIG_|", "CONFIG_"},
		{"fn f() { if cfg!(CONFIG_A) && cfg![not(|", ""},
		{"macro_rules! m { () => { #[cfg(CONFIG_|", "CONFIG_"},
		{"m!(#[cfg(|", ""},
		{"#[cfg(CONFIG_A |", "-"},             // after a name
		{"#[cfg(CONFIG_A = |", "-"},           // a value goes there
		{"#[cfg(CONFIG_A = \"CONF|", "-"},     // in a string
		{"#[cfg(version(|", "-"},              // not a predicate list
		{"#[cfg(CONFIG_A)]\nfn f(CONF|", "-"}, // the cfg is closed
		{"#[cfg(CONFIG_A)]\nfn f() { let x = (|", "-"},
		{"// #[cfg(CONF|", "-"},                  // in a comment
		{"/// #[cfg(CONF|", "-"},                 // in a doc comment
		{"/* #[cfg(CONF| */", "-"},               // in a block comment
		{"let s = \"#[cfg(CONF|\";", "-"},        // in a string
		{"#[cfg(any(CONFIG_A, /* CONF| */", "-"}, // cursor in a comment
		{"#[cfg(any(CONFIG_A, // CONF|\n", "-"},  // cursor in a line comment
		{"#[cfg(any(CONFIG_A; CONF|", "-"},
		{"x.cfg(CONF|", "-"},     // a method call
		{"#[doc(cfg(CONF|", "-"}, // doc(cfg) is not a cfg
		{"#[cfg(1|", "-"},
		{"#[cfg(|)]\n#[cfg(CONFIG_B)]\nfn f() {}", ""},
		{"|#[cfg(CONFIG_A)]", "-"},
		{"#[cf|g(CONFIG_A)]", "-"},
	} {
		at := strings.Index(c.src, "|")
		src := []byte(strings.Replace(c.src, "|", "", 1))
		for _, withTree := range []bool{true, false} {
			var f *File
			if withTree {
				f = parseT(t, string(src))
			}
			prefix, start, ok := CfgCompletionAt(src, f, at)
			got := "-"
			if ok {
				got = prefix
				if start+len(prefix) != at || string(src[start:at]) != prefix {
					t.Errorf("%q: start %d does not match prefix %q", c.src, start, prefix)
				}
			}
			if got != c.want {
				t.Errorf("CfgCompletionAt(%q, tree=%v) = %q, want %q", c.src, withTree, got, c.want)
			}
		}
	}
}

func TestCfgRefAt(t *testing.T) {
	src := "#[cfg(any(CONFIG_A, not(CONFIG_B = \"y\")))]\nfn f() { if cfg!(test) {} }\n"
	f := parseT(t, src)
	for _, c := range []struct {
		at   string
		off  int
		want string
	}{
		{"CONFIG_A", 0, "CONFIG_A"}, {"CONFIG_A", 8, "CONFIG_A"}, {"CONFIG_B", 3, "CONFIG_B"},
		{"\"y\"", 1, ""}, {"test", 1, ""}, {"any", 0, ""},
	} {
		r, ok := CfgRefAt(f, strings.Index(src, c.at)+c.off)
		if got := r.Name; ok != (c.want != "") || got != c.want {
			t.Errorf("CfgRefAt(%s+%d) = %q, %v", c.at, c.off, got, ok)
		}
	}
}
