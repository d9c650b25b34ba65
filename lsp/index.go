package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/workspace"
)

// The index of the trees' Rust items: indexing in the background with
// work-done progress, updates from watched files and saves, and
// workspace/symbol.

// indexTree starts indexing the tree that holds path (a file, or the
// workspace folder itself), unless it is indexed already.
func (s *server) indexTree(path string, isDir bool) {
	tree, ok := workspace.TreeOf(path)
	if isDir {
		tree, ok = workspace.TreeOfDir(path)
	}
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateRunning {
		return
	}
	s.session.Index.Ensure(s.ctx, &s.wg, tree)
}

// indexProgress reports a tree's first indexing: as work-done progress
// when the client supports it (window.workDoneProgress), in the log
// always. Indexing never waits for the client: the token is requested
// in a goroutine of the server's, and the progress is sent once the
// client accepted it (see treeProgress).
func (s *server) indexProgress(ev workspace.IndexEvent) {
	s.mu.Lock()
	supported := s.caps.workDoneProgress
	ctx := s.ctx
	p := s.progress[ev.Root]
	if ev.Phase == workspace.IndexStarted && supported {
		p = &treeProgress{root: ev.Root, token: fmt.Sprintf("krls-index-%d", time.Now().UnixNano())}
		if s.goOwned(func() { s.createProgress(p) }) {
			s.progress[ev.Root] = p
		}
	}
	if ev.Phase == workspace.IndexDone {
		delete(s.progress, ev.Root)
	}
	s.mu.Unlock()
	switch ev.Phase {
	case workspace.IndexListed:
		if p != nil {
			p.listed(s, ev.Files)
		}
	case workspace.IndexDone:
		st := ev.Stats
		msg := fmt.Sprintf("%d files (%d read, %d parsed, %d reused), %d items", st.Files, st.Read, st.Parsed, st.Reused, st.Symbols)
		if ev.Err != nil {
			msg = ev.Err.Error()
		}
		if ctx.Err() == nil {
			persisted := st.DB
			if !st.Persisted {
				persisted = "in memory: " + st.Fallback
			}
			s.logf(protocol.MessageTypeLog, "index of %s: %s in %v (%s)", ev.Root, msg, (st.Open + st.Load + st.Stat + st.Parse + st.Store + st.Link).Round(time.Millisecond), persisted)
		}
		if p != nil {
			p.end(s, msg)
		}
	}
}

// treeProgress is the work-done progress of a tree's first indexing. The
// indexing reports its phases whenever they happen; what the client may
// see is sent only once it accepted the token, in order: begin, report
// (unless the indexing ended meanwhile), end. A token the client refused
// (or did not answer) gets nothing.
type treeProgress struct {
	root, token string

	mu      sync.Mutex // guards the fields below, and orders the sends
	created bool       // the client accepted the token; begin was sent
	files   int        // files listed (0: not yet)
	done    bool       // the indexing ended; endMsg says how
	endMsg  string
}

// createProgress asks the client for p's token and, once it has it,
// sends what happened so far. It runs in a goroutine the server owns;
// shutdown cancels the request.
func (s *server) createProgress(p *treeProgress) {
	cctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	_, err := s.conn.Call(cctx, "window/workDoneProgress/create", map[string]any{"token": p.token}, nil)
	cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if s.ctx.Err() == nil {
			s.logf(protocol.MessageTypeWarning, "window/workDoneProgress/create: %v", err)
		}
		return
	}
	p.created = true
	s.notify("$/progress", map[string]any{"token": p.token, "value": map[string]any{
		"kind": "begin", "title": "krls: indexing Rust items", "message": p.root, "cancellable": false, "percentage": 0,
	}})
	switch {
	case p.done:
		p.sendEnd(s)
	case p.files > 0:
		p.sendReport(s)
	}
}

func (p *treeProgress) listed(s *server, files int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.files = files
	if p.created {
		p.sendReport(s)
	}
}

func (p *treeProgress) end(s *server, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.endMsg = true, msg
	if p.created {
		p.sendEnd(s)
	}
}

func (p *treeProgress) sendReport(s *server) {
	s.notify("$/progress", map[string]any{"token": p.token, "value": map[string]any{
		"kind": "report", "message": fmt.Sprintf("%d files", p.files), "percentage": 10,
	}})
}

func (p *treeProgress) sendEnd(s *server) {
	s.notify("$/progress", map[string]any{"token": p.token, "value": map[string]any{"kind": "end", "message": p.endMsg}})
}

// indexFilesChanged updates the indexes with changed .rs files, in the
// background.
func (s *server) indexFilesChanged(paths []string) {
	var rs []string
	for _, p := range paths {
		if filepath.Ext(p) == ".rs" {
			rs = append(rs, p)
		}
	}
	if len(rs) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.goOwned(func() { s.session.Index.FilesChanged(s.ctx, rs) })
}

func (s *server) workspaceSymbol(id jsonrpc2.ID, r *replier, params json.RawMessage) {
	var p struct {
		Query string `json:"query"`
	}
	if err := decode(params, &p); err != nil {
		r.send(nil, invalidParams("workspace/symbol", err))
		return
	}
	s.goRequest(id, "workspace/symbol", r, func(ctx context.Context) (any, error) {
		syms := s.session.WorkspaceSymbols(ctx, p.Query, workspaceSymbolLimit)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		locs := make([]workspace.Location, len(syms))
		for i, sym := range syms {
			locs[i] = sym.Location
		}
		converted := toLocations(locs)
		out := make([]protocol.SymbolInformation, len(syms))
		for i, sym := range syms {
			out[i] = protocol.SymbolInformation{
				Name:          sym.Name,
				Kind:          symbolKind(sym.Kind),
				Location:      converted[i],
				ContainerName: sym.Container,
			}
		}
		return out, nil
	})
}

// workspaceSymbolLimit bounds an answer: clients filter as the user
// types and ask again.
const workspaceSymbolLimit = 200

func symbolKind(kind string) protocol.SymbolKind {
	switch kind {
	case "fn":
		return protocol.SymbolKindFunction
	case "struct", "union":
		return protocol.SymbolKindStruct
	case "enum":
		return protocol.SymbolKindEnum
	case "trait":
		return protocol.SymbolKindInterface
	case "type":
		return protocol.SymbolKindTypeParameter
	case "const":
		return protocol.SymbolKindConstant
	case "static":
		return protocol.SymbolKindVariable
	case "mod":
		return protocol.SymbolKindModule
	case "macro":
		return protocol.SymbolKindFunction
	case "kconfig":
		return protocol.SymbolKindKey
	}
	return protocol.SymbolKindObject
}
