package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// Tests of the krls/status notification against the built binary.

var statusCaps = map[string]any{
	"experimental": map[string]any{"krlsStatus": true},
	"workspace":    map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}},
}

// status waits for a krls/status that accept accepts.
func (c *client) status(what string, accept func(statusParams) bool) statusParams {
	c.t.Helper()
	var got statusParams
	c.waitFor("krls/status "+what, func(m message) bool {
		if m.Method != "krls/status" {
			return false
		}
		var st statusParams
		if json.Unmarshal(m.Params, &st) != nil || !accept(st) {
			return false
		}
		got = st
		return true
	})
	return got
}

func countStatus(all []message) int {
	n := 0
	for _, m := range all {
		if m.Method == "krls/status" {
			n++
		}
	}
	return n
}

// TestEndToEndStatusKernel: the status of each object tree of each
// fixture kernel names its arch and whether its .config turns Rust on.
func TestEndToEndStatusKernel(t *testing.T) {
	for _, fk := range kerneltest.Kernels(t) {
		for _, o := range fk.Objs {
			t.Run(fk.Version+"/"+o.Name, func(t *testing.T) {
				rust := "n"
				if kerneltest.DotConfig(t, o.Dir)["RUST"] == "y" {
					rust = "y"
				}
				p := startOn(t, fk.Src, o.Dir, statusCaps)
				path := filepath.Join(fk.Src, "rust", "kernel", "lib.rs")
				uri := pathToURI(path)
				p.open(uri, readFile(t, path), 1)
				st := p.status("ok", func(st statusParams) bool { return st.State == "ok" })
				want := statusParams{State: "ok", Arch: o.Arch, Rust: rust, Srctree: fk.Src, Objtree: o.Dir}
				if st != want {
					t.Errorf("status %+v, want %+v", st, want)
				}
				// Another document of the same tree changes nothing: no
				// second status.
				path2 := filepath.Join(fk.Src, "rust", "kernel", "error.rs")
				uri2 := pathToURI(path2)
				p.open(uri2, readFile(t, path2), 1)
				p.diagnosticsFor(uri2, version(1))
				p.shutdown()
				if n := countStatus(p.all); n != 1 {
					t.Errorf("%d krls/status notifications, want 1", n)
				}
			})
		}
	}
}

// TestEndToEndStatusReload: no .config, then one with CONFIG_RUST=y, then
// one without, each announced; and a file outside any kernel tree.
func TestEndToEndStatusReload(t *testing.T) {
	const kc = "config RUST\n\tbool \"Rust support\"\n\nconfig A\n\tbool \"A\"\n"
	dir := tinyTree(t, kc, "")
	p := startKrls(t)
	p.initializeWith("file://"+dir, nil, statusCaps)
	reg := p.waitFor("client/registerCapability", func(m message) bool { return m.Method == "client/registerCapability" })
	p.send(map[string]any{"jsonrpc": "2.0", "id": json.RawMessage(reg.ID), "result": nil})

	rs := pathToURI(filepath.Join(dir, "rust", "kernel", "lib.rs"))
	p.open(rs, "#[cfg(CONFIG_A)]\nfn f() {}\n", 1)
	st := p.status("noConfig", func(st statusParams) bool { return true })
	if st.State != "noConfig" || st.Srctree != dir || st.Arch == "" || !strings.Contains(st.Message, "no .config") || st.Rust != "" {
		t.Errorf("status without .config: %+v", st)
	}

	write := func(text string) {
		t.Helper()
		cfg := filepath.Join(dir, ".config")
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(2 * time.Second)
		os.Chtimes(cfg, later, later)
		p.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": pathToURI(cfg), "type": 1}}})
	}
	write("CONFIG_RUST=y\nCONFIG_A=y\n")
	st = p.status("ok, RUST=y", func(st statusParams) bool { return st.State == "ok" })
	if st.Rust != "y" || st.Srctree != dir || st.Objtree != dir || st.Message != "" {
		t.Errorf("status with CONFIG_RUST=y: %+v", st)
	}
	write("# CONFIG_RUST is not set\nCONFIG_A=y\n")
	st = p.status("ok, RUST=n", func(st statusParams) bool { return st.State == "ok" && st.Rust == "n" })
	if st.Srctree != dir {
		t.Errorf("status with RUST off: %+v", st)
	}

	// A Rust file of no kernel tree.
	other := t.TempDir()
	ors := pathToURI(filepath.Join(other, "x.rs"))
	p.open(ors, "fn g() {}\n", 1)
	st = p.status("noKernel", func(st statusParams) bool { return st.State == "noKernel" })
	if st.Srctree != "" || st.Arch != "" || st.Message == "" {
		t.Errorf("status of a file without kernel: %+v", st)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.wait()
}

// TestEndToEndStatusNotAsked: a client without the capability never gets
// krls/status.
func TestEndToEndStatusNotAsked(t *testing.T) {
	dir := tinyTree(t, "config A\n\tbool \"A\"\n", "CONFIG_A=y\n")
	p := startKrls(t)
	p.initializeWith("file://"+dir, nil, fullCaps)
	rs := pathToURI(filepath.Join(dir, "rust", "kernel", "lib.rs"))
	p.open(rs, "fn f() {}\n", 1)
	p.diagnosticsFor(rs, version(1))
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.wait()
	if n := countStatus(p.all); n != 0 {
		t.Errorf("%d krls/status notifications to a client that did not ask", n)
	}
}
