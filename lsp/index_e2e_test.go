package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// End-to-end tests of the index: background indexing with work-done
// progress, updates from watched files and saves, workspace/symbol.

// workspaceSymbols asks workspace/symbol until accept likes the answer.
func (c *client) workspaceSymbols(query string, accept func([]protocol.SymbolInformation) bool) []protocol.SymbolInformation {
	c.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		r := c.call("workspace/symbol", map[string]any{"query": query})
		if r.Error != nil {
			c.t.Fatalf("workspace/symbol: %v", r)
		}
		var syms []protocol.SymbolInformation
		if err := json.Unmarshal(r.Result, &syms); err != nil {
			c.t.Fatalf("workspace/symbol result %s: %v", r.Result, err)
		}
		if accept(syms) {
			return syms
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("workspace/symbol %q: no acceptable answer, last %+v", query, syms)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func findSym(syms []protocol.SymbolInformation, name, container string) *protocol.SymbolInformation {
	for i := range syms {
		if syms[i].Name == name && (container == "" || syms[i].ContainerName == container) {
			return &syms[i]
		}
	}
	return nil
}

// reply answers a request of the server.
func (c *client) reply(m message) {
	c.send(map[string]any{"jsonrpc": "2.0", "id": json.RawMessage(m.ID), "result": nil})
}

type progressValue struct {
	Kind    string `json:"kind"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// TestEndToEndIndexKernel indexes each fixture kernel in the background
// with work-done progress (every .rs file of the tree), then finds a type
// of the kernel crate where its file declares it (Task, or ThisModule
// before 6.2), and a Kconfig symbol of the tree once its configuration is
// loaded.
func TestEndToEndIndexKernel(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) { indexKernelE2E(t, k.Src, k.RustObj(t).Dir) })
	}
}

func indexKernelE2E(t *testing.T, src, obj string) {
	files := 0
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != src && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rs") {
			files++
		}
		return nil
	})
	p := startKrls(t)
	caps := map[string]any{
		"window":    map[string]any{"workDoneProgress": true},
		"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}},
	}
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, caps)
	reg := p.waitFor("client/registerCapability", func(m message) bool { return m.Method == "client/registerCapability" })
	if !strings.Contains(string(reg.Params), `"**/*.rs"`) {
		t.Errorf("registration %s", reg.Params)
	}
	p.reply(reg)

	// Work-done progress: create, begin, report, end.
	create := p.waitFor("window/workDoneProgress/create", func(m message) bool { return m.Method == "window/workDoneProgress/create" })
	var cp struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(create.Params, &cp); err != nil || cp.Token == "" {
		t.Fatalf("create %s", create.Params)
	}
	p.reply(create)
	var kinds []string
	var end progressValue
	for end.Kind != "end" {
		m := p.waitFor("$/progress", func(m message) bool { return m.Method == "$/progress" })
		var pp struct {
			Token string        `json:"token"`
			Value progressValue `json:"value"`
		}
		if err := json.Unmarshal(m.Params, &pp); err != nil || pp.Token != cp.Token {
			t.Fatalf("progress %s", m.Params)
		}
		kinds = append(kinds, pp.Value.Kind)
		if pp.Value.Kind == "end" {
			end = pp.Value
		}
	}
	// The report is left out when the indexing ended before the client
	// accepted the token (a warm index of 6.1's 29 files can).
	if k := strings.Join(kinds, ","); k != "begin,report,end" && k != "begin,end" || !strings.HasPrefix(end.Message, fmt.Sprintf("%d files", files)) {
		t.Errorf("progress %v, end %+v; the tree has %d .rs files", kinds, end, files)
	}

	// Task (6.2 on), else ThisModule: a struct where its file says.
	name, container, rel, method := "Task", "kernel::task", "rust/kernel/task.rs", "kernel::task::Task::current"
	if _, err := os.Stat(filepath.Join(src, rel)); err != nil {
		name, container, rel, method = "ThisModule", "kernel", "rust/kernel/lib.rs", "kernel::ThisModule::from_ptr"
	}
	syms := p.workspaceSymbols(name, func(s []protocol.SymbolInformation) bool { return len(s) > 0 })
	sym := findSym(syms, name, container)
	if sym == nil || sym.Kind != protocol.SymbolKindStruct || !strings.HasSuffix(string(sym.Location.URI), "/"+rel) {
		t.Fatalf("%s: %+v", name, syms)
	}
	text := readFile(t, filepath.Join(src, rel))
	if line := strings.Split(text, "\n")[sym.Location.Range.Start.Line]; !strings.Contains(line, "pub struct "+name) {
		t.Errorf("%s at line %d: %q", name, sym.Location.Range.Start.Line, line)
	}
	i := strings.LastIndex(method, "::")
	if m := findSym(p.workspaceSymbols(method, func(s []protocol.SymbolInformation) bool { return len(s) > 0 }), method[i+2:], method[:i]); m == nil {
		t.Errorf("no %s", method)
	}

	// Kconfig symbols join once the kernel's configuration is loaded
	// (by opening a Rust file of the tree): RUST_PHYLIB_ABSTRACTIONS
	// (6.8 on), else RUST.
	uri := pathToURI(filepath.Join(src, rel))
	p.openAs(uri, "rust", text, 1)
	p.diagnosticsFor(uri, version(1))
	query, symbol, kconfig := "RUST_PHYLIB", "CONFIG_RUST_PHYLIB_ABSTRACTIONS", "/drivers/net/phy/Kconfig"
	if !strings.Contains(readFile(t, filepath.Join(src, "drivers/net/phy/Kconfig")), "config RUST_PHYLIB_ABSTRACTIONS\n") {
		query, symbol, kconfig = "CONFIG_RUST", "CONFIG_RUST", "/init/Kconfig"
	}
	syms = p.workspaceSymbols(query, func(s []protocol.SymbolInformation) bool { return len(s) > 0 })
	if k := findSym(syms, symbol, ""); k == nil || k.Kind != protocol.SymbolKindKey || !strings.HasSuffix(string(k.Location.URI), kconfig) {
		t.Errorf("%s: %+v", query, syms)
	}

	// With rust-analyzer holding the kernel's project, its crates' items
	// are its answers: krls gives the Kconfig symbols alone.
	p.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"krls": map[string]any{"objtree": obj, "rustAnalyzer": true}}})
	syms = p.workspaceSymbols(name, func(s []protocol.SymbolInformation) bool { return findSym(s, name, container) == nil })
	for _, s := range syms {
		if s.Kind != protocol.SymbolKindKey {
			t.Errorf("with rust-analyzer: %s %s (%v)", s.ContainerName, s.Name, s.Kind)
		}
	}
	if k := findSym(p.workspaceSymbols(query, func(s []protocol.SymbolInformation) bool { return len(s) > 0 }), symbol, ""); k == nil {
		t.Errorf("with rust-analyzer: no %s", symbol)
	}
	stopKrls(p)
}

// smallIndexTree writes a small srctree (a kernel crate with
// sync::Mutex) and returns it and a function that writes a file of it
// (its path relative to the tree) and returns its path.
func smallIndexTree(t *testing.T) (string, func(rel, text string) string) {
	dir := t.TempDir()
	write := func(rel, text string) string {
		t.Helper()
		path := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("Kconfig", "config RUST\n\tbool \"Rust\"\n")
	write("Makefile", "")
	write("rust/kernel/lib.rs", "pub mod sync;\n")
	write("rust/kernel/sync.rs", "pub struct Mutex;\n")
	return dir, write
}

// A small tree: no progress without the client's support, updates by
// watched-file notifications and by saves.
func TestEndToEndIndexUpdates(t *testing.T) {
	dir, write := smallIndexTree(t)

	p := startKrls(t)
	caps := map[string]any{"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}}}
	p.initializeWith("file://"+dir, nil, caps)
	p.reply(p.waitFor("client/registerCapability", func(m message) bool { return m.Method == "client/registerCapability" }))
	p.workspaceSymbols("Mutex", func(s []protocol.SymbolInformation) bool { return findSym(s, "Mutex", "kernel::sync") != nil })

	// A new module, reported by the watcher.
	write("rust/kernel/lib.rs", "pub mod sync;\npub mod task;\n")
	task := write("rust/kernel/task.rs", "pub struct Task;\n")
	p.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{
		{"uri": pathToURI(filepath.Join(dir, "rust/kernel/lib.rs")), "type": 2},
		{"uri": pathToURI(task), "type": 1},
	}})
	p.workspaceSymbols("Task", func(s []protocol.SymbolInformation) bool { return findSym(s, "Task", "kernel::task") != nil })

	// A save.
	write("rust/kernel/task.rs", "pub struct Task;\nimpl Task { pub unsafe fn current() -> Task { Task } }\n")
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(task, later, later)
	p.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": pathToURI(task)}})
	p.workspaceSymbols("current", func(s []protocol.SymbolInformation) bool { return findSym(s, "current", "kernel::task::Task") != nil })

	// A deletion.
	os.Remove(task)
	p.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": pathToURI(task), "type": 3}}})
	p.workspaceSymbols("Task", func(s []protocol.SymbolInformation) bool { return findSym(s, "Task", "kernel::task") == nil })

	for _, m := range p.all {
		if m.Method == "window/workDoneProgress/create" || m.Method == "$/progress" {
			t.Errorf("progress sent to a client without support: %v", m)
		}
	}
	// The index line goes to the client's log, not to stderr (which
	// editors show as errors).
	p.logMessage(func(m protocol.LogMessageParams) bool { return strings.Contains(m.Message, "index of "+dir) })
	if strings.Contains(p.stderr.String(), "index of") {
		t.Errorf("an informational line on stderr:\n%s", p.stderr.String())
	}
}

// A client that answers window/workDoneProgress/create slowly: indexing
// does not wait for it, the progress comes once the token is accepted
// (begin first; the indexing having ended, then end), and a client that
// never answers does not hold up shutdown.
func TestEndToEndIndexSlowProgressClient(t *testing.T) {
	dir, _ := smallIndexTree(t)
	caps := map[string]any{"window": map[string]any{"workDoneProgress": true}}
	isProgress := func(m message) bool { return m.Method == "$/progress" }

	p := startKrls(t)
	p.initializeWith("file://"+dir, nil, caps)
	create := p.waitFor("window/workDoneProgress/create", func(m message) bool { return m.Method == "window/workDoneProgress/create" })
	// Unanswered, the indexing goes on to its end.
	p.workspaceSymbols("Mutex", func(s []protocol.SymbolInformation) bool { return findSym(s, "Mutex", "kernel::sync") != nil })
	p.logMessage(func(m protocol.LogMessageParams) bool { return strings.Contains(m.Message, "index of "+dir) })
	for _, m := range append(p.all, p.pending...) {
		if isProgress(m) {
			t.Fatalf("progress before the token was created: %v", m)
		}
	}
	p.reply(create)
	var kinds []string
	for len(kinds) == 0 || kinds[len(kinds)-1] != "end" {
		m := p.waitFor("$/progress", isProgress)
		kinds = append(kinds, decodeParams[struct {
			Value progressValue `json:"value"`
		}](t, m.Params).Value.Kind)
	}
	if strings.Join(kinds, ",") != "begin,end" {
		t.Errorf("progress after a late create: %v, want begin,end", kinds)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}

	// A client that never answers: shutdown cancels the request.
	q := startKrls(t)
	q.initializeWith("file://"+dir, nil, caps)
	q.waitFor("window/workDoneProgress/create", func(m message) bool { return m.Method == "window/workDoneProgress/create" })
	if m := q.call("shutdown", nil); m.Error != nil {
		t.Errorf("shutdown: %v", m)
	}
	q.notify("exit", nil)
	if code := q.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if log := q.stderr.String(); strings.Contains(log, "still running") {
		t.Errorf("shutdown waited for the unanswered create:\n%s", log)
	}
}

// A macro the tree defines later: once the watcher reports the file that
// defines it, the server reads its shape, and the cast in its input (code
// now) gets the CAST hint in the open document, without a restart.
func TestEndToEndTreeMacroChange(t *testing.T) {
	dir, write := smallIndexTree(t)
	user := write("rust/kernel/user.rs", "pub fn f(x: u64) {\n    my_check!(x as u8 > 0);\n}\n")
	uri := pathToURI(user)

	p := startKrls(t)
	caps := map[string]any{"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}}}
	p.initializeWith("file://"+dir, nil, caps)
	p.reply(p.waitFor("client/registerCapability", func(m message) bool { return m.Method == "client/registerCapability" }))
	castHints := func(d publishParams) int {
		n := 0
		for _, x := range d.Diagnostics {
			if x.Code == "undocumented-cast" {
				n++
			}
		}
		return n
	}
	src, _ := os.ReadFile(user)
	p.open(uri, string(src), 1)
	if d := p.diagnosticsFor(uri, version(1)); castHints(d) != 0 {
		t.Fatalf("a cast in an unknown macro's input got a hint: %v", d.Diagnostics)
	}
	checks := write("rust/kernel/checks.rs", "macro_rules! my_check {\n    ($c:expr) => {\n        let _ = $c;\n    };\n}\n")
	p.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": pathToURI(checks), "type": 1}}})
	p.diagnosticsFor(uri, func(d publishParams) bool { return castHints(d) == 1 })
}
