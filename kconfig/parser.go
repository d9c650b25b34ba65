package kconfig

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ParseFile parses one Kconfig file in the newest language krls knows
// (Latest); ParseFileDialect parses it as a given tree's scripts/kconfig
// would.
func ParseFile(path string, src []byte) *File { return ParseFileDialect(path, src, latest) }

// latest is Latest(), shared: a Dialect does not change.
var latest = Latest()

// ParseFileDialect parses one Kconfig file in dialect d. It does not
// follow `source` statements or expand macros (Load does). The File
// refers to the bytes of src, which must not change afterwards. Syntax
// errors are collected in File.Errors with their line; parsing goes on at
// the next line.
func ParseFileDialect(path string, src []byte, d *Dialect) *File {
	mem := newParseMem(len(src))
	p := &parser{lx: newLexer(path, src, mem, d.keywords), file: &File{Path: path}, mem: mem, d: d}
	p.scratch = scratchPool.Get().(*parseScratch)
	p.lx.helpBuf = p.scratch.help
	defer p.putScratch()
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
	p.placeOptions()
	return p.file
}

// parseScratch holds the buffers a parse collects into, reused by the
// next parse.
type parseScratch struct {
	// Statements being collected, as a stack: blocks nest.
	stmts []Stmt
	// The options of every entry of the file, and where they go.
	opts   []Option
	optDst []optPlace
	help   []byte // the help text being built
}

var scratchPool = sync.Pool{New: func() any { return new(parseScratch) }}

// optPlace is where the options opts[start:end] of the file go.
type optPlace struct {
	dst        *[]Option
	start, end int
}

// placeOptions gives the entries their options, carved from one
// allocation of the exact size: entries have from none to a dozen
// options, and allocating each entry's apart would cost the garbage
// collector more than all the rest of a file's tree.
func (p *parser) placeOptions() {
	sc := p.scratch
	all := slices.Clone(sc.opts)
	for _, d := range sc.optDst {
		if d.end > d.start {
			*d.dst = all[d.start:d.end:d.end]
		}
	}
}

func (p *parser) putScratch() {
	sc := p.scratch
	clear(sc.stmts)
	clear(sc.opts)
	clear(sc.optDst)
	sc.stmts, sc.opts, sc.optDst = sc.stmts[:0], sc.opts[:0], sc.optDst[:0]
	sc.help = p.lx.helpBuf[:0]
	p.scratch = nil
	scratchPool.Put(sc)
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
	d    *Dialect

	depth int // open blocks
	// aborted: nesting went too deep and the rest of the file is skipped.
	aborted bool
	// Expression state: nesting, terms, and whether the expression was
	// given up (the rest of its line is skipped, without more errors).
	exprDepth, exprTerms int
	exprFailed           bool

	mem     *parseMem
	scratch *parseScratch
}

// parseMem holds the chunks a file's syntax tree is carved from (see
// chunks); the tree keeps them alive as long as it lives.
type parseMem struct {
	stmts   chunks[Stmt]
	configs chunks[ConfigStmt]
	strs    chunks[Str]
	words   chunks[Word]
	parts   chunks[StrPart]
	syms    chunks[SymExpr]
	bins    chunks[BinExpr]
	nots    chunks[NotExpr]
	cmps    chunks[CmpExpr]
	text    textArena
}

// newParseMem sizes the first chunks for a file of size bytes, from the
// density of each kind of node in Linux 6.12's Kconfig files.
func newParseMem(size int) *parseMem {
	m := &parseMem{}
	m.stmts.expect(size / 270)
	m.configs.expect(size / 310)
	m.strs.expect(size / 390)
	m.words.expect(size / 330)
	m.parts.expect(size / 330)
	m.syms.expect(size / 170)
	m.bins.expect(size / 600)
	m.nots.expect(size / 3800)
	m.cmps.expect(size / 4900)
	return m
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
// block parses the statements of a choice, menu or if block opened on
// line, up to its end keyword, and the end's position; a block nested
// too deeply has neither (enter has stopped the parse).
func (p *parser) block(end tokKind, name string, line int) ([]Stmt, Pos) {
	if !p.enter(line) {
		return nil, Pos{}
	}
	body := p.stmts()
	return body, p.end(end, name, line)
}

func (p *parser) stmts() []Stmt {
	sc := p.scratch
	start := len(sc.stmts)
	for {
		switch p.tok.kind {
		case tEOF, tEndmenu, tEndchoice, tEndif:
			out := p.mem.stmts.clone(sc.stmts[start:])
			clear(sc.stmts[start:])
			sc.stmts = sc.stmts[:start]
			return out
		case tEOL:
			p.advance()
			continue
		}
		if s := p.stmt(); s != nil {
			sc.stmts = append(sc.stmts, s)
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
		s := p.mem.configs.new()
		*s = ConfigStmt{Pos: p.pos(line), Name: p.tok.word, Menuconfig: t.kind == tMenuconfig}
		p.advance()
		p.expectEOL()
		p.options(configOptions, &s.Options)
		return s
	case tChoice:
		p.advance()
		s := &ChoiceStmt{Pos: p.pos(line)}
		if p.tok.kind == tWord && p.d.NamedChoice { // 6.1 named choices
			s.Name = p.tok.word.Raw
			p.advance()
		}
		p.expectEOL()
		p.options(choiceOptions, &s.Options)
		s.Body, s.EndPos = p.block(tEndchoice, "choice", line)
		return s
	case tMenu:
		p.advance()
		s := &MenuStmt{Pos: p.pos(line)}
		if !p.str(&s.Prompt, "menu") {
			return nil
		}
		p.expectEOL()
		p.options(menuOptions, &s.Options)
		s.Body, s.EndPos = p.block(tEndmenu, "menu", line)
		return s
	case tIf:
		p.advance()
		s := &IfStmt{Pos: p.pos(line)}
		s.Cond = p.expr()
		p.expectEOL()
		s.Body, s.EndPos = p.block(tEndif, "if", line)
		return s
	case tComment:
		p.advance()
		s := &CommentStmt{Pos: p.pos(line)}
		if !p.str(&s.Prompt, "comment") {
			return nil
		}
		p.expectEOL()
		p.options(commentOptions, &s.Options)
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
			op := "="
			switch p.tok.kind {
			case tColonEqual:
				op = ":="
			case tPlusEqual:
				op = "+="
			}
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
// that is not one of its options; *dst gets them at the end of the file
// (see placeOptions).
func (p *parser) options(set optionSet, dst *[]Option) {
	sc := p.scratch
	start := len(sc.opts)
	defer func() { sc.optDst = append(sc.optDst, optPlace{dst, start, len(sc.opts)}) }()
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
			if p.d.DependsIf {
				o.If = p.ifExpr()
			}
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
			sc.opts = append(sc.opts, o)
			p.advance()
			continue
		case set == configOptions || set == choiceOptions:
			if !p.entryOption(set, &o) {
				return
			}
		default:
			return
		}
		p.expectEOL()
		if o.Kind != optInvalid {
			sc.opts = append(sc.opts, o)
		}
	}
}

// entryOption parses one option of a config or choice into o; it returns
// false when the current line is not such an option.
func (p *parser) entryOption(set optionSet, o *Option) bool {
	t := p.tok
	switch t.kind {
	case tBool, tTristate, tInt, tHex, tString_:
		if set == choiceOptions && !p.choiceType(t.kind) {
			return false
		}
		p.advance()
		o.Kind = OptType
		o.Type = typeKeyword(t.kind)
		if set == choiceOptions && p.d.ChoiceType == "bool prompt" && p.tok.kind != tString {
			p.errorf(t.line, "expected a prompt after 'bool' in a choice, found "+p.desc())
			p.skipRest()
			o.Kind = optInvalid
			return true
		}
		if p.tok.kind == tString {
			o.Prompt = p.mem.strs.new()
			o.Prompt.Parts = p.tok.word.Parts
			p.advance()
			o.If = p.ifExpr()
		}
	case tPrompt:
		p.advance()
		o.Kind = OptPrompt
		s := p.mem.strs.new()
		if !p.str(s, "prompt") {
			o.Kind = optInvalid
			return true
		}
		o.Prompt = s
		o.If = p.ifExpr()
	case tDefault, tDefBool, tDefTristate:
		p.advance()
		o.Kind = OptDefault
		switch t.kind {
		case tDefBool:
			o.Type = Bool
		case tDefTristate:
			o.Type = Tristate
		}
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
		o.Sym = p.mem.words.new()
		*o.Sym = p.tok.word
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

// choiceType reports whether a choice of this dialect takes the type
// keyword k as an option.
func (p *parser) choiceType(k tokKind) bool {
	switch p.d.ChoiceType {
	case "bool/tristate":
		return k == tBool || k == tTristate
	case "bool prompt":
		return k == tBool
	}
	return false
}

// typeKeyword is the type a type keyword names.
func typeKeyword(k tokKind) Type {
	switch k {
	case tBool:
		return Bool
	case tTristate:
		return Tristate
	case tInt:
		return Int
	case tHex:
		return Hex
	case tString_:
		return String
	}
	return Unknown
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
		y := p.andExpr()
		b := p.mem.bins.new()
		*b = BinExpr{Op: "||", X: x, Y: y}
		x = b
	}
	return x
}

func (p *parser) andExpr() Expr {
	x := p.unary()
	for p.tok.kind == tAnd {
		p.advance()
		y := p.unary()
		b := p.mem.bins.new()
		*b = BinExpr{Op: "&&", X: x, Y: y}
		x = b
	}
	return x
}

var tooDeep = "expression too deeply nested: more than " + strconv.Itoa(maxNesting) + " levels of '(' and '!'"

// cmpOp returns the comparison operator a token is, if it is one.
func cmpOp(k tokKind) (string, bool) {
	switch k {
	case tEqual:
		return "=", true
	case tUnequal:
		return "!=", true
	case tLess:
		return "<", true
	case tLessEqual:
		return "<=", true
	case tGreater:
		return ">", true
	case tGreaterEqual:
		return ">=", true
	}
	return "", false
}

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
		n := p.mem.nots.new()
		n.X = x
		return n
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
		if op, ok := cmpOp(p.tok.kind); ok {
			p.advance()
			if p.tok.kind != tWord && p.tok.kind != tString {
				p.exprFail("expected a symbol after '" + op + "', found " + p.desc())
				return &SymExpr{W: a}
			}
			b := p.tok.word
			p.advance()
			c := p.mem.cmps.new()
			*c = CmpExpr{Op: op, A: a, B: b}
			return c
		}
		x := p.mem.syms.new()
		x.W = a
		return x
	}
	return p.exprFail("expected an expression, found " + p.desc())
}
