// Package lints reads from a kernel tree which clippy lints its build
// enables, at which level, and which crates it builds without clippy: the
// facts that decide what `krls check` and the server report, so that a
// finding means what clippy under the kernel's own build would say.
//
// The levels come from the top Makefile's Rust flags (rust_common_flags,
// rust_common_flags_per_version and KBUILD_RUSTFLAGS: `-W`, `-D`, `-A`,
// `-F` with a lint or a group, later flags overriding earlier ones, as
// rustc applies them); a lint no flag names has clippy's default level.
// The crates come from rust/Makefile: targets marked `skip_clippy = 1`
// (built with plain rustc) or given flags with `--cap-lints=allow`.
package lints

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// Level is a lint level.
type Level int8

const (
	Allow Level = iota
	Warn
	Deny
	Forbid
)

func (l Level) String() string {
	return [...]string{"allow", "warn", "deny", "forbid"}[l]
}

// Lint is a clippy lint krls reproduces: its name, the groups it belongs
// to (innermost first) and clippy's default level.
type Lint struct {
	Name    string
	Groups  []string
	Default Level
}

// Known are the clippy lints krls's rules reproduce.
var Known = map[string]Lint{
	"clippy::undocumented_unsafe_blocks": {"clippy::undocumented_unsafe_blocks", []string{"clippy::restriction"}, Allow},
	"clippy::unnecessary_safety_comment": {"clippy::unnecessary_safety_comment", []string{"clippy::restriction"}, Allow},
	"clippy::unnecessary_safety_doc":     {"clippy::unnecessary_safety_doc", []string{"clippy::restriction"}, Allow},
	"clippy::missing_safety_doc":         {"clippy::missing_safety_doc", []string{"clippy::style", "clippy::all"}, Warn},
}

// Flag is one lint flag of the build, in order.
type Flag struct {
	Level Level
	Name  string // a lint or group, as written (clippy::all, warnings, ...)
}

// Crate is a crate of the tree the build does not lint.
type Crate struct {
	Dir string // its folder, relative to the srctree (rust/syn)
	Why string // "built without clippy (skip_clippy)", "lints capped (--cap-lints=allow)"
}

// Tree is what a kernel tree's build says about lints.
type Tree struct {
	Srctree string
	// Flags are the lint flags of the Makefile, in order.
	Flags []Flag
	// HasRustFlags: the Makefile sets Rust flags at all
	// (rust_common_flags). A tree whose Makefile does not (no kernel with
	// Rust, a test tree) says nothing of lint levels.
	HasRustFlags bool
	// Unlinted are the crates rust/Makefile builds without clippy or
	// with capped lints.
	Unlinted []Crate
}

var (
	hasRustFlagsRE = regexp.MustCompile(`(?m)^(?:export\s+)?rust_common_flags\s*:?=`)
	flagRE         = regexp.MustCompile(`(?:^|\s)-([WDAF])\s*((?:clippy::)?[a-z_]+)`)
	assignRE       = regexp.MustCompile(`^(?:export\s+)?(rust_common_flags|rust_common_flags_per_version|KBUILD_RUSTFLAGS)\s*(:=|\+=|=)(.*)$`)
)

// Read reads the tree's Makefile and rust/Makefile. A tree without a
// top Makefile is an error; one without rust/Makefile (before Rust) has
// no unlinted crates.
func Read(srctree string) (*Tree, error) {
	top, err := os.ReadFile(filepath.Join(srctree, "Makefile"))
	if err != nil {
		return nil, fmt.Errorf("read the lint flags of %s: %w", srctree, err)
	}
	t := &Tree{Srctree: srctree, Flags: ParseFlags(top), HasRustFlags: hasRustFlagsRE.Match(top)}
	if rust, err := os.ReadFile(filepath.Join(srctree, "rust", "Makefile")); err == nil {
		t.Unlinted = ParseUnlinted(rust)
	}
	return t, nil
}

// logicalLines is a Makefile's logical lines without their comments.
func logicalLines(b []byte) []string {
	lines := symbols.MakefileLines(b)
	for i, l := range lines {
		if j := strings.IndexByte(l, '#'); j >= 0 {
			l = l[:j]
		}
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return lines
}

// ParseFlags reads the lint flags of the assignments to the Rust flag
// variables of a top Makefile, in order. Flags inside $(if ...) or
// $(call ...) are left out: they depend on the toolchain.
func ParseFlags(makefile []byte) []Flag {
	var out []Flag
	for _, l := range logicalLines(makefile) {
		m := assignRE.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		value := m[3]
		if strings.Contains(value, "$(if") || strings.Contains(value, "$(call") {
			continue
		}
		for _, f := range flagRE.FindAllStringSubmatch(value, -1) {
			level := map[string]Level{"A": Allow, "W": Warn, "D": Deny, "F": Forbid}[f[1]]
			out = append(out, Flag{Level: level, Name: f[2]})
		}
	}
	return out
}

var (
	targetFlagRE = regexp.MustCompile(`^\$\(obj\)/(\S+):\s*private\s+(skip_clippy\s*=\s*1|rustc_target_flags\s*=\s*\$\(([A-Za-z0-9_]+)-flags\))`)
	targetRootRE = regexp.MustCompile(`^\$\(obj\)/(\S+):\s*\$\(src\)/(\S+\.rs)\b`)
	flagVarRE    = regexp.MustCompile(`^([A-Za-z0-9_]+)-flags\s*:?=(.*)$`)
)

// ParseUnlinted reads from rust/Makefile the crates built without
// clippy (`$(obj)/X: private skip_clippy = 1`) or with
// `--cap-lints=allow` in their `NAME-flags`, each found at the folder of
// its root file (`$(obj)/X: $(src)/DIR/lib.rs`): the top folder under
// rust/.
func ParseUnlinted(makefile []byte) []Crate {
	lines := logicalLines(makefile)
	capped := map[string]bool{}
	for _, l := range lines {
		if m := flagVarRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil && strings.Contains(m[2], "--cap-lints=allow") {
			capped[m[1]] = true
		}
	}
	why := map[string]string{}
	for _, l := range lines {
		m := targetFlagRE.FindStringSubmatch(strings.TrimSpace(l))
		switch {
		case m == nil:
		case strings.HasPrefix(m[2], "skip_clippy"):
			why[m[1]] = "built without clippy (skip_clippy in rust/Makefile)"
		case capped[m[3]] && why[m[1]] == "":
			why[m[1]] = "lints capped (--cap-lints=allow in rust/Makefile)"
		}
	}
	var out []Crate
	seen := map[string]bool{}
	for _, l := range lines {
		m := targetRootRE.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil || why[m[1]] == "" {
			continue
		}
		dir := "rust/" + strings.SplitN(m[2], "/", 2)[0]
		if !strings.Contains(m[2], "/") || seen[dir] {
			continue // a root file directly in rust/ is no crate folder
		}
		seen[dir] = true
		out = append(out, Crate{Dir: dir, Why: why[m[1]]})
	}
	return out
}

// Level returns the level the build gives lint: the last flag naming it
// or one of its groups (or `warnings`, which only touches lints that
// would warn), else clippy's default.
func (t *Tree) Level(lint string) Level {
	l, ok := Known[lint]
	level := Warn
	if ok {
		level = l.Default
	}
	for _, f := range t.Flags {
		switch {
		case f.Name == lint, ok && slices.Contains(l.Groups, f.Name):
			level = f.Level
		case f.Name == "warnings" && level != Allow:
			// -Dwarnings makes warnings errors; -Awarnings silences
			// them. Neither enables an allowed lint.
			level = f.Level
		}
	}
	return level
}

// Enabled reports whether the build reports lint at all.
func (t *Tree) Enabled(lint string) bool { return t.Level(lint) != Allow }

// UnlintedCrate returns the crate of the tree that holds rel (a path
// relative to the srctree, with slashes) if the build does not lint it.
func (t *Tree) UnlintedCrate(rel string) (Crate, bool) {
	for _, c := range t.Unlinted {
		if rel == c.Dir || strings.HasPrefix(rel, c.Dir+"/") {
			return c, true
		}
	}
	return Crate{}, false
}

// Describe says in one line which of the known lints the build enables.
func (t *Tree) Describe() string {
	var parts []string
	for _, name := range []string{"clippy::undocumented_unsafe_blocks", "clippy::unnecessary_safety_comment", "clippy::missing_safety_doc", "clippy::unnecessary_safety_doc"} {
		parts = append(parts, strings.TrimPrefix(name, "clippy::")+"="+t.Level(name).String())
	}
	return strings.Join(parts, " ")
}
