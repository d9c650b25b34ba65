package lsp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/workspace"
)

// The requests about the kernel's configuration: hover, definition,
// completion and document symbols, the watching of .config and Kconfig
// files, and the messages about a kernel without a .config.

// clientCaps are the client capabilities krls looks at.
type clientCaps struct {
	watchRegistration bool // workspace.didChangeWatchedFiles.dynamicRegistration
	hierarchicalSyms  bool // textDocument.documentSymbol.hierarchicalDocumentSymbolSupport
	markdownHover     bool // textDocument.hover.contentFormat has markdown
	workDoneProgress  bool // window.workDoneProgress
	snippets          bool // textDocument.completion.completionItem.snippetSupport
	status            bool // experimental.krlsStatus: the client wants krls/status
}

func parseClientCaps(raw json.RawMessage) clientCaps {
	var c struct {
		Experimental struct {
			KrlsStatus bool `json:"krlsStatus"`
		} `json:"experimental"`
		Workspace struct {
			DidChangeWatchedFiles struct {
				DynamicRegistration bool `json:"dynamicRegistration"`
			} `json:"didChangeWatchedFiles"`
		} `json:"workspace"`
		Window struct {
			WorkDoneProgress bool `json:"workDoneProgress"`
		} `json:"window"`
		TextDocument struct {
			DocumentSymbol struct {
				Hierarchical bool `json:"hierarchicalDocumentSymbolSupport"`
			} `json:"documentSymbol"`
			Hover struct {
				ContentFormat []string `json:"contentFormat"`
			} `json:"hover"`
			Completion struct {
				CompletionItem struct {
					SnippetSupport bool `json:"snippetSupport"`
				} `json:"completionItem"`
			} `json:"completion"`
		} `json:"textDocument"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return clientCaps{}
	}
	caps := clientCaps{
		watchRegistration: c.Workspace.DidChangeWatchedFiles.DynamicRegistration,
		hierarchicalSyms:  c.TextDocument.DocumentSymbol.Hierarchical,
		workDoneProgress:  c.Window.WorkDoneProgress,
		snippets:          c.TextDocument.Completion.CompletionItem.SnippetSupport,
		status:            c.Experimental.KrlsStatus,
	}
	for _, f := range c.TextDocument.Hover.ContentFormat {
		if f == "markdown" {
			caps.markdownHover = true
		}
	}
	return caps
}

// resolveKernelPaths makes the settings' relative paths relative to the
// workspace folder.
func resolveKernelPaths(st *workspace.Settings, root string) {
	for _, p := range []*string{&st.Kernel.Srctree, &st.Kernel.Objtree, &st.Kernel.Kdir} {
		if *p == "" {
			continue
		}
		if strings.HasPrefix(*p, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				*p = filepath.Join(home, (*p)[2:])
			}
		}
		if !filepath.IsAbs(*p) && root != "" {
			*p = filepath.Join(root, *p)
		}
		*p = filepath.Clean(*p)
	}
}

// watchGlobs are the files whose changes reload a kernel's configuration
// (and the clippy configuration) or update the index.
var watchGlobs = []string{"**/Kconfig*", "**/.config", "**/.clippy.toml", "**/clippy.toml", "**/*.rs"}

// registerWatchers asks the client to report changes of the watched files.
func (s *server) registerWatchers() {
	var watchers []map[string]any
	for _, g := range watchGlobs {
		watchers = append(watchers, map[string]any{"globPattern": g})
	}
	params := map[string]any{"registrations": []map[string]any{{
		"id":              "krls-watched-files",
		"method":          "workspace/didChangeWatchedFiles",
		"registerOptions": map[string]any{"watchers": watchers},
	}}}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.goOwned(func() {
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
		defer cancel()
		if _, err := s.conn.Call(ctx, "client/registerCapability", params, nil); err != nil {
			if s.ctx.Err() == nil {
				s.logf(protocol.MessageTypeWarning, "client/registerCapability: %v (relying on polling)", err)
			}
			return
		}
		s.mu.Lock()
		s.rsWatched = true
		s.mu.Unlock()
	})
}

// pollInterval is how often the server looks at the watched files on its
// own: often when the client does not report changes, rarely as a safety
// net when it does.
func pollInterval(watching bool) time.Duration {
	if watching {
		return 10 * time.Second
	}
	return 2 * time.Second
}

// startPolling checks the loaded kernels' files on disk every interval,
// and the indexed .rs files unless the client watches them (a save
// would otherwise be seen twice, and an idle poll of a kernel tree stats
// every file).
func (s *server) startPolling(interval time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.goOwned(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				s.session.Kernels.Poll()
				s.mu.Lock()
				watched := s.rsWatched
				s.mu.Unlock()
				if !watched {
					s.session.Index.Poll(s.ctx)
				}
			}
		}
	})
}

func (s *server) didChangeWatchedFiles(params json.RawMessage) {
	var p struct {
		Changes []struct {
			URI string `json:"uri"`
		} `json:"changes"`
	}
	if err := decode(params, &p); err != nil {
		s.badNotification("workspace/didChangeWatchedFiles", err)
		return
	}
	var paths []string
	clippy := false
	for _, c := range p.Changes {
		path := uriToPath(c.URI)
		if path == "" {
			continue
		}
		switch filepath.Base(path) {
		case ".clippy.toml", "clippy.toml":
			clippy = true
		default:
			paths = append(paths, filepath.Clean(path))
		}
	}
	if clippy {
		s.session.ForgetConfig()
		s.rescheduleAll()
	}
	if len(paths) > 0 {
		s.session.Kernels.FilesChanged(paths)
		s.indexFilesChanged(paths)
		if s.session.RustFilesChanged(paths) && !clippy {
			s.rescheduleAll() // (already, when a clippy.toml changed)
		}
	}
}

// reportKernel tells the user, once per kernel, that it has no .config or
// could not be loaded, and tells the client the kernel's status.
func (s *server) reportKernel(res *workspace.Result) {
	s.reportStatus(res)
	switch {
	case res.Kernel != nil && res.Kernel.NoConfig != nil:
		s.messageOnce(protocol.MessageTypeWarning, res.Kernel.NoConfig.Error()+
			": Kconfig values are unknown (configure the kernel, e.g. make defconfig, or set krls.objtree); the SAFETY rules work as before")
	case res.KernelErr != nil && !isQuiet(res.KernelErr):
		s.messageOnce(protocol.MessageTypeWarning, res.KernelErr.Error())
	}
}

// isQuiet tells errors that only mean "no kernel here" or "stopped".
func isQuiet(err error) bool {
	return err == workspace.ErrNoKernel || err == context.Canceled || err == context.DeadlineExceeded
}

// messageOnce shows msg in a window message (and the log) unless it was
// shown before.
func (s *server) messageOnce(typ protocol.MessageType, msg string) {
	s.mu.Lock()
	seen := s.logged[msg]
	s.logged[msg] = true
	s.mu.Unlock()
	s.log.Print(msg)
	if !seen {
		s.notify("window/showMessage", protocol.ShowMessageParams{Type: typ, Message: "krls: " + msg})
	}
}

// positionParams are the fields of TextDocumentPositionParams.
type positionParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
	Position protocol.Position `json:"position"`
}

// docAt decodes position params and returns the document and the byte
// offset, or answers the request itself (nil document).
func (s *server) docAt(method string, r *replier, params json.RawMessage, empty any) (*workspace.Document, int) {
	var p positionParams
	if err := decode(params, &p); err != nil {
		r.send(nil, invalidParams(method, err))
		return nil, 0
	}
	doc := s.session.Document(p.TextDocument.URI)
	if doc == nil {
		r.send(empty, nil)
		return nil, 0
	}
	return doc, NewMapper(doc.Text).Offset(p.Position)
}

func (s *server) hover(id jsonrpc2.ID, r *replier, params json.RawMessage) {
	doc, off := s.docAt("textDocument/hover", r, params, nil)
	if doc == nil {
		return
	}
	s.goRequest(id, "textDocument/hover", r, func(ctx context.Context) (any, error) {
		h, err := s.session.Hover(ctx, doc, off)
		if err != nil || h == nil {
			return nil, err
		}
		rng := NewMapper(doc.Text).Range(h.Start, h.End)
		s.mu.Lock()
		markdown := s.caps.markdownHover
		s.mu.Unlock()
		kind := protocol.Markdown
		if !markdown {
			kind = protocol.PlainText
		}
		return protocol.Hover{Contents: protocol.MarkupContent{Kind: kind, Value: h.Markdown}, Range: &rng}, nil
	})
}

func (s *server) definition(id jsonrpc2.ID, r *replier, params json.RawMessage) {
	doc, off := s.docAt("textDocument/definition", r, params, []protocol.Location{})
	if doc == nil {
		return
	}
	s.goRequest(id, "textDocument/definition", r, func(ctx context.Context) (any, error) {
		locs, err := s.session.Definition(ctx, doc, off)
		if err != nil {
			return nil, err
		}
		return toLocations(locs), nil
	})
}

// toLocations converts workspace locations; a location known by byte
// offsets is mapped against its file's text.
func toLocations(locs []workspace.Location) []protocol.Location {
	out := make([]protocol.Location, 0, len(locs))
	mappers := map[string]*Mapper{} // each file read once
	for _, l := range locs {
		var rng protocol.Range
		if l.Start >= 0 {
			m, seen := mappers[l.Path]
			if !seen {
				if text, err := os.ReadFile(l.Path); err == nil {
					m = NewMapper(text)
				}
				mappers[l.Path] = m
			}
			if m != nil {
				rng = m.Range(l.Start, l.End)
			}
		} else {
			pos := protocol.Position{Line: uint32(max(l.Line-1, 0))}
			rng = protocol.Range{Start: pos, End: pos}
		}
		out = append(out, protocol.Location{URI: protocol.DocumentURI(pathToURI(l.Path)), Range: rng})
	}
	return out
}

func (s *server) documentSymbol(id jsonrpc2.ID, r *replier, params json.RawMessage) {
	var p struct {
		TextDocument struct {
			URI string `json:"uri"`
		} `json:"textDocument"`
	}
	if err := decode(params, &p); err != nil {
		r.send(nil, invalidParams("textDocument/documentSymbol", err))
		return
	}
	doc := s.session.Document(p.TextDocument.URI)
	if doc == nil || doc.Kind() != workspace.KindKconfig {
		r.send([]protocol.DocumentSymbol{}, nil)
		return
	}
	s.goRequest(id, "textDocument/documentSymbol", r, func(ctx context.Context) (any, error) {
		outline := s.session.Outline(ctx, doc)
		m := NewMapper(doc.Text)
		lines := lineStarts(doc.Text)
		s.mu.Lock()
		hier := s.caps.hierarchicalSyms
		s.mu.Unlock()
		if hier {
			return documentSymbols(m, lines, outline, false), nil
		}
		var flat []protocol.SymbolInformation
		flattenSymbols(&flat, documentSymbols(m, lines, outline, false), protocol.DocumentURI(doc.Key), "")
		return flat, nil
	})
}

// lineStarts returns the byte offset of each line's start, and one past
// the end.
func lineStarts(text []byte) []int {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return append(starts, len(text))
}

// lineRange is the byte range of 1-based lines first..last, without the
// last line's newline. lines is lineStarts' result: line L starts at
// lines[L-1], and the final element is the text's length.
func lineRange(lines []int, first, last int) (int, int) {
	n := len(lines) - 1 // lines[n] is the end of the text
	first = max(1, min(first, n))
	last = max(first, min(last, n))
	start := lines[first-1]
	end := lines[n]
	if last < n {
		end = lines[last] - 1
	}
	return start, max(start, end)
}

func documentSymbols(m *Mapper, lines []int, nodes []*kconfig.OutlineNode, inChoice bool) []protocol.DocumentSymbol {
	out := make([]protocol.DocumentSymbol, 0, len(nodes))
	for _, n := range nodes {
		start, end := lineRange(lines, n.Line, max(n.EndLine, n.Line))
		selStart, selEnd := lineRange(lines, n.Line, n.Line)
		name := n.Name
		if name == "" {
			name = "(unnamed)"
		}
		sym := protocol.DocumentSymbol{
			Name:           name,
			Detail:         n.Detail,
			Kind:           outlineKind(n.Kind, inChoice),
			Range:          m.Range(start, end),
			SelectionRange: m.Range(selStart, selEnd),
		}
		if len(n.Children) > 0 {
			sym.Children = documentSymbols(m, lines, n.Children, n.Kind == kconfig.OutlineChoice || inChoice && n.Kind == kconfig.OutlineIf)
		}
		out = append(out, sym)
	}
	return out
}

func outlineKind(k kconfig.OutlineKind, inChoice bool) protocol.SymbolKind {
	switch k {
	case kconfig.OutlineConfig, kconfig.OutlineMenuconfig:
		if inChoice {
			return protocol.SymbolKindEnumMember
		}
		return protocol.SymbolKindVariable
	case kconfig.OutlineChoice:
		return protocol.SymbolKindEnum
	case kconfig.OutlineMenu:
		return protocol.SymbolKindNamespace
	case kconfig.OutlineComment:
		return protocol.SymbolKindString
	case kconfig.OutlineIf:
		return protocol.SymbolKindBoolean
	case kconfig.OutlineMainmenu:
		return protocol.SymbolKindFile
	}
	return protocol.SymbolKindModule // source
}

func flattenSymbols(out *[]protocol.SymbolInformation, syms []protocol.DocumentSymbol, uri protocol.DocumentURI, container string) {
	for _, s := range syms {
		*out = append(*out, protocol.SymbolInformation{
			Name:          s.Name,
			Kind:          s.Kind,
			Location:      protocol.Location{URI: uri, Range: s.Range},
			ContainerName: container,
		})
		flattenSymbols(out, s.Children, uri, s.Name)
	}
}

func (s *server) completion(id jsonrpc2.ID, r *replier, params json.RawMessage) {
	doc, off := s.docAt("textDocument/completion", r, params, protocol.CompletionList{Items: []protocol.CompletionItem{}})
	if doc == nil {
		return
	}
	s.goRequest(id, "textDocument/completion", r, func(ctx context.Context) (any, error) {
		items, incomplete, err := s.session.Complete(ctx, doc, off)
		if err != nil {
			return nil, err
		}
		m := NewMapper(doc.Text)
		s.mu.Lock()
		snippets := s.caps.snippets
		s.mu.Unlock()
		list := protocol.CompletionList{IsIncomplete: incomplete, Items: make([]protocol.CompletionItem, 0, len(items))}
		for _, it := range items {
			list.Items = append(list.Items, completionItem(m, it, snippets))
		}
		return list, nil
	})
}

// completionItem converts a completion; a snippet becomes plain text for
// a client without snippet support.
func completionItem(m *Mapper, it workspace.CompletionItem, snippets bool) protocol.CompletionItem {
	text := it.Insert
	if text == "" {
		text = it.Label
	}
	format := protocol.InsertTextFormatPlainText
	if it.Snippet {
		if snippets {
			format = protocol.InsertTextFormatSnippet
		} else {
			text = plainSnippet(text)
		}
	}
	filter := it.Filter
	if filter == "" {
		filter = it.Label
	}
	kind := protocol.CompletionItemKindConstant
	switch it.Kind {
	case workspace.CompletionKey:
		kind = protocol.CompletionItemKindProperty
	case workspace.CompletionValue:
		kind = protocol.CompletionItemKindValue
	case workspace.CompletionType:
		kind = protocol.CompletionItemKindStruct
	case workspace.CompletionSnippet:
		kind = protocol.CompletionItemKindSnippet
	}
	out := protocol.CompletionItem{
		Label:            it.Label,
		Kind:             kind,
		Detail:           it.Detail,
		TextEdit:         &protocol.TextEdit{Range: m.Range(it.Start, it.End), NewText: text},
		InsertTextFormat: format,
		FilterText:       filter,
		SortText:         it.Sort,
	}
	if it.Doc != "" {
		out.Documentation = protocol.MarkupContent{Kind: protocol.Markdown, Value: it.Doc}
	}
	return out
}

// plainSnippet turns an LSP snippet into the text it shows first:
// placeholders become their default text, tab stops vanish.
func plainSnippet(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			b.WriteByte(s[i+1])
			i++
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			j := i + 2
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && s[j] == ':' {
				j++
			}
			i = len(s) // unless the placeholder closes
			depth := 1
			for k := j; k < len(s); k++ {
				if s[k] == '\\' && k+1 < len(s) {
					b.WriteByte(s[k+1])
					k++
					continue
				}
				if s[k] == '}' {
					depth--
					if depth == 0 {
						i = k
						break
					}
				}
				b.WriteByte(s[k])
			}
		case c == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			for i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
