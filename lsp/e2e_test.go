package lsp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// krlsBinary is the real krls, built once by TestMain for the end-to-end
// tests; buildErr says why it could not be.
var krlsBinary string
var buildErr error

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "krls-lsp-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	krlsBinary, buildErr = buildKrls(dir)
	// The servers these tests start index the trees they open: never
	// into the real ~/.cache.
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildKrls(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "krls")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/krls")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/krls: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot finds the folder of go.mod: from `go env GOMOD`, else by
// walking up from the test's folder.
func moduleRoot() (string, error) {
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if gomod := strings.TrimSpace(string(out)); gomod != "" && gomod != os.DevNull {
			return filepath.Dir(gomod), nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found")
		}
		dir = parent
	}
}

// process is krls running as editors run it.
type process struct {
	*client
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
}

func startKrls(t *testing.T, args ...string) *process {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	cmd := exec.Command(krlsBinary, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stdin: stdin, stderr: &syncBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.client = newClient(t, stdin, stdout)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("krls stderr:\n%s", p.stderr.String())
		}
	})
	return p
}

// wait waits for the process to end and returns its exit code.
func (p *process) wait() int {
	p.t.Helper()
	p.drain() // stdout must be read to its end before Wait closes it
	if err := p.err(); err != nil {
		p.t.Errorf("stdout: %v", err)
	}
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		p.t.Fatal(err)
	}
	return p.cmd.ProcessState.ExitCode()
}

func codeActionParams(uri string, r protocol.Range, diags []protocol.Diagnostic) map[string]any {
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	return map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        r,
		"context":      map[string]any{"diagnostics": diags},
	}
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".clippy.toml"), []byte("check-private-items = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startKrls(t)
	resp := p.initialize("file://"+dir, map[string]any{"krls": map[string]any{"srctree": "/nowhere"}})
	if !strings.Contains(string(resp.Result), `"codeActionKinds":["quickfix"]`) {
		t.Errorf("initialize result %s", resp.Result)
	}
	info := p.logMessage(func(m protocol.LogMessageParams) bool { return m.Type == protocol.MessageTypeInfo })
	if !strings.Contains(info.Message, ".clippy.toml") {
		t.Errorf("info message %q", info.Message)
	}

	// An undocumented unsafe block after a comment with emoji on its line.
	uri := "file://" + filepath.Join(dir, "penguin.rs")
	text := "// Émojis 🐧🐧 everywhere.\nfn read(p: *const u8) -> u8 {\n    /* 🐧 é 中 */ unsafe { *p }\n}\n"
	p.open(uri, text, 1)
	pub := p.diagnosticsFor(uri, version(1))
	if len(pub.Diagnostics) != 1 {
		t.Fatalf("diagnostics %+v", pub.Diagnostics)
	}
	d := pub.Diagnostics[0]
	start := strings.Index(text, "unsafe {")
	end := start + len("unsafe { *p }")
	want := protocol.Range{Start: utf16Pos(text, start), End: utf16Pos(text, end)}
	if d.Range != want || want.Start != pos(2, 17) || want.End != pos(2, 30) {
		t.Errorf("range %v, want %v = 2:17-2:30", d.Range, want)
	}
	if d.Code != "undocumented-unsafe" || d.Severity != protocol.DiagnosticSeverityWarning || d.Source != "krls" ||
		d.CodeDescription == nil || !strings.HasSuffix(string(d.CodeDescription.Href), "#undocumented_unsafe_blocks") {
		t.Errorf("diagnostic %+v", d)
	}

	// Its quick fix, applied as an incremental change.
	r := p.call("textDocument/codeAction", codeActionParams(uri, d.Range, []protocol.Diagnostic{d}))
	actions := decodeParams[[]protocol.CodeAction](t, r.Result)
	if len(actions) != 1 || actions[0].Kind != protocol.QuickFix || !actions[0].IsPreferred || actions[0].Edit == nil {
		t.Fatalf("code actions %s", r.Result)
	}
	fixed, changes := applyEdits(t, text, actions[0].Edit.Changes[protocol.DocumentURI(uri)])
	if !strings.Contains(fixed, "\n    // SAFETY: \n    /* 🐧") {
		t.Fatalf("the fix made %q", fixed)
	}
	p.notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": changes,
	})
	pub = p.diagnosticsFor(uri, version(2))
	for _, d := range pub.Diagnostics {
		if d.Code == "undocumented-unsafe" {
			t.Errorf("still undocumented after the fix: %+v", d)
		}
	}
	// The empty comment is a placeholder, on the inserted line.
	if len(pub.Diagnostics) != 1 || pub.Diagnostics[0].Code != "safety-placeholder" ||
		pub.Diagnostics[0].Severity != protocol.DiagnosticSeverityInformation || pub.Diagnostics[0].Range.Start.Line != 2 {
		t.Errorf("diagnostics after the fix %+v", pub.Diagnostics)
	}

	// Two edits in one didChange, in order: justify, then add a line on top.
	col := uint32(len("    // SAFETY: "))
	p.notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": uri, "version": 3},
		"contentChanges": []any{
			map[string]any{"range": protocol.Range{Start: pos(2, col), End: pos(2, col)}, "text": "`p` is valid 🐧."},
			map[string]any{"range": protocol.Range{Start: pos(0, 0), End: pos(0, 0)}, "text": "// é\n"},
		},
	})
	if pub = p.diagnosticsFor(uri, version(3)); len(pub.Diagnostics) != 0 {
		t.Errorf("diagnostics of the justified block %+v", pub.Diagnostics)
	}

	p.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
	if pub = p.diagnosticsFor(uri, func(pp publishParams) bool { return pp.Version == nil }); len(pub.Diagnostics) != 0 {
		t.Errorf("diagnostics on close %+v", pub.Diagnostics)
	}

	// Bad input is survived.
	bad := `{"jsonrpc":"2.0","id":40,"method":`
	p.writeRaw([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(bad), bad)))
	m := p.waitFor("a parse error", func(m message) bool { return m.Error != nil && m.Error.Code == -32700 })
	if !bytes.Contains(m.raw, []byte(`"id":null`)) {
		t.Errorf("parse error reply %s, want id null", m.raw)
	}
	notMsg := `{"jsonrpc":"2.0","id":41,"method":7}`
	p.writeRaw([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(notMsg), notMsg)))
	if m := p.response(41); m.Error == nil || m.Error.Code != -32600 {
		t.Errorf("invalid request reply %v", m)
	}
	p.writeRaw([]byte("Content-Type: application/json\r\n\r\n{}"))   // no Content-Length
	p.writeRaw([]byte("@@ garbage between messages, no newline @@")) // then garbage
	if m := p.call("krls/unknownMethod", map[string]any{}); m.Error == nil || m.Error.Code != -32601 {
		t.Errorf("unknown method reply %v", m)
	}
	p.notify("krls/unknownNotification", map[string]any{})

	// Positions past the end, and documents that are not open.
	p.open(uri, text, 10)
	p.diagnosticsFor(uri, version(10))
	far := protocol.Range{Start: pos(1000, 5), End: pos(2000, 9)}
	if m := p.call("textDocument/codeAction", codeActionParams(uri, far, nil)); m.Error != nil || !strings.HasPrefix(string(m.Result), "[") {
		t.Errorf("code action past the end %v", m)
	}
	if m := p.call("textDocument/codeAction", codeActionParams("file:///not/open.rs", far, nil)); m.Error != nil || string(m.Result) != "[]" {
		t.Errorf("code action on a document that is not open %v", m)
	}
	p.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": "file:///not/open.rs", "version": 2},
		"contentChanges": []any{map[string]any{"text": "x"}},
	})

	// A 5 MB document: its finding is on the last line.
	var big strings.Builder
	for big.Len() < 5<<20 {
		big.WriteString("// Filler with 🐧 and é, as generated tables have.\n")
	}
	big.WriteString("fn last(p: *const u8) -> u8 {\n    /* 🐧 */ unsafe { *p }\n}\n")
	bigText := big.String()
	bigURI := "file://" + filepath.Join(dir, "big.rs")
	p.open(bigURI, bigText, 1)
	pub = p.diagnosticsFor(bigURI, version(1))
	bigStart := strings.LastIndex(bigText, "unsafe {")
	if len(pub.Diagnostics) != 1 || pub.Diagnostics[0].Range.Start != utf16Pos(bigText, bigStart) {
		t.Errorf("diagnostics of the 5 MB document %+v, want one at %v", pub.Diagnostics, utf16Pos(bigText, bigStart))
	} else {
		r := p.call("textDocument/codeAction", codeActionParams(bigURI, pub.Diagnostics[0].Range, pub.Diagnostics))
		if got := decodeParams[[]protocol.CodeAction](t, r.Result); len(got) != 1 {
			t.Errorf("code actions in the 5 MB document: %s", r.Result)
		}
	}
	p.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": bigURI}})

	// Invalid UTF-8 in the text: raw bytes and a lone surrogate escape.
	// Each bad byte (or the U+FFFD it decodes to) is one UTF-16 unit.
	for i, bad := range []string{"\xff\xfe", `\ud83d`} {
		badURI := fmt.Sprintf("file://%s/bad%d.rs", dir, i)
		body := `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"` + badURI +
			`","languageId":"rust","version":1,"text":"fn f(p: *const u8) -> u8 {\n    /* ` + bad + ` */ unsafe { *p }\n}\n"}}}`
		p.writeRaw([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)))
		pub = p.diagnosticsFor(badURI, version(1))
		wantChar := uint32(4 + 3 + 2 + 4)
		if i == 1 {
			wantChar = 4 + 3 + 1 + 4
		}
		if len(pub.Diagnostics) != 1 || pub.Diagnostics[0].Range.Start != pos(1, wantChar) {
			t.Errorf("invalid UTF-8 %q: diagnostics %+v, want one at 1:%d", bad, pub.Diagnostics, wantChar)
		}
	}

	if m := p.call("shutdown", nil); m.Error != nil {
		t.Errorf("shutdown %v", m)
	}
	p.notify("exit", nil)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if log := p.stderr.String(); !strings.Contains(log, "not valid JSON") || !strings.Contains(log, "bad message header") {
		t.Errorf("stderr does not log the bad input:\n%s", log)
	}
}

func TestEndToEndCommandLine(t *testing.T) {
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	out, err := exec.Command(krlsBinary, "serve", "--help").Output()
	if err != nil || !strings.Contains(string(out), "Usage: krls") {
		t.Errorf("serve --help: %v\n%s", err, out)
	}
	cmd := exec.Command(krlsBinary, "serve", "--bogus")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || len(stdout) != 0 || !strings.Contains(stderr.String(), "--bogus") {
		t.Errorf("serve --bogus: %v, stdout %q, stderr %q", err, stdout, stderr.String())
	}
	// `krls serve --stdio` ends cleanly at EOF; without shutdown the
	// exit code is 1.
	p := startKrls(t, "serve", "--stdio")
	p.initialize("", nil)
	p.stdin.Close()
	if code := p.wait(); code != 1 {
		t.Errorf("exit code at EOF without shutdown %d, want 1", code)
	}
}

// hugeDocument is a multi-MB document with an undocumented unsafe block on
// each of n lines, in one function: the shape of the reviewer's 7.5 MB
// reproduction (300,000 lines), which kept the server from answering for
// minutes.
func hugeDocument(n int) string {
	var b strings.Builder
	b.Grow(20*n + 100)
	b.WriteString("/// # Safety\n///\n/// None.\nunsafe fn g() {}\n\nfn f() {\n")
	for range n {
		b.WriteString("    unsafe { g() };\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// livenessTimeout bounds what a huge document may take on a loaded
// machine. Nothing here asserts timings: only that the server answers
// and ends at all.
const livenessTimeout = 3 * time.Minute

// TestEndToEndHugeDocument: diagnostics of a multi-MB document arrive;
// edits cancel its analysis; shutdown is answered and exit ends the
// process while it is analysed.
func TestEndToEndHugeDocument(t *testing.T) {
	const n = 150000 // 3 MB
	text := hugeDocument(n)
	dir := t.TempDir()
	uri := "file://" + filepath.Join(dir, "huge.rs")
	p := startKrls(t)
	p.initialize("file://"+dir, map[string]any{"krls": map[string]any{"rules": []string{"undocumented-unsafe"}}})

	start := time.Now()
	p.open(uri, text, 1)
	m := p.waitWithin(livenessTimeout, "diagnostics of the huge document", func(m message) bool {
		return m.Method == "textDocument/publishDiagnostics" && bytes.Contains(m.Params[:min(len(m.Params), 200)], []byte(`"version":1`))
	})
	pub := decodeParams[publishParams](t, m.Params)
	if len(pub.Diagnostics) != n {
		t.Errorf("%d diagnostics, want %d", len(pub.Diagnostics), n)
	}
	t.Logf("diagnostics of %d bytes after %v", len(text), time.Since(start))

	// Edits in a row, each cancelling the analysis of the one before,
	// then shutdown while the last is analysed.
	for v := 2; v <= 4; v++ {
		p.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": v},
			"contentChanges": []any{map[string]any{"range": protocol.Range{Start: pos(6, 0), End: pos(6, 0)}, "text": "    // SAFETY: TODO\n"}},
		})
	}
	// Let the analysis of the last version get under way (if it has
	// not yet, the test still holds).
	time.Sleep(time.Second)
	start = time.Now()
	id := p.request("shutdown", nil)
	if r := p.waitWithin(livenessTimeout, "the shutdown response", func(m message) bool {
		return m.Method == "" && string(m.ID) == fmt.Sprint(id)
	}); r.Error != nil {
		t.Errorf("shutdown: %v", r)
	}
	t.Logf("shutdown answered after %v", time.Since(start))
	p.notify("exit", nil)
	if code := p.waitExit(livenessTimeout); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestEndToEndSignal: SIGTERM ends the server with an analysis in flight.
func TestEndToEndSignal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM")
	}
	text := hugeDocument(150000)
	p := startKrls(t)
	p.initialize("", nil)
	p.open("file:///x/huge.rs", text, 1)
	// The server has the document once it answers a request sent after.
	p.call("textDocument/codeAction", codeActionParams("file:///nowhere.rs", protocol.Range{}, nil))
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.waitExit(livenessTimeout); code != 1 {
		t.Errorf("exit code %d after SIGTERM, want 1", code)
	}
}

// waitExit waits, up to d, for the process to end, and returns its exit
// code.
func (p *process) waitExit(d time.Duration) int {
	p.t.Helper()
	done := make(chan int, 1)
	go func() {
		// Read stdout to its end, or Wait would close it under the reader.
		for range p.client.ch {
		}
		err := p.cmd.Wait()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			p.t.Error(err)
		}
		done <- p.cmd.ProcessState.ExitCode()
	}()
	select {
	case code := <-done:
		if err := p.err(); err != nil {
			p.t.Errorf("stdout: %v", err)
		}
		return code
	case <-time.After(d):
		p.t.Fatalf("the server did not end within %v", d)
	}
	return -1
}
