package lsp

import (
	"testing"

	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/workspace"
)

func TestCodeActions(t *testing.T) {
	text := "é🐧 one\ntwo three\n"
	doc := &workspace.Document{Key: "file:///a.rs", Path: "/a.rs", Text: []byte(text)}
	one := diagnostics.Finding{Rule: "undocumented-unsafe", Severity: diagnostics.Warning, Start: 7, End: 10, Message: "one",
		Fixes: []diagnostics.Fix{{Title: "fix one", Edits: []diagnostics.Edit{{Start: 7, End: 10, NewText: "1"}}}}}
	two := diagnostics.Finding{Rule: "safety-placeholder", Severity: diagnostics.Information, Start: 12, End: 14, Message: "two",
		Fixes: []diagnostics.Fix{
			{Title: "a", Edits: []diagnostics.Edit{{Start: 12, End: 14, NewText: "2"}}},
			{Title: "b", Edits: []diagnostics.Edit{{Start: 12, End: 12, NewText: "x"}, {Start: 14, End: 14, NewText: "y"}}},
		}}
	three := diagnostics.Finding{Rule: "missing-safety-doc", Severity: diagnostics.Warning, Start: 15, End: 20, Message: "no fix"}
	res := &workspace.Result{Doc: doc, Findings: []diagnostics.Finding{one, two, three}}
	m := NewMapper(doc.Text)
	titles := func(as []protocol.CodeAction) (out []string) {
		for _, a := range as {
			out = append(out, a.Title)
		}
		return out
	}

	// By range: the cursor on "one" (after é🐧 and a space: UTF-16 4).
	as := codeActions(doc.Key, res, protocol.Range{Start: pos(0, 4), End: pos(0, 4)}, nil)
	if got := titles(as); len(got) != 1 || got[0] != "fix one" {
		t.Fatalf("actions at 0:4 %v", got)
	}
	a := as[0]
	if !a.IsPreferred || a.Kind != protocol.QuickFix || len(a.Diagnostics) != 1 || a.Diagnostics[0].Code != "undocumented-unsafe" {
		t.Errorf("action %+v", a)
	}
	edits := a.Edit.Changes["file:///a.rs"]
	if len(edits) != 1 || edits[0].Range != (protocol.Range{Start: pos(0, 4), End: pos(0, 7)}) || edits[0].NewText != "1" {
		t.Errorf("edits %+v", edits)
	}

	// A range over both lines: every fix, none preferred when there are two.
	as = codeActions(doc.Key, res, protocol.Range{Start: pos(0, 0), End: pos(2, 0)}, nil)
	if got := titles(as); len(got) != 3 || got[1] != "a" || got[2] != "b" || as[1].IsPreferred || as[2].IsPreferred {
		t.Errorf("actions over everything %v", got)
	}
	if e := as[2].Edit.Changes["file:///a.rs"]; len(e) != 2 {
		t.Errorf("two-edit fix %+v", e)
	}

	// A context diagnostic that is krls's current one adds its fixes to
	// the range's; the range stays primary (context diagnostics may lag
	// behind an edit, and then the range's fixes must still be offered).
	d := toDiagnostic(m, doc.Key, two)
	as = codeActions(doc.Key, res, protocol.Range{Start: pos(0, 4), End: pos(0, 4)}, []protocol.Diagnostic{d})
	if got := titles(as); len(got) != 3 || got[0] != "fix one" || got[1] != "a" {
		t.Errorf("actions for the range and the context diagnostic %v", got)
	}
	as = codeActions(doc.Key, res, protocol.Range{Start: pos(1, 0), End: pos(1, 0)}, []protocol.Diagnostic{d})
	if got := titles(as); len(got) != 2 || got[0] != "a" {
		t.Errorf("actions for the context diagnostic alone %v", got)
	}
	// Diagnostics of another source or stale ones add nothing.
	other := d
	other.Source = "rust-analyzer"
	stale := d
	stale.Range.Start.Character++
	for _, cd := range []protocol.Diagnostic{other, stale} {
		as = codeActions(doc.Key, res, protocol.Range{Start: pos(0, 4), End: pos(0, 4)}, []protocol.Diagnostic{cd})
		if got := titles(as); len(got) != 1 || got[0] != "fix one" {
			t.Errorf("actions with context %+v: %v", cd, got)
		}
	}
	// Nothing there: the second line's start, before "wo", the second finding.
	if as := codeActions(doc.Key, res, protocol.Range{Start: pos(1, 0), End: pos(1, 0)}, nil); len(as) != 0 {
		t.Errorf("actions where there is no finding %v", titles(as))
	}
	if as := codeActions(doc.Key, &workspace.Result{Doc: doc}, protocol.Range{}, nil); as == nil || len(as) != 0 {
		t.Errorf("no findings: %v", as)
	}
}

func TestWantsQuickFix(t *testing.T) {
	tests := []struct {
		only []protocol.CodeActionKind
		want bool
	}{
		{nil, true},
		{[]protocol.CodeActionKind{"quickfix"}, true},
		{[]protocol.CodeActionKind{"refactor", "quickfix"}, true},
		{[]protocol.CodeActionKind{"refactor"}, false},
		{[]protocol.CodeActionKind{"source.fixAll"}, false},
	}
	for _, tt := range tests {
		if got := wantsQuickFix(tt.only); got != tt.want {
			t.Errorf("wantsQuickFix(%v) = %v", tt.only, got)
		}
	}
}
