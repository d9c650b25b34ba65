package kconfig

import (
	"slices"
	"strconv"
	"strings"
)

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
		p.errorf(p.tok.line, p.tok.kind.String()+" without matching "+opener[p.tok.kind])
		p.skipLine()
		p.file.Stmts = append(p.file.Stmts, p.stmts()...)
	}
	p.file.Errors = append(p.file.Errors, p.lx.warnings...)
	if len(p.file.Errors) > 1 {
		// In line order, lexer warnings among parser errors, and a block's
		// missing end (found at the end of the file) at the block's line.
		slices.SortStableFunc(p.file.Errors, func(a, b *Error) int { return a.Line - b.Line })
	}
	return p.file
}

var opener = map[tokKind]string{tEndif: "'if'", tEndmenu: "'menu'", tEndchoice: "'choice'"}

// Limits that keep the recursive descent (and the recursive walks over
// its results) from exhausting the stack on hostile input; the kernel's
// files nest a few levels deep. The C parser stops at 10,000 states of
// its stack, some 5,000 levels, with "memory exhausted".
const (
	maxNesting   = 1000  // if, menu and choice blocks; parentheses and '!'
	maxExprTerms = 10000 // symbols in one expression
)

type parser struct {
	lx   *lexer
	tok  token
	file *File

	depth int // open blocks
	// aborted: nesting went too deep and the rest of the file is skipped.
	aborted bool
	// Expression state: nesting, terms, and whether the expression was
	// given up (the rest of its line is skipped, without more errors).
	exprDepth, exprTerms int
	exprFailed           bool
}

func (p *parser) advance() { p.tok = p.lx.next() }

func (p *parser) pos(line int) Pos { return Pos{p.file.Path, line} }

func (p *parser) errorf(line int, msg string) {
	p.file.Errors = append(p.file.Errors, &Error{Pos: p.pos(line), Msg: msg})
}

// skipRest drops tokens up to the next end of line.
func (p *parser) skipRest() {
	for p.tok.kind != tEOL && p.tok.kind != tEOF {
		p.advance()
	}
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
	p.errorf(p.tok.line, "unexpected "+p.desc()+" at end of statement")
	p.skipLine()
}

// desc describes the current token for a message: keywords and operators
// quoted, words and strings with their text.
func (p *parser) desc() string {
	switch p.tok.kind {
	case tWord:
		return "word " + strconv.Quote(p.tok.word.Raw)
	case tString:
		return "string " + strconv.Quote(p.tok.word.Raw)
	}
	return p.tok.kind.String()
}

// abort gives up the rest of the file: nesting went too deep to go on
// safely. The blocks still open then end without more errors.
func (p *parser) abort(line int, msg string) {
	p.errorf(line, msg)
	p.aborted = true
	p.lx.pos = len(p.lx.src)
	p.lx.prev = tEOF // no "no new line" warning for the skipped end
	p.tok = token{kind: tEOF, line: p.tok.line}
}

// enter opens a block, or aborts when too many are open.
func (p *parser) enter(line int) bool {
	if p.depth >= maxNesting {
		p.abort(line, "too deeply nested: more than "+strconv.Itoa(maxNesting)+" levels of if, menu and choice blocks; the rest of the file is ignored")
		return false
	}
	p.depth++
	return true
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
		if !p.enter(line) {
			return s
		}
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
		if !p.enter(line) {
			return s
		}
		s.Body = p.stmts()
		s.EndPos = p.end(tEndmenu, "menu", line)
		return s
	case tIf:
		p.advance()
		s := &IfStmt{Pos: p.pos(line)}
		s.Cond = p.expr()
		p.expectEOL()
		if !p.enter(line) {
			return s
		}
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
	p.errorf(line, "invalid statement: unexpected "+p.desc())
	p.skipLine()
	return nil
}

// end consumes the end keyword of a block opened at line, or reports it
// missing.
func (p *parser) end(want tokKind, block string, openLine int) Pos {
	p.depth--
	if p.aborted {
		return p.pos(p.tok.line)
	}
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

// str reads a quoted string into s. Without one, it reports the error
// and skips to the end of the line (which it leaves for the caller).
func (p *parser) str(s *Str, what string) bool {
	if p.tok.kind != tString {
		p.errorf(p.tok.line, "expected a quoted string after '"+what+"', found "+p.desc())
		p.skipRest()
		return false
	}
	s.Parts = p.tok.word.Parts
	p.advance()
	return true
}

type optionSet int

// optInvalid marks an option line whose error was reported: it is left
// out of the entry.
const optInvalid OptionKind = -1

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
				p.errorf(line, "expected 'on' after 'depends', found "+p.desc())
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
				p.errorf(line, "unexpected "+p.desc()+" after 'help'")
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
		if o.Kind != optInvalid {
			out = append(out, o)
		}
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
			o.Kind = optInvalid
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
			p.errorf(t.line, "expected a symbol after "+t.kind.String()+", found "+p.desc())
			p.skipRest()
			o.Kind = optInvalid
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
				p.errorf(t.line, "expected two symbols or numbers after 'range', found "+p.desc())
				p.skipRest()
				o.Kind = optInvalid
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
	p.exprDepth, p.exprTerms, p.exprFailed = 0, 0, false
	x := p.orExpr()
	if p.exprFailed {
		// Skip what is left of the line: the caller finds its end.
		for p.tok.kind != tEOL && p.tok.kind != tEOF {
			p.advance()
		}
	}
	return x
}

// exprFail gives up the current expression with one error.
func (p *parser) exprFail(msg string) Expr {
	if !p.exprFailed {
		p.errorf(p.tok.line, msg)
		p.exprFailed = true
	}
	for p.tok.kind != tEOL && p.tok.kind != tEOF {
		p.advance()
	}
	return &SymExpr{W: Word{Raw: "n"}}
}

func (p *parser) orExpr() Expr {
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

var tooDeep = "expression too deeply nested: more than " + strconv.Itoa(maxNesting) + " levels of '(' and '!'"

var cmpOps = map[tokKind]string{tEqual: "=", tUnequal: "!=", tLess: "<", tLessEqual: "<=", tGreater: ">", tGreaterEqual: ">="}

func (p *parser) unary() Expr {
	if p.exprFailed {
		return &SymExpr{W: Word{Raw: "n"}}
	}
	switch p.tok.kind {
	case tNot:
		if p.exprDepth >= maxNesting {
			return p.exprFail(tooDeep)
		}
		p.advance()
		p.exprDepth++
		x := p.unary()
		p.exprDepth--
		return &NotExpr{X: x}
	case tOpenParen:
		if p.exprDepth >= maxNesting {
			return p.exprFail(tooDeep)
		}
		line := p.tok.line
		p.advance()
		p.exprDepth++
		x := p.orExpr()
		p.exprDepth--
		if p.tok.kind != tCloseParen {
			if !p.exprFailed {
				p.errorf(line, "missing ')'")
			}
		} else {
			p.advance()
		}
		return x
	case tWord, tString:
		if p.exprTerms++; p.exprTerms > maxExprTerms {
			return p.exprFail("expression too long: more than " + strconv.Itoa(maxExprTerms) + " symbols")
		}
		a := p.tok.word
		p.advance()
		if op, ok := cmpOps[p.tok.kind]; ok {
			p.advance()
			if p.tok.kind != tWord && p.tok.kind != tString {
				p.exprFail("expected a symbol after '" + op + "', found " + p.desc())
				return &SymExpr{W: a}
			}
			b := p.tok.word
			p.advance()
			return &CmpExpr{Op: op, A: a, B: b}
		}
		return &SymExpr{W: a}
	}
	return p.exprFail("expected an expression, found " + p.desc())
}
