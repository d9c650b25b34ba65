package symbols

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// A tiny tree in the shape of Linux's errno headers: a generic table with
// an alias and a group comment, an internal header, one arch that
// includes errno-base.h and redefines EAGAIN (and so EWOULDBLOCK), and
// one that includes the generic errno.h and overrides EDEADLOCK.
var errnoFixture = map[string]string{
	ErrnoBaseHeader: `/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _ASM_GENERIC_ERRNO_BASE_H
#define _ASM_GENERIC_ERRNO_BASE_H

#define	EPERM		 1	/* Operation not permitted */
#define	EAGAIN		11	/* Try again */
#define	EINVAL		22	/* Invalid argument */

#endif
`,
	ErrnoGenericHeader: `#ifndef _ASM_GENERIC_ERRNO_H
#define _ASM_GENERIC_ERRNO_H

#include <asm-generic/errno-base.h>

#define	EDEADLK		35	/* Resource deadlock would occur */

/*
 * This error code is special:
 * keep it distinguishable.
 */
#define	ENOSYS		38	/* Invalid system call number */

#define	EWOULDBLOCK	EAGAIN	/* Operation would block */
#define	EDEADLOCK	EDEADLK
#define	EOPNOTSUPP	95	/* Operation not supported on transport endpoint */
#endif
`,
	ErrnoInternalHeader: `#ifndef _LINUX_ERRNO_H
#define _LINUX_ERRNO_H

#include <uapi/linux/errno.h>

/*
 * These should never be seen by user programs.
 */
#define ERESTARTSYS	512
#define ERESTARTNOINTR	513

/* Defined for the NFSv3 protocol */
#define ENOTSUPP	524	/* Operation is not supported */
#endif
`,
	"arch/alpha/include/uapi/asm/errno.h": `#ifndef _ALPHA_ERRNO_H
#define _ALPHA_ERRNO_H

#include <asm-generic/errno-base.h>

#undef	EAGAIN			/* 11 in errno-base.h */

#define	EDEADLK		11	/* Resource deadlock would occur */

#define	EWOULDBLOCK	EAGAIN	/* Operation would block */
#define	EAGAIN		35	/* Try again */
#define	ENOSYS		78	/* Function not implemented */
#define	EOPNOTSUPP	45	/* Operation not supported on transport endpoint */
#define	EDEADLOCK	EDEADLK
#endif
`,
	"arch/powerpc/include/uapi/asm/errno.h": `#ifndef _ASM_POWERPC_ERRNO_H
#define _ASM_POWERPC_ERRNO_H

#undef	EDEADLOCK
#include <asm-generic/errno.h>

#undef	EDEADLOCK
#define	EDEADLOCK	58	/* File locking deadlock error */

#endif	/* _ASM_POWERPC_ERRNO_H */
`,
	ErrnoRustFile: `pub mod code {
    macro_rules! declare_err {
        ($err:tt $(,)? $($doc:expr),+) => {};
    }

    declare_err!(EPERM, "Operation not permitted.");
    // declare_err!(EAGAIN, "commented out");
    declare_err!(EINVAL, "Invalid argument.");
    declare_err!(
        ERESTARTSYS,
        "Restart the system call.",
        "Second \"line\".",
    );
}
`,
}

func writeErrnoTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustLookup(t *testing.T, s *ErrnoSet, name string) *Errno {
	t.Helper()
	e, ok := s.Lookup(name)
	if !ok {
		t.Fatalf("%s not in the table", name)
	}
	return e
}

func TestReadErrnos(t *testing.T) {
	tab, err := ReadErrnos(writeErrnoTree(t, errnoFixture))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Problems) > 0 {
		t.Errorf("problems: %q", tab.Problems)
	}
	g := tab.Generic
	einval := mustLookup(t, g, "EINVAL")
	if einval.Value != 22 || einval.Comment != "Invalid argument" || einval.File != ErrnoBaseHeader || einval.Line != 7 || einval.Internal {
		t.Errorf("EINVAL: %+v", einval)
	}
	if e := mustLookup(t, g, "EWOULDBLOCK"); e.Value != 11 || e.Alias != "EAGAIN" || e.Comment != "Operation would block" {
		t.Errorf("EWOULDBLOCK: %+v", e)
	}
	// An alias without a comment takes its target's.
	if e := mustLookup(t, g, "EDEADLOCK"); e.Value != 35 || e.Alias != "EDEADLK" || e.Comment != "Resource deadlock would occur" {
		t.Errorf("EDEADLOCK: %+v", e)
	}
	if e := mustLookup(t, g, "ENOSYS"); e.Note != "This error code is special: keep it distinguishable." {
		t.Errorf("ENOSYS note: %q", e.Note)
	}
	// A note applies to its group, up to the blank line.
	for _, name := range []string{"ERESTARTSYS", "ERESTARTNOINTR"} {
		if e := mustLookup(t, g, name); !e.Internal || e.Note != "These should never be seen by user programs." || e.File != ErrnoInternalHeader {
			t.Errorf("%s: %+v", name, e)
		}
	}
	if e := mustLookup(t, g, "ENOTSUPP"); e.Note != "Defined for the NFSv3 protocol" || e.Comment != "Operation is not supported" || e.Value != 524 {
		t.Errorf("ENOTSUPP: %+v", e)
	}
	if e := mustLookup(t, g, "EWOULDBLOCK"); e.Note != "" {
		t.Errorf("EWOULDBLOCK has a note: %q", e.Note)
	}
	if got := names(g.ByValue(11)); got != "EAGAIN EWOULDBLOCK" {
		t.Errorf("ByValue(11) = %s", got)
	}
	if got := names(g.ByValue(12)); got != "" {
		t.Errorf("ByValue(12) = %s", got)
	}

	if got := strings.Join(tab.Arches(), " "); got != "alpha powerpc" {
		t.Fatalf("arches %s", got)
	}
	alpha := tab.For("alpha")
	if e := mustLookup(t, alpha, "EAGAIN"); e.Value != 35 || e.File != "arch/alpha/include/uapi/asm/errno.h" {
		t.Errorf("alpha EAGAIN: %+v", e)
	}
	// EWOULDBLOCK is defined before EAGAIN's new value: the preprocessor
	// expands it where it is used, so it is 35 too.
	if e := mustLookup(t, alpha, "EWOULDBLOCK"); e.Value != 35 {
		t.Errorf("alpha EWOULDBLOCK: %+v", e)
	}
	if e := mustLookup(t, alpha, "EDEADLOCK"); e.Value != 11 {
		t.Errorf("alpha EDEADLOCK: %+v", e)
	}
	if e := mustLookup(t, alpha, "EINVAL"); e.Value != 22 || e.File != ErrnoBaseHeader {
		t.Errorf("alpha EINVAL: %+v", e)
	}
	if e := mustLookup(t, alpha, "ERESTARTSYS"); e.Value != 512 || !e.Internal {
		t.Errorf("alpha ERESTARTSYS: %+v", e)
	}
	if e := mustLookup(t, tab.For("powerpc"), "EDEADLOCK"); e.Value != 58 || e.Alias != "" {
		t.Errorf("powerpc EDEADLOCK: %+v", e)
	}
	if tab.For("x86") != tab.Generic {
		t.Error("x86 has not the generic table")
	}

	if got := fmt.Sprint(tab.Differences("EDEADLOCK")); got != "[{alpha 11 true} {powerpc 58 true}]" {
		t.Errorf("EDEADLOCK differs: %s", got)
	}
	if got := fmt.Sprint(tab.Differences("EINVAL")); got != "[]" {
		t.Errorf("EINVAL differs: %s", got)
	}
	// alpha lacks what it does not include.
	if got := fmt.Sprint(tab.Differences("EOPNOTSUPP")); got != "[{alpha 45 true}]" {
		t.Errorf("EOPNOTSUPP differs: %s", got)
	}
	if !tab.Known("ENOTSUPP") || tab.Known("ENOTHING") {
		t.Error("Known")
	}

	if r := tab.Rust["EINVAL"]; r.Doc != "Invalid argument." || r.Line != 8 || r.File != ErrnoRustFile {
		t.Errorf("Rust EINVAL: %+v", r)
	}
	if r := tab.Rust["ERESTARTSYS"]; r.Doc != "Restart the system call.\nSecond \"line\"." || r.Line != 9 {
		t.Errorf("Rust ERESTARTSYS: %+v", r)
	}
	if _, ok := tab.Rust["EAGAIN"]; ok || len(tab.Rust) != 3 {
		t.Errorf("Rust docs: %+v", tab.Rust)
	}
	if len(tab.Files) != 6 {
		t.Errorf("files read: %q", tab.Files)
	}
}

func names(es []*Errno) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return strings.Join(out, " ")
}

func TestReadErrnosProblems(t *testing.T) {
	files := map[string]string{
		ErrnoBaseHeader:    "#define EPERM 1\n#define EBAD 0x12 /* hex */\n#define ENOVAL\n#define ELOOPY ELOOPY\n#define EDANGLING ENOWHERE\n#include nothing\n",
		ErrnoGenericHeader: "#include <asm-generic/errno-base.h>\n#include <asm-generic/errno.h>\n#define EX (7)\n",
	}
	tab, err := ReadErrnos(writeErrnoTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(tab.Problems, "\n")
	for _, want := range []string{
		ErrnoBaseHeader + ":2: #define EBAD 0x12: not an error number",
		ErrnoBaseHeader + ":3: #define ENOVAL has no value",
		ErrnoBaseHeader + ":6: malformed #include",
		"include/linux/errno.h",
		"ELOOPY is defined as ELOOPY, which is not an error number",
		"EDANGLING is defined as ENOWHERE, which is not an error number",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if e := mustLookup(t, tab.Generic, "EX"); e.Value != 7 {
		t.Errorf("EX: %+v", e)
	}
	if e := mustLookup(t, tab.Generic, "EPERM"); e.Value != 1 {
		t.Errorf("EPERM: %+v", e)
	}

	if _, err := ReadErrnos(t.TempDir()); err == nil {
		t.Error("no error for a tree without errno headers")
	}
}

func TestParseErrnoHeaderComments(t *testing.T) {
	src := "/* one */ #define EA 1 /* a\n * b */\n// line note\n#define EB 2 // trailing\r\n#define \\\n  EC 3\n\n/* x */\n\n#define ED 4\n"
	h := ParseErrnoHeader("h", []byte(src))
	var got []string
	for _, d := range h.Directives {
		got = append(got, fmt.Sprintf("%s=%d c=%q n=%q @%d", d.Name, d.Value, d.Comment, d.Note, d.Line))
	}
	want := []string{
		`EA=1 c="one a b" n="" @1`,
		`EB=2 c="trailing" n="line note" @4`,
		`EC=3 c="" n="line note" @5`,
		`ED=4 c="" n="" @10`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBuiltinErrnos(t *testing.T) {
	tab := BuiltinErrnos()
	if e := mustLookup(t, tab.Generic, "EINVAL"); e.Value != 22 || e.Comment != "Invalid argument" || e.File != "" {
		t.Errorf("EINVAL: %+v", e)
	}
	if e := mustLookup(t, tab.Generic, "EWOULDBLOCK"); e.Value != 11 {
		t.Errorf("EWOULDBLOCK: %+v", e)
	}
	if e := mustLookup(t, tab.Generic, "EPROBE_DEFER"); e.Value != 517 || !e.Internal {
		t.Errorf("EPROBE_DEFER: %+v", e)
	}
	if !tab.Builtin || len(tab.Arch) != 0 {
		t.Errorf("builtin %v, arches %v", tab.Builtin, tab.Arches())
	}
}

var (
	defineRE     = regexp.MustCompile(`(?m)^#define[ \t]+(E[A-Z0-9_]+)[ \t]+([0-9]+)\b`)
	declareErrRE = regexp.MustCompile(`(?m)^[ \t]*declare_err!\([ \t]*(E[A-Z0-9_]+)`)
	// codeConstTestRE: 6.1's codes, plain constants of `mod code`.
	codeConstTestRE = regexp.MustCompile(`pub const (E[A-Z0-9_]+): super::Error`)
)

// TestErrnosRealTree reads each fixture kernel's table and compares it
// with the headers' text: EINVAL where errno-base.h defines it, the Rust
// constants error.rs declares (none in 6.1), the arches with their own
// header, the kernel-internal codes of include/linux/errno.h. The arch
// values are uapi: the same in every release.
func TestErrnosRealTree(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			root := k.Src
			start := time.Now()
			tab, err := ReadErrnos(root)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("read %d files in %v", len(tab.Files), time.Since(start))
			if len(tab.Problems) > 0 {
				t.Errorf("problems: %q", tab.Problems)
			}
			read := func(rel string) string {
				b, err := os.ReadFile(filepath.Join(root, rel))
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			e := mustLookup(t, tab.Generic, "EINVAL")
			if got := tab.Generic.ByValue(22); len(got) != 1 || got[0] != e {
				t.Errorf("errno 22: %s", names(got))
			}
			base := read(ErrnoBaseHeader)
			if line := kerneltest.LineWith(t, base, "#define\tEINVAL\t"); e.Comment != "Invalid argument" || e.File != ErrnoBaseHeader || e.Line != line {
				t.Errorf("EINVAL: %+v, want line %d", e, line)
			}
			// The codes error.rs declares: declare_err!s, or 6.1's plain
			// constants of `mod code`.
			declared := map[string]bool{}
			errorRs := read("rust/kernel/error.rs")
			for _, m := range declareErrRE.FindAllStringSubmatch(errorRs, -1) {
				declared[m[1]] = true
			}
			for _, m := range codeConstTestRE.FindAllStringSubmatch(errorRs, -1) {
				declared[m[1]] = true
			}
			if len(tab.Rust) != len(declared) || len(declared) == 0 {
				t.Errorf("%d codes read, error.rs declares %d", len(tab.Rust), len(declared))
			}
			if want := map[bool]string{true: "Error::from_errno", false: ""}[strings.Contains(errorRs, "pub fn from_errno(")]; tab.FromErrno != want &&
				!strings.Contains(errorRs, "fn from_kernel_errno(") {
				t.Errorf("FromErrno %q, want %q", tab.FromErrno, want)
			}
			for name := range tab.Rust {
				if !declared[name] {
					t.Errorf("declare_err!(%s) is not in error.rs", name)
				}
				if !tab.Known(name) {
					t.Errorf("declare_err!(%s) names no errno", name)
				}
			}
			if declared["EINVAL"] {
				if d := tab.Rust["EINVAL"].Doc; d != "Invalid argument." {
					t.Errorf("EINVAL doc %q", d)
				}
			}

			headers, _ := filepath.Glob(filepath.Join(root, "arch", "*", "include", "uapi", "asm", "errno.h"))
			var arches []string
			for _, h := range headers {
				arches = append(arches, filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(h))))))
			}
			if got := strings.Join(tab.Arches(), " "); got != strings.Join(arches, " ") || len(arches) == 0 {
				t.Errorf("arches with their own table: %s, the tree's %v", got, arches)
			}
			for _, c := range []struct {
				name string
				want string
			}{
				{"EAGAIN", "[{alpha 35 true}]"},
				{"EOPNOTSUPP", "[{alpha 45 true} {mips 122 true} {parisc 223 true} {sparc 45 true}]"},
				{"EDEADLOCK", "[{alpha 11 true} {mips 56 true} {parisc 45 true} {powerpc 58 true} {sparc 108 true}]"},
				{"EDQUOT", "[{alpha 69 true} {mips 1133 true} {parisc 69 true} {sparc 69 true}]"},
				{"EINVAL", "[]"},
				{"ENOTSUPP", "[]"},
			} {
				if got := fmt.Sprint(tab.Differences(c.name)); got != c.want {
					t.Errorf("%s differs: %s, want %s", c.name, got, c.want)
				}
			}
			// mips's EDQUOT is over 511 but user space sees it.
			if e := mustLookup(t, tab.For("mips"), "EDQUOT"); e.Internal {
				t.Errorf("mips EDQUOT: %+v", e)
			}
			if e := mustLookup(t, tab.For("alpha"), "EWOULDBLOCK"); e.Value != 35 || e.Alias != "EAGAIN" {
				t.Errorf("alpha EWOULDBLOCK: %+v", e)
			}

			wantInternal := map[string]bool{}
			for _, m := range defineRE.FindAllStringSubmatch(read(ErrnoInternalHeader), -1) {
				wantInternal[m[1]] = true
			}
			internal := 0
			for _, e := range tab.Generic.All() {
				if e.Internal {
					internal++
					if e.Value < 512 || !wantInternal[e.Name] {
						t.Errorf("internal %s = %d", e.Name, e.Value)
					}
				} else if e.Value >= 512 {
					t.Errorf("uapi %s = %d", e.Name, e.Value)
				}
			}
			if internal != len(wantInternal) || internal == 0 {
				t.Errorf("%d kernel-internal codes, include/linux/errno.h defines %d", internal, len(wantInternal))
			}
			for _, a := range tab.Arches() {
				n := 0
				for _, e := range tab.For(a).All() {
					if e.Internal {
						n++
					}
				}
				if n != internal {
					t.Errorf("%s: %d internal codes", a, n)
				}
			}

			// The built-in table is 6.12's generic one: the same codes there;
			// on another tree, the codes both have agree.
			b := BuiltinErrnos().Generic
			if k.Version == "6.12" && len(b.All()) != len(tab.Generic.All()) {
				t.Errorf("built-in table: %d codes, the tree %d", len(b.All()), len(tab.Generic.All()))
			}
			for _, e := range tab.Generic.All() {
				be, ok := b.Lookup(e.Name)
				if !ok && k.Version != "6.12" {
					t.Logf("%s = %d: not in the built-in table", e.Name, e.Value)
					continue
				}
				if !ok || be.Value != e.Value || be.Alias != e.Alias || be.Comment != e.Comment || be.Internal != e.Internal {
					t.Errorf("built-in %s: %+v, tree %+v", e.Name, be, e)
				}
			}
		})
	}
}

// BenchmarkReadErrnosKernel reads Linux 6.12's errno table, as the first
// hover on an errno does.
func BenchmarkReadErrnosKernel(b *testing.B) {
	root := kernelTree(b)
	for b.Loop() {
		if _, err := ReadErrnos(root); err != nil {
			b.Fatal(err)
		}
	}
}
