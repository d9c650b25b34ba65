// Command fake-rust-analyzer is a stand-in for rust-analyzer in the Neovim
// test (rust-analyzer cannot be installed on the test machines): an LSP
// server on stdio that, like rust-analyzer, claims hover and formatting.
// It answers a hover on any line without "CONFIG_" with "fake
// rust-analyzer hover", and formatting with one edit that inserts
// "// formatted by fake-rust-analyzer" at the top. The test attaches it
// beside krls to see that the two share a buffer without getting in each
// other's way. It lives under testdata so that `go install ./...` (the
// pre-commit hook's build) and `go test ./...` leave it out.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

type message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

func main() {
	in := bufio.NewReader(os.Stdin)
	docs := map[string][]string{} // uri → lines
	for {
		body, err := read(in)
		if err != nil {
			return
		}
		var m message
		if json.Unmarshal(body, &m) != nil {
			continue
		}
		var p struct {
			TextDocument struct {
				URI  string `json:"uri"`
				Text string `json:"text"`
			} `json:"textDocument"`
			Position struct{ Line int } `json:"position"`
			Changes  []struct {
				Range *json.RawMessage `json:"range"`
				Text  string           `json:"text"`
			} `json:"contentChanges"`
		}
		_ = json.Unmarshal(m.Params, &p)
		var result any
		switch m.Method {
		case "initialize":
			result = map[string]any{
				"capabilities": map[string]any{
					"textDocumentSync":           1, // full
					"hoverProvider":              true,
					"documentFormattingProvider": true,
				},
				"serverInfo": map[string]string{"name": "fake-rust-analyzer"},
			}
		case "textDocument/didOpen":
			docs[p.TextDocument.URI] = strings.Split(p.TextDocument.Text, "\n")
		case "textDocument/didChange":
			if n := len(p.Changes); n > 0 {
				docs[p.TextDocument.URI] = strings.Split(p.Changes[n-1].Text, "\n")
			}
		case "textDocument/hover":
			lines := docs[p.TextDocument.URI]
			if p.Position.Line < len(lines) && !strings.Contains(lines[p.Position.Line], "CONFIG_") {
				result = map[string]any{"contents": map[string]string{"kind": "markdown", "value": "fake rust-analyzer hover"}}
			}
		case "textDocument/formatting":
			result = []any{map[string]any{
				"range":   map[string]any{"start": map[string]int{"line": 0, "character": 0}, "end": map[string]int{"line": 0, "character": 0}},
				"newText": "// formatted by fake-rust-analyzer\n",
			}}
		case "exit":
			return
		}
		if m.ID != nil {
			write(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": result})
		}
	}
}

func read(in *bufio.Reader) ([]byte, error) {
	n := -1
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length:"); ok {
			n, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if n < 0 {
		return nil, fmt.Errorf("no Content-Length")
	}
	body := make([]byte, n)
	_, err := io.ReadFull(in, body)
	return body, err
}

func write(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(os.Stdout, "Content-Length: %d\r\n\r\n%s", len(b), b)
}
