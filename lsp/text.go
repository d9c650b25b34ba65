package lsp

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/workspace"
)

// Document synchronisation. These handlers run on the read loop: they are
// cheap (no parsing) and must apply in order.

func (s *server) didOpen(params json.RawMessage) {
	var p struct {
		TextDocument struct {
			URI        string `json:"uri"`
			LanguageID string `json:"languageId"`
			Version    int32  `json:"version"`
			Text       string `json:"text"`
		} `json:"textDocument"`
	}
	if err := decode(params, &p); err != nil || p.TextDocument.URI == "" {
		s.badNotification("textDocument/didOpen", err)
		return
	}
	td := p.TextDocument
	path := uriToPath(td.URI)
	if workspace.KindOf(td.LanguageID, path, td.URI) == workspace.KindOther {
		s.mu.Lock()
		s.ignored[td.URI] = true
		s.mu.Unlock()
		if s.session.Document(td.URI) != nil {
			s.forget(td.URI) // reopened in another language without a close
		}
		return
	}
	s.mu.Lock()
	delete(s.ignored, td.URI)
	s.mu.Unlock()
	s.session.Open(td.URI, path, td.LanguageID, td.Version, []byte(td.Text))
	s.scheduleDiagnostics(td.URI, 0)
	if path != "" && filepath.Ext(path) == ".rs" {
		s.indexTree(path, false)
	}
}

// contentChange is TextDocumentContentChangeEvent with a Range that can be
// absent: protocol's is not a pointer, so it cannot tell a full-text
// change from an edit at the start of the document.
type contentChange struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

func (s *server) didChange(params json.RawMessage) {
	var p struct {
		TextDocument struct {
			URI     string `json:"uri"`
			Version int32  `json:"version"`
		} `json:"textDocument"`
		ContentChanges []contentChange `json:"contentChanges"`
	}
	if err := decode(params, &p); err != nil || p.TextDocument.URI == "" {
		s.badNotification("textDocument/didChange", err)
		return
	}
	uri := p.TextDocument.URI
	if s.session.Document(uri) == nil {
		s.mu.Lock()
		ignored := s.ignored[uri]
		s.mu.Unlock()
		if !ignored {
			s.logf(protocol.MessageTypeWarning, "didChange of %s, which is not open: ignored", uri)
		}
		return
	}
	if _, err := s.session.Change(uri, p.TextDocument.Version, changeEdits(p.ContentChanges)); err != nil {
		s.logf(protocol.MessageTypeError, "didChange of %s: %v", uri, err)
		return
	}
	s.scheduleDiagnostics(uri, s.opts.Debounce)
}

// changeEdits turns LSP content changes into edits the session applies in
// order, each converted against the text the previous ones produced.
//
// Converting a change costs a pass over the text, so an event with many
// changes (an edit with many cursors) would cost one pass per change:
// hours for a few hundred thousand cursors in a multi-MB document. Such
// events list their changes from the last in the document to the first,
// so that each applies to text the ones before left alone; those convert
// against the text once and apply as one edit (see batchEdit).
func changeEdits(changes []contentChange) []workspace.EditFunc {
	if len(changes) > 1 {
		return []workspace.EditFunc{func(src []byte) diagnostics.Edit {
			if e, ok := batchEdit(src, changes); ok {
				return e
			}
			text := src
			for _, f := range sequentialEdits(changes) {
				text = workspace.ApplyEdit(text, f(text))
			}
			return diagnostics.Edit{Start: 0, End: len(src), NewText: string(text)}
		}}
	}
	return sequentialEdits(changes)
}

func sequentialEdits(changes []contentChange) []workspace.EditFunc {
	edits := make([]workspace.EditFunc, 0, len(changes))
	for _, c := range changes {
		if c.Range == nil {
			edits = append(edits, workspace.FullText(c.Text))
			continue
		}
		rng, text := *c.Range, c.Text
		edits = append(edits, func(src []byte) diagnostics.Edit {
			start, end := NewMapper(src).Offsets(rng)
			return diagnostics.Edit{Start: start, End: end, NewText: text}
		})
	}
	return edits
}

// batchEdit converts changes that each lie before the one before them
// against src at once, and returns them as one edit, the same as applying
// them in order. It fails (ok false) for changes in any other order, for
// a full-text change, and for a position that its text would not leave
// as it is: one past a line's end or inside a character (after the first
// change), or where a change starts right after a "\r" (the text put
// there could start with "\n" and join them into one line end).
func batchEdit(src []byte, changes []contentChange) (e diagnostics.Edit, ok bool) {
	m := NewMapper(src)
	type span struct{ start, end int }
	spans := make([]span, len(changes))
	exact := func(p protocol.Position) (int, bool) {
		off := m.Offset(p)
		return off, m.Position(off) == p
	}
	size := 0
	for i, c := range changes {
		if c.Range == nil {
			return e, false
		}
		start, end := m.Offsets(*c.Range)
		if i > 0 {
			s0, ok0 := exact(c.Range.Start)
			s1, ok1 := exact(c.Range.End)
			prev := spans[i-1].start
			if !ok0 || !ok1 || max(s0, s1) > prev || max(s0, s1) == prev && prev > 0 && src[prev-1] == '\r' {
				return e, false
			}
		}
		spans[i] = span{start, end}
		size += len(c.Text)
	}
	// From the first in the text (the last change) to the last.
	first, last := spans[len(spans)-1], spans[0]
	var b strings.Builder
	b.Grow(size + last.end - first.start)
	for i := len(changes) - 1; i >= 0; i-- {
		if i < len(changes)-1 {
			b.Write(src[spans[i+1].end:spans[i].start])
		}
		b.WriteString(changes[i].Text)
	}
	return diagnostics.Edit{Start: first.start, End: last.end, NewText: b.String()}, true
}

func (s *server) didClose(params json.RawMessage) {
	var p struct {
		TextDocument struct {
			URI string `json:"uri"`
		} `json:"textDocument"`
	}
	if err := decode(params, &p); err != nil || p.TextDocument.URI == "" {
		s.badNotification("textDocument/didClose", err)
		return
	}
	uri := p.TextDocument.URI
	s.mu.Lock()
	delete(s.ignored, uri)
	s.mu.Unlock()
	s.forget(uri)
}

// forget drops a document: its pending or running diagnostics are
// cancelled and the published ones cleared. (The cancelled job stays the
// document's latest until it ends, so that a reopened document's first
// job waits for it.)
func (s *server) forget(uri string) {
	s.mu.Lock()
	delete(s.warnedLarge, uri)
	if job := s.diags[uri]; job != nil {
		job.cancel()
	}
	s.mu.Unlock()
	if s.session.Close(uri) {
		s.publishMu.Lock()
		s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: protocol.DocumentURI(uri), Diagnostics: []protocol.Diagnostic{}})
		s.publishMu.Unlock()
	}
}

func (s *server) didSave(params json.RawMessage) {
	var p struct {
		TextDocument struct {
			URI string `json:"uri"`
		} `json:"textDocument"`
	}
	if err := decode(params, &p); err != nil || p.TextDocument.URI == "" {
		s.badNotification("textDocument/didSave", err)
		return
	}
	uri := p.TextDocument.URI
	path := uriToPath(uri)
	switch filepath.Base(path) {
	case ".clippy.toml", "clippy.toml":
		s.session.ForgetConfig()
		s.mu.Lock()
		clear(s.logged) // show configuration problems again
		s.mu.Unlock()
		s.rescheduleAll()
		return
	}
	if path == "" {
		if s.session.Document(uri) != nil {
			s.scheduleDiagnostics(uri, 0)
		}
		return
	}
	saved := []string{filepath.Clean(path)}
	if s.session.RustFilesChanged(saved) {
		s.rescheduleAll() // the tree's macros or asserts changed
	} else if s.session.Document(uri) != nil {
		s.scheduleDiagnostics(uri, 0)
	}
	s.indexFilesChanged(saved)
}

func (s *server) didChangeConfiguration(params json.RawMessage) {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if err := decode(params, &p); err != nil {
		s.badNotification("workspace/didChangeConfiguration", err)
		return
	}
	settings, warnings := parseSettings(p.Settings, s.session.Settings())
	s.mu.Lock()
	root := s.root
	s.mu.Unlock()
	resolveKernelPaths(&settings, root)
	for _, w := range warnings {
		s.show(protocol.MessageTypeWarning, w)
	}
	s.session.SetSettings(settings)
	s.rescheduleAll()
}

// rescheduleAll runs the diagnostics of every open document again.
func (s *server) rescheduleAll() {
	for _, d := range s.session.Documents() {
		s.scheduleDiagnostics(d.Key, 0)
	}
}

// badNotification reports a notification krls could not read. For the
// document notifications that means the document may now be out of sync,
// which the user should know.
func (s *server) badNotification(method string, err error) {
	msg := "ignoring " + method + " without a document URI"
	if err != nil {
		msg = "ignoring " + method + " with invalid params: " + err.Error()
	}
	s.show(protocol.MessageTypeError, msg)
}

// uriToPath returns the file path of a file: URI, or "" for other URIs
// (untitled buffers) and URIs that cannot be parsed.
func uriToPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || !strings.EqualFold(u.Scheme, "file") || u.Path == "" {
		return ""
	}
	if u.Host != "" && u.Host != "localhost" {
		return "" // a UNC path
	}
	p := u.Path
	// file:///C:/x on Windows.
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' && filepath.Separator == '\\' {
		p = p[1:]
	}
	return filepath.Clean(filepath.FromSlash(p))
}

// pathToURI returns the file: URI of an absolute path.
func pathToURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x on Windows
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
