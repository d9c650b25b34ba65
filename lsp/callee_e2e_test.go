package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// calleeE2ECases are blocks whose SAFETY comment
// TestEndToEndCalleeContract deletes: the first whose file holds the
// marker on a tree is used there. The callee, shown as name and indexed
// as symbol, has its `# Safety` section above the first line holding
// decl after anchor in calleeFile.
var calleeE2ECases = []struct{ file, marker, name, symbol, calleeFile, anchor, decl string }{
	// Reached through workqueue.rs's `use crate::sync::Arc` and sync.rs's
	// `pub use arc::Arc`.
	{"rust/kernel/workqueue.rs", "let arc = unsafe { Arc::from_raw(ptr) };", "Arc::from_raw", "kernel::sync::arc::Arc::from_raw",
		"rust/kernel/sync/arc.rs", "impl<T: ?Sized> Arc<T> {", "pub unsafe fn from_raw("},
	// 6.1: print.rs's `use crate::str::RawFormatter`.
	{"rust/kernel/print.rs", "let mut w = unsafe { RawFormatter::from_ptrs(buf.cast(), end.cast()) };", "RawFormatter::from_ptrs",
		"kernel::str::RawFormatter::from_ptrs", "rust/kernel/str.rs", "", "pub(crate) unsafe fn from_ptrs("},
}

// calleeSafety is the `# Safety` section above decl, the first after
// anchor.
func calleeSafety(text, anchor, decl string) []string {
	return kerneltest.DocSafety(text[max(0, strings.Index(text, anchor)):], decl)
}

// TestEndToEndCalleeContract: on each fixture kernel, the
// undocumented-unsafe quick fix of a real block quotes the `# Safety`
// section of its callee, declared in another file and reached through
// `use` imports (and `pub use` re-exports): each paragraph of it as the
// tree writes it. The document is opened before the index is complete:
// the code action must not serve the analysis made without it. (6.1's
// build does not enable undocumented-unsafe: the rule is asked for.)
func TestEndToEndCalleeContract(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) { calleeContractE2E(t, k.Src, k.RustObj(t).Dir) })
	}
}

func calleeContractE2E(t *testing.T, src, obj string) {
	var path, text string
	var at int
	var tc = calleeE2ECases[0]
	for _, c := range calleeE2ECases {
		path = filepath.Join(src, c.file)
		b, _ := os.ReadFile(path)
		text = string(b)
		if at = strings.Index(text, c.marker); at >= 0 {
			tc = c
			break
		}
	}
	if at < 0 {
		t.Fatal("no case is in the tree")
	}
	contract := calleeSafety(readFile(t, filepath.Join(src, tc.calleeFile)), tc.anchor, tc.decl)
	if len(contract) == 0 {
		t.Fatalf("%s: no # Safety section above %q", tc.calleeFile, tc.decl)
	}
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj, "rules": []string{"undocumented-unsafe"}}}, map[string]any{})

	// Delete the SAFETY comment above the block.
	lineStart := strings.LastIndexByte(text[:at], '\n') + 1
	prev := strings.LastIndexByte(text[:lineStart-1], '\n') + 1
	if !strings.Contains(text[prev:lineStart], "// SAFETY:") {
		t.Fatalf("no SAFETY comment above %q: %q", tc.marker, text[prev:lineStart])
	}
	text = text[:prev] + text[lineStart:]
	line := uint32(strings.Count(text[:prev], "\n"))
	indent := text[prev : prev+len(text[prev:])-len(strings.TrimLeft(text[prev:], " \t"))]

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
	p.workspaceSymbols(tc.symbol, func(s []protocol.SymbolInformation) bool { return len(s) > 0 })
	r := p.call("textDocument/codeAction", codeActionParams(uri, diag.Range, []protocol.Diagnostic{*diag}))
	// The block's range may touch other findings (the hints of its casts):
	// the SAFETY fix is the one for this diagnostic.
	var actions []protocol.CodeAction
	for _, a := range decodeParams[[]protocol.CodeAction](t, r.Result) {
		if len(a.Diagnostics) == 1 && a.Diagnostics[0].Code == "undocumented-unsafe" {
			actions = append(actions, a)
		}
	}
	if len(actions) != 1 || actions[0].Edit == nil {
		t.Fatalf("code actions %s", r.Result)
	}
	if !strings.Contains(actions[0].Title, "`"+tc.name+"`") {
		t.Errorf("title %q", actions[0].Title)
	}
	fixed, _ := applyEdits(t, text, actions[0].Edit.Changes[protocol.DocumentURI(uri)])
	head := indent + "// SAFETY: TODO: show that each requirement of `" + tc.name + "` holds:\n"
	i, j := strings.Index(fixed, head), strings.Index(fixed, indent+tc.marker)
	if i < 0 || j < i {
		t.Fatalf("the fix made:\n%s\nwant %q above the block", fixed[max(0, j-400):max(0, j)+len(tc.marker)], head)
	}
	var words []string
	for _, l := range strings.Split(fixed[i+len(head):j], "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "//") {
			t.Errorf("the fix wrote code: %q", l)
		}
		words = append(words, strings.Fields(strings.TrimPrefix(strings.TrimPrefix(l, "//"), " -"))...)
	}
	quoted := strings.Join(words, " ")
	for _, c := range contract {
		if !strings.Contains(quoted, c) {
			t.Errorf("the fix quotes\n%s\nnot %q", fixed[i:j], c)
		}
	}
	stopKrls(p)
}
