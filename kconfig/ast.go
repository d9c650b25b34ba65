// Package kconfig reads the Linux kernel's Kconfig language and .config
// files, and evaluates a configuration with the semantics of the tree's
// own scripts/kconfig (Linux 6.1, 6.12 and 7.x: see Dialect), so that its
// output matches that tree's `make olddefconfig` byte for byte. It knows
// nothing of LSP.
//
// Work happens in three stages:
//
//  1. Parse: each Kconfig file is lexed and parsed on its own, in parallel,
//     into a File (an AST). Macro references ($(...)) are kept unexpanded,
//     since their values depend on assignments in files read earlier.
//  2. Load: the files are walked in the order `source` statements give,
//     expanding macros, building symbols and the menu tree, and finishing
//     them as the C tool's menu_finalize does (dependency propagation,
//     select/imply reverse dependencies). The result, a Kconfig, is
//     immutable and can be shared.
//  3. Evaluate: a .config is applied to a Kconfig, giving an Eval with every
//     symbol's value, which can be written out as conf writes it.
//
// Toolchain probes ($(shell,...)) never run unless allowed: their results
// are then taken from the .config, where conf recorded them.
package kconfig

import (
	"strconv"
	"strings"
)

// Pos is a place in a Kconfig file: the file (relative to the srctree, as
// conf prints it) and a 1-based line.
type Pos struct {
	File string
	Line int
}

// File is one parsed Kconfig file.
type File struct {
	Path  string // as given to the parser (relative to the srctree)
	Stmts []Stmt
	// Errors are syntax errors; the statements around them still parsed.
	Errors []*Error
}

// Stmt is a statement of a Kconfig file.
type Stmt interface{ stmtPos() Pos }

// ConfigStmt is `config NAME` or `menuconfig NAME` and its options.
type ConfigStmt struct {
	Pos
	Name       Word
	Menuconfig bool
	Options    []Option
}

// ChoiceStmt is `choice` ... `endchoice`.
type ChoiceStmt struct {
	Pos
	Name    string // `choice NAME` (Linux 6.1 and older)
	Options []Option
	Body    []Stmt
	EndPos  Pos
}

// MenuStmt is `menu "prompt"` ... `endmenu`.
type MenuStmt struct {
	Pos
	Prompt  Str
	Options []Option // depends on, visible if
	Body    []Stmt
	EndPos  Pos
}

// IfStmt is `if EXPR` ... `endif`.
type IfStmt struct {
	Pos
	Cond   Expr
	Body   []Stmt
	EndPos Pos
}

// CommentStmt is `comment "text"` with its `depends on` options.
type CommentStmt struct {
	Pos
	Prompt  Str
	Options []Option
}

// SourceStmt is `source "path"` (`osource` for an optional one, as older
// and newer kernels spell it).
type SourceStmt struct {
	Pos
	Path     Str
	Optional bool
}

// MainmenuStmt is `mainmenu "title"`.
type MainmenuStmt struct {
	Pos
	Prompt Str
}

// AssignStmt is a macro variable assignment: `NAME = value`, `:=`, `+=`.
type AssignStmt struct {
	Pos
	Name  Word
	Op    string // "=", ":=" or "+="
	Value string // the raw text after the operator
}

// MacroStmt is a line holding only macro references, such as
// `$(error-if,...)`: it is expanded for its effects and must expand to
// nothing.
type MacroStmt struct {
	Pos
	Text Word
}

func (s *ConfigStmt) stmtPos() Pos   { return s.Pos }
func (s *ChoiceStmt) stmtPos() Pos   { return s.Pos }
func (s *MenuStmt) stmtPos() Pos     { return s.Pos }
func (s *IfStmt) stmtPos() Pos       { return s.Pos }
func (s *CommentStmt) stmtPos() Pos  { return s.Pos }
func (s *SourceStmt) stmtPos() Pos   { return s.Pos }
func (s *MainmenuStmt) stmtPos() Pos { return s.Pos }
func (s *AssignStmt) stmtPos() Pos   { return s.Pos }
func (s *MacroStmt) stmtPos() Pos    { return s.Pos }

// OptionKind tells the options of config, choice, menu and comment apart.
type OptionKind int8

const (
	OptType         OptionKind = iota // bool/tristate/int/hex/string ["prompt"] [if EXPR]
	OptPrompt                         // prompt "text" [if EXPR]
	OptDefault                        // default EXPR [if EXPR]; def_bool and def_tristate set Type
	OptSelect                         // select SYM [if EXPR]
	OptImply                          // imply SYM [if EXPR]
	OptRange                          // range A B [if EXPR]
	OptDepends                        // depends on EXPR
	OptVisible                        // visible if EXPR (menus)
	OptHelp                           // help, with its text
	OptModules                        // modules (and `option modules` of older trees)
	OptTransitional                   // transitional (Linux 6.17+)
	OptOther                          // `option ...` forms older trees had, kept for their text
)

// Type is a symbol type.
type Type uint8

const (
	Unknown Type = iota
	Bool
	Tristate
	Int
	Hex
	String
)

func (t Type) String() string {
	switch t {
	case Bool:
		return "bool"
	case Tristate:
		return "tristate"
	case Int:
		return "int"
	case Hex:
		return "hex"
	case String:
		return "string"
	}
	return "unknown"
}

// Option is one line of a config, choice, menu or comment entry.
type Option struct {
	Pos
	Kind   OptionKind
	Type   Type  // OptType; OptDefault for def_bool/def_tristate
	Prompt *Str  // OptType (inline prompt), OptPrompt
	Expr   Expr  // OptDefault value, OptDepends, OptVisible condition
	Sym    *Word // OptSelect, OptImply
	Range  *[2]Word
	If     Expr // the `if EXPR` condition (of a depends on too, Linux 7.0+), or nil
	// Text is the help text (OptHelp), or the words of an OptOther.
	Text string
}

// Word is a symbol name or constant as written: plain, or with macro
// references to expand at load time, or a quoted string (a constant).
type Word struct {
	Raw    string // the text as written, without quotes
	Quoted bool
	// Parts of a quoted string: literal text and macro references, kept
	// apart so that an escaped `\$` stays literal.
	Parts []StrPart
}

// HasMacro reports whether the word needs macro expansion.
func (w Word) HasMacro() bool {
	if w.Quoted {
		for _, p := range w.Parts {
			if p.Macro {
				return true
			}
		}
		return false
	}
	return strings.IndexByte(w.Raw, '$') >= 0
}

// Str is a quoted string: a prompt, a source path, a mainmenu title.
type Str struct {
	Parts []StrPart
}

// StrPart is literal text, or the text of one `$(...)` reference (from
// the character after '$').
type StrPart struct {
	Text  string
	Macro bool
}

// Literal returns the string's text when it has no macro references.
func (s Str) Literal() (string, bool) {
	out := ""
	for _, p := range s.Parts {
		if p.Macro {
			return "", false
		}
		out += p.Text
	}
	return out, true
}

// Expr is an unevaluated expression as parsed.
type Expr interface{ exprNode() }

// SymExpr is a symbol or constant.
type SymExpr struct{ W Word }

// NotExpr is `!X`.
type NotExpr struct{ X Expr }

// BinExpr is `X && Y` or `X || Y`.
type BinExpr struct {
	Op   string // "&&" or "||"
	X, Y Expr
}

// CmpExpr is `A op B` with op one of = != < <= > >=.
type CmpExpr struct {
	Op   string
	A, B Word
}

func (*SymExpr) exprNode() {}
func (*NotExpr) exprNode() {}
func (*BinExpr) exprNode() {}
func (*CmpExpr) exprNode() {}

// Error is a problem in a Kconfig or .config file, with its place.
type Error struct {
	Pos
	Msg     string
	Warning bool
}

func (e *Error) Error() string {
	if e.File == "" {
		return e.Msg
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}
