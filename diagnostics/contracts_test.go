package diagnostics

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/krls-dev/krls/symbols"
)

// fakeContracts resolve full paths from a table, as the index would
// after following re-exports.
type fakeContracts struct {
	module string
	fns    map[string]Contract
	asked  []string
}

func (f *fakeContracts) Module() string { return f.module }

func (f *fakeContracts) Contract(path string) (Contract, bool) {
	f.asked = append(f.asked, path)
	c, ok := f.fns[path]
	if ok && c.Path == "" {
		c.Path = path
	}
	return c, ok
}

func kernelContracts(module string) *fakeContracts {
	return &fakeContracts{module: module, fns: map[string]Contract{
		"kernel::task::Task::current": {Unsafe: true, File: "/k/rust/kernel/task.rs",
			Safety: "Callers must ensure that the returned object doesn't outlive the current task/thread."},
		"kernel::sync::Arc::from_raw": {Path: "kernel::sync::arc::Arc::from_raw", Unsafe: true, File: "/k/rust/kernel/sync/arc.rs",
			Safety: "`ptr` must have been returned by a previous call to [`Arc::into_raw`]."},
		"kernel::types::ARef::from_raw": {Unsafe: true, File: "/k/rust/kernel/types.rs",
			Safety: "* Callers must ensure that the reference count was incremented.\n* They relinquish one increment."},
		"kernel::task::Task::pid":      {File: "/k/rust/kernel/task.rs"}, // safe
		"kernel::task::Task::dec_ref":  {Unsafe: true, File: "/k/rust/kernel/task.rs", Safety: "The task must be alive."},
		"kernel::sync::Arc::as_ptr":    {Unsafe: true, File: "/k/rust/kernel/sync/arc.rs", Safety: "Arc pointer rule."},
		"kernel::ffi::c_fn":            {Unsafe: true, Foreign: true, File: "/k/rust/kernel/ffi.rs"},
		"kernel::nodoc::raw":           {Unsafe: true, File: "/k/rust/kernel/nodoc.rs"},
		"kernel::many::a":              {Unsafe: true, File: "/k/m.rs", Safety: "- a1\n- a2\n- a3\n- a4\n- a5\n- a6\n- a7\n- a8"},
		"kernel::many::b":              {Unsafe: true, File: "/k/m.rs", Safety: "b1"},
		"kernel::many::c":              {Unsafe: true, File: "/k/m.rs", Safety: "c1"},
		"kernel::many::d":              {Unsafe: true, File: "/k/m.rs", Safety: "d1"},
		"kernel::prelude::glob_fn":     {Unsafe: true, File: "/k/p.rs", Safety: "globbed."},
		"kernel::drv::Dev::reset":      {Unsafe: true, File: "/k/d.rs", Safety: "The device is stopped."},
		"kernel::drv::sub::helper":     {Unsafe: true, File: "/k/d.rs", Safety: "helper rule."},
		"kernel::drv::sibling_unsafe":  {Unsafe: true, File: "/k/d.rs", Safety: "sibling rule."},
		"rust_demo::Demo::poke":        {Unsafe: true, File: "/m/demo/other.rs", Safety: "Only when idle."},
		"rust_demo::inner::deep_poke":  {Unsafe: true, File: "/m/demo/other.rs", Safety: "Deep rule."},
		"kernel::local::Local::now":    {Unsafe: true, File: "/k/rust/kernel/local.rs", Safety: "STALE text from the index."},
		"kernel::local::Local::frozen": {Unsafe: true, File: "/k/rust/kernel/local.rs", Safety: "Frozen rule."},
	}}
}

// fixText analyses src (at path) with contracts and returns the inserted
// text of the undocumented-unsafe fix at the block containing marker.
func fixText(t *testing.T, path, src string, c Contracts, marker string) (string, string) {
	t.Helper()
	f, err := symbols.Parse(context.Background(), path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	at := strings.Index(src, marker)
	if at < 0 {
		t.Fatalf("no %q", marker)
	}
	for _, x := range Analyze(context.Background(), f, Config{Contracts: c, CheckPrivateItems: true}) {
		if x.Rule == UndocumentedUnsafe.Name && x.Start <= at && at < x.End+1 {
			return x.Fixes[0].Edits[0].NewText, x.Fixes[0].Title
		}
	}
	t.Fatalf("no undocumented-unsafe finding at %q", marker)
	return "", ""
}

func commentBody(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		out = append(out, strings.TrimPrefix(strings.TrimSpace(l), "// "))
	}
	return out
}

func TestCalleeResolution(t *testing.T) {
	for _, tc := range []struct {
		name, path, module, src, marker string
		want                            []string
	}{{
		name: "import", path: "/k/rust/kernel/foo.rs", module: "kernel::foo",
		src: `use crate::task::Task;
fn f() {
    let t = unsafe { Task::current() };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement of `Task::current` holds:",
			"- Callers must ensure that the returned object doesn't outlive the current task/thread."},
	}, {
		name: "qualified path through a re-export", path: "/m/drv.rs", module: "drv",
		src: `fn f(p: *const u8) {
    let a = unsafe { kernel::sync::Arc::from_raw(p) };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement of `kernel::sync::Arc::from_raw` holds:",
			"- `ptr` must have been returned by a previous call to [`Arc::into_raw`]."},
	}, {
		name: "group import, turbofish", path: "/m/drv.rs", module: "drv",
		src: `use kernel::{sync::{Arc}, types::ARef as R};
fn f(p: *const u8) {
    let a = unsafe { Arc::<u8>::from_raw(p) };
    let b = unsafe { R::from_raw(p) };
}`, marker: "R::from_raw",
		want: []string{"SAFETY: TODO: show that each requirement of `R::from_raw` holds:",
			"- Callers must ensure that the reference count was incremented.", "- They relinquish one increment."},
	}, {
		name: "self and super in the kernel crate", path: "/k/rust/kernel/drv/sub.rs", module: "kernel::drv::sub",
		src: `fn f() {
    unsafe { super::sibling_unsafe(); self::helper() };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement below holds.",
			"`super::sibling_unsafe`:", "- sibling rule.", "`self::helper`:", "- helper rule."},
	}, {
		name: "self method in an impl", path: "/k/rust/kernel/drv.rs", module: "kernel::drv",
		src: `struct Dev;
impl Dev {
    fn stop(&self) {
        unsafe { self.reset() }
    }
}`, marker: "unsafe {",
		want: []string{"SAFETY: TODO: show that each requirement of `Dev::reset` holds:", "- The device is stopped."},
	}, {
		name: "Self path in an impl of a generic type", path: "/k/rust/kernel/drv.rs", module: "kernel::drv",
		src: `struct Dev<T>(T);
impl<T> Dev<T> {
    fn stop(&self) {
        unsafe { Self::reset(self) }
    }
}`, marker: "unsafe {",
		want: []string{"SAFETY: TODO: show that each requirement of `Self::reset` holds:", "- The device is stopped."},
	}, {
		name: "receiver type spelled out", path: "/m/drv.rs", module: "drv",
		src: `use kernel::task::Task;
use kernel::types::ARef;
fn f(t: &Task, p: *const u8) {
    let n = t.pid();
    unsafe { t.dec_ref() };
    let a: kernel::sync::Arc<Task> = make();
    let q = unsafe { a.as_ptr() };
}`, marker: "unsafe { t",
		want: []string{"SAFETY: TODO: show that each requirement of `Task::dec_ref` holds:", "- The task must be alive."},
	}, {
		name: "method of a smart pointer's pointee", path: "/m/drv.rs", module: "drv",
		src: `use kernel::task::Task;
use kernel::types::ARef;
fn f(t: ARef<Task>) {
    unsafe { t.dec_ref() };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement of `Task::dec_ref` holds:", "- The task must be alive."},
	}, {
		name: "bindings", path: "/k/rust/kernel/sync/lock/mutex.rs", module: "kernel::sync::lock::mutex",
		src: `fn lock(ptr: *mut u8) {
    unsafe { bindings::mutex_lock(ptr) };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement of `bindings::mutex_lock` holds:",
			"- `mutex_lock` is a C function: its requirements are in its C documentation."},
	}, {
		name: "bindings through kernel::bindings, and an extern item", path: "/m/drv.rs", module: "drv",
		src: `use kernel::bindings;
fn f() {
    unsafe { bindings::schedule(); kernel::ffi::c_fn() };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement below holds.",
			"`bindings::schedule`:", "- `schedule` is a C function: its requirements are in its C documentation.",
			"`kernel::ffi::c_fn`:", "- `c_fn` is a C function: its requirements are in its C documentation."},
	}, {
		name: "no # Safety section, safe callees left out", path: "/m/drv.rs", module: "drv",
		src: `use kernel::task::Task;
fn f(t: &Task) {
    unsafe { t.pid(); kernel::nodoc::raw() };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement of `kernel::nodoc::raw` holds:",
			"- (it documents no `# Safety` section)"},
	}, {
		name: "deduplicated, in order, bounded", path: "/m/drv.rs", module: "drv",
		src: `use kernel::many::{a, b, c, d};
fn f() {
    unsafe { b(); a(); b(); c(); d(); a() };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement below holds.",
			"`b`:", "- b1", "`a`:", "- a1", "- a2", "- a3", "- a4", "- a5", "- a6", "- (2 more in its `# Safety` section)",
			"`c`:", "- c1", "Also the requirements of `d`."},
	}, {
		name: "glob import", path: "/m/drv.rs", module: "drv",
		src: `use kernel::prelude::*;
fn f() {
    unsafe { glob_fn() };
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement of `glob_fn` holds:", "- globbed."},
	}, {
		name: "an item of the crate, an inline module", path: "/m/demo.rs", module: "rust_demo",
		src: `struct Demo;
mod inner {
    use super::Demo;
    fn f(d: &Demo) {
        unsafe { d.poke(); deep_poke() };
    }
}`, marker: "unsafe",
		want: []string{"SAFETY: TODO: show that each requirement below holds.",
			"`Demo::poke`:", "- Only when idle.", "`deep_poke`:", "- Deep rule."},
	}, {
		name: "comments, strings and nested blocks", path: "/m/drv.rs", module: "drv",
		src: `use kernel::task::Task;
use kernel::many::{a, b};
fn f() {
    unsafe {
        // a() in a comment
        let s = "b()";
        // SAFETY: nested.
        unsafe { b() };
        Task::current()
    };
}`, marker: "unsafe {\n        //",
		want: []string{"SAFETY: TODO: show that each requirement of `Task::current` holds:",
			"- Callers must ensure that the returned object doesn't outlive the current task/thread."},
	}, {
		name: "this file's callee quoted from the current text", path: "/k/rust/kernel/local.rs", module: "kernel::local",
		src: `pub struct Local;
impl Local {
    /// # Safety
    ///
    /// Fresh text from the editor.
    pub unsafe fn now() {}
}
fn f() {
    unsafe { Local::now(); Local::frozen() };
}`, marker: "unsafe {",
		want: []string{"SAFETY: TODO: show that each requirement of `Local::now` holds:", "- Fresh text from the editor."},
	}, {
		name: "unresolved calls fall back to this file's functions by name", path: "/m/drv.rs", module: "drv",
		src: `/// # Safety
///
/// Local rule.
unsafe fn local() {}
fn f(x: &Thing) {
    unsafe { x.local() };
}`, marker: "unsafe {",
		want: []string{"SAFETY: TODO: show that each requirement of `local` holds:", "- Local rule."},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			text, title := fixText(t, tc.path, tc.src, kernelContracts(tc.module), tc.marker)
			if got := commentBody(text); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("comment:\n%s\nwant lines:\n%s", text, strings.Join(tc.want, "\n"))
			}
			if !strings.Contains(title, "listing the requirements of") {
				t.Errorf("title %q names no callee", title)
			}
		})
	}
}

// TestCalleeResolutionWithoutIndex: with no Contracts, or a file the index
// does not know, the fix is today's: only this file's functions.
func TestCalleeResolutionWithoutIndex(t *testing.T) {
	src := `use kernel::task::Task;
fn f() {
    unsafe { Task::current() };
}`
	for _, c := range []Contracts{nil, &fakeContracts{}} {
		text, _ := fixText(t, "/m/drv.rs", src, c, "unsafe")
		if strings.TrimSpace(text) != "// SAFETY:" {
			t.Errorf("with %v: %q", c, text)
		}
	}
}

func TestScanCalls(t *testing.T) {
	src := `unsafe {
    a::b::<T>::c(x);
    Vec::<u8>::with_capacity(1);
    <T as kernel::Tr>::go(1);
    ::kernel::f(2);
    self.inner.m(); self.m2(); x.m3(); (y).m4(); 1..n(3);
    g!(h()); r#"k()"#; 'x'; b"l()"; 'a: loop {}
    fn nested() {}
    if (z) {}
}`
	var got []string
	for _, c := range scanCalls([]byte(src), 0, len(src), nil) {
		s := strings.Join(c.segs, "::")
		if c.global {
			s = "::" + s
		}
		if c.method {
			s = c.recv + "." + s
		}
		got = append(got, s)
	}
	want := []string{"a::b::c", "Vec::with_capacity", "kernel::Tr::go", "::kernel::f", ".m", "self.m2", "x.m3", ".m4", "n", "h"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestScanCallsLiterals: a literal that holds a quote does not hide the
// calls after it (the quote of '\” is escaped; a C raw string ends at
// its `"#`).
func TestScanCallsLiterals(t *testing.T) {
	for _, src := range []string{
		`let q = ['\'','"']; f(x);`,
		`let q = '\\'; let r = '"'; f(x);`,
		`let s = cr#"a"b"#; f(x);`,
		`let s = br#"a"b"#; f(x);`,
		`let c = b'"'; f(x);`,
		`let c = '"'; /* /* "f(y)" */ */ f(x);`,
		`'a: loop { break 'a; } f(x);`,
		`r#f(x);`,
	} {
		var got []string
		for _, c := range scanCalls([]byte(src), 0, len(src), nil) {
			got = append(got, strings.Join(c.segs, "::")+"@"+strconv.Itoa(c.at))
		}
		want := []string{"f@" + strconv.Itoa(strings.LastIndex(src, "f("))}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", src, got, want)
		}
	}
}

func TestTypePaths(t *testing.T) {
	for in, want := range map[string][][]string{
		"&mut Arc<T>":                {{"Arc"}, {"T"}},
		"Pin<&mut Self>":             {{"Pin"}, {"Self"}},
		"&'a kernel::sync::Arc<Foo>": {{"kernel", "sync", "Arc"}, {"Foo"}},
		"ARef<task::Task>":           {{"ARef"}, {"task", "Task"}},
		"Result<Foo, Error>":         {{"Result"}, {"Foo"}},
		"*const T":                   nil,
		"&dyn Tr":                    {{"Tr"}},
		"Box<Pin<Foo>>":              {{"Box"}, {"Pin"}},
		"(u8, u8)":                   nil,
	} {
		if got := typePaths(in); !reflect.DeepEqual(got, want) {
			t.Errorf("typePaths(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeclaredType(t *testing.T) {
	src := []byte("fn f(a: &Foo, b: Bar<X, Y>) { let c: Baz = x; let d = e::f(); let a: Qux = y; g(a) }")
	for name, want := range map[string]string{"a": "Qux", "b": "Bar<X, Y>", "c": "Baz", "d": "", "f": ""} {
		if got := declaredType(src, 0, len(src), name); got != want {
			t.Errorf("declaredType(%s) = %q, want %q", name, got, want)
		}
	}
}
