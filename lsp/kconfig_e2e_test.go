package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/internal/kerneltest"

	"go.lsp.dev/protocol"
)

// Tests of the kernel-configuration features against the built binary and
// the real kernels of ../shared/kernel-fixture.sh (fixtureKernels): each
// runs on Linux 6.1, 6.12 and 7.2.

// kernelFixture is the Linux 6.12 tree and its x86_64 objtree, for the
// tests of other features (module!, errno, the index).
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

// startOn starts krls on a fixture kernel's srctree, configured by obj.
func startOn(t *testing.T, src, obj string, caps any) *process {
	t.Helper()
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, caps)
	return p
}

func (c *process) shutdown() {
	c.t.Helper()
	c.call("shutdown", nil)
	c.notify("exit", nil)
	if code := c.wait(); code != 0 {
		c.t.Errorf("exit code %d", code)
	}
}

// withValues is what a hover shows for an atom of a dependency: `NAME
// [=value]`, with its `!`.
func withValues(dot map[string]string, atom string) string {
	name := strings.TrimPrefix(atom, "!")
	return atom[:len(atom)-len(name)] + name + " [=" + kerneltest.ValueOf(dot, name) + "]"
}

var symbolWordRE = regexp.MustCompile(`\b[A-Z][A-Z0-9_]*\b`)

func TestEndToEndKconfigFile(t *testing.T) {
	for _, fk := range kerneltest.Kernels(t) {
		t.Run(fk.Version, func(t *testing.T) {
			o := fk.RustObj(t)
			dot := kerneltest.DotConfig(t, o.Dir)
			p := startOn(t, fk.Src, o.Dir, fullCaps)

			path := filepath.Join(fk.Src, "init", "Kconfig")
			text := readFile(t, path)
			uri := pathToURI(path)
			p.openAs(uri, "kconfig", text, 1)
			pub := p.diagnosticsFor(uri, version(1))
			for _, d := range pub.Diagnostics {
				if d.Severity == protocol.DiagnosticSeverityError {
					t.Errorf("error in the pristine init/Kconfig: %+v", d)
				}
			}

			// Hover on a definition: its value, prompt, place, and each
			// symbol of its dependencies with its value.
			rust := kerneltest.ReadEntry(t, fk.Src, "init/Kconfig", "RUST")
			h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, "config RUST\n", 0, len("config R"))))
			want := []string{
				fmt.Sprintf("**CONFIG_RUST** = `%s` (bool)", kerneltest.ValueOf(dot, "RUST")),
				fmt.Sprintf("%q", rust.Prompt()),
				fmt.Sprintf("Defined at init/Kconfig:%d", rust.Line),
				"Why: " + kerneltest.ValueOf(dot, "RUST"),
			}
			deps := 0
			for _, l := range rust.Lines {
				if dep, ok := strings.CutPrefix(strings.TrimSpace(l), "depends on "); ok {
					for _, name := range symbolWordRE.FindAllString(dep, -1) {
						want = append(want, withValues(dot, name))
						deps++
					}
				}
			}
			if deps == 0 {
				t.Fatalf("RUST depends on nothing in Linux %s?", fk.Version)
			}
			for _, w := range want {
				if !strings.Contains(h, w) {
					t.Errorf("hover on RUST lacks %q:\n%s", w, h)
				}
			}
			haveRust := kerneltest.ReadEntry(t, fk.Src, "arch/Kconfig", "HAVE_RUST")
			h = hoverText(t, p.call("textDocument/hover", at(t, uri, text, "depends on HAVE_RUST", 0, len("depends on H"))))
			if w := fmt.Sprintf("**CONFIG_HAVE_RUST** = `%s`", kerneltest.ValueOf(dot, "HAVE_RUST")); !strings.Contains(h, w) || !strings.Contains(h, fmt.Sprintf("arch/Kconfig:%d", haveRust.Line)) {
				t.Errorf("hover on HAVE_RUST lacks %q or its place:\n%s", w, h)
			}
			if h := hoverText(t, p.call("textDocument/hover", at(t, uri, text, "config RUST\n", 0, 2))); h != "" {
				t.Errorf("hover on the keyword 'config': %q", h)
			}

			// Definition of a dependency defined in another file.
			r := p.call("textDocument/definition", at(t, uri, text, "depends on HAVE_RUST", 0, len("depends on H")))
			locs := decodeParams[[]protocol.Location](t, r.Result)
			if len(locs) != 1 || locs[0].URI != protocol.DocumentURI(pathToURI(filepath.Join(fk.Src, "arch", "Kconfig"))) || int(locs[0].Range.Start.Line) != haveRust.Line-1 {
				t.Errorf("definition of HAVE_RUST: %s, want arch/Kconfig:%d", r.Result, haveRust.Line)
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
			if want := fmt.Sprintf("bool %q", rust.Prompt()); found == nil || found.Detail != want || found.Kind != protocol.SymbolKindVariable || int(found.Range.Start.Line) != rust.Line-1 {
				t.Errorf("outline entry of RUST: %+v (of %d top-level entries), want %s at line %d", found, len(syms), want, rust.Line)
			}

			// Edits: a dependency on a name no Kconfig file defines, and a
			// stray endif.
			lines := strings.Split(text, "\n")
			edited := strings.Join(slices.Concat(lines[:rust.Line+1], []string{"\tdepends on NO_SUCH_SYMBOL_ANYWHERE"}, lines[rust.Line+1:]), "\n") + "endif\n"
			p.change(uri, edited, 2)
			pub = p.diagnosticsFor(uri, version(2))
			d := findDiag(pub.Diagnostics, "kconfig-undefined-symbol")
			if d == nil || d.Severity != protocol.DiagnosticSeverityWarning || !strings.Contains(d.Message, "NO_SUCH_SYMBOL_ANYWHERE") {
				t.Fatalf("diagnostics after the edit: %+v", pub.Diagnostics)
			}
			if want := utf16Pos(edited, strings.Index(edited, "NO_SUCH_SYMBOL_ANYWHERE")); d.Range.Start != want {
				t.Errorf("undefined-symbol range %v, want start %v", d.Range, want)
			}
			endif := strings.Count(edited, "\n") - 1
			if d := findDiag(pub.Diagnostics, "kconfig-syntax"); d == nil || d.Severity != protocol.DiagnosticSeverityError || int(d.Range.Start.Line) != endif {
				t.Errorf("no syntax error for the stray endif at line %d: %+v", endif+1, pub.Diagnostics)
			}

			// The files whose syntax changed across releases have no
			// diagnostics: 7.2's cdns3 with `depends on X if Y`, 6.1's
			// rapidio with a tristate choice.
			const cdns3, rapidio = "drivers/usb/cdns3/Kconfig", "drivers/rapidio/Kconfig"
			for _, rel := range []string{rapidio, cdns3} {
				path = filepath.Join(fk.Src, rel)
				text = readFile(t, path)
				uri = pathToURI(path)
				p.openAs(uri, "kconfig", text, 1)
				for _, d := range p.diagnosticsFor(uri, version(1)).Diagnostics {
					t.Errorf("%s: %+v", rel, d)
				}
			}
			// A hover in cdns3 shows `depends on X if Y` as written.
			e := kerneltest.ReadEntry(t, fk.Src, cdns3, "USB_CDNS_SUPPORT")
			h = hoverText(t, p.call("textDocument/hover", at(t, uri, text, "config USB_CDNS_SUPPORT\n", 0, len("config U"))))
			want = []string{fmt.Sprintf("**CONFIG_USB_CDNS_SUPPORT** = `%s` (tristate)", kerneltest.ValueOf(dot, "USB_CDNS_SUPPORT"))}
			for _, x := range e.DependsIf() {
				want = append(want, withValues(dot, x[0])+" if "+withValues(dot, x[1]))
			}
			if fk.Version == "7.2" && len(want) == 1 {
				t.Errorf("Linux 7.2's %s has no `depends on X if Y` any more", cdns3)
			}
			for _, w := range want {
				if !strings.Contains(h, w) {
					t.Errorf("hover on USB_CDNS_SUPPORT lacks %q:\n%s", w, h)
				}
			}
			p.shutdown()
		})
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
	for _, fk := range kerneltest.Kernels(t) {
		t.Run(fk.Version, func(t *testing.T) {
			o := fk.RustObj(t)
			dot := kerneltest.DotConfig(t, o.Dir)
			if dot["RUST"] != "y" || dot["NET"] != "y" || dot["INET"] != "y" {
				t.Fatalf("the x86_64-rust .config has RUST=%s NET=%s INET=%s", dot["RUST"], dot["NET"], dot["INET"])
			}
			p := startOn(t, fk.Src, o.Dir, fullCaps)
			path := filepath.Join(o.Dir, ".config")
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
			rust := kerneltest.ReadEntry(t, fk.Src, "init/Kconfig", "RUST")
			r := p.call("textDocument/definition", at(t, uri, text, "\nCONFIG_RUST=y", 0, len("\nCONFIG_R")))
			if locs := decodeParams[[]protocol.Location](t, r.Result); len(locs) != 1 || locs[0].URI != protocol.DocumentURI(pathToURI(filepath.Join(fk.Src, "init", "Kconfig"))) || int(locs[0].Range.Start.Line) != rust.Line-1 {
				t.Errorf("definition of CONFIG_RUST: %s, want init/Kconfig:%d", r.Result, rust.Line)
			}

			// Networking off makes INET (inside `if NET`) impossible, and
			// another arch's symbol is not one of this tree for x86_64.
			other := kerneltest.OtherArchSymbol(o.Arch)
			edited := strings.Replace(text, "\nCONFIG_NET=y\n", "\n# CONFIG_NET is not set\n", 1) + "CONFIG_" + other + "=y\n"
			p.change(uri, edited, 2)
			pub = p.diagnosticsFor(uri, version(2))
			var stale, unknown *protocol.Diagnostic
			for i, d := range pub.Diagnostics {
				switch {
				case d.Code == "dotconfig-stale" && strings.HasPrefix(d.Message, "CONFIG_INET=y "):
					stale = &pub.Diagnostics[i]
				case d.Code == "dotconfig-unknown-symbol" && strings.Contains(d.Message, "CONFIG_"+other+" "):
					unknown = &pub.Diagnostics[i]
				}
			}
			if stale == nil || !strings.HasPrefix(stale.Message, "CONFIG_INET=y will be dropped by the next build: ") || !strings.Contains(stale.Message, "NET [=n]") || stale.Severity != protocol.DiagnosticSeverityWarning {
				t.Errorf("no stale CONFIG_INET naming NET: %+v", pub.Diagnostics[:min(5, len(pub.Diagnostics))])
			} else if want := kerneltest.LineOf(t, edited, "CONFIG_INET=y") - 1; int(stale.Range.Start.Line) != want {
				t.Errorf("the stale diagnostic is on line %d, want %d", stale.Range.Start.Line, want)
			}
			if unknown == nil || !strings.Contains(unknown.Message, "arch/arm64/Kconfig") && !strings.Contains(unknown.Message, "arch/x86/Kconfig") || unknown.Severity != protocol.DiagnosticSeverityInformation {
				t.Errorf("no information about CONFIG_%s: %+v", other, unknown)
			} else if want := kerneltest.LineOf(t, edited, "CONFIG_"+other+"=y") - 1; int(unknown.Range.Start.Line) != want {
				t.Errorf("the unknown-symbol diagnostic is on line %d, want %d", unknown.Range.Start.Line, want)
			}
			for _, d := range pub.Diagnostics {
				if int(d.Range.Start.Line) == kerneltest.LineOf(t, edited, "# CONFIG_NET is not set")-1 {
					t.Errorf("a diagnostic on the edited NET line: %+v", d)
				}
			}
			p.shutdown()
		})
	}
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
	for _, fk := range kerneltest.Kernels(t) {
		t.Run(fk.Version, func(t *testing.T) {
			o := fk.RustObj(t)
			dot := kerneltest.DotConfig(t, o.Dir)
			p := startOn(t, fk.Src, o.Dir, fullCaps)
			path := filepath.Join(fk.Src, "rust", "kernel", "lib.rs")
			text := readFile(t, path)
			uri := pathToURI(path)
			p.open(uri, text, 1)
			pub := p.diagnosticsFor(uri, version(1))
			for _, d := range pub.Diagnostics {
				if d.Code == "undefined-config" || d.Code == "config-not-for-arch" || d.Code == "disabled-cfg-item" {
					t.Errorf("pristine lib.rs: %+v", d)
				}
			}

			// Typing cfgs (6.1's lib.rs has none of its own): hover,
			// definition and completion, then the diagnostics of what was
			// typed.
			edited := text + "\n#[cfg(CONFIG_NET)]\nfn krls_net() {}\n#[cfg(CONFIG_NE)]\nfn a() {}\n#[cfg(CONFIG_NO_SUCH_THING)]\nfn b() {}\n#[cfg(any(CONFIG_" + kerneltest.OtherArchSymbol(o.Arch) + ", test))]\nfn c() {}\n"
			p.change(uri, edited, 2)
			typed := strings.Count(edited[:strings.Index(edited, "fn krls_net")], "cfg(CONFIG_NET)") - 1
			net := kerneltest.ReadEntry(t, fk.Src, "net/Kconfig", "NET")
			h := hoverText(t, p.call("textDocument/hover", at(t, uri, edited, "cfg(CONFIG_NET)", typed, len("cfg(CONFIG_N"))))
			holds := "`cfg(CONFIG_NET)` holds"
			if v := kerneltest.ValueOf(dot, "NET"); v != "y" && v != "m" {
				holds = "`cfg(CONFIG_NET)` does not hold"
			}
			for _, want := range []string{holds, fmt.Sprintf("**CONFIG_NET** = `%s` (bool)", kerneltest.ValueOf(dot, "NET")), net.Prompt(), fmt.Sprintf("Defined at net/Kconfig:%d", net.Line)} {
				if !strings.Contains(h, want) {
					t.Errorf("hover on CONFIG_NET lacks %q:\n%s", want, h)
				}
			}
			if h := hoverText(t, p.call("textDocument/hover", at(t, uri, edited, "fn krls_net", 0, 4))); h != "" {
				t.Errorf("krls hovers outside cfg predicates: %q", h)
			}
			r := p.call("textDocument/definition", at(t, uri, edited, "cfg(CONFIG_NET)", typed, len("cfg(CONFIG_N")))
			if locs := decodeParams[[]protocol.Location](t, r.Result); len(locs) != 1 || locs[0].URI != protocol.DocumentURI(pathToURI(filepath.Join(fk.Src, "net", "Kconfig"))) || int(locs[0].Range.Start.Line) != net.Line-1 {
				t.Errorf("definition of CONFIG_NET: %s, want net/Kconfig:%d", r.Result, net.Line)
			}

			r = p.call("textDocument/completion", at(t, uri, edited, "cfg(CONFIG_NE)", 0, len("cfg(CONFIG_NE")))
			list := decodeParams[protocol.CompletionList](t, r.Result)
			var item *protocol.CompletionItem
			for i := range list.Items {
				if list.Items[i].Label == "CONFIG_NET" {
					item = &list.Items[i]
				}
				if !strings.HasPrefix(list.Items[i].Label, "CONFIG_NE") {
					t.Errorf("completion %q for CONFIG_NE", list.Items[i].Label)
				}
			}
			if want := net.Prompt() + " [=" + kerneltest.ValueOf(dot, "NET") + "]"; item == nil || item.Detail != want || item.TextEdit == nil {
				t.Errorf("completion of CONFIG_NE: %+v (%d items), want detail %q", item, len(list.Items), want)
			} else if want := utf16Pos(edited, strings.Index(edited, "CONFIG_NE)")); item.TextEdit.Range.Start != want {
				t.Errorf("completion replaces from %v, want %v", item.TextEdit.Range.Start, want)
			}
			if r := p.call("textDocument/completion", at(t, uri, edited, "fn krls_net", 0, 4)); !strings.Contains(string(r.Result), `"items":[]`) {
				t.Errorf("completion outside a cfg: %s", r.Result)
			}
			// With rust-analyzer holding the kernel's project (which
			// completes the cfgs the .config sets), krls offers only the
			// names the .config leaves off, each with why.
			p.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"krls": map[string]any{"rustAnalyzer": true, "objtree": o.Dir}}})
			r = p.call("textDocument/completion", at(t, uri, edited, "cfg(CONFIG_NE)", 0, len("cfg(CONFIG_NE")))
			off := decodeParams[protocol.CompletionList](t, r.Result)
			if len(off.Items) == 0 {
				t.Errorf("with rust-analyzer: no item")
			}
			for _, it := range off.Items {
				name := strings.TrimPrefix(it.Label, "CONFIG_")
				if v := kerneltest.ValueOf(dot, name); v == "y" || v == "m" {
					t.Errorf("with rust-analyzer: %s (=%s), which rust-analyzer completes", it.Label, v)
				}
				if doc, _ := json.Marshal(it.Documentation); !strings.Contains(string(doc), "Off with this .config: ") {
					t.Errorf("with rust-analyzer: %s has no reason: %s", it.Label, doc)
				}
			}
			p.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"krls": map[string]any{"rustAnalyzer": nil, "objtree": o.Dir}}})
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
			if d := findDiag(pub.Diagnostics, "config-not-for-arch"); d == nil || d.Severity != protocol.DiagnosticSeverityInformation || !strings.Contains(d.Message, "CONFIG_"+kerneltest.OtherArchSymbol(o.Arch)) {
				t.Errorf("no config-not-for-arch: %+v", pub.Diagnostics)
			}
			p.shutdown()
		})
	}
}

// TestEndToEndDisabledItem: a driver that uses a module of the kernel
// crate that lib.rs compiles only under a cfg the configuration does not
// set gets a warning naming the symbol, pointing at the gate; one that
// uses a module that is built (its cfg holds, or it has none), nothing.
// Linux 6.1's kernel crate gates nothing: its modules are always built.
func TestEndToEndDisabledItem(t *testing.T) {
	for _, fk := range kerneltest.Kernels(t) {
		t.Run(fk.Version, func(t *testing.T) {
			gates := libGates(t, fk.Src)
			t.Logf("%d modules in rust/kernel/lib.rs", len(gates))
			offs := 0
			for _, o := range fk.Objs {
				var off, on *kernelGate
				for i, g := range gates {
					switch h := g.holds(t, o.Dir); {
					case !h && off == nil:
						off = &gates[i]
					case h && (on == nil || on.cfg == "" && g.cfg != ""):
						// A gate that holds, else a module without one.
						on = &gates[i]
					}
				}
				if off == nil && on == nil {
					continue
				}
				if off != nil {
					offs++
					t.Logf("%s: kernel::%s is not built (%s)", o.Name, off.module, off.cfg)
				}
				if on != nil {
					t.Logf("%s: kernel::%s is built (%q)", o.Name, on.module, on.cfg)
				}
				t.Run(o.Name, func(t *testing.T) {
					p := startOn(t, fk.Src, o.Dir, fullCaps)
					defer p.shutdown()
					for i, g := range []*kernelGate{off, on} {
						if g == nil {
							continue
						}
						// Never written: the document is open only.
						path := filepath.Join(fk.Src, "drivers", fmt.Sprintf("krls_gate_test_%d.rs", i))
						text := "use kernel::" + g.module + ";\n"
						uri := pathToURI(path)
						p.open(uri, text, 1)
						pub := p.diagnosticsFor(uri, version(1))
						d := findDiag(pub.Diagnostics, "disabled-cfg-item")
						if g == on {
							if d != nil {
								t.Errorf("kernel::%s under %s, which holds: %+v", g.module, g.cfg, d)
							}
							continue
						}
						name, _, _ := strings.Cut(g.cfg, " ")
						if d == nil || d.Severity != protocol.DiagnosticSeverityWarning || !strings.Contains(d.Message, "kernel::"+g.module) || !strings.Contains(d.Message, name) {
							t.Fatalf("kernel::%s under %s: diagnostics %+v", g.module, g.cfg, pub.Diagnostics)
						}
						if want := utf16Pos(text, strings.Index(text, g.module)); d.Range.Start != want {
							t.Errorf("range %v, want start %v", d.Range, want)
						}
						if len(d.RelatedInformation) == 0 || d.RelatedInformation[0].Location.URI != protocol.DocumentURI(pathToURI(filepath.Join(fk.Src, "rust", "kernel", "lib.rs"))) ||
							int(d.RelatedInformation[0].Location.Range.Start.Line) != g.line-1 {
							t.Errorf("related information %+v, want rust/kernel/lib.rs:%d", d.RelatedInformation, g.line)
						}
					}
				})
			}
			if slices.ContainsFunc(gates, func(g kernelGate) bool { return g.cfg != "" }) && offs == 0 {
				t.Errorf("every gate of lib.rs holds in every object tree of Linux %s: nothing was left out to test", fk.Version)
			}
		})
	}
}
