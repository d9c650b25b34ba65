package kconfig

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// Helpers shared by the parser, loader and fuzz tests: printers that show
// a parsed File or a loaded Kconfig as compact text, so that tests can
// compare whole results rather than probe a field here and there.

// dumpFile prints the statements of a parsed file, one per line, with
// their line numbers and options indented below them, and then its
// errors. Expressions are fully parenthesized to show how they grouped.
func dumpFile(f *File) string {
	var b strings.Builder
	dumpStmts(&b, f.Stmts, "")
	for _, e := range f.Errors {
		b.WriteString(errText(e))
		b.WriteByte('\n')
	}
	return b.String()
}

func errText(e *Error) string {
	if e.Warning {
		return "warning: " + e.Error()
	}
	return "error: " + e.Error()
}

func dumpStmts(b *strings.Builder, stmts []Stmt, indent string) {
	for _, s := range stmts {
		fmt.Fprintf(b, "%d:%s", s.stmtPos().Line, indent)
		switch s := s.(type) {
		case *ConfigStmt:
			kw := "config"
			if s.Menuconfig {
				kw = "menuconfig"
			}
			fmt.Fprintf(b, "%s %s\n", kw, dumpWord(s.Name))
			dumpOptions(b, s.Options, indent)
		case *ChoiceStmt:
			b.WriteString("choice\n")
			dumpOptions(b, s.Options, indent)
			dumpStmts(b, s.Body, indent+"  ")
			fmt.Fprintf(b, "%d:%sendchoice\n", s.EndPos.Line, indent)
		case *MenuStmt:
			fmt.Fprintf(b, "menu %s\n", dumpStr(s.Prompt))
			dumpOptions(b, s.Options, indent)
			dumpStmts(b, s.Body, indent+"  ")
			fmt.Fprintf(b, "%d:%sendmenu\n", s.EndPos.Line, indent)
		case *IfStmt:
			fmt.Fprintf(b, "if %s\n", dumpExpr(s.Cond))
			dumpStmts(b, s.Body, indent+"  ")
			fmt.Fprintf(b, "%d:%sendif\n", s.EndPos.Line, indent)
		case *CommentStmt:
			fmt.Fprintf(b, "comment %s\n", dumpStr(s.Prompt))
			dumpOptions(b, s.Options, indent)
		case *SourceStmt:
			kw := "source"
			if s.Optional {
				kw = "osource"
			}
			fmt.Fprintf(b, "%s %s\n", kw, dumpStr(s.Path))
		case *MainmenuStmt:
			fmt.Fprintf(b, "mainmenu %s\n", dumpStr(s.Prompt))
		case *AssignStmt:
			fmt.Fprintf(b, "assign %s %s %q\n", dumpWord(s.Name), s.Op, s.Value)
		case *MacroStmt:
			fmt.Fprintf(b, "macro %s\n", dumpWord(s.Text))
		default:
			fmt.Fprintf(b, "%T\n", s)
		}
	}
}

func dumpOptions(b *strings.Builder, opts []Option, indent string) {
	for _, o := range opts {
		fmt.Fprintf(b, "%d:%s  ", o.Line, indent)
		switch o.Kind {
		case OptType:
			b.WriteString(o.Type.String())
			if o.Prompt != nil {
				b.WriteString(" " + dumpStr(*o.Prompt))
			}
		case OptPrompt:
			b.WriteString("prompt " + dumpStr(*o.Prompt))
		case OptDefault:
			switch o.Type {
			case Bool:
				b.WriteString("def_bool ")
			case Tristate:
				b.WriteString("def_tristate ")
			default:
				b.WriteString("default ")
			}
			b.WriteString(dumpExpr(o.Expr))
		case OptSelect:
			b.WriteString("select " + dumpWord(*o.Sym))
		case OptImply:
			b.WriteString("imply " + dumpWord(*o.Sym))
		case OptRange:
			b.WriteString("range " + dumpWord(o.Range[0]) + " " + dumpWord(o.Range[1]))
		case OptDepends:
			b.WriteString("depends on " + dumpExpr(o.Expr))
		case OptVisible:
			b.WriteString("visible")
			if o.Expr != nil {
				b.WriteString(" if " + dumpExpr(o.Expr))
			}
		case OptHelp:
			b.WriteString("help " + strconv.Quote(o.Text))
		case OptModules:
			b.WriteString("modules")
		case OptTransitional:
			b.WriteString("transitional")
		case OptOther:
			b.WriteString("other " + strconv.Quote(o.Text))
		}
		if o.If != nil {
			b.WriteString(" if " + dumpExpr(o.If))
		}
		b.WriteByte('\n')
	}
}

// strText shows a string's parts: literal text quoted, macro references
// as $(...), so that `\$(x)` (literal) and `$(x)` (a reference) differ.
func dumpStr(s Str) string {
	if len(s.Parts) == 0 {
		return `""`
	}
	var b strings.Builder
	for _, p := range s.Parts {
		if p.Macro {
			b.WriteString("$(" + p.Text + ")")
		} else {
			b.WriteString(strconv.Quote(p.Text))
		}
	}
	return b.String()
}

func dumpWord(w Word) string {
	if w.Quoted {
		return dumpStr(Str{Parts: w.Parts})
	}
	return w.Raw
}

func dumpExpr(e Expr) string {
	switch e := e.(type) {
	case nil:
		return "<nil>"
	case *SymExpr:
		return dumpWord(e.W)
	case *NotExpr:
		return "!" + dumpExpr(e.X)
	case *BinExpr:
		return "(" + dumpExpr(e.X) + " " + e.Op + " " + dumpExpr(e.Y) + ")"
	case *CmpExpr:
		return dumpWord(e.A) + e.Op + dumpWord(e.B)
	}
	return fmt.Sprintf("%T", e)
}

// dumpKconfig prints a loaded tree: each defined symbol with its type,
// dependencies and properties (expressions as the C tool prints them),
// then the menu tree.
func dumpKconfig(k *Kconfig) string {
	var b strings.Builder
	for _, s := range k.Symbols {
		if !s.Defined() {
			continue
		}
		fmt.Fprintf(&b, "%s %s", s.displayName(), s.Type)
		if s.DirDep != nil {
			fmt.Fprintf(&b, " dep=%s", s.DirDep)
		}
		if s.RevDep != nil {
			fmt.Fprintf(&b, " rev=%s", s.RevDep)
		}
		if s.Implied != nil {
			fmt.Fprintf(&b, " implied=%s", s.Implied)
		}
		if s.Transitional {
			b.WriteString(" transitional")
		}
		if s == k.Modules {
			b.WriteString(" modules")
		}
		b.WriteByte('\n')
		for _, p := range s.Props {
			b.WriteString("  " + propText(p) + "\n")
		}
	}
	b.WriteString("menu:\n")
	dumpMenu(&b, k.Root, "  ")
	return b.String()
}

func propText(p *Property) string {
	var s string
	switch p.Kind {
	case PropPrompt:
		s = "prompt " + strconv.Quote(p.Text)
	case PropMenu:
		s = "menu " + strconv.Quote(p.Text)
	case PropComment:
		s = "comment " + strconv.Quote(p.Text)
	case PropDefault:
		s = "default " + p.Value.String()
	case PropSelect:
		s = "select " + p.Value.String()
	case PropImply:
		s = "imply " + p.Value.String()
	case PropRange:
		s = "range " + p.Value.String()
	}
	if p.Visible != nil {
		s += " if " + p.Visible.String()
	}
	// Probe placeholders hold NULs.
	return strings.ReplaceAll(s, "\x00", `\0`) + " @" + strconv.Itoa(p.Line)
}

func dumpMenu(b *strings.Builder, n *MenuNode, indent string) {
	for c := n.List; c != nil; c = c.Next {
		b.WriteString(indent)
		switch c.Kind {
		case NodeConfig:
			b.WriteString("config " + c.Sym.Name)
		case NodeMenuconfig:
			b.WriteString("menuconfig " + c.Sym.Name)
		case NodeChoice:
			b.WriteString("choice")
		case NodeMenu:
			b.WriteString("menu")
		case NodeComment:
			b.WriteString("comment")
		case NodeIf:
			b.WriteString("if")
		}
		if c.Prompt != nil && c.Kind != NodeConfig && c.Kind != NodeMenuconfig && c.Kind != NodeChoice {
			b.WriteString(" " + strconv.Quote(c.Prompt.Text))
		}
		if c.Dep != nil {
			b.WriteString(" dep=" + c.Dep.String())
		}
		if c.Visibility != nil {
			b.WriteString(" visible=" + c.Visibility.String())
		}
		if c.Help != "" {
			b.WriteString(" help=" + strconv.Quote(c.Help))
		}
		fmt.Fprintf(b, " %s:%d\n", c.File, c.Line)
		dumpMenu(b, c, indent+"  ")
	}
}

// testTools is the environment the hand-written trees see: a few of the
// variables the kernel's Makefile exports, and nothing from the process.
func testTools(dir string) *Toolchain {
	return &Toolchain{
		Env: map[string]string{
			"srctree": dir, "ARCH": "x86_64", "SRCARCH": "x86", "KRLS_ENV": "from the environment",
		},
		Texts: map[string]string{"CC_VERSION_TEXT": "echo gcc 14"},
	}
}

// loadTree loads the files as a tree, with shell (nil: probes do not run).
func loadTree(t testing.TB, files map[string]string, shell Shell) (*Kconfig, error) {
	t.Helper()
	return loadTreeDialect(t, files, shell, nil)
}

// loadTreeDialect loads a tree in dialect d (nil: read from the tree,
// which for these small trees is Latest).
func loadTreeDialect(t testing.TB, files map[string]string, shell Shell, d *Dialect) (*Kconfig, error) {
	t.Helper()
	dir := kerneltest.WriteTree(t, files)
	return Load(context.Background(), LoadOptions{Srctree: dir, Tools: testTools(dir), Shell: shell, Dialect: d})
}

// errorsText prints a Kconfig's errors and warnings, one a line.
func errorsText(errs []*Error) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(errText(e))
		b.WriteByte('\n')
	}
	return b.String()
}

// fakeShell answers $(shell,...) from a table, recording the commands.
type fakeShell struct {
	out  map[string]string
	cmds []string
}

func (s *fakeShell) Run(_ context.Context, cmd string) (string, error) {
	s.cmds = append(s.cmds, cmd)
	return s.out[cmd], nil
}
