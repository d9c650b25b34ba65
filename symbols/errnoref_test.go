package symbols

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

const errnoRefSrc = `use kernel::error::code::{EINVAL, ENOMEM as NoMem};
use kernel::prelude::*;
use kernel::error::{to_result, Error};

// EINVAL in a comment
/// Returns EINVAL when ...
fn f(x: i32) -> Result {
    let s = "EINVAL";
    if x < 0 {
        return Err(EINVAL);
    }
    let e = code::EBUSY;
    let k = kernel::error::code::ENOENT;
    let b = -(bindings::EAGAIN as i32);
    let c = ::kernel::error::code :: EPERM;
    to_result(-22)?;
    to_result(unsafe { bindings::foo() })?;
    let g = Error::from_errno(-12);
    let h = kernel::error::Error::from_errno( - 0x10 , );
    let i = Error::try_from_errno(22i32);
    let j = max(-22, 1);
    let m = MyEnum::EIO;
    let n = EINVAL!();
    pr_err!("{:?}", EIO);
    let EXDEV = 3;
    Ok(())
}

struct S { EISDIR: u32 }
#[cfg(EFAULT)]
fn EROFS() {}
const ENOSPC: i32 = 28;
fn g() -> i32 { ENOSPC }
`

func TestErrnoRefAt(t *testing.T) {
	f, err := Parse(context.Background(), "t.rs", []byte(errnoRefSrc))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	known := func(n string) bool { return n != "ENOTHING" }
	at := func(needle string, n, skip int) (ErrnoRef, bool) {
		t.Helper()
		off := -1
		for i := 0; i <= n; i++ {
			j := strings.Index(errnoRefSrc[off+1:], needle)
			if j < 0 {
				t.Fatalf("%q #%d not found", needle, i)
			}
			off += 1 + j
		}
		return ErrnoRefAt(f, off+skip, known)
	}
	for _, c := range []struct {
		needle string
		n      int
		skip   int
		want   string // "" for none
	}{
		{"EINVAL, ENOMEM", 0, 2, "EINVAL path=kernel::error::code"},
		{"ENOMEM as", 0, 0, "ENOMEM path=kernel::error::code"},
		{"EINVAL in a comment", 0, 1, ""},
		{"Returns EINVAL", 0, 9, ""},
		{`"EINVAL"`, 0, 2, ""},
		{"Err(EINVAL)", 0, 4, "EINVAL path="},
		{"Err(EINVAL)", 0, 10, "EINVAL path="}, // at its end
		{"code::EBUSY", 0, 7, "EBUSY path=code"},
		{"code::EBUSY", 0, 1, ""}, // on `code`
		{"ENOENT", 0, 0, "ENOENT path=kernel::error::code"},
		{"EAGAIN", 0, 3, "EAGAIN path=bindings"},
		{"EPERM", 0, 0, "EPERM path=kernel::error::code"},
		{"-22)", 0, 0, "-22 to_result to_result"},
		{"-22)", 0, 2, "-22 to_result to_result"},
		{"-12", 0, 1, "-12 from_errno Error::from_errno"},
		{"0x10", 0, 1, "-16 from_errno kernel::error::Error::from_errno"},
		{"22i32", 0, 0, "22 try_from_errno Error::try_from_errno"},
		{"-22, 1", 0, 1, ""},
		{"EIO;", 0, 0, ""},
		{"EINVAL!", 0, 0, ""},
		{"EIO)", 0, 0, "EIO path="}, // in a macro's tokens
		{"EXDEV", 0, 0, ""},
		{"EISDIR", 0, 0, ""},
		{"EFAULT", 0, 0, ""},
		{"EROFS", 0, 0, ""},
		{"ENOSPC }", 0, 0, ""}, // the file defines it
		{"f(x", 0, 0, ""},
	} {
		r, ok := at(c.needle, c.n, c.skip)
		got := ""
		if ok {
			if r.IsNumber() {
				got = fmt.Sprintf("%d %s %s", r.Value, r.Func, r.Callee)
			} else {
				got = fmt.Sprintf("%s path=%s", r.Name, r.Path)
			}
			if want := strings.Fields(c.want)[0]; !r.IsNumber() && errnoRefSrc[r.Span.Start:r.Span.End] != want ||
				r.IsNumber() && !strings.HasPrefix(strings.ReplaceAll(errnoRefSrc[r.Span.Start:r.Span.End], " ", ""), want[:1]) {
				t.Errorf("%q: span %q", c.needle, errnoRefSrc[r.Span.Start:r.Span.End])
			}
		}
		if got != c.want {
			t.Errorf("%q+%d: got %q, want %q", c.needle, c.skip, got, c.want)
		}
	}
	if _, ok := ErrnoRefAt(f, len(errnoRefSrc), known); ok {
		t.Error("a reference at the end of the text")
	}
	if _, ok := ErrnoRefAt(f, -1, known); ok {
		t.Error("a reference before the text")
	}
}
