package symbols

import (
	"bytes"
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"
)

func TestMacroShapes(t *testing.T) {
	src := []byte(`
macro_rules! literal { (unsafe { $d:ident }) => { unsafe impl Sync for $d {} }; }
macro_rules! capture { ($e:expr) => { $e }; }
macro_rules! both { (unsafe { $t:ident }) => {}; ($b:block) => { $b }; }
macro_rules! idents { ($($i:ident)*) => {}; }
macro_rules! commented {
    // unsafe in a comment is no token
    ($t:ty) => {};
}
macro_rules! dollar_unsafe { ($unsafe:ident) => {}; }
macro_rules! value { () => { unsafe { &*current() } }; }
macro_rules! nested { () => { { unsafe { f() } } }; }
`)
	f, err := Parse(context.Background(), "m.rs", src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := MacroShapes(f)
	// The words matchers hold themselves (`unsafe` in literal's and
	// both's); compared apart.
	literals := map[string][]string{}
	for name, shape := range got {
		literals[name] = slices.Sorted(maps.Keys(shape.Literals))
		shape.Literals = nil
		got[name] = shape
	}
	if want := []string{"unsafe"}; !slices.Equal(literals["literal"], want) || !slices.Equal(literals["both"], want) || len(literals["capture"]) != 0 || len(literals["dollar_unsafe"]) != 0 {
		t.Errorf("matcher literals: %v", literals)
	}
	want := map[string]MacroShape{
		"literal":       {Name: "literal", LiteralUnsafe: true, Captures: false},
		"capture":       {Name: "capture", Captures: true},
		"both":          {Name: "both", LiteralUnsafe: true, Captures: true},
		"idents":        {Name: "idents"},
		"commented":     {Name: "commented"},
		"dollar_unsafe": {Name: "dollar_unsafe"},
		"value":         {Name: "value", UnsafeValue: true},
		"nested":        {Name: "nested"},
	}
	if !maps.EqualFunc(got, want, func(a, b MacroShape) bool {
		return a.Name == b.Name && a.LiteralUnsafe == b.LiteralUnsafe && a.Captures == b.Captures && a.UnsafeValue == b.UnsafeValue
	}) {
		t.Errorf("shapes:\n%v\nwant\n%v", got, want)
	}
	for name, code := range map[string]bool{"literal": false, "capture": true, "both": false, "idents": false} {
		if got[name].InputIsCode() != code {
			t.Errorf("%s: InputIsCode %v", name, !code)
		}
	}
}

func TestMacroInvocations(t *testing.T) {
	src := []byte(`
/// kernel::doc_example!(x);
// comment_call!(y);
fn f() { a!(1); kernel::b![2]; c! { 3 }; let s = "d!(4)"; }
macro_rules! m { () => { $crate::inside_body!(); } }
m!();
e!(f!(unsafe { g() }), 1); e!(2);
`)
	uses := MacroInvocations(src)
	got := slices.Sorted(maps.Keys(uses))
	if want := []string{"a", "b", "c", "e", "f", "m"}; !slices.Equal(got, want) {
		t.Errorf("invocations %v, want %v", got, want)
	}
	for name, want := range map[string]bool{"a": false, "e": true, "f": true, "m": false} {
		if uses[name].UnsafeInput != want {
			t.Errorf("%s: UnsafeInput %v, want %v", name, !want, want)
		}
	}
}

// FuzzMacroInvocations: any text scans to an end, and every name found is
// an identifier of the text.
func FuzzMacroInvocations(f *testing.F) {
	f.Add([]byte("a!(1); macro_rules! m { ( { } ) => { x!() } } b![")) // unbalanced
	f.Add([]byte("macro_rules!"))
	f.Add([]byte("macro_rules! m ("))
	f.Add([]byte("pub use crate::{a as b, c}; use x as"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for name := range MacroInvocations(src) {
			if name == "" || !IsIdentStart(name[0]) {
				t.Fatalf("bad name %q", name)
			}
		}
		// Each definition's text is a part of src starting with its
		// keyword.
		for _, def := range MacroRulesTexts(src, "m") {
			if !bytes.HasPrefix(def, []byte("macro_rules")) || !bytes.Contains(src, def) {
				t.Fatalf("bad definition %q", def)
			}
		}
		// Renames are pairs of words of src.
		for _, a := range UseAliases(src) {
			if a.Name == "" || a.Alias == "" || !bytes.Contains(src, []byte(a.Alias)) {
				t.Fatalf("bad rename %+v", a)
			}
		}
	})
}

func TestProcMacros(t *testing.T) {
	src := []byte("#[proc_macro]\npub fn pin_init(input: TokenStream) -> TokenStream {}\n" +
		"#[proc_macro]\n/// Doc.\n#[allow(x)]\npub fn paste(input: TokenStream) -> TokenStream {}\n" +
		"#[proc_macro_attribute]\npub fn vtable(a: TokenStream, i: TokenStream) -> TokenStream {}\n")
	if got, want := ProcMacros(src), []string{"pin_init", "paste"}; !slices.Equal(got, want) {
		t.Errorf("ProcMacros %v, want %v", got, want)
	}
}

func TestMacroRulesTexts(t *testing.T) {
	src := []byte("// macro_rules! m { (x) => {} }\nconst S: &str = \"macro_rules! m {}\";\nmacro_rules! other { () => {} }\n#[macro_export]\nmacro_rules! m {\n    ($e:expr) => { { $e } };\n}\nmacro_rules! m ( () => {} );\n")
	got := MacroRulesTexts(src, "m")
	want := []string{"macro_rules! m {\n    ($e:expr) => { { $e } };\n}", "macro_rules! m ( () => {} )"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("definition %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestUseAliases(t *testing.T) {
	src := []byte(`// use a as b;
#[doc(inline)]
pub use crate::{
    build_assert_macro as build_assert,
    build_error,
    static_assert, //
};
pub use core::fmt::Write as _;
use self::inner::{x as y, z};
const S: &str = "use p as q;";
fn f(v: u64) -> u32 { v as u32 }
`)
	got := UseAliases(src)
	want := []UseAlias{{"build_assert_macro", "build_assert"}, {"x", "y"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// The renamed macro's shape answers by its new name too; a name
	// already taken keeps its own, and renames of no macro add nothing.
	shapes := map[string]MacroShape{
		"build_assert_macro": {Name: "build_assert_macro", Captures: true},
		"y":                  {Name: "y"},
	}
	AddAliasShapes(shapes, append(got, UseAlias{"x", "y"}, UseAlias{"nothing", "z"}))
	if s, ok := shapes["build_assert"]; !ok || s.Name != "build_assert" || !s.Captures {
		t.Errorf("build_assert: %+v, %v", s, ok)
	}
	if s := shapes["y"]; s.Name != "y" || len(shapes) != 3 {
		t.Errorf("shapes %v", shapes)
	}
}
