package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/workspace"
)

// codeAction answers textDocument/codeAction with the fixes of the
// findings in the requested range. The document snapshot is taken now, on
// the read loop; the analysis (usually cached from the diagnostics) runs
// in a goroutine.
func (s *server) codeAction(id jsonrpc2.ID, r *replier, params json.RawMessage) {
	// The fields krls reads of protocol.CodeActionParams: a progress token
	// of an unexpected shape must not fail the request.
	var p struct {
		TextDocument struct {
			URI string `json:"uri"`
		} `json:"textDocument"`
		Range   protocol.Range `json:"range"`
		Context struct {
			Diagnostics []protocol.Diagnostic     `json:"diagnostics"`
			Only        []protocol.CodeActionKind `json:"only"`
		} `json:"context"`
	}
	if err := decode(params, &p); err != nil {
		r.send(nil, invalidParams("textDocument/codeAction", err))
		return
	}
	uri := p.TextDocument.URI
	doc := s.session.Document(uri)
	if doc == nil || !doc.IsRust() || !wantsQuickFix(p.Context.Only) {
		r.send([]protocol.CodeAction{}, nil)
		return
	}
	s.goRequest(id, "textDocument/codeAction", r, func(ctx context.Context) (any, error) {
		res, err := s.session.Analyze(ctx, doc)
		if err != nil {
			return nil, err
		}
		return codeActions(uri, res, p.Range, p.Context.Diagnostics), nil
	})
}

// wantsQuickFix reports whether a context.only filter admits quickfix.
func wantsQuickFix(only []protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, k := range only {
		if k == "" || k == protocol.QuickFix || strings.HasPrefix(string(protocol.QuickFix), string(k)+".") {
			return true
		}
	}
	return false
}

// codeActions lists the fixes of the findings the request is about: those
// intersecting the range, and those the request context's diagnostics
// name.
func codeActions(uri string, res *workspace.Result, rng protocol.Range, ctxDiags []protocol.Diagnostic) []protocol.CodeAction {
	actions := []protocol.CodeAction{}
	if len(res.Findings) == 0 {
		return actions
	}
	m := NewMapper(res.Doc.Text)
	start, end := m.Offsets(rng)
	// The context's diagnostics by code and range, so that matching them
	// costs one lookup per finding however many the client sends.
	type key struct {
		code string
		rng  protocol.Range
	}
	byKey := make(map[key][]protocol.Diagnostic, len(ctxDiags))
	for _, cd := range ctxDiags {
		if code, ok := cd.Code.(string); ok {
			k := key{code, cd.Range}
			byKey[k] = append(byKey[k], cd)
		}
	}
	// The range is the primary parameter (the LSP says so: the context's
	// diagnostics may lag behind, as right after an edit, when the hints
	// of the new text are not shown yet); a context diagnostic that is
	// krls's current one adds its finding, wherever it is.
	diags := make([]protocol.Diagnostic, len(res.Findings))
	selected := make([]bool, len(res.Findings))
	for i, f := range res.Findings {
		diags[i] = toDiagnostic(m, uri, f)
		selected[i] = f.Start <= end && start <= f.End
		for _, cd := range byKey[key{f.Rule, diags[i].Range}] {
			if sameDiagnostic(cd, diags[i]) {
				selected[i] = true
				break
			}
		}
	}
	for i, f := range res.Findings {
		if !selected[i] {
			continue
		}
		for j, fix := range f.Fixes {
			edits := make([]protocol.TextEdit, 0, len(fix.Edits))
			for _, e := range fix.Edits {
				edits = append(edits, protocol.TextEdit{Range: m.Range(e.Start, e.End), NewText: e.NewText})
			}
			title := fix.Title
			if title == "" {
				title = fmt.Sprintf("Fix %s", f.Rule)
			}
			actions = append(actions, protocol.CodeAction{
				Title:       title,
				Kind:        protocol.QuickFix,
				Diagnostics: []protocol.Diagnostic{diags[i]},
				IsPreferred: j == 0 && len(f.Fixes) == 1,
				Edit: &protocol.WorkspaceEdit{
					Changes: map[protocol.DocumentURI][]protocol.TextEdit{protocol.DocumentURI(uri): edits},
				},
			})
		}
		if f.Explain != "" {
			// The editor packages define krls.explainSymbol: it shows
			// `krls config explain` (VS Code's command, Neovim's
			// :KrlsExplain through vim.lsp.commands).
			actions = append(actions, protocol.CodeAction{
				Title:       "Why is CONFIG_" + f.Explain + " off? (krls config explain)",
				Kind:        protocol.QuickFix,
				Diagnostics: []protocol.Diagnostic{diags[i]},
				Command:     &protocol.Command{Title: "Explain CONFIG_" + f.Explain, Command: ExplainCommand, Arguments: []any{f.Explain}},
			})
		}
	}
	return actions
}

// ExplainCommand is the client command that shows `krls config explain`
// for a symbol (its argument, without CONFIG_).
const ExplainCommand = "krls.explainSymbol"

// sameDiagnostic reports whether a diagnostic of the request context is
// the one krls published for a finding: same code and range, and krls's
// (or no) source.
func sameDiagnostic(cd, d protocol.Diagnostic) bool {
	if cd.Source != "" && cd.Source != d.Source {
		return false
	}
	code, ok := cd.Code.(string)
	return ok && code == d.Code && cd.Range == d.Range
}
