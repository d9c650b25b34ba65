package kconfig

import (
	"fmt"
	"strings"
)

// builder walks the parsed files in `source` order and builds symbols and
// the menu tree, doing what the C parser's actions do (parser.y, menu.c).
type builder struct {
	k     *Kconfig
	m     *macros
	files *fileLoader

	cur    *MenuNode // current_menu: where new entries go
	entry  *MenuNode // current_entry
	choice *MenuNode // current_choice
	stack  []sourceFrame
	first  bool // no statement seen yet (mainmenu must come first)
	// sourced are the files read, by the name as written, with where
	// they were first sourced from.
	sourced map[string]Pos

	// Slabs: a tree has some 20,000 symbols and menu entries, 60,000
	// properties and 150,000 expression nodes, all alive as long as the
	// Kconfig; allocating them in chunks spares the allocator and the
	// garbage collector most of the work of a load.
	nodes chunks[MenuNode]
	props chunks[Property]
	syms  chunks[Symbol]
	exprs chunks[Expr2]
	// Symbols' Nodes and Props lists start out in chunks too: most
	// symbols have one entry, and their properties are counted before
	// they are added.
	nodeRefs chunks[*MenuNode]
	propRefs chunks[*Property]
}

type sourceFrame struct {
	path string
	from Pos
}

func (b *builder) errorf(pos Pos, format string, args ...any) {
	b.k.Errors = append(b.k.Errors, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (b *builder) warnf(pos Pos, format string, args ...any) {
	b.k.Errors = append(b.k.Errors, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Warning: true})
}

// source reads a Kconfig file in place. A missing file or a file that
// includes itself is a fatal error, as in the C tool.
func (b *builder) source(path string, from Pos) error {
	for _, fr := range b.stack {
		if fr.path == path {
			var chain strings.Builder
			for i := len(b.stack) - 1; i >= 0; i-- {
				fmt.Fprintf(&chain, "\n  included from: %s:%d", b.stack[i].from.File, b.stack[i].from.Line)
			}
			return &Error{Pos: from, Msg: "recursive inclusion of " + path + chain.String()}
		}
	}
	if first, ok := b.sourced[path]; ok && b.k.Dialect.RepeatedSource && from.File != "" {
		// conf stops here; krls reports it and reads on without the
		// second copy, so that the rest of the tree still works.
		b.errorf(from, "repeated inclusion of %s (first included at %s:%d)", path, first.File, first.Line)
		return nil
	}
	f, err := b.files.get(path)
	if err != nil {
		if from.File == "" {
			return fmt.Errorf("%w: %v", ErrNoKconfig, err)
		}
		return &Error{Pos: from, Msg: fmt.Sprintf("can't open file %q", path)}
	}
	if _, ok := b.sourced[path]; !ok {
		if b.sourced == nil {
			b.sourced = map[string]Pos{}
		}
		b.sourced[path] = from
	}
	b.k.Files = append(b.k.Files, path)
	b.k.Errors = append(b.k.Errors, f.Errors...)
	if len(b.stack) == 0 {
		b.first = true
	}
	b.stack = append(b.stack, sourceFrame{path, from})
	err = b.stmts(f.Stmts)
	b.stack = b.stack[:len(b.stack)-1]
	return err
}

func (b *builder) stmts(stmts []Stmt) error {
	for _, s := range stmts {
		if err := b.stmt(s); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) at(pos Pos) {
	b.m.file, b.m.line = pos.File, pos.Line
}

func (b *builder) stmt(s Stmt) error {
	first := b.first
	b.first = false
	switch s := s.(type) {
	case *MainmenuStmt:
		b.at(s.Pos)
		if !first {
			b.errorf(s.Pos, "mainmenu must be the first statement of the top Kconfig file")
			return nil
		}
		text, err := b.str(s.Prompt)
		if err != nil {
			return err
		}
		b.k.Root.Prompt = &Property{Kind: PropMenu, Text: text, Node: b.k.Root, Pos: s.Pos, id: b.k.nextProp}
		b.k.nextProp++
		b.k.Root.Pos = s.Pos
	case *AssignStmt:
		b.at(s.Pos)
		name, err := b.wordText(s.Name)
		if err != nil {
			return err
		}
		if err := b.m.assign(name, s.Op, s.Value); err != nil {
			return b.macroErr(s.Pos, err)
		}
	case *MacroStmt:
		b.at(s.Pos)
		out, err := b.m.expand(s.Text.Raw, nil)
		if err != nil {
			return b.macroErr(s.Pos, err)
		}
		if out != "" {
			b.errorf(s.Pos, "unknown statement %q", out)
		}
	case *SourceStmt:
		b.at(s.Pos)
		path, err := b.str(s.Path)
		if err != nil {
			return err
		}
		if s.Optional {
			if _, err := b.files.get(path); err != nil {
				return nil
			}
		}
		return b.source(path, s.Pos)
	case *ConfigStmt:
		return b.config(s)
	case *ChoiceStmt:
		return b.choiceStmt(s)
	case *MenuStmt:
		b.at(s.Pos)
		text, err := b.str(s.Prompt)
		if err != nil {
			return err
		}
		n := b.addEntry(NodeMenu, nil, s.Pos)
		n.EndPos = s.EndPos
		b.addPrompt(PropMenu, text, nil, nil, s.Pos)
		for i := range s.Options {
			o := &s.Options[i]
			b.at(o.Pos)
			switch o.Kind {
			case OptDepends:
				e, err := b.dependsExpr(o)
				if err != nil {
					return err
				}
				n.OwnDep = b.andExpr(n.OwnDep, e)
			case OptVisible:
				e, err := b.expr(o.Expr)
				if err != nil {
					return err
				}
				n.Visibility = b.andExpr(n.Visibility, e)
			}
		}
		return b.block(n, s.Body)
	case *IfStmt:
		b.at(s.Pos)
		cond, err := b.expr(s.Cond)
		if err != nil {
			return err
		}
		n := b.addEntry(NodeIf, nil, s.Pos)
		n.EndPos = s.EndPos
		n.OwnDep = cond
		return b.block(n, s.Body)
	case *CommentStmt:
		b.at(s.Pos)
		text, err := b.str(s.Prompt)
		if err != nil {
			return err
		}
		n := b.addEntry(NodeComment, nil, s.Pos)
		b.addPrompt(PropComment, text, nil, nil, s.Pos)
		for i := range s.Options {
			o := &s.Options[i]
			b.at(o.Pos)
			e, err := b.dependsExpr(o)
			if err != nil {
				return err
			}
			n.OwnDep = b.andExpr(n.OwnDep, e)
		}
	}
	return nil
}

// block enters the menu n (menu_add_menu), reads body, and leaves it.
func (b *builder) block(n *MenuNode, body []Stmt) error {
	b.cur = n
	err := b.stmts(body)
	b.cur = n.Parent
	return err
}

func (b *builder) macroErr(pos Pos, err error) error {
	if me, ok := err.(*macroError); ok {
		return &Error{Pos: pos, Msg: me.msg}
	}
	return err
}

// addEntry appends a menu entry to the current menu (menu_add_entry).
func (b *builder) addEntry(kind NodeKind, sym *Symbol, pos Pos) *MenuNode {
	n := b.nodes.new()
	*n = MenuNode{Kind: kind, Sym: sym, Parent: b.cur, Pos: pos}
	if t := b.cur.last; t != nil {
		t.Next = n
	} else {
		b.cur.List = n
	}
	b.cur.last = n
	b.entry = n
	if sym != nil {
		if sym.Nodes == nil {
			sym.Nodes = b.nodeRefs.take(1)[:0]
		}
		sym.Nodes = append(sym.Nodes, n)
	}
	return n
}

// addProp adds a property to the current entry (menu_add_prop).
func (b *builder) addProp(kind PropKind, value, cond *Expr2, pos Pos) *Property {
	p := b.props.new()
	*p = Property{Kind: kind, Value: value, Cond: cond, Visible: cond, Node: b.entry, Pos: pos, id: b.k.nextProp}
	b.k.nextProp++
	if b.entry.Sym != nil {
		b.entry.Sym.Props = append(b.entry.Sym.Props, p)
	}
	return p
}

// addPrompt sets the current entry's prompt (menu_add_prompt): prompts of
// configs and choices are also only visible when every enclosing menu's
// `visible if` holds.
func (b *builder) addPrompt(kind PropKind, text string, cond *Expr2, dep *Expr2, pos Pos) {
	if t := strings.TrimLeft(text, " \t\n\v\f\r"); t != text {
		b.warnf(pos, "leading whitespace ignored")
		text = t
	}
	p := b.addProp(kind, nil, cond, pos)
	p.Text = text
	if kind == PropPrompt {
		for m := b.entry.Parent; m != nil; m = m.Parent {
			if m.Visibility != nil {
				p.Visible = b.andExpr(p.Visible, m.Visibility)
			}
		}
	}
	if b.entry.Prompt != nil {
		b.warnf(pos, "prompt redefined")
	}
	b.entry.Prompt = p
}

func (b *builder) setType(t Type, pos Pos) {
	sym := b.entry.Sym
	if sym.Type == t {
		return
	}
	if sym.Type == Unknown {
		sym.Type = t
		return
	}
	name := sym.Name
	if sym.IsChoice() {
		name = "<choice>"
	}
	b.warnf(pos, "ignoring type redefinition of '%s' from '%s' to '%s'", name, typeName(sym.Type), typeName(t))
}

func typeName(t Type) string {
	if t == Int {
		return "integer"
	}
	return t.String()
}

func (b *builder) config(s *ConfigStmt) error {
	b.at(s.Pos)
	sym, err := b.nonConst(s.Name, s.Pos)
	if err != nil {
		return err
	}
	if sym.Const {
		b.errorf(s.Pos, "invalid symbol name %q", sym.Name)
		return nil
	}
	kind := NodeConfig
	if s.Menuconfig {
		kind = NodeMenuconfig
	}
	n := b.addEntry(kind, sym, s.Pos)
	if err := b.options(n, s.Options); err != nil {
		return err
	}
	b.checkTransitional(s, sym)
	if s.Menuconfig {
		if n.Prompt != nil {
			n.Prompt.Kind = PropMenu
		} else if b.k.Dialect.StrictEntries {
			b.errorf(s.Pos, "menuconfig statement without prompt")
		} else {
			b.warnf(s.Pos, "menuconfig statement without prompt")
		}
	}
	// 6.11+ checks members as they are parsed and keeps them in a list;
	// older trees find them in menu_finalize (finalizeOldChoice).
	if b.choice != nil && !b.k.Dialect.OldChoices {
		if b.k.Dialect.ChoiceMemberChecks {
			if n.Prompt == nil {
				b.errorf(s.Pos, "choice member must have a prompt")
			}
			if sym.Type != Bool {
				b.errorf(s.Pos, "choice member must be bool")
			}
		}
		if sym.memberOf == nil {
			sym.memberOf = b.choice
			b.choice.Members = append(b.choice.Members, sym)
		}
	}
	return nil
}

// checkTransitional enforces what a `transitional` symbol (Linux 6.17+)
// may have: a type (its absence gets the usual warning) and help text, nothing that would make it prompted,
// computed or able to change other symbols. Its value comes only from the
// .config, so that a renamed option's old name can feed the new one's
// default during olddefconfig.
func (b *builder) checkTransitional(s *ConfigStmt, sym *Symbol) {
	var trans *Option
	for i := range s.Options {
		if s.Options[i].Kind == OptTransitional {
			trans = &s.Options[i]
		}
	}
	if trans == nil {
		return
	}
	if s.Menuconfig {
		b.errorf(s.Pos, "transitional symbol %s cannot be a menuconfig", sym.Name)
	}
	if b.choice != nil {
		b.errorf(trans.Pos, "transitional symbol %s cannot be a choice member", sym.Name)
	}
	for _, o := range s.Options {
		what := ""
		switch o.Kind {
		case OptType:
			if o.Prompt != nil {
				what = "a prompt"
			}
		case OptPrompt:
			what = "a prompt"
		case OptDefault:
			what = "a default"
		case OptSelect:
			what = "select"
		case OptImply:
			what = "imply"
		case OptRange:
			what = "a range"
		case OptDepends:
			what = "dependencies"
		}
		if what != "" {
			b.errorf(o.Pos, "transitional symbol %s cannot have %s: its value comes only from the .config", sym.Name, what)
		}
	}
}

func (b *builder) choiceStmt(s *ChoiceStmt) error {
	b.at(s.Pos)
	// A named choice (6.1) is one symbol however many blocks name it.
	sym := b.k.namedChoices[s.Name]
	if sym == nil {
		sym = b.newSymbol("")
		if s.Name != "" {
			sym.Name = s.Name
			if b.k.namedChoices == nil {
				b.k.namedChoices = map[string]*Symbol{}
			}
			b.k.namedChoices[s.Name] = sym
		}
	}
	n := b.addEntry(NodeChoice, sym, s.Pos)
	n.EndPos = s.EndPos
	if sym.Choice == nil {
		sym.Choice = n
	}
	old := b.k.Dialect.OldChoices
	if !old {
		// 6.11+: a choice is bool; 6.1's takes its type from a type
		// option or, in menu_finalize, from its first typed member.
		b.setType(Bool, s.Pos)
	}
	for _, o := range s.Options {
		if o.Kind == OptOther && o.Text == "optional" {
			sym.optional = true
		}
	}
	if err := b.options(n, s.Options); err != nil {
		return err
	}
	if n.Prompt == nil && !old {
		// 6.1 warns in menu_finalize instead (finalizeOldChoice).
		b.errorf(s.Pos, "choice must have a prompt")
	}
	outer := b.choice
	b.cur = n
	b.choice = n
	for _, st := range s.Body {
		switch st.(type) {
		case *ConfigStmt, *CommentStmt, *IfStmt:
		default:
			b.errorf(st.stmtPos(), "invalid statement in a choice block")
			continue
		}
		if err := b.stmt(st); err != nil {
			return err
		}
	}
	b.choice = outer
	b.cur = n.Parent
	return nil
}

// options applies the option lines of a config or choice entry.
func (b *builder) options(n *MenuNode, opts []Option) error {
	if sym := n.Sym; sym != nil {
		props := 0
		for i := range opts {
			switch opts[i].Kind {
			case OptType:
				if opts[i].Prompt != nil {
					props++
				}
			case OptPrompt, OptDefault, OptSelect, OptImply, OptRange:
				props++
			}
		}
		if len(sym.Props)+props > cap(sym.Props) {
			sym.Props = append(b.propRefs.take(len(sym.Props) + props)[:0], sym.Props...)
		}
	}
	for i := range opts {
		o := &opts[i]
		b.at(o.Pos)
		// Symbols are looked up left to right, as parser.y's actions
		// do: the value before the condition (the order matters to the
		// C tool's symbol table, whose order some steps follow).
		switch o.Kind {
		case OptType:
			b.setType(o.Type, o.Pos)
			if o.Prompt != nil {
				text, err := b.str(*o.Prompt)
				if err != nil {
					return err
				}
				cond, err := b.expr(o.If)
				if err != nil {
					return err
				}
				b.addPrompt(PropPrompt, text, cond, nil, o.Pos)
			}
		case OptPrompt:
			text, err := b.str(*o.Prompt)
			if err != nil {
				return err
			}
			cond, err := b.expr(o.If)
			if err != nil {
				return err
			}
			b.addPrompt(PropPrompt, text, cond, nil, o.Pos)
		case OptDefault:
			v, err := b.expr(o.Expr)
			if err != nil {
				return err
			}
			cond, err := b.expr(o.If)
			if err != nil {
				return err
			}
			b.addProp(PropDefault, v, cond, o.Pos)
			if o.Type != Unknown {
				b.setType(o.Type, o.Pos)
			}
		case OptSelect, OptImply:
			target, err := b.nonConst(*o.Sym, o.Pos)
			if err != nil {
				return err
			}
			cond, err := b.expr(o.If)
			if err != nil {
				return err
			}
			kind := PropSelect
			if o.Kind == OptImply {
				kind = PropImply
			}
			b.addProp(kind, b.symExpr(target), cond, o.Pos)
		case OptRange:
			lo, err := b.symbol(o.Range[0], o.Pos)
			if err != nil {
				return err
			}
			hi, err := b.symbol(o.Range[1], o.Pos)
			if err != nil {
				return err
			}
			cond, err := b.expr(o.If)
			if err != nil {
				return err
			}
			b.addProp(PropRange, b.newExpr(eRange, nil, nil, lo, hi), cond, o.Pos)
		case OptDepends:
			e, err := b.dependsExpr(o)
			if err != nil {
				return err
			}
			n.OwnDep = b.andExpr(n.OwnDep, e)
		case OptHelp:
			if n.Help != "" {
				if b.k.Dialect.StrictEntries {
					b.errorf(o.Pos, "'%s' defined with more than one help text", n.Sym.displayName())
				} else {
					b.warnf(o.Pos, "'%s' defined with more than one help text -- only the last one will be used", n.Sym.displayName())
				}
			}
			if strings.TrimLeft(o.Text, " \f\n\r\t\v") == "" {
				if b.k.Dialect.StrictEntries {
					b.errorf(o.Pos, "'%s' defined with blank help text", n.Sym.displayName())
				} else {
					b.warnf(o.Pos, "'%s' defined with blank help text", n.Sym.displayName())
				}
			}
			n.Help = o.Text
		case OptModules:
			if b.k.Modules != nil && b.k.Modules != n.Sym {
				b.errorf(o.Pos, "symbol '%s' redefines option 'modules' already defined by symbol '%s'", n.Sym.Name, b.k.Modules.Name)
			} else {
				b.k.Modules = n.Sym
			}
		case OptTransitional:
			n.Sym.Transitional = true
		}
	}
	return nil
}

// dependsExpr builds a `depends on X` line, or `depends on X if Y` as
// menu_add_dep does: X || (Y = n), with Y's = n pushed inwards as
// expr_trans_compare does. The result remembers Y, so that it is shown
// as written.
func (b *builder) dependsExpr(o *Option) (*Expr2, error) {
	x, err := b.expr(o.Expr)
	if err != nil || o.If == nil {
		return x, err
	}
	cond, err := b.expr(o.If)
	if err != nil {
		return nil, err
	}
	e := b.newExpr(eOr, x, b.transCompareNo(cond, eEqual), nil, nil)
	e.cond = cond
	return e, nil
}

// transCompareNo is expr_trans_compare(e, op, &symbol_no) for op = or !=.
func (b *builder) transCompareNo(e *Expr2, op exprKind) *Expr2 {
	switch e.kind {
	case eAnd, eOr:
		// (A && B) = n is A = n || B = n; (A || B) = n is A = n && B = n.
		k := eOr
		if e.kind == eOr {
			k = eAnd
		}
		x := b.newExpr(k, b.transCompareNo(e.left, eEqual), b.transCompareNo(e.right, eEqual), nil, nil)
		if op == eUnequal {
			x = b.newExpr(eNot, x, nil, nil, nil)
		}
		return x
	case eNot:
		inv := eUnequal
		if op == eUnequal {
			inv = eEqual
		}
		return b.transCompareNo(e.left, inv)
	case eSym:
		return b.newExpr(op, nil, nil, e.sym, b.k.No)
	case eRange:
		return e
	}
	// A comparison: (A op B) = n is !(A op B); != n is itself.
	if op == eEqual {
		return b.newExpr(eNot, e, nil, nil, nil)
	}
	return e
}

// str expands a quoted string.
func (b *builder) str(s Str) (string, error) {
	switch {
	case len(s.Parts) == 0:
		return "", nil
	case len(s.Parts) == 1 && !s.Parts[0].Macro:
		return s.Parts[0].Text, nil
	}
	var out strings.Builder
	for _, p := range s.Parts {
		if !p.Macro {
			out.WriteString(p.Text)
			continue
		}
		v, err := b.m.clause(p.Text, nil)
		if err != nil {
			return "", b.macroErr(Pos{b.m.file, b.m.line}, err)
		}
		out.WriteString(v)
	}
	return out.String(), nil
}

// wordText expands a word.
func (b *builder) wordText(w Word) (string, error) {
	if w.Quoted {
		return b.str(Str{Parts: w.Parts})
	}
	if !w.HasMacro() {
		return w.Raw, nil
	}
	out, err := b.m.expand(w.Raw, nil)
	if err != nil {
		return "", b.macroErr(Pos{b.m.file, b.m.line}, err)
	}
	return out, nil
}

// symbol looks up the symbol a word names (sym_lookup): y, m and n are the
// tristate constants, quoted words constants, others symbols.
func (b *builder) symbol(w Word, pos Pos) (*Symbol, error) {
	name, err := b.wordText(w)
	if err != nil {
		return nil, err
	}
	if hasProbe(name) {
		return &Symbol{Name: name, Probe: probeIndex(name), id: -5}, nil
	}
	switch name {
	case "y":
		return b.k.Yes, nil
	case "m":
		return b.k.Mod, nil
	case "n":
		return b.k.No, nil
	}
	if w.Quoted {
		s := b.k.consts[name]
		if s == nil {
			s = &Symbol{Name: name, Const: true, Probe: -1, id: -4}
			b.k.consts[name] = s
		}
		return s, nil
	}
	if name == "" && w.HasMacro() {
		b.errorf(pos, "%q expands to nothing", w.Raw)
	}
	s := b.k.byName[name]
	if s == nil {
		s = b.newSymbol(name)
	}
	if len(b.k.refFiles) == 0 || b.k.refFiles[len(b.k.refFiles)-1] != pos.File {
		b.k.refFiles = append(b.k.refFiles, pos.File)
	}
	b.k.refs = append(b.k.refs, symRef{int32(s.id), int32(len(b.k.refFiles) - 1), int32(pos.Line)})
	return s, nil
}

// nonConst is symbol for places where quotes are not accepted.
func (b *builder) nonConst(w Word, pos Pos) (*Symbol, error) {
	if w.Quoted {
		b.errorf(pos, "a symbol name cannot be quoted: %q", w.Raw)
	}
	return b.symbol(Word{Raw: w.Raw, Parts: w.Parts, Quoted: false}, pos)
}

func (b *builder) newSymbol(name string) *Symbol {
	s := b.syms.new()
	*s = Symbol{Name: name, Probe: -1, id: b.k.nextID}
	b.k.nextID++
	b.k.Symbols = append(b.k.Symbols, s)
	if name != "" {
		b.k.byName[name] = s
	}
	return s
}

func probeIndex(s string) int {
	i := strings.Index(s, probeMark)
	n := 0
	for j := i + len(probeMark); j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
		n = n*10 + int(s[j]-'0')
	}
	return n
}

// expr converts a parsed expression, expanding macros and looking up
// symbols.
func (b *builder) expr(e Expr) (*Expr2, error) {
	if e == nil {
		return nil, nil
	}
	switch e := e.(type) {
	case *SymExpr:
		s, err := b.symbol(e.W, Pos{b.m.file, b.m.line})
		if err != nil {
			return nil, err
		}
		return b.symExpr(s), nil
	case *NotExpr:
		x, err := b.expr(e.X)
		if err != nil {
			return nil, err
		}
		return b.newExpr(eNot, x, nil, nil, nil), nil
	case *BinExpr:
		x, err := b.expr(e.X)
		if err != nil {
			return nil, err
		}
		y, err := b.expr(e.Y)
		if err != nil {
			return nil, err
		}
		k := eAnd
		if e.Op == "||" {
			k = eOr
		}
		return b.newExpr(k, x, y, nil, nil), nil
	case *CmpExpr:
		pos := Pos{b.m.file, b.m.line}
		a, err := b.symbol(e.A, pos)
		if err != nil {
			return nil, err
		}
		c, err := b.symbol(e.B, pos)
		if err != nil {
			return nil, err
		}
		return b.newExpr(cmpKind(e.Op), nil, nil, a, c), nil
	}
	return nil, nil
}

func cmpKind(op string) exprKind {
	switch op {
	case "=":
		return eEqual
	case "!=":
		return eUnequal
	case "<":
		return eLth
	case "<=":
		return eLeq
	case ">":
		return eGth
	}
	return eGeq
}

// newExpr builds an expression node, noting whether it holds a probe.
func (b *builder) newExpr(kind exprKind, left, right *Expr2, sym, sym2 *Symbol) *Expr2 {
	e := b.exprs.new()
	*e = Expr2{kind: kind, left: left, right: right, sym: sym, sym2: sym2}
	switch {
	case kind != eSym:
		// The id of its cache entry in an Eval.
		b.k.nextExpr++
		e.id = b.k.nextExpr
	case sym.id >= 0:
		e.id = int32(sym.id) + 1
	}
	e.probe = left != nil && left.probe || right != nil && right.probe ||
		sym != nil && sym.Probe >= 0 || sym2 != nil && sym2.Probe >= 0
	return e
}

// symExpr returns the expression naming s, one per symbol.
func (b *builder) symExpr(s *Symbol) *Expr2 {
	if s.ref == nil {
		s.ref = b.newExpr(eSym, nil, nil, s, nil)
	}
	return s.ref
}

func (b *builder) andExpr(x, y *Expr2) *Expr2 {
	if x == nil {
		return y
	}
	if y == nil {
		return x
	}
	return b.newExpr(eAnd, x, y, nil, nil)
}

func (b *builder) orExpr(x, y *Expr2) *Expr2 {
	if x == nil {
		return y
	}
	if y == nil {
		return x
	}
	return b.newExpr(eOr, x, y, nil, nil)
}

// rewriteM turns 'm' into 'm && MODULES', so that it evaluates to n
// without modules (menu.c rewrite_m).
func (b *builder) rewriteM(e *Expr2) *Expr2 {
	if !b.mentionsMod(e) {
		return e
	}
	switch e.kind {
	case eNot:
		return b.newExpr(eNot, b.rewriteM(e.left), nil, nil, nil)
	case eAnd, eOr:
		x := b.newExpr(e.kind, b.rewriteM(e.left), b.rewriteM(e.right), nil, nil)
		x.cond = e.cond
		return x
	case eSym:
		if e.sym == b.k.Mod {
			return b.andExpr(e, b.symExpr(b.k.Modules))
		}
	}
	return e
}

func (b *builder) mentionsMod(e *Expr2) bool {
	if e == nil {
		return false
	}
	switch e.kind {
	case eSym:
		return e.sym == b.k.Mod
	case eNot, eAnd, eOr:
		return b.mentionsMod(e.left) || b.mentionsMod(e.right)
	}
	return false
}

// finalize is menu.c's _menu_finalize: it propagates dependencies from
// menus and ifs to their entries and to the entries' properties, builds
// the reverse dependencies of select and imply, sets each symbol's direct
// dependencies, moves entries that depend on a preceding symbol under it
// (automatic submenus), and flattens if blocks.
func (b *builder) finalize(parent *MenuNode, insideChoice bool) {
	sym := parent.Sym
	old := b.k.Dialect.OldChoices
	isChoice := sym != nil && sym.IsChoice()
	if parent.List != nil {
		parentDep := parent.Dep
		if old && isChoice {
			b.oldChoiceTypes(parent)
			// 6.1: the choice itself is the dependency of its entries,
			// so its mode bounds their visibility.
			parentDep = b.symExpr(sym)
		}
		for n := parent.List; n != nil; n = n.Next {
			basedep := b.andExpr(parentDep, b.rewriteM(n.OwnDep))
			n.Dep = basedep
			var props []*Property
			if n.Sym != nil {
				props = n.Sym.Props
			} else if n.Prompt != nil {
				props = []*Property{n.Prompt}
			}
			for _, p := range props {
				if p.Node != n {
					continue
				}
				dep := b.andExpr(basedep, b.rewriteM(p.Visible))
				p.Visible = dep
				switch p.Kind {
				case PropSelect:
					t := p.Value.sym
					t.RevDep = b.orExpr(t.RevDep, b.andExpr(b.symExpr(n.Sym), dep))
				case PropImply:
					t := p.Value.sym
					t.Implied = b.orExpr(t.Implied, b.andExpr(b.symExpr(n.Sym), dep))
				}
			}
		}
		for n := parent.List; n != nil; n = n.Next {
			// 6.1 makes automatic submenus inside choices too.
			b.finalize(n, !old && isChoice)
		}
	} else if !insideChoice && sym != nil {
		// Automatic submenu: following entries that depend on sym go
		// under it. (The C tool also takes entries whose dependencies
		// are a superset of sym's; that only changes how menus are
		// shown, not any value.)
		var last *MenuNode
		for n := parent.Next; n != nil; n = n.Next {
			dep := n.Dep
			if n.Prompt != nil {
				dep = n.Prompt.Visible
			}
			if !exprContains(dep, sym) || !exprDepends(dep, sym, b.k) {
				break
			}
			b.finalize(n, false)
			n.Parent = parent
			last = n
		}
		if last != nil {
			parent.List = parent.Next
			parent.Next = last.Next
			last.Next = nil
		}
		sym.DirDep = b.orExpr(sym.DirDep, parent.Dep)
	}
	for n := parent.List; n != nil; n = n.Next {
		if old && isChoice && n.Sym != nil && n.Sym.memberOf == nil {
			b.oldChoiceValue(parent, n)
		}
		// Flatten entries without a prompt (ifs, promptless symbols):
		// their children become siblings, and come next in this loop.
		if n.List != nil && (n.Prompt == nil || n.Prompt.Text == "") {
			last := n.List
			for {
				last.Parent = parent
				if last.Next == nil {
					break
				}
				last = last.Next
			}
			last.Next = n.Next
			n.Next = n.List
			n.List = nil
		}
	}
	if sym != nil && sym.Type == Unknown && !sym.IsChoice() && len(sym.Nodes) > 0 && sym.Nodes[0] == parent {
		b.warnf(parent.Pos, "config symbol defined without type")
	}
	if old && isChoice && sym.Nodes[0] == parent {
		if sym.Type == Unknown {
			b.warnf(parent.Pos, "config symbol defined without type")
		}
		if parent.Prompt == nil {
			b.warnf(parent.Pos, "choice must have a prompt")
		}
	}
	// 6.1: a choice that is not `optional` cannot be n while its prompt
	// is visible: a reverse dependency of `<visibility> && m`.
	if old && isChoice && !sym.optional && parent.Prompt != nil {
		sym.RevDep = b.orExpr(sym.RevDep, b.andExpr(parent.Prompt.Visible, b.symExpr(b.k.Mod)))
	}
}

// oldChoiceTypes gives a 6.1 choice without a type its first typed
// entry's, and its untyped entries the choice's.
func (b *builder) oldChoiceTypes(choice *MenuNode) {
	sym := choice.Sym
	if sym.Type == Unknown {
		for n := choice.List; n != nil; n = n.Next {
			if n.Sym != nil && n.Sym.Type != Unknown {
				sym.Type = n.Sym.Type
				break
			}
		}
	}
	for n := choice.List; n != nil; n = n.Next {
		if n.Sym != nil && n.Sym.Type == Unknown {
			n.Sym.Type = sym.Type
		}
	}
}

// oldChoiceValue makes the entry n found directly below a 6.1 choice one
// of its values (SYMBOL_CHOICEVAL, appended to its P_CHOICE list).
func (b *builder) oldChoiceValue(choice, n *MenuNode) {
	cs, m := choice.Sym, n.Sym
	m.memberOf = choice
	cs.Choice.Members = append(cs.Choice.Members, m)
	if n.Prompt == nil {
		b.warnf(n.Pos, "choice value must have a prompt")
	}
	for _, p := range m.Props {
		if p.Kind == PropDefault {
			b.warnf(p.Pos, "defaults for choice values not supported")
		}
		if p.Node == n {
			continue
		}
		if p.Kind == PropPrompt && p.Node.Parent.Sym != cs {
			b.warnf(p.Pos, "choice value used outside its choice group")
		}
	}
	// A value of a tristate choice that is not tristate itself needs the
	// choice at y. Its dependencies went to its properties already, so
	// they get the condition too.
	if cs.Type == Tristate && m.Type != Tristate {
		basedep := b.newExpr(eEqual, nil, nil, cs, b.k.Yes)
		n.Dep = b.andExpr(basedep, n.Dep)
		for _, p := range m.Props {
			if p.Node == n {
				p.Visible = b.andExpr(basedep, p.Visible)
			}
		}
	}
}

// checkChoices reports what parser.y's choice_check_sanity refuses in
// the entries of choices (6.11+; 6.1 warns in menu_finalize instead).
func (b *builder) checkChoices() {
	if b.k.Dialect.OldChoices {
		return
	}
	strict := b.k.Dialect.StrictEntries
	for _, s := range b.k.Symbols {
		if !s.IsChoice() {
			continue
		}
		forEachSubEntry(s.Choice, func(n *MenuNode) bool {
			if n.Sym == nil {
				return true
			}
			for _, p := range n.Sym.Props {
				if p.Kind == PropDefault {
					b.errorf(p.Pos, "defaults for choice values not supported")
				}
				if p.Node == n || p.Kind != PropPrompt {
					continue
				}
				switch {
				case strict:
					b.errorf(p.Pos, "choice value must not have a prompt in another entry")
				case p.Node.Parent != n.Parent:
					b.errorf(p.Pos, "choice value has a prompt outside its choice group")
				}
			}
			return true
		})
	}
}

// checkInheritedTransitional reports transitional symbols that an
// enclosing if or menu gives dependencies (transitional_check_sanity looks
// at the finished entry; their own `depends on` checkTransitional has
// reported).
func (b *builder) checkInheritedTransitional() {
	for _, s := range b.k.Symbols {
		if !s.Transitional {
			continue
		}
		for _, n := range s.Nodes {
			if n.OwnDep == nil && n.Dep != nil && !(n.Dep.kind == eSym && n.Dep.sym == b.k.Yes) {
				b.errorf(n.Pos, "transitional symbol %s cannot have dependencies (from an enclosing if or menu): its value comes only from the .config", s.Name)
			}
		}
	}
}

// taint marks the symbols whose value depends on a probe that did not
// run: their dependencies, reverse dependencies, prompts' conditions or
// defaults mention a probe placeholder.
func (b *builder) taint() {
	if len(b.m.probes) == 0 {
		return
	}
	has := func(e *Expr2) bool { return e != nil && e.probe }
	for _, s := range b.k.Symbols {
		if s.Name == "" && !s.IsChoice() {
			continue
		}
		t := has(s.DirDep) || has(s.RevDep) || has(s.Implied)
		for _, p := range s.Props {
			t = t || has(p.Visible) || has(p.Value)
		}
		s.Tainted = t
	}
	// A choice decides its members together: if a probe decides one, the
	// .config decides them all.
	for _, s := range b.k.Symbols {
		if !s.IsChoice() {
			continue
		}
		tainted := false
		for _, m := range s.Choice.Members {
			tainted = tainted || m.Tainted
		}
		if tainted {
			for _, m := range s.Choice.Members {
				m.Tainted = true
			}
		}
	}
}
