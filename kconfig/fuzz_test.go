package kconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the lexer and parser, the loader and the .config
// reader: no input may panic or hang them, every error has a place, and
// what krls writes reads back cleanly. Seeds are the test trees and the
// hand-written cases; crashers found go to testdata/fuzz/<target>/ and
// run with the other tests.
//
//	go test ./kconfig -run XXX -fuzz FuzzParseFile
//	go test ./kconfig -run XXX -fuzz FuzzLoad
//	go test ./kconfig -run XXX -fuzz FuzzParseDotConfig

// within runs fn and fails the test if it panics or takes longer than
// limit. fn runs on its own goroutine so that a hang is reported rather
// than waited for (the goroutine is then left behind: the test has failed).
func within(t *testing.T, limit time.Duration, fn func()) {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
				return
			}
			done <- ""
		}()
		fn()
	}()
	select {
	case msg := <-done:
		if msg != "" {
			t.Fatal(msg)
		}
	case <-time.After(limit):
		t.Fatalf("no result within %v", limit)
	}
}

// parseSeeds are hand-written inputs that reach the corners of the lexer
// and parser.
var parseSeeds = []string{
	"", "\n", "\\", "\\\n", "#", "\"", "'", "$", "$(", "$()", "$(x", "(", ")", "!", "=", ":=", "+=",
	"mainmenu \"m\"\n",
	"config A\n\tbool \"a\" if B\n\tdefault y if C\n\tselect D if E\n\timply F\n\tdepends on G && (H || !I)\n\trange 1 2 if J\n\thelp\n\t  text\n\n\t    more\n",
	"menuconfig M\n\ttristate \"m\"\n\tmodules\n\toption modules\n\ttransitional\n",
	"choice\n\tprompt \"c\"\n\toptional\n\tdefault X\nconfig X\n\tbool \"x\"\nendchoice\n",
	"menu \"m\"\n\tvisible if A\n\tdepends on B\nif C\ncomment \"c\"\n\tdepends on D\nendif\nendmenu\n",
	"source \"a\"\nosource \"b/$(SRCARCH)/c\"\n",
	"X := $(shell,echo y)\nY = $(X) $(1)\nZ += $(info,i)\n$(warning-if,y,w)\n$(error-if,n,e)\n",
	"config A\n\tdepends on A = B && C != \"x\" || D < 1 && E <= 0x2 || F > -3 && G >= 'q'\n",
	"config A\r\n\tbool\r\n", "config A\x00B\n\tbool \"\x00\"\nX := \x00\n",
	"config A\n\thelp\n", "config A\n\thelp\nconfig B\n", "config A\n\thelp\n  \tx\n\ty\n z\n",
	"if A\nif B\nmenu \"m\"\nchoice\nendchoice\nendmenu\nendif\n",
	"endif\nendmenu\nendchoice\n", "config\n", "config \"A\"\n", "depends on\n",
	"config A\n\tstring \"\\\"\\\\\\$(x)$(y,$(z))\"\n",
	"config A\n\tdepends on B \\\n\t\t&& C\n",
	"config caf\xc3\xa9\n\tbool \"\xff\xfe\"\n",
	strings.Repeat("(", 50) + strings.Repeat("!", 50),
	strings.Repeat("if y\n", 40),
}

func addFileSeeds(f *testing.F, patterns ...string) {
	for _, pat := range patterns {
		paths, _ := filepath.Glob(pat)
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

// FuzzParseFile: ParseFile on any bytes terminates quickly without
// panicking; every error is in the file, at a line that exists, with a
// message; and no word or string holds a NUL (placeholders of probes that
// did not run do).
func FuzzParseFile(f *testing.F) {
	addFileSeeds(f, "testdata/trees/*/Kconfig", "testdata/transitional/Kconfig", "testdata/transitional/*/Kconfig", "testdata/dotconfig/Kconfig")
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	for _, cases := range [][]parseCase{constructCases, stringCases, helpCases, macroCases, errorCases} {
		for _, c := range cases {
			f.Add([]byte(c.src))
		}
	}
	f.Add([]byte("config A\n\ttristate \"a\"\n\tdepends on B if !C\n\tdepends on D if (E || F) && G = \"x\"\n"))
	f.Add([]byte("choice NAME\n\ttristate \"c\"\n\toptional\nconfig A\n\ttristate \"a\"\nconfig B\n\tbool \"b\"\n\tdepends on A\nendchoice\n"))
	f.Add([]byte("config OLD\n\tbool\n\ttransitional\nconfig NEW\n\tbool \"n\"\n\tdefault OLD\n"))
	dialects := testDialects()
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, d := range dialects {
			var file *File
			within(t, 2*time.Second, func() { file = ParseFileDialect("Kconfig", src, d) })
			for _, e := range file.Errors {
				if e.File != "Kconfig" || e.Line < 1 || e.Line > lines || e.Msg == "" {
					t.Fatalf("%s: bad error %q at %s:%d (%d lines)", d.Source, e.Msg, e.File, e.Line, lines)
				}
			}
			checkStmts(t, file.Stmts, lines)
		}
	})
}

// testDialects are the dialects of the three fixture kernels as
// DetectDialect reads them, written out so that the fuzzers need no tree.
func testDialects() []*Dialect {
	v612 := *Latest()
	v612.Source = "6.12-like"
	v612.keywords = maps.Clone(v612.keywords)
	delete(v612.keywords, "transitional")
	v612.DependsIf, v612.Transitional, v612.TransitionalUser, v612.StrictEntries, v612.RepeatedSource = false, false, false, false, false
	v612.ChoiceType = "bool prompt"
	v61 := v612
	v61.Source = "6.1-like"
	v61.keywords = maps.Clone(v612.keywords)
	v61.keywords["optional"] = tOptional
	v61.OldChoices, v61.ChoiceType, v61.NamedChoice, v61.ChoiceMemberChecks = true, "bool/tristate", true, false
	v61.EmptyNumDefault, v61.ExprCache, v61.ReadDropsOutOfRange, v61.LooseUnset = true, false, true, true
	v61.HashSize = 9973
	return []*Dialect{&v61, &v612, Latest()}
}

// checkStmts checks positions and that no token text holds a NUL.
func checkStmts(t *testing.T, stmts []Stmt, lines int) {
	t.Helper()
	word := func(w Word) {
		if strings.IndexByte(w.Raw, 0) >= 0 && !strings.Contains(w.Raw, "$(") {
			t.Fatalf("word %q holds a NUL", w.Raw)
		}
		for _, p := range w.Parts {
			if strings.IndexByte(p.Text, 0) >= 0 {
				t.Fatalf("string part %q holds a NUL", p.Text)
			}
		}
	}
	str := func(s Str) { word(Word{Parts: s.Parts}) }
	var expr func(Expr)
	expr = func(e Expr) {
		switch e := e.(type) {
		case *SymExpr:
			word(e.W)
		case *NotExpr:
			expr(e.X)
		case *BinExpr:
			expr(e.X)
			expr(e.Y)
		case *CmpExpr:
			word(e.A)
			word(e.B)
		}
	}
	pos := func(p Pos) {
		if p.Line < 1 || p.Line > lines {
			t.Fatalf("statement at line %d of %d", p.Line, lines)
		}
	}
	opts := func(os []Option) {
		for _, o := range os {
			pos(o.Pos)
			if o.Prompt != nil {
				str(*o.Prompt)
			}
			expr(o.Expr)
			expr(o.If)
			if o.Sym != nil {
				word(*o.Sym)
			}
			if o.Range != nil {
				word(o.Range[0])
				word(o.Range[1])
			}
		}
	}
	for _, s := range stmts {
		pos(s.stmtPos())
		switch s := s.(type) {
		case *ConfigStmt:
			word(s.Name)
			opts(s.Options)
		case *ChoiceStmt:
			opts(s.Options)
			checkStmts(t, s.Body, lines)
		case *MenuStmt:
			str(s.Prompt)
			opts(s.Options)
			checkStmts(t, s.Body, lines)
		case *IfStmt:
			expr(s.Cond)
			checkStmts(t, s.Body, lines)
		case *CommentStmt:
			str(s.Prompt)
			opts(s.Options)
		case *SourceStmt:
			str(s.Path)
		case *MainmenuStmt:
			str(s.Prompt)
		case *AssignStmt:
			word(s.Name)
			if strings.IndexByte(s.Value, 0) >= 0 {
				t.Fatalf("assigned value %q holds a NUL", s.Value)
			}
		case *MacroStmt:
			word(s.Text)
		}
	}
}

// loadSeeds are pairs of a top Kconfig and the file "b" beside it.
var loadSeeds = [][2]string{
	{"source \"b\"\n", "config B\n\tbool \"b\"\n"},
	{"source \"b\"\n", "source \"b\"\n"},
	{"source \"b\"\n", "source \"Kconfig\"\n"},
	{"source \"b\"\nconfig A\n\tdef_bool B\n", "config B\n\ttristate \"b\"\n\tselect A\n"},
	{"X = $(X)\nconfig $(X)\n", ""},
	{"f = $(f,$(1))$(f,$(1))\n$(f,x)\n", ""},
	{"A = $(B)$(B)\nB = $(C)$(C)\nC = $(D)$(D)\nD = x\nconfig $(A)\n\tbool\n", ""},
	{"p := $(p)/.\nsource \"b$(p)\"\n", "source \"Kconfig\"\n"},
	{"$(error-if,y,stop)\n", ""},
	{"mainmenu \"$(info,x)\"\nsource \"$(filename)\"\n", ""},
	{"config MODULES\n\tbool \"m\"\n\tmodules\nconfig T\n\ttristate \"t\"\n\tdefault m\n", "config MODULES\n\tmodules\n"},
	{"choice\n\tprompt \"c\"\nconfig A\n\tbool \"a\"\nsource \"b\"\nendchoice\n", "config B\n\tbool \"b\"\n\tdefault y\n"},
	{"config I\n\tint \"i\"\n\trange B A\n\tdefault \"x\"\nconfig A\n\tint\nconfig B\n\thex\n", ""},
	{"config S\n\tdef_bool $(shell,true) && $(CC_VERSION_TEXT)\n", ""},
	{"menu \"m\"\n\tvisible if X\nsource \"b\"\nendmenu\n", "if Y\nconfig Z\n\tbool \"z\"\nendif\n"},
	{"config A\n\tbool \"a\"\n\tdepends on A\nconfig B\n\tbool\n\tselect B\n", ""},
	{"config A\n\tint \"a\"\n\trange A A\n\tdefault A\nconfig H\n\thex \"h\"\n\trange 0x10 0x1\n", ""},
	{"choice\n\tprompt \"c\"\n\tdepends on A\nconfig A\n\ttristate \"a\"\nconfig B\n\tbool\nendchoice\n", ""},
	{"config S\n\tstring \"s\"\n\tdefault T\nconfig T\n\tstring\n\tdefault S\n", "config S\n\tint\n"},
	{"config MODULES\n\ttristate \"m\"\n\tmodules\nmenuconfig A\n\tbool\nconfig B\n\ttristate \"b\" if A\n\timply B\n\tdepends on !B || m\n", ""},
	{"config A\n\tbool \"a\"\n\tdefault y\n\tselect C\nchoice\n\tprompt \"c\"\nconfig C\n\tbool \"c\"\nconfig D\n\tbool \"d\"\n\tselect A\nendchoice\n", ""},
}

// FuzzLoad: Load of a two-file tree (the top Kconfig and "b", both
// fuzzed) terminates without panicking and without running commands (no
// Shell); its errors have places; and the tree evaluates and writes a
// .config that reads back without complaint.
func FuzzLoad(f *testing.F) {
	trees, _ := filepath.Glob("testdata/trees/*/Kconfig")
	for _, p := range trees {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, []byte(""))
		}
	}
	for _, s := range loadSeeds {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Add([]byte("config MODULES\n\tbool \"m\"\n\tmodules\nchoice\n\ttristate \"c\"\nconfig A\n\ttristate \"a\"\nconfig B\n\tbool \"b\"\nendchoice\nconfig C\n\ttristate \"c\"\n\tdepends on A if B\nsource \"b\"\n"),
		[]byte("config OLD\n\tint\n\ttransitional\nconfig NEW\n\tint \"n\"\n\tdefault OLD\n"))
	dialects := testDialects()
	f.Fuzz(func(t *testing.T, top, sub []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Kconfig"), top, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "b"), sub, 0o644); err != nil {
			t.Fatal(err)
		}
		// Only the environment the tree sees; no commands (CC_VERSION_TEXT
		// becomes a placeholder like any probe).
		tools := &Toolchain{
			Env:   map[string]string{"srctree": dir, "SRCARCH": "x86", "ARCH": "x86_64"},
			Texts: map[string]string{"CC_VERSION_TEXT": "gcc --version"},
		}
		for _, d := range dialects {
			var k *Kconfig
			var err error
			within(t, 10*time.Second, func() {
				k, err = Load(context.Background(), LoadOptions{Srctree: dir, Tools: tools, Dialect: d})
			})
			if err != nil {
				var ke *Error
				if !errors.As(err, &ke) || ke.File == "" || ke.Line < 1 || ke.Msg == "" {
					t.Fatalf("%s: error without a place: %v", d.Source, err)
				}
				continue
			}
			for _, e := range k.Errors {
				if e.File == "" || e.Line < 1 || e.Msg == "" {
					t.Fatalf("%s: error without a place: %q at %q:%d", d.Source, e.Msg, e.File, e.Line)
				}
			}
			within(t, 10*time.Second, func() { err = checkWriteReadBack(k, nil) })
			if err != nil {
				t.Fatalf("%s: %v", d.Source, err)
			}
		}
	})
}

// checkWriteReadBack applies a .config (nil: none) to k, writes the
// result, and checks that it reads back: no odd lines, every entry a
// symbol of k with the value the evaluation gave it, each symbol once,
// and no warning when read again. It returns what is wrong, for the test
// goroutine to report (it runs under within).
func checkWriteReadBack(k *Kconfig, input []byte) error {
	d, err := ParseDotConfig("in", bytes.NewReader(input))
	if err != nil {
		return err
	}
	e := NewEval(k)
	e.Apply(d)
	var out bytes.Buffer
	if err := e.WriteConfig(&out); err != nil {
		return err
	}
	back, err := ParseDotConfig("out", bytes.NewReader(out.Bytes()))
	if err != nil {
		return err
	}
	if len(back.Problems) > 0 {
		return fmt.Errorf("written .config has an odd line: %v\n%s", back.Problems[0], out.Bytes())
	}
	seen := map[string]bool{}
	invalid := map[int]bool{} // lines of invalid numbers
	for _, en := range back.Entries {
		s := k.Lookup(en.Name)
		if s == nil {
			return fmt.Errorf("wrote %s, no symbol of the tree", en.Name)
		}
		if seen[en.Name] {
			return fmt.Errorf("wrote %s twice", en.Name)
		}
		seen[en.Name] = true
		got := en.Value
		if s.Type == String {
			v, ok := unescapeConfigString(strings.TrimPrefix(got, `"`))
			if !ok || !strings.HasPrefix(got, `"`) {
				return fmt.Errorf("wrote %s=%s, not a string", en.Name, got)
			}
			got = v
		}
		if want := e.Str(s); got != want {
			return fmt.Errorf("wrote %s=%q, evaluated %q", en.Name, got, want)
		}
		// A number that is none comes from a Kconfig default (conf too
		// writes `default "x"` of an int as is); never from the .config,
		// whose invalid values are dropped.
		if (s.Type == Int || s.Type == Hex) && !validNumber(s.Type, got) {
			if u, ok := e.User(s); ok && u == got {
				return fmt.Errorf("wrote %s=%q, an invalid value read from the .config", en.Name, got)
			}
			invalid[en.Line] = true
		}
	}
	e2 := NewEval(k)
	e2.Apply(back)
	for _, w := range e2.Warnings {
		// 6.1 may write two values of a choice y (a promptless one takes
		// its default), which reading back warns about, in conf too.
		if k.Dialect.OldChoices && strings.Contains(w.Msg, "choice state") {
			continue
		}
		if w.File == "out" && !invalid[w.Line] {
			return fmt.Errorf("reading the written .config: %v\n%s", w, out.Bytes())
		}
	}
	return nil
}

// FuzzParseDotConfig: any .config applied to the test trees (probes left
// unrun, so that values come from the .config) evaluates and writes a
// .config that reads back cleanly.
func FuzzParseDotConfig(f *testing.F) {
	addFileSeeds(f, "testdata/trees/*/config*")
	for _, c := range dotconfigInputs {
		f.Add([]byte(c.in))
	}
	var ks []*Kconfig
	trees, _ := filepath.Glob("testdata/trees/*")
	trees = append(trees, "testdata/dotconfig", "testdata/transitional")
	for _, tree := range trees {
		tree, _ = filepath.Abs(tree)
		tools := &Toolchain{Env: map[string]string{"srctree": tree, "KRLS_TEST_VAR": testEnvVar}}
		for _, d := range testDialects() {
			k, err := Load(context.Background(), LoadOptions{Srctree: tree, Tools: tools, Dialect: d})
			if err != nil {
				f.Fatalf("%s: %v", tree, err)
			}
			ks = append(ks, k)
		}
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		var err error
		within(t, 5*time.Second, func() {
			for _, k := range ks {
				if err = checkWriteReadBack(k, input); err != nil {
					err = fmt.Errorf("%s: %w", k.Srctree, err)
					return
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
