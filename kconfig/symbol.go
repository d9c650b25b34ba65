package kconfig

import (
	"strings"
)

// Symbol is a Kconfig symbol: a config option, a choice (anonymous), a
// constant ("y", "m", "n", quoted strings, numbers as written), or a name
// only referenced. Symbols belong to a Kconfig and do not change after
// Load; values live in an Eval.
type Symbol struct {
	Name string
	Type Type
	// Const: y, m, n and quoted constants. Unquoted words that name no
	// config (numbers, undefined names) are not constant but have type
	// Unknown, and evaluate to their name, as in the C tool.
	Const bool
	// Nodes are the symbol's menu entries (definitions), in order.
	Nodes []*MenuNode
	// Props are the properties of all definitions, in order.
	Props []*Property
	// DirDep is the OR of the dependencies of its definitions; RevDep the
	// OR of the `select`s pointing at it (each `SELECTOR && cond`), Implied
	// the same for `imply`.
	DirDep, RevDep, Implied *Expr2
	// Choice is set on a choice's own (anonymous) symbol.
	Choice *MenuNode
	// Transitional symbols (Linux 6.17+) take their value only from an
	// existing .config and are never written.
	Transitional bool
	// Probe is >= 0 for the placeholder of a toolchain probe that did not
	// run (see package comment), -1 otherwise.
	Probe int
	// Tainted: a probe that did not run feeds this symbol's value; its
	// value is then taken from the .config.
	Tainted bool

	// memberOf is the choice the symbol was registered with as a member
	// (the C tool's choice_link; in an OldChoices dialect, the choice
	// whose value it is: SYMBOL_CHOICEVAL and its P_CHOICE property).
	memberOf *MenuNode
	// optional: an `optional` choice of an OldChoices dialect, which may
	// be n while visible.
	optional   bool
	choiceNode *MenuNode
	id         int
	// ref is the expression naming this symbol, shared by every use
	// (expressions do not change once built).
	ref *Expr2
}

// ChoiceNode returns the choice that s is a member of, or nil. As in the
// C tool, the member's entry with a prompt decides (sym_get_choice_menu).
func (s *Symbol) ChoiceNode() *MenuNode { return s.choiceNode }

// IsChoice reports whether s is a choice's symbol.
func (s *Symbol) IsChoice() bool { return s.Choice != nil }

// Defined reports whether the symbol has a definition (config, menuconfig
// or choice).
func (s *Symbol) Defined() bool { return len(s.Nodes) > 0 }

// findChoiceNode computes ChoiceNode once the menu tree is final.
func (s *Symbol) findChoiceNode() *MenuNode {
	var n *MenuNode
	for _, m := range s.Nodes {
		if m.Prompt != nil {
			n = m
			break
		}
	}
	if n == nil {
		return nil
	}
	for n = n.Parent; n != nil && n.Sym == nil; n = n.Parent {
	}
	if n != nil && n.Sym.IsChoice() {
		return n
	}
	return nil
}

// PropKind is the kind of a property.
type PropKind int

const (
	PropPrompt  PropKind = iota // a config's or choice's prompt
	PropMenu                    // the prompt of a menu or menuconfig, or the mainmenu
	PropComment                 // the text of a comment
	PropDefault
	PropSelect
	PropImply
	PropRange
)

// Property is a prompt, default, select, imply or range of a symbol (or
// the prompt of a menu or comment).
type Property struct {
	Kind PropKind
	Text string // prompts
	// Value: a default's expression; the target of select/imply (a symbol
	// expression); for ranges, an eRange.
	Value *Expr2
	// Visible is the property's `if` condition with the entry's
	// dependencies (and, for prompts, enclosing menus' `visible if`).
	Visible *Expr2
	// Cond is the `if` condition alone, as written (nil for none).
	Cond *Expr2
	Node *MenuNode
	Pos
	id int
}

// NodeKind is the kind of a menu tree node.
type NodeKind int

const (
	NodeConfig NodeKind = iota
	NodeMenuconfig
	NodeChoice
	NodeMenu
	NodeComment
	NodeIf
	NodeRoot
)

// MenuNode is an entry of the menu tree: a config, choice, menu, comment
// or if block, in source order.
type MenuNode struct {
	Kind   NodeKind
	Sym    *Symbol   // config, menuconfig, choice
	Prompt *Property // nil for entries without a prompt
	// Dep is the entry's `depends on` with everything inherited from
	// enclosing menus and ifs (after Load).
	Dep *Expr2
	// OwnDep is the entry's own `depends on` (and an if's condition).
	OwnDep *Expr2
	// Visibility is a menu's `visible if`.
	Visibility *Expr2
	Help       string

	Parent, List, Next *MenuNode
	// last is the last child while the tree is built.
	last *MenuNode
	// Members of a choice, in the order written (the initial priority).
	Members []*Symbol
	Pos
	EndPos Pos
}

// Children returns the node's children.
func (n *MenuNode) Children() []*MenuNode {
	var out []*MenuNode
	for c := n.List; c != nil; c = c.Next {
		out = append(out, c)
	}
	return out
}

// exprKind is the operator of an Expr2.
type exprKind uint8

const (
	eSym exprKind = iota
	eNot
	eAnd
	eOr
	eEqual
	eUnequal
	eLth
	eLeq
	eGth
	eGeq
	eRange
)

// Expr2 is an expression over symbols, ready to evaluate.
type Expr2 struct {
	kind exprKind
	// probe: a probe placeholder occurs in the expression.
	probe bool
	// id numbers composite expressions for an Eval's value cache; for
	// eSym, it is the symbol's id + 1, so that a computed value is found
	// without reading the Symbol. 0: none.
	id          int32
	left, right *Expr2  // eNot (left), eAnd, eOr
	sym, sym2   *Symbol // eSym (sym); comparisons and eRange (sym, sym2)
	// cond is the Y of `depends on X if Y` (Linux 7.0+), on the
	// X || (Y = n) it became: it is printed as written.
	cond *Expr2
}

// Symbols returns the symbols an expression mentions, each once.
func (e *Expr2) Symbols() []*Symbol {
	var out []*Symbol
	seen := map[*Symbol]bool{}
	var walk func(*Expr2)
	add := func(s *Symbol) {
		if s != nil && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	walk = func(e *Expr2) {
		if e == nil {
			return
		}
		add(e.sym)
		add(e.sym2)
		walk(e.left)
		walk(e.right)
	}
	walk(e)
	return out
}

// exprContains: expr_contains_symbol.
func exprContains(e *Expr2, s *Symbol) bool {
	if e == nil {
		return false
	}
	switch e.kind {
	case eAnd, eOr:
		return exprContains(e.left, s) || exprContains(e.right, s)
	case eSym:
		return e.sym == s
	case eNot:
		return exprContains(e.left, s)
	case eRange:
		return false
	}
	return e.sym == s || e.sym2 == s
}

// exprDepends: expr_depends_symbol.
func exprDepends(e *Expr2, s *Symbol, k *Kconfig) bool {
	if e == nil {
		return false
	}
	switch e.kind {
	case eAnd:
		return exprDepends(e.left, s, k) || exprDepends(e.right, s, k)
	case eSym:
		return e.sym == s
	case eEqual:
		return e.sym == s && (e.sym2 == k.Yes || e.sym2 == k.Mod)
	case eUnequal:
		return e.sym == s && e.sym2 == k.No
	}
	return false
}

// String prints an expression as the C tool's expr_print does.
func (e *Expr2) String() string {
	var b strings.Builder
	e.print(&b, func(s *Symbol) string { return s.displayName() }, eOr+1)
	return b.String()
}

func (s *Symbol) displayName() string {
	if s.Name == "" && s.IsChoice() {
		return "<choice>"
	}
	if s.Const && !isTristateConst(s.Name) {
		return `"` + s.Name + `"`
	}
	return s.Name
}

func isTristateConst(name string) bool { return name == "y" || name == "m" || name == "n" }

// print writes e; outer is the operator of the enclosing expression (the
// C tool adds parentheses when an inner operator binds less tightly than
// the one around it).
func (e *Expr2) print(b *strings.Builder, name func(*Symbol) string, outer exprKind) {
	if e == nil {
		b.WriteString("y")
		return
	}
	paren := outer != eOr+1 && needParen(outer, e.kind)
	if paren {
		b.WriteByte('(')
	}
	switch e.kind {
	case eSym:
		b.WriteString(name(e.sym))
	case eNot:
		b.WriteByte('!')
		e.left.print(b, name, eNot)
	case eEqual, eUnequal, eLth, eLeq, eGth, eGeq:
		b.WriteString(name(e.sym))
		b.WriteString(map[exprKind]string{eEqual: "=", eUnequal: "!=", eLth: "<", eLeq: "<=", eGth: ">", eGeq: ">="}[e.kind])
		b.WriteString(name(e.sym2))
	case eOr:
		if e.cond != nil {
			// `X if Y`, as the Kconfig file says it.
			e.left.print(b, name, eOr)
			b.WriteString(" if ")
			e.cond.print(b, name, eOr)
			break
		}
		e.left.print(b, name, eOr)
		b.WriteString(" || ")
		e.right.print(b, name, eOr)
	case eAnd:
		e.left.print(b, name, eAnd)
		b.WriteString(" && ")
		e.right.print(b, name, eAnd)
	case eRange:
		b.WriteString("[" + name(e.sym) + " " + name(e.sym2) + "]")
	}
	if paren {
		b.WriteByte(')')
	}
}

// needParen follows expr_compare_type: parenthesize when the outer
// operator binds more tightly than the inner one.
func needParen(outer, inner exprKind) bool {
	if outer == inner {
		return false
	}
	rank := func(k exprKind) int {
		switch k {
		case eLeq, eLth, eGeq, eGth:
			return 5
		case eEqual, eUnequal:
			return 4
		case eNot:
			return 3
		case eAnd:
			return 2
		case eOr:
			return 1
		}
		return 0
	}
	ro, ri := rank(outer), rank(inner)
	return ri != 0 && ro > ri
}
