package kconfig

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// DotConfig is a parsed .config file: its assignments in order, with
// their lines, as conf_read_simple reads them.
type DotConfig struct {
	Path    string
	Entries []Entry
	// Header is the title line conf writes ("Linux/x86_64 6.12.0 Kernel
	// Configuration"), or "".
	Header string
	// Problems are lines conf would warn about.
	Problems []*Error
	byName   map[string]int
	// Lines older conf versions read differently (Dialect.LooseUnset):
	// "# CONFIG_X is not set<more>", which they take as X=n, and
	// "CONFIG_X" without '=', which they skip without a warning.
	looseUnset []Entry
	nNoEquals  int
}

// Entry is one `CONFIG_NAME=value` or `# CONFIG_NAME is not set` line.
type Entry struct {
	Name  string // without CONFIG_
	Value string // as written after '=' ("n" for "is not set")
	Unset bool   // "# CONFIG_NAME is not set"
	Line  int
}

// Lookup returns the last entry for name.
func (d *DotConfig) Lookup(name string) (Entry, bool) {
	if i, ok := d.byName[name]; ok {
		return d.Entries[i], true
	}
	return Entry{}, false
}

var headerRE = regexp.MustCompile(`^# (\S+)/(\S+) (\S+) Kernel Configuration$`)

// ParseDotConfig reads a .config. Lines conf would ignore are ignored (and
// those it would warn about are kept in Problems); only a failure to read
// is an error. Lines are read as conf's getline_stripped reads them: any
// length, the newline and a carriage return before it removed, and the
// text ending at a NUL byte (conf's line is a C string).
func ParseDotConfig(path string, r io.Reader) (*DotConfig, error) {
	d := &DotConfig{Path: path, byName: map[string]int{}}
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // a line longer than br's buffer
	line := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, chunk...)
			continue
		}
		if err != nil && err != io.EOF {
			return d, fmt.Errorf("read %s: line %d: %w", path, line+1, err)
		}
		if long != nil {
			chunk = append(long, chunk...)
			long = nil
		}
		if len(chunk) == 0 {
			break // the end, after a final newline or none
		}
		line++
		if n := len(chunk); chunk[n-1] == '\n' {
			chunk = chunk[:n-1]
			if n := len(chunk); n > 0 && chunk[n-1] == '\r' {
				chunk = chunk[:n-1]
			}
		}
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			chunk = chunk[:i]
		}
		d.parseLine(string(chunk), line)
		if err == io.EOF {
			break
		}
	}
	return d, nil
}

// parseLine reads one line of a .config (conf_read_simple's loop body).
func (d *DotConfig) parseLine(text string, line int) {
	if text == "" {
		return
	}
	if text[0] == '#' {
		if line <= 4 && d.Header == "" {
			if m := headerRE.FindStringSubmatch(text); m != nil {
				d.Header = text[2:]
			}
		}
		if len(text) < 2 || text[1] != ' ' {
			return
		}
		rest, ok := strings.CutPrefix(text[2:], "CONFIG_")
		if !ok {
			return
		}
		name, tail, ok := strings.Cut(rest, " ")
		if !ok || tail != "is not set" {
			if ok && strings.HasPrefix(tail, "is not set") {
				d.looseUnset = append(d.looseUnset, Entry{Name: name, Value: "n", Unset: true, Line: line})
			}
			return
		}
		d.add(Entry{Name: name, Value: "n", Unset: true, Line: line})
		return
	}
	rest, ok := strings.CutPrefix(text, "CONFIG_")
	if !ok {
		d.Problems = append(d.Problems, &Error{Pos: Pos{d.Path, line}, Msg: "unexpected data: " + excerpt(text), Warning: true})
		return
	}
	name, value, ok := strings.Cut(rest, "=")
	if !ok {
		d.Problems = append(d.Problems, &Error{Pos: Pos{d.Path, line}, Msg: "unexpected data: " + excerpt(text), Warning: true})
		d.nNoEquals++
		return
	}
	d.add(Entry{Name: name, Value: value, Line: line})
}

// excerpt shortens a line quoted in a message: a message is read by
// someone, and a .config line can be megabytes long.
func excerpt(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func (d *DotConfig) add(e Entry) {
	d.byName[e.Name] = len(d.Entries)
	d.Entries = append(d.Entries, e)
}

// ReadDotConfig reads the .config at path.
func ReadDotConfig(path string) (*DotConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseDotConfig(path, f)
}

// Apply gives the symbols of e the values of d, as conf_read_simple does
// for user values: unknown names are skipped (and mark the configuration
// changed), invalid values are skipped with a warning, a later assignment
// overrides an earlier one, and each choice member read moves to the front
// of its choice's priority list. Then, as conf_read does, every symbol is
// evaluated and the configuration marked changed where a written value
// differs from what was read.
func (e *Eval) Apply(d *DotConfig) {
	old := e.K.Dialect.OldChoices
	problems := len(d.Problems)
	entries := d.Entries
	if e.K.Dialect.LooseUnset {
		problems -= d.nNoEquals
		if len(d.looseUnset) > 0 {
			entries = mergeByLine(d.Entries, d.looseUnset)
		}
	}
	if problems > 0 {
		e.Changed = true // conf_read: any warning marks it changed
	}
	// seen is the C tool's SYMBOL_DEF_USER flag: the file gave the symbol
	// a value. A value conf ignores (an unquoted string, any value of a
	// symbol without type) sets no flag. By symbol id; the constants y,
	// m and n (ids -1 to -3) after the symbols.
	seen := make([]bool, len(e.st)+3)
	seenAt := func(s *Symbol) *bool {
		if s.id < 0 {
			return &seen[len(e.st)-s.id-1]
		}
		return &seen[s.id]
	}
	if old {
		// 6.1's conf_read_simple: every choice has a value, n until a
		// value of it is read.
		for _, s := range e.K.Symbols {
			if s.IsChoice() {
				st := e.state(s)
				st.hasUser, st.userTri, st.userChoice = true, No, nil
				*seenAt(s) = true
			}
		}
	}
	for _, en := range entries {
		s := e.K.Lookup(en.Name)
		if s == nil {
			s = e.constTristate(en.Name)
		}
		if s == nil && old {
			s = e.K.namedChoices[en.Name]
		}
		if s == nil {
			e.Changed = true
			continue
		}
		if *seenAt(s) {
			e.warn(Pos{d.Path, en.Line}, "override: reassigning to symbol "+s.Name)
		}
		ok, stored := e.setUser(s, en, d.Path)
		if !ok {
			continue
		}
		if stored {
			*seenAt(s) = true
		}
		if old {
			if s.memberOf != nil {
				e.readOldChoiceValue(s, Pos{d.Path, en.Line})
			}
			continue
		}
		if ch := s.ChoiceNode(); ch != nil {
			prio := e.prio[ch]
			for i, m := range prio {
				if m == s {
					copy(prio[1:i+1], prio[:i])
					prio[0] = s
					break
				}
			}
		}
	}
	e.read()
}

// warn records a warning of reading the .config, which marks the
// configuration changed as conf_warning does.
func (e *Eval) warn(pos Pos, msg string) {
	e.Warnings = append(e.Warnings, &Error{Pos: pos, Msg: msg, Warning: true})
	e.Changed = true
}

// readOldChoiceValue is what 6.1's conf_read_simple does when it reads a
// value of a choice: y makes it the choice's user value, m with a value
// at y already makes the state inconsistent (the choice loses its user
// flag), and the choice's own user value is the highest read.
func (e *Eval) readOldChoiceValue(s *Symbol, pos Pos) {
	st, cs := e.state(s), e.state(s.memberOf.Sym)
	if !st.hasUser {
		return
	}
	switch st.userTri {
	case Mod:
		if cs.userTri == Yes {
			e.warn(pos, s.Name+" creates inconsistent choice state")
			cs.hasUser = false
		}
	case Yes:
		if cs.userTri != No {
			e.warn(pos, "override: "+s.Name+" changes choice state")
		}
		cs.userChoice = s
	}
	cs.userTri = triOr(cs.userTri, st.userTri)
}

// mergeByLine merges two lists of entries in line order.
func mergeByLine(a, b []Entry) []Entry {
	out := make([]Entry, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || i < len(a) && a[i].Line < b[j].Line {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

// constTristate returns y, m or n for a .config line naming them: the C
// tool's sym_find finds these constants (and takes a value for them that
// nothing reads), where any other name of no symbol is unknown.
func (e *Eval) constTristate(name string) *Symbol {
	switch name {
	case "y":
		return e.K.Yes
	case "m":
		return e.K.Mod
	case "n":
		return e.K.No
	}
	return nil
}

// setUser is conf_set_sym_val: ok is false for a value conf rejects (with
// a warning), stored false for one it ignores without a word.
func (e *Eval) setUser(s *Symbol, en Entry, path string) (ok, stored bool) {
	p := en.Value
	bad := func(msg string) (bool, bool) {
		e.warn(Pos{path, en.Line}, msg)
		return false, false
	}
	st := e.state(s)
	if st == nil {
		// The constants y, m and n: tristate, and no value to keep.
		if p == "" || p[0] != 'y' && p[0] != 'm' && p[0] != 'n' {
			return bad(fmt.Sprintf("symbol value '%s' invalid for %s", excerpt(p), s.Name))
		}
		return true, true
	}
	switch s.Type {
	case Tristate, Bool:
		switch {
		case s.Type == Tristate && strings.HasPrefix(p, "m"):
			st.userTri = Mod
		case strings.HasPrefix(p, "y"):
			st.userTri = Yes
		case strings.HasPrefix(p, "n"):
			st.userTri = No
		default:
			return bad(fmt.Sprintf("symbol value '%s' invalid for %s", excerpt(p), s.Name))
		}
		st.hasUser = true
		st.read = readValue{tri: st.userTri, str: st.userTri.String(), ok: true}
	case String:
		if !strings.HasPrefix(p, `"`) {
			return true, false // conf ignores it without a word
		}
		v, ok := unescapeConfigString(p[1:])
		if !ok {
			return bad("invalid string found")
		}
		st.userStr, st.hasUser = v, true
		st.read = readValue{str: v, ok: true}
	case Int, Hex:
		if !validNumber(s.Type, p) {
			return bad(fmt.Sprintf("symbol value '%s' invalid for %s", excerpt(p), s.Name))
		}
		st.userStr, st.hasUser = p, true
		st.read = readValue{str: p, ok: true}
	default:
		return true, false // a symbol without type takes no value
	}
	return true, true
}

// unescapeConfigString reads a .config string after its opening quote:
// a backslash keeps the next character, the first plain quote ends it.
func unescapeConfigString(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			return b.String(), true
		case '\\':
			i++
			if i < len(s) {
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return "", false
}

// validNumber is sym_string_valid for int and hex symbols.
func validNumber(t Type, s string) bool {
	switch t {
	case Int:
		s = strings.TrimPrefix(s, "-")
		if s == "" || s[0] < '0' || s[0] > '9' {
			return false
		}
		if s[0] == '0' && len(s) > 1 {
			return false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	case Hex:
		if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
			s = s[2:]
		}
		if s == "" {
			return false
		}
		for i := 0; i < len(s); i++ {
			if !isXDigit(s[i]) {
				return false
			}
		}
		return true
	}
	return true
}

// read is the rest of conf_read: evaluate every symbol (in the C tool's
// order) and note whether the values written would differ from those
// read. Older trees then drop user values conf_read finds out of range
// (ReadDropsOutOfRange).
func (e *Eval) read() {
	e.calc(e.K.Modules)
	unsaved := 0
	for _, s := range e.K.order {
		e.calc(s)
		if s.IsChoice() {
			continue
		}
		st := e.state(s)
		switch {
		case st.hasUser && st.write:
			var same bool
			if s.Type == Bool || s.Type == Tristate {
				same = st.userTri == e.TriValue(s)
			} else {
				same = st.userStr == st.str
			}
			if !same {
				unsaved++
			}
		case !st.hasUser && !st.write:
		default:
			unsaved++
		}
	}
	if e.K.Dialect.ReadDropsOutOfRange {
		for _, s := range e.K.order {
			st := e.state(s)
			if !st.hasUser || s.memberOf != nil {
				continue
			}
			// Reset the values of symbols that cannot be set, so that
			// they appear new should they become visible.
			if st.visible == No && unsaved == 0 {
				st.hasUser = false
			}
			switch s.Type {
			case String, Int, Hex:
				if !e.withinRange(s, st.userStr) {
					st.valid, st.hasUser = false, false
					unsaved++
				}
			}
		}
	}
	if unsaved > 0 {
		e.Changed = true
	}
}

// withinRange is sym_string_within_range for the .config's value of an
// int, hex or string symbol.
func (e *Eval) withinRange(s *Symbol, v string) bool {
	if !validNumber(s.Type, v) {
		return false
	}
	base := 10
	switch s.Type {
	case String:
		return true
	case Hex:
		base = 16
	}
	p := e.rangeProp(s)
	if p == nil {
		return true
	}
	val := strtoll(v, base)
	return val >= e.rangeVal(p.Value.sym, base) && val <= e.rangeVal(p.Value.sym2, base)
}

// WriteConfig writes the configuration as conf_write writes .config: a
// heading, then the menu tree in order, with a comment block for each
// visible menu and comment, "# end of" after each visible menu, and each
// written symbol once, at its first entry.
func (e *Eval) WriteConfig(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	k := e.K
	fmt.Fprintf(bw, "#\n# Automatically generated file; DO NOT EDIT.\n# %s\n#\n", k.Root.Prompt.Text)
	if !e.Changed && !e.frozen {
		e.invalidate()
	}
	written := make([]bool, len(e.st))
	needNewline := false
	n := k.Root.List
	for n != nil {
		sym := n.Sym
		if sym == nil {
			if e.menuVisible(n) {
				fmt.Fprintf(bw, "\n#\n# %s\n#\n", n.Prompt.Text)
				needNewline = false
			}
		} else if !sym.IsChoice() && !written[sym.id] {
			e.calc(sym)
			if e.state(sym).write {
				if needNewline {
					bw.WriteByte('\n')
					needNewline = false
				}
				written[sym.id] = true
				e.printSymbol(bw, sym)
			}
		}
		if n.List != nil {
			n = n.List
			continue
		}
		for {
			if n.Sym == nil && n != k.Root && n.Prompt != nil && n.Prompt.Kind == PropMenu && e.menuVisible(n) {
				fmt.Fprintf(bw, "# end of %s\n", n.Prompt.Text)
				needNewline = true
			}
			if n.Next != nil {
				n = n.Next
				break
			}
			n = n.Parent
			if n == nil {
				break
			}
		}
	}
	return bw.Flush()
}

// printSymbol is print_symbol_for_dotconfig.
func (e *Eval) printSymbol(w *bufio.Writer, s *Symbol) {
	if s.Type == Unknown {
		return
	}
	val := e.Str(s)
	if (s.Type == Bool || s.Type == Tristate) && val == "n" {
		w.WriteString("# CONFIG_")
		w.WriteString(s.Name)
		w.WriteString(" is not set\n")
		return
	}
	if s.Type == String {
		val = escapeConfigString(val)
	}
	w.WriteString("CONFIG_")
	w.WriteString(s.Name)
	w.WriteByte('=')
	w.WriteString(val)
	w.WriteByte('\n')
}

func escapeConfigString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// menuVisible is menu_is_visible.
func (e *Eval) menuVisible(n *MenuNode) bool {
	if n.Prompt == nil {
		return false
	}
	if n.Visibility != nil && e.calcExpr(n.Visibility) == No {
		return false
	}
	var visible Tri
	if n.Sym != nil {
		e.calc(n.Sym)
		visible = e.propTri[n.Prompt.id]
	} else if e.frozen {
		visible = e.propTri[n.Prompt.id]
	} else {
		visible = e.calcExpr(n.Prompt.Visible)
		e.propTri[n.Prompt.id] = visible
	}
	if visible != No {
		return true
	}
	if n.Sym == nil || e.TriValue(n.Sym) == No {
		return false
	}
	for c := n.List; c != nil; c = c.Next {
		if e.menuVisible(c) {
			return true
		}
	}
	return false
}

// MenuVisible reports whether a menu entry is shown (menu_is_visible).
func (e *Eval) MenuVisible(n *MenuNode) bool { return e.menuVisible(n) }

// Arch is what a .config says about the architecture it was made for.
type Arch struct {
	Arch, SrcArch string
}

// archSymbols maps symbols that only one architecture defines to its
// ARCH, for .config files whose heading was lost.
var archSymbols = []struct{ sym, arch string }{
	{"X86_64", "x86_64"}, {"X86_32", "i386"}, {"ARM64", "arm64"}, {"ARM", "arm"},
	{"RISCV", "riscv"}, {"PPC64", "powerpc"}, {"PPC32", "powerpc"}, {"S390", "s390"},
	{"MIPS", "mips"}, {"LOONGARCH", "loongarch"}, {"SPARC64", "sparc64"}, {"SPARC32", "sparc"},
	{"PARISC", "parisc"}, {"ALPHA", "alpha"}, {"M68K", "m68k"}, {"SUPERH", "sh"},
	{"UML", "um"}, {"XTENSA", "xtensa"}, {"MICROBLAZE", "microblaze"}, {"OPENRISC", "openrisc"},
	{"NIOS2", "nios2"}, {"ARC", "arc"}, {"CSKY", "csky"}, {"HEXAGON", "hexagon"},
}

// DetectArch finds the architecture of a .config: from conf's heading
// ("# Linux/x86_64 6.12.0 Kernel Configuration"), else from a symbol only
// one architecture sets.
func (d *DotConfig) DetectArch() (Arch, bool) {
	if m := headerRE.FindStringSubmatch("# " + d.Header); m != nil {
		return Arch{Arch: m[2], SrcArch: SrcArch(m[2])}, true
	}
	for _, a := range archSymbols {
		if en, ok := d.Lookup(a.sym); ok && !en.Unset && en.Value == "y" {
			return Arch{Arch: a.arch, SrcArch: SrcArch(a.arch)}, true
		}
	}
	return Arch{}, false
}

// SrcArch maps ARCH to the folder under arch/, as the top Makefile does.
func SrcArch(arch string) string {
	switch arch {
	case "i386", "x86_64":
		return "x86"
	case "sparc32", "sparc64":
		return "sparc"
	case "parisc64":
		return "parisc"
	case "sh64":
		return "sh"
	}
	return arch
}

// KernelVersion reads VERSION, PATCHLEVEL, SUBLEVEL and EXTRAVERSION from
// the top Makefile of a source tree, as `make kernelversion` prints them.
func KernelVersion(srctree string) (string, error) {
	b, err := os.ReadFile(filepath.Join(srctree, "Makefile"))
	if err != nil {
		return "", err
	}
	vals := map[string]string{}
	for _, line := range bytes.Split(b, []byte("\n")) {
		for _, key := range []string{"VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"} {
			if rest, ok := bytes.CutPrefix(line, []byte(key)); ok {
				rest = bytes.TrimSpace(rest)
				if v, ok := bytes.CutPrefix(rest, []byte("=")); ok {
					if _, done := vals[key]; !done {
						vals[key] = string(bytes.TrimSpace(v))
					}
				}
			}
		}
		if len(vals) == 4 {
			break
		}
	}
	if vals["VERSION"] == "" {
		return "", fmt.Errorf("%s: no VERSION in the top Makefile", srctree)
	}
	v := vals["VERSION"] + "." + vals["PATCHLEVEL"]
	if vals["SUBLEVEL"] != "" {
		v += "." + vals["SUBLEVEL"]
	}
	return v + vals["EXTRAVERSION"], nil
}
