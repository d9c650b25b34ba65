package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/symbols"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// inProcess runs Serve on pipes.
type inProcess struct {
	*client
	in     *io.PipeWriter
	stderr *syncBuffer
	code   chan int
}

func startServer(t *testing.T, opts Options) *inProcess {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	p := &inProcess{in: inW, stderr: &syncBuffer{}, code: make(chan int, 1)}
	go func() {
		code := Serve(context.Background(), inR, outW, p.stderr, opts)
		outW.Close()
		p.code <- code
	}()
	p.client = newClient(t, inW, outR)
	t.Cleanup(func() {
		inW.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", p.stderr.String())
		}
	})
	return p
}

// exitCode waits for Serve to return and checks the output was clean.
func (p *inProcess) exitCode() int {
	p.t.Helper()
	p.drain()
	if err := p.err(); err != nil {
		p.t.Error(err)
	}
	select {
	case code := <-p.code:
		return code
	case <-time.After(waitTimeout):
		p.t.Fatal("Serve did not return")
	}
	return -1
}

const sample = "fn read(p: *const u8) -> u8 {\n    /* 🐧 é 中 */ unsafe { *p }\n}\n"

func TestServerLifecycle(t *testing.T) {
	p := startServer(t, Options{Version: "test"})
	if r := p.call("textDocument/codeAction", map[string]any{}); r.Error == nil || r.Error.Code != int(jsonrpc2.ServerNotInitialized) {
		t.Errorf("request before initialize: %v", r)
	}
	p.notify("textDocument/didOpen", map[string]any{}) // dropped quietly
	resp := p.initialize("", nil)
	var result map[string]map[string]json.RawMessage
	if err := json.Unmarshal(resp.Result, &result); err != nil {
		t.Fatal(err)
	}
	caps := result["capabilities"]
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range caps {
			if !yield(k) {
				return
			}
		}
	})
	// Hover, definition and completion answer only about the kernel's
	// configuration (CONFIG_ names in cfg predicates, Kconfig and .config
	// files), and are empty elsewhere: rust-analyzer's answers stand.
	// workspace/symbol adds the index's items and Kconfig symbols to
	// rust-analyzer's.
	if !slices.Equal(keys, []string{"codeActionProvider", "completionProvider", "definitionProvider", "documentSymbolProvider", "hoverProvider", "textDocumentSync", "workspaceSymbolProvider"}) {
		t.Errorf("capabilities %v", keys)
	}
	if s := string(caps["textDocumentSync"]); !strings.Contains(s, `"change":2`) || !strings.Contains(s, `"openClose":true`) {
		t.Errorf("textDocumentSync %s", s)
	}
	if s := string(caps["codeActionProvider"]); s != `{"codeActionKinds":["quickfix"]}` {
		t.Errorf("codeActionProvider %s", s)
	}
	if s := string(result["serverInfo"]["version"]); s != `"test"` {
		t.Errorf("serverInfo %v", result["serverInfo"])
	}
	info := p.logMessage(func(protocol.LogMessageParams) bool { return true })
	if info.Type != protocol.MessageTypeInfo || !strings.Contains(info.Message, "no workspace folder") {
		t.Errorf("first log message %+v", info)
	}
	if r := p.call("initialize", map[string]any{}); r.Error == nil {
		t.Errorf("second initialize: %v", r)
	}
	if r := p.call("shutdown", nil); r.Error != nil || string(r.Result) != "null" {
		t.Errorf("shutdown: %v", r)
	}
	if r := p.call("textDocument/codeAction", map[string]any{}); r.Error == nil || r.Error.Code != int(jsonrpc2.InvalidRequest) {
		t.Errorf("request after shutdown: %v", r)
	}
	p.notify("exit", nil)
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit code %d after shutdown, want 0", code)
	}
}

func TestServerExitCodes(t *testing.T) {
	t.Run("exit without shutdown", func(t *testing.T) {
		p := startServer(t, Options{})
		p.initialize("", nil)
		p.notify("exit", nil)
		if code := p.exitCode(); code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
	})
	t.Run("EOF without shutdown", func(t *testing.T) {
		p := startServer(t, Options{})
		p.initialize("", nil)
		p.open("file:///x/a.rs", sample, 1)
		p.in.Close()
		if code := p.exitCode(); code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
	})
	t.Run("EOF after shutdown", func(t *testing.T) {
		p := startServer(t, Options{})
		p.initialize("", nil)
		p.call("shutdown", nil)
		p.in.Close()
		if code := p.exitCode(); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	})
	t.Run("EOF before initialize", func(t *testing.T) {
		p := startServer(t, Options{})
		p.in.Close()
		if code := p.exitCode(); code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
	})
}

func TestServerDiagnosticsAndCodeActions(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".clippy.toml"), []byte("check-private-items = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startServer(t, Options{Debounce: 10 * time.Millisecond})
	p.initialize("file://"+dir, nil)
	info := p.logMessage(func(protocol.LogMessageParams) bool { return true })
	if !strings.Contains(info.Message, filepath.Join(dir, ".clippy.toml")) || !strings.Contains(info.Message, "check-private-items = true") {
		t.Errorf("log message %q does not name the clippy configuration", info.Message)
	}

	uri := "file://" + filepath.Join(dir, "a.rs")
	text := "unsafe fn g() {}\n" + sample + "fn h() {\n    // SAFETY: nothing to justify.\n    let x = 1;\n}\n"
	p.open(uri, text, 1)
	diags := p.diagnosticsFor(uri, version(1)).Diagnostics
	var codes []string
	for _, d := range diags {
		codes = append(codes, d.Code.(string))
		if d.Source != "krls" {
			t.Errorf("source %q", d.Source)
		}
	}
	// check-private-items from .clippy.toml: the private unsafe fn counts.
	if want := []string{"missing-safety-doc", "undocumented-unsafe", "unnecessary-safety-comment"}; !slices.Equal(codes, want) {
		t.Fatalf("codes %v, want %v", codes, want)
	}
	u := diags[1]
	start := strings.Index(text, "unsafe { *p }")
	if want := (protocol.Range{Start: utf16Pos(text, start), End: utf16Pos(text, start+len("unsafe { *p }"))}); u.Range != want {
		t.Errorf("range %v, want %v", u.Range, want)
	}
	if u.Range.Start.Character != 17 {
		t.Errorf("start character %d, want 17 (UTF-16 units)", u.Range.Start.Character)
	}
	if u.Severity != protocol.DiagnosticSeverityWarning || u.CodeDescription == nil ||
		u.CodeDescription.Href != "https://rust-lang.github.io/rust-clippy/master/index.html#undocumented_unsafe_blocks" {
		t.Errorf("diagnostic %+v", u)
	}
	un := diags[2]
	if len(un.RelatedInformation) != 1 || string(un.RelatedInformation[0].Location.URI) != uri {
		t.Fatalf("related information %+v", un.RelatedInformation)
	}
	letAt := strings.Index(text, "let x = 1;")
	if got := un.RelatedInformation[0].Location.Range.Start; got != utf16Pos(text, letAt) {
		t.Errorf("related at %v", got)
	}

	// Code actions: by context diagnostic, by range, filtered by kind.
	r := p.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        u.Range,
		"context":      map[string]any{"diagnostics": []protocol.Diagnostic{u}},
	})
	actions := decodeParams[[]protocol.CodeAction](t, r.Result)
	if len(actions) != 1 || actions[0].Kind != protocol.QuickFix || !actions[0].IsPreferred ||
		len(actions[0].Diagnostics) != 1 || actions[0].Diagnostics[0].Code != "undocumented-unsafe" {
		t.Fatalf("actions %+v", actions)
	}
	edits := actions[0].Edit.Changes[protocol.DocumentURI(uri)]
	fixed, changes := applyEdits(t, text, edits)
	if !strings.Contains(fixed, "    // SAFETY: \n    /* 🐧") {
		t.Errorf("fixed text %q", fixed)
	}
	cursor := protocol.Range{Start: u.Range.Start, End: u.Range.Start}
	r = p.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": cursor, "context": map[string]any{"diagnostics": []any{}},
	})
	if got := decodeParams[[]protocol.CodeAction](t, r.Result); len(got) != 1 || got[0].Title != actions[0].Title {
		t.Errorf("actions at the cursor %+v", got)
	}
	r = p.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": cursor,
		"context": map[string]any{"diagnostics": []any{}, "only": []string{"refactor"}},
	})
	if got := decodeParams[[]protocol.CodeAction](t, r.Result); len(got) != 0 {
		t.Errorf("actions for only=refactor %+v", got)
	}

	// Apply the fix as an incremental change: the warning goes, an
	// information about the empty comment comes.
	p.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 2},
		"contentChanges": changes,
	})
	diags = p.diagnosticsFor(uri, version(2)).Diagnostics
	codes = nil
	for _, d := range diags {
		codes = append(codes, d.Code.(string))
	}
	if want := []string{"missing-safety-doc", "safety-placeholder", "unnecessary-safety-comment"}; !slices.Equal(codes, want) {
		t.Errorf("codes after the fix %v, want %v", codes, want)
	}

	// Settings narrow the rules.
	p.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"krls": map[string]any{"rules": []string{"missing-safety-doc"}}}})
	p.diagnosticsFor(uri, func(pp publishParams) bool {
		return len(pp.Diagnostics) == 1 && pp.Diagnostics[0].Code == "missing-safety-doc"
	})
	p.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"checkPrivateItems": false, "rules": []string{"missing-safety-doc", "bogus"}}})
	warn := p.logMessage(func(m protocol.LogMessageParams) bool { return m.Type == protocol.MessageTypeWarning })
	if !strings.Contains(warn.Message, "bogus") {
		t.Errorf("warning %q", warn.Message)
	}
	p.diagnosticsFor(uri, func(pp publishParams) bool { return len(pp.Diagnostics) == 0 })

	p.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
	if d := p.diagnosticsFor(uri, func(pp publishParams) bool { return pp.Version == nil }); len(d.Diagnostics) != 0 || d.Diagnostics == nil {
		t.Errorf("diagnostics on close %+v", d)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func TestServerIgnoresOtherDocuments(t *testing.T) {
	p := startServer(t, Options{})
	p.initialize("", nil)
	p.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": "file:///x/a.c", "languageId": "c", "version": 1, "text": sample,
	}})
	p.notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": "file:///x/a.c", "version": 2}, "contentChanges": []any{map[string]any{"text": "x"}},
	})
	r := p.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": "file:///x/a.c"}, "range": protocol.Range{}, "context": map[string]any{},
	})
	if r.Error != nil || string(r.Result) != "[]" {
		t.Errorf("code action on a C file: %v", r)
	}
	// An untitled buffer in rust is analysed.
	p.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": "untitled:Untitled-1", "languageId": "rust", "version": 1, "text": sample,
	}})
	if d := p.diagnosticsFor("untitled:Untitled-1", version(1)); len(d.Diagnostics) != 1 {
		t.Errorf("untitled buffer: %+v", d)
	}
	p.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": "file:///x/a.c"}})
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.exitCode()
	for _, m := range p.all {
		if m.Method == "textDocument/publishDiagnostics" && strings.Contains(string(m.Params), "a.c") {
			t.Errorf("diagnostics for a C file: %v", m)
		}
	}
	if strings.Contains(p.stderr.String(), "not open") {
		t.Errorf("the change of an ignored document was logged:\n%s", p.stderr.String())
	}
	for _, m := range p.all {
		if m.Method == "window/logMessage" && strings.Contains(string(m.Params), "not open") {
			t.Errorf("the change of an ignored document was logged: %s", m.Params)
		}
	}
}

func TestServerTyping(t *testing.T) {
	p := startServer(t, Options{}) // the default debounce
	p.initialize("", nil)
	uri := "file:///x/typing.rs"
	p.open(uri, sample, 1)
	p.diagnosticsFor(uri, version(1))
	// Type a SAFETY comment one character at a time, in separate
	// didChange notifications.
	line := "    // SAFETY: `p` is valid.\n"
	for i, c := range line {
		p.notify("textDocument/didChange", map[string]any{
			"textDocument": map[string]any{"uri": uri, "version": 2 + i},
			"contentChanges": []any{map[string]any{
				"range": protocol.Range{Start: pos(1, uint32(i)), End: pos(1, uint32(i))},
				"text":  string(c),
			}},
		})
	}
	last := int32(1 + len(line))
	d := p.diagnosticsFor(uri, version(last))
	if len(d.Diagnostics) != 0 {
		t.Errorf("diagnostics after typing the comment: %+v", d.Diagnostics)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.exitCode()
	// Publications never go back to an older version.
	var seen int32
	for _, m := range p.all {
		if m.Method != "textDocument/publishDiagnostics" {
			continue
		}
		pp := decodeParams[publishParams](t, m.Params)
		if pp.Version == nil || *pp.Version < seen {
			t.Errorf("published version %v after %d", pp.Version, seen)
			continue
		}
		seen = *pp.Version
	}
}

// TestServerOneAnalysisPerDocument: edits that come slower than the
// debounce, while a big document is analysed, cancel the analysis of the
// one before; the next waits for it to end, so that cancelled analyses
// do not pile up.
func TestServerOneAnalysisPerDocument(t *testing.T) {
	var mu sync.Mutex
	active, most, started := 0, 0, 0
	hook := func(s *server) {
		s.testHookAnalyze = func(uri string, delta int) {
			mu.Lock()
			active += delta
			most = max(most, active)
			if delta > 0 {
				started++
			}
			mu.Unlock()
			if delta < 0 {
				// An analysis slow to notice its cancellation.
				time.Sleep(30 * time.Millisecond)
			}
		}
	}
	p := startServer(t, Options{Debounce: time.Millisecond, testHookServer: hook})
	p.initialize("", nil)
	uri := "file:///x/big.rs"
	text := "fn f() {\n" + strings.Repeat("    unsafe { g() };\n", 20000) + "}\n"
	p.open(uri, text, 1)
	const last = 12
	for v := 2; v <= last; v++ {
		time.Sleep(5 * time.Millisecond) // a pause longer than the debounce
		p.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": v},
			"contentChanges": []any{map[string]any{"range": protocol.Range{Start: pos(1, 0), End: pos(1, 0)}, "text": " "}},
		})
	}
	p.diagnosticsFor(uri, version(last))
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.exitCode()
	mu.Lock()
	defer mu.Unlock()
	if most != 1 || active != 0 || started == 0 {
		t.Errorf("at most %d analyses of the document at once (want 1); %d running at the end, %d started", most, active, started)
	}
}

func TestServerTooLarge(t *testing.T) {
	p := startServer(t, Options{})
	p.initialize("", nil)
	p.logMessage(func(protocol.LogMessageParams) bool { return true })
	uri := "file:///x/big.rs"
	p.open(uri, strings.Repeat("// 🐧 filler\n", symbols.MaxFileSize/10), 1)
	warn := p.logMessage(func(m protocol.LogMessageParams) bool { return m.Type == protocol.MessageTypeWarning })
	if !strings.Contains(warn.Message, "skipping") || !strings.Contains(warn.Message, "big.rs") {
		t.Errorf("warning %q", warn.Message)
	}
	if d := p.diagnosticsFor(uri, version(1)); len(d.Diagnostics) != 0 {
		t.Errorf("diagnostics of a skipped file %+v", d)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.exitCode()
}

func TestServerBadParams(t *testing.T) {
	p := startServer(t, Options{})
	p.initialize("", nil)
	p.logMessage(func(protocol.LogMessageParams) bool { return true })
	if r := p.call("textDocument/codeAction", []int{1}); r.Error == nil || r.Error.Code != int(jsonrpc2.InvalidParams) {
		t.Errorf("codeAction with bad params: %v", r)
	}
	p.notify("textDocument/didChange", map[string]any{"textDocument": "nope"})
	errMsg := p.logMessage(func(m protocol.LogMessageParams) bool { return m.Type == protocol.MessageTypeError })
	if !strings.Contains(errMsg.Message, "didChange") {
		t.Errorf("error message %q", errMsg.Message)
	}
	// A notification method sent as a request is answered.
	if r := p.call("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": "file:///none.rs"}}); r.Error != nil {
		t.Errorf("didClose as a request: %v", r)
	}
	p.notify("$/setTrace", map[string]any{"value": "off"})
	p.notify("$/cancelRequest", map[string]any{"id": 999})
	p.notify("$/cancelRequest", map[string]any{"id": "x"})
	p.notify("$/cancelRequest", map[string]any{"id": []int{}})
	p.notify("$/cancelRequest", nil)
	if r := p.call("textDocument/references", map[string]any{}); r.Error == nil || r.Error.Code != int(jsonrpc2.MethodNotFound) {
		t.Errorf("references: %v", r)
	}
	if r := p.call("textDocument/hover", map[string]any{}); r.Error != nil || string(r.Result) != "null" {
		t.Errorf("hover of no document: %v", r)
	}
	if r := p.call("textDocument/hover", []int{1}); r.Error == nil || r.Error.Code != int(jsonrpc2.InvalidParams) {
		t.Errorf("hover with bad params: %v", r)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// testServer is a server without a connection, for the request plumbing.
func testServer(t *testing.T) *server {
	s := newServer(context.Background(), log.New(io.Discard, "", 0), Options{})
	s.state = stateRunning
	t.Cleanup(s.stop)
	return s
}

type recorded struct {
	result any
	err    error
}

func recordReplies() (*replier, chan recorded) {
	ch := make(chan recorded, 2)
	return &replier{log: log.New(io.Discard, "", 0), reply: func(_ context.Context, result any, err error) error {
		ch <- recorded{result, err}
		return nil
	}}, ch
}

func waitReply(t *testing.T, ch chan recorded) recorded {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(waitTimeout):
		t.Fatal("no reply")
	}
	return recorded{}
}

func errorCode(err error) jsonrpc2.Code {
	var e *jsonrpc2.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func TestCancelRequest(t *testing.T) {
	s := testServer(t)
	r, ch := recordReplies()
	started := make(chan struct{})
	s.goRequest(jsonrpc2.NewNumberID(7), "test/slow", r, func(ctx context.Context) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	<-started
	s.cancelRequest(json.RawMessage(`{"id":8}`)) // another request: nothing happens
	s.cancelRequest(json.RawMessage(`{"id":7}`))
	if got := waitReply(t, ch); errorCode(got.err) != protocol.CodeRequestCancelled {
		t.Errorf("reply %+v, want RequestCancelled", got)
	}

	// Shutdown cancels what is in flight and waits for it.
	r, ch = recordReplies()
	s.goRequest(jsonrpc2.NewStringID("s"), "test/slow", r, func(ctx context.Context) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	s.stop()
	if got := waitReply(t, ch); errorCode(got.err) != protocol.CodeRequestCancelled {
		t.Errorf("reply %+v, want RequestCancelled", got)
	}
	// After the end, requests are refused rather than started.
	r, ch = recordReplies()
	s.goRequest(jsonrpc2.NewNumberID(9), "test/late", r, func(ctx context.Context) (any, error) {
		t.Error("a request ran after shutdown")
		return nil, nil
	})
	if got := waitReply(t, ch); got.err == nil {
		t.Error("late request answered without an error")
	}
}

func TestRequestPanicIsAnswered(t *testing.T) {
	s := testServer(t)
	r, ch := recordReplies()
	s.goRequest(jsonrpc2.NewNumberID(1), "test/panic", r, func(ctx context.Context) (any, error) {
		panic("boom")
	})
	if got := waitReply(t, ch); errorCode(got.err) != jsonrpc2.InternalError {
		t.Errorf("reply %+v, want InternalError", got)
	}
}

func TestHandlerPanicIsAnswered(t *testing.T) {
	s := testServer(t)
	session := s.session
	s.session = nil // codeAction will dereference it
	t.Cleanup(func() { s.session = session })
	r, ch := recordReplies()
	call, err := jsonrpc2.NewCall(jsonrpc2.NewNumberID(3), "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": "file:///a.rs"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.handle(context.Background(), r.reply, call); err != nil {
		t.Errorf("handle returned %v: the connection would end", err)
	}
	if got := waitReply(t, ch); errorCode(got.err) != jsonrpc2.InternalError {
		t.Errorf("reply %+v, want InternalError", got)
	}
}
