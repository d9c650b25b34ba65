package kconfig

import "strings"

// ParseFile parses one Kconfig file. It does not follow `source`
// statements or expand macros (Load does). The File refers to the bytes
// of src, which must not change afterwards. Syntax errors are collected in
// File.Errors with their line; parsing goes on at the next line.
func ParseFile(path string, src []byte) *File {
	p := &parser{lx: newLexer(path, src), file: &File{Path: path}}
	p.advance()
	p.file.Stmts = p.stmts()
	for p.tok.kind != tEOF {
		// A stray end statement at top level.
		p.errorf(p.tok.line, "unexpected "+p.tok.kind.String())
		p.skipLine()
		p.file.Stmts = append(p.file.Stmts, p.stmts()...)
	}
	p.file.Errors = append(p.file.Errors, p.lx.warnings...)
	return p.file
}

type parser struct {
	lx   *lexer
	tok  token
	file *File
}

func (p *parser) advance() { p.tok = p.lx.next() }

func (p *parser) pos(line int) Pos { return Pos{p.file.Path, line} }

func (p *parser) errorf(line int, msg string) {
	p.file.Errors = append(p.file.Errors, &Error{Pos: p.pos(line), Msg: msg})
}

// skipLine drops tokens up to and including the next end of line.
func (p *parser) skipLine() {
	for p.tok.kind != tEOL && p.tok.kind != tEOF {
		p.advance()
	}
	if p.tok.kind == tEOL {
		p.advance()
	}
}

// expectEOL consumes the end of a statement, or reports what is left.
func (p *parser) expectEOL() {
	if p.tok.kind == tEOL || p.tok.kind == tEOF {
		if p.tok.kind == tEOL {
			p.advance()
		}
		return
	}
	p.errorf(p.tok.line, "unexpected "+p.tok.kind.String()+" at end of statement")
	p.skipLine()
}

// stmts parses statements until an end keyword (endmenu, endchoice, endif)
// or the end of the file; it does not consume the end keyword.
func (p *parser) stmts() []Stmt {
	var out []Stmt
	for {
		switch p.tok.kind {
		case tEOF:
			return out
		case tEndmenu, tEndchoice, tEndif:
			return out
		case tEOL:
			p.advance()
			continue
		}
		if s := p.stmt(); s != nil {
			out = append(out, s)
		}
	}
}

func (p *parser) stmt() Stmt {
	t := p.tok
	line := t.line
	switch t.kind {
	case tConfig, tMenuconfig:
		p.advance()
		if p.tok.kind != tWord {
			p.errorf(line, "expected a symbol name after "+t.kind.String())
			p.skipLine()
			return nil
		}
		s := &ConfigStmt{Pos: p.pos(line), Name: p.tok.word, Menuconfig: t.kind == tMenuconfig}
		p.advance()
		p.expectEOL()
		s.Options = p.options(configOptions)
		return s
	case tChoice:
		p.advance()
		s := &ChoiceStmt{Pos: p.pos(line)}
		if p.tok.kind == tWord { // older trees named choices
			p.advance()
		}
		p.expectEOL()
		s.Options = p.options(choiceOptions)
		s.Body = p.stmts()
		s.EndPos = p.end(tEndchoice, "choice", line)
		return s
	case tMenu:
		p.advance()
		s := &MenuStmt{Pos: p.pos(line)}
		if !p.str(&s.Prompt, "menu") {
			return nil
		}
		p.expectEOL()
		s.Options = p.options(menuOptions)
		s.Body = p.stmts()
		s.EndPos = p.end(tEndmenu, "menu", line)
		return s
	case tIf:
		p.advance()
		s := &IfStmt{Pos: p.pos(line)}
		s.Cond = p.expr()
		p.expectEOL()
		s.Body = p.stmts()
		s.EndPos = p.end(tEndif, "if", line)
		return s
	case tComment:
		p.advance()
		s := &CommentStmt{Pos: p.pos(line)}
		if !p.str(&s.Prompt, "comment") {
			return nil
		}
		p.expectEOL()
		s.Options = p.options(commentOptions)
		return s
	case tSource, tOsource:
		p.advance()
		s := &SourceStmt{Pos: p.pos(line), Optional: t.kind == tOsource}
		if !p.str(&s.Path, "source") {
			return nil
		}
		p.expectEOL()
		return s
	case tMainmenu:
		p.advance()
		s := &MainmenuStmt{Pos: p.pos(line)}
		if !p.str(&s.Prompt, "mainmenu") {
			return nil
		}
		p.expectEOL()
		return s
	case tWord:
		name := t.word
		p.advance()
		switch p.tok.kind {
		case tEqual, tColonEqual, tPlusEqual:
			op := map[tokKind]string{tEqual: "=", tColonEqual: ":=", tPlusEqual: "+="}[p.tok.kind]
			p.advance()
			s := &AssignStmt{Pos: p.pos(line), Name: name, Op: op}
			if p.tok.kind == tAssignVal {
				s.Value = p.tok.text
				p.advance()
			}
			p.expectEOL()
			return s
		case tEOL, tEOF:
			if name.HasMacro() {
				p.expectEOL()
				return &MacroStmt{Pos: p.pos(line), Text: name}
			}
		}
		p.errorf(line, "unknown statement \""+name.Raw+"\"")
		p.skipLine()
		return nil
	}
	p.errorf(line, "invalid statement")
	p.skipLine()
	return nil
}

// end consumes the end keyword of a block opened at line, or reports it
// missing.
func (p *parser) end(want tokKind, block string, openLine int) Pos {
	if p.tok.kind == want {
		pos := p.pos(p.tok.line)
		p.advance()
		p.expectEOL()
		return pos
	}
	if p.tok.kind == tEOF {
		p.errorf(openLine, "missing end statement for this entry ("+block+" without end"+block+")")
		return p.pos(p.tok.line)
	}
	p.errorf(p.tok.line, "unexpected "+p.tok.kind.String()+" within "+block+" block")
	pos := p.pos(p.tok.line)
	p.advance()
	p.expectEOL()
	return pos
}

// str reads a quoted string into s.
func (p *parser) str(s *Str, what string) bool {
	if p.tok.kind != tString {
		p.errorf(p.tok.line, "expected a quoted string after '"+what+"'")
		p.skipLine()
		return false
	}
	s.Parts = p.tok.word.Parts
	p.advance()
	return true
}

type optionSet int

const (
	configOptions optionSet = iota
	choiceOptions
	menuOptions
	commentOptions
)

// options parses the option lines of an entry, stopping at the first line
// that is not one of its options.
func (p *parser) options(set optionSet) []Option {
	out := make([]Option, 0, 4)
	for {
		t := p.tok
		line := t.line
		o := Option{Pos: p.pos(line)}
		switch {
		case t.kind == tEOL:
			p.advance()
			continue
		case t.kind == tDepends:
			p.advance()
			if p.tok.kind != tOn {
				p.errorf(line, "expected 'on' after 'depends'")
				p.skipLine()
				continue
			}
			p.advance()
			o.Kind = OptDepends
			o.Expr = p.expr()
		case t.kind == tVisible && set == menuOptions:
			p.advance()
			o.Kind = OptVisible
			if p.tok.kind == tIf {
				p.advance()
				o.Expr = p.expr()
			}
		case t.kind == tHelp && (set == configOptions || set == choiceOptions):
			p.advance()
			if p.tok.kind != tEOL && p.tok.kind != tEOF {
				p.errorf(line, "unexpected "+p.tok.kind.String()+" after 'help'")
				p.skipLine()
				continue
			}
			o.Kind = OptHelp
			if p.tok.kind == tEOL {
				o.Text = p.lx.helpText().text
			}
			out = append(out, o)
			p.advance()
			continue
		case set == configOptions || set == choiceOptions:
			if !p.entryOption(set, &o) {
				return out
			}
		default:
			return out
		}
		p.expectEOL()
		out = append(out, o)
	}
}

// entryOption parses one option of a config or choice into o; it returns
// false when the current line is not such an option.
func (p *parser) entryOption(set optionSet, o *Option) bool {
	t := p.tok
	switch t.kind {
	case tBool, tTristate, tInt, tHex, tString_:
		p.advance()
		o.Kind = OptType
		o.Type = map[tokKind]Type{tBool: Bool, tTristate: Tristate, tInt: Int, tHex: Hex, tString_: String}[t.kind]
		if p.tok.kind == tString {
			s := Str{Parts: p.tok.word.Parts}
			o.Prompt = &s
			p.advance()
			o.If = p.ifExpr()
		}
	case tPrompt:
		p.advance()
		o.Kind = OptPrompt
		var s Str
		if !p.str(&s, "prompt") {
			o.Kind = OptOther
			return true
		}
		o.Prompt = &s
		o.If = p.ifExpr()
	case tDefault, tDefBool, tDefTristate:
		p.advance()
		o.Kind = OptDefault
		o.Type = map[tokKind]Type{tDefault: Unknown, tDefBool: Bool, tDefTristate: Tristate}[t.kind]
		o.Expr = p.expr()
		o.If = p.ifExpr()
	case tSelect, tImply:
		if set != configOptions {
			return false
		}
		p.advance()
		o.Kind = OptSelect
		if t.kind == tImply {
			o.Kind = OptImply
		}
		if p.tok.kind != tWord {
			p.errorf(t.line, "expected a symbol after "+t.kind.String())
			o.Kind = OptOther
			return true
		}
		o.Sym = p.tok.word
		p.advance()
		o.If = p.ifExpr()
	case tRange:
		if set != configOptions {
			return false
		}
		p.advance()
		o.Kind = OptRange
		o.Range = new([2]Word)
		for i := 0; i < 2; i++ {
			if p.tok.kind != tWord && p.tok.kind != tString {
				p.errorf(t.line, "expected two symbols or numbers after 'range'")
				o.Kind = OptOther
				return true
			}
			o.Range[i] = p.tok.word
			p.advance()
		}
		o.If = p.ifExpr()
	case tModules:
		if set != configOptions {
			return false
		}
		p.advance()
		o.Kind = OptModules
	case tTransitional:
		if set != configOptions {
			return false
		}
		p.advance()
		o.Kind = OptTransitional
	case tOptional:
		if set != choiceOptions {
			return false
		}
		p.advance()
		o.Kind = OptOther
		o.Text = "optional"
	case tOption:
		// `option modules`, `option env="X"`, `option defconfig_list`,
		// `option allnoconfig_y` of trees before Linux 5.x.
		p.advance()
		o.Kind = OptOther
		var words []string
		for p.tok.kind != tEOL && p.tok.kind != tEOF {
			switch p.tok.kind {
			case tWord, tString:
				words = append(words, p.tok.word.Raw)
			case tModules:
				words = append(words, "modules")
			case tEqual:
				words = append(words, "=")
			}
			p.advance()
		}
		o.Text = strings.Join(words, " ")
		if o.Text == "modules" {
			o.Kind = OptModules
		}
	default:
		return false
	}
	return true
}

// ifExpr parses an optional `if EXPR`.
func (p *parser) ifExpr() Expr {
	if p.tok.kind != tIf {
		return nil
	}
	p.advance()
	return p.expr()
}

// expr parses an expression: || binds loosest, then &&, then !; a
// comparison joins two symbols.
func (p *parser) expr() Expr {
	x := p.andExpr()
	for p.tok.kind == tOr {
		p.advance()
		x = &BinExpr{Op: "||", X: x, Y: p.andExpr()}
	}
	return x
}

func (p *parser) andExpr() Expr {
	x := p.unary()
	for p.tok.kind == tAnd {
		p.advance()
		x = &BinExpr{Op: "&&", X: x, Y: p.unary()}
	}
	return x
}

var cmpOps = map[tokKind]string{tEqual: "=", tUnequal: "!=", tLess: "<", tLessEqual: "<=", tGreater: ">", tGreaterEqual: ">="}

func (p *parser) unary() Expr {
	switch p.tok.kind {
	case tNot:
		p.advance()
		return &NotExpr{X: p.unary()}
	case tOpenParen:
		line := p.tok.line
		p.advance()
		x := p.expr()
		if p.tok.kind != tCloseParen {
			p.errorf(line, "missing ')'")
		} else {
			p.advance()
		}
		return x
	case tWord, tString:
		a := p.tok.word
		p.advance()
		if op, ok := cmpOps[p.tok.kind]; ok {
			p.advance()
			if p.tok.kind != tWord && p.tok.kind != tString {
				p.errorf(p.tok.line, "expected a symbol after '"+op+"'")
				return &SymExpr{W: a}
			}
			b := p.tok.word
			p.advance()
			return &CmpExpr{Op: op, A: a, B: b}
		}
		return &SymExpr{W: a}
	}
	p.errorf(p.tok.line, "expected an expression, found "+p.tok.kind.String())
	return &SymExpr{W: Word{Raw: "n"}}
}
