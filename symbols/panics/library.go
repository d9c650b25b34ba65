// Package panics reads which functions may panic, for the
// `undocumented-panic` rule: the functions of Rust's core and alloc whose
// docs have a `# Panics` section (from the rust-src sources the kernel
// build requires), the list of a tree's .clippy.toml
// (`may-panic-functions`, the name of clippy's proposed lint), and which
// panicking macros a kernel tree's own `// PANIC:` comments document.
//
// The library is read as text, not parsed: core and alloc are 9 MB, and
// their integer methods are written inside macro_rules! bodies, which a
// parse would not see as items. What is kept is small: each public
// function's path (when its owner is known), whether it takes self, and
// its `# Panics` section.
package panics

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/krls-dev/krls/symbols"
	"github.com/sourcegraph/conc/pool"
)

// Fn is a public function of the library.
type Fn struct {
	// Path is crate::module::Owner::name (core::slice::[T]::copy_from_slice
	// is written core::slice::slice::copy_from_slice), or
	// crate::module::name for a free function or one whose owner is not
	// known (a method written in a macro body: its module's path).
	Path string
	Name string
	// Method: it takes self, so it is called as `x.name(..)`.
	Method bool
	// Documented: it has a doc comment. The library's public API is
	// documented (core and alloc warn on missing docs), the methods of a
	// trait impl on the trait; an undocumented function is internal
	// (a private module's helper trait) or repeats a trait's.
	Documented bool
	// Panics is its doc's `# Panics` section, "" for none.
	Panics string
}

// Library is what krls knows of core and alloc.
type Library struct {
	// Dir is the library folder read (…/lib/rustlib/src/rust/library).
	Dir string
	// ByName lists the functions by name, in path order.
	ByName map[string][]*Fn
	// ByPath finds a function by its path.
	ByPath map[string]*Fn
	// Files is how many files were read.
	Files int

	panicNames func() []string
}

// Crates are the library crates a kernel build links (no std).
var Crates = []string{"core", "alloc"}

// FindLibrary finds the Rust library sources as rust-analyzer does:
// $RUST_SRC_PATH, else the sysroot_src a rust-project.json names (hint,
// may be ""), else `rustc --print sysroot`/lib/rustlib/src/rust/library.
// how says where it came from; dir is "" when none holds core/src.
func FindLibrary(getenv func(string) string, hint string) (dir, how string) {
	if d := getenv("RUST_SRC_PATH"); d != "" && hasCore(d) {
		return d, "$RUST_SRC_PATH"
	}
	if hint != "" && hasCore(hint) {
		return hint, "rust-project.json's sysroot_src"
	}
	rustc := getenv("RUSTC")
	if rustc == "" {
		rustc = "rustc"
	}
	if out, err := exec.Command(rustc, "--print", "sysroot").Output(); err == nil {
		d := filepath.Join(strings.TrimSpace(string(out)), "lib", "rustlib", "src", "rust", "library")
		if hasCore(d) {
			return d, "`" + rustc + " --print sysroot`"
		}
	}
	return "", ""
}

func hasCore(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "core", "src"))
	return err == nil && st.IsDir()
}

// ReadLibrary reads core and alloc under dir.
func ReadLibrary(dir string) (*Library, error) {
	// List the files, then read and scan them in parallel (the first
	// rule to need the library waits for it), adding in list order so
	// that the result does not depend on timing.
	type file struct{ path, mod string }
	var files []file
	for _, crate := range Crates {
		src := filepath.Join(dir, crate, "src")
		err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".rs") {
				return nil
			}
			rel, err := filepath.Rel(src, path)
			if err != nil {
				return err
			}
			files = append(files, file{path, modulePath(crate, rel)})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read the Rust library %s: %w", src, err)
		}
	}
	scanned := make([][]*Fn, len(files))
	errs := make([]error, len(files))
	p := pool.New().WithMaxGoroutines(runtime.GOMAXPROCS(0))
	for i, f := range files {
		p.Go(func() {
			b, err := os.ReadFile(f.path)
			if err != nil {
				errs[i] = fmt.Errorf("read the Rust library: %w", err)
				return
			}
			scanned[i] = ScanFile(f.mod, b)
		})
	}
	p.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	lib := &Library{Dir: dir, ByName: map[string][]*Fn{}, ByPath: map[string]*Fn{}, Files: len(files)}
	for _, fns := range scanned {
		for _, f := range fns {
			lib.add(f)
		}
	}
	for _, fns := range lib.ByName {
		sort.Slice(fns, func(i, j int) bool { return fns[i].Path < fns[j].Path })
	}
	lib.panicNames = sync.OnceValue(lib.computePanicNames)
	return lib, nil
}

func (l *Library) add(f *Fn) {
	l.ByName[f.Name] = append(l.ByName[f.Name], f)
	if old, ok := l.ByPath[f.Path]; !ok || old.Panics == "" {
		l.ByPath[f.Path] = f // cfg'd twins: the documented one
	}
}

// modulePath is the module of a file of a crate's src folder:
// slice/mod.rs → core::slice, num/int_macros.rs → core::num::int_macros.
func modulePath(crate, rel string) string {
	rel = strings.TrimSuffix(filepath.ToSlash(rel), ".rs")
	segs := []string{crate}
	for _, s := range strings.Split(rel, "/") {
		if s != "lib" && s != "mod" {
			segs = append(segs, s)
		}
	}
	return strings.Join(segs, "::")
}

var (
	// fnRE reads a function's name from its (trimmed) first line.
	fnRE = regexp.MustCompile(`^(pub(?:\([^)]*\))?\s+)?(?:default\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+"[^"]*"\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)`)
	// selfRE: the parameters start with self.
	selfRE = regexp.MustCompile(`^\s*(?:<[^()]*>)?\s*\(\s*(?:&\s*(?:'[A-Za-z_]+\s+)?)?(?:mut\s+)?self\b`)
	// ownerRE reads an impl's or trait's owner from its first line.
	implRE  = regexp.MustCompile(`^(?:unsafe\s+)?impl\b`)
	traitRE = regexp.MustCompile(`^(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:unsafe\s+)?(?:auto\s+)?trait\s+([A-Za-z_][A-Za-z0-9_]*)`)
)

// owner is an impl or trait around the lines being read.
type owner struct {
	indent int
	name   string // "" when not known (an impl in a macro body: `impl $T`)
	// public: its functions are public without `pub` (a trait, a trait
	// impl).
	public bool
}

// ScanFile reads the public functions of one library file, whose module
// is mod. Functions inside an impl or trait get its type as owner;
// methods of macro-generated impls (`impl $SelfT`) get none.
func ScanFile(mod string, src []byte) []*Fn {
	var out []*Fn
	var owners []owner
	var doc []string
	panicsDoc := false // a doc line mentions Panics
	// One string for the file: lines and doc lines are slices of it.
	lines := strings.Split(string(src), "\n")
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		t := strings.TrimSpace(raw)
		if t == "" {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
		// A line at an impl's indentation or less (its `}`, or what
		// follows it) ends it.
		for len(owners) > 0 && indent <= owners[len(owners)-1].indent && !strings.HasPrefix(t, "//") && !strings.HasPrefix(t, "#") {
			owners = owners[:len(owners)-1]
		}
		switch {
		case strings.HasPrefix(t, "///"):
			l := strings.TrimPrefix(t, "///")
			doc = append(doc, strings.TrimPrefix(l, " "))
			panicsDoc = panicsDoc || strings.Contains(l, "Panics")
			continue
		case strings.HasPrefix(t, "#[") || strings.HasPrefix(t, "#!["):
			// An attribute, maybe over several lines: skip to its end.
			depth := 0
			for ; i < len(lines); i++ {
				depth += strings.Count(lines[i], "[") - strings.Count(lines[i], "]")
				if depth <= 0 {
					break
				}
			}
			continue
		case strings.HasPrefix(t, "//"):
			continue
		}
		var m []string
		if strings.Contains(t, "fn ") {
			m = fnRE.FindStringSubmatch(t)
		}
		if m != nil {
			ow := owner{indent: -1}
			if len(owners) > 0 {
				ow = owners[len(owners)-1]
			}
			if m[1] != "" || ow.public {
				f := &Fn{Name: m[2], Documented: len(doc) > 0}
				if panicsDoc {
					f.Panics = symbols.DocSection(strings.Join(doc, "\n"), "Panics")
				}
				// The parameters, maybe on the next lines.
				rest := t[len(m[0]):]
				for j := i + 1; j < len(lines) && j <= i+2 && !strings.Contains(rest, ")"); j++ {
					rest += " " + lines[j]
				}
				f.Method = selfRE.MatchString(rest)
				f.Path = mod + "::" + f.Name
				if ow.name != "" {
					f.Path = mod + "::" + ow.name + "::" + f.Name
				}
				out = append(out, f)
			}
		} else if strings.HasSuffix(t, "{") {
			if implRE.MatchString(t) {
				owners = append(owners, owner{indent: indent, name: implOwner(t), public: strings.Contains(t, " for ")})
			} else if m := traitRE.FindStringSubmatch(t); m != nil {
				owners = append(owners, owner{indent: indent, name: m[1], public: true})
			}
		}
		doc, panicsDoc = doc[:0], false
	}
	return out
}

// implOwner is the name of the type an impl's first line implements for:
// `impl<T> [T] {` → slice, `impl<T, A: Allocator> Vec<T, A> {` → Vec,
// `impl<T> Trait for Foo<T> {` → Foo, `impl $T {` → "".
func implOwner(line string) string {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "{"))
	t = strings.TrimSpace(implRE.ReplaceAllString(t, ""))
	if strings.HasPrefix(t, "<") {
		depth := 0
		for i, c := range t {
			switch c {
			case '<':
				depth++
			case '>':
				depth--
			}
			if depth == 0 {
				t = strings.TrimSpace(t[i+1:])
				break
			}
		}
	}
	if i := strings.Index(t, " for "); i >= 0 {
		t = strings.TrimSpace(t[i+len(" for "):])
	}
	if i := strings.Index(t, " where"); i >= 0 {
		t = t[:i]
	}
	t = strings.TrimLeft(t, "&*")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "mut "), "const ")
	switch {
	case strings.HasPrefix(t, "["):
		return "slice"
	case strings.HasPrefix(t, "$") || t == "":
		return ""
	}
	if i := strings.IndexAny(t, "<( "); i >= 0 {
		t = t[:i]
	}
	if i := strings.LastIndex(t, "::"); i >= 0 {
		t = t[i+2:]
	}
	if t == "" || !symbols.IsIdentByte(t[0]) {
		return ""
	}
	return t
}

// Counts reports whether a library function's documented panic is one a
// `// PANIC:` comment is asked for. Two kinds are not:
//   - a section that speaks only of arithmetic overflow (`enumerate`,
//     `sum`, `count`, the `strict_*` family): an overflow panics only as `+` does,
//     with CONFIG_RUST_OVERFLOW_CHECKS, and the kernel's comments do not
//     document those;
//   - the atomics' "panics if order is Release" (core::sync::atomic):
//     rustc rejects such an ordering at compile time (invalid_atomic_ordering,
//     deny by default).
func (f *Fn) Counts() bool {
	if f.Panics == "" {
		return false
	}
	if strings.HasPrefix(f.Path, "core::sync::atomic::") && strings.Contains(f.Panics, "order") {
		return false
	}
	for _, s := range sentences(f.Panics) {
		if !overflowOnly(strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// overflowOnly: a (lower-cased) sentence of a `# Panics` section speaks
// of a counter overflowing ("if the iterator has more than usize::MAX
// elements", Iterator::count).
func overflowOnly(s string) bool {
	return strings.Contains(s, "overflow") || strings.Contains(s, "usize::max") && strings.Contains(s, "elements")
}

// sentences splits a doc section into its sentences, code blocks and
// headings left out.
func sentences(text string) []string {
	var prose []string
	fence := false
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			fence = !fence
			continue
		}
		// Headings and link definitions (`[zip]: Iterator::zip`) say
		// nothing of when the function panics.
		if !fence && !strings.HasPrefix(t, "#") && !(strings.HasPrefix(t, "[") && strings.Contains(t, "]: ")) {
			prose = append(prose, t)
		}
	}
	var out []string
	for _, s := range strings.SplitAfter(strings.Join(prose, " "), ". ") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Methods are the library's documented public methods named name.
func (l *Library) Methods(name string) []*Fn {
	var out []*Fn
	for _, f := range l.ByName[name] {
		if f.Method && f.Documented {
			out = append(out, f)
		}
	}
	return out
}

// PanicNames are the names of the library's functions whose panics
// count, sorted (computed once).
func (l *Library) PanicNames() []string {
	if l.panicNames == nil {
		return l.computePanicNames()
	}
	return l.panicNames()
}

func (l *Library) computePanicNames() []string {
	var out []string
	for name, fns := range l.ByName {
		for _, f := range fns {
			if f.Counts() {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// Builtin is what krls assumes of core and alloc when their sources are
// not installed (and says so): the methods of Option, Result and slices
// that the kernel's own `// PANIC:` comments document, each with the
// gist of its `# Panics` section.
var Builtin = map[string]string{
	"unwrap":           "Panics if the value is a `None` or an `Err`.",
	"expect":           "Panics if the value is a `None` or an `Err`, with the message given.",
	"unwrap_err":       "Panics if the value is an `Ok`.",
	"expect_err":       "Panics if the value is an `Ok`, with the message given.",
	"copy_from_slice":  "This function will panic if the two slices have different lengths.",
	"clone_from_slice": "This function will panic if the two slices have different lengths.",
	"split_at":         "Panics if `mid > len`.",
	"split_at_mut":     "Panics if `mid > len`.",
	"swap_remove":      "Panics if `index` is out of bounds.",
	"copy_within":      "This function will panic if either range exceeds the end of the slice, or if the end of `src` is before the start.",
}
