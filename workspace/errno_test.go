package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/internal/kerneltest"

	"github.com/krls-dev/krls/symbols"
)

// errnoTree is a tiny kernel tree with errno headers: a generic table, an
// internal header, and alpha's own table.
func errnoTree(t *testing.T, dotconfig string) string {
	t.Helper()
	files := map[string]string{
		"Kconfig":            "mainmenu \"Tiny\"\n\nconfig NET\n\tbool \"Networking\"\n",
		"Makefile":           "VERSION = 6\n",
		"rust/kernel/lib.rs": "",
		symbols.ErrnoBaseHeader: "#define\tEPERM\t 1\t/* Operation not permitted */\n" +
			"#define\tEAGAIN\t11\t/* Try again */\n#define\tEINVAL\t22\t/* Invalid argument */\n",
		symbols.ErrnoGenericHeader: "#include <asm-generic/errno-base.h>\n\n#define\tEDEADLK\t35\t/* Resource deadlock would occur */\n" +
			"#define\tEWOULDBLOCK\tEAGAIN\t/* Operation would block */\n#define\tEOPNOTSUPP\t95\t/* Operation not supported on transport endpoint */\n",
		symbols.ErrnoInternalHeader: "/*\n * These should never be seen by user programs.\n */\n#define ERESTARTSYS\t512\n\n#define ENOTSUPP\t524\t/* Operation is not supported */\n",
		"arch/alpha/include/uapi/asm/errno.h": "#include <asm-generic/errno-base.h>\n#undef\tEAGAIN\n#define\tEDEADLK\t11\t/* Resource deadlock would occur */\n" +
			"#define\tEAGAIN\t35\t/* Try again */\n#define\tEWOULDBLOCK\tEAGAIN\t/* Operation would block */\n#define\tEOPNOTSUPP\t45\t/* Operation not supported on transport endpoint */\n" +
			"#define\tEALPHAONLY\t99\t/* Only here */\n",
		symbols.ErrnoRustFile: "pub mod code {\n    declare_err!(EINVAL, \"Invalid argument.\");\n    declare_err!(ENOTSUPP, \"Operation is not supported.\");\n}\n" +
			"impl Error {\n    pub fn from_errno(errno: i32) -> Error { todo!() }\n}\n",
		"drivers/foo.rs": errnoRustText,
	}
	if dotconfig != "" {
		files[".config"] = dotconfig
	}
	return kerneltest.WriteTree(t, files)
}

const errnoRustText = `use kernel::error::code::{EINVAL, ENOTSUPP};

fn f(x: i32) -> Result {
    if x == 0 {
        return Err(EINVAL);
    }
    let a = code::EAGAIN;
    let b = kernel::error::code::ERESTARTSYS;
    let c = -(bindings::EOPNOTSUPP as i32);
    let d = Error::from_errno(-22);
    to_result(22)?;
    to_result(-35)?;
    Error::from_errno(-600);
    Error::from_errno(5000);
    let not_errno = EINVALID;
    let e = code::ENOMEM;
    let w = code::EWOULDBLOCK;
    let z = code::EALPHAONLY;
    Ok(())
}
`

// errnoSession is a session over errnoTree(dotconfig) and the path of its
// Rust file.
func errnoSession(t *testing.T, dotconfig string) (*Session, string) {
	t.Helper()
	src := errnoTree(t, dotconfig)
	s := NewSession()
	t.Cleanup(s.Shutdown)
	return s, filepath.Join(src, "drivers", "foo.rs")
}

func errnoHoverAt(t *testing.T, s *Session, path, needle string, skip int) string {
	t.Helper()
	i := strings.Index(errnoRustText, needle)
	if i < 0 {
		t.Fatalf("%q not in the text", needle)
	}
	d := s.Open("file://"+path, path, "rust", 1, []byte(errnoRustText))
	h, err := s.Hover(context.Background(), d, i+skip)
	if err != nil {
		t.Fatal(err)
	}
	if h == nil {
		return ""
	}
	return h.Markdown
}

func wantAll(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

func TestErrnoHoverX86(t *testing.T) {
	s, path := errnoSession(t, "# Linux/x86_64 6.12.0 Kernel Configuration\nCONFIG_NET=y\n")

	h := errnoHoverAt(t, s, path, "Err(EINVAL)", 4)
	wantAll(t, "EINVAL", h, "**EINVAL** = 22 on x86_64; the same on every arch",
		"*Invalid argument* — `include/uapi/asm-generic/errno-base.h:3`",
		"Rust: `kernel::error::code::EINVAL` — Invalid argument. (`rust/kernel/error.rs:2`)",
		"User space sees it")
	if h2 := errnoHoverAt(t, s, path, "code::{EINVAL", len("code::{")); h2 != h {
		t.Errorf("hover in the use list differs:\n%s", h2)
	}
	wantAll(t, "code::EAGAIN", errnoHoverAt(t, s, path, "code::EAGAIN", 7),
		"**EAGAIN** = 11 on x86_64; other arches differ: alpha 35", "Also named EWOULDBLOCK.",
		"Rust: `kernel::error::code` has no EAGAIN in `rust/kernel/error.rs`; use `Error::from_errno(-(bindings::EAGAIN as i32))`.")
	wantAll(t, "ERESTARTSYS", errnoHoverAt(t, s, path, "ERESTARTSYS", 0),
		"**ERESTARTSYS** = 512 on x86_64", "> These should never be seen by user programs.",
		"Defined at `include/linux/errno.h:4`", "**Kernel-internal** (`include/linux/errno.h`, ≥ 512)")
	wantAll(t, "ENOTSUPP", errnoHoverAt(t, s, path, "ENOTSUPP}", 0),
		"**Kernel-internal**", "For errors that reach user space use EOPNOTSUPP (95).")
	h = errnoHoverAt(t, s, path, "EOPNOTSUPP", 0)
	wantAll(t, "bindings::EOPNOTSUPP", h, "**EOPNOTSUPP** = 95 on x86_64; other arches differ: alpha 45",
		"Not to be confused with the kernel-internal ENOTSUPP (524).")
	if strings.Contains(h, "declare_err") {
		t.Errorf("bindings:: hover suggests bindings:\n%s", h)
	}
	wantAll(t, "EWOULDBLOCK", errnoHoverAt(t, s, path, "EWOULDBLOCK", 0), "**EWOULDBLOCK** = 11", "Another name of EAGAIN.", "alpha 35")
	wantAll(t, "EALPHAONLY", errnoHoverAt(t, s, path, "EALPHAONLY", 0), "**EALPHAONLY** is not an error code on x86_64; it is defined on alpha (99).")

	wantAll(t, "from_errno(-22)", errnoHoverAt(t, s, path, "-22", 0), "`Error::from_errno(-22)` is **EINVAL**", "**EINVAL** = 22 on x86_64")
	wantAll(t, "from_errno(-22) on the digits", errnoHoverAt(t, s, path, "-22", 2), "`Error::from_errno(-22)` is **EINVAL**")
	wantAll(t, "to_result(22)", errnoHoverAt(t, s, path, "(22)", 1), "`to_result(22)` is `Ok(())`", "(-22 would be EINVAL.)")
	wantAll(t, "to_result(-35)", errnoHoverAt(t, s, path, "-35", 1), "`to_result(-35)` is **EDEADLK**", "On other arches 35 is alpha: EAGAIN.", "other arches differ: alpha 11")
	wantAll(t, "from_errno(-600)", errnoHoverAt(t, s, path, "-600", 1), "`Error::from_errno(-600)`: no error code is 600 on x86_64.")
	wantAll(t, "from_errno(5000)", errnoHoverAt(t, s, path, "5000", 1), "is out of range", "returns EINVAL instead")

	for _, c := range []struct {
		needle string
		skip   int
	}{{"EINVALID", 0}, {"fn f", 3}, {"not_errno", 0}, {"use kernel", 1}, {"code::EAGAIN", 1}} {
		if h := errnoHoverAt(t, s, path, c.needle, c.skip); h != "" {
			t.Errorf("hover on %q+%d:\n%s", c.needle, c.skip, h)
		}
	}
}

func TestErrnoHoverAlpha(t *testing.T) {
	s, path := errnoSession(t, "# Linux/alpha 6.12.0 Kernel Configuration\nCONFIG_NET=y\n")
	wantAll(t, "EAGAIN on alpha", errnoHoverAt(t, s, path, "code::EAGAIN", 7),
		"**EAGAIN** = 35 on alpha; other arches differ: the generic table 11",
		"`arch/alpha/include/uapi/asm/errno.h:4`")
	wantAll(t, "to_result(-35) on alpha", errnoHoverAt(t, s, path, "-35", 1),
		"`to_result(-35)` is **EAGAIN**", "On other arches 35 is the generic table: EDEADLK.")
	wantAll(t, "EALPHAONLY", errnoHoverAt(t, s, path, "EALPHAONLY", 0), "**EALPHAONLY** = 99 on alpha; other arches differ: the generic table (not defined)")
}

func TestErrnoHoverNoDotConfig(t *testing.T) {
	s, path := errnoSession(t, "")
	wantAll(t, "EAGAIN without .config", errnoHoverAt(t, s, path, "code::EAGAIN", 7),
		"**EAGAIN** = 11 (generic); other arches differ: alpha 35\n\n*No .config, so the arch is unknown: generic values.*")
}

func TestErrnoHoverNoTree(t *testing.T) {
	dir := kerneltest.WriteTree(t, map[string]string{"foo.rs": errnoRustText})
	s := NewSession()
	defer s.Shutdown()
	path := filepath.Join(dir, "foo.rs")
	h := errnoHoverAt(t, s, path, "code::EAGAIN", 7)
	wantAll(t, "EAGAIN without a tree", h, "**EAGAIN** = 11 (generic)\n\n*No kernel tree found for this file: the values are krls's built-in copy of Linux 6.12's generic table.*", "Also named EWOULDBLOCK.", "*Try again*\n")
	if strings.Contains(h, "Rust:") || strings.Contains(h, "every arch") {
		t.Errorf("built-in hover claims what it does not know:\n%s", h)
	}
	wantAll(t, "from_errno without a tree", errnoHoverAt(t, s, path, "-22", 0), "is **EINVAL**")
}

// TestErrnoTableReread: a header edited on disk is read again.
func TestErrnoTableReread(t *testing.T) {
	s, path := errnoSession(t, "# Linux/x86_64 6.12.0 Kernel Configuration\nCONFIG_NET=y\n")
	wantAll(t, "before", errnoHoverAt(t, s, path, "Err(EINVAL)", 4), "*Invalid argument*")
	hdr := filepath.Join(filepath.Dir(filepath.Dir(path)), symbols.ErrnoBaseHeader)
	if err := os.WriteFile(hdr, []byte("#define\tEINVAL\t22\t/* Bad argument, edited */\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(hdr, later, later); err != nil {
		t.Fatal(err)
	}
	wantAll(t, "after", errnoHoverAt(t, s, path, "Err(EINVAL)", 4), "*Bad argument, edited*")
}

// TestErrnoHoverRealTree hovers in a driver of each fixture kernel with
// its x86_64 configuration; the lines the hover cites are where the tree
// writes them (6.1 declares no Rust error codes).
func TestErrnoHoverRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			src, obj := k.Src, k.RustObj(t).Dir
			s := NewSession()
			defer s.Shutdown()
			s.SetSettings(Settings{Kernel: KernelSettings{Objtree: obj}})
			path := filepath.Join(src, "drivers", "krls_errno_test.rs") // never written: the document is open only
			h := errnoHoverAt(t, s, path, "Err(EINVAL)", 4)
			base := kerneltest.LineWith(t, mustRead(t, filepath.Join(src, symbols.ErrnoBaseHeader)), "#define\tEINVAL\t")
			wantAll(t, "EINVAL", h, "**EINVAL** = 22 on x86_64; the same on every arch",
				fmt.Sprintf("*Invalid argument* — `include/uapi/asm-generic/errno-base.h:%d`", base))
			errorRs := mustRead(t, filepath.Join(src, "rust/kernel/error.rs"))
			if strings.Contains(errorRs, "declare_err!(EINVAL,") {
				wantAll(t, "EINVAL", h, fmt.Sprintf("Rust: `kernel::error::code::EINVAL` — Invalid argument. (`rust/kernel/error.rs:%d`)",
					kerneltest.LineWith(t, errorRs, "declare_err!(EINVAL,")))
			} else if strings.Contains(h, "Rust: `kernel::error::code::EINVAL`") {
				t.Errorf("EINVAL: a Rust constant error.rs does not declare:\n%s", h)
			}
			// 6.1 declares its one code as a plain constant of `mod code`,
			// and has no constructor from a raw errno to suggest.
			if strings.Contains(errorRs, "pub const ENOMEM: super::Error") {
				wantAll(t, "ENOMEM", errnoHoverAt(t, s, path, "ENOMEM", 0),
					fmt.Sprintf("Rust: `kernel::error::code::ENOMEM` — Out of memory. (`rust/kernel/error.rs:%d`)",
						kerneltest.LineWith(t, errorRs, "pub const ENOMEM: super::Error")))
			}
			if eagain := errnoHoverAt(t, s, path, "EAGAIN", 0); !strings.Contains(errorRs, "fn from_errno(") && strings.Contains(eagain, "from_errno") {
				t.Errorf("EAGAIN: suggests a from_errno error.rs does not have:\n%s", eagain)
			}
			wantAll(t, "EOPNOTSUPP", errnoHoverAt(t, s, path, "EOPNOTSUPP", 0),
				"**EOPNOTSUPP** = 95 on x86_64; other arches differ: alpha 45, mips 122, parisc 223, sparc 45")
			// include/linux/errno.h's comment; error.rs's doc, where it
			// declares the code.
			restart := errnoHoverAt(t, s, path, "ERESTARTSYS", 0)
			wantAll(t, "ERESTARTSYS", restart, "**ERESTARTSYS** = 512", "Kernel-internal", "signal_pending() MUST be set")
			if strings.Contains(errorRs, "declare_err!(ERESTARTSYS,") {
				wantAll(t, "ERESTARTSYS", restart, "Restart the system call.")
			}
		})
	}
}

// BenchmarkErrnoHoverKernel: a hover on code::EAGAIN in a document of the
// 6.12 tree, the table already read (the first hover adds
// symbols.BenchmarkReadErrnosKernel's time).
func BenchmarkErrnoHoverKernel(b *testing.B) {
	src, obj := realKernel(b)
	s := NewSession()
	defer s.Shutdown()
	s.SetSettings(Settings{Kernel: KernelSettings{Objtree: obj}})
	path := filepath.Join(src, "drivers", "krls_errno_bench.rs")
	d := s.Open("file://"+path, path, "rust", 1, []byte(errnoRustText))
	off := strings.Index(errnoRustText, "code::EAGAIN") + 7
	if h, err := s.Hover(context.Background(), d, off); err != nil || h == nil {
		b.Fatal(h, err)
	}
	for b.Loop() {
		if _, err := s.Hover(context.Background(), d, off); err != nil {
			b.Fatal(err)
		}
	}
}
