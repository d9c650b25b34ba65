package kconfig

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Dialect is the Kconfig language and semantics of one kernel tree, as its
// own scripts/kconfig implements them. The kernels Rust developers use
// differ: Linux 6.1 still has tristate, optional and named choices whose
// symbol carries a value; 6.11 rewrote choices; 7.0 added `depends on X if
// Y`; 6.18 added `transitional` symbols. Each field is decided by reading
// the tree's scripts/kconfig sources (DetectDialect), never from the
// version number, so a backport or a vendor kernel is read as it is.
type Dialect struct {
	// Source says where the dialect came from: the tree's scripts/kconfig,
	// or the built-in fallback when the tree has none.
	Source string
	// Fallback: the tree has no scripts/kconfig to read, and the newest
	// language krls knows (Linux 7.2's) is assumed.
	Fallback bool

	// keywords are the words lexer.l turns into tokens.
	keywords map[string]tokKind

	// DependsIf: `depends on X if Y` (parser.y: depends ... expr if_expr),
	// meaning X || (Y = n).
	DependsIf bool
	// Transitional: `transitional` symbols are visible to no one, take
	// their value from the .config only and are never written
	// (symbol.c: SYMBOL_TRANS).
	Transitional bool
	// TransitionalUser: a symbol without a value whose default is a
	// transitional symbol the .config set takes that value as its own
	// user value, so that oldconfig does not ask (symbol.c).
	TransitionalUser bool
	// OldChoices: choices are symbols with a value of their own — bool or
	// tristate, `optional`, named — whose members are the entries found
	// directly below them after menu_finalize (expr.h: P_CHOICE). Newer
	// trees keep members in a priority list that reading a .config
	// reorders.
	OldChoices bool
	// ChoiceType is what a choice may say of its type: "bool/tristate"
	// (a type keyword with an optional prompt, 6.1), "bool prompt"
	// (`bool "prompt"`, 6.12) or "" (none, 7.x).
	ChoiceType string
	// NamedChoice: `choice NAME` (parser.y: T_CHOICE word_opt).
	NamedChoice bool
	// ChoiceMemberChecks: choice members must be bool and have a prompt,
	// checked when parsed (parser.y of 6.11+).
	ChoiceMemberChecks bool
	// EmptyNumDefault: an int or hex symbol that gets no value is "" (6.1's
	// symbol_empty), not "0" and "0x0".
	EmptyNumDefault bool
	// ExprCache: expression values are cached until every symbol is
	// invalidated (expr.h: val_is_valid); older trees compute them anew.
	ExprCache bool
	// ReadDropsOutOfRange: conf_read drops a user value outside its range
	// (and an invisible symbol's, if nothing else changed) instead of
	// letting the evaluation clamp it (confdata.c: sym_string_within_range).
	ReadDropsOutOfRange bool
	// LooseUnset: conf_read_simple takes any line starting
	// "# CONFIG_X is not set" (strncmp), not only that exact text, and a
	// CONFIG_ line without '=' is skipped silently.
	LooseUnset bool
	// StrictEntries: a menuconfig without prompt, a second help text and a
	// blank help text are errors, not warnings (parser.y: zconf_error).
	StrictEntries bool
	// RepeatedSource: sourcing a file a second time (by the name as
	// written) is an error (util.c: file_lookup, 7.x).
	RepeatedSource bool
	// HashSize is SYMBOL_HASHSIZE: for_all_symbols visits symbols bucket
	// by bucket of this many (fnv32 of the name), newest first in a
	// bucket, and a few of conf's steps depend on that order.
	HashSize int
}

// builtinKeywords are the keywords of Linux 7.2's lexer.l.
var builtinKeywords = map[string]tokKind{
	"bool": tBool, "choice": tChoice, "comment": tComment, "config": tConfig,
	"def_bool": tDefBool, "def_tristate": tDefTristate, "default": tDefault,
	"depends": tDepends, "endchoice": tEndchoice, "endif": tEndif, "endmenu": tEndmenu,
	"help": tHelp, "hex": tHex, "if": tIf, "imply": tImply, "int": tInt,
	"mainmenu": tMainmenu, "menu": tMenu, "menuconfig": tMenuconfig, "modules": tModules,
	"on": tOn, "prompt": tPrompt, "range": tRange, "select": tSelect, "source": tSource,
	"string": tString_, "transitional": tTransitional, "tristate": tTristate, "visible": tVisible,
}

// tokenNames maps the token names of parser.y to krls's tokens, for the
// keywords lexer.l lists.
var tokenNames = map[string]tokKind{
	"T_BOOL": tBool, "T_CHOICE": tChoice, "T_COMMENT": tComment, "T_CONFIG": tConfig,
	"T_DEF_BOOL": tDefBool, "T_DEF_TRISTATE": tDefTristate, "T_DEFAULT": tDefault,
	"T_DEPENDS": tDepends, "T_ENDCHOICE": tEndchoice, "T_ENDIF": tEndif, "T_ENDMENU": tEndmenu,
	"T_HELP": tHelp, "T_HEX": tHex, "T_IF": tIf, "T_IMPLY": tImply, "T_INT": tInt,
	"T_MAINMENU": tMainmenu, "T_MENU": tMenu, "T_MENUCONFIG": tMenuconfig, "T_MODULES": tModules,
	"T_ON": tOn, "T_PROMPT": tPrompt, "T_RANGE": tRange, "T_SELECT": tSelect, "T_SOURCE": tSource,
	"T_STRING": tString_, "T_TRISTATE": tTristate, "T_VISIBLE": tVisible,
	"T_OPTIONAL": tOptional, "T_TRANSITIONAL": tTransitional, "T_OPTION": tOption,
	"T_OSOURCE": tOsource,
}

// Latest is the dialect of the newest scripts/kconfig krls knows (Linux
// 7.2's), assumed for a tree that has no scripts/kconfig to read.
func Latest() *Dialect {
	return &Dialect{
		Source:           "built-in: Linux 7.2's scripts/kconfig (no scripts/kconfig in the tree)",
		Fallback:         true,
		keywords:         builtinKeywords,
		DependsIf:        true,
		Transitional:     true,
		TransitionalUser: true,
		// 7.2 still accepts the member checks of 6.11.
		ChoiceMemberChecks: true,
		ExprCache:          true,
		StrictEntries:      true,
		RepeatedSource:     true,
		HashSize:           1 << 14,
	}
}

var (
	lexKeywordRE = regexp.MustCompile(`(?m)^"([a-z_]+)"\s+return\s+(T_[A-Z_]+)\s*;`)
	hashSizeRE   = regexp.MustCompile(`(?m)^#define\s+SYMBOL_HASHSIZE\s+(.+?)\s*$`)
	shiftRE      = regexp.MustCompile(`^\(?\s*1U?\s*<<\s*(\d+)\s*\)?$`)
)

// DetectDialect reads the dialect of the tree at srctree from its
// scripts/kconfig sources (lexer.l, parser.y, symbol.c, expr.h,
// confdata.c, internal.h). A tree without them (an out-of-tree Kconfig
// collection, a test tree) gets Latest, marked as a fallback; a tree whose
// sources are there but unreadable is an error.
func DetectDialect(srctree string) (*Dialect, error) {
	dir := filepath.Join(srctree, "scripts", "kconfig")
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read the Kconfig dialect of %s: %w", srctree, err)
		}
		return b, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "parser.y")); err != nil {
		return Latest(), nil
	}
	var src = map[string][]byte{}
	for _, name := range []string{"lexer.l", "parser.y", "symbol.c", "expr.h", "confdata.c"} {
		b, err := read(name)
		if err != nil {
			return nil, err
		}
		src[name] = b
	}
	// internal.h holds SYMBOL_HASHSIZE since 6.9; expr.h before.
	for _, name := range []string{"internal.h", "util.c"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			src[name] = b
		}
	}
	return dialectFromSources(src, "the tree's scripts/kconfig ("+dir+")")
}

// dialectFromSources decides a dialect from the texts of scripts/kconfig
// files, keyed by file name.
func dialectFromSources(src map[string][]byte, source string) (*Dialect, error) {
	d := &Dialect{Source: source, keywords: map[string]tokKind{}}
	for _, m := range lexKeywordRE.FindAllSubmatch(src["lexer.l"], -1) {
		if k, ok := tokenNames[string(m[2])]; ok {
			d.keywords[string(m[1])] = k
		}
	}
	if len(d.keywords) == 0 {
		return nil, fmt.Errorf("%s: no keywords found in lexer.l", source)
	}
	parser := string(src["parser.y"])
	has := func(file, text string) bool { return bytes.Contains(src[file], []byte(text)) }
	d.DependsIf = regexp.MustCompile(`depends:\s*T_DEPENDS\s+T_ON\s+expr\s+if_expr`).MatchString(parser)
	d.Transitional = has("symbol.c", "SYMBOL_TRANS")
	d.TransitionalUser = regexp.MustCompile(`ds->flags\s*&\s*SYMBOL_TRANS`).Match(src["symbol.c"])
	d.OldChoices = has("expr.h", "P_CHOICE")
	switch {
	case regexp.MustCompile(`choice_option:\s*logic_type`).MatchString(parser):
		d.ChoiceType = "bool/tristate"
	case regexp.MustCompile(`choice_option:\s*T_BOOL\s+T_WORD_QUOTE`).MatchString(parser):
		d.ChoiceType = "bool prompt"
	}
	d.NamedChoice = regexp.MustCompile(`choice:\s*T_CHOICE\s+word_opt`).MatchString(parser)
	d.ChoiceMemberChecks = strings.Contains(parser, "choice member must be bool")
	d.EmptyNumDefault = !has("symbol.c", `newval.val = "0x0"`)
	d.ExprCache = has("expr.h", "val_is_valid")
	d.ReadDropsOutOfRange = regexp.MustCompile(`(?s)int conf_read\(.*?sym_string_within_range`).Match(src["confdata.c"])
	d.LooseUnset = has("confdata.c", `strncmp(p, "is not set", 10)`)
	d.StrictEntries = strings.Contains(parser, `zconf_error("menuconfig statement without prompt")`)
	d.RepeatedSource = has("util.c", "repeated inclusion of")
	d.HashSize = 0
	for _, name := range []string{"internal.h", "expr.h"} {
		if m := hashSizeRE.FindSubmatch(src[name]); m != nil {
			d.HashSize = parseHashSize(string(m[1]))
			break
		}
	}
	if d.HashSize <= 0 {
		return nil, fmt.Errorf("%s: no SYMBOL_HASHSIZE in internal.h or expr.h", source)
	}
	return d, nil
}

// parseHashSize reads SYMBOL_HASHSIZE's value: a number, or (1U << n).
func parseHashSize(v string) int {
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	if m := shiftRE.FindStringSubmatch(v); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n < 31 {
			return 1 << n
		}
	}
	return 0
}

// sameDialect reports whether files parsed in a read the same in b: the
// parser looks at the keywords and a few syntax rules only.
func sameDialect(a, b *Dialect) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || len(a.keywords) != len(b.keywords) {
		return false
	}
	for w, k := range a.keywords {
		if b.keywords[w] != k {
			return false
		}
	}
	return a.DependsIf == b.DependsIf && a.ChoiceType == b.ChoiceType && a.NamedChoice == b.NamedChoice
}
