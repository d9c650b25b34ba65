package workspace

import (
	"bytes"
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/krls-dev/krls/symbols"
)

// treeMacros finds the macro_rules! definitions of a tree by name, for
// the rules' question "is this macro call's input code?"
// (diagnostics.Macros). The tree's files that define any macro_rules! are
// listed once, by text, on the first question; a name is then looked for
// in those files' text and only the files that define it are parsed. It
// is safe for concurrent use.
type treeMacros struct {
	root string
	// listed returns the tree's .rs files when the index listed them
	// (ConfigCache.SetTreeFiles), else nil: the scan then walks the tree.
	listed func() []string

	once       sync.Once
	files      map[string][]byte   // the .rs files holding "macro_rules!"
	procMacros map[string]bool     // the function-like proc macros the tree defines
	definers   map[string][]string // macro name → the files that may define it
	aliases    map[string][]string // name a `pub use .. as` gives → the names it renames
	renamed    map[string][]string // and the other way
	// started: scan has begun (under mu; fileChanged before it has
	// nothing to update); gen counts fileChanged's calls (under mu), so
	// that an answer computed meanwhile is not kept.
	started bool
	gen     int
	// fileUses are the invocations of each file crateUses read.
	fileUses map[string]map[string]symbols.MacroUse

	mu        sync.Mutex
	shapes    map[string]*macroAnswer
	crates    map[string]map[string]symbols.MacroUse // crate root → the macros its code invokes
	fileCrate map[string]string                      // file → its crate root (CrateOf walks mod trees)
}

type macroAnswer struct {
	shape symbols.MacroShape
	ok    bool
}

// addDefinition merges the shape of one macro_rules! definition's text.
func (a *macroAnswer) addDefinition(path string, def []byte, name string) {
	f, err := symbols.Parse(context.Background(), path, def)
	if err != nil {
		return
	}
	defer f.Close()
	s, ok := symbols.MacroShapes(f)[name]
	if !ok {
		return
	}
	a.ok = true
	a.shape.Name = name
	a.shape.LiteralUnsafe = a.shape.LiteralUnsafe || s.LiteralUnsafe
	for w := range s.Literals {
		if a.shape.Literals == nil {
			a.shape.Literals = map[string]bool{}
		}
		a.shape.Literals[w] = true
	}
	a.shape.Captures = a.shape.Captures || s.Captures
	a.shape.UnsafeValue = a.shape.UnsafeValue || s.UnsafeValue
}

// Shape returns the merged shape of the macro_rules! definitions named
// name in the tree.
func (m *treeMacros) Shape(name string) (symbols.MacroShape, bool) {
	m.once.Do(m.scan)
	m.mu.Lock()
	if a, ok := m.shapes[name]; ok {
		m.mu.Unlock()
		return a.shape, a.ok
	}
	// What the answer is read from, copied under the lock (a file
	// change updates it, fileChanged).
	type definer struct {
		path, name string
		src        []byte
	}
	var defs []definer
	for _, def := range append([]string{name}, m.aliases[name]...) {
		for _, path := range m.definers[def] {
			defs = append(defs, definer{path, def, m.files[path]})
		}
	}
	proc, gen := m.procMacros[name], m.gen
	m.mu.Unlock()
	var a macroAnswer
	read := func(own bool) {
		for _, d := range defs {
			if (d.name == name) == own {
				// Each definition parsed alone: the definers are often
				// big files (str.rs), asked about one macro.
				for _, text := range symbols.MacroRulesTexts(d.src, d.name) {
					a.addDefinition(d.path, text, d.name)
				}
			}
		}
	}
	read(true)
	if !a.ok {
		// A macro exported under another name (7.2's build_assert!).
		read(false)
	}
	a.shape.Name = name
	if !a.ok && proc {
		// A function-like proc macro parses its input (with syn, in the
		// kernel) and emits it again with its own spans: an unsafe
		// block there is code where it stands, as clippy sees it.
		a = macroAnswer{shape: symbols.MacroShape{Name: name, Captures: true}, ok: true}
	}
	m.mu.Lock()
	if m.shapes == nil {
		m.shapes = map[string]*macroAnswer{}
	}
	if gen == m.gen { // not read from a file changed meanwhile
		m.shapes[name] = &a
	}
	m.mu.Unlock()
	return a.shape, a.ok
}

// scan lists the files of the tree that define a macro_rules!, leaving
// out hidden folders and files over symbols.MaxFileSize.
func (m *treeMacros) scan() {
	m.mu.Lock()
	m.started = true
	m.mu.Unlock()
	m.files = map[string][]byte{}
	m.procMacros = map[string]bool{}
	m.definers = map[string][]string{}
	m.aliases = map[string][]string{}
	m.renamed = map[string][]string{}
	eachTreeFile(m.root, m.listed(), func(p string, b []byte) { m.learn(p, b) })
}

// learn records what the file at path defines (src its text): its
// macro_rules!, the proc macros it defines and the macros it exports
// under other names. It reports whether a proc macro or a rename is new.
// (The scan calls it before anyone else can; fileChanged under mu.)
func (m *treeMacros) learn(path string, src []byte) (added bool) {
	if bytes.Contains(src, []byte("pub use")) {
		for _, a := range symbols.UseAliases(src) {
			if !slices.Contains(m.aliases[a.Alias], a.Name) {
				m.aliases[a.Alias] = append(m.aliases[a.Alias], a.Name)
				m.renamed[a.Name] = append(m.renamed[a.Name], a.Alias)
				added = true
			}
		}
	}
	if bytes.Contains(src, []byte("macro_rules!")) {
		m.files[path] = src
		for _, name := range symbols.DefinedMacros(src) {
			m.definers[name] = append(m.definers[name], path)
		}
	}
	for _, name := range symbols.ProcMacros(src) {
		added = added || !m.procMacros[name]
		m.procMacros[name] = true
	}
	return added
}

// walkRustFiles calls fn with each .rs file below root and its text,
// leaving out hidden folders, what is not a regular file and files over
// symbols.MaxFileSize.
func walkRustFiles(root string, fn func(path string, src []byte)) {
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".rs") || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > symbols.MaxFileSize {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil {
			fn(p, b)
		}
		return nil
	})
}

// macrosFor returns the macro finder of the tree holding dir: its
// srctree, else its module folder; nil outside both (the rules then look
// in the file alone).
func (c *ConfigCache) macrosFor(dir string) *treeMacros {
	root := c.dirConf(dir).srctree
	if root == "" {
		root, _ = FindModuleDir(dir)
	}
	if root == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.macros == nil {
		c.macros = map[string]*treeMacros{}
	}
	m := c.macros[root]
	if m == nil {
		m = &treeMacros{root: root, listed: func() []string { return c.listedFiles(root) }}
		c.macros[root] = m
	}
	return m
}

// ExpandedInCrate reports whether the crate of the file at path
// (symbols.CrateOf; the file alone when no crate root reaches it)
// invokes the macro name in its code (symbols.MacroInvocations: not in
// comments, not in macro_rules! bodies). A macro invoked only from other
// macros' bodies is not counted: which of its arms those expand is not
// known, and its findings keep their outside-clippy rule rather than
// claim what clippy would say.
func (m *treeMacros) ExpandedInCrate(name, path string) bool {
	_, ok := m.crateUse(name, path)
	return ok
}

// UnsafeInputInCrate reports whether some invocation of the macro name in
// the crate of the file at path passes it the keyword `unsafe`.
func (m *treeMacros) UnsafeInputInCrate(name, path string) bool {
	u, _ := m.crateUse(name, path)
	return u.UnsafeInput
}

// crateUse merges the invocations of the macro name, by any name it is
// invoked by, in the crate of the file at path; false when there are none.
func (m *treeMacros) crateUse(name, path string) (use symbols.MacroUse, ok bool) {
	uses := m.crateUses(path)
	for _, n := range m.invokedAs(name) {
		if u, found := uses[n]; found {
			use.UnsafeInput, ok = use.UnsafeInput || u.UnsafeInput, true
		}
	}
	return use, ok
}

// invokedAs are the names code invokes the macro name by: its own and
// those a `pub use` gives it (7.2's build_assert_macro! is invoked as
// build_assert!).
func (m *treeMacros) invokedAs(name string) []string {
	m.once.Do(m.scan)
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string{name}, m.renamed[name]...)
}

// fileChanged updates what the tree's macros know after the file at path
// changed on disk (src its text now, nil when it is gone): its
// macro_rules! definitions, the names it exports macros under, the proc
// macros it defines, and the invocations of its crate. It reports
// whether an answer may have changed: a save that changes none of these
// (most saves) does not drop the session's results.
func (m *treeMacros) fileChanged(path string, src []byte) bool {
	m.mu.Lock()
	started := m.started
	m.mu.Unlock()
	if !started {
		return false // nothing read yet: the scan will read src
	}
	m.once.Do(m.scan) // (waits for a scan under way)
	m.mu.Lock()
	defer m.mu.Unlock()
	// An answer being computed from the old text is not kept.
	m.gen++
	// Renames and proc macros are only added (learn): one that is gone
	// answers as before until the next start.
	old, had := m.files[path]
	if had {
		m.dropFile(path)
	}
	changed := m.learn(path, src)
	if _, has := m.files[path]; (had || has) && !sameDefinitions(old, src) {
		changed = true
	}
	if changed {
		m.shapes = nil
	}
	// Its crate's invocations are read again when next asked, if the
	// file's changed.
	if root, ok := m.fileCrate[path]; ok {
		if _, done := m.crates[root]; done && !maps.Equal(symbols.MacroInvocations(src), m.fileUses[path]) {
			delete(m.crates, root)
			changed = true
		}
	} else if src != nil && len(m.crates) > 0 && len(symbols.MacroInvocations(src)) > 0 {
		// A file no crate read had (a new module): which crate it joins
		// is not known here, so every crate is read again when asked.
		clear(m.crates)
		changed = true
	}
	return changed
}

// folderGone forgets the files below dir, a folder deleted with them (a
// client reports the folder alone), and reports whether any was known.
func (m *treeMacros) folderGone(dir string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.started {
		return false
	}
	m.gen++
	prefix := dir + string(filepath.Separator)
	changed := false
	for path := range m.files {
		if strings.HasPrefix(path, prefix) {
			m.dropFile(path)
			m.shapes = nil
			changed = true
		}
	}
	for path, root := range m.fileCrate {
		if _, done := m.crates[root]; done && strings.HasPrefix(path, prefix) {
			delete(m.crates, root)
			changed = true
		}
	}
	return changed
}

// sameDefinitions: the macro_rules! of two texts of a file are the same,
// name by name and text by text (an edit elsewhere in the file changes
// no shape).
func sameDefinitions(a, b []byte) bool {
	names := symbols.DefinedMacros(a)
	if !slices.Equal(names, symbols.DefinedMacros(b)) {
		return false
	}
	for _, name := range names {
		if !slices.EqualFunc(symbols.MacroRulesTexts(a, name), symbols.MacroRulesTexts(b, name), bytes.Equal) {
			return false
		}
	}
	return true
}

// dropFile forgets the definitions of the file at path (under mu).
func (m *treeMacros) dropFile(path string) {
	for name, paths := range m.definers {
		m.definers[name] = slices.DeleteFunc(paths, func(p string) bool { return p == path })
	}
	delete(m.files, path)
}

// crateUses returns the macros the crate of the file at path invokes,
// read once per crate.
func (m *treeMacros) crateUses(path string) map[string]symbols.MacroUse {
	// CrateOf walks up from the file to its tree's root: both absolute,
	// whatever the caller was given (`krls check .` gives relative paths).
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	m.mu.Lock()
	root, known := m.fileCrate[path]
	inv, done := m.crates[root]
	m.mu.Unlock()
	if known && done {
		return inv
	}
	treeRoot := m.root
	if abs, err := filepath.Abs(treeRoot); err == nil {
		treeRoot = abs
	}
	root, files, _, ok := symbols.CrateOf(path, treeRoot)
	if !ok {
		root, files = path, map[string]bool{path: true}
	}
	m.mu.Lock()
	if m.fileCrate == nil {
		m.fileCrate = map[string]string{}
	}
	m.fileCrate[path] = root
	for f := range files {
		// Every file of the crate has its answer: CrateOf walks the
		// whole module tree, once per crate.
		m.fileCrate[f] = root
	}
	inv, done = m.crates[root]
	gen := m.gen
	m.mu.Unlock()
	if done {
		return inv
	}
	inv = map[string]symbols.MacroUse{}
	perFile := map[string]map[string]symbols.MacroUse{}
	for f := range files {
		if b, err := os.ReadFile(f); err == nil {
			uses := symbols.MacroInvocations(b)
			perFile[f] = uses
			for n, u := range uses {
				inv[n] = symbols.MacroUse{UnsafeInput: inv[n].UnsafeInput || u.UnsafeInput}
			}
		}
	}
	m.mu.Lock()
	if gen == m.gen { // no file changed while they were read
		if m.crates == nil {
			m.crates = map[string]map[string]symbols.MacroUse{}
			m.fileUses = map[string]map[string]symbols.MacroUse{}
		}
		m.crates[root] = inv
		maps.Copy(m.fileUses, perFile)
	}
	m.mu.Unlock()
	return inv
}
