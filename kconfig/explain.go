package kconfig

import (
	"fmt"
	"slices"
	"strings"
)

// Explanation is what `krls config explain` and the editor's hover say
// about a symbol: its type and value, prompt, definitions, dependencies
// with the values of their operands, what selects and implies it, and in
// one sentence why it has its value.
type Explanation struct {
	Sym     *Symbol
	Type    Type
	Value   string
	User    string // the .config's value, "" if none
	HasUser bool
	Prompt  string
	Visible Tri
	Defs    []Pos
	// DependsOn is the direct dependency with values: `NET [=y] && PCI [=n]`.
	DependsOn string
	// SelectedBy and ImpliedBy list the selecting symbols with their
	// values and conditions, those that are in effect (y, then m) first,
	// as menuconfig's help groups them.
	SelectedBy, ImpliedBy []Term
	Help                  string
	// Why is one sentence.
	Why string
	// Stale: the .config's value differs from what the next build computes.
	Stale bool
	// Probe: the value was taken from the .config because a toolchain
	// probe it depends on did not run.
	Probe bool
	// Unread are the tree's errors in the files that define the symbol
	// or the symbols its dependencies, selects, implies and defaults
	// name: what krls could not read there may change this answer.
	// OtherErrors counts the tree's other errors, which could too (a
	// lost `select` can be anywhere).
	Unread      []*Error
	OtherErrors int
}

// Explain explains a symbol's value in e.
func Explain(e *Eval, s *Symbol) *Explanation {
	x := &Explanation{Sym: s, Type: s.Type, Value: e.Str(s), Visible: e.Visible(s)}
	x.User, x.HasUser = e.User(s)
	x.Probe = e.FromConfig(s) && !s.Transitional
	for _, n := range s.Nodes {
		x.Defs = append(x.Defs, n.Pos)
		if x.Prompt == "" && n.Prompt != nil {
			x.Prompt = n.Prompt.Text
		}
		if x.Help == "" && n.Help != "" {
			x.Help = strings.TrimSpace(n.Help)
		}
	}
	if s.DirDep != nil {
		x.DependsOn = e.withValues(s.DirDep)
	}
	x.SelectedBy = e.reverse(s.RevDep)
	x.ImpliedBy = e.reverse(s.Implied)
	x.Stale = x.HasUser && e.Written(s) && x.User != x.Value
	x.Why = e.why(s, x)
	x.Unread, x.OtherErrors = e.K.unreadFor(s)
	return x
}

// unreadFor splits the tree's errors into those in files that bear on s
// (where s, or a symbol its expressions name, is defined) and a count of
// the others.
func (k *Kconfig) unreadFor(s *Symbol) ([]*Error, int) {
	var errs []*Error
	for _, e := range k.Errors {
		if !e.Warning {
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 {
		return nil, 0
	}
	files := map[string]bool{}
	addDefs := func(s *Symbol) {
		for _, n := range s.Nodes {
			files[n.File] = true
		}
	}
	addDefs(s)
	exprs := []*Expr2{s.DirDep, s.RevDep, s.Implied}
	for _, p := range s.Props {
		exprs = append(exprs, p.Value, p.Visible)
	}
	for _, x := range exprs {
		for _, t := range x.Symbols() {
			addDefs(t)
		}
	}
	var near []*Error
	for _, e := range errs {
		if files[e.File] {
			near = append(near, e)
		}
	}
	return near, len(errs) - len(near)
}

// withValues prints an expression with each symbol's value, as
// menuconfig's help does: `NET [=y] && (PCI [=n] || X86 [=y])`.
func (e *Eval) withValues(x *Expr2) string {
	var b strings.Builder
	x.print(&b, func(s *Symbol) string {
		if s.Const || s.Type == Unknown || s.Probe >= 0 {
			if s.Probe >= 0 {
				return "<probe>"
			}
			return s.displayName()
		}
		if s.IsChoice() {
			// 6.1's choices are symbols of their members' dependencies.
			return fmt.Sprintf("<choice %q> [=%s]", promptText(s.Choice), e.Str(s))
		}
		return fmt.Sprintf("%s [=%s]", s.Name, e.Str(s))
	}, eOr+1)
	return b.String()
}

// Term is one operand of a select or imply: `SELECTOR && condition` with
// the values of its symbols, and its own value.
type Term struct {
	Text  string
	Value Tri
}

// reverse lists the terms of a select or imply expression, y before m
// before n, each group in Kconfig order.
func (e *Eval) reverse(x *Expr2) []Term {
	var out []Term
	var walk func(*Expr2)
	walk = func(x *Expr2) {
		if x == nil {
			return
		}
		if x.kind == eOr {
			walk(x.left)
			walk(x.right)
			return
		}
		out = append(out, Term{Text: e.withValues(x), Value: e.calcExpr(x)})
	}
	walk(x)
	slices.SortStableFunc(out, func(a, b Term) int { return int(b.Value) - int(a.Value) })
	return out
}

func joinTerms(ts []Term, sep string) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		if t.Value != No {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, sep)
}

// falseTerms returns the conjuncts of x that evaluate to n (or below
// want), the reasons an AND does not hold.
func (e *Eval) falseTerms(x *Expr2, want Tri) []*Expr2 {
	if x == nil {
		return nil
	}
	if x.kind == eAnd {
		return append(e.falseTerms(x.left, want), e.falseTerms(x.right, want)...)
	}
	if e.calcExpr(x) < want {
		return []*Expr2{x}
	}
	return nil
}

func (e *Eval) termsText(terms []*Expr2) string {
	var parts []string
	for _, t := range terms {
		parts = append(parts, e.withValues(t))
	}
	return strings.Join(parts, " && ")
}

func (e *Eval) why(s *Symbol, x *Explanation) string {
	if !s.Defined() {
		return s.Name + " is not defined by any Kconfig file read for this architecture"
	}
	if x.Probe {
		if x.HasUser {
			return "taken from the .config: it depends on a toolchain probe that krls does not run without --allow-shell (kconfig.allowShell)"
		}
		return "n: it depends on a toolchain probe that krls does not run, and the .config does not record it"
	}
	if s.Transitional {
		return "a transitional symbol: its value comes only from the .config"
	}
	if x.Stale {
		return fmt.Sprintf("the .config says %s but the next build will make it %s: %s", x.User, x.Value, e.cause(s, x))
	}
	switch s.Type {
	case Bool, Tristate:
		return x.Value + " " + e.cause(s, x)
	}
	if x.HasUser && x.Visible != No {
		return x.Value + " as the .config sets it"
	}
	if x.Visible == No && x.HasUser {
		return fmt.Sprintf("%s by default: the .config's %s does not count while the prompt is hidden (%s)", x.Value, x.User, e.hiddenBecause(s))
	}
	return x.Value + " by default"
}

// cause says why a bool or tristate symbol has its value.
func (e *Eval) cause(s *Symbol, x *Explanation) string {
	st := e.state(s)
	rev := st.revDep
	if ch := s.ChoiceNode(); ch != nil {
		if e.K.Dialect.OldChoices {
			// 6.1: the choice has a value of its own; at m its
			// members are modules, each as the .config or its
			// dependencies say.
			switch e.TriValue(ch.Sym) {
			case No:
				return "because the choice \"" + promptText(ch) + "\" is n"
			case Mod:
				if x.Value == "m" {
					return "as the .config sets it, in the choice \"" + promptText(ch) + "\" at m (any of its members may be a module)"
				}
				return "because the choice \"" + promptText(ch) + "\" is m and " + s.Name + " is not set to m"
			}
		}
		if x.Value == "y" {
			return "as the selected member of the choice \"" + promptText(ch) + "\""
		}
		if e.Visible(s) == No {
			return "because it is hidden: " + e.hiddenBecause(s)
		}
		return "because another member of the choice \"" + promptText(ch) + "\" is selected"
	}
	if rev != No && x.Value != "n" {
		if ts := e.reverse(s.RevDep); len(ts) > 0 && ts[0].Value != No {
			return "because it is selected by " + ts[0].Text
		}
	}
	if x.Value == "n" {
		if st.dirDep == No {
			return "because " + s.Name + " depends on " + e.termsText(e.falseTerms(s.DirDep, Mod))
		}
		if x.Visible == No {
			return "because its prompt is hidden: " + e.hiddenBecause(s) + ", and no default applies"
		}
		if x.HasUser {
			return "as the .config sets it"
		}
		return "by default"
	}
	if x.HasUser && x.Visible != No {
		if x.User != x.Value {
			return fmt.Sprintf("as the .config sets it (%s, limited to %s by its dependencies)", x.User, x.Value)
		}
		return "as the .config sets it"
	}
	if st.implied != No {
		return "because it is implied by " + joinTerms(e.reverse(s.Implied), " || ")
	}
	return "by default"
}

// hiddenBecause explains an invisible prompt.
func (e *Eval) hiddenBecause(s *Symbol) string {
	for _, p := range s.Props {
		if p.Kind != PropPrompt && p.Kind != PropMenu {
			continue
		}
		if terms := e.falseTerms(p.Visible, Mod); len(terms) > 0 {
			return e.termsText(terms)
		}
	}
	return "it has no prompt"
}

// maxInactiveTerms bounds the selectors with value n a terminal shows:
// CRC32 has over a hundred, and the ones in effect are what matter.
const maxInactiveTerms = 8

func writeTerms(b *strings.Builder, label string, ts []Term) {
	inactive := 0
	for i, t := range ts {
		if t.Value == No {
			inactive++
			if inactive > maxInactiveTerms {
				fmt.Fprintf(b, "               ... and %d more that are n\n", len(ts)-i)
				return
			}
		}
		if i > 0 {
			label = "               "
		}
		fmt.Fprintf(b, "%s%s\n", label, t.Text)
	}
}

func promptText(n *MenuNode) string {
	if n.Prompt != nil {
		return n.Prompt.Text
	}
	return ""
}

// Text renders the explanation for a terminal.
func (x *Explanation) Text() string {
	var b strings.Builder
	s := x.Sym
	fmt.Fprintf(&b, "CONFIG_%s=%s (%s)\n", s.Name, x.Value, x.Type)
	if x.Prompt != "" {
		vis := "visible"
		if x.Visible == No {
			vis = "hidden"
		}
		fmt.Fprintf(&b, "  prompt:      %q (%s)\n", x.Prompt, vis)
	} else if s.Defined() {
		b.WriteString("  prompt:      none (set only by defaults and selects)\n")
	}
	for i, d := range x.Defs {
		label := "  defined at:  "
		if i > 0 {
			label = "               "
		}
		fmt.Fprintf(&b, "%s%s:%d\n", label, d.File, d.Line)
	}
	if x.DependsOn != "" {
		fmt.Fprintf(&b, "  depends on:  %s\n", x.DependsOn)
	}
	writeTerms(&b, "  selected by: ", x.SelectedBy)
	writeTerms(&b, "  implied by:  ", x.ImpliedBy)
	if x.HasUser {
		fmt.Fprintf(&b, "  .config:     %s\n", x.User)
	} else {
		b.WriteString("  .config:     not set\n")
	}
	fmt.Fprintf(&b, "  why:         %s\n", x.Why)
	if len(x.Unread) > 0 || x.OtherErrors > 0 {
		b.WriteString("  incomplete:  ")
		switch {
		case len(x.Unread) > 0:
			b.WriteString("krls could not read all of the Kconfig files this symbol is defined or depends on; what it skipped may change this answer:\n")
			for _, e := range x.Unread {
				fmt.Fprintf(&b, "               %v\n", e)
			}
			if x.OtherErrors > 0 {
				fmt.Fprintf(&b, "               and %d errors elsewhere in the tree (a select or default lost there could change it too)\n", x.OtherErrors)
			}
		default:
			fmt.Fprintf(&b, "the tree has %d Kconfig errors krls could not read (none in the files of this symbol and its dependencies); a select or default lost there could still change this answer\n", x.OtherErrors)
		}
	}
	return b.String()
}
