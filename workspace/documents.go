package workspace

import (
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/krls-dev/krls/diagnostics"
)

// ErrNotOpen is returned for a document the editor has not opened.
var ErrNotOpen = errors.New("document is not open")

// Document is one version of an open document. It is immutable: a change
// makes a new Document, so a snapshot taken for a request stays valid
// while the editor goes on typing.
type Document struct {
	// Key identifies the document (the LSP layer uses its URI).
	Key string
	// Path is the file's path, "" when the document is not a file
	// (an untitled buffer).
	Path string
	// LanguageID is what the editor says the document is ("rust").
	LanguageID string
	// Version is the editor's version number of this text.
	Version int32
	// Text must not be modified.
	Text []byte
}

// IsRust reports whether the rules apply to the document: its language is
// rust or its name ends in .rs.
func (d *Document) IsRust() bool {
	return IsRust(d.LanguageID, d.Path, d.Key)
}

// IsRust reports whether a document with this language id, path and key
// (URI) holds Rust.
func IsRust(languageID, path, key string) bool {
	if strings.EqualFold(languageID, "rust") {
		return true
	}
	if path != "" {
		return strings.HasSuffix(path, ".rs")
	}
	k, _, _ := strings.Cut(key, "?")
	k, _, _ = strings.Cut(k, "#")
	return strings.HasSuffix(k, ".rs")
}

// Name is the file name the rules see: the path, or for a document that
// is not a file the last element of its key.
func (d *Document) Name() string {
	if d.Path != "" {
		return d.Path
	}
	k := d.Key
	if i := strings.LastIndexAny(k, "/:"); i >= 0 {
		k = k[i+1:]
	}
	return k
}

// EditFunc resolves one change of an editor's change event against the
// text it applies to (the text after the previous changes of the same
// event): the LSP layer turns positions into byte offsets of that text.
type EditFunc func(text []byte) diagnostics.Edit

// FullText is an EditFunc replacing the whole text.
func FullText(s string) EditFunc {
	return func(text []byte) diagnostics.Edit {
		return diagnostics.Edit{Start: 0, End: len(text), NewText: s}
	}
}

// ApplyEdit returns a new text with e applied to text, which it does not
// modify. Offsets are clamped to the text; a reversed range is swapped.
func ApplyEdit(text []byte, e diagnostics.Edit) []byte {
	start, end := clamp(e.Start, len(text)), clamp(e.End, len(text))
	if end < start {
		start, end = end, start
	}
	out := make([]byte, 0, len(text)-(end-start)+len(e.NewText))
	out = append(out, text[:start]...)
	out = append(out, e.NewText...)
	out = append(out, text[end:]...)
	return out
}

func clamp(v, n int) int {
	return max(0, min(v, n))
}

// Documents is the set of open documents, safe for concurrent use.
type Documents struct {
	mu   sync.Mutex
	docs map[string]*Document
}

// Open records a document (again, if the editor reopens it).
func (ds *Documents) Open(key, path, languageID string, version int32, text []byte) *Document {
	d := &Document{Key: key, Path: cleanPath(path), LanguageID: languageID, Version: version, Text: text}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.docs == nil {
		ds.docs = map[string]*Document{}
	}
	ds.docs[key] = d
	return d
}

// Change applies edits in order and records the result as version.
func (ds *Documents) Change(key string, version int32, edits []EditFunc) (*Document, error) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	old := ds.docs[key]
	if old == nil {
		return nil, ErrNotOpen
	}
	text := old.Text
	for _, f := range edits {
		text = ApplyEdit(text, f(text))
	}
	d := &Document{Key: key, Path: old.Path, LanguageID: old.LanguageID, Version: version, Text: text}
	ds.docs[key] = d
	return d, nil
}

// Close forgets a document, reporting whether it was open.
func (ds *Documents) Close(key string) bool {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	_, ok := ds.docs[key]
	delete(ds.docs, key)
	return ok
}

// Get returns the current version of a document, or nil.
func (ds *Documents) Get(key string) *Document {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return ds.docs[key]
}

// All returns the open documents ordered by key.
func (ds *Documents) All() []*Document {
	ds.mu.Lock()
	all := make([]*Document, 0, len(ds.docs))
	for _, d := range ds.docs {
		all = append(all, d)
	}
	ds.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].Key < all[j].Key })
	return all
}

func cleanPath(p string) string {
	if p == "" {
		return ""
	}
	return filepath.Clean(p)
}
