package diagnostics

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/krls-dev/krls/symbols"
)

// FuzzAnalyze runs every rule on arbitrary input, the kernel rules under
// the configuration of testdata/kconfig: no panic, and every finding,
// related location and fix edit stays inside the text. Seeds are the
// fixtures plus a few shapes that stress the text scans.
//
//	go test ./diagnostics -fuzz FuzzAnalyze
func FuzzAnalyze(f *testing.F) {
	paths, _ := filepath.Glob("testdata/safety/*.rs")
	more, _ := filepath.Glob("testdata/kconfig/checks/*.rs")
	for _, p := range append(paths, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "unsafe", "unsafe {", "// SAFETY:", "/* SAFETY: */ unsafe {}", "/*", "/* /* */",
		"macro_rules! m { () => { unsafe { } } }", "m!(unsafe { x })", "#[", "#[allow(\n",
		"/// # Safety\nunsafe fn f() {}", "/**\n * # Safety\n */\nfn f() {}",
		"unsafe impl X for Y {}\nunsafe $($x)* {}", "fn f() { // SAFETY:\n unsafe {} }",
		"let x = 1; /* SAFETY: x\n */ unsafe {}", "use a::{b as c, d::*};\nfn f(x: &A<B>) { unsafe { x.m(); c::g::<T>(); <T as U>::h(); self.i(); Self::j(r#\"k()\"#) } }",
		"impl<T> A<T> { fn f(&self) { unsafe { super::super::x(); bindings::y(); $crate::z() } } }", "\xff\xfe unsafe { \xc3 }", "#[doc = r#\"# Safety\"#]\nfn f() {}",
		"fn f() { pin_init!(Self { a <- g(), b: x.unwrap() as u32 }); pr_info!(\"{}\", v[1..]) }", "m!(", "assert!(x as u32", "x!{[(}])",
	} {
		f.Add([]byte(s))
	}
	for _, name := range []string{"keys.rs", "values.rs", "driver.rs", "syntax.rs", "literals.rs", "params.rs", "new.rs", "scope.rs"} {
		if src, err := os.ReadFile(filepath.Join(moduleFixtures, name)); err == nil {
			f.Add(src)
		}
	}
	for _, s := range []string{"module! {", "module! { type: , name: \"é\", name", "kernel::module_phy_driver!(drivers: [A], license: b\"GPL\" author: \"x\",)",
		"module! { type: M name: r\"a\" description: \"\\u{\" license: \"\\x\" }", "module! { /* */ name: \"x\", /* c */ type: M, // t\n}"} {
		f.Add([]byte(s))
	}
	kc := fixtureKernel(f)
	mc := &ModuleConfig{Facts: symbols.BuiltinModuleFacts(), Object: "fuzz", Makefile: "Makefile"}
	// The params blocks of the hand-written (6.18) and syn (7.x) readers.
	var later []Config
	for _, v := range []string{"v6.18", "v7.2"} {
		facts := symbols.ReadModuleFacts(context.Background(), filepath.Join("..", "symbols", "testdata", "modschema", v))
		later = append(later, Config{Module: &ModuleConfig{Facts: facts, Object: "fuzz", Makefile: "Makefile",
			CrateMacro: func(name string) bool { return name == "module_crate" }}})
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("%d bytes took %v", len(src), d)
			}
		}()
		file, err := symbols.Parse(context.Background(), "fuzz.rs", src)
		if err != nil {
			return // too large
		}
		defer file.Close()
		root := false
		// Contracts that know every path: every call resolves.
		all := allContracts{}
		// The justification-comment rules too, with the stand-in for
		// core and alloc.
		conv := Config{Kernel: kc, Module: mc, Contracts: all, Conventions: true, Panics: &PanicConfig{Library: fixtureLibrary}}
		for _, cfg := range append([]Config{{CheckPrivateItems: true}, {CrateRoot: &root}, conv}, later...) {
			for _, x := range Analyze(context.Background(), file, cfg) {
				if x.Start < 0 || x.End < x.Start || x.End > len(src) {
					t.Fatalf("%s: range [%d,%d) outside [0,%d)", x.Rule, x.Start, x.End, len(src))
				}
				for _, r := range x.Related {
					if r.Start < 0 || r.End < r.Start || r.End > len(src) {
						t.Fatalf("%s: related range [%d,%d) outside [0,%d)", x.Rule, r.Start, r.End, len(src))
					}
				}
				for _, r := range x.RelatedFiles {
					if r.Path == "" || r.Start < 0 || r.End < r.Start {
						t.Fatalf("%s: related file %+v", x.Rule, r)
					}
				}
				for _, fix := range x.Fixes {
					if _, skipped := ApplyEdits(src, fix.Edits); skipped > 0 {
						t.Fatalf("%s: fix %q has %d bad edits: %+v", x.Rule, fix.Title, skipped, fix.Edits)
					}
				}
			}
		}
	})
}

// allContracts resolve every path to an unsafe function with a contract.
type allContracts struct{}

func (allContracts) Module() string { return "kernel::fuzz" }

func (allContracts) Contract(path string) (Contract, bool) {
	return Contract{Path: path, File: "/k/other.rs", Unsafe: true, Safety: "- one\n- two"}, true
}
