package kconfig

import (
	"fmt"
	"strings"
)

// Tri is a Kconfig tristate value: n, m or y.
type Tri uint8

const (
	No Tri = iota
	Mod
	Yes
)

func (t Tri) String() string { return [...]string{"n", "m", "y"}[t] }

func triAnd(a, b Tri) Tri { return min(a, b) }
func triOr(a, b Tri) Tri  { return max(a, b) }
func triNot(a Tri) Tri    { return Yes - a }

// symState is the evaluation state of one symbol, as the C tool keeps it
// in struct symbol: the current value, flags, and the cached tristates
// of visibility and dependencies.
type symState struct {
	tri                              Tri
	str                              string
	valid, write                     bool
	visible, dirDep, revDep, implied Tri
	hasUser                          bool
	userTri                          Tri
	userStr                          string
	// fromConfig: a tainted symbol's value was taken from the .config as
	// read.
	fromConfig bool
	// read is the value the .config gave, kept when conf drops the user
	// value (hasUser) while reading or evaluating: tainted symbols take
	// it, and explanations show it.
	read readValue
	// choiceVal is an OldChoices choice's selected value (curr.val), nil
	// when the choice is not y; userChoice the value the .config chose
	// (def[S_DEF_USER].val).
	choiceVal, userChoice *Symbol
}

// readValue is a value as read from a .config.
type readValue struct {
	tri Tri
	str string
	ok  bool
}

// Eval is a Kconfig evaluated for one .config: every symbol's value, as
// `make olddefconfig` would compute it. Values are computed on demand
// and cached; an Eval is not safe for concurrent use.
type Eval struct {
	K       *Kconfig
	st      []symState
	propTri []Tri
	// exprTri caches expression values, valid while exprGen matches gen
	// (the C tool caches every expression's value the same way).
	exprTri    []Tri
	exprGen    []uint32
	gen        uint32
	modulesVal Tri
	// prio is each choice's member list in priority order (the C tool's
	// choice_members, which reading a .config reorders).
	prio map[*MenuNode][]*Symbol
	// Changed mirrors conf_get_changed: the .config named unknown symbols,
	// had invalid values, or values the evaluation changes.
	Changed bool
	// Warnings from reading the .config and from evaluating (unmet
	// direct dependencies).
	Warnings []*Error
	warned   map[*Symbol]bool
	// frozen: every value is computed and e no longer writes (Freeze).
	frozen bool
}

// NewEval prepares an evaluation of k with no user values (as if the
// .config were empty).
func NewEval(k *Kconfig) *Eval {
	e := &Eval{
		K:       k,
		st:      make([]symState, k.nextID),
		propTri: make([]Tri, k.nextProp),
		exprTri: make([]Tri, k.nextExpr+1),
		exprGen: make([]uint32, k.nextExpr+1),
		gen:     1,
		prio:    map[*MenuNode][]*Symbol{},
		warned:  map[*Symbol]bool{},
	}
	for _, s := range k.Symbols {
		if s.IsChoice() {
			e.prio[s.Choice] = append([]*Symbol(nil), s.Choice.Members...)
		}
	}
	return e
}

func (e *Eval) state(s *Symbol) *symState {
	if s.id < 0 {
		return nil
	}
	return &e.st[s.id]
}

// typeOf is sym_get_type: a tristate is a bool while modules are off,
// and (OldChoices) a value of a choice that is y.
func (e *Eval) typeOf(s *Symbol) Type {
	if s.Type == Tristate {
		if e.K.Dialect.OldChoices && s.memberOf != nil && e.st[s.id].visible == Yes {
			return Bool
		}
		if e.modulesVal == No {
			return Bool
		}
	}
	return s.Type
}

// Tri returns the symbol's tristate value (n for non-bool symbols).
func (e *Eval) TriValue(s *Symbol) Tri {
	switch s {
	case e.K.Yes:
		return Yes
	case e.K.Mod:
		return Mod
	case e.K.No:
		return No
	}
	st := e.state(s)
	if st == nil {
		return No
	}
	e.calc(s)
	return st.tri
}

// Str returns the symbol's value as a string: n/m/y for bool and
// tristate symbols, the value for int, hex and string symbols, and the
// name for constants and undefined names (sym_get_string_value).
func (e *Eval) Str(s *Symbol) string {
	switch s.Type {
	case Bool, Tristate:
		return e.TriValue(s).String()
	}
	st := e.state(s)
	if st == nil {
		return s.Name
	}
	e.calc(s)
	return st.str
}

// Visible returns the tristate visibility of a symbol's prompts.
func (e *Eval) Visible(s *Symbol) Tri {
	if st := e.state(s); st != nil {
		e.calc(s)
		return st.visible
	}
	return No
}

// Written reports whether the symbol goes into the .config (conf's
// SYMBOL_WRITE).
func (e *Eval) Written(s *Symbol) bool {
	if st := e.state(s); st != nil {
		e.calc(s)
		return st.write
	}
	return false
}

// DirDep, RevDep and Implied return the evaluated dependencies.
func (e *Eval) DirDep(s *Symbol) Tri {
	e.calc(s)
	if st := e.state(s); st != nil {
		return st.dirDep
	}
	return Yes
}

func (e *Eval) RevDep(s *Symbol) Tri {
	e.calc(s)
	if st := e.state(s); st != nil {
		return st.revDep
	}
	return No
}

func (e *Eval) Implied(s *Symbol) Tri {
	e.calc(s)
	if st := e.state(s); st != nil {
		return st.implied
	}
	return No
}

// User returns the value the .config gave the symbol, if any.
func (e *Eval) User(s *Symbol) (string, bool) {
	st := e.state(s)
	if st == nil || !st.read.ok {
		return "", false
	}
	return st.read.str, true
}

// FromConfig reports whether the symbol's value was taken from the
// .config because a toolchain probe it depends on did not run.
func (e *Eval) FromConfig(s *Symbol) bool {
	if st := e.state(s); st != nil {
		e.calc(s)
		return st.fromConfig
	}
	return false
}

// Calc evaluates an expression.
func (e *Eval) Calc(x *Expr2) Tri { return e.calcExpr(x) }

// Freeze computes every value and makes e read-only, so that one
// evaluated configuration can serve many goroutines at once (the server's
// hovers and diagnostics): afterwards the accessors (TriValue, Str,
// Visible, Explain, RustCfg, WriteConfig, ...) only read. Apply must not
// be called after Freeze.
func (e *Eval) Freeze() {
	e.calc(e.K.Modules)
	for _, s := range e.K.Symbols {
		e.calc(s)
	}
	for n := e.K.Root; n != nil; n = menuNext(n, nil) {
		if n.Sym == nil && n.Prompt != nil {
			e.propTri[n.Prompt.id] = e.calcExpr(n.Prompt.Visible)
		}
	}
	e.frozen = true
}

// invalidate forgets every computed value (sym_clear_all_valid).
func (e *Eval) invalidate() {
	for i := range e.st {
		e.st[i].valid = false
	}
	e.gen++
	e.calc(e.K.Modules)
}

// calcVisibility is sym_calc_visibility.
func (e *Eval) calcVisibility(s *Symbol) {
	st := e.state(s)
	if s.Transitional && e.K.Dialect.Transitional {
		// Seen by no one, yet taking the .config's value as a visible
		// symbol does.
		st.visible = Yes
		return
	}
	// OldChoices: a tristate value of a choice at y is not visible as m.
	var choice *symState
	if e.K.Dialect.OldChoices && s.memberOf != nil && s.Type == Tristate {
		choice = &e.st[s.memberOf.Sym.id]
	}
	tri := No
	for _, p := range s.Props {
		if p.Kind != PropPrompt && p.Kind != PropMenu {
			continue
		}
		v := e.calcExpr(p.Visible)
		if choice != nil && v == Mod && choice.tri == Yes {
			v = No
		}
		e.propTri[p.id] = v
		tri = triOr(tri, v)
	}
	if tri == Mod && (s.Type != Tristate || e.modulesVal == No) {
		tri = Yes
	}
	st.visible = tri
	if s.memberOf != nil {
		return
	}
	st.dirDep = e.depValue(s, s.DirDep, Yes)
	st.revDep = e.depValue(s, s.RevDep, No)
	st.implied = e.depValue(s, s.Implied, No)
}

// depValue is the value of one of a symbol's dependency expressions
// (direct, reverse or implied; absent is none), with m raised to y for a
// bool as sym_calc_visibility does.
func (e *Eval) depValue(s *Symbol, x *Expr2, none Tri) Tri {
	tri := none
	if x != nil {
		tri = e.calcExpr(x)
	}
	if tri == Mod && e.typeOf(s) == Bool {
		tri = Yes
	}
	return tri
}

// defaultProp is sym_get_default_prop: the first default whose condition
// holds.
func (e *Eval) defaultProp(s *Symbol) *Property { return e.firstProp(s, PropDefault) }

// rangeProp is sym_get_range_prop: the first range whose condition holds.
func (e *Eval) rangeProp(s *Symbol) *Property { return e.firstProp(s, PropRange) }

// firstProp is the first property of the kind whose condition holds; each
// condition it evaluates is remembered, as conf's prop->visible.tri.
func (e *Eval) firstProp(s *Symbol, kind PropKind) *Property {
	for _, p := range s.Props {
		if p.Kind != kind {
			continue
		}
		v := e.calcExpr(p.Visible)
		e.propTri[p.id] = v
		if v != No {
			return p
		}
	}
	return nil
}

// propSymbol is prop_get_symbol: the symbol of a default that is a
// single symbol, else nil.
func propSymbol(p *Property) *Symbol {
	if p.Value != nil && p.Value.kind == eSym {
		return p.Value.sym
	}
	return nil
}

// visibleDefault is the first default of a choice whose condition holds
// and whose symbol is visible, or nil.
func (e *Eval) visibleDefault(cs *Symbol) *Symbol {
	for _, p := range cs.Props {
		if p.Kind != PropDefault {
			continue
		}
		v := e.calcExpr(p.Visible)
		e.propTri[p.id] = v
		if v == No {
			continue
		}
		if d := propSymbol(p); d != nil {
			if st := e.state(d); st != nil && st.visible != No {
				return d
			}
		}
	}
	return nil
}

// choiceDefault is sym_choice_default.
func (e *Eval) choiceDefault(choice *MenuNode) *Symbol {
	if d := e.visibleDefault(choice.Sym); d != nil {
		return d
	}
	var found *Symbol
	forEachSubEntry(choice, func(n *MenuNode) bool {
		if n.Sym != nil {
			if st := e.state(n.Sym); st != nil && st.visible != No {
				found = n.Sym
				return false
			}
		}
		return true
	})
	return found
}

// forEachSubEntry visits the menu subtree below root depth-first
// (menu_for_each_sub_entry) until f returns false.
func forEachSubEntry(root *MenuNode, f func(*MenuNode) bool) {
	for n := root.List; n != nil; n = menuNext(n, root) {
		if !f(n) {
			return
		}
	}
}

// menuNext is menu_next: the next node of a depth-first traversal below
// root (nil for the whole tree).
func menuNext(n, root *MenuNode) *MenuNode {
	if n.List != nil {
		return n.List
	}
	for n != root && n.Next == nil {
		n = n.Parent
		if n == nil {
			return nil
		}
	}
	if n == root {
		return nil
	}
	return n.Next
}

// calcChoice is sym_calc_choice of Linux 6.12: the first visible member
// (in priority order) the user set to y; else the default unless the user
// set it to n; else the first visible member the user left unset; else
// the least prioritized visible member.
func (e *Eval) calcChoice(choice *MenuNode) *Symbol {
	var res *Symbol
	for _, s := range e.prio[choice] {
		e.calcVisibility(s)
		st := e.state(s)
		if st.visible == No {
			continue
		}
		if st.hasUser && st.userTri == Yes {
			res = s
			break
		}
	}
	if res == nil {
		res = e.choiceDefault(choice)
		if res != nil {
			if st := e.state(res); st.hasUser && st.userTri == No {
				res = nil
			}
		}
	}
	if res == nil {
		forEachSubEntry(choice, func(n *MenuNode) bool {
			if n.Sym == nil {
				return true
			}
			st := e.state(n.Sym)
			if st == nil || st.visible == No || st.hasUser {
				return true
			}
			res = n.Sym
			return false
		})
	}
	if res == nil {
		prio := e.prio[choice]
		for i := len(prio) - 1; i >= 0; i-- {
			if e.state(prio[i]).visible != No {
				res = prio[i]
				break
			}
		}
	}
	forEachSubEntry(choice, func(n *MenuNode) bool {
		if n.Sym == nil {
			return true
		}
		st := e.state(n.Sym)
		if st == nil || st.visible == No {
			return true
		}
		val := No
		if n.Sym == res {
			val = Yes
		}
		st.tri = val
		st.valid = true
		st.write = true
		return true
	})
	return res
}

// calc is sym_calc_value.
func (e *Eval) calc(s *Symbol) {
	st := e.state(s)
	if st == nil || st.valid {
		return
	}
	st.valid = true
	oldTri, oldStr := st.tri, st.str
	newTri, newStr := No, ""
	switch s.Type {
	case Int:
		newStr = "0"
		if e.K.Dialect.EmptyNumDefault {
			newStr = ""
		}
	case Hex:
		newStr = "0x0"
		if e.K.Dialect.EmptyNumDefault {
			newStr = ""
		}
	case String:
		newStr = ""
	case Bool, Tristate:
		newStr = "n"
	default:
		st.str, st.tri = s.Name, No
		return
	}
	st.write = false
	e.calcVisibility(s)
	if st.visible != No {
		st.write = true
	}
	// A value taken from the .config: probes that did not run decide
	// this symbol.
	if s.Tainted && !s.IsChoice() {
		st.fromConfig = true
		st.write = st.read.ok && !s.Transitional
		if st.read.ok {
			newTri, newStr = st.read.tri, st.read.str
		}
		st.tri, st.str = newTri, newStr
		e.afterCalc(s, oldTri, oldStr)
		return
	}
	// Defaults if recursively called.
	st.tri, st.str = newTri, newStr

	old := e.K.Dialect.OldChoices
	var prop *Property // the default used, for TransitionalUser
	switch e.typeOf(s) {
	case Bool, Tristate:
		if choice := s.ChoiceNode(); choice != nil && !old {
			e.calcChoice(choice)
			newTri = st.tri
		} else if old && s.memberOf != nil && st.visible == Yes {
			// The choice (computed while this value's visibility was)
			// says which value is y.
			if e.st[s.memberOf.Sym.id].choiceVal == s {
				newTri = Yes
			} else {
				newTri = No
			}
		} else {
			userSet := false
			if st.visible != No && st.hasUser {
				newTri = triAnd(st.userTri, st.visible)
				userSet = true
			}
			if !userSet {
				if st.revDep != No {
					st.write = true
				}
				if !s.IsChoice() {
					if p := e.defaultProp(s); p != nil {
						prop = p
						newTri = triAnd(e.calcExpr(p.Value), e.propTri[p.id])
						if newTri != No {
							st.write = true
						}
					}
					if st.implied != No {
						st.write = true
						newTri = triOr(newTri, st.implied)
						newTri = triAnd(newTri, st.dirDep)
					}
				}
			}
			if st.dirDep < st.revDep {
				e.warnUnmet(s)
			}
			newTri = triOr(newTri, st.revDep)
		}
		if newTri == Mod && e.typeOf(s) == Bool {
			newTri = Yes
		}
	case String, Hex, Int:
		if st.visible != No && st.hasUser {
			newStr = st.userStr
			break
		}
		if p := e.defaultProp(s); p != nil {
			prop = p
			if d := propSymbol(p); d != nil {
				st.write = true
				newStr = e.Str(d)
			}
		}
	}
	// A symbol without a value whose default is a transitional symbol the
	// .config set takes the value as its own, so that oldconfig does not
	// ask for it.
	if prop != nil && !st.hasUser && e.K.Dialect.TransitionalUser {
		if d := propSymbol(prop); d != nil && d.Transitional {
			if dst := e.state(d); dst != nil && dst.hasUser {
				st.hasUser, st.userTri, st.userStr = true, newTri, newStr
			}
		}
	}
	st.tri, st.str = newTri, newStr
	if old && s.IsChoice() {
		st.choiceVal = nil
		if newTri == Yes {
			st.choiceVal = e.calcOldChoice(s)
		}
	}
	e.validateRange(s)
	if old && s.IsChoice() && st.write {
		// The values of a written choice are written if visible (as
		// they were last computed), before the choice itself is not.
		for _, m := range s.Choice.Members {
			if e.st[m.id].visible != No {
				e.st[m.id].write = true
			}
		}
	}
	e.afterCalc(s, oldTri, oldStr)
}

// calcOldChoice is 6.1's sym_calc_choice: the choice loses its user flag
// when a visible value has none (a new value appeared), then the value
// the .config chose if visible, else the default, else none (and the
// choice becomes n).
func (e *Eval) calcOldChoice(cs *Symbol) *Symbol {
	st := e.state(cs)
	for _, m := range cs.Choice.Members {
		e.calcVisibility(m)
		if ms := e.state(m); ms.visible != No && !ms.hasUser {
			st.hasUser = false
		}
	}
	if u := st.userChoice; u != nil && e.state(u).visible != No {
		return u
	}
	d := e.oldChoiceDefault(cs)
	if d == nil {
		st.tri = No
	}
	return d
}

// oldChoiceDefault is 6.1's sym_choice_default: the first default whose
// condition holds and whose symbol is visible, else the first visible
// value.
func (e *Eval) oldChoiceDefault(cs *Symbol) *Symbol {
	if d := e.visibleDefault(cs); d != nil {
		return d
	}
	for _, m := range cs.Choice.Members {
		if e.state(m).visible != No {
			return m
		}
	}
	return nil
}

func (e *Eval) afterCalc(s *Symbol, oldTri Tri, oldStr string) {
	st := e.state(s)
	if (st.tri != oldTri || st.str != oldStr) && s == e.K.Modules {
		e.modulesVal = st.tri
	}
	if s.IsChoice() || s.Transitional && e.K.Dialect.Transitional {
		st.write = false
	}
}

func (e *Eval) warnUnmet(s *Symbol) {
	if e.warned[s] {
		return
	}
	e.warned[s] = true
	st := e.state(s)
	msg := fmt.Sprintf("unmet direct dependencies detected for %s\n  Depends on [%s]: %s", s.Name, st.dirDep, s.DirDep)
	e.Warnings = append(e.Warnings, &Error{Msg: msg, Warning: true})
}

// validateRange is sym_validate_range: an int or hex value outside its
// range becomes the bound it crossed.
func (e *Eval) validateRange(s *Symbol) {
	base := 0
	switch s.Type {
	case Int:
		base = 10
	case Hex:
		base = 16
	default:
		return
	}
	p := e.rangeProp(s)
	if p == nil {
		return
	}
	st := e.state(s)
	val := strtoll(st.str, base)
	bound := p.Value.sym
	v2 := e.rangeVal(bound, base)
	if val >= v2 {
		bound = p.Value.sym2
		v2 = e.rangeVal(bound, base)
		if val <= v2 {
			return
		}
	}
	st.str = e.Str(bound)
}

func (e *Eval) rangeVal(s *Symbol, base int) int64 {
	switch s.Type {
	case Int:
		base = 10
	case Hex:
		base = 16
	}
	return strtoll(e.Str(s), base)
}

// calcExpr is expr_calc_value.
func (e *Eval) calcExpr(x *Expr2) Tri {
	if x == nil {
		return Yes
	}
	if x.kind == eSym {
		if i := int(x.id) - 1; i >= 0 && i < len(e.st) && e.st[i].valid {
			return e.st[i].tri
		}
		return e.TriValue(x.sym)
	}
	if id := x.id; id > 0 && int(id) < len(e.exprGen) && e.K.Dialect.ExprCache {
		if e.exprGen[id] == e.gen {
			return e.exprTri[id]
		}
		if e.frozen {
			return e.calcExpr1(x)
		}
		v := e.calcExpr1(x)
		e.exprTri[id], e.exprGen[id] = v, e.gen
		return v
	}
	return e.calcExpr1(x)
}

func (e *Eval) calcExpr1(x *Expr2) Tri {
	switch x.kind {
	case eSym:
		return e.TriValue(x.sym)
	case eAnd:
		return triAnd(e.calcExpr(x.left), e.calcExpr(x.right))
	case eOr:
		return triOr(e.calcExpr(x.left), e.calcExpr(x.right))
	case eNot:
		return triNot(e.calcExpr(x.left))
	case eRange:
		return No
	}
	str1, str2 := e.Str(x.sym), e.Str(x.sym2)
	k1, k2 := kString, kString
	var l, r numVal
	if x.sym.Type != String || x.sym2.Type != String {
		k1 = parseValue(str1, x.sym.Type, &l)
		k2 = parseValue(str2, x.sym2.Type, &r)
	}
	var res int
	switch {
	case k1 == kString || k2 == kString:
		res = strings.Compare(str1, str2)
	case k1 == kUnsigned || k2 == kUnsigned:
		res = cmpU(uint64(l), uint64(r))
	default:
		res = cmpS(int64(l), int64(r))
	}
	var ok bool
	switch x.kind {
	case eEqual:
		ok = res == 0
	case eGeq:
		ok = res >= 0
	case eGth:
		ok = res > 0
	case eLeq:
		ok = res <= 0
	case eLth:
		ok = res < 0
	case eUnequal:
		ok = res != 0
	}
	if ok {
		return Yes
	}
	return No
}

func cmpU(a, b uint64) int {
	switch {
	case a > b:
		return 1
	case a < b:
		return -1
	}
	return 0
}

func cmpS(a, b int64) int {
	switch {
	case a > b:
		return 1
	case a < b:
		return -1
	}
	return 0
}

type valueKind int

const (
	kString valueKind = iota
	kSigned
	kUnsigned
)

// numVal holds a parsed number as the bits of the C union string_value.
type numVal uint64

// parseValue is expr_parse_string.
func parseValue(s string, t Type, v *numVal) valueKind {
	switch t {
	case Bool, Tristate:
		switch s {
		case "n":
			*v = 0
		case "m":
			*v = 1
		case "y":
			*v = 2
		default:
			*v = numVal(^uint64(0)) // -1
		}
		return kSigned
	}
	var tail int
	var overflow bool
	kind := kSigned
	switch t {
	case Int:
		var n int64
		n, tail, overflow = parseInt(s, 10)
		*v = numVal(n)
	case Hex:
		var n uint64
		n, tail, overflow = parseUint(s, 16)
		*v = numVal(n)
		kind = kUnsigned
	default:
		var n int64
		n, tail, overflow = parseInt(s, 0)
		*v = numVal(n)
	}
	if !overflow && tail == len(s) && tail > 0 && isXDigit(s[tail-1]) {
		return kind
	}
	return kString
}

func isXDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// parseUint is C's strtoull: leading blanks, an optional sign, a 0x
// prefix in base 16 (and base 0), digits; it returns the value, the index
// after the last digit used (0 when none), and whether it overflowed.
func parseUint(s string, base int) (uint64, int, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if (base == 0 || base == 16) && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') &&
		i+2 < len(s) && digitVal(s[i+2]) < 16 {
		i += 2
		base = 16
	} else if base == 0 {
		if i < len(s) && s[i] == '0' {
			base = 8
		} else {
			base = 10
		}
	}
	start := i
	var n uint64
	overflow := false
	for i < len(s) {
		d := digitVal(s[i])
		if d >= base {
			break
		}
		if n > (^uint64(0)-uint64(d))/uint64(base) {
			overflow = true
		}
		n = n*uint64(base) + uint64(d)
		i++
	}
	if i == start {
		return 0, 0, false
	}
	if overflow {
		n = ^uint64(0)
	} else if neg {
		n = -n
	}
	return n, i, overflow
}

// parseInt is C's strtoll, clamping on overflow.
func parseInt(s string, base int) (int64, int, bool) {
	u, tail, overflow := parseUint(s, base)
	if tail == 0 {
		return 0, 0, false
	}
	neg := strings.HasPrefix(strings.TrimLeft(s, " \t\n\v\f\r"), "-")
	if overflow {
		if neg {
			return -1 << 63, tail, true
		}
		return 1<<63 - 1, tail, true
	}
	if neg {
		mag := -u
		if mag > 1<<63 {
			return -1 << 63, tail, true
		}
		return -int64(mag), tail, false
	}
	if u > 1<<63-1 {
		return 1<<63 - 1, tail, true
	}
	return int64(u), tail, false
}

// strtoll is strtoll(s, NULL, base) ignoring where parsing stopped.
func strtoll(s string, base int) int64 {
	n, _, _ := parseInt(s, base)
	return n
}
