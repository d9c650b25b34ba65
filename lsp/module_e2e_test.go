package lsp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
)

// The module! features against the built binary on the real 6.12 tree:
// the facts come from its rust/macros/module.rs, rust/kernel/net/phy.rs,
// include/linux/license.h and the Makefiles next to the samples.

var snippetCaps = map[string]any{
	"textDocument": map[string]any{
		"hover":      map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
		"completion": map[string]any{"completionItem": map[string]any{"snippetSupport": true}},
	},
}

// moduleSample opens samples/rust/rust_minimal.rs of the real tree with
// its module! block replaced by block.
func moduleSample(t *testing.T, p *process, block string, v int32) (uri, text string) {
	t.Helper()
	src, _ := kernelFixture(t)
	path := filepath.Join(src, "samples", "rust", "rust_minimal.rs")
	orig := readFile(t, path)
	i := strings.Index(orig, "module! {")
	j := strings.Index(orig[i:], "}\n") + i + 2
	text = orig[:i] + block + orig[j:]
	uri = pathToURI(path)
	if v == 1 {
		p.open(uri, text, v)
	} else {
		p.change(uri, text, v)
	}
	return uri, text
}

func completionItems(t *testing.T, r message) []protocol.CompletionItem {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("completion: %v", r)
	}
	return decodeParams[protocol.CompletionList](t, r.Result).Items
}

func labels(items []protocol.CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

// codeActionsFor returns the quick fixes of the diagnostic with code.
func codeActionsFor(t *testing.T, p *process, uri string, pub publishParams, code string) (protocol.Diagnostic, []protocol.CodeAction) {
	t.Helper()
	d := findDiag(pub.Diagnostics, code)
	if d == nil {
		t.Fatalf("no %s diagnostic: %+v", code, pub.Diagnostics)
	}
	r := p.call("textDocument/codeAction", codeActionParams(uri, d.Range, []protocol.Diagnostic{*d}))
	return *d, decodeParams[[]protocol.CodeAction](t, r.Result)
}

func TestEndToEndModuleDiagnostics(t *testing.T) {
	src, obj := kernelFixture(t)
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, snippetCaps)

	// The pristine samples and PHY drivers: nothing but the two PHY
	// drivers' names, which differ from their objects (information).
	for _, rel := range []string{"samples/rust/rust_minimal.rs", "samples/rust/rust_print.rs", "drivers/block/rnull.rs", "drivers/net/phy/qt2025.rs", "drivers/net/phy/ax88796b_rust.rs"} {
		path := filepath.Join(src, rel)
		uri := pathToURI(path)
		p.open(uri, readFile(t, path), 1)
		pub := p.diagnosticsFor(uri, version(1))
		for _, d := range pub.Diagnostics {
			if !strings.HasPrefix(d.Code.(string), "module-") {
				continue
			}
			if d.Code == "module-name-mismatch" && strings.HasPrefix(rel, "drivers/net/phy/") && d.Severity == protocol.DiagnosticSeverityInformation {
				continue
			}
			t.Errorf("%s: %s %s", rel, d.Code, d.Message)
		}
		p.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
	}

	// Each problem in a module! block of its own.
	blocks := `module! {
    type: RustMinimal,
    name: "rust_minimal",
    autor: "Rust for Linux Contributors",
    license: "GPL",
}

module! {
    type: RustMinimal,
    author: "A",
}

module! {
    type: RustMinimal,
    name: "rust_minimal",
    name: "rust_minimal",
    license: "GPL",
}

module! {
    name: "rust_minimal",
    type: RustMinimal,
    license: "GPL",
}

module! {
    type: RustMinmal,
    name: "rüst_minimal",
    license: "MIT",
}

module! {
    type: RustMinimal,
    name: b"rust_minimal",
    license: "GPL",
}
`
	uri, text := moduleSample(t, p, blocks, 1)
	pub := p.diagnosticsFor(uri, version(1))
	codes := map[string]int{}
	for _, d := range pub.Diagnostics {
		codes[d.Code.(string)]++
	}
	for code, n := range map[string]int{
		"module-unknown-key": 1, "module-missing-key": 2, "module-duplicate-key": 1, "module-key-order": 1,
		"module-unknown-type": 1, "module-non-ascii": 1, "module-name-mismatch": 1, "module-unknown-license": 1, "module-value-kind": 1,
	} {
		if codes[code] != n {
			t.Errorf("%s: %d diagnostics, want %d", code, codes[code], n)
		}
	}

	// Quick fixes, with what each makes of the text.
	for _, tc := range []struct{ code, title, want string }{
		{"module-unknown-key", "Replace with author", `    author: "Rust for Linux Contributors",`},
		{"module-missing-key", "Insert name", "    type: RustMinimal,\n    name: \"rust_minimal\",\n    author: \"A\",\n}"},
		{"module-duplicate-key", "Remove this name", "    name: \"rust_minimal\",\n    license: \"GPL\",\n}\n\nmodule! {\n    name:"},
		{"module-key-order", "Reorder the keys", "module! {\n    type: RustMinimal,\n    name: \"rust_minimal\",\n    license: \"GPL\",\n}\n\nmodule! {\n    type: RustMinmal,"},
		{"module-unknown-type", "Replace with RustMinimal", "    type: RustMinimal,\n    name: \"rüst_minimal\","},
		{"module-name-mismatch", `Name it "rust_minimal"`, "    type: RustMinmal,\n    name: \"rust_minimal\","},
		{"module-unknown-license", `Replace with "Dual MIT/GPL"`, `license: "Dual MIT/GPL",`},
		{"module-value-kind", "Use a string literal", "    type: RustMinimal,\n    name: \"rust_minimal\",\n    license: \"GPL\",\n}\n\nstruct"},
	} {
		d, actions := codeActionsFor(t, p, uri, pub, tc.code)
		var got []string
		found := false
		for _, a := range actions {
			got = append(got, a.Title)
			if a.Title != tc.title {
				continue
			}
			found = true
			fixed, _ := applyEdits(t, text, a.Edit.Changes[protocol.DocumentURI(uri)])
			if !strings.Contains(fixed, tc.want) {
				t.Errorf("%s: %q made\n%s", tc.code, tc.title, fixed)
			}
		}
		if !found {
			t.Errorf("%s (%s): actions %q, want %q", tc.code, d.Message, got, tc.title)
		}
	}
	// The messages are module.rs's.
	if d := findDiag(pub.Diagnostics, "module-unknown-key"); !strings.HasPrefix(d.Message, `Unknown key "autor". Valid keys are: ["type", "name", "author", "description", "license", "alias", "firmware"].`) {
		t.Errorf("unknown key: %q", d.Message)
	}
	if d := findDiag(pub.Diagnostics, "module-non-ascii"); !strings.HasPrefix(d.Message, "Expected ASCII string") {
		t.Errorf("non-ASCII: %q", d.Message)
	}

	// Applying the reorder clears its diagnostic.
	_, actions := codeActionsFor(t, p, uri, pub, "module-key-order")
	_, changes := applyEdits(t, text, actions[0].Edit.Changes[protocol.DocumentURI(uri)])
	p.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": changes})
	pub = p.diagnosticsFor(uri, version(2))
	if d := findDiag(pub.Diagnostics, "module-key-order"); d != nil {
		t.Errorf("still misordered: %+v", d)
	}
	stopKrls(p)
}

// The build-breaking slips module.rs and its helpers panic on (a lost
// comma, escapes, raw strings), a licence the kernel knows but does not
// count as GPL-compatible, and the reorder fix keeping comments with
// their entries, on the real tree.
func TestEndToEndModuleSyntaxAndLiterals(t *testing.T) {
	src, obj := kernelFixture(t)
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, snippetCaps)

	uri, text := moduleSample(t, p, `module! { type: RustMinimal name: "rust_minimal", license: "GPL" }

module! {
    type: RustMinimal,
    name: r"rust_minimal",
    description: "a \"quoted\" word",
    license: "Proprietary",
}

module! {
    type: RustMinimal,
    /* desc */ description: "d",
    name: "rust_minimal", // the name
    license: "GPL",
}
`, 1)
	pub := p.diagnosticsFor(uri, version(1))
	codes := map[string]int{}
	for _, d := range pub.Diagnostics {
		if c := d.Code.(string); strings.HasPrefix(c, "module-") {
			codes[c]++
		}
	}
	if want := map[string]int{"module-syntax": 2, "module-string-literal": 2, "module-non-gpl-license": 1, "module-key-order": 1}; !reflect.DeepEqual(codes, want) {
		t.Errorf("diagnostics %v, want %v", codes, want)
	}
	if d := findDiag(pub.Diagnostics, "module-syntax"); d == nil || d.Message != "Expected Punct: module! expects a `,` after the value of `type`, before `name`" || d.Severity != protocol.DiagnosticSeverityError {
		t.Errorf("syntax: %+v", d)
	}
	if d := findDiag(pub.Diagnostics, "module-non-gpl-license"); d == nil || !strings.HasPrefix(d.Message, `the licence "Proprietary" is not GPL-compatible`) || d.Severity != protocol.DiagnosticSeverityWarning {
		t.Errorf("licence: %+v", d)
	}
	for _, tc := range []struct{ code, title, want string }{
		{"module-syntax", "Insert `,`", `module! { type: RustMinimal, name: "rust_minimal", license: "GPL" }`},
		{"module-string-literal", `Write it as "rust_minimal"`, "    type: RustMinimal,\n    name: \"rust_minimal\",\n    description: \"a"},
		{"module-key-order", "Reorder the keys", "    type: RustMinimal,\n    name: \"rust_minimal\", // the name\n    /* desc */ description: \"d\",\n    license: \"GPL\",\n}"},
	} {
		d, actions := codeActionsFor(t, p, uri, pub, tc.code)
		if len(actions) == 0 || actions[0].Title != tc.title {
			t.Errorf("%s (%s): actions %+v, want %q", tc.code, d.Message, actions, tc.title)
			continue
		}
		if fixed, _ := applyEdits(t, text, actions[0].Edit.Changes[protocol.DocumentURI(uri)]); !strings.Contains(fixed, tc.want) {
			t.Errorf("%s: %q made\n%s", tc.code, tc.title, fixed)
		}
	}
	stopKrls(p)
}

func TestEndToEndModuleCompletion(t *testing.T) {
	src, obj := kernelFixture(t)
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, snippetCaps)

	// Keys not yet written, in the required order, as snippets.
	uri, text := moduleSample(t, p, "module! {\n    type: RustMinimal,\n    \n    license: \"GPL\",\n}\n", 1)
	items := completionItems(t, p.call("textDocument/completion", at(t, uri, text, "RustMinimal,\n    ", 0, len("RustMinimal,\n    "))))
	if got := strings.Join(labels(items), " "); got != "name author description alias firmware" {
		t.Errorf("keys: %s", got)
	}
	if len(items) > 0 {
		it := items[0]
		if it.TextEdit == nil || it.TextEdit.NewText != `name: "$1",` || it.InsertTextFormat != protocol.InsertTextFormatSnippet || it.Kind != protocol.CompletionItemKindProperty || it.Detail != "ASCII string literal (required)" {
			t.Errorf("name item %+v", it)
		}
		if items[0].SortText >= items[1].SortText {
			t.Errorf("sort %q %q", items[0].SortText, items[1].SortText)
		}
	}
	// A key being typed.
	uri, text = moduleSample(t, p, "module! {\n    type: RustMinimal,\n    na\n}\n", 2)
	items = completionItems(t, p.call("textDocument/completion", at(t, uri, text, "    na\n", 0, len("    na"))))
	if len(items) == 0 || items[0].Label != "name" || items[0].TextEdit.Range.Start != utf16Pos(text, strings.Index(text, "na\n")) {
		t.Errorf("typed key: %+v", items)
	}

	// Values: licences, and the types of the file, Module ones first.
	uri, text = moduleSample(t, p, "module! {\n    type: R,\n    name: \"rust_minimal\",\n    license: \"G\",\n}\n\nstruct Other;\n", 3)
	items = completionItems(t, p.call("textDocument/completion", at(t, uri, text, `license: "G`, 0, len(`license: "G`))))
	if got := strings.Join(labels(items), " "); got != `"GPL" "GPL v2" "GPL and additional rights" "Dual BSD/GPL" "Dual MIT/GPL" "Dual MPL/GPL" "Proprietary"` {
		t.Errorf("licences: %s", got)
	} else if rng := items[0].TextEdit.Range; rng.Start != utf16Pos(text, strings.Index(text, `"G"`)) || rng.End != utf16Pos(text, strings.Index(text, `"G"`)+3) {
		t.Errorf("licence replaces %+v", rng)
	}
	items = completionItems(t, p.call("textDocument/completion", at(t, uri, text, "type: R", 0, len("type: R"))))
	if got := strings.Join(labels(items), " "); got != "RustMinimal Other" || items[0].Detail != "implements kernel::Module" {
		t.Errorf("types: %s %+v", got, items)
	}

	// A whole block at item level, named after the Makefile's object.
	uri, text = moduleSample(t, p, "modu\n", 4)
	items = completionItems(t, p.call("textDocument/completion", at(t, uri, text, "modu\n", 0, len("modu"))))
	if len(items) != 1 || items[0].Kind != protocol.CompletionItemKindSnippet {
		t.Fatalf("block: %+v", items)
	}
	want := "module! {\n\ttype: ${1:RustMinimal},\n\tname: \"${2:rust_minimal}\",\n\tauthor: \"$3\",\n\tdescription: \"$4\",\n\tlicense: \"${5:GPL}\",\n}\n$0"
	if items[0].TextEdit.NewText != want {
		t.Errorf("block snippet %q, want %q", items[0].TextEdit.NewText, want)
	}

	// Nothing elsewhere: rust-analyzer's answers stand.
	for _, needle := range []string{"numbers.push(72", "use kernel::prelude", "impl kernel::Module"} {
		if items := completionItems(t, p.call("textDocument/completion", at(t, uri, text, needle, 0, 3))); len(items) != 0 {
			t.Errorf("completion at %q: %v", needle, labels(items))
		}
	}

	// module_phy_driver!: its own keys and module!'s but type.
	path := filepath.Join(src, "drivers", "net", "phy", "qt2025.rs")
	orig := readFile(t, path)
	qt := strings.Replace(orig, "    firmware: [\"qt2025-2.0.3.3.fw\"],\n", "    \n", 1)
	quri := pathToURI(path)
	p.open(quri, qt, 1)
	items = completionItems(t, p.call("textDocument/completion", at(t, quri, qt, "license: \"GPL\",\n    ", 0, len("license: \"GPL\",\n    "))))
	if got := strings.Join(labels(items), " "); got != "alias firmware" {
		t.Errorf("module_phy_driver keys: %s", got)
	}
	stopKrls(p)

	// A client without snippets gets plain text.
	p = startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, fullCaps)
	uri, text = moduleSample(t, p, "module! {\n    type: RustMinimal,\n    \n}\n", 1)
	items = completionItems(t, p.call("textDocument/completion", at(t, uri, text, "RustMinimal,\n    ", 0, len("RustMinimal,\n    "))))
	if len(items) == 0 || items[0].TextEdit.NewText != `name: "",` || items[0].InsertTextFormat == protocol.InsertTextFormatSnippet {
		t.Errorf("plain text item %+v", items)
	}
	stopKrls(p)
}

func TestEndToEndModuleHover(t *testing.T) {
	src, obj := kernelFixture(t)
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, snippetCaps)
	path := filepath.Join(src, "samples", "rust", "rust_minimal.rs")
	text := readFile(t, path)
	uri := pathToURI(path)
	p.open(uri, text, 1)
	for _, tc := range []struct {
		needle string
		want   []string
	}{
		{"license:", []string{"**license** — module!: ASCII string literal, required", "ASCII string literal of the license of the kernel module (required).", "`\"GPL v2\"`", "rust/macros/module.rs and lib.rs of " + src}},
		{"type:", []string{"type which implements the [`Module`] trait (required)."}},
		{"author:", []string{"string literal of the author of the kernel module."}},
		{"module!", []string{"**module!** takes, in this order:", "- `firmware`: array of ASCII string literals"}},
	} {
		h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, tc.needle, 0, 1)))
		for _, w := range tc.want {
			if !strings.Contains(h, w) {
				t.Errorf("hover on %s lacks %q:\n%s", tc.needle, w, h)
			}
		}
	}
	if h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, "\"rust_minimal\"", 0, 2))); h != "" {
		t.Errorf("hover on a value: %q", h)
	}
	qpath := filepath.Join(src, "drivers", "net", "phy", "qt2025.rs")
	qt := readFile(t, qpath)
	quri := pathToURI(qpath)
	p.open(quri, qt, 1)
	h := hoverText(t, p.call("textDocument/hover", at(t, quri, qt, "device_table:", 0, 1)))
	if !strings.Contains(h, "**device_table** — module_phy_driver!: array, required") || !strings.Contains(h, "rust/kernel/net/phy.rs:") {
		t.Errorf("hover on device_table:\n%s", h)
	}
	stopKrls(p)
}

// stopKrls shuts the server down and waits for it.
func stopKrls(p *process) {
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.wait()
}

// The module! features on each fixture kernel through the server: the
// pristine sample has no module! finding, completion offers the tree's
// keys (7.2's authors, imports_ns, params; 6.12's author, firmware),
// params brings a parameter snippet, and zerocopy's own module! (7.2)
// is left alone.
func TestEndToEndModuleVersions(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			facts := symbols.ReadModuleFacts(context.Background(), k.Src)
			p := startOn(t, k.Src, k.RustObj(t).Dir, snippetCaps)
			defer stopKrls(p)
			path := filepath.Join(k.Src, "samples", "rust", "rust_minimal.rs")
			orig := readFile(t, path)
			uri := pathToURI(path)
			p.open(uri, orig, 1)
			for _, d := range p.diagnosticsFor(uri, version(1)).Diagnostics {
				if strings.HasPrefix(fmt.Sprint(d.Code), "module-") {
					t.Errorf("pristine rust_minimal.rs: %s %s", d.Code, d.Message)
				}
			}
			pk, hasParams := facts.Schema.Key("params")
			if hasParams {
				h := hoverText(t, p.call("textDocument/hover", at(t, uri, orig, "params:", 0, 1)))
				if !strings.Contains(h, "**params** — module!: block of module parameters") || !strings.Contains(h, "`"+pk.Params.Types[0]+"`") {
					t.Errorf("hover on params:\n%s", h)
				}
			}
			i := strings.Index(orig, "module! {")
			j := strings.Index(orig[i:], "\n}\n") + i + 3
			text := orig[:i] + "module! {\n    type: RustMinimal,\n    \n}\n" + orig[j:]
			p.change(uri, text, 2)
			items := completionItems(t, p.call("textDocument/completion", at(t, uri, text, "RustMinimal,\n    ", 0, len("RustMinimal,\n    "))))
			if got, want := labels(items), facts.Schema.Names()[1:]; !reflect.DeepEqual(got, want) {
				t.Errorf("keys %v, want the tree's %v", got, want)
			}
			for _, it := range items {
				if it.Label == "params" && (it.TextEdit == nil || !strings.HasPrefix(it.TextEdit.NewText, "params: {\n\t${1:name}: ${2:i32} {\n\t\tdefault: ${3:0},")) {
					t.Errorf("params item %+v", it)
				}
			}
			if !hasParams {
				return
			}
			text = orig[:i] + "module! {\n    type: RustMinimal,\n    name: \"rust_minimal\",\n    license: \"GPL\",\n    params: {\n        \n    },\n}\n" + orig[j:]
			p.change(uri, text, 3)
			items = completionItems(t, p.call("textDocument/completion", at(t, uri, text, "params: {\n        ", 0, len("params: {\n        "))))
			if len(items) != 1 || items[0].Kind != protocol.CompletionItemKindSnippet || items[0].TextEdit == nil ||
				items[0].TextEdit.NewText != "${1:name}: ${2:i32} {\n\tdefault: ${3:0},\n\tdescription: \"$4\",\n}," {
				t.Errorf("parameter snippet %+v", items)
			}
			zc := filepath.Join(k.Src, "rust", "zerocopy", "src", "byteorder.rs")
			if ztext, err := os.ReadFile(zc); err == nil {
				zuri := pathToURI(zc)
				p.open(zuri, string(ztext), 1)
				for _, d := range p.diagnosticsFor(zuri, version(1)).Diagnostics {
					if strings.HasPrefix(fmt.Sprint(d.Code), "module-") {
						t.Errorf("zerocopy's own module!: %s %s", d.Code, d.Message)
					}
				}
			}
		})
	}
}
