package workspace

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestTreeMacrosFollowRenames: a macro exported under another name (7.2's
// `pub use crate::{build_assert_macro as build_assert}`) has its
// definition's shape by either name, and is invoked by both.
func TestTreeMacrosFollowRenames(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"rust/kernel/build_assert.rs": "pub use crate::{\n    build_assert_macro as build_assert,\n};\n#[macro_export]\nmacro_rules! build_assert_macro {\n    ($cond:expr $(,)?) => {{ if !$cond { panic!() } }};\n}\n",
		"rust/kernel/other.rs": "macro_rules! plain { (x) => {} }\n"})
	m := &treeMacros{root: root, listed: func() []string { return nil }}
	for _, name := range []string{"build_assert_macro", "build_assert"} {
		shape, ok := m.Shape(name)
		if !ok || !shape.Captures || !shape.InputIsCode() || shape.Name != name {
			t.Errorf("Shape(%q) = %+v, %v; want the definition's, input read as code", name, shape, ok)
		}
	}
	if _, ok := m.Shape("plain_alias"); ok {
		t.Error("a name nothing gives has a shape")
	}
	if got := m.invokedAs("build_assert_macro"); len(got) != 2 || got[1] != "build_assert" {
		t.Errorf("invokedAs = %v", got)
	}
}

// TestRustFilesChanged: the server's file watcher tells the cache of
// changed .rs files, and the facts read from the tree follow: a macro
// defined later, and an assert macro a new PANIC comment documents.
func TestRustFilesChanged(t *testing.T) {
	root := t.TempDir()
	a := filepath.Join(root, "rust/kernel/a.rs")
	writeFiles(t, root, map[string]string{
		"Kconfig":            "config RUST\n\tbool \"Rust\"\n",
		"Makefile":           "VERSION = 7\nPATCHLEVEL = 2\n",
		"rust/kernel/lib.rs": "pub mod a;\n",
	})
	write(t, a, "pub fn f(x: u32) {\n    // PANIC: never zero.\n    assert!(x != 0);\n}\n")
	var c ConfigCache
	m := c.macrosFor(filepath.Dir(a))
	if m == nil {
		t.Fatal("no macro finder for the tree")
	}
	if _, ok := m.Shape("later"); ok {
		t.Fatal("a macro nobody defined has a shape")
	}
	srctree := c.dirConf(filepath.Dir(a)).srctree
	if srctree != root {
		t.Fatalf("srctree %q, want %q", srctree, root)
	}
	if got := c.treeAsserts(srctree); !slices.Equal(got, []string{"assert"}) {
		t.Fatalf("asserts %v", got)
	}
	if c.RustFilesChanged([]string{filepath.Join(root, "rust/kernel/b.rs")}) {
		t.Error("a change that holds nothing of interest changed the answers")
	}
	write(t, a, "macro_rules! later {\n    ($e:expr) => { $e };\n}\npub fn f(x: u32) {\n    // PANIC: never zero.\n    assert_eq!(x, 1);\n}\n")
	if !c.RustFilesChanged([]string{a}) {
		t.Fatal("the change was not seen")
	}
	if shape, ok := m.Shape("later"); !ok || !shape.InputIsCode() {
		t.Errorf("Shape(later) = %+v, %v after the file defined it", shape, ok)
	}
	if got := c.treeAsserts(srctree); !slices.Equal(got, []string{"assert", "assert_eq"}) {
		t.Errorf("asserts %v after the file documented assert_eq!", got)
	}
	// The same save reported twice (didSave, then the watcher), and a
	// save that changes no fact: the session keeps its results.
	if c.RustFilesChanged([]string{a}) {
		t.Error("the second report of one save changed the answers")
	}
	// The crate's invocations are read (SAFETY asks whether a macro is
	// expanded in its crate); an edit that invokes nothing new keeps them.
	if !m.ExpandedInCrate("assert_eq", a) {
		t.Error("assert_eq! is invoked in the crate")
	}
	write(t, a, "macro_rules! later {\n    ($e:expr) => { $e };\n}\npub fn f(x: u32) {\n    // PANIC: never zero, the caller checks.\n    assert_eq!(x, 1);\n}\n")
	if c.RustFilesChanged([]string{a}) {
		t.Error("an edit of a comment changed the answers")
	}
	write(t, a, "macro_rules! later {\n    ($e:expr) => { $e };\n}\npub fn f(x: u32) {\n    later!(x);\n}\n")
	if !c.RustFilesChanged([]string{a}) || !m.ExpandedInCrate("later", a) {
		t.Error("a new invocation was not seen")
	}
	// A new module of the crate, invoking a macro.
	write(t, filepath.Join(root, "rust/kernel/lib.rs"), "pub mod a;\npub mod b;\n")
	b := filepath.Join(root, "rust/kernel/b.rs")
	write(t, b, "pub fn g() {\n    assert_ne!(1, 2);\n}\n")
	c.RustFilesChanged([]string{filepath.Join(root, "rust/kernel/lib.rs"), b})
	if !m.ExpandedInCrate("assert_ne", a) {
		t.Error("the new module's invocation was not seen")
	}
	// Gone again: the definition with it.
	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	c.RustFilesChanged([]string{a})
	if _, ok := m.Shape("later"); ok {
		t.Error("a deleted file's macro still has a shape")
	}
	// A folder deleted with its files, reported as the folder.
	write(t, filepath.Join(root, "drivers/x/m.rs"), "macro_rules! in_folder { ($e:expr) => { $e }; }\n")
	c.RustFilesChanged([]string{filepath.Join(root, "drivers/x/m.rs")})
	if _, ok := m.Shape("in_folder"); !ok {
		t.Fatal("a new file's macro has no shape")
	}
	if err := os.RemoveAll(filepath.Join(root, "drivers")); err != nil {
		t.Fatal(err)
	}
	if !c.RustFilesChanged([]string{filepath.Join(root, "drivers")}) {
		t.Error("the deleted folder was not seen")
	}
	if _, ok := m.Shape("in_folder"); ok {
		t.Error("a deleted folder's macro still has a shape")
	}
}

// TestRustFilesChangedBeforeScan: a change before anything was read from
// the tree reads nothing (the tree's first question reads the new text).
func TestRustFilesChangedBeforeScan(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"Kconfig":            "",
		"Makefile":           "",
		"rust/kernel/lib.rs": "macro_rules! m { ($e:expr) => { $e }; }\n",
	})
	var c ConfigCache
	m := c.macrosFor(filepath.Join(root, "rust/kernel"))
	if c.RustFilesChanged([]string{filepath.Join(root, "rust/kernel/lib.rs")}) {
		t.Error("a change before any scan changed the answers")
	}
	m.mu.Lock()
	started := m.started
	m.mu.Unlock()
	if started {
		t.Error("the change walked the tree")
	}
}
