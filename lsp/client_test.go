package lsp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// waitTimeout bounds every wait for a message. It is generous: a loaded
// machine must not fail the tests, and nothing asserts timings.
const waitTimeout = 20 * time.Second

// message is any JSON-RPC message the server sent.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`

	raw []byte // the body as received
}

func (m message) String() string {
	b, _ := json.Marshal(m)
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// client is a test LSP client. It reads the server's output strictly:
// anything that is not a well-formed frame is a test failure, since
// stdout must carry nothing but the protocol.
type client struct {
	t      testing.TB
	w      io.Writer
	wmu    sync.Mutex
	ch     chan message
	nextID int

	pending []message // received, not yet waited for
	all     []message // everything received, for assertions at the end

	errMu   sync.Mutex
	readErr error
}

func newClient(t testing.TB, toServer io.Writer, fromServer io.Reader) *client {
	c := &client{t: t, w: toServer, ch: make(chan message, 1024)}
	go c.read(fromServer)
	return c
}

func (c *client) read(r io.Reader) {
	defer close(c.ch)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			if err != io.EOF || line != "" {
				c.fail(fmt.Errorf("reading a header: %q, %v", line, err))
			}
			return
		}
		const prefix = "Content-Length: "
		if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, "\r\n") {
			c.fail(fmt.Errorf("server wrote something that is not a header: %q", line))
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, prefix), "\r\n"))
		if err != nil || n < 0 {
			c.fail(fmt.Errorf("bad Content-Length %q", line))
			return
		}
		if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
			c.fail(fmt.Errorf("no blank line after the header: %q, %v", blank, err))
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			c.fail(fmt.Errorf("reading a body: %v", err))
			return
		}
		if !utf8.Valid(body) {
			c.fail(fmt.Errorf("server wrote invalid UTF-8: %q", body))
		}
		var m message
		if err := json.Unmarshal(body, &m); err != nil || m.JSONRPC != "2.0" {
			c.fail(fmt.Errorf("server wrote a bad message %q: %v", body, err))
			return
		}
		m.raw = body
		c.ch <- m
	}
}

func (c *client) fail(err error) {
	c.errMu.Lock()
	if c.readErr == nil {
		c.readErr = err
	}
	c.errMu.Unlock()
}

// err is the first protocol violation seen on the server's output.
func (c *client) err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.readErr
}

func (c *client) writeRaw(b []byte) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.w.Write(b); err != nil {
		c.t.Fatalf("write to server: %v", err)
	}
}

func (c *client) send(v any) {
	c.t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.writeRaw([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)))
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	c.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// request sends a request and returns its id.
func (c *client) request(method string, params any) int {
	c.t.Helper()
	c.nextID++
	msg := map[string]any{"jsonrpc": "2.0", "id": c.nextID, "method": method}
	if params != nil {
		msg["params"] = params
	}
	c.send(msg)
	return c.nextID
}

// call sends a request and waits for its response.
func (c *client) call(method string, params any) message {
	c.t.Helper()
	id := c.request(method, params)
	return c.response(id)
}

func (c *client) response(id int) message {
	c.t.Helper()
	want := strconv.Itoa(id)
	return c.waitFor(fmt.Sprintf("response %d", id), func(m message) bool {
		return m.Method == "" && string(m.ID) == want
	})
}

// waitFor returns the first message, received or to come, that match
// accepts.
func (c *client) waitFor(what string, match func(message) bool) message {
	c.t.Helper()
	return c.waitWithin(waitTimeout, what, match)
}

// waitWithin is waitFor with another bound.
func (c *client) waitWithin(d time.Duration, what string, match func(message) bool) message {
	c.t.Helper()
	for i, m := range c.pending {
		if match(m) {
			c.pending = append(c.pending[:i:i], c.pending[i+1:]...)
			return m
		}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.ch:
			if !ok {
				c.t.Fatalf("server output ended waiting for %s (%v)", what, c.err())
			}
			c.all = append(c.all, m)
			if match(m) {
				return m
			}
			c.pending = append(c.pending, m)
		case <-timer.C:
			c.t.Fatalf("timed out waiting for %s; received: %v", what, c.pending)
		}
	}
}

// drain reads the rest of the output, until the server closes it.
func (c *client) drain() {
	c.t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.ch:
			if !ok {
				return
			}
			c.all = append(c.all, m)
			c.pending = append(c.pending, m)
		case <-timer.C:
			c.t.Fatal("timed out waiting for the server's output to end")
		}
	}
}

type publishParams struct {
	URI         string                `json:"uri"`
	Version     *int32                `json:"version"`
	Diagnostics []protocol.Diagnostic `json:"diagnostics"`
}

func decodeParams[T any](t testing.TB, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// diagnosticsFor waits for a publishDiagnostics of uri that accept
// accepts (nil: any).
func (c *client) diagnosticsFor(uri string, accept func(publishParams) bool) publishParams {
	c.t.Helper()
	var got publishParams
	c.waitFor("diagnostics of "+uri, func(m message) bool {
		if m.Method != "textDocument/publishDiagnostics" {
			return false
		}
		var p publishParams
		if json.Unmarshal(m.Params, &p) != nil || p.URI != uri {
			return false
		}
		if accept != nil && !accept(p) {
			return false
		}
		got = p
		return true
	})
	return got
}

func version(v int32) func(publishParams) bool {
	return func(p publishParams) bool { return p.Version != nil && *p.Version == v }
}

func (c *client) logMessage(accept func(protocol.LogMessageParams) bool) protocol.LogMessageParams {
	c.t.Helper()
	var got protocol.LogMessageParams
	c.waitFor("window/logMessage", func(m message) bool {
		if m.Method != "window/logMessage" {
			return false
		}
		var p protocol.LogMessageParams
		if json.Unmarshal(m.Params, &p) != nil || !accept(p) {
			return false
		}
		got = p
		return true
	})
	return got
}

func (c *client) initialize(rootURI string, options any) message {
	c.t.Helper()
	params := map[string]any{"processId": nil, "rootUri": rootURI, "capabilities": map[string]any{}}
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

func (c *client) open(uri, text string, v int32) {
	c.t.Helper()
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "rust", "version": v, "text": text,
	}})
}

// utf16Pos converts a byte offset of text to an LSP position, on its own
// (not with Mapper): invalid bytes count one unit.
func utf16Pos(text string, off int) protocol.Position {
	return refPosition([]byte(text), off)
}

// applyEdits applies LSP text edits, all relative to text, the way an
// editor does, and returns the incremental changes that replay them in
// order (from the last edit to the first, so that positions hold).
func applyEdits(t testing.TB, text string, edits []protocol.TextEdit) (string, []map[string]any) {
	t.Helper()
	type span struct {
		start, end int
		newText    string
		rng        protocol.Range
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{refOffset(text, e.Range.Start), refOffset(text, e.Range.End), e.NewText, e.Range})
	}
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].start > spans[j-1].start; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	var changes []map[string]any
	for _, s := range spans {
		text = text[:s.start] + s.newText + text[s.end:]
		changes = append(changes, map[string]any{"range": s.rng, "text": s.newText})
	}
	return text, changes
}

// refOffset converts a position to a byte offset on its own (see
// refPosition); the position must be valid.
func refOffset(text string, p protocol.Position) int {
	// refPosition never decreases with the offset: the first offset at
	// or after p is found by bisection (a linear scan rescanning from the
	// start took 13 s on 7.2's workqueue.rs).
	b := []byte(text)
	off := sort.Search(len(b)+1, func(off int) bool {
		q := refPosition(b, off)
		return q.Line > p.Line || q.Line == p.Line && q.Character >= p.Character
	})
	if off <= len(b) && refPosition(b, off) == p {
		return off
	}
	return len(text)
}
