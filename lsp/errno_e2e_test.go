package lsp

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// TestEndToEndErrnoHover hovers on every errno form in a Rust document of
// each fixture kernel, configured for x86_64, through the built binary.
// The lines the hover cites are where the tree writes them; 6.1 declares
// no Rust error codes.
func TestEndToEndErrnoHover(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) { errnoHoverE2E(t, k.Src, k.RustObj(t).Dir) })
	}
}

func errnoHoverE2E(t *testing.T, src, obj string) {
	errText := readFile(t, filepath.Join(src, "rust", "kernel", "error.rs"))
	einval := []string{
		"**EINVAL** = 22 on x86_64; the same on every arch",
		fmt.Sprintf("*Invalid argument* — `include/uapi/asm-generic/errno-base.h:%d`",
			kerneltest.LineWith(t, readFile(t, filepath.Join(src, "include/uapi/asm-generic/errno-base.h")), "#define\tEINVAL\t")),
		"User space sees it"}
	if strings.Contains(errText, "declare_err!(EINVAL,") {
		einval = append(einval, fmt.Sprintf("Rust: `kernel::error::code::EINVAL` — Invalid argument. (`rust/kernel/error.rs:%d`)",
			kerneltest.LineWith(t, errText, "declare_err!(EINVAL,")))
	}
	restart := []string{"**ERESTARTSYS** = 512 on x86_64", "**Kernel-internal**", "signal_pending() MUST be set"}
	if strings.Contains(errText, "declare_err!(ERESTARTSYS,") {
		restart = append(restart, "Restart the system call.")
	}
	p := startKrls(t)
	p.initializeWith("file://"+src, map[string]any{"krls": map[string]any{"objtree": obj}}, fullCaps)

	// A driver being written: the document exists only in the editor.
	path := filepath.Join(src, "drivers", "misc", "krls_errno_e2e.rs")
	text := `// SPDX-License-Identifier: GPL-2.0
use kernel::error::code::{EINVAL, ENOTSUPP};
use kernel::prelude::*;

fn probe(x: i32) -> Result {
    if x == 0 {
        return Err(EINVAL); // a comment naming EINVAL
    }
    let a = code::EAGAIN;
    let b = kernel::error::code::ERESTARTSYS;
    let c = Error::from_errno(-22);
    to_result(-95)?;
    to_result(22)?;
    let d = Error::from_errno(-(bindings::EOPNOTSUPP as i32));
    let e = ENOTSUPP;
    let s = "EINVAL";
    let max = core::cmp::max(-22, x);
    Ok(())
}
`
	uri := pathToURI(path)
	p.open(uri, text, 1)
	p.diagnosticsFor(uri, version(1))

	hover := func(needle string, n, skip int) (string, *protocol.Range) {
		t.Helper()
		r := p.call("textDocument/hover", at(t, uri, text, needle, n, skip))
		h := hoverText(t, r)
		if h == "" {
			return "", nil
		}
		return h, decodeParams[protocol.Hover](t, r.Result).Range
	}
	for _, c := range []struct {
		what   string
		needle string
		n      int
		skip   int
		span   string // the text the hover's range covers
		want   []string
	}{
		{"bare EINVAL", "Err(EINVAL)", 0, 5, "EINVAL", einval},
		{"use-list leaf", "{EINVAL", 0, 1, "EINVAL", []string{"**EINVAL** = 22 on x86_64"}},
		{"code::EAGAIN", "code::EAGAIN", 0, len("code::EA"), "EAGAIN", []string{
			"**EAGAIN** = 11 on x86_64; other arches differ: alpha 35", "Also named EWOULDBLOCK."}},
		{"kernel::error::code::ERESTARTSYS", "ERESTARTSYS", 0, 3, "ERESTARTSYS", restart},
		{"from_errno(-22)", "(-22)", 0, 2, "-22", []string{"`Error::from_errno(-22)` is **EINVAL**", "**EINVAL** = 22 on x86_64"}},
		{"to_result(-95) on the sign", "(-95)", 0, 1, "-95", []string{
			"`to_result(-95)` is **EOPNOTSUPP**", "other arches differ: alpha 45, mips 122, parisc 223, sparc 45",
			"On other arches 95 is alpha: ENOCSI; mips: ENOTSOCK; parisc: no code; sparc: EL2NSYNC.",
			"Not to be confused with the kernel-internal ENOTSUPP (524)."}},
		{"to_result(22)", "(22)", 0, 1, "22", []string{"`to_result(22)` is `Ok(())`", "(-22 would be EINVAL.)"}},
		{"bindings::EOPNOTSUPP", "EOPNOTSUPP", 0, 0, "EOPNOTSUPP", []string{"**EOPNOTSUPP** = 95 on x86_64"}},
		{"ENOTSUPP", "= ENOTSUPP", 0, 3, "ENOTSUPP", []string{"**ENOTSUPP** = 524", "**Kernel-internal**", "use EOPNOTSUPP (95)"}},
	} {
		h, rng := hover(c.needle, c.n, c.skip)
		for _, w := range c.want {
			if !strings.Contains(h, w) {
				t.Errorf("%s: hover lacks %q:\n%s", c.what, w, h)
			}
		}
		if rng != nil {
			if got := text[refOffset(text, rng.Start):refOffset(text, rng.End)]; got != c.span {
				t.Errorf("%s: range covers %q, want %q", c.what, got, c.span)
			}
		}
	}
	for _, c := range []struct {
		needle  string
		n, skip int
	}{
		{"naming EINVAL", 0, len("naming E")}, // comment
		{`"EINVAL"`, 0, 2},                    // string
		{"max(-22", 0, 5},                     // not an errno function
		{"fn probe", 0, 4},
		{"use kernel::prelude", 0, 5},
	} {
		if h, _ := hover(c.needle, c.n, c.skip); h != "" {
			t.Errorf("hover on %q+%d:\n%s", c.needle, c.skip, h)
		}
	}

	// A file of the tree: from_errno's own `return code::EINVAL;` (6.1:
	// From<TryReserveError>'s `code::ENOMEM`).
	errPath := filepath.Join(src, "rust", "kernel", "error.rs")
	errURI := pathToURI(errPath)
	p.open(errURI, errText, 1)
	needle, want := "return code::EINVAL;", "**EINVAL** = 22 on x86_64"
	if !strings.Contains(errText, needle) {
		needle, want = "        code::ENOMEM", "**ENOMEM** = 12 on x86_64"
	}
	r := p.call("textDocument/hover", at(t, errURI, errText, needle, 0, strings.Index(needle, "::E")+3))
	if h := hoverText(t, r); !strings.Contains(h, want) {
		t.Errorf("hover in rust/kernel/error.rs:\n%s", h)
	}
	p.call("shutdown", nil)
	p.notify("exit", nil)
	p.wait()
}
