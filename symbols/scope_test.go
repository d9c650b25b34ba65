package symbols

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestItemsReexports(t *testing.T) {
	fi := parseItems(t, `use private::X;
pub use arc::{Arc, ArcBorrow as Borrow, self};
#[cfg(CONFIG_NET)]
pub(crate) use ::core::pin::*;
pub use crate::types::ARef as _;
pub mod inner {
    pub use super::x::Y;
}
fn f() {
    pub use nowhere::Z;
}
`)
	var got []string
	for _, r := range fi.Reexports {
		got = append(got, fmt.Sprintf("%s|%s|%s|%v|%v|%s|%s", strings.Join(r.Rel, "::"), strings.Join(r.Path, "::"), r.Name, r.Glob, r.Global, r.Vis, strings.Join(r.Cfgs, ",")))
	}
	want := []string{
		"|arc::Arc|Arc|false|false|pub|",
		"|arc::ArcBorrow|Borrow|false|false|pub|",
		"|arc|arc|false|false|pub|",
		"|core::pin||true|true|pub(crate)|CONFIG_NET",
		"inner|super::x::Y|Y|false|false|pub|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("re-exports:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestUseImportsAndEnclosing(t *testing.T) {
	src := `use kernel::{sync::Arc, types::ARef as R};
use kernel::prelude::*;
// use not::This;
mod m {
    use super::Thing;
    impl<T> Foo<T> {
        fn f(&self) {
            use crate::x::y;
            unsafe { here() }
        }
    }
}
trait Tr {
    fn d(&self) { unsafe { there() } }
}
`
	f, err := Parse(context.Background(), "x.rs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	for _, u := range UseImports(f) {
		got = append(got, fmt.Sprintf("%s=%s glob=%v scope=%q", u.Name, strings.Join(u.Path, "::"), u.Glob,
			firstLine(src[u.Scope.Start:u.Scope.End])))
	}
	want := []string{
		`Arc=kernel::sync::Arc glob=false scope="use kernel::{sync::Arc, types::ARef as R};"`,
		`R=kernel::types::ARef glob=false scope="use kernel::{sync::Arc, types::ARef as R};"`,
		`=kernel::prelude glob=true scope="use kernel::{sync::Arc, types::ARef as R};"`,
		`Thing=super::Thing glob=false scope="{"`,
		`y=crate::x::y glob=false scope="{"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("imports:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	e := EnclosingAt(f, strings.Index(src, "here"))
	if fmt.Sprint(e.Mods) != "[m]" || e.SelfType != "Foo<T>" || e.InTrait || !strings.HasPrefix(src[e.Fn.Start:], "fn f") ||
		!strings.HasPrefix(src[e.Module.Start:], "mod m") {
		t.Errorf("EnclosingAt(here) = %+v", e)
	}
	e = EnclosingAt(f, strings.Index(src, "there"))
	if len(e.Mods) != 0 || e.SelfType != "Tr" || !e.InTrait || e.Module != (Span{0, len(src)}) {
		t.Errorf("EnclosingAt(there) = %+v", e)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
