package workspace

import (
	"path/filepath"
	"strings"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/rustproject"
)

// NotBuilt says why the kernel's .config builds no crate holding the Rust
// file at path (nil when it does, or when krls cannot tell: the file is
// outside the srctree, in rust/, or in no crate krls can find). It reads
// the Kbuild files from the crate root's folder up to the top, as kbuild
// descends (rustproject.Built), and explains the symbol to change with
// the evaluator's own sentence.
func (k *Kernel) NotBuilt(path string) *diagnostics.NotBuilt {
	if k == nil || k.Eval == nil || path == "" {
		return nil
	}
	rel, err := filepath.Rel(k.Srctree, path)
	if err != nil || strings.HasPrefix(rel, "..") || strings.HasPrefix(filepath.ToSlash(rel), "rust/") {
		return nil
	}
	root := k.crateRoots.get(path, func() (string, stampSet, bool) {
		root, _, read, ok := symbols.CrateOf(path, k.Srctree)
		stamps := stampSet{}
		stamps.record(read...)
		if !ok {
			root = ""
		}
		return root, stamps, true
	})
	if root == "" {
		return nil
	}
	rootRel, err := filepath.Rel(k.Srctree, root)
	if err != nil {
		return nil
	}
	b := &rustproject.Built{Srctree: k.Srctree, Value: kbuildValue(k.Eval)}
	v := b.Verdict(filepath.ToSlash(rootRel))
	if v.Built {
		return nil
	}
	nb := &diagnostics.NotBuilt{Why: v.Why, Symbol: v.Symbol}
	if root != path {
		nb.Why = "its crate " + filepath.ToSlash(rootRel) + " is not built: " + v.Why
	}
	if s := k.Symbol(v.Symbol); s != nil {
		nb.Explain = kconfig.Explain(k.Eval, s).Why
	}
	return nb
}

// kbuildValue is a symbol's value under e for kbuild's conditions: "y",
// "m", a string's or number's text, or "" for unset and n.
func kbuildValue(e *kconfig.Eval) func(name string) string {
	return func(name string) string {
		s := e.K.Lookup(name)
		if s == nil || !s.Defined() {
			return "" // kbuild sees a symbol no Kconfig file defines as unset
		}
		if v := e.Str(s); v != "n" {
			return v
		}
		return ""
	}
}
