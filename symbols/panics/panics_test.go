package panics

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestScanFile(t *testing.T) {
	src := `
pub struct Vec<T>(T);

impl<T, A: Allocator> Vec<T, A> {
    /// Appends.
    ///
    /// # Panics
    ///
    /// Panics if the new capacity exceeds isize::MAX.
    #[stable(feature = "rust1",
             since = "1.0.0")]
    pub fn push(&mut self, value: T) {}

    /// Makes one.
    pub const fn new() -> Self { loop {} }

    fn private(&self) {}
}

impl<T> [T] {
    /// Splits.
    ///
    /// # Panics
    ///
    /// Panics if ` + "`mid > len`" + `.
    pub const fn split_at(
        &self,
        mid: usize,
    ) -> (&[T], &[T]) { loop {} }
}

pub const trait Borrow<B: ?Sized> {
    /// Borrows.
    fn borrow(&self) -> &B;
}

macro_rules! int_impl {
    ($T:ty) => {
        impl $T {
            /// Divides.
            ///
            /// # Panics
            ///
            /// This function will panic if ` + "`rhs`" + ` is zero.
            pub const fn div_ceil(self, rhs: Self) -> Self { loop {} }
        }
    };
}

/// Swaps.
pub fn swap<T>(x: &mut T, y: &mut T) {}
`
	var got []string
	for _, f := range ScanFile("alloc::vec", []byte(src)) {
		got = append(got, f.Path+" method="+boolString(f.Method)+" panics="+boolString(f.Panics != "")+" documented="+boolString(f.Documented))
	}
	want := []string{
		"alloc::vec::Vec::push method=true panics=true documented=true",
		"alloc::vec::Vec::new method=false panics=false documented=true",
		"alloc::vec::slice::split_at method=true panics=true documented=true",
		"alloc::vec::Borrow::borrow method=true panics=false documented=true",
		"alloc::vec::div_ceil method=true panics=true documented=true",
		"alloc::vec::swap method=false panics=false documented=true",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ScanFile:\n got %q\nwant %q", got, want)
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestCounts(t *testing.T) {
	for _, c := range []struct {
		path, panics string
		want         bool
	}{
		{"core::slice::slice::copy_from_slice", "This function will panic if the two slices have different lengths.", true},
		{"core::iter::Iterator::enumerate", "The returned iterator might panic if the to-be-returned index would\noverflow a [`usize`].\n\n[`zip`]: Iterator::zip", false},
		{"core::num::div_ceil", "This function will panic if `rhs` is zero.\n\n## Overflow behavior\n\nOn overflow, this function will panic if overflow checks are enabled.", true},
		{"core::iter::Iterator::count", "This function might panic if the iterator has more than [`usize::MAX`]\nelements.", false},
		{"core::sync::atomic::AtomicU32::load", "Panics if `order` is [`Release`] or [`AcqRel`].", false},
		{"core::option::Option::unwrap_or", "", false},
	} {
		if got := (&Fn{Path: c.path, Panics: c.panics}).Counts(); got != c.want {
			t.Errorf("%s: Counts = %v, want %v", c.path, got, c.want)
		}
	}
}

func TestReadLibrary(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("core/src/option.rs", "impl<T> Option<T> {\n    /// Unwraps.\n    ///\n    /// # Panics\n    ///\n    /// Panics if the value is a [`None`].\n    pub fn unwrap(self) -> T { loop {} }\n}\n")
	write("core/src/slice/mod.rs", "impl<T> [T] {\n    /// Length.\n    pub fn len(&self) -> usize { 0 }\n}\n")
	write("alloc/src/lib.rs", "//! alloc\n")
	lib, err := ReadLibrary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if lib.Files != 3 {
		t.Errorf("Files = %d, want 3", lib.Files)
	}
	if f := lib.ByPath["core::option::Option::unwrap"]; f == nil || !f.Counts() {
		t.Errorf("Option::unwrap: %+v", f)
	}
	if f := lib.ByPath["core::slice::slice::len"]; f == nil || f.Counts() {
		t.Errorf("slice::len: %+v", f)
	}
	if got := lib.PanicNames(); !slices.Equal(got, []string{"unwrap"}) {
		t.Errorf("PanicNames = %v", got)
	}
	if _, err := ReadLibrary(filepath.Join(dir, "nowhere")); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("a missing library: err = %v", err)
	}
}

func TestFindLibrary(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "core", "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if got, how := FindLibrary(env(map[string]string{"RUST_SRC_PATH": dir, "RUSTC": "/nonexistent"}), ""); got != dir || how != "$RUST_SRC_PATH" {
		t.Errorf("RUST_SRC_PATH: %q %q", got, how)
	}
	if got, how := FindLibrary(env(map[string]string{"RUSTC": "/nonexistent"}), dir); got != dir || !strings.Contains(how, "rust-project.json") {
		t.Errorf("hint: %q %q", got, how)
	}
	if got, _ := FindLibrary(env(map[string]string{"RUST_SRC_PATH": t.TempDir(), "RUSTC": "/nonexistent"}), ""); got != "" {
		t.Errorf("a folder without core/src: %q", got)
	}
}

func TestDocumentedAsserts(t *testing.T) {
	src := []byte("fn f(x: u32) {\n    // PANIC: x is positive,\n    // as the caller checks.\n    assert!(x > 0);\n    // PANIC: never.\n    x.unwrap();\n}\n")
	if got := DocumentedAsserts(src); !slices.Equal(got, []string{"assert"}) {
		t.Errorf("DocumentedAsserts = %v", got)
	}
	if set := MacroSet(nil); set["assert"] || !set["unreachable"] {
		t.Errorf("MacroSet(nil) = %v", set)
	}
	if set := MacroSet([]string{"assert"}); !set["assert_eq"] || !set["debug_assert_ne"] {
		t.Errorf("one documented assert makes the family count: %v", set)
	}
}

// FuzzScanFile: any text scans without a panic, and each function found
// has a name and a path ending in it.
func FuzzScanFile(f *testing.F) {
	f.Add([]byte("impl<T> [T] {\n    /// # Panics\n    /// x\n    pub fn a(&self) {}\n}\n"))
	f.Add([]byte("impl\n{\n#[a(\n]\npub fn (\n"))
	f.Add([]byte("impl<<<> {\npub trait {\n/// # Panics\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, fn := range ScanFile("core::x", src) {
			if fn.Name == "" || !strings.HasSuffix(fn.Path, "::"+fn.Name) {
				t.Errorf("bad function %+v", fn)
			}
		}
		DocumentedAsserts(src)
	})
}
