package symbols

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// The module! schema read from fixtures written after older and newer
// kernels (testdata/modschema), and from the real trees.

type keyWant struct {
	name     string
	kind     ModuleValueKind
	required bool
}

func checkKeys(t *testing.T, s *ModuleSchema, want []keyWant) {
	t.Helper()
	if len(s.Keys) != len(want) {
		t.Fatalf("keys %v, want %d keys", s.Names(), len(want))
	}
	for i, w := range want {
		k := s.Keys[i]
		if k.Name != w.name || k.Kind != w.kind || k.Required != w.required {
			t.Errorf("key %d = %s %v required=%v, want %s %v required=%v", i, k.Name, k.Kind, k.Required, w.name, w.kind, w.required)
		}
	}
}

func TestModuleSchemaByteStringEra(t *testing.T) {
	m := ReadModuleFacts(context.Background(), filepath.Join("testdata", "modschema", "v6.1"))
	if len(m.Problems) != 1 { // no rust/kernel: no driver macros
		t.Errorf("problems %v, want the missing rust/kernel only", m.Problems)
	}
	checkKeys(t, m.Schema, []keyWant{
		{"type", ValueIdent, true},
		{"name", ValueByteString, true},
		{"author", ValueByteString, false},
		{"description", ValueByteString, false},
		{"license", ValueByteString, true},
		{"alias", ValueByteString, false},
	})
	if !m.Schema.Ordered {
		t.Error("6.1 checks the order")
	}
	// Positional arguments, as 6.1 wrote them.
	got := m.Schema.Messages.Unknown.Render(map[string]string{"key": "autor", "EXPECTED_KEYS": DebugList(m.Schema.Names())})
	if want := `Unknown key "autor". Valid keys are: ["type", "name", "author", "description", "license", "alias"].`; got != want {
		t.Errorf("unknown message %q, want %q", got, want)
	}
	if got := m.Schema.Messages.Duplicate.Render(map[string]string{"key": "name"}); got != `Duplicated key "name". Keys can only be specified once.` {
		t.Errorf("duplicate message %q", got)
	}
	// 6.1's helpers.rs reads byte strings without looking at escapes.
	if msg := m.Schema.Messages; !m.Schema.Comma || msg.Escape.Format != "" || msg.Raw.Format != "" || msg.Punct.Format != "Expected Punct" {
		t.Errorf("comma %v, helper messages %+v", m.Schema.Comma, msg)
	}
	if k, _ := m.Schema.Key("name"); k.Doc != "byte array of the name of the kernel module (required)." {
		t.Errorf("name doc %q", k.Doc)
	}
	if len(m.Licenses) != 6 || m.Licenses[0].Name != "GPL" || !m.Licenses[5].GPL {
		t.Errorf("licences %v", m.Licenses)
	}
}

func TestModuleSchemaAuthorsAndParams(t *testing.T) {
	m := ReadModuleFacts(context.Background(), filepath.Join("testdata", "modschema", "v6.18"))
	if len(m.Problems) != 0 {
		t.Errorf("problems %v", m.Problems)
	}
	checkKeys(t, m.Schema, []keyWant{
		{"type", ValueIdent, true},
		{"name", ValueASCIIString, true},
		{"authors", ValueStringArray, false},
		{"description", ValueString, false},
		{"license", ValueASCIIString, true},
		{"alias", ValueStringArray, false},
		{"firmware", ValueStringArray, false},
		{"imports_ns", ValueStringArray, false},
		{"params", ValueParams, false},
	})
	if _, ok := m.Schema.Key("author"); ok {
		t.Error("author is not a key of this kernel")
	}
	// The hand-written params reader: expect_params asserts each key of
	// a parameter's block, through expect_param_default and helpers.rs's
	// expect_string_field; a `,` after every entry.
	k, _ := m.Schema.Key("params")
	ps := k.Params
	if ps == nil || k.Helper != "expect_params" {
		t.Fatalf("params %+v", k)
	}
	checkKeys(t, ps.Fields, []keyWant{{"default", ValueLiteral, true}, {"description", ValueString, true}})
	if !slices.Equal(ps.Types, []string{"i8", "u8", "i32", "u32", "i64"}) || ps.Separated || ps.TypeHelper != "expect_ident" {
		t.Errorf("types %v (the commented-out bool is no arm), separated %v, type %q", ps.Types, ps.Separated, ps.TypeHelper)
	}
	if got := ps.Unsupported.Render(map[string]string{"t": "bool"}); got != "Unsupported parameter type bool" {
		t.Errorf("unsupported %q", got)
	}
	if msg := ps.Fields.Messages; msg.Escape.Format == "" || msg.Punct.Format != "Expected Punct" || !ps.Fields.Ordered || !ps.Fields.Comma {
		t.Errorf("a parameter's block is read with the same helpers: %+v", msg)
	}
	if msg := m.Schema.Messages; msg.Escape.Format != "Escape sequences in string literals not yet handled" || msg.Raw.Format != "Raw string literals are not yet handled" || msg.PunctEnd.Format != "Reached end of token stream for Punct" {
		t.Errorf("helper messages %+v", msg)
	}
	if got := m.Schema.Messages.ASCII.Render(nil); got != "Expected ASCII string literal" {
		t.Errorf("ASCII message from helpers.rs: %q", got)
	}
	if k, _ := m.Schema.Key("firmware"); k.Doc != "array of ASCII string literals of the firmware files of the kernel module." {
		t.Errorf("continued doc line: %q", k.Doc)
	}
	if got := m.DriverNames(); !slices.Equal(got, []string{"module_driver", "module_phy_driver", "module_platform_driver"}) {
		t.Fatalf("driver macros %v", got)
	}
	plat := m.Drivers["module_platform_driver"]
	if want := []string{"type", "name", "authors", "description", "license", "alias", "firmware", "imports_ns", "params"}; !slices.Equal(plat.Schema.Names(), want) {
		t.Errorf("module_platform_driver keys %v, want %v", plat.Schema.Names(), want)
	}
	if k := plat.Schema.Keys[0]; k.Kind != ValueType || !k.Required || plat.Own != 1 {
		t.Errorf("module_platform_driver's type: %+v own %d", k, plat.Own)
	}
	if !strings.Contains(plat.Doc, "single platform driver") {
		t.Errorf("doc %q", plat.Doc)
	}
	phy := m.Drivers["module_phy_driver"]
	if want := []string{"drivers", "device_table", "name", "authors", "description", "license", "alias", "firmware", "imports_ns", "params"}; !slices.Equal(phy.Schema.Names(), want) {
		t.Errorf("module_phy_driver keys %v", phy.Schema.Names())
	}
	if !slices.Equal(phy.Preset, []string{"type"}) || phy.Schema.Keys[0].Kind != ValueArray {
		t.Errorf("module_phy_driver preset %v, first key %+v", phy.Preset, phy.Schema.Keys[0])
	}
	if len(m.Licenses) != 7 || m.Licenses[6] != (License{Name: "Proprietary"}) {
		t.Errorf("licences %v", m.Licenses)
	}
}

func TestModuleSchemaNoTree(t *testing.T) {
	m := ReadModuleFacts(context.Background(), t.TempDir())
	if len(m.Problems) == 0 {
		t.Error("an empty tree should report what it lacks")
	}
	if got := m.Schema.Names(); !slices.Equal(got, BuiltinModuleSchema().Names()) {
		t.Errorf("fallback keys %v", got)
	}
	b := BuiltinModuleFacts()
	if b.SchemaOf("module_phy_driver") == nil || b.SchemaOf("module") == nil || b.SchemaOf("nope") != nil {
		t.Error("built-in facts")
	}
}

func TestModuleSchemaUnrecognised(t *testing.T) {
	if _, err := ParseModuleSchema(context.Background(), "module.rs", []byte("fn main() {}\n// const EXPECTED_KEYS: &[&str] = &[\"x\"];\n")); err == nil {
		t.Error("a module.rs without a key list (one in a comment) should be an error")
	}
}

// helperKinds are the kinds of the value helpers module.rs calls before
// syn (`"name" => info.name = expect_string_ascii(it)`).
var helperKinds = map[string]ModuleValueKind{
	"expect_ident": ValueIdent, "expect_string_ascii": ValueASCIIString, "expect_string": ValueString,
	"expect_byte_string": ValueByteString, "expect_string_array": ValueStringArray, "expect_group": ValueGroup,
}

// synKinds are the kinds of the module! keys with syn, by name.
var synKinds = map[string]ModuleValueKind{
	"type": ValueType,
	"name": ValueASCIIString, "author": ValueString, "authors": ValueStringArray, "description": ValueString,
	"license": ValueASCIIString, "alias": ValueStringArray, "firmware": ValueStringArray,
	"imports_ns": ValueStringArray, "params": ValueParams,
}

var (
	helperArmRE    = regexp.MustCompile(`"([a-z_]+)" => info\.[a-z_]+ = (?:Some\()?(expect_[a-z_]+)\(`)
	requiredKeysRE = regexp.MustCompile(`const REQUIRED_KEYS: &\[&str\] = &\[([^\]]*)\];`)
	quotedRE       = regexp.MustCompile(`"([^"]*)"`)
	strcmpRE       = regexp.MustCompile(`strcmp\(license, "([^"]*)"\)`)
	objLineRE      = regexp.MustCompile(`(?m)^[ \t]*(obj-[^\s:+=]*|[A-Za-z0-9_-]+?-(?:y|objs|\$\([A-Z0-9_]+\)))\s*[:+]?=([^\n\\]*(?:\\\n[^\n\\]*)*)`)
)

// TestModuleSchemaRealTree reads each fixture kernel's module! facts and
// compares them with the tree's text: the kinds of its keys (the names
// themselves: TestModuleSchemaRealTrees) by the helper module.rs reads
// each with before syn, REQUIRED_KEYS there, the
// messages module.rs writes, the driver macros of rust/kernel that pass
// their input on to module!, the licences of license.h, and the object
// each module of samples/rust and drivers builds as, by its Makefile.
func TestModuleSchemaRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			root := k.Src
			m := ReadModuleFacts(context.Background(), root)
			if len(m.Problems) != 0 {
				t.Fatalf("problems %v", m.Problems)
			}
			if m.Schema.Source == "" {
				t.Fatal("the schema must be read from the tree")
			}
			mod, err := os.ReadFile(filepath.Join(root, "rust/macros/module.rs"))
			if err != nil {
				t.Fatal(err)
			}
			required := map[string]bool{}
			if r := requiredKeysRE.FindSubmatch(mod); r != nil {
				for _, q := range quotedRE.FindAllSubmatch(r[1], -1) {
					required[string(q[1])] = true
				}
			} else if !m.Schema.Syn {
				t.Fatal("module.rs before syn without REQUIRED_KEYS")
			}
			kinds := synKinds
			if !m.Schema.Syn {
				kinds = map[string]ModuleValueKind{}
				for _, a := range helperArmRE.FindAllSubmatch(mod, -1) {
					kinds[string(a[1])] = helperKinds[string(a[2])]
				}
			}
			var want []keyWant
			for _, key := range m.Schema.Keys {
				kind, ok := kinds[key.Name]
				if !ok {
					t.Errorf("a key of no known kind: %s", key.Name)
				}
				req := required[key.Name]
				if m.Schema.Syn {
					req = key.Required // TestModuleSchemaRealTrees reads them from parse_ordered_fields!
				}
				want = append(want, keyWant{key.Name, kind, req})
			}
			checkKeys(t, m.Schema, want)
			// Read, not built in: the same as the fallback on 6.12, whose
			// the built-in schema is.
			if k.Version == "6.12" {
				b := BuiltinModuleSchema()
				for i, k := range m.Schema.Keys {
					if k.Doc != strings.ReplaceAll(b.Keys[i].Doc, "`Module`", "[`Module`]") {
						t.Errorf("%s doc %q vs built-in %q", k.Name, k.Doc, b.Keys[i].Doc)
					}
				}
				if !reflect.DeepEqual(m.Schema.Messages, defaultMessages) {
					t.Errorf("messages %+v", m.Schema.Messages)
				}
			}
			msg := m.Schema.Messages
			for _, f := range []string{msg.Unknown.Format, msg.Duplicate.Format, msg.Missing.Format, msg.Order.Format} {
				if f == "" || !strings.Contains(string(mod), f) && !strings.Contains(string(mod), strings.ReplaceAll(f, `"`, `\"`)) {
					t.Errorf("message %q is not in module.rs", f)
				}
			}
			if !m.Schema.Comma {
				t.Error("module! keys end with a comma in every kernel")
			}
			if got, want := m.DriverNames(), driverMacros(t, root); !slices.Equal(got, want) {
				t.Errorf("driver macros %v, rust/kernel's %v", got, want)
			}
			if d := m.Drivers["module_phy_driver"]; d != nil {
				if got, want := d.Schema.Names(), builtinPhyDriver(m.Schema).Schema.Names(); !slices.Equal(got, want) {
					t.Errorf("module_phy_driver %v, built-in %v", got, want)
				}
			}
			lic, err := os.ReadFile(filepath.Join(root, "include/linux/license.h"))
			if err != nil {
				t.Fatal(err)
			}
			var gpl []string
			for _, l := range m.Licenses {
				if l.GPL {
					gpl = append(gpl, l.Name)
				}
			}
			var wantGPL []string
			for _, s := range strcmpRE.FindAllSubmatch(lic, -1) {
				wantGPL = append(wantGPL, string(s[1]))
			}
			if !slices.Equal(gpl, wantGPL) || !slices.Contains(m.Licenses, License{"Proprietary", false}) {
				t.Errorf("licences %v, license.h's %v", m.Licenses, wantGPL)
			}
			objects := 0
			for _, rel := range moduleFiles(t, root) {
				want := makefileObject(t, filepath.Join(root, rel))
				if got, _, ok := ObjectName(filepath.Join(root, rel)); !ok || got != want {
					t.Errorf("object of %s = %q %v, the Makefile's %q", rel, got, ok, want)
				}
				objects++
			}
			if objects == 0 {
				t.Error("no module in samples/rust or drivers")
			}
			t.Logf("%d keys, %d driver macros, %d modules", len(m.Schema.Keys), len(m.Drivers), objects)
		})
	}
}

// driverMacros reads rust/kernel for its macro_rules! whose bodies, out
// of comments, invoke module! or another such macro.
func driverMacros(t *testing.T, root string) []string {
	bodies := map[string]string{}
	filepath.WalkDir(filepath.Join(root, "rust/kernel"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rs") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := commentRE.ReplaceAllString(string(b), "")
		for _, m := range macroRulesRE.FindAllStringSubmatchIndex(text, -1) {
			open := strings.IndexByte(text[m[1]:], '{')
			if open < 0 {
				continue
			}
			depth, i := 0, m[1]+open
			for ; i < len(text); i++ {
				if text[i] == '{' {
					depth++
				} else if text[i] == '}' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			bodies[text[m[2]:m[3]]] = text[m[1]+open : i]
		}
		return nil
	})
	invokes := func(body, name string) bool {
		return regexp.MustCompile(`(?:^|[^A-Za-z0-9_])` + name + `!`).MatchString(body)
	}
	found := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, body := range bodies {
			if found[name] {
				continue
			}
			if invokes(body, "module") {
				found[name] = true
				changed = true
				continue
			}
			for other := range found {
				if invokes(body, other) {
					found[name] = true
					changed = true
					break
				}
			}
		}
	}
	var out []string
	for name := range found {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// moduleFiles are the files of samples/rust and drivers that declare a
// module (a module! or module_*! invocation at a line's start).
func moduleFiles(t *testing.T, root string) []string {
	decl := regexp.MustCompile(`(?m)^(?:kernel::)?module(?:_[a-z0-9_]+)?!\s*[{(]`)
	var out []string
	for _, dir := range []string{"samples/rust", "drivers"} {
		filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rs") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if decl.Match(b) {
				rel, _ := filepath.Rel(root, p)
				out = append(out, filepath.ToSlash(rel))
			}
			return nil
		})
	}
	return out
}

// makefileObject reads the Makefile (or Kbuild) beside file for the
// object it builds: its own name on an obj- line, else the composite
// object whose -y or -objs list holds it.
func makefileObject(t *testing.T, file string) string {
	stem := strings.TrimSuffix(filepath.Base(file), ".rs")
	for _, name := range []string{"Kbuild", "Makefile"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(file), name))
		if err != nil {
			continue
		}
		own := regexp.MustCompile(`(?:^|\s)` + regexp.QuoteMeta(stem) + `\.o\b`)
		composite := ""
		for _, m := range objLineRE.FindAllStringSubmatch(string(b), -1) {
			if !own.MatchString(m[2]) {
				continue
			}
			if strings.HasPrefix(m[1], "obj-") {
				return stem
			}
			composite = m[1][:strings.LastIndexByte(m[1], '-')]
		}
		if composite != "" {
			return composite
		}
	}
	t.Errorf("%s: no Makefile builds it", file)
	return ""
}

func TestObjectName(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Makefile", "obj-m := single.o\nobj-$(CONFIG_X) += \\\n\tcomposite.o # trailing\ncomposite-objs := part.o other.o\nobj-y += built_y.o\nfoo-y := notlisted.o\n")
	for file, want := range map[string]string{
		"single.rs": "single", "part.rs": "composite", "other.rs": "composite", "built_y.rs": "built_y", "notlisted.rs": "", "absent.rs": "",
	} {
		got, _, ok := ObjectName(filepath.Join(dir, file))
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", file, got, ok, want)
		}
	}
	// Kbuild wins over Makefile (an out-of-tree module's Makefile calls make).
	write("Kbuild", "obj-m += kbuilt.o\n")
	if got, mk, _ := ObjectName(filepath.Join(dir, "kbuilt.rs")); got != "kbuilt" || filepath.Base(mk) != "Kbuild" {
		t.Errorf("Kbuild: %q from %s", got, mk)
	}
}

func TestModuleCalls(t *testing.T) {
	src := []byte(`// module! { type: InComment, }
use kernel::prelude::*;
use kernel::{sync::Mutex, my::Thing as Alias};

module! {
    type: Mod,
    name: "a\u{e9}",
    author b"x",
    alias: ["x", "y",],
    params: { p: i32 { default: 1, }, },
    license: "GPL"
}

macro_rules! m { () => { module! { $($f)* } } }

struct Mod;
enum Other {}
impl kernel::Module for Mod {}
trait T { type Assoc; }

kernel::module_phy_driver! {
    drivers: [A, B],
    device_table: [DeviceId::new(1)],
    name: "x",
`)
	f, err := Parse(context.Background(), "x.rs", src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	calls := ModuleCalls(f, func(n string) bool { return n == "module_phy_driver" })
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2: %+v", len(calls), calls)
	}
	c := calls[0]
	if !c.Closed || c.Macro != "module" {
		t.Errorf("call %+v", c)
	}
	var keys []string
	for _, e := range c.Entries {
		keys = append(keys, e.Key)
	}
	if want := []string{"type", "name", "author", "alias", "params", "license"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	shapes := []ValueShape{ShapeIdent, ShapeString, ShapeByteString, ShapeArray, ShapeGroup, ShapeString}
	for i, e := range c.Entries {
		if e.Shape != shapes[i] {
			t.Errorf("%s shape %d, want %d", e.Key, e.Shape, shapes[i])
		}
	}
	if c.Entries[2].Colon || !c.Entries[0].Comma || c.Entries[5].Comma {
		t.Errorf("colon/comma: %+v", c.Entries)
	}
	if len(c.Entries[3].Strings) != 2 || c.Entries[3].Strings[1].Value != "y" {
		t.Errorf("alias strings %+v", c.Entries[3].Strings)
	}
	d := calls[1]
	if d.Closed || d.Macro != "module_phy_driver" || len(d.Entries) != 3 || d.Entries[1].Shape != ShapeArray || string(src[d.Start:d.Name.Start]) != "kernel::" {
		t.Errorf("driver call %+v", d)
	}
	if at, ok := ModuleCallAt(src, c.Entries[1].Value.Start+1, nil); !ok || at.Open != c.Open {
		t.Errorf("ModuleCallAt: %+v %v", at, ok)
	}
	if _, ok := ModuleCallAt(src, c.Open, nil); ok {
		t.Error("the cursor before the brace is not inside")
	}
	types := TypesInFile(f)
	if len(types) != 2 || types[0].Name != "Mod" || !types[0].Module || types[1].Name != "Other" {
		t.Errorf("types %+v", types)
	}
	names, glob := ImportedNames(src)
	if glob || !names["Mutex"] || !names["Alias"] || names["Thing"] {
		t.Errorf("imports %v glob %v", names, glob)
	}
}

// The helpers' messages are read by the fn they are in, in code only.
func TestModuleHelperMessages(t *testing.T) {
	src := []byte(`// panic!("Escape sequences in a comment");
pub(crate) fn try_string(it: &mut token_stream::IntoIter) -> Option<String> {
    try_literal(it).and_then(|string| {
        if string.starts_with('\"') && string.ends_with('"') {
            if string.contains('\\') {
                panic!("Escapes are not handled: {}", string);
            }
            Some(string)
        } else if string.starts_with("r\"") {
            panic!("Raw string literals: no");
        } else {
            None
        }
    })
}
pub(crate) fn expect_punct(it: &mut token_stream::IntoIter) -> char {
    if let TokenTree::Punct(punct) = it.next().expect("No more tokens where a Punct goes") {
        punct.as_char()
    } else {
        panic!("Not a Punct");
    }
}
`)
	s := &ModuleSchema{}
	s.applyHelperMessages(helperMessages(src))
	want := ModuleMessages{
		Escape:   RustFormat{Format: "Escapes are not handled: {}", Args: []string{"string"}},
		Raw:      RustFormat{Format: "Raw string literals: no"},
		Punct:    RustFormat{Format: "Not a Punct"},
		PunctEnd: RustFormat{Format: "No more tokens where a Punct goes"},
	}
	if !reflect.DeepEqual(s.Messages, want) {
		t.Errorf("messages %+v\nwant %+v", s.Messages, want)
	}
	// A module.rs without the comma assertion does not require commas.
	schema, err := ParseModuleSchema(context.Background(), "module.rs", []byte(`const EXPECTED_KEYS: &[&str] = &["type"];
// assert_eq!(expect_punct(it), ',');
`))
	if err != nil || schema.Comma || schema.Messages.Escape.Format != "" {
		t.Errorf("schema %+v %v", schema, err)
	}
}

// A value that lost its comma ends where the next `key:` begins; string
// literals say whether they are raw or hold escapes.
func TestModuleCallsMissingComma(t *testing.T) {
	src := []byte(`module! { type: M name: r"t1", author: "a\"b" description: r#"d"#, alias: ["x"] license: kernel::L firmware: Foo<T: Send>, }`)
	c := ModuleCallsText(src, nil)
	if len(c) != 1 {
		t.Fatalf("calls %+v", c)
	}
	var got []string
	for _, e := range c[0].Entries {
		got = append(got, fmt.Sprintf("%s:%s,%v", e.Key, src[e.Value.Start:e.Value.End], e.Comma))
	}
	want := []string{"type:M,false", `name:r"t1",true`, `author:"a\"b",false`, `description:r#"d"#,true`, `alias:["x"],false`, "license:kernel::L,false", "firmware:Foo<T: Send>,true"}
	if !slices.Equal(got, want) {
		t.Errorf("entries\n got %q\nwant %q", got, want)
	}
	es := c[0].Entries
	if s := es[1].Strings[0]; !s.Raw || s.Escapes || s.Value != "t1" {
		t.Errorf("raw %+v", s)
	}
	if s := es[2].Strings[0]; s.Raw || !s.Escapes || s.Value != `a"b` {
		t.Errorf("escaped %+v", s)
	}
	if s := es[3].Strings[0]; !s.Raw || s.Value != "d" {
		t.Errorf("raw with hashes %+v", s)
	}
}
