package symbols

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

func parseItems(t *testing.T, src string) *FileItems {
	t.Helper()
	f, err := Parse(context.Background(), "x.rs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Items(f)
}

func findItem(fi *FileItems, rel string) *Item {
	for i := range fi.Items {
		if strings.Join(fi.Items[i].Rel, "::") == rel {
			return &fi.Items[i]
		}
	}
	return nil
}

func TestItems(t *testing.T) {
	src := `//! The crate.
#![cfg(CONFIG_TOP)]

/// A task.
///
/// # Safety
///
/// Call it only
/// with care.
///
/// # Examples
/// none
#[cfg(CONFIG_A)]
pub unsafe fn danger() {}

pub(crate) struct Task;

impl Task {
    /// The current task.
    pub unsafe fn current() -> Self { fn inner() {} Task }
    const N: usize = 1;
}

unsafe impl Send for Task {}

impl<T: Clone> core::ops::Drop for Wrapper<T> {
    fn drop(&mut self) {}
}

#[cfg(not(CONFIG_B))]
pub mod inner {
    #[path = "other.rs"]
    mod file;
    mod plain;
    pub trait Tr { unsafe fn m(&self); type A; }
}

#[doc = "Doc by attribute."]
#[macro_export]
macro_rules! mac { () => {} }

extern "C" {
    pub fn c_func(x: i32) -> i32;
    pub static c_var: i32;
}
`
	fi := parseItems(t, src)
	if fi.Doc != "The crate." || len(fi.Cfgs) != 1 || fi.Cfgs[0] != "CONFIG_TOP" {
		t.Errorf("file doc %q cfgs %q", fi.Doc, fi.Cfgs)
	}
	d := findItem(fi, "danger")
	if d == nil || d.Kind != ItemFn || !d.Unsafe || d.Vis != "pub" || d.Safety != "Call it only\nwith care." || len(d.Cfgs) != 1 || d.Cfgs[0] != "CONFIG_A" {
		t.Errorf("danger = %+v", d)
	}
	if it := findItem(fi, "Task"); it == nil || it.Vis != "pub(crate)" || it.Kind != ItemStruct {
		t.Errorf("Task = %+v", it)
	}
	cur := findItem(fi, "Task::current")
	if cur == nil || !cur.Unsafe || cur.Doc != "The current task." || cur.Parent < 0 || fi.Items[cur.Parent].Kind != ItemImpl {
		t.Errorf("Task::current = %+v", cur)
	}
	if findItem(fi, "inner") == nil || findItem(fi, "Task::N") == nil {
		t.Error("missing inner or Task::N")
	}
	if findItem(fi, "Task::inner") != nil {
		t.Error("a fn in a fn body has no path")
	}
	var sendImpl, dropImpl *Item
	for i := range fi.Items {
		it := &fi.Items[i]
		if it.Kind == ItemImpl && it.Trait == "Send" {
			sendImpl = it
		}
		if it.Kind == ItemImpl && it.Trait == "core::ops::Drop" {
			dropImpl = it
		}
	}
	if sendImpl == nil || !sendImpl.Unsafe || sendImpl.Name != "Task" {
		t.Errorf("unsafe impl Send = %+v", sendImpl)
	}
	if dropImpl == nil || dropImpl.Unsafe || dropImpl.Name != "Wrapper" || dropImpl.SelfType != "Wrapper<T>" {
		t.Errorf("impl Drop = %+v", dropImpl)
	}
	if drop := findItem(fi, "Wrapper::drop"); drop == nil || drop.Trait != "core::ops::Drop" {
		t.Errorf("Wrapper::drop = %+v", drop)
	}
	m := findItem(fi, "inner::Tr::m")
	if m == nil || !m.Unsafe || len(m.EnclosingCfgs) != 1 || m.EnclosingCfgs[0] != "not(CONFIG_B)" {
		t.Errorf("inner::Tr::m = %+v", m)
	}
	if a := findItem(fi, "inner::Tr::A"); a == nil || a.Kind != ItemType {
		t.Errorf("inner::Tr::A = %+v", a)
	}
	if len(fi.Mods) != 2 || fi.Mods[0].Name != "file" || fi.Mods[0].PathAttr != "other.rs" || strings.Join(fi.Mods[0].Rel, "::") != "inner" || fi.Mods[1].Name != "plain" {
		t.Errorf("mods = %+v", fi.Mods)
	}
	mac := findItem(fi, "mac")
	if mac == nil || !mac.Exported || mac.Doc != "Doc by attribute." {
		t.Errorf("mac = %+v", mac)
	}
	if cf := findItem(fi, "c_func"); cf == nil || !cf.Foreign || cf.Kind != ItemFn {
		t.Errorf("c_func = %+v", cf)
	}
	if cv := findItem(fi, "c_var"); cv == nil || !cv.Foreign || cv.Kind != ItemStatic {
		t.Errorf("c_var = %+v", cv)
	}
}

func TestSafetySection(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"# Safety\nA.\n# Other\nB", "A."},
		{"## Safety\n\nA.\n### Sub\nC\n## Next", "A.\n### Sub\nC"},
		{"```\n# Safety\n```\nno", ""},
		{"x\n# Safety", ""},
	} {
		if got := SafetySection(c.doc); got != c.want {
			t.Errorf("SafetySection(%q) = %q, want %q", c.doc, got, c.want)
		}
	}
}

// TestItemsSafetyRealTree: on each fixture kernel, every item of
// rust/kernel whose doc comment has a `# Safety` heading (outside macro
// bodies) gets a Safety section, each line of it a line of that doc; and
// Task::current (6.12 on) the one its doc says.
func TestItemsSafetyRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			checked := 0
			for _, f := range kernelRustFiles(t, k.Src) {
				if !strings.HasPrefix(f.Path, "rust/kernel/") {
					continue
				}
				fi := Items(f)
				byLine := map[int]*Item{}
				for i := range fi.Items {
					byLine[f.Lines.Line(fi.Items[i].Span.Start)] = &fi.Items[i]
				}
				lines := strings.Split(string(f.Src), "\n")
				for i, l := range lines {
					if strings.TrimSpace(l) != "/// # Safety" || inMacroDefinition(f, f.Lines.Start(i)) {
						continue
					}
					var doc []string
					j := i
					for ; j > 0 && strings.HasPrefix(strings.TrimSpace(lines[j-1]), "///"); j-- {
					}
					for ; j < len(lines); j++ {
						t := strings.TrimSpace(lines[j])
						if strings.HasPrefix(t, "///") {
							doc = append(doc, strings.TrimSpace(strings.TrimPrefix(t, "///")))
						} else if !strings.HasPrefix(t, "#[") && !strings.HasPrefix(t, "//") && t != "" {
							break
						}
					}
					it := byLine[j]
					if it == nil {
						t.Errorf("%s:%d: no item under the # Safety doc at line %d", f.Path, j+1, i+1)
						continue
					}
					checked++
					if it.Safety == "" {
						t.Errorf("%s:%d: %s has no Safety", f.Path, j+1, strings.Join(it.Rel, "::"))
					}
					for _, sl := range strings.Split(it.Safety, "\n") {
						if sl = strings.TrimSpace(sl); sl != "" && !slices.Contains(doc, sl) {
							t.Errorf("%s:%d: %s: Safety line %q is not in its doc", f.Path, j+1, strings.Join(it.Rel, "::"), sl)
						}
					}
				}
				if f.Path == "rust/kernel/task.rs" {
					if cur := findItem(fi, "Task::current"); cur == nil || cur.Safety == "" {
						t.Errorf("Task::current = %+v", cur)
					} else {
						t.Logf("Task::current safety: %q", cur.Safety)
					}
				}
			}
			if checked == 0 {
				t.Error("no # Safety section in rust/kernel")
			}
			t.Logf("%d # Safety sections", checked)
		})
	}
}

func inMacroDefinition(f *File, off int) bool {
	for n := f.Root().DescendantForByteRange(uint(off), uint(off+1)); n != nil; n = n.Parent() {
		if n.KindId() == K.MacroDefinition {
			return true
		}
	}
	return false
}

func FuzzItems(f *testing.F) {
	for _, s := range []string{
		"pub unsafe fn f() {}", "impl<T> A for B<T> { fn x() {} }", "#[cfg(X)]\nmod m { #[path = \"p.rs\"] mod n; }",
		"/** a\n * # Safety\n * b */\nunsafe trait T {}", "extern \"C\" { fn c(); }", "#[doc = \"x\"]\nmacro_rules! m {}",
		"impl", "mod", "#![cfg(", "pub(in crate::a) struct S;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(context.Background(), "f.rs", []byte(src))
		if err != nil {
			return
		}
		defer file.Close()
		fi := Items(file)
		for i, it := range fi.Items {
			if it.Span.Start < 0 || it.Span.End > len(src) || it.NameSpan.Start < it.Span.Start || it.NameSpan.End > it.Span.End || it.Parent >= i {
				t.Fatalf("item %d %+v out of place in %q", i, it, src)
			}
		}
	})
}

func TestTypeBaseName(t *testing.T) {
	for in, want := range map[string]string{
		"Foo": "Foo", "Foo<T>": "Foo", "&'a mut kernel::Foo<T>": "Foo", "dyn Tr": "Tr", "mutex": "mutex",
		"dynamo::X": "X", "&mut_ref": "mut_ref", "[u8]": "[u8]", "(A, B)": "(A,B)", "Box<dyn Fn()>": "Box",
	} {
		if got := typeBaseName(in); got != want {
			t.Errorf("typeBaseName(%q) = %q, want %q", in, got, want)
		}
	}
}
