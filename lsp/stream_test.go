package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"go.lsp.dev/jsonrpc2"
)

func frame(body string) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}

// readAll reads messages until the stream fails and returns them with the
// error responses the stream wrote itself.
func readAll(t testing.TB, in io.Reader) (msgs []jsonrpc2.Message, replies []map[string]any, err error) {
	t.Helper()
	var out bytes.Buffer
	s := NewStream(in, &out, nil)
	for i := 0; ; i++ {
		if i > 1<<20 {
			t.Fatal("reader does not end")
		}
		msg, _, rerr := s.Read(context.Background())
		if rerr != nil {
			err = rerr
			break
		}
		msgs = append(msgs, msg)
	}
	for _, body := range splitFrames(t, out.Bytes()) {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("stream wrote invalid JSON %q: %v", body, err)
		}
		replies = append(replies, m)
	}
	return msgs, replies, err
}

// splitFrames parses what a Stream wrote, strictly.
func splitFrames(t testing.TB, b []byte) [][]byte {
	t.Helper()
	var bodies [][]byte
	for len(b) > 0 {
		var n int
		if _, err := fmt.Sscanf(string(b), "Content-Length: %d\r\n\r\n", &n); err != nil {
			t.Fatalf("bad frame in output %q: %v", b, err)
		}
		head := fmt.Sprintf("Content-Length: %d\r\n\r\n", n)
		if !bytes.HasPrefix(b, []byte(head)) || len(b) < len(head)+n {
			t.Fatalf("bad frame in output %q", b)
		}
		bodies = append(bodies, b[len(head):len(head)+n])
		b = b[len(head)+n:]
	}
	return bodies
}

func methods(msgs []jsonrpc2.Message) []string {
	var out []string
	for _, m := range msgs {
		switch m := m.(type) {
		case jsonrpc2.Request:
			out = append(out, m.Method())
		case *jsonrpc2.Response:
			out = append(out, fmt.Sprintf("response %v", m.ID()))
		}
	}
	return out
}

func errorCodes(replies []map[string]any) []string {
	var out []string
	for _, r := range replies {
		e, _ := r["error"].(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", r["id"], e["code"]))
	}
	return out
}

const (
	okCall  = `{"jsonrpc":"2.0","id":1,"method":"a","params":{}}`
	okNote  = `{"jsonrpc":"2.0","method":"b"}`
	okCall2 = `{"jsonrpc":"2.0","id":"x","method":"c","params":[1]}`
)

func TestStreamRead(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		methods string // the messages read, space separated
		replies string // the error replies written, id:code
		err     error
	}{
		{"valid", frame(okCall) + frame(okNote) + frame(okCall2), "a b c", "", io.EOF},
		{"empty input", "", "", "", io.EOF},
		{"response", frame(`{"jsonrpc":"2.0","id":3,"result":null}`), "response 3", "", io.EOF},
		{"extra headers", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + frame(okCall), "a", "", io.EOF},
		{"lower-case header", strings.Replace(frame(okCall), "Content-Length", "content-length", 1), "a", "", io.EOF},
		{"LF only", "Content-Length: " + fmt.Sprint(len(okNote)) + "\n\n" + okNote, "b", "", io.EOF},
		{"blank lines between messages", frame(okCall) + "\r\n\r\n" + frame(okNote), "a b", "", io.EOF},
		{"body not JSON", frame(`{"jsonrpc":"2.0","id":1,`) + frame(okNote), "b", "<nil>:-32700", io.EOF},
		{"empty body", frame("") + frame(okNote), "b", "<nil>:-32700", io.EOF},
		{"JSON array", frame(`[1,2]`) + frame(okNote), "b", "<nil>:-32600", io.EOF},
		{"JSON string", frame(`"hi"`) + frame(okNote), "b", "<nil>:-32600", io.EOF},
		{"method not a string", frame(`{"jsonrpc":"2.0","id":7,"method":42}`) + frame(okNote), "b", "7:-32600", io.EOF},
		{"string id kept", frame(`{"jsonrpc":"2.0","id":"q","method":""}`) + frame(okNote), "b", "q:-32600", io.EOF},
		{"wrong version", frame(`{"jsonrpc":"1.0","id":8,"method":"a"}`) + frame(okNote), "b", "8:-32600", io.EOF},
		{"bad id", frame(`{"jsonrpc":"2.0","id":{},"method":"a"}`) + frame(okNote), "b", "<nil>:-32600", io.EOF},
		{"id too big", frame(`{"jsonrpc":"2.0","id":12345678901,"method":"a"}`) + frame(okNote), "b", "<nil>:-32600", io.EOF},
		{"no method nor id", frame(`{"jsonrpc":"2.0"}`) + frame(okNote), "b", "<nil>:-32600", io.EOF},
		{"response without id is not answered", frame(`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}`) + frame(okNote), "b", "", io.EOF},
		{"params not structured", frame(`{"jsonrpc":"2.0","id":2,"method":"a","params":3}`) + frame(okNote), "b", "2:-32600", io.EOF},
		{"no Content-Length", "Content-Type: x\r\n\r\n" + okCall + frame(okNote), "b", "", io.EOF},
		{"bad Content-Length", "Content-Length: ten\r\n\r\n" + okCall + frame(okNote), "b", "", io.EOF},
		{"negative Content-Length", "Content-Length: -3\r\n\r\n" + okCall + frame(okNote), "b", "", io.EOF},
		{"garbage line", "hello there\r\n" + frame(okCall), "a", "", io.EOF},
		{"garbage without newline", frame(okCall) + "xx}garbage" + frame(okNote), "a b", "", io.EOF},
		{"body shorter than announced", "Content-Length: 40\r\n\r\n" + okNote + frame(okCall2), "", "<nil>:-32700", io.EOF},
		{"header inside garbage line", "junk Content-Length: " + fmt.Sprint(len(okNote)) + "\r\n\r\n" + okNote, "b", "", io.EOF},
		{"garbage before header on its line", "}}Content-Length: " + fmt.Sprint(len(okNote)) + "\r\n\r\n" + okNote, "b", "", io.EOF},
		{"header too long", strings.Repeat("x", maxHeaderBlock+10) + frame(okNote), "b", "", io.EOF},
		{"truncated body", "Content-Length: 100\r\n\r\n{", "", "", io.ErrUnexpectedEOF},
		{"truncated header", "Content-Len", "", "", io.EOF},
		{"unicode", frame(`{"jsonrpc":"2.0","method":"é🐧"}`), "é🐧", "", io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, wrap := range []struct {
				name string
				f    func(io.Reader) io.Reader
			}{
				{"whole", func(r io.Reader) io.Reader { return r }},
				{"one byte at a time", iotest.OneByteReader},
				{"half reads", iotest.HalfReader},
			} {
				msgs, replies, err := readAll(t, wrap.f(strings.NewReader(tt.in)))
				if got := strings.Join(methods(msgs), " "); got != tt.methods {
					t.Errorf("%s: read %q, want %q", wrap.name, got, tt.methods)
				}
				if got := strings.Join(errorCodes(replies), " "); got != tt.replies {
					t.Errorf("%s: replies %q, want %q", wrap.name, got, tt.replies)
				}
				if !errors.Is(err, tt.err) {
					t.Errorf("%s: error %v, want %v", wrap.name, err, tt.err)
				}
			}
		})
	}
}

func TestStreamParams(t *testing.T) {
	msgs, _, _ := readAll(t, strings.NewReader(frame(`{"jsonrpc":"2.0","id":5,"method":"m","params":{"a":"é"}}`)))
	if len(msgs) != 1 {
		t.Fatalf("got %d messages", len(msgs))
	}
	call, ok := msgs[0].(*jsonrpc2.Call)
	if !ok {
		t.Fatalf("got %T", msgs[0])
	}
	if call.ID() != jsonrpc2.NewNumberID(5) || string(call.Params()) != `{"a":"é"}` {
		t.Errorf("call = %v %s", call.ID(), call.Params())
	}
}

func TestStreamWrite(t *testing.T) {
	var out bytes.Buffer
	s := NewStream(strings.NewReader(""), &out, nil)
	n, err := jsonrpc2.NewNotification("window/logMessage", map[string]string{"message": "é🐧"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	bodies := splitFrames(t, out.Bytes())
	if len(bodies) != 1 {
		t.Fatalf("wrote %q", out.String())
	}
	msgs, _, _ := readAll(t, bytes.NewReader(out.Bytes()))
	if got := methods(msgs); len(got) != 1 || got[0] != "window/logMessage" {
		t.Errorf("read back %v", got)
	}
}

// closeReader records Close.
type closeReader struct {
	io.Reader
	closed bool
}

func (c *closeReader) Close() error { c.closed = true; return nil }

func TestStreamClose(t *testing.T) {
	r := &closeReader{Reader: strings.NewReader("")}
	s := NewStream(r, io.Discard, nil)
	if err := s.Close(); err != nil || !r.closed {
		t.Errorf("Close = %v, closed %v", err, r.closed)
	}
}

func FuzzReadMessage(f *testing.F) {
	seeds := []string{
		frame(okCall) + frame(okNote),
		frame(`{"jsonrpc":"2.0","id":1,`),
		"Content-Length: 5\r\n\r\n{}{}{" + frame(okNote),
		"Content-Length: x\r\n\r\n",
		"garbage Content-Length: 2\r\n\r\n{}",
		"content-length: 2\n\n[]",
		"Content-Length: 99999999999\r\n\r\n",
		"Content-Length:Content-Length:Content-Length: 3\r\n\r\n",
		frame(`{"id":null,"method":"x"}`),
		frame(`{"id":1.5,"method":"x"}`),
		frame(`{"jsonrpc":"2.0","id":1,"result":{"a":[1,2,{"b":null}]}}`),
		frame("{\"method\":\"\xff\"}"),
		"\r\n\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		s := NewStream(bytes.NewReader(data), &out, nil)
		// Every Read consumes input, so there are at most len(data)+1.
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more messages than input bytes")
			}
			if _, _, err := s.Read(context.Background()); err != nil {
				break
			}
		}
		splitFrames(t, out.Bytes())
	})
}
