package kconfig

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The macro language of Kconfig (Documentation/kbuild/kconfig-macro-
// language.rst), as scripts/kconfig/preprocess.c implements it: variables
// (`=` recursive, `:=` simple, `+=` append), user functions called with
// `$(name,arg,...)` whose body reads `$(1)`..., the built-in functions
// shell, info, warning-if, error-if, filename and lineno, and environment
// variables as the last resort. Undefined references expand to nothing.

// probeMark brackets the placeholder a $(shell,...) leaves when commands
// may not run. It cannot occur in Kconfig text (NUL bytes end C strings).
const probeMark = "\x00probe:"

type variable struct {
	value     string
	recursive bool
	expanding int
}

// Shell runs the $(shell,...) commands of Kconfig files, when allowed.
type Shell interface {
	// Run returns the output of the command, processed as the C tool
	// does (trailing newlines removed, others replaced by spaces).
	Run(ctx context.Context, cmd string) (string, error)
}

// macros is the state of macro expansion during one load.
type macros struct {
	ctx   context.Context
	vars  map[string]*variable
	env   map[string]string // variables of the environment the tool would see
	texts map[string]string // variables the Makefile computes with a command
	shell Shell             // nil: probes do not run
	// probes are the commands of placeholders, by number.
	probes []string
	// envUsed records the environment variables referenced.
	envUsed map[string]string
	file    string
	line    int
	// messages from $(info,...) and $(warning-if,...).
	messages []*Error
	// work counts references expanded and bytes produced, against
	// maxMacroWork.
	work int
}

func newMacros(ctx context.Context, tools *Toolchain, shell Shell) *macros {
	return &macros{ctx: ctx, vars: map[string]*variable{}, env: tools.Env, texts: tools.Texts, shell: shell, envUsed: map[string]string{}}
}

type macroError struct{ msg string }

func (e *macroError) Error() string { return e.msg }

// expand expands every reference in s.
func (m *macros) expand(s string, args []string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '$')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j])
		i += j + 1
		res, next, err := m.dollar(s, i, args)
		if err != nil {
			return "", err
		}
		b.WriteString(res)
		i = next
	}
	return b.String(), nil
}

// dollar expands the reference whose '$' precedes s[i]; it returns the
// expansion and the index after the reference. `$` not followed by `(`
// is a literal '$'.
func (m *macros) dollar(s string, i int, args []string) (string, int, error) {
	if i >= len(s) || s[i] != '(' {
		return "$", i, nil
	}
	nest := 0
	for q := i + 1; q < len(s); q++ {
		switch s[q] {
		case '(':
			nest++
		case ')':
			if nest == 0 {
				res, err := m.clause(s[i+1:q], args)
				return res, q + 1, err
			}
			nest--
		}
	}
	return "", len(s), &macroError{fmt.Sprintf("unterminated reference to '%s': missing ')'", s[i+1:])}
}

// clause evaluates the inside of `$(...)`: an argument of the calling
// function ($(1)...), a variable or user function, a built-in function,
// or an environment variable.
func (m *macros) clause(text string, args []string) (string, error) {
	if m.work > maxMacroWork {
		return "", &macroError{fmt.Sprintf("macro expansion too large: over %d bytes and references expanded while loading (variables that reference others several times grow exponentially)", maxMacroWork)}
	}
	res, err := m.clause1(text, args)
	m.work += 1 + len(res)
	return res, err
}

// maxMacroWork bounds the references expanded and bytes produced in one
// load. A variable whose value references another twice, and so on, grows
// exponentially, and the C tool would run until it ran out of memory; the
// kernel's trees need some 25,000, so 4M is far from anything real.
const maxMacroWork = 1 << 22

func (m *macros) clause1(text string, args []string) (string, error) {
	if n, ok := argIndex(text); ok && n > 0 && n <= len(args) {
		return args[n-1], nil
	}
	// Split at top-level commas.
	var raw []string
	nest, prev := 0, 0
	for q := 0; q < len(text); q++ {
		switch text[q] {
		case ',':
			if nest == 0 {
				raw = append(raw, text[prev:q])
				prev = q + 1
			}
		case '(':
			nest++
		case ')':
			nest--
		}
	}
	raw = append(raw, text[prev:])
	if len(raw) > 16 {
		return "", &macroError{"too many function arguments"}
	}
	name, err := m.expand(raw[0], args)
	if err != nil {
		return "", err
	}
	fargs := make([]string, len(raw)-1)
	for i, a := range raw[1:] {
		if fargs[i], err = m.expand(a, args); err != nil {
			return "", err
		}
	}
	if v, ok := m.vars[name]; ok {
		if len(fargs) == 0 && v.expanding > 0 {
			return "", &macroError{fmt.Sprintf("Recursive variable '%s' references itself (eventually)", name)}
		}
		if v.expanding > 1000 {
			return "", &macroError{"Too deep recursive expansion"}
		}
		if !v.recursive {
			return v.value, nil
		}
		v.expanding++
		res, err := m.expand(v.value, fargs)
		v.expanding--
		return res, err
	}
	if res, ok, err := m.builtin(name, fargs); ok {
		return res, err
	}
	if len(fargs) == 0 && name != "" {
		if cmd, ok := m.texts[name]; ok {
			res, _, err := m.runShell(cmd)
			if err == nil {
				m.envUsed[name] = res
			}
			return res, err
		}
		if val, ok := m.env[name]; ok {
			m.envUsed[name] = val
			return val, nil
		}
	}
	return "", nil
}

// argIndex reads a clause as strtoul does in eval_clause: leading white
// space and a sign are allowed, and all of text must be read. A number
// too large for an int is no argument.
func argIndex(text string) (int, bool) {
	i := 0
	for i < len(text) && (text[i] == ' ' || text[i] >= '\t' && text[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(text) && (text[i] == '+' || text[i] == '-') {
		neg = text[i] == '-'
		i++
	}
	if i == len(text) {
		return 0, false
	}
	n := 0
	for ; i < len(text); i++ {
		c := text[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > 1<<20 {
			return 0, false // far more than the 16 arguments a call may pass
		}
		n = n*10 + int(c-'0')
	}
	if neg && n != 0 {
		return 0, false // a huge unsigned number in C
	}
	return n, true
}

type builtinFunc struct {
	min, max int
}

var builtins = map[string]builtinFunc{
	"error-if": {2, 2}, "filename": {0, 0}, "info": {1, 1},
	"lineno": {0, 0}, "shell": {1, 1}, "warning-if": {2, 2},
}

func (m *macros) builtin(name string, args []string) (string, bool, error) {
	f, ok := builtins[name]
	if !ok {
		return "", false, nil
	}
	if len(args) < f.min {
		return "", true, &macroError{fmt.Sprintf("too few function arguments passed to '%s'", name)}
	}
	if len(args) > f.max {
		return "", true, &macroError{fmt.Sprintf("too many function arguments passed to '%s'", name)}
	}
	switch name {
	case "error-if":
		if args[0] == "y" {
			return "", true, &macroError{args[1]}
		}
		return "", true, nil
	case "warning-if":
		if args[0] == "y" {
			m.messages = append(m.messages, &Error{Pos: Pos{m.file, m.line}, Msg: args[1], Warning: true})
		}
		return "", true, nil
	case "info":
		m.messages = append(m.messages, &Error{Pos: Pos{m.file, m.line}, Msg: args[0], Warning: true})
		return "", true, nil
	case "filename":
		return m.file, true, nil
	case "lineno":
		return strconv.Itoa(m.line), true, nil
	case "shell":
		return m.runShell(args[0])
	}
	return "", false, nil
}

// runShell runs a probe, or leaves a placeholder when probes may not run
// (or the command holds the placeholder of another probe).
func (m *macros) runShell(cmd string) (string, bool, error) {
	if m.shell == nil || strings.Contains(cmd, probeMark) {
		m.probes = append(m.probes, cmd)
		return probeMark + strconv.Itoa(len(m.probes)-1) + "\x00", true, nil
	}
	out, err := m.shell.Run(m.ctx, cmd)
	if err != nil {
		return "", true, &macroError{fmt.Sprintf("shell: %v", err)}
	}
	// The C tool reads the output as a C string: it ends at a NUL byte.
	// This also keeps probe placeholders (which hold NULs) unforgeable.
	if i := strings.IndexByte(out, 0); i >= 0 {
		out = out[:i]
	}
	return out, true, nil
}

// assign performs a variable assignment statement.
func (m *macros) assign(name, op, value string) error {
	v, exists := m.vars[name]
	appendTo := false
	recursive := op == "="
	switch {
	case exists && op == "+=":
		appendTo = true
		recursive = v.recursive
	case !exists && op == "+=":
		recursive = true
	}
	if !recursive {
		var err error
		if value, err = m.expand(value, nil); err != nil {
			return err
		}
	}
	if !exists {
		v = &variable{}
		m.vars[name] = v
	}
	v.recursive = recursive
	if appendTo {
		v.value += " " + value
	} else {
		v.value = value
	}
	return nil
}

// hasProbe reports whether an expansion holds a probe placeholder.
func hasProbe(s string) bool { return strings.Contains(s, probeMark) }

// ExecShell runs probes with sh, as the kernel's Makefile would: in dir,
// with env added to the process environment, each within timeout. Results
// are cached by command, so that one runner shared between loads runs
// each probe once.
type ExecShell struct {
	Dir     string
	Env     []string
	Timeout time.Duration

	mu    sync.Mutex
	cache map[string]string
}

// Run implements Shell.
func (s *ExecShell) Run(ctx context.Context, cmd string) (string, error) {
	s.mu.Lock()
	if out, ok := s.cache[cmd]; ok {
		s.mu.Unlock()
		return out, nil
	}
	s.mu.Unlock()
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	c.Dir = s.Dir
	c.Env = append(os.Environ(), s.Env...)
	c.WaitDelay = time.Second
	out, err := c.Output()
	if ctx.Err() != nil {
		return "", fmt.Errorf("%q did not finish within %v", cmd, timeout)
	}
	// Like popen+pclose in the C tool: the exit status does not matter.
	_ = err
	if len(out) >= 4096 {
		out = out[:4095]
	}
	res := strings.TrimRight(string(out), "\n")
	res = strings.ReplaceAll(res, "\n", " ")
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]string{}
	}
	s.cache[cmd] = res
	s.mu.Unlock()
	return res, nil
}
