package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// Tests of the kernel-configuration features against the built binary and
// the real Linux 6.12 tree of ../shared/kernel-fixture.sh.

func kernelFixture(t *testing.T) (src, objX86 string) {
	t.Helper()
	src, objX86 = os.Getenv("KRLS_KERNEL_SRC"), os.Getenv("KRLS_KERNEL_OBJ_X86_64")
	if src == "" || objX86 == "" {
		if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
			t.Fatal("the kernel fixture is missing (KRLS_KERNEL_SRC, KRLS_KERNEL_OBJ_X86_64)")
		}
		t.Skip("no kernel fixture: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return src, objX86
}

// initializeWith is initialize with client capabilities.
func (c *client) initializeWith(rootURI string, options, caps any) message {
	c.t.Helper()
	params := map[string]any{"processId": nil, "rootUri": rootURI, "capabilities": caps}
	if options != nil {
		params["initializationOptions"] = options
	}
	resp := c.call("initialize", params)
	if resp.Error != nil {
		c.t.Fatalf("initialize: %v", resp)
	}
	c.notify("initialized", map[string]any{})
	return resp
}

func (c *client) openAs(uri, languageID, text string, v int32) {
	c.t.Helper()
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": languageID, "version": v, "text": text,
	}})
}

func (c *client) change(uri, text string, v int32) {
	c.t.Helper()
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": v},
		"contentChanges": []map[string]any{{"text": text}},
	})
}

// at is the position params of the n-th (0-based) occurrence of needle in
// text, plus skip bytes.
func at(t *testing.T, uri, text, needle string, n, skip int) map[string]any {
	t.Helper()
	off := -1
	for i := 0; i <= n; i++ {
		j := strings.Index(text[off+1:], needle)
		if j < 0 {
			t.Fatalf("%q: occurrence %d not found", needle, i)
		}
		off += 1 + j
	}
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": utf16Pos(text, off+skip)}
}

func hoverText(t *testing.T, r message) string {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("hover: %v", r)
	}
	if string(r.Result) == "null" {
		return ""
	}
	return decodeParams[protocol.Hover](t, r.Result).Contents.Value
}

func findDiag(diags []protocol.Diagnostic, code string) *protocol.Diagnostic {
	for i := range diags {
		if diags[i].Code == code {
			return &diags[i]
		}
	}
	return nil
}

var fullCaps = map[string]any{
	"textDocument": map[string]any{
		"hover":          map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
		"documentSymbol": map[string]any{"hierarchicalDocumentSymbolSupport": true},
	},
}

func TestEndToEndKconfigFile(t *testing.T) {
	src, obj := kernelFixture(t)
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, fullCaps)

	path := filepath.Join(src, "init", "Kconfig")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	uri := pathToURI(path)
	p.openAs(uri, "kconfig", text, 1)
	pub := p.diagnosticsFor(uri, version(1))
	for _, d := range pub.Diagnostics {
		if d.Severity == protocol.DiagnosticSeverityError {
			t.Errorf("error in the pristine init/Kconfig: %+v", d)
		}
	}

	// Hover on a definition and on a dependency.
	h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, "config RUST\n", 0, len("config R"))))
	for _, want := range []string{"**CONFIG_RUST** = `y` (bool)", "Rust support", "Defined at init/Kconfig:", "Depends on:", "MODVERSIONS [=n]", "Why: y"} {
		if !strings.Contains(h, want) {
			t.Errorf("hover on RUST lacks %q:\n%s", want, h)
		}
	}
	h = hoverText(t, p.call("textDocument/hover", at(t, uri, text, "depends on HAVE_RUST", 0, len("depends on H"))))
	if !strings.Contains(h, "**CONFIG_HAVE_RUST** = `y`") || !strings.Contains(h, "arch/Kconfig") {
		t.Errorf("hover on HAVE_RUST:\n%s", h)
	}
	if h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, "config RUST\n", 0, 2))); h != "" {
		t.Errorf("hover on the keyword 'config': %q", h)
	}

	// Definition of a dependency defined in another file.
	r := p.call("textDocument/definition", at(t, uri, text, "depends on HAVE_RUST", 0, len("depends on H")))
	locs := decodeParams[[]protocol.Location](t, r.Result)
	if len(locs) != 1 || !strings.HasSuffix(string(locs[0].URI), "/arch/Kconfig") {
		t.Fatalf("definition of HAVE_RUST: %s", r.Result)
	}
	lines := strings.Split(readFile(t, filepath.Join(src, "arch", "Kconfig")), "\n")
	if l := lines[locs[0].Range.Start.Line]; l != "config HAVE_RUST" {
		t.Errorf("definition points at %q", l)
	}

	// The outline.
	r = p.call("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uri}})
	syms := decodeParams[[]protocol.DocumentSymbol](t, r.Result)
	var found *protocol.DocumentSymbol
	var walk func([]protocol.DocumentSymbol)
	walk = func(ss []protocol.DocumentSymbol) {
		for i := range ss {
			if ss[i].Name == "RUST" {
				found = &ss[i]
			}
			walk(ss[i].Children)
		}
	}
	walk(syms)
	if found == nil || found.Detail != `bool "Rust support"` || found.Kind != protocol.SymbolKindVariable {
		t.Errorf("outline entry of RUST: %+v (of %d top-level entries)", found, len(syms))
	}

	// Edits: a dependency on a name no Kconfig file defines, and a stray
	// endif.
	edited := strings.Replace(text, "config RUST\n\tbool \"Rust support\"\n", "config RUST\n\tbool \"Rust support\"\n\tdepends on NO_SUCH_SYMBOL_ANYWHERE\n", 1) + "endif\n"
	p.change(uri, edited, 2)
	pub = p.diagnosticsFor(uri, version(2))
	d := findDiag(pub.Diagnostics, "kconfig-undefined-symbol")
	if d == nil || d.Severity != protocol.DiagnosticSeverityWarning || !strings.Contains(d.Message, "NO_SUCH_SYMBOL_ANYWHERE") {
		t.Fatalf("diagnostics after the edit: %+v", pub.Diagnostics)
	}
	if want := utf16Pos(edited, strings.Index(edited, "NO_SUCH_SYMBOL_ANYWHERE")); d.Range.Start != want {
		t.Errorf("undefined-symbol range %v, want start %v", d.Range, want)
	}
	if d := findDiag(pub.Diagnostics, "kconfig-syntax"); d == nil || d.Severity != protocol.DiagnosticSeverityError {
		t.Errorf("no syntax error for the stray endif: %+v", pub.Diagnostics)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEndToEndDotConfig(t *testing.T) {
	src, obj := kernelFixture(t)
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, fullCaps)
	path := filepath.Join(obj, ".config")
	text := readFile(t, path)
	uri := pathToURI(path)
	p.openAs(uri, "properties", text, 1)
	pub := p.diagnosticsFor(uri, version(1))
	if len(pub.Diagnostics) != 0 {
		t.Errorf("the fixture's own .config is stale? %+v", pub.Diagnostics[:min(5, len(pub.Diagnostics))])
	}
	h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, "\nCONFIG_RUST=y", 0, len("\nCONFIG_R"))))
	if !strings.Contains(h, "**CONFIG_RUST** = `y` (bool)") {
		t.Errorf("hover on CONFIG_RUST=y:\n%s", h)
	}
	r := p.call("textDocument/definition", at(t, uri, text, "\nCONFIG_RUST=y", 0, len("\nCONFIG_R")))
	if locs := decodeParams[[]protocol.Location](t, r.Result); len(locs) != 1 || !strings.HasSuffix(string(locs[0].URI), "/init/Kconfig") {
		t.Errorf("definition of CONFIG_RUST: %s", r.Result)
	}

	// MODVERSIONS=y makes RUST impossible (it depends on !MODVERSIONS),
	// and CONFIG_ARM64 is not an x86 symbol.
	edited := text + "CONFIG_MODVERSIONS=y\nCONFIG_ARM64=y\n"
	p.change(uri, edited, 2)
	pub = p.diagnosticsFor(uri, version(2))
	var stale, unknown *protocol.Diagnostic
	for i, d := range pub.Diagnostics {
		switch {
		case d.Code == "dotconfig-stale" && strings.HasPrefix(d.Message, "CONFIG_RUST=y "):
			stale = &pub.Diagnostics[i]
		case d.Code == "dotconfig-unknown-symbol" && strings.Contains(d.Message, "CONFIG_ARM64"):
			unknown = &pub.Diagnostics[i]
		}
	}
	if stale == nil || stale.Message != "CONFIG_RUST=y will be dropped by the next build: RUST depends on !MODVERSIONS [=y]" || stale.Severity != protocol.DiagnosticSeverityWarning {
		t.Errorf("no stale CONFIG_RUST naming MODVERSIONS: %+v", pub.Diagnostics)
	} else if line := strings.Split(edited, "\n")[stale.Range.Start.Line]; line != "CONFIG_RUST=y" {
		t.Errorf("the stale diagnostic is on %q", line)
	}
	if unknown == nil || !strings.Contains(unknown.Message, "arch/arm64/Kconfig") || unknown.Severity != protocol.DiagnosticSeverityInformation {
		t.Errorf("no information about CONFIG_ARM64: %+v", unknown)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.wait()
}

// showMessage waits for a window/showMessage that contains want.
func (c *client) showMessage(want string) protocol.ShowMessageParams {
	c.t.Helper()
	var got protocol.ShowMessageParams
	c.waitFor("window/showMessage "+want, func(m message) bool {
		if m.Method != "window/showMessage" {
			return false
		}
		var p protocol.ShowMessageParams
		if json.Unmarshal(m.Params, &p) != nil || !strings.Contains(p.Message, want) {
			return false
		}
		got = p
		return true
	})
	return got
}

// tinyTree writes a small kernel-like tree: a Kconfig with A and B, a
// .config, and what makes it a srctree.
func tinyTree(t *testing.T, kconfig, dotconfig string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"Kconfig":            kconfig,
		"Makefile":           "VERSION = 6\nPATCHLEVEL = 12\n",
		"rust/kernel/lib.rs": "",
	}
	if dotconfig != "" {
		files[".config"] = dotconfig
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEndToEndNoDotConfig(t *testing.T) {
	dir := tinyTree(t, "config A\n\tbool \"A\"\n", "")
	p := startKrls(t)
	p.initializeWith("file://"+dir, nil, fullCaps)
	uri := pathToURI(filepath.Join(dir, "Kconfig"))
	p.openAs(uri, "kconfig", "config A\n\tbool \"A\"\n", 1)
	msg := p.showMessage("no .config")
	if msg.Type != protocol.MessageTypeWarning || !strings.Contains(msg.Message, "SAFETY rules work") {
		t.Errorf("message %+v", msg)
	}
	p.diagnosticsFor(uri, version(1))
	// A Rust file still gets the syntax-only rules, and no second message.
	rs := pathToURI(filepath.Join(dir, "rust", "kernel", "lib.rs"))
	p.open(rs, "fn f(p: *const u8) -> u8 { unsafe { *p } }\n", 1)
	if pub := p.diagnosticsFor(rs, version(1)); findDiag(pub.Diagnostics, "undocumented-unsafe") == nil {
		t.Errorf("Rust diagnostics without a .config: %+v", pub.Diagnostics)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.wait()
	n := 0
	for _, m := range p.all {
		if m.Method == "window/showMessage" && strings.Contains(string(m.Params), "no .config") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d messages about the missing .config, want 1", n)
	}
}

// TestEndToEndReload: an edit of the Kconfig file on disk reaches the
// diagnostics of an open .config, through didChangeWatchedFiles, and
// through polling for a client that does not watch files.
func TestEndToEndReload(t *testing.T) {
	for _, watching := range []bool{true, false} {
		name := "polling"
		if watching {
			name = "watched files"
		}
		t.Run(name, func(t *testing.T) {
			const kc = "config A\n\tbool \"A\"\n\nconfig B\n\tbool \"B\"\n"
			dir := tinyTree(t, kc, "CONFIG_A=y\nCONFIG_B=y\n")
			caps := map[string]any{}
			if watching {
				caps["workspace"] = map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}}
			}
			p := startKrls(t)
			p.initializeWith("file://"+dir, nil, caps)
			if watching {
				reg := p.waitFor("client/registerCapability", func(m message) bool { return m.Method == "client/registerCapability" })
				if !strings.Contains(string(reg.Params), "**/.config") {
					t.Errorf("registration %s", reg.Params)
				}
				p.send(map[string]any{"jsonrpc": "2.0", "id": json.RawMessage(reg.ID), "result": nil})
			}
			cfgPath := filepath.Join(dir, ".config")
			uri := pathToURI(cfgPath)
			p.openAs(uri, "properties", readFile(t, cfgPath), 1)
			if pub := p.diagnosticsFor(uri, version(1)); len(pub.Diagnostics) != 0 {
				t.Fatalf("diagnostics %+v", pub.Diagnostics)
			}
			// B now depends on a symbol that is off: the .config's B=y is
			// stale.
			kpath := filepath.Join(dir, "Kconfig")
			if err := os.WriteFile(kpath, []byte(kc+"\tdepends on C\n\nconfig C\n\tbool \"C\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(2 * time.Second)
			os.Chtimes(kpath, later, later)
			if watching {
				p.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": pathToURI(kpath), "type": 2}}})
			}
			pub := p.diagnosticsFor(uri, func(pp publishParams) bool { return len(pp.Diagnostics) > 0 })
			if d := findDiag(pub.Diagnostics, "dotconfig-stale"); d == nil || d.Message != "CONFIG_B=y will be dropped by the next build: B depends on C [=n]" {
				t.Errorf("after the Kconfig edit: %+v", pub.Diagnostics)
			}
			p.call("shutdown", nil)
			p.notify("exit", nil)
			p.wait()
		})
	}
}

func TestEndToEndRustCfg(t *testing.T) {
	src, obj := kernelFixture(t)
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, fullCaps)
	path := filepath.Join(src, "rust", "kernel", "lib.rs")
	text := readFile(t, path)
	uri := pathToURI(path)
	p.open(uri, text, 1)
	pub := p.diagnosticsFor(uri, version(1))
	for _, d := range pub.Diagnostics {
		if d.Code == "undefined-config" || d.Code == "config-not-for-arch" || d.Code == "disabled-cfg-item" {
			t.Errorf("pristine lib.rs: %+v", d)
		}
	}

	h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, "cfg(CONFIG_NET)", 0, len("cfg(CONFIG_N"))))
	for _, want := range []string{"`cfg(CONFIG_NET)` holds", "**CONFIG_NET** = `y` (bool)", "Networking support", "Defined at net/Kconfig:"} {
		if !strings.Contains(h, want) {
			t.Errorf("hover on CONFIG_NET lacks %q:\n%s", want, h)
		}
	}
	if h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, "pub mod net;", 0, 4))); h != "" {
		t.Errorf("krls hovers outside cfg predicates: %q", h)
	}
	r := p.call("textDocument/definition", at(t, uri, text, "cfg(CONFIG_NET)", 0, len("cfg(CONFIG_N")))
	if locs := decodeParams[[]protocol.Location](t, r.Result); len(locs) != 1 || !strings.HasSuffix(string(locs[0].URI), "/net/Kconfig") {
		t.Errorf("definition of CONFIG_NET: %s", r.Result)
	}

	// Typing a cfg: completion, then the diagnostics of what was typed.
	edited := text + "\n#[cfg(CONFIG_NE)]\nfn a() {}\n#[cfg(CONFIG_NO_SUCH_THING)]\nfn b() {}\n#[cfg(any(CONFIG_ARM64, test))]\nfn c() {}\n"
	p.change(uri, edited, 2)
	r = p.call("textDocument/completion", at(t, uri, edited, "cfg(CONFIG_NE)", 0, len("cfg(CONFIG_NE")))
	list := decodeParams[protocol.CompletionList](t, r.Result)
	var net *protocol.CompletionItem
	for i := range list.Items {
		if list.Items[i].Label == "CONFIG_NET" {
			net = &list.Items[i]
		}
		if !strings.HasPrefix(list.Items[i].Label, "CONFIG_NE") {
			t.Errorf("completion %q for CONFIG_NE", list.Items[i].Label)
		}
	}
	if net == nil || net.Detail != "Networking support [=y]" || net.TextEdit == nil {
		t.Errorf("completion of CONFIG_NE: %+v (%d items)", net, len(list.Items))
	} else if want := utf16Pos(edited, strings.Index(edited, "CONFIG_NE)")); net.TextEdit.Range.Start != want {
		t.Errorf("completion replaces from %v, want %v", net.TextEdit.Range.Start, want)
	}
	if r := p.call("textDocument/completion", at(t, uri, edited, "pub mod net;", 0, 4)); !strings.Contains(string(r.Result), `"items":[]`) {
		t.Errorf("completion outside a cfg: %s", r.Result)
	}
	pub = p.diagnosticsFor(uri, version(2))
	var undefined []string
	for _, d := range pub.Diagnostics {
		if d.Code == "undefined-config" && d.Severity == protocol.DiagnosticSeverityError {
			undefined = append(undefined, d.Message)
		}
	}
	if want := []string{
		"CONFIG_NE is not defined by any Kconfig file; did you mean CONFIG_NET?",
		"CONFIG_NO_SUCH_THING is not defined by any Kconfig file",
	}; strings.Join(undefined, "|") != strings.Join(want, "|") {
		t.Errorf("undefined-config: %q, want %q", undefined, want)
	}
	if d := findDiag(pub.Diagnostics, "config-not-for-arch"); d == nil || d.Severity != protocol.DiagnosticSeverityInformation || !strings.Contains(d.Message, "arch/arm64/Kconfig") {
		t.Errorf("no config-not-for-arch: %+v", pub.Diagnostics)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.wait()
}

// TestEndToEndDisabledItem: with the arm64 configuration, where the Rust
// PHY abstractions are off, a driver that uses kernel::net::phy gets a
// warning naming the symbol and why it is off, pointing at the gate.
func TestEndToEndDisabledItem(t *testing.T) {
	src, _ := kernelFixture(t)
	obj := os.Getenv("KRLS_KERNEL_OBJ_ARM64")
	if obj == "" {
		t.Skip("no arm64 objtree")
	}
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, fullCaps)
	path := filepath.Join(src, "drivers", "net", "phy", "ax88796b_rust.rs")
	text := readFile(t, path)
	uri := pathToURI(path)
	p.open(uri, text, 1)
	pub := p.diagnosticsFor(uri, version(1))
	d := findDiag(pub.Diagnostics, "disabled-cfg-item")
	if d == nil || d.Severity != protocol.DiagnosticSeverityWarning || !strings.Contains(d.Message, "kernel::net::phy") || !strings.Contains(d.Message, "CONFIG_RUST_PHYLIB_ABSTRACTIONS") {
		t.Fatalf("diagnostics: %+v", pub.Diagnostics)
	}
	if len(d.RelatedInformation) == 0 || !strings.HasSuffix(string(d.RelatedInformation[0].Location.URI), "/rust/kernel/net.rs") {
		t.Errorf("related information %+v", d.RelatedInformation)
	} else {
		lines := strings.Split(readFile(t, filepath.Join(src, "rust", "kernel", "net.rs")), "\n")
		if l := lines[d.RelatedInformation[0].Location.Range.Start.Line]; !strings.Contains(l, "CONFIG_RUST_PHYLIB_ABSTRACTIONS") {
			t.Errorf("related information points at %q", l)
		}
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.wait()
}
