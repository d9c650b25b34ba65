package workspace

import (
	"context"
	"slices"
	"strings"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
)

// What krls says about CONFIG_ names in the cfg predicates of a Rust
// document: hover, definition and completion. rust-analyzer owns
// everything else in a Rust file, so these answer nothing elsewhere.

// maxCompletions bounds a completion list: a tree has some 17,000
// symbols; past this many the list is marked incomplete and the editor
// asks again as the user types more.
const maxCompletions = 200

// parseRust parses a Rust document for a request.
func parseRust(ctx context.Context, d *Document) (*symbols.File, error) {
	return symbols.Parse(ctx, d.Name(), d.Text)
}

// rustHover explains the CONFIG_ name of a cfg predicate at off (with a
// kernel configuration, k), or the error code there.
func (s *Session) rustHover(ctx context.Context, d *Document, k *Kernel, off int) (*Hover, error) {
	f, err := parseRust(ctx, d)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ref, ok := symbols.CfgRefAt(f, off)
	if !ok || k == nil {
		// Find the candidate first: the table is read only for one.
		ref, ok := symbols.ErrnoRefAt(f, off, func(string) bool { return true })
		if !ok {
			return nil, nil
		}
		v := s.errnoViewFor(d, k)
		if !ref.IsNumber() && !v.t.Known(ref.Name) {
			return nil, nil
		}
		return errnoHover(v, ref), nil
	}
	name := strings.TrimPrefix(ref.Name, "CONFIG_")
	md := SymbolMarkdown(k, name, nil)
	if md == "" {
		md = "**" + ref.Name + "** is not defined by any Kconfig file of " + k.Srctree + ": `cfg(" + ref.Name + ")` never holds."
	} else if k.Cfg != nil {
		md = cfgLine(k, ref) + "\n\n" + md
	}
	return &Hover{Start: ref.NameSpan.Start, End: ref.NameSpan.End, Markdown: md}, nil
}

// cfgLine says whether the predicate atom holds, as rustc sees it.
func cfgLine(k *Kernel, ref symbols.CfgRef) string {
	if ref.HasValue {
		v, ok := k.Cfg.Value(ref.Name)
		switch {
		case !ok:
			return "`cfg(" + ref.Name + " = \"" + ref.Value + "\")` does not hold: the build gives rustc no value for it"
		case v == ref.Value:
			return "`cfg(" + ref.Name + " = \"" + ref.Value + "\")` holds"
		default:
			return "`cfg(" + ref.Name + " = \"" + ref.Value + "\")` does not hold: the value is \"" + v + "\""
		}
	}
	if k.Cfg.Set(ref.Name) {
		return "`cfg(" + ref.Name + ")` holds"
	}
	return "`cfg(" + ref.Name + ")` does not hold"
}

// rustDefinition finds the Kconfig definition of the CONFIG_ name at off.
func rustDefinition(ctx context.Context, d *Document, k *Kernel, off int) ([]Location, error) {
	f, err := parseRust(ctx, d)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ref, ok := symbols.CfgRefAt(f, off)
	if !ok {
		return nil, nil
	}
	return SymbolLocations(k, strings.TrimPrefix(ref.Name, "CONFIG_")), nil
}

// rustComplete lists CONFIG_ names where a cfg option goes. It reports
// whether the list was cut short. With ra (rust-analyzer has the
// kernel's project, whose cfgs it completes itself), only the names the
// .config leaves off are offered, each with why.
func rustComplete(ctx context.Context, d *Document, k *Kernel, off int, ra bool) ([]CompletionItem, bool, error) {
	f, err := parseRust(ctx, d)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	prefix, start, ok := symbols.CfgCompletionAt(d.Text, f, off)
	if !ok {
		return nil, false, nil
	}
	// What was typed matches a name with or without its CONFIG_, in any
	// case; while the CONFIG_ itself is being typed, every name does.
	typed := strings.ToUpper(prefix)
	var want string
	switch {
	case strings.HasPrefix(typed, "CONFIG_"):
		want = typed[len("CONFIG_"):]
	case strings.HasPrefix("CONFIG_", typed):
		want = ""
	default:
		want = typed
	}
	end := off
	for end < len(d.Text) && isWordByte(d.Text[end]) {
		end++
	}
	// The names are chosen and cut before the items are made: with
	// nothing typed every name of the tree matches (20,000 in 7.2), and
	// each item's detail costs an allocation or three.
	var names []*kconfig.Symbol
	for _, s := range k.K.Symbols {
		if s.Name == "" || !s.Defined() || !strings.HasPrefix(s.Name, want) {
			continue
		}
		if ra && k.Cfg != nil && k.Cfg.Set("CONFIG_"+s.Name) {
			continue // rust-analyzer's project sets it: it completes it
		}
		names = append(names, s)
	}
	slices.SortFunc(names, func(a, b *kconfig.Symbol) int {
		// Shorter names first: CONFIG_NET before CONFIG_NET_9P_FD.
		if c := len(a.Name) - len(b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	cut := len(names) > maxCompletions
	if cut {
		names = names[:maxCompletions]
	}
	items := make([]CompletionItem, 0, len(names))
	for _, s := range names {
		item := CompletionItem{Label: "CONFIG_" + s.Name, Detail: completionDetail(k, s), Start: start, End: end}
		if ra && k.Eval != nil {
			item.Doc = "Off with this .config: " + kconfig.Explain(k.Eval, s).Why + "."
		}
		items = append(items, item)
	}
	if cut {
		return items, true, nil
	}
	return items, false, nil
}

// completionDetail is the prompt of a symbol, with its value.
func completionDetail(k *Kernel, s *kconfig.Symbol) string {
	detail := s.Type.String()
	for _, n := range s.Nodes {
		if n.Prompt != nil {
			detail = n.Prompt.Text
			break
		}
	}
	if k.Eval != nil {
		detail += " [=" + k.Eval.Str(s) + "]"
	}
	return detail
}
