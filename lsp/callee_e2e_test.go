package lsp

import (
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// TestEndToEndCalleeContract: on the real tree, the undocumented-unsafe
// quick fix of a block in workqueue.rs quotes the `# Safety` section of
// `Arc::from_raw`, declared in sync/arc.rs and reached through the
// file's `use crate::sync::Arc` and sync.rs's `pub use arc::Arc`. The
// document is opened before the index is complete: the code action must
// not serve the analysis made without it.
func TestEndToEndCalleeContract(t *testing.T) {
	src, obj := kernelFixture(t)
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, map[string]any{})

	path := filepath.Join(src, "rust/kernel/workqueue.rs")
	marker := "let arc = unsafe { Arc::from_raw(ptr) };"
	text := readFile(t, path)
	at := strings.Index(text, marker)
	if at < 0 {
		t.Fatalf("no %q in workqueue.rs", marker)
	}
	// Delete the SAFETY comment above the block.
	lineStart := strings.LastIndexByte(text[:at], '\n') + 1
	prev := strings.LastIndexByte(text[:lineStart-1], '\n') + 1
	if !strings.Contains(text[prev:lineStart], "// SAFETY:") {
		t.Fatalf("no SAFETY comment above %q: %q", marker, text[prev:lineStart])
	}
	text = text[:prev] + text[lineStart:]
	line := uint32(strings.Count(text[:prev], "\n"))

	uri := pathToURI(path)
	p.openAs(uri, "rust", text, 1)
	pub := p.diagnosticsFor(uri, version(1))
	var diag *protocol.Diagnostic
	for i, d := range pub.Diagnostics {
		if d.Code == "undocumented-unsafe" && d.Range.Start.Line == line {
			diag = &pub.Diagnostics[i]
		}
	}
	if diag == nil {
		t.Fatalf("no undocumented-unsafe on line %d: %+v", line, pub.Diagnostics)
	}

	// Once the index has the kernel crate, the fix quotes the contract.
	p.workspaceSymbols("kernel::sync::arc::Arc::from_raw", func(s []protocol.SymbolInformation) bool { return len(s) > 0 })
	r := p.call("textDocument/codeAction", codeActionParams(uri, diag.Range, []protocol.Diagnostic{*diag}))
	actions := decodeParams[[]protocol.CodeAction](t, r.Result)
	if len(actions) != 1 || actions[0].Edit == nil {
		t.Fatalf("code actions %s", r.Result)
	}
	if !strings.Contains(actions[0].Title, "`Arc::from_raw`") {
		t.Errorf("title %q", actions[0].Title)
	}
	fixed, _ := applyEdits(t, text, actions[0].Edit.Changes[protocol.DocumentURI(uri)])
	want := "        // SAFETY: TODO: show that each requirement of `Arc::from_raw` holds:\n" +
		"        // - `ptr` must have been returned by a previous call to [`Arc::into_raw`]. Additionally, it\n" +
		"        //   must not be called more than once for each previous call to [`Arc::into_raw`].\n" +
		"        " + marker
	if !strings.Contains(fixed, want) {
		i := strings.Index(fixed, marker)
		t.Errorf("the fix made:\n%s\nwant:\n%s", fixed[max(0, i-400):i+len(marker)], want)
	}
}
