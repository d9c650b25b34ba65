package workspace

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTreeMacrosFollowRenames: a macro exported under another name (7.2's
// `pub use crate::{build_assert_macro as build_assert}`) has its
// definition's shape by either name, and is invoked by both.
func TestTreeMacrosFollowRenames(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("rust/kernel/build_assert.rs", "pub use crate::{\n    build_assert_macro as build_assert,\n};\n#[macro_export]\nmacro_rules! build_assert_macro {\n    ($cond:expr $(,)?) => {{ if !$cond { panic!() } }};\n}\n")
	write("rust/kernel/other.rs", "macro_rules! plain { (x) => {} }\n")
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
