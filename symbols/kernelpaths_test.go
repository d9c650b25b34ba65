package symbols

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func pathsString(f *File, us []PathUse) string {
	var parts []string
	for _, u := range us {
		k := map[PathKind]string{PathInUse: "use", PathQualified: "q", PathAlias: "alias"}[u.Kind]
		s := fmt.Sprintf("%s@%d:%s", u.Path, f.Lines.Line(u.Span.Start)+1, k)
		if u.InMacroDef {
			s += "(macro)"
		}
		for _, seg := range u.Segs {
			if seg.Span.Start >= 0 && u.Kind != PathAlias && string(f.Src[seg.Span.Start:seg.Span.End]) != seg.Name &&
				!(seg.Name == "kernel" && string(f.Src[seg.Span.Start:seg.Span.End]) == "crate") &&
				!(seg.Span.End-seg.Span.Start <= 5 && strings.Contains("self super", string(f.Src[seg.Span.Start:seg.Span.End]))) {
				s += fmt.Sprintf("(bad seg %s=%q)", seg.Name, f.Src[seg.Span.Start:seg.Span.End])
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestKernelPaths(t *testing.T) {
	src := `use kernel::{
    c_str,
    net::phy::{self, reg::C22 as R, DeviceId},
    prelude::*,
};
use ::kernel::block as blk;
use core::net; // not the kernel
// kernel::in::comment
fn f(d: &mut kernel::net::phy::Device) -> Result {
    let s = "kernel::in::string";
    phy::genphy(d);
    blk::mq::GenDisk::new();
    R::BMCR;
    x.kernel::y;
    foo::kernel::z();
    net::Ipv4Addr::new();
    kernel::module_phy_driver! { drivers: [phy::Foo], };
    fn inner() { use kernel::sync; sync::Arc::new(); }
    sync::Arc::new(); // out of the use's block
}
mod m {
    fn g() { phy::Device::x(); } // not in scope in a nested module
    use kernel::firmware;
    fn h() { firmware::Firmware::request(); }
}
macro_rules! mm { () => { kernel::net::phy::Q } }
`
	f := parseT(t, src)
	got := pathsString(f, KernelPaths(f))
	want := "kernel::c_str@2:use kernel::net::phy@3:use kernel::net::phy::reg::C22@3:use kernel::net::phy::DeviceId@3:use " +
		"kernel::prelude::*@4:use kernel::block@6:use kernel::net::phy::Device@9:q kernel::net::phy::genphy@11:alias " +
		"kernel::block::mq::GenDisk::new@12:alias kernel::net::phy::reg::C22::BMCR@13:alias kernel::module_phy_driver@17:q " +
		"kernel::net::phy::Foo@17:alias kernel::sync@18:use kernel::sync::Arc::new@18:alias kernel::firmware@23:use " +
		"kernel::firmware::Firmware::request@24:alias kernel::net::phy::Q@26:q(macro)"
	if got != want {
		t.Errorf("KernelPaths:\n got %s\nwant %s", got, want)
	}
}

func TestKernelPathsInKernelCrate(t *testing.T) {
	src := `use crate::block::mq::{raw_writer::RawWriter, Operations};
use super::Sibling;
use self::child::X;
pub(crate) fn f() -> crate::error::Result { $crate::net::x; super::super::top::Y; }
mod inline { use super::Z; }
`
	f, err := Parse(context.Background(), "/src/rust/kernel/block/mq/gen_disk.rs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := pathsString(f, KernelPaths(f))
	want := "kernel::block::mq::raw_writer::RawWriter@1:use kernel::block::mq::Operations@1:use kernel::error::Result@4:q"
	if got != want {
		t.Errorf("KernelPaths:\n got %s\nwant %s", got, want)
	}
	got = pathsString(f, KernelPathsIn(f, "kernel::block::mq::gen_disk"))
	want = "kernel::block::mq::raw_writer::RawWriter@1:use kernel::block::mq::Operations@1:use " +
		"kernel::block::mq::Sibling@2:use kernel::block::mq::gen_disk::child::X@3:use kernel::error::Result@4:q " +
		"kernel::block::top::Y@4:q"
	if got != want {
		t.Errorf("KernelPathsIn:\n got %s\nwant %s", got, want)
	}
	// Outside rust/kernel, crate:: is the file's own crate.
	g := parseT(t, src)
	if got := pathsString(g, KernelPaths(g)); got != "" {
		t.Errorf("crate:: outside the kernel crate: %s", got)
	}
}

func TestParseUseTree(t *testing.T) {
	src := `pub(crate) use ::a::{b, c::{self as d, *}, e as _, r#f, {g}};`
	from, ok := useKeywordEnd([]byte(src), 0, len(src))
	if !ok {
		t.Fatal("no use keyword")
	}
	var parts []string
	for _, l := range parseUseTree([]byte(src), from, len(src)-1) {
		s := joinSegs(l.Segs)
		if l.Glob {
			s += "::*"
		}
		if l.Alias != "" {
			s += " as " + l.Alias
		}
		if l.Global {
			s = "::" + s
		}
		parts = append(parts, s+"="+src[l.Span.Start:l.Span.End])
	}
	want := "::a::b=b ::a::c as d=self as d ::a::c::*=* ::a::e as _=e as _ ::a::f=r#f ::a::g=g"
	if got := strings.Join(parts, " | "); strings.ReplaceAll(got, " | ", " ") != want {
		t.Errorf("parseUseTree = %s\nwant %s", got, want)
	}
}
