package symbols

import (
	"context"
	"os"
	"testing"
	"time"
)

// FuzzModule runs the module! parsers on arbitrary text: the invocation
// reader (tree and text), the schema reader (as a module.rs), the types
// and imports of a file, and the kbuild object reader. No panic, every
// span inside the text.
//
//	go test ./symbols -run XXX -fuzz FuzzModule
func FuzzModule(f *testing.F) {
	for _, p := range []string{"testdata/modschema/v6.1/rust/macros/module.rs", "testdata/modschema/v6.18/rust/macros/module.rs", "testdata/modschema/v6.18/rust/kernel/net/phy.rs", "testdata/modschema/v6.18/rust/macros/helpers.rs", "testdata/modschema/v7.2/rust/macros/module.rs", "testdata/modschema/v7.2/rust/macros/helpers.rs"} {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	for _, s := range []string{
		"", "module!", "module! {", "module! { type: X, name: \"a\", }", "kernel::module_phy_driver!(drivers: [A, B], device_table: [x()], name: b\"x\" license: r#\"GPL\"#,)",
		"module! { type: , : , name: \"\\u{e9}\", alias: [\"a\",, ], params: { a: { } }, }", "module! { key key2: v }} module_x! [",
		"obj-m := a.o \\\n b.o\nx-y += a.o\n", "const EXPECTED_KEYS: &[&str] = &[\"a\", \"b\"", "match k { \"a\" => expect_ident(it), _ => panic!(\"Unknown key {}\", k) }",
		"macro_rules! module_x { ($($f:tt)*) => { module! { type: M, $($f)* } } }", "struct A; impl Module for A {} use a::{b as c, d::*};",
		"\xff\xfe module! { \xc3: \"\xc3\" }", "module! { type: M name: r\"t1\" author: \"a\\\"b\" alias: [\"x\"] x: y }",
		"fn expect_punct() { it.next().expect(\"end\"); panic!(\"P\") } fn try_string() { if s.starts_with('\\\"') { panic!(\"Escape {}\", s) } '",
		"module! { params: { a: i8 { default: 1, description: \"x\", }, b c: { d: , e: [ {, }, } }",
		"fn module(i: M) {} impl Parse for M { fn parse() { f!(from input; a [required] => input.parse()?, b as c => { braced!(x in input) }, ); } } struct M { c: Option<Punctuated<P, Token![,]>> } impl Parse for P { g!{ from x; } }",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("%d bytes took %v", len(src), d)
			}
		}()
		in := func(what string, s Span) {
			if s.Start < 0 || s.End < s.Start || s.End > len(src) {
				t.Fatalf("%s: span [%d,%d) outside [0,%d)", what, s.Start, s.End, len(src))
			}
		}
		file, err := Parse(context.Background(), "fuzz.rs", src)
		if err != nil {
			return
		}
		defer file.Close()
		check := func(calls []ModuleCall) {
			for _, c := range calls {
				in("name", c.Name)
				in("call", Span{c.Start, c.Open})
				if c.Close > len(src) || c.Close < c.Open {
					t.Fatalf("close %d", c.Close)
				}
				for _, e := range c.Entries {
					in("key", e.KeySpan)
					in("value", e.Value)
					in("last", e.Last)
					in("entry", Span{e.KeySpan.Start, e.End})
					for _, s := range e.Strings {
						in("string", s.Span)
					}
				}
			}
		}
		check(ModuleCalls(file, nil))
		for _, c := range ModuleCallsText(src, nil) {
			for _, e := range c.Entries {
				for _, p := range ModuleParams(src, e) {
					in("param", p.Name)
					in("param type", p.Type)
					in("param entry", Span{p.Name.Start, p.End})
					if p.HasBlock {
						check([]ModuleCall{p.Block})
					}
				}
			}
			sc := NewMacroScope("x.rs", src, file)
			sc.IsKernel(src, c)
		}
		check(ModuleCallsText(src, nil))
		for _, off := range []int{0, len(src) / 2, len(src)} {
			if c, ok := ModuleCallAt(src, off, nil); ok {
				check([]ModuleCall{c})
			}
		}
		for _, d := range TypesInFile(file) {
			in("type", d.Span)
		}
		ImportedNames(src)
		asciiStringTypes(src)
		synPunctMessage(src)
		moduleParamImpls(src)
		if s, err := ParseModuleSchema(context.Background(), "module.rs", src); err == nil {
			_ = s.Messages.Unknown.Render(map[string]string{"key": "k"})
		}
		for _, d := range macroDefs(context.Background(), "x.rs", src) {
			resolveDriver(map[string]*macroDef{d.name: d}, d, 0)
		}
		ParseKbuild("Makefile", src).Object("a")
		KeyDocs(string(src))
		(&ModuleSchema{}).applyHelperMessages(helperMessages(src))
		(RustFormat{Format: string(src), Args: []string{"a"}}).Render(map[string]string{"a": "x"})
	})
}
