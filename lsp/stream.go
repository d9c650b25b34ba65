package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// Limits of the framing. A header block is a few dozen bytes in practice;
// a body holds at most a document (symbols.MaxFileSize) JSON-escaped.
const (
	maxHeaderBlock = 8 << 10
	maxBody        = 512 << 20
)

// contentLength is the header the reader resynchronises on.
const contentLength = "Content-Length:"

// Stream is a jsonrpc2.Stream for the LSP base protocol (Content-Length
// framed JSON bodies) that survives bad input, unlike jsonrpc2.NewStream
// whose errors end the connection:
//
//   - a body that is not JSON is answered with a parse error (-32700, id
//     null) and reading goes on;
//   - JSON that is not a JSON-RPC message is answered with an invalid
//     request error (-32600) carrying the id when one can be read;
//   - a broken header block (no Content-Length, a bad value, a line that is
//     not a header, garbage between messages) is logged and skipped: the
//     reader looks for the next "Content-Length:" text in the input.
//
// Only EOF and read errors end the connection. Read must be called from
// one goroutine; Write may be called from any.
type Stream struct {
	in     *pushbackReader
	closer io.Closer
	log    *log.Logger

	wmu sync.Mutex
	out io.Writer
}

// NewStream frames messages on in and out. Close closes in when it is an
// io.Closer (to unblock a pending Read), never out. Problems with the
// input are logged to logger, which may be nil.
func NewStream(in io.Reader, out io.Writer, logger *log.Logger) *Stream {
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	s := &Stream{in: &pushbackReader{r: bufio.NewReaderSize(in, 64<<10)}, out: out, log: logger}
	if c, ok := in.(io.Closer); ok {
		s.closer = c
	}
	return s
}

var _ jsonrpc2.Stream = (*Stream)(nil)

// Read returns the next valid message, answering and skipping invalid
// ones. Its error is the input's: io.EOF at a clean end.
func (s *Stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, total, err
		}
		body, n, err := s.readFrame()
		total += n
		if err != nil {
			return nil, total, err
		}
		msg, id, code, problem := decodeMessage(body)
		if msg != nil {
			return msg, total, nil
		}
		s.log.Printf("bad message (%s): %s", problem, abbreviate(body))
		if code != 0 {
			s.writeError(id, code, problem)
		}
	}
}

// Write sends msg with its header.
func (s *Stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return s.writeBody(data)
}

// Close closes the input, if it can be closed, so that a blocked Read
// returns.
func (s *Stream) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

func (s *Stream) writeBody(data []byte) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	buf := make([]byte, 0, len(data)+32)
	buf = append(buf, "Content-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(data)), 10)
	buf = append(buf, "\r\n\r\n"...)
	buf = append(buf, data...)
	n, err := s.out.Write(buf)
	if err != nil {
		return int64(n), fmt.Errorf("write message: %w", err)
	}
	return int64(n), nil
}

// writeError sends an error response for a message the stream could not
// hand to the connection. id is the raw JSON id, nil for null.
func (s *Stream) writeError(id json.RawMessage, code jsonrpc2.Code, message string) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	resp := struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   jsonrpc2.Error  `json:"error"`
	}{"2.0", id, jsonrpc2.Error{Code: code, Message: message}}
	data, err := json.Marshal(resp)
	if err != nil {
		s.log.Printf("cannot encode error response: %v", err)
		return
	}
	if _, err := s.writeBody(data); err != nil {
		s.log.Printf("%v", err)
	}
}

// readFrame reads one header block and its body. Broken header blocks are
// logged and skipped; a body over maxBody is discarded and answered. It
// returns an error only when the input fails or ends.
func (s *Stream) readFrame() (body []byte, total int64, err error) {
	for {
		length, block, problem, err := s.readHeader()
		total += int64(len(block))
		if err != nil {
			if err == io.EOF && len(bytes.TrimSpace(block)) > 0 {
				s.log.Printf("input ended inside a message header: %s", abbreviate(block))
			}
			return nil, total, err
		}
		if problem != "" {
			// Look for the next header, after the first byte of this block
			// so that the reader always moves on.
			s.in.unread(block[1:])
			total -= int64(len(block) - 1)
			n, err := s.resync()
			total += n
			s.log.Printf("skipping bad message header (%s): %s; %d bytes skipped", problem, abbreviate(block), n+1)
			if err != nil {
				return nil, total, err
			}
			continue
		}
		if length > maxBody {
			s.log.Printf("skipping a message of %d bytes (limit %d)", length, maxBody)
			n, err := io.CopyN(io.Discard, s.in, length)
			total += n
			if err != nil {
				return nil, total, noEOF(err)
			}
			s.writeError(nil, jsonrpc2.InvalidRequest, fmt.Sprintf("message too large (%d bytes, limit %d)", length, maxBody))
			continue
		}
		// Grow the buffer as bytes arrive rather than trusting the header
		// with a big allocation up front.
		var buf bytes.Buffer
		buf.Grow(int(min(length, 1<<20)))
		n, err := io.CopyN(&buf, s.in, length)
		total += n
		if err != nil {
			s.log.Printf("input ended inside a message body (%d of %d bytes)", n, length)
			return nil, total, noEOF(err)
		}
		return buf.Bytes(), total, nil
	}
}

// noEOF turns the EOF of a truncated message into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readHeader reads a header block up to its empty line. It returns the
// bytes consumed, and a problem when the block is not a valid header (the
// caller resynchronises). Blank lines before a block are skipped.
func (s *Stream) readHeader() (length int64, block []byte, problem string, err error) {
	length = -1
	started := false
	for {
		lineStart := len(block)
		block, err = s.readLine(block)
		if err != nil {
			return 0, block, "", err
		}
		if len(block) == lineStart || block[len(block)-1] != '\n' {
			return 0, block, "header too long", nil
		}
		line := strings.TrimRight(string(block[lineStart:]), "\r\n")
		if strings.TrimSpace(line) == "" {
			if !started {
				block = block[:0] // blank lines between messages
				continue
			}
			break
		}
		started = true
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isToken(name) {
			return 0, block, "not a header line", nil
		}
		if strings.EqualFold(name, "Content-Length") {
			v, perr := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if perr != nil || v < 0 {
				return 0, block, "bad Content-Length", nil
			}
			length = v
		}
	}
	if length < 0 {
		return 0, block, "no Content-Length", nil
	}
	return length, block, "", nil
}

// readLine appends the next line, with its '\n', to block. It stops
// without a '\n' when the block reaches maxHeaderBlock.
func (s *Stream) readLine(block []byte) ([]byte, error) {
	for len(block) < maxHeaderBlock {
		c, err := s.in.ReadByte()
		if err != nil {
			return block, err
		}
		block = append(block, c)
		if c == '\n' {
			return block, nil
		}
	}
	return block, nil
}

// resync skips input up to the next "Content-Length:" (in any case) and
// pushes that text back, so that the next readHeader starts there.
func (s *Stream) resync() (skipped int64, err error) {
	pat := contentLength
	window := make([]byte, 0, len(pat))
	for {
		c, err := s.in.ReadByte()
		if err != nil {
			return skipped, err
		}
		skipped++
		if len(window) == len(pat) {
			copy(window, window[1:])
			window = window[:len(pat)-1]
		}
		window = append(window, c)
		if len(window) == len(pat) && strings.EqualFold(string(window), pat) {
			s.in.unread(window)
			return skipped - int64(len(pat)), nil
		}
	}
}

// isToken reports whether s is a valid header name (RFC 7230 token).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// decodeMessage turns a body into a jsonrpc2 message. When it cannot, it
// returns the error code and message of the reply, and the raw id when
// one could be read.
func decodeMessage(body []byte) (msg jsonrpc2.Message, id json.RawMessage, code jsonrpc2.Code, problem string) {
	if !json.Valid(body) {
		return nil, nil, jsonrpc2.ParseError, "parse error: the message is not valid JSON"
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, nil, jsonrpc2.InvalidRequest, "invalid request: a message must be a JSON object"
	}
	rawID, hasID := fields["id"]
	if hasID {
		if isNull(rawID) {
			hasID = false
		} else if !validID(rawID) {
			return nil, nil, jsonrpc2.InvalidRequest, "invalid request: id must be an integer or a string"
		}
	}
	if hasID {
		id = rawID
	}
	if v, ok := fields["jsonrpc"]; ok {
		var s string
		if json.Unmarshal(v, &s) != nil || s != "2.0" {
			return nil, id, jsonrpc2.InvalidRequest, `invalid request: "jsonrpc" must be "2.0"`
		}
	}
	rawMethod, hasMethod := fields["method"]
	if hasMethod {
		var m string
		if json.Unmarshal(rawMethod, &m) != nil || m == "" {
			return nil, id, jsonrpc2.InvalidRequest, "invalid request: method must be a non-empty string"
		}
	} else if !hasID {
		_, isResult := fields["result"]
		_, isError := fields["error"]
		if isResult || isError {
			// A response to a message the client could not read: a
			// response is never answered.
			return nil, nil, 0, "response without an id"
		}
		return nil, nil, jsonrpc2.InvalidRequest, "invalid request: a message needs a method or an id"
	}
	if p, ok := fields["params"]; ok && hasMethod && !isNull(p) {
		if c := firstByte(p); c != '{' && c != '[' {
			return nil, id, jsonrpc2.InvalidRequest, "invalid request: params must be an object or an array"
		}
	}
	m, err := safeDecode(body)
	if err != nil {
		return nil, id, jsonrpc2.InvalidRequest, "invalid request: " + err.Error()
	}
	if !hasMethod {
		if _, ok := m.(*jsonrpc2.Response); !ok {
			return nil, id, jsonrpc2.InvalidRequest, "invalid request"
		}
	}
	return m, nil, 0, ""
}

// safeDecode runs jsonrpc2.DecodeMessage, turning a panic of its JSON
// library into an error.
func safeDecode(body []byte) (msg jsonrpc2.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("cannot decode message: %v", r)
		}
	}()
	msg, err = jsonrpc2.DecodeMessage(body)
	if err == nil && msg == nil {
		err = errors.New("cannot decode message")
	}
	return msg, err
}

// validID reports whether raw is an id jsonrpc2 can carry: a string or an
// integer that fits in 32 bits.
func validID(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return true
	}
	var n int32
	return json.Unmarshal(raw, &n) == nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func firstByte(raw json.RawMessage) byte {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// abbreviate quotes the start of b for a log line.
func abbreviate(b []byte) string {
	const max = 80
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return strconv.Quote(string(b))
}

// pushbackReader reads pushed-back bytes before its buffered input.
type pushbackReader struct {
	back []byte
	r    *bufio.Reader
}

func (p *pushbackReader) unread(b []byte) {
	if len(b) == 0 {
		return
	}
	nb := make([]byte, 0, len(b)+len(p.back))
	nb = append(nb, b...)
	p.back = append(nb, p.back...)
}

func (p *pushbackReader) ReadByte() (byte, error) {
	if len(p.back) > 0 {
		c := p.back[0]
		p.back = p.back[1:]
		return c, nil
	}
	return p.r.ReadByte()
}

func (p *pushbackReader) Read(b []byte) (int, error) {
	if len(p.back) > 0 {
		n := copy(b, p.back)
		p.back = p.back[n:]
		return n, nil
	}
	return p.r.Read(b)
}
