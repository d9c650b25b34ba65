package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/panics"
)

// rustLibrary is the Rust library's sources as read for undocumented-panic,
// found and read once, on first use.
type rustLibrary struct {
	hint   string // a rust-project.json's sysroot_src, or ""
	once   sync.Once
	loaded atomic.Bool // once has run
	lib    *panics.Library
	note   string
}

// load finds and reads core and alloc; note says what was read, or why
// krls's built-in list stands in.
func (r *rustLibrary) load() (*panics.Library, string) {
	r.once.Do(func() {
		defer r.loaded.Store(true)
		dir, how := panics.FindLibrary(os.Getenv, r.hint)
		if dir == "" {
			r.note = fmt.Sprintf("undocumented-panic: the Rust library sources (rust-src) were not found ($RUST_SRC_PATH, rustc's sysroot): "+
				"of core and alloc, only krls's built-in list of %d methods (unwrap, expect, copy_from_slice, split_at, ...) is known to panic", len(panics.Builtin))
			return
		}
		lib, err := panics.ReadLibrary(dir)
		if err != nil {
			r.note = "undocumented-panic: " + err.Error() + "; using krls's built-in list of core's and alloc's panicking methods"
			return
		}
		r.lib = lib
		r.note = fmt.Sprintf("undocumented-panic: read the `# Panics` sections of core and alloc from %s (%s, %d files)", dir, how, lib.Files)
	})
	return r.lib, r.note
}

// sysrootSrc is the library folder a tree's rust-project.json names
// (`make rust-analyzer` writes it into the objtree, the srctree for an
// in-tree build), or "".
func sysrootSrc(srctree string) string {
	if srctree == "" {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(srctree, "rust-project.json"))
	if err != nil {
		return ""
	}
	var p struct {
		Sysroot    string `json:"sysroot"`
		SysrootSrc string `json:"sysroot_src"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	if p.SysrootSrc != "" {
		return p.SysrootSrc
	}
	if p.Sysroot != "" {
		return filepath.Join(p.Sysroot, "lib", "rustlib", "src", "rust", "library")
	}
	return ""
}

// libraryFor is the Rust library of the tree at srctree ("" outside one).
func (c *ConfigCache) libraryFor(srctree string) *rustLibrary {
	if srctree != "" {
		srctree = absClean(srctree)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return entry(&c.libraries, srctree, func() *rustLibrary { return &rustLibrary{hint: sysrootSrc(srctree)} })
}

// entry returns (*m)[key], made with make and stored first if missing
// (the map too): the per-tree caches' get-or-create, under their lock.
func entry[V any](m *map[string]*V, key string, make func() *V) *V {
	if v, ok := (*m)[key]; ok {
		return v
	}
	if *m == nil {
		*m = map[string]*V{}
	}
	v := make()
	(*m)[key] = v
	return v
}

// PanicNote says where undocumented-panic's knowledge of core and alloc
// comes from for a file at path; it reads the library if it was not read.
func (c *ConfigCache) PanicNote(path string) string {
	_, note := c.libraryFor(c.dirConf(filepath.Dir(path)).srctree).load()
	return note
}

// missingLibraryNotes are the notes of the libraries that undocumented-
// panic looked for and did not find (or could not read).
func (c *ConfigCache) missingLibraryNotes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, r := range c.libraries {
		if r.loaded.Load() && r.lib == nil && !seen[r.note] {
			seen[r.note] = true
			out = append(out, r.note)
		}
	}
	sort.Strings(out)
	return out
}

// panicConfig is what undocumented-panic knows for a file of the tree at
// srctree: the library (read when the rule first runs), the panicking
// macros the tree's code documents, .clippy.toml's may-panic-functions.
func (c *ConfigCache) panicConfig(srctree string, conf ClippyConf) *diagnostics.PanicConfig {
	r := c.libraryFor(srctree)
	pc := &diagnostics.PanicConfig{
		Library:         func() *panics.Library { lib, _ := r.load(); return lib },
		MayPanic:        conf.MayPanicFunctions,
		ReplaceDefaults: conf.HasMayPanic && !conf.MayPanicExtends,
	}
	if srctree != "" {
		pc.Macros = func() map[string]bool { return panics.MacroSet(c.treeAsserts(srctree)) }
	}
	return pc
}

// treeAssertScan is the assert macros a tree's PANIC comments document,
// read once.
type treeAssertScan struct {
	once    sync.Once
	mu      sync.Mutex // guards asserts once read (fileChanged adds)
	asserts []string
}

// add records the assert macros src's PANIC comments document, and
// reports whether one is new.
func (a *treeAssertScan) add(src []byte) bool {
	if !bytes.Contains(src, []byte("// "+panics.Label)) {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	added := false
	for _, m := range panics.DocumentedAsserts(src) {
		if !slices.Contains(a.asserts, m) {
			a.asserts = append(a.asserts, m)
			added = true
		}
	}
	return added
}

// SetTreeFiles tells the cache the .rs files of the tree at root, as the
// index's walk listed them (`krls check` refreshes the index first), so
// that reading a fact of the whole tree does not walk its 90,000 entries
// again.
func (c *ConfigCache) SetTreeFiles(root string, files []string) {
	root = absClean(root)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.treeFiles == nil {
		c.treeFiles = map[string][]string{}
	}
	c.treeFiles[root] = files
}

// treeAsserts are the assert macros that a `// PANIC:` comment of the
// tree at root documents (panics.DocumentedAsserts), read once from its
// files: those SetTreeFiles gave, else a walk.
func (c *ConfigCache) treeAsserts(root string) []string {
	root = absClean(root)
	c.mu.Lock()
	a := entry(&c.asserts, root, func() *treeAssertScan { return &treeAssertScan{} })
	files := c.treeFiles[root]
	c.mu.Unlock()
	a.once.Do(func() {
		eachTreeFile(root, files, func(_ string, b []byte) { a.add(b) })
	})
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.asserts)
}

// RustFilesChanged updates the facts read from the .rs files of a tree
// after files changed on disk (the server's file watcher, a save): the
// tree's macro_rules! and the assert macros its PANIC comments document
// (a family once documented stays until the next start). It reports
// whether an analysis may now answer differently.
func (c *ConfigCache) RustFilesChanged(paths []string) bool {
	type tree struct {
		root    string
		macros  *treeMacros
		asserts *treeAssertScan
	}
	c.mu.Lock()
	var trees []tree
	for root, m := range c.macros {
		trees = append(trees, tree{root: absClean(root), macros: m})
	}
	for root, a := range c.asserts {
		trees = append(trees, tree{root: root, asserts: a})
	}
	c.mu.Unlock()
	changed := false
	for _, p := range paths {
		p = absClean(p)
		if filepath.Ext(p) != ".rs" {
			// A folder deleted with its files: clients report the folder.
			if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
				for _, t := range trees {
					if t.macros != nil && t.macros.folderGone(p) {
						changed = true
					}
				}
			}
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil || len(src) > symbols.MaxFileSize {
			src = nil // gone, or too big to be read as a tree's file
		}
		for _, t := range trees {
			if !strings.HasPrefix(p, t.root+string(filepath.Separator)) {
				continue
			}
			if t.macros != nil && t.macros.fileChanged(p, src) {
				changed = true
			}
			if t.asserts != nil && t.asserts.add(src) {
				changed = true
			}
		}
	}
	return changed
}

// listedFiles are the .rs files of the tree at root as SetTreeFiles gave
// them, or nil.
func (c *ConfigCache) listedFiles(root string) []string {
	root = absClean(root)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.treeFiles[root]
}

// eachTreeFile calls fn with each .rs file of the tree at root and its
// text: the files listed (the index's walk, which krls check has made
// already), else those walkRustFiles finds.
func eachTreeFile(root string, listed []string, fn func(path string, src []byte)) {
	if listed == nil {
		walkRustFiles(root, fn)
		return
	}
	for _, f := range listed {
		if b, err := os.ReadFile(f); err == nil && len(b) <= symbols.MaxFileSize {
			fn(f, b)
		}
	}
}

// absClean is path made absolute (as given when that fails): `krls check .`
// finds trees by relative paths, the index by absolute ones.
func absClean(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}
