package symbols

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// The module! schema of a module.rs that parses with syn (Linux 7.x),
// from a fixture written after 7.2's.
func TestModuleSchemaSyn(t *testing.T) {
	m := ReadModuleFacts(context.Background(), filepath.Join("testdata", "modschema", "v7.2"))
	if len(m.Problems) != 0 {
		t.Fatalf("problems %v", m.Problems)
	}
	s := m.Schema
	if !s.Syn || !s.Ordered || !s.Comma {
		t.Errorf("syn %v ordered %v comma %v", s.Syn, s.Ordered, s.Comma)
	}
	// The parse_ordered_fields! lines in order (not the commented-out
	// `author`, not the doc comment's `bogus`), `type as type_` by its key.
	checkKeys(t, s, []keyWant{
		{"type", ValueType, true},
		{"name", ValueASCIIString, true},
		{"authors", ValueStringArray, false},
		{"description", ValueString, false},
		{"license", ValueASCIIString, true},
		{"alias", ValueStringArray, false},
		{"firmware", ValueStringArray, false},
		{"imports_ns", ValueStringArray, false},
		{"params", ValueParams, false},
	})
	if k, _ := s.Key("name"); k.Helper != "AsciiLitStr" {
		t.Errorf("name is read as %q", k.Helper)
	}
	// The macro's format!s, rendered as the build renders them.
	vars := map[string]string{"key": "autor", "EXPECTED_KEYS": DebugList(s.Names())}
	if got, want := s.Messages.Unknown.Render(vars), `unknown key "autor". Valid keys are: ["type", "name", "authors", "description", "license", "alias", "firmware", "imports_ns", "params"].`; got != want {
		t.Errorf("unknown: %q, want %q", got, want)
	}
	if got := s.Messages.Missing.Render(vars); got != `missing required key "autor"` {
		t.Errorf("missing: %q", got)
	}
	if got := s.Messages.Duplicate.Render(vars); got != `duplicated key "autor". Keys can only be specified once.` {
		t.Errorf("duplicate: %q", got)
	}
	if got := s.Messages.Order.Render(map[string]string{"ordered_keys": `["a"]`}); got != `keys are not ordered as expected. Order them like: ["a"].` {
		t.Errorf("order: %q", got)
	}
	// syn's own messages (rust/syn/token.rs), the ASCII check of
	// helpers.rs's AsciiLitStr; LitStr reads escapes and raw strings.
	msg := s.Messages
	if msg.Punct.Format != "expected `,`" || msg.PunctEnd.Format != "expected `,`" || msg.ASCII.Format != "expected ASCII-only string literal" || msg.Escape.Format != "" || msg.Raw.Format != "" {
		t.Errorf("messages %+v", msg)
	}
	k, _ := s.Key("params")
	ps := k.Params
	if ps == nil {
		t.Fatal("no params schema")
	}
	checkKeys(t, ps.Fields, []keyWant{{"default", ValueExpr, true}, {"description", ValueString, true}})
	// bool: mapped by module.rs, but no ModuleParam impl.
	if !slices.Equal(ps.Types, []string{"i8", "u8", "i32", "u32", "i64", "usize"}) || !ps.Separated || ps.TypeHelper != "Ident" || ps.Block != "expected curly braces" {
		t.Errorf("params %+v", ps)
	}
	if !reflect.DeepEqual(ps.Fields.Messages, s.Messages) {
		t.Errorf("a parameter's block is read by the same macro: %+v", ps.Fields.Messages)
	}
	if !strings.HasPrefix(k.Doc, "The `params` field describe module parameters.") || !strings.Contains(k.Doc, "default: default_value,") || strings.Contains(k.Doc, "[`Module`]:") {
		t.Errorf("params doc %q", k.Doc)
	}
	if k, _ := s.Key("firmware"); k.Doc != "array of ASCII string literals of the firmware files of the kernel module." {
		t.Errorf("firmware doc %q", k.Doc)
	}
	// module_pwm_platform_driver! writes imports_ns after the user's
	// keys: neither it nor params (ordered after it) can be written.
	pwm := m.Drivers["module_pwm_platform_driver"]
	if pwm == nil {
		t.Fatalf("drivers %v", m.DriverNames())
	}
	if !slices.Equal(pwm.After, []string{"imports_ns"}) || !slices.Equal(pwm.Closed, []string{"imports_ns", "params"}) || pwm.Schema.Index("params") >= 0 || pwm.Schema.Index("firmware") < 0 {
		t.Errorf("pwm after %v closed %v keys %v", pwm.After, pwm.Closed, pwm.Schema.Names())
	}
	if plat := m.Drivers["module_platform_driver"]; plat == nil || plat.Schema.Index("params") < 0 || len(plat.After) != 0 {
		t.Errorf("module_platform_driver %+v", plat)
	}
}

// Without helpers.rs (ParseModuleSchema on module.rs alone) the ASCII
// string type is told by its name.
func TestModuleSchemaSynText(t *testing.T) {
	path := filepath.Join("testdata", "modschema", "v7.2", "rust", "macros", "module.rs")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseModuleSchema(context.Background(), path, src)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := s.Key("license"); k.Kind != ValueASCIIString || !s.Syn || s.Messages.Punct.Format != "expected `,`" {
		t.Errorf("license %+v, syn %v, punct %q", k, s.Syn, s.Messages.Punct.Format)
	}
	// A module.rs with neither form.
	if _, err := ParseModuleSchema(context.Background(), "module.rs", []byte("impl Parse for ModuleInfo { fn parse() {} }\n")); err == nil {
		t.Error("no key list and no parse_ordered_fields!: an error")
	}
}

// The entries of a params block, read leniently.
func TestModuleParams(t *testing.T) {
	src := []byte(`module! {
    params: {
        a: i64 {
            default: -1,
            description: "x",
        },
        b: bool { default: 0, description: "y" }
        c: u8,
        d: { default: 1, },
        e: Vec<[u8; 2]> { description: "z", },
    },
}`)
	calls := ModuleCallsText(src, nil)
	if len(calls) != 1 {
		t.Fatalf("calls %+v", calls)
	}
	e, _ := calls[0].Entry("params")
	ps := ModuleParams(src, e)
	var got []string
	for _, p := range ps {
		var keys []string
		for _, f := range p.Block.Entries {
			keys = append(keys, f.Key)
		}
		got = append(got, p.Key+"|"+string(src[p.Type.Start:p.Type.End])+"|"+strings.Join(keys, ",")+"|"+
			map[bool]string{true: "block", false: "-"}[p.HasBlock]+"|"+map[bool]string{true: ",", false: "-"}[p.Comma])
	}
	want := []string{"a|i64|default,description|block|,", "b|bool|default,description|block|-", "c|u8||-|,", "d||default|block|,", "e|Vec<[u8; 2]>|description|block|,"}
	if !slices.Equal(got, want) {
		t.Errorf("params\n got %q\nwant %q", got, want)
	}
	if ps[0].Block.Entries[0].Shape != ShapeOther || string(src[ps[0].Block.Entries[0].Value.Start:ps[0].Block.Entries[0].Value.End]) != "-1" {
		t.Errorf("default %+v", ps[0].Block.Entries[0])
	}
	if ModuleParams(src, calls[0].Entries[0]) == nil {
		t.Error("a braced value has entries")
	}
	e.Shape = ShapeString
	if ModuleParams(src, e) != nil {
		t.Error("not a block: no entries")
	}
}

// Which invocations are the kernel's: the path, the file's macro_rules!
// and imports, and the crate's macros.
func TestMacroScope(t *testing.T) {
	src := []byte(`use kernel::prelude;
use kernel::module_pci_driver as pci_mod;
use zerocopy::module_x;
use crate::module_y;
// macro_rules! module_z { () => {} }
macro_rules! module { ($($t:tt)*) => {} }

module!(big_endian, BigEndian);
kernel::module! { }
::kernel::module! { }
prelude::module! { }
zerocopy::module! { }
::other::module! { }
crate::module_pci_driver! { }
module_pci_driver! { }
module_x! { }
module_y! { }
module_z! { }
module_w! { }
`)
	calls := ModuleCallsText(src, nil)
	for _, withTree := range []bool{false, true} {
		var f *File
		if withTree {
			var err error
			if f, err = Parse(context.Background(), "drivers/x/x.rs", src); err != nil {
				t.Fatal(err)
			}
		}
		sc := NewMacroScope("drivers/x/x.rs", src, f)
		sc.Crate = func(name string) bool { return name == "module_w" }
		var kernel []string
		for _, c := range calls {
			if sc.IsKernel(src, c) {
				kernel = append(kernel, strings.TrimSpace(string(src[c.Start:c.Open])))
			}
		}
		want := []string{"kernel::module!", "kernel::module!", "prelude::module!", "module_pci_driver!", "module_z!"}
		if !slices.Equal(kernel, want) {
			t.Errorf("tree %v: kernel's %q, want %q", withTree, kernel, want)
		}
		if f != nil {
			f.Close()
		}
	}
	// In the kernel crate, crate:: and the file's own macros are the
	// kernel's.
	sc := NewMacroScope("rust/kernel/net/phy.rs", src, nil)
	for _, c := range calls {
		if p := strings.TrimSpace(string(src[c.Start:c.Open])); (p == "crate::module_pci_driver!" || p == "module!") && !sc.IsKernel(src, c) {
			t.Errorf("%s in rust/kernel", p)
		}
	}
}

// CrateMacros finds the crate of a file through `mod` declarations from
// the roots of its folders.
func TestCrateMacros(t *testing.T) {
	dir := kerneltest.WriteTree(t, map[string]string{
		"drivers/foo/Makefile":      "obj-m += foo.o\n",
		"drivers/foo/foo.rs":        "mod sub;\n#[path = \"other_name.rs\"]\nmod renamed;\n// mod commented;\n",
		"drivers/foo/sub.rs":        "mod deeper;\n",
		"drivers/foo/sub/deeper.rs": "macro_rules! module_deep { () => {} }\n",
		"drivers/foo/other_name.rs": "// macro_rules! module_not { () => {} }\n",
		"drivers/foo/commented.rs":  "macro_rules! module_nope { () => {} }\n",
		"rust/zc/src/lib.rs":        "pub mod byteorder;\n",
		"rust/zc/src/byteorder.rs":  "macro_rules! module { () => {} }\n",
	})
	root, macros, files, ok := CrateMacros(filepath.Join(dir, "drivers/foo/sub/deeper.rs"), dir)
	if !ok || filepath.Base(root) != "foo.rs" || len(macros) != 1 || macros["module_deep"] == "" || len(files) < 4 {
		t.Errorf("foo: root %s macros %v files %v", root, macros, files)
	}
	if _, macros, _, ok := CrateMacros(filepath.Join(dir, "drivers/foo/other_name.rs"), dir); !ok || len(macros) != 1 {
		t.Errorf("#[path] module: %v %v", macros, ok)
	}
	if _, _, _, ok := CrateMacros(filepath.Join(dir, "drivers/foo/commented.rs"), dir); ok {
		t.Error("a file no mod declares belongs to no crate")
	}
	root, macros, _, ok = CrateMacros(filepath.Join(dir, "rust/zc/src/byteorder.rs"), dir)
	if !ok || filepath.Base(root) != "lib.rs" || macros["module"] == "" {
		t.Errorf("zc: %s %v %v", root, macros, ok)
	}
}

// The schema read from each fixture kernel, against what its module.rs
// says when read another way (regular expressions over its text): the
// hand-written EXPECTED_KEYS list, or the syn form's
// parse_ordered_fields! lines; the params types against module.rs's
// param_ops_path and module_param.rs's ModuleParam impls.
func TestModuleSchemaRealTrees(t *testing.T) {
	constRE := regexp.MustCompile(`(?s)const EXPECTED_KEYS: &\[&str\] =\s*&\[(.*?)\];`)
	quotedRE := regexp.MustCompile(`"([a-z_]+)"`)
	synLineRE := regexp.MustCompile(`(?m)^            ([a-z_]+)(?: as [a-z_]+)?( \[required\])? =>`)
	armRE := regexp.MustCompile(`(?m)^\s*"([a-z0-9]+)" => parse_quote!`)
	implRE := regexp.MustCompile(`(?m)^impl_int_module_param!\(([a-z0-9]+)\);`)
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			m := ReadModuleFacts(context.Background(), k.Src)
			if len(m.Problems) != 0 || m.Schema.Source == "" {
				t.Fatalf("problems %v", m.Problems)
			}
			mod, err := os.ReadFile(filepath.Join(k.Src, "rust/macros/module.rs"))
			if err != nil {
				t.Fatal(err)
			}
			var want, required []string
			if c := constRE.FindSubmatch(mod); c != nil && quotedRE.Match(c[1]) {
				for _, q := range quotedRE.FindAllSubmatch(c[1], -1) {
					want = append(want, string(q[1]))
				}
			} else {
				info := mod[strings.Index(string(mod), "impl Parse for ModuleInfo"):]
				for _, l := range synLineRE.FindAllSubmatch(info, -1) {
					want = append(want, string(l[1]))
					if len(l[2]) > 0 {
						required = append(required, string(l[1]))
					}
				}
			}
			if got := m.Schema.Names(); !slices.Equal(got, want) {
				t.Errorf("keys %v, module.rs says %v", got, want)
			}
			if m.Schema.Syn {
				var req []string
				for _, key := range m.Schema.Keys {
					if key.Required {
						req = append(req, key.Name)
					}
				}
				if !slices.Equal(req, required) {
					t.Errorf("required %v, module.rs says %v", req, required)
				}
			}
			_, hasAuthors := m.Schema.Key("authors")
			_, hasAuthor := m.Schema.Key("author")
			if hasAuthors == hasAuthor {
				t.Errorf("author %v, authors %v: one or the other", hasAuthor, hasAuthors)
			}
			pk, hasParams := m.Schema.Key("params")
			if hasParams != moduleRsMentions(mod, "params") {
				t.Errorf("params %v", hasParams)
			}
			if hasParams {
				if pk.Kind != ValueParams || pk.Params == nil {
					t.Fatalf("params %+v", pk)
				}
				mp, err := os.ReadFile(filepath.Join(k.Src, "rust/kernel/module_param.rs"))
				if err != nil {
					t.Fatal(err)
				}
				impls := map[string]bool{}
				for _, i := range implRE.FindAllSubmatch(mp, -1) {
					impls[string(i[1])] = true
				}
				var types []string
				for _, a := range armRE.FindAllSubmatch(mod, -1) {
					if impls[string(a[1])] {
						types = append(types, string(a[1]))
					}
				}
				if len(types) == 0 || !slices.Equal(pk.Params.Types, types) {
					t.Errorf("parameter types %v, the tree's %v", pk.Params.Types, types)
				}
				if d, ok := pk.Params.Fields.Key("default"); !ok || !d.Required {
					t.Errorf("a parameter's default %+v", d)
				}
				if d, ok := pk.Params.Fields.Key("description"); !ok || !d.Required || d.Kind != ValueString {
					t.Errorf("a parameter's description %+v", d)
				}
			}
			t.Logf("Linux %s (syn %v): %v", k.Version, m.Schema.Syn, m.Schema.Names())
		})
	}
}

func moduleRsMentions(b []byte, key string) bool {
	return regexp.MustCompile(`\b` + key + `\b`).Match(b)
}
