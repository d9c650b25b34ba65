package lsp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/workspace"
)

// clippyLints is where clippy documents its lints.
const clippyLints = "https://rust-lang.github.io/rust-clippy/master/index.html#"

// publishDiagnosticsParams is protocol.PublishDiagnosticsParams with a
// version that is not dropped when it is 0 and can be omitted (on close).
type publishDiagnosticsParams struct {
	URI         protocol.DocumentURI  `json:"uri"`
	Version     *int32                `json:"version,omitempty"`
	Diagnostics []protocol.Diagnostic `json:"diagnostics"`
}

// scheduleDiagnostics (re)starts the diagnostics of a document after
// delay, cancelling the pending or running ones: a newer edit makes them
// stale. The new job starts its analysis only once the cancelled one has
// ended, so that at most one analysis of a document runs at a time, even
// when the user pauses longer than the debounce again and again while a
// big document is analysed.
func (s *server) scheduleDiagnostics(uri string, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.diags[uri]
	if prev != nil {
		prev.cancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	job := &diagJob{cancel: cancel, done: make(chan struct{})}
	if !s.goOwned(func() { s.runDiagnostics(ctx, job, prev, uri, delay) }) {
		cancel()
		return
	}
	s.diags[uri] = job
}

// runDiagnostics is a diagnostics job: it waits for the debounce delay
// and for the previous job of the document (prev, cancelled) to end, then
// analyses the document and publishes the findings unless a newer change
// or a close took over.
func (s *server) runDiagnostics(ctx context.Context, job, prev *diagJob, uri string, delay time.Duration) {
	defer func() {
		if prev != nil {
			<-prev.done // cancelled: it ends promptly
		}
		s.mu.Lock()
		if s.diags[uri] == job {
			delete(s.diags, uri)
		}
		s.mu.Unlock()
		job.cancel()
		close(job.done)
	}()
	defer func() {
		if p := recover(); p != nil {
			s.log.Printf("panic computing diagnostics of %s: %v\n%s", uri, p, debug.Stack())
			s.showOnce(protocol.MessageTypeError, "internal error computing diagnostics (details in the server log)")
		}
	}()
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
	if prev != nil {
		select {
		case <-prev.done:
		case <-ctx.Done():
			return
		}
	}
	if s.testHookAnalyze != nil {
		s.testHookAnalyze(uri, +1)
		defer s.testHookAnalyze(uri, -1)
	}
	doc := s.session.Document(uri)
	if doc == nil {
		return
	}
	res, err := s.session.Analyze(ctx, doc)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Printf("diagnostics of %s: %v", uri, err)
			first, _, _ := strings.Cut(err.Error(), "\n")
			s.showOnce(protocol.MessageTypeError, first)
		}
		return
	}
	s.reportProblems(uri, res)
	s.reportKernel(res)
	diags := s.toDiagnostics(ctx, uri, res)
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	if ctx.Err() != nil {
		return // a newer change or a close took over
	}
	v := doc.Version
	s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: protocol.DocumentURI(uri), Version: &v, Diagnostics: diags})
}

// reportProblems tells the user, once, about a skipped file or a broken
// clippy configuration.
func (s *server) reportProblems(uri string, res *workspace.Result) {
	if res.ConfigErr != nil {
		s.showOnce(protocol.MessageTypeWarning, res.ConfigErr.Error()+" (using the defaults)")
	}
	if k := res.Kernel; k != nil && k.K != nil {
		if msg := k.KconfigErrorSummary(); msg != "" {
			s.showOnce(protocol.MessageTypeError, msg)
		}
		if msg := k.DialectFallback(); msg != "" {
			s.showOnce(protocol.MessageTypeWarning, msg)
		}
	}
	if res.PanicNote != "" {
		// Where undocumented-panic's knowledge of core and alloc comes
		// from (or that krls's built-in list stands in), said once.
		s.logOnce(protocol.MessageTypeInfo, res.PanicNote)
	}
	if res.Skipped != nil {
		s.mu.Lock()
		warned := s.warnedLarge[uri]
		s.warnedLarge[uri] = true
		s.mu.Unlock()
		if !warned {
			msg := "skipping " + res.Doc.Name() + ": " + res.Skipped.Error()
			if errors.Is(res.Skipped, symbols.ErrTooLarge) {
				msg = fmt.Sprintf("skipping %s: %d bytes is over the %d MB krls analyses", res.Doc.Name(), len(res.Doc.Text), symbols.MaxFileSize>>20)
			}
			s.show(protocol.MessageTypeWarning, msg)
		}
	} else {
		s.mu.Lock()
		delete(s.warnedLarge, uri)
		s.mu.Unlock()
	}
}

// toDiagnostics converts the findings of a result. It stops early, with
// what it has, when ctx is cancelled: the caller then publishes nothing.
func (s *server) toDiagnostics(ctx context.Context, uri string, res *workspace.Result) []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, 0, len(res.Findings))
	if len(res.Findings) == 0 {
		return out
	}
	m := NewMapper(res.Doc.Text)
	others := map[string]*Mapper{} // files that related information points into
	for i, f := range res.Findings {
		if i%4096 == 4095 && ctx.Err() != nil {
			return out
		}
		d := toDiagnostic(m, uri, f)
		for _, rel := range f.RelatedFiles {
			om, ok := others[rel.Path]
			if !ok {
				if text, err := os.ReadFile(rel.Path); err == nil {
					om = NewMapper(text)
				}
				others[rel.Path] = om
			}
			var rng protocol.Range
			if om != nil && rel.Start >= 0 {
				rng = om.Range(rel.Start, rel.End)
			} else {
				p := protocol.Position{Line: uint32(max(rel.Line, 0))} // 0-based
				rng = protocol.Range{Start: p, End: p}
			}
			d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
				Location: protocol.Location{URI: protocol.DocumentURI(pathToURI(rel.Path)), Range: rng},
				Message:  rel.Message,
			})
		}
		out = append(out, d)
	}
	return out
}

// toDiagnostic converts a finding of the document m maps.
func toDiagnostic(m *Mapper, uri string, f diagnostics.Finding) protocol.Diagnostic {
	d := protocol.Diagnostic{
		Range:    m.Range(f.Start, f.End),
		Severity: protocol.DiagnosticSeverity(f.Severity),
		Code:     f.Rule,
		Source:   "krls",
		Message:  f.Message,
	}
	if r := diagnostics.RuleByName(f.Rule); r != nil && r.Clippy != "" {
		d.CodeDescription = &protocol.CodeDescription{
			Href: protocol.URI(clippyLints + strings.TrimPrefix(r.Clippy, "clippy::")),
		}
	}
	for _, rel := range f.Related {
		d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: protocol.DocumentURI(uri), Range: m.Range(rel.Start, rel.End)},
			Message:  rel.Message,
		})
	}
	return d
}
