package kconfig

// What an editor needs from one Kconfig file on its own: its outline and
// the symbol names it mentions, with their lines. Both work from the
// parsed File, so they work on a buffer being edited.

// OutlineKind is the kind of an outline entry.
type OutlineKind int

const (
	OutlineConfig OutlineKind = iota
	OutlineMenuconfig
	OutlineChoice
	OutlineMenu
	OutlineComment
	OutlineIf
	OutlineMainmenu
	OutlineSource
)

// OutlineNode is an entry of a file's outline: a config (name, type and
// prompt), a choice, menu, comment or if block (with its children), a
// mainmenu or a source.
type OutlineNode struct {
	Kind OutlineKind
	// Name is the symbol name (configs), the prompt (menus, comments,
	// choices without a name), the condition (ifs) or the path (sources).
	Name string
	// Detail is the type and prompt of a config ("bool \"Rust support\"").
	Detail   string
	Line     int
	EndLine  int // last line of the entry (the end of a block)
	Children []*OutlineNode
}

// Outline returns the file's outline.
func Outline(f *File) []*OutlineNode {
	return outline(f.Stmts)
}

func outline(stmts []Stmt) []*OutlineNode {
	var out []*OutlineNode
	for i, s := range stmts {
		// A config's entry runs to the line before the next statement.
		end := 0
		if i+1 < len(stmts) {
			end = stmts[i+1].stmtPos().Line - 1
		}
		switch s := s.(type) {
		case *ConfigStmt:
			n := &OutlineNode{Kind: OutlineConfig, Name: s.Name.Raw, Line: s.Line, EndLine: s.Line}
			if s.Menuconfig {
				n.Kind = OutlineMenuconfig
			}
			n.Detail = configDetail(s.Options)
			for _, o := range s.Options {
				n.EndLine = max(n.EndLine, o.Line)
			}
			if end > n.EndLine && hasHelp(s.Options) {
				n.EndLine = end
			}
			out = append(out, n)
		case *ChoiceStmt:
			n := &OutlineNode{Kind: OutlineChoice, Name: "choice", Line: s.Line, EndLine: s.EndPos.Line, Children: outline(s.Body)}
			if p := optionPrompt(s.Options); p != "" {
				n.Name = p
			}
			out = append(out, n)
		case *MenuStmt:
			out = append(out, &OutlineNode{Kind: OutlineMenu, Name: outlineStr(s.Prompt), Line: s.Line, EndLine: s.EndPos.Line, Children: outline(s.Body)})
		case *IfStmt:
			out = append(out, &OutlineNode{Kind: OutlineIf, Name: "if " + outlineExpr(s.Cond), Line: s.Line, EndLine: s.EndPos.Line, Children: outline(s.Body)})
		case *CommentStmt:
			out = append(out, &OutlineNode{Kind: OutlineComment, Name: outlineStr(s.Prompt), Line: s.Line, EndLine: s.Line})
		case *MainmenuStmt:
			out = append(out, &OutlineNode{Kind: OutlineMainmenu, Name: outlineStr(s.Prompt), Line: s.Line, EndLine: s.Line})
		case *SourceStmt:
			out = append(out, &OutlineNode{Kind: OutlineSource, Name: outlineStr(s.Path), Line: s.Line, EndLine: s.Line})
		}
	}
	return out
}

func hasHelp(opts []Option) bool {
	for _, o := range opts {
		if o.Kind == OptHelp {
			return true
		}
	}
	return false
}

func optionPrompt(opts []Option) string {
	for _, o := range opts {
		if (o.Kind == OptType || o.Kind == OptPrompt) && o.Prompt != nil {
			return outlineStr(*o.Prompt)
		}
	}
	return ""
}

func configDetail(opts []Option) string {
	typ := ""
	for _, o := range opts {
		if (o.Kind == OptType || o.Kind == OptDefault) && o.Type != Unknown && typ == "" {
			typ = o.Type.String()
		}
	}
	if p := optionPrompt(opts); p != "" {
		if typ != "" {
			return typ + " \"" + p + "\""
		}
		return "\"" + p + "\""
	}
	return typ
}

// outlineStr renders a string as written, with its $(...) references.
func outlineStr(s Str) string { return partsRaw(s.Parts) }

// outlineExpr renders a parsed expression as written (normalised spacing).
func outlineExpr(e Expr) string {
	switch e := e.(type) {
	case *SymExpr:
		return outlineWord(e.W)
	case *NotExpr:
		if _, ok := e.X.(*BinExpr); ok {
			return "!(" + outlineExpr(e.X) + ")"
		}
		return "!" + outlineExpr(e.X)
	case *BinExpr:
		l, r := outlineExpr(e.X), outlineExpr(e.Y)
		if e.Op == "&&" {
			if b, ok := e.X.(*BinExpr); ok && b.Op == "||" {
				l = "(" + l + ")"
			}
			if b, ok := e.Y.(*BinExpr); ok && b.Op == "||" {
				r = "(" + r + ")"
			}
		}
		return l + " " + e.Op + " " + r
	case *CmpExpr:
		return outlineWord(e.A) + e.Op + outlineWord(e.B)
	}
	return ""
}

func outlineWord(w Word) string {
	if w.Quoted {
		return "\"" + w.Raw + "\""
	}
	return w.Raw
}

// NameRef is a symbol name in a Kconfig file: its definition (config,
// menuconfig) or a use (dependencies, defaults, selects, ranges,
// conditions).
type NameRef struct {
	Name string
	Line int
	Def  bool
}

// NameRefs returns the symbol names a file mentions, in order. Quoted
// constants, numbers, y/m/n and names built by macros are left out.
func NameRefs(f *File) []NameRef {
	var out []NameRef
	add := func(w Word, line int) {
		if w.Quoted || w.HasMacro() || !isSymbolName(w.Raw) {
			return
		}
		out = append(out, NameRef{Name: w.Raw, Line: line})
	}
	var expr func(e Expr, line int)
	expr = func(e Expr, line int) {
		switch e := e.(type) {
		case *SymExpr:
			add(e.W, line)
		case *NotExpr:
			expr(e.X, line)
		case *BinExpr:
			expr(e.X, line)
			expr(e.Y, line)
		case *CmpExpr:
			add(e.A, line)
			add(e.B, line)
		}
	}
	options := func(opts []Option) {
		for _, o := range opts {
			switch o.Kind {
			case OptSelect, OptImply:
				if o.Sym != nil {
					add(*o.Sym, o.Line)
				}
			case OptRange:
				if o.Range != nil {
					add(o.Range[0], o.Line)
					add(o.Range[1], o.Line)
				}
			}
			expr(o.Expr, o.Line)
			expr(o.If, o.Line)
		}
	}
	var walk func([]Stmt)
	walk = func(stmts []Stmt) {
		for _, s := range stmts {
			switch s := s.(type) {
			case *ConfigStmt:
				if !s.Name.HasMacro() && !s.Name.Quoted {
					out = append(out, NameRef{Name: s.Name.Raw, Line: s.Line, Def: true})
				}
				options(s.Options)
			case *ChoiceStmt:
				options(s.Options)
				walk(s.Body)
			case *MenuStmt:
				options(s.Options)
				walk(s.Body)
			case *IfStmt:
				expr(s.Cond, s.Line)
				walk(s.Body)
			case *CommentStmt:
				options(s.Options)
			}
		}
	}
	walk(f.Stmts)
	return out
}

// isSymbolName reports whether a word names a symbol rather than being a
// constant: not y/m/n, not a decimal or hex number.
func isSymbolName(s string) bool {
	switch s {
	case "", "y", "m", "n":
		return false
	}
	digits := s
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) > 2 && (digits[:2] == "0x" || digits[:2] == "0X") {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return true
		}
	}
	return false
}
