// Package lsp is krls's language server: a small protocol layer over a
// workspace.Session, in the manner of gopls. It speaks LSP on a byte
// stream (stdio), turns editor notifications into session updates, runs
// the rules in goroutines it owns, and converts byte offsets to LSP
// positions (UTF-16) and back. Only this package knows LSP.
//
// krls runs beside rust-analyzer, so it offers only what rust-analyzer
// does not: diagnostics of the kernel's rules and their quick fixes.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/workspace"
)

// DefaultDebounce is how long diagnostics wait after the last change of a
// document, so that typing does not parse the file on every key.
const DefaultDebounce = 150 * time.Millisecond

// Options configure a server.
type Options struct {
	// Version is reported in serverInfo.
	Version string
	// Debounce is the delay of diagnostics after a change: 0 means
	// DefaultDebounce, a negative value no delay.
	Debounce time.Duration
	// ExitWait bounds how long Serve waits, at the end, for the read loop
	// to stop. Closing a pipe or a file of the poller stops it at once;
	// a blocking read of a stdin that Close cannot interrupt keeps it
	// until the process exits. 0 means 100 ms.
	ExitWait time.Duration

	// testHookServer, when set (by tests), sees the server before it
	// starts.
	testHookServer func(*server)
}

// Serve speaks LSP on in and out until the client sends exit or in ends,
// and returns the process exit code: 0 when shutdown came first, else 1.
// Logs go to logw (stderr), never to out. Serve closes in when it is an
// io.Closer. It waits for the goroutines it started.
func Serve(ctx context.Context, in io.Reader, out io.Writer, logw io.Writer, opts Options) int {
	logger := log.New(logw, "krls: ", log.LstdFlags|log.Lmsgprefix)
	s := newServer(ctx, logger, opts)
	if opts.testHookServer != nil {
		opts.testHookServer(s)
	}
	defer s.cancel()
	stream := NewStream(in, out, logger)
	s.conn = jsonrpc2.NewConn(stream)
	s.conn.Go(ctx, s.handle)

	code := 1
	select {
	case code = <-s.exit:
	case <-s.conn.Done():
		select {
		case code = <-s.exit:
		default:
			if s.getState() == stateShutdown {
				code = 0
			}
		}
		if err := s.conn.Err(); err != nil && !errors.Is(err, io.EOF) {
			logger.Printf("connection ended: %v", err)
		}
	case <-ctx.Done():
	}
	s.stop()
	s.conn.Close()
	wait := opts.ExitWait
	if wait <= 0 {
		wait = 100 * time.Millisecond
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-s.conn.Done():
	case <-t.C: // a blocking read that Close cannot interrupt
	}
	return code
}

type state int

const (
	stateNew      state = iota // before initialize
	stateRunning               // after initialize
	stateShutdown              // after shutdown
	stateExited                // after exit, or the end of the input
)

// server is one LSP connection.
type server struct {
	opts    Options
	log     *log.Logger
	conn    jsonrpc2.Conn
	session *workspace.Session

	// ctx is cancelled at shutdown; every goroutine the server starts
	// derives its context from it and is counted in wg.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	exit   chan int

	// publishMu orders publishDiagnostics of a document: a job publishes
	// only if its context is still live while holding it, and closing a
	// document cancels the job before publishing the empty list.
	publishMu sync.Mutex

	mu          sync.Mutex // guards the fields below
	state       state
	root        string
	initWarn    []string
	requests    map[jsonrpc2.ID]*request
	diags       map[string]*diagJob // the latest job of each document, until it ends
	ignored     map[string]bool     // open documents that are not Rust
	warnedLarge map[string]bool
	logged      map[string]bool // problems already shown to the user
	caps        clientCaps
	statusSent  map[string]statusParams // the last krls/status sent, by srctree
	// rsWatched: the client accepted the watcher registration, which
	// includes **/*.rs, so the index is not polled.
	rsWatched bool
	// progress is the work-done progress of the indexings under way, by
	// tree.
	progress map[string]*treeProgress

	// testHookAnalyze, when set, is called as a diagnostics job starts
	// (+1) and ends (-1) the analysis of a document.
	testHookAnalyze func(uri string, delta int)
}

type request struct{ cancel context.CancelFunc }

// diagJob is the diagnostics job of a document; done is closed when it
// (and the jobs before it) ended.
type diagJob struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func newServer(ctx context.Context, logger *log.Logger, opts Options) *server {
	if opts.Debounce == 0 {
		opts.Debounce = DefaultDebounce
	}
	s := &server{
		opts:        opts,
		log:         logger,
		session:     workspace.NewSession(),
		exit:        make(chan int, 1),
		requests:    map[jsonrpc2.ID]*request{},
		diags:       map[string]*diagJob{},
		ignored:     map[string]bool{},
		warnedLarge: map[string]bool{},
		logged:      map[string]bool{},
		statusSent:  map[string]statusParams{},

		progress: map[string]*treeProgress{},
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	// What the workspace recovers from (a reload that failed, an index
	// database it could not use) is a warning for the client's log.
	warn := func(format string, args ...any) { s.logf(protocol.MessageTypeWarning, format, args...) }
	s.session.Kernels.Logf = warn
	s.session.Index.Logf = warn
	s.session.Index.OnProgress = s.indexProgress
	s.session.OnKernelReload = func(k *workspace.Kernel) {
		s.logf(protocol.MessageTypeLog, "configuration of %s reloaded in %v", k.Srctree, k.Took.Round(time.Millisecond))
		s.rescheduleAll()
	}
	return s
}

func (s *server) getState() state {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// stopWait bounds how long the server waits for its cancelled work at
// shutdown, exit or a signal. Cancelled work ends promptly (parsing and
// the rules check their context); what does not (a write to a client
// that stopped reading) must not keep the process alive.
const stopWait = 5 * time.Second

// stop cancels and waits (up to stopWait) for everything the server
// started. Handlers that run later do nothing.
func (s *server) stop() {
	s.mu.Lock()
	if s.state != stateShutdown {
		s.state = stateExited
	}
	s.mu.Unlock()
	s.cancel()
	s.waitJobs()
	s.session.Shutdown()
	s.mu.Lock()
	s.state = stateExited
	s.mu.Unlock()
}

// waitJobs waits for the goroutines the server started, up to stopWait.
func (s *server) waitJobs() {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(stopWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Printf("work still running %v after it was cancelled; not waiting for it", stopWait)
	}
}

// goOwned starts f in a goroutine the server waits for, unless the server
// is shutting down. It must be called with s.mu held.
func (s *server) goOwned(f func()) bool {
	if s.state != stateRunning {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// replier makes sure a request is answered once.
type replier struct {
	reply jsonrpc2.Replier
	done  atomic.Bool
	log   *log.Logger
}

func (r *replier) send(result any, err error) {
	if r.done.Swap(true) {
		return
	}
	if e := r.reply(context.Background(), result, err); e != nil {
		r.log.Printf("cannot reply: %v", e)
	}
}

// handle is the jsonrpc2 handler. It runs on the connection's read loop,
// one message at a time, so document changes apply in order; slow work
// goes to goroutines. It always returns nil: an error would end the
// connection.
func (s *server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	r := &replier{reply: reply, log: s.log}
	method := req.Method()
	_, isCall := req.(*jsonrpc2.Call)
	defer func() {
		if p := recover(); p != nil {
			s.log.Printf("panic handling %s: %v\n%s", method, p, debug.Stack())
			s.showOnce(protocol.MessageTypeError, "internal error handling "+method+" (details in the server log)")
			if isCall {
				r.send(nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error handling %s", method))
			}
		}
	}()
	s.dispatch(ctx, r, req, isCall)
	return nil
}

func (s *server) dispatch(ctx context.Context, r *replier, req jsonrpc2.Request, isCall bool) {
	method := req.Method()
	params := req.Params()
	if method == "exit" {
		s.onExit()
		return
	}
	switch s.getState() {
	case stateNew:
		if method != "initialize" {
			if isCall {
				r.send(nil, jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized, "server not initialized: %s before initialize", method))
			}
			return
		}
	case stateShutdown, stateExited:
		if isCall {
			r.send(nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "server is shut down: %s after shutdown", method))
		}
		return
	}

	notification := true
	switch method {
	case "initialize":
		notification = false
		if s.getState() != stateNew {
			r.send(nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize sent twice"))
			break
		}
		s.initialize(r, params)
	case "initialized":
		s.initialized()
	case "shutdown":
		notification = false
		s.shutdown(r)
	case "textDocument/didOpen":
		s.didOpen(params)
	case "textDocument/didChange":
		s.didChange(params)
	case "textDocument/didClose":
		s.didClose(params)
	case "textDocument/didSave":
		s.didSave(params)
	case "workspace/didChangeConfiguration":
		s.didChangeConfiguration(params)
	case "$/cancelRequest":
		s.cancelRequest(params)
	case "workspace/didChangeWatchedFiles":
		s.didChangeWatchedFiles(params)
	case "textDocument/codeAction":
		notification = false
		if isCall {
			s.codeAction(req.(*jsonrpc2.Call).ID(), r, params)
		}
	case "textDocument/hover":
		notification = false
		if isCall {
			s.hover(req.(*jsonrpc2.Call).ID(), r, params)
		}
	case "textDocument/definition":
		notification = false
		if isCall {
			s.definition(req.(*jsonrpc2.Call).ID(), r, params)
		}
	case "textDocument/completion":
		notification = false
		if isCall {
			s.completion(req.(*jsonrpc2.Call).ID(), r, params)
		}
	case "textDocument/documentSymbol":
		notification = false
		if isCall {
			s.documentSymbol(req.(*jsonrpc2.Call).ID(), r, params)
		}
	case "workspace/symbol":
		notification = false
		if isCall {
			s.workspaceSymbol(req.(*jsonrpc2.Call).ID(), r, params)
		}
	default:
		notification = false
		if isCall {
			r.send(nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method))
		}
		// Unknown notifications ($/setTrace, ...) are ignored.
	}
	if notification && isCall {
		r.send(nil, nil) // a notification method sent with an id
	}
}

// decode unmarshals params; absent params decode as null.
func decode(params json.RawMessage, v any) error {
	if len(params) == 0 {
		params = json.RawMessage("null")
	}
	return json.Unmarshal(params, v)
}

func invalidParams(method string, err error) error {
	return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params of %s: %v", method, err)
}

// parseInitialize reads the workspace root and the initializationOptions
// of initialize. Each field is decoded on its own so that an odd field of
// a client does not fail the whole request.
func parseInitialize(params json.RawMessage) (root string, options json.RawMessage, caps clientCaps) {
	var fields map[string]json.RawMessage
	if decode(params, &fields) != nil {
		return "", nil, caps
	}
	caps = parseClientCaps(fields["capabilities"])
	var folders []struct {
		URI string `json:"uri"`
	}
	if json.Unmarshal(fields["workspaceFolders"], &folders) == nil {
		for _, f := range folders {
			if p := uriToPath(f.URI); p != "" {
				return p, fields["initializationOptions"], caps
			}
		}
	}
	var s string
	if json.Unmarshal(fields["rootUri"], &s) == nil && s != "" {
		root = uriToPath(s)
	}
	if root == "" && json.Unmarshal(fields["rootPath"], &s) == nil {
		root = s
	}
	return root, fields["initializationOptions"], caps
}

func (s *server) initialize(r *replier, params json.RawMessage) {
	root, options, caps := parseInitialize(params)
	settings, warnings := parseSettings(options, workspace.Settings{})
	resolveKernelPaths(&settings, root)
	s.session.SetSettings(settings)
	s.mu.Lock()
	s.state = stateRunning
	s.root = root
	s.caps = caps
	s.initWarn = warnings
	s.mu.Unlock()
	r.send(protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: protocol.TextDocumentSyncOptions{
				OpenClose: true,
				Change:    protocol.TextDocumentSyncKindIncremental,
				Save:      &protocol.SaveOptions{},
			},
			CodeActionProvider: protocol.CodeActionOptions{
				CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix},
			},
			HoverProvider:           true,
			DefinitionProvider:      true,
			DocumentSymbolProvider:  true,
			WorkspaceSymbolProvider: true,
			CompletionProvider: &protocol.CompletionOptions{
				TriggerCharacters: []string{"(", ","},
			},
		},
		ServerInfo: &protocol.ServerInfo{Name: "krls", Version: s.opts.Version},
	}, nil)
}

// initialized tells the user what krls found.
func (s *server) initialized() {
	s.mu.Lock()
	root, warnings := s.root, s.initWarn
	s.initWarn = nil
	s.mu.Unlock()
	s.show(protocol.MessageTypeInfo, describeWorkspace(s.session.Configs, root))
	for _, w := range warnings {
		s.show(protocol.MessageTypeWarning, w)
	}
	s.mu.Lock()
	watching := s.caps.watchRegistration
	s.mu.Unlock()
	if watching {
		s.registerWatchers()
	}
	s.startPolling(pollInterval(watching))
	// Index the tree of the workspace folder (or of the srctree the
	// settings name) in the background; trees of files opened later
	// are indexed as they open.
	if src := s.session.Settings().Kernel.Srctree; src != "" {
		s.indexTree(src, true)
	} else if root != "" {
		s.indexTree(root, true)
	}
}

// describeWorkspace says which kernel tree and clippy configuration apply
// to root.
func describeWorkspace(configs *workspace.ConfigCache, root string) string {
	if root == "" {
		return "no workspace folder; the clippy configuration is looked up next to each file"
	}
	var msg string
	if tree, ok := workspace.FindSrctree(root); ok {
		msg = "kernel tree " + tree
	} else if mod, ok := workspace.FindModuleDir(root); ok {
		msg = "out-of-tree module " + mod + " (no kernel tree found above it)"
	} else {
		msg = "no kernel tree found at or above " + root
	}
	conf, err := configs.ClippyConf(root)
	switch {
	case err != nil:
		msg += "; " + err.Error()
	case conf.Path == "":
		msg += "; no .clippy.toml found (check-private-items = false)"
	default:
		msg += fmt.Sprintf("; clippy configuration %s (check-private-items = %v)", conf.Path, conf.CheckPrivateItems)
	}
	return msg
}

func (s *server) shutdown(r *replier) {
	s.mu.Lock()
	s.state = stateShutdown
	s.mu.Unlock()
	// Cancel every job first, then wait for them (up to stopWait): their
	// cancellation is prompt. Requests answer RequestCancelled,
	// diagnostics are dropped.
	s.cancel()
	s.waitJobs()
	r.send(nil, nil)
}

func (s *server) onExit() {
	s.mu.Lock()
	code := 1
	if s.state == stateShutdown {
		code = 0
	}
	s.state = stateExited
	s.mu.Unlock()
	select {
	case s.exit <- code:
	default:
	}
}

// cancelRequest cancels the context of a request in flight. It is a
// notification: nothing is answered here; the request itself answers
// RequestCancelled.
func (s *server) cancelRequest(params json.RawMessage) {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if decode(params, &p) != nil || len(p.ID) == 0 {
		return
	}
	var id jsonrpc2.ID
	var n int32
	var str string
	switch {
	case json.Unmarshal(p.ID, &n) == nil:
		id = jsonrpc2.NewNumberID(n)
	case json.Unmarshal(p.ID, &str) == nil:
		id = jsonrpc2.NewStringID(str)
	default:
		return
	}
	s.mu.Lock()
	if rq := s.requests[id]; rq != nil {
		rq.cancel()
	}
	s.mu.Unlock()
}

// goRequest answers a request from a goroutine, with a context that
// $/cancelRequest and shutdown cancel.
func (s *server) goRequest(id jsonrpc2.ID, method string, r *replier, f func(ctx context.Context) (any, error)) {
	s.mu.Lock()
	if s.state != stateRunning {
		s.mu.Unlock()
		r.send(nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "server is shutting down"))
		return
	}
	defer s.mu.Unlock()
	ctx, cancel := context.WithCancel(s.ctx)
	rq := &request{cancel: cancel}
	if s.requests[id] == nil {
		s.requests[id] = rq
	}
	s.goOwned(func() {
		defer func() {
			s.mu.Lock()
			if s.requests[id] == rq {
				delete(s.requests, id)
			}
			s.mu.Unlock()
			cancel()
		}()
		defer func() {
			if p := recover(); p != nil {
				s.log.Printf("panic handling %s: %v\n%s", method, p, debug.Stack())
				s.showOnce(protocol.MessageTypeError, "internal error handling "+method+" (details in the server log)")
				r.send(nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error handling %s", method))
			}
		}()
		result, err := f(ctx)
		if err != nil && ctx.Err() != nil {
			err = jsonrpc2.Errorf(protocol.CodeRequestCancelled, "%s cancelled", method)
		}
		r.send(result, err)
	})
}

// notify sends a notification, logging a failure.
func (s *server) notify(method string, params any) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Printf("panic sending %s: %v\n%s", method, p, debug.Stack())
		}
	}()
	if err := s.conn.Notify(context.Background(), method, params); err != nil {
		s.log.Printf("cannot send %s: %v", method, err)
	}
}

// show sends msg to the client's log (window/logMessage). Only errors
// also go to stderr: editors show a server's stderr as errors (Neovim's
// LSP log marks every line [ERROR]), and stdout is the protocol.
func (s *server) show(typ protocol.MessageType, msg string) {
	if typ == protocol.MessageTypeError {
		s.log.Print(msg)
	}
	s.notify("window/logMessage", protocol.LogMessageParams{Type: typ, Message: "krls: " + msg})
}

// logf is show with a format.
func (s *server) logf(typ protocol.MessageType, format string, args ...any) {
	s.show(typ, fmt.Sprintf(format, args...))
}

// logOnce sends msg to the client's log the first time only.
func (s *server) logOnce(typ protocol.MessageType, msg string) {
	s.mu.Lock()
	seen := s.logged[msg]
	s.logged[msg] = true
	s.mu.Unlock()
	if !seen {
		s.show(typ, msg)
	}
}

// showOnce shows msg unless it was shown before.
func (s *server) showOnce(typ protocol.MessageType, msg string) {
	s.mu.Lock()
	seen := s.logged[msg]
	s.logged[msg] = true
	s.mu.Unlock()
	if seen {
		s.show(protocol.MessageTypeLog, msg)
		return
	}
	s.show(typ, msg)
}
