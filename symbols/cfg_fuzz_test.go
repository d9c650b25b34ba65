package symbols

import (
	"context"
	"testing"
	"time"
)

// FuzzCfg runs the cfg and kernel-path analyses on arbitrary text: no
// panic, and every span stays inside the text.
//
//	go test ./symbols -run XXX -fuzz FuzzCfg
func FuzzCfg(f *testing.F) {
	for _, s := range []string{
		"", "#[cfg(", "#[cfg(CONFIG_A", "#[cfg(any(CONFIG_A, not(CONFIG_B = \"y\")))]\nfn f() {}",
		"#![cfg(CONFIG_A)]\nmod m { #![cfg(B)] #[cfg(C)] fn f() { #[cfg(D)] let x = cfg!(E); } }",
		"#[cfg_attr(A, cfg_attr(B, cfg(C)), allow(x))]\nstruct S { #[cfg(D)] a: u8 }",
		"macro_rules! m { () => { #[cfg($c)] fn h() {} cfg!(any(,)) } }",
		"#[cfg(a = r#\"x\"#, b = b\"y\", c = \"\\u{1F600}\")]", "cfg!{not(not(not(",
		"use kernel::{net::phy::{self, reg::C22 as R}, prelude::*};\nfn f() { phy::X::y(); R::Z; }",
		"use ::kernel::{{{{a}}}};", "use kernel::net as n; mod m { n::x(); } fn g() { n::y::<T>::z(); }",
		"use crate::block::mq::{self as q}; q::Foo; super::x; self::y;", "#[cfg(any(CONFIG_A, /* c */",
		"use kernel::error::code::{EINVAL, EIO as X}; fn f() { to_result(-22)?; Error::from_errno( - 0x1_6i32 ,); code::EBUSY; EPERM }",
		"#[cfg(\"unterminated", "#[cfg(r#", "'\"' #[cfg(x)]", "\xff\xfe#[cfg(\xc3)]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("%d bytes took %v", len(src), d)
			}
		}()
		in := func(what string, s Span) {
			if s.Start < 0 || s.End < s.Start || s.End > len(src) {
				t.Fatalf("%s: span [%d,%d) outside [0,%d)", what, s.Start, s.End, len(src))
			}
		}
		p := ParseCfg(src)
		_ = p.String()
		p.Eval(func(*CfgPred) CfgTruth { return CfgUnknown })
		p.Atoms(func(a *CfgPred) { in("ParseCfg atom", a.NameSpan) })

		file, err := Parse(context.Background(), "rust/kernel/fuzz.rs", src)
		if err != nil {
			return
		}
		defer file.Close()
		for _, r := range CfgRefs(file) {
			in("CfgRef name", r.NameSpan)
			if r.HasValue {
				in("CfgRef value", r.ValueSpan)
			}
			in("CfgRef site", r.Root.Site)
		}
		g := GatesOf(file)
		for _, x := range g.Items {
			in("gated", x.Span)
			in("gated item", x.Item)
		}
		for off := 0; off <= len(src); off += 1 + len(src)/64 {
			g.EnclosingCfgs(off)
		}
		for _, paths := range [][]PathUse{KernelPaths(file), KernelPathsIn(file, "kernel::a::b")} {
			for _, u := range paths {
				in("path use", u.Span)
				for i, s := range u.Segs {
					if s.Span.Start >= 0 {
						in("path segment", s.Span)
					}
					in("segment span", u.SegmentSpan(i))
				}
			}
		}
		step := 1
		if len(src) > 512 {
			step = len(src) / 256
		}
		for off := 0; off <= len(src); off += step {
			for _, tree := range []*File{file, nil} {
				prefix, at, ok := CfgCompletionAt(src, tree, off)
				if ok && (at < 0 || at+len(prefix) != off || string(src[at:off]) != prefix) {
					t.Fatalf("completion at %d: prefix %q at %d", off, prefix, at)
				}
			}
			if r, ok := ErrnoRefAt(file, off, func(string) bool { return true }); ok {
				in("errno reference", r.Span)
			}
		}
	})
}
