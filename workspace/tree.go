// Package workspace knows where files live: the kernel tree (srctree) a
// file belongs to, an out-of-tree module's folder, the clippy
// configuration that applies, and the documents an editor has open. It
// turns those into the inputs of the domain packages (symbols, kconfig,
// diagnostics) and never speaks LSP.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/lints"
)

// IsSrctree reports whether dir is the top of a kernel source tree with
// Rust support: Kconfig, Makefile and rust/kernel/lib.rs.
func IsSrctree(dir string) bool {
	for _, name := range []string{"Kconfig", "Makefile", filepath.Join("rust", "kernel", "lib.rs")} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// FindSrctree returns the nearest folder at or above dir that is a kernel
// source tree.
func FindSrctree(dir string) (string, bool) {
	return findUp(dir, IsSrctree)
}

// FindModuleDir returns the nearest folder at or above dir that holds an
// out-of-tree module (symbols.IsModuleDir: a Kbuild file, or a Makefile
// that assigns obj-m).
func FindModuleDir(dir string) (string, bool) {
	return findUp(dir, symbols.IsModuleDir)
}

func findUp(dir string, ok func(string) bool) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if ok(dir) {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// ClippyConf is the part of clippy's configuration the rules use.
type ClippyConf struct {
	// Path of the file read, "" when none was found.
	Path              string
	CheckPrivateItems bool
	// MayPanicFunctions are the paths of `may-panic-functions` (the
	// configuration of clippy's proposed undocumented_may_panic_call),
	// without "..". HasMayPanic: the key is there; MayPanicExtends: it
	// holds "..", so the paths add to krls's defaults instead of
	// replacing them (clippy's convention for lists with defaults).
	MayPanicFunctions []string
	HasMayPanic       bool
	MayPanicExtends   bool
}

// ModuleDefault names the configuration krls assumes for an out-of-tree
// module when no clippy.toml is found: the kernel's build points clippy at
// the srctree's .clippy.toml (CLIPPY_CONF_DIR), which has set
// check-private-items = true since Linux 6.10.
const ModuleDefault = "(the kernel's .clippy.toml, assumed for an out-of-tree module)"

// ReadClippyConf finds the clippy configuration for files in dir: the
// nearest `.clippy.toml` or `clippy.toml` at or above dir. The kernel
// keeps one at the top of the srctree (its Makefile points clippy there
// with CLIPPY_CONF_DIR, also for out-of-tree modules, so a module folder
// without one gets the kernel's settings, see ModuleDefault). No file is
// not an error; an unreadable or malformed one is, with its path and line.
func ReadClippyConf(dir string) (ClippyConf, error) {
	var found string
	findUp(dir, func(d string) bool {
		for _, name := range []string{".clippy.toml", "clippy.toml"} {
			p := filepath.Join(d, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				found = p
				return true
			}
		}
		return false
	})
	if found == "" {
		// A kernel tree without one (Linux 6.1) has clippy's defaults;
		// an out-of-tree module gets the kernel's.
		if _, inTree := FindSrctree(dir); !inTree {
			if _, ok := FindModuleDir(dir); ok {
				return ClippyConf{Path: ModuleDefault, CheckPrivateItems: true}, nil
			}
		}
		return ClippyConf{}, nil
	}
	b, err := os.ReadFile(found)
	if err != nil {
		return ClippyConf{Path: found}, fmt.Errorf("read clippy configuration: %w", err)
	}
	return parseClippyConf(found, b)
}

// parseClippyConf reads the keys krls needs from clippy's TOML (the
// kernel's file also has tables and arrays of tables that krls skips).
func parseClippyConf(path string, b []byte) (ClippyConf, error) {
	c := ClippyConf{Path: path}
	var keys struct {
		CheckPrivateItems any      `toml:"check-private-items"`
		MayPanicFunctions []string `toml:"may-panic-functions"`
	}
	md, err := toml.Decode(string(b), &keys)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			msg := perr.Message
			if perr.LastKey != "" {
				msg = perr.LastKey + ": " + msg
			}
			return c, fmt.Errorf("%s:%d: %s", path, perr.Position.Line, msg)
		}
		return c, fmt.Errorf("%s: %w", path, err)
	}
	switch v := keys.CheckPrivateItems.(type) {
	case nil:
	case bool:
		c.CheckPrivateItems = v
	default:
		return c, fmt.Errorf("%s:%d: check-private-items must be true or false, not %v", path, keyLine(b, "check-private-items"), v)
	}
	for _, f := range keys.MayPanicFunctions {
		if f == ".." {
			c.MayPanicExtends = true
			continue
		}
		c.MayPanicFunctions = append(c.MayPanicFunctions, strings.TrimPrefix(f, "::"))
	}
	c.HasMayPanic = md.IsDefined("may-panic-functions")
	return c, nil
}

// keyLine is the line of a top-level key (the first that starts with
// it: the TOML library keeps no positions), or 0.
func keyLine(b []byte, key string) int {
	for i, l := range strings.Split(string(b), "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, key) {
			return i + 1
		}
	}
	return 0
}

// ConfigCache remembers the clippy configuration per folder, and what
// each kernel tree's build says about lints (symbols/lints), so that a
// server or a `krls check` run over thousands of files reads each
// .clippy.toml and Makefile once. It is safe for concurrent use.
type ConfigCache struct {
	// AllCrates checks the crates the build does not lint too (`krls
	// check --all-crates`); set before the first use.
	AllCrates bool

	mu       sync.Mutex
	byDir    map[string]cachedConf
	byTree   map[string]*lints.Tree // srctree → its lint facts (nil: unreadable)
	includes map[string][]folderInclude
	allows   map[string]map[string]bool // file → the rules its include! sites allow
	macros   map[string]*treeMacros     // srctree or module folder → its macro_rules!
	orders   map[string][]string        // srctree → its kernel atomics' orderings
	// libraries are the Rust library sources by srctree ("" outside a
	// tree); Forget keeps them (they are not the tree's configuration).
	libraries map[string]*rustLibrary
	// treeFiles are the .rs files of a tree as the index listed them
	// (SetTreeFiles); asserts what its PANIC comments document.
	treeFiles map[string][]string
	asserts   map[string]*treeAssertScan
}

type cachedConf struct {
	conf    ClippyConf
	err     error
	srctree string // the kernel tree holding the folder, "" outside one
}

// ClippyConf returns the configuration for files in dir.
func (c *ConfigCache) ClippyConf(dir string) (ClippyConf, error) {
	cc := c.dirConf(dir)
	return cc.conf, cc.err
}

func (c *ConfigCache) dirConf(dir string) cachedConf {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byDir == nil {
		c.byDir = map[string]cachedConf{}
	}
	if v, ok := c.byDir[dir]; ok {
		return v
	}
	conf, err := ReadClippyConf(dir)
	tree, _ := FindSrctree(dir)
	v := cachedConf{conf, err, tree}
	c.byDir[dir] = v
	return v
}

// TreeLints returns what the build of the kernel tree holding dir says
// about lints (nil outside a tree, or when its Makefile cannot be read).
func (c *ConfigCache) TreeLints(dir string) *lints.Tree {
	srctree := c.dirConf(dir).srctree
	if srctree == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.byTree[srctree]; ok {
		return t
	}
	t, err := lints.Read(srctree)
	if err != nil {
		t = nil
	}
	if c.byTree == nil {
		c.byTree = map[string]*lints.Tree{}
	}
	c.byTree[srctree] = t
	return t
}

// Forget drops what is cached, after a configuration file changed.
func (c *ConfigCache) Forget() {
	c.mu.Lock()
	c.byDir, c.byTree, c.includes, c.allows, c.macros, c.orders = nil, nil, nil, nil, nil, nil
	c.mu.Unlock()
}

// DiagnosticsConfig is the rule configuration for a file at path: the
// selected rules, and check-private-items from the clippy configuration
// unless force is set (the --check-private-items flag).
//
// With no rules selected (nil), a file of a kernel tree gets the rules
// its build enables: a rule that reproduces a clippy lint runs only if
// the tree's Makefile flags (or clippy's default) report that lint — 6.1
// enables none of the SAFETY lints but missing_safety_doc. (A Makefile
// that sets no Rust flags at all says nothing: every rule runs.) A file of a
// crate the build does not lint (rust/Makefile's skip_clippy or
// --cap-lints=allow: syn, quote, zerocopy, ...) gets no rule at all,
// unless AllCrates; Config.OutOfScope then says why. Rules selected by
// name always run: the user asked.
func (c *ConfigCache) DiagnosticsConfig(path string, rules map[string]bool, forcePrivate bool) (diagnostics.Config, error) {
	dir := filepath.Dir(path)
	conf, err := c.ClippyConf(dir)
	cfg := diagnostics.Config{Rules: rules, CheckPrivateItems: forcePrivate || conf.CheckPrivateItems}
	if m := c.macrosFor(dir); m != nil {
		cfg.Macros = m
	}
	cfg.Panics = c.panicConfig(c.dirConf(dir).srctree, conf)
	t := c.TreeLints(dir)
	if t == nil {
		return cfg, err
	}
	cfg.Orderings = c.treeOrderings(t.Srctree)
	if !c.AllCrates {
		if abs, aerr := filepath.Abs(path); aerr == nil {
			if rel, rerr := filepath.Rel(t.Srctree, abs); rerr == nil {
				if crate, ok := t.UnlintedCrate(filepath.ToSlash(rel)); ok {
					cfg.Rules = map[string]bool{}
					cfg.OutOfScope = crate.Dir + ": " + crate.Why
					return cfg, err
				}
			}
		}
	}
	if rules == nil && t.HasRustFlags {
		cfg.Rules = map[string]bool{}
		for _, r := range diagnostics.AllRules() {
			if r.IsConvention() {
				continue // they run when asked (Config.Conventions)
			}
			if r.Clippy == "" || t.Enabled(r.Clippy) {
				cfg.Rules[r.Name] = true
			}
		}
	}
	// A file pulled in by include! is compiled under the attributes of
	// the include! site.
	if allowed := c.includeAllows(context.Background(), path); len(allowed) > 0 {
		cfg.Rules = maps.Clone(cfg.Rules)
		for name := range allowed {
			delete(cfg.Rules, name)
		}
	}
	return cfg, err
}

// orderingStructRE finds the marker types of the kernel's atomics'
// orderings: `pub struct Relaxed;`.
var orderingStructRE = regexp.MustCompile(`(?m)^pub struct ([A-Z][A-Za-z]*);`)

// treeOrderings reads the orderings the kernel's own atomics define
// (rust/kernel/sync/atomic/ordering.rs, 6.18 on), once per tree.
func (c *ConfigCache) treeOrderings(srctree string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.orders[srctree]; ok {
		return o
	}
	var out []string
	if b, err := os.ReadFile(filepath.Join(srctree, "rust", "kernel", "sync", "atomic", "ordering.rs")); err == nil {
		for _, m := range orderingStructRE.FindAllSubmatch(b, -1) {
			out = append(out, string(m[1]))
		}
	}
	if c.orders == nil {
		c.orders = map[string][]string{}
	}
	c.orders[srctree] = out
	return out
}
