package workspace

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
)

// What krls says about error codes in a Rust document: the hover on an
// errno constant or on the number given to Error::from_errno / to_result.
// The table is the tree's own (symbols.ReadErrnos), on the arch of the
// loaded .config.

// maxErrno is MAX_ERRNO of include/linux/err.h: the range from_errno
// accepts is -maxErrno..-1.
const maxErrno = 4095

// errnoTables keeps the errno table of each srctree: read at the first
// hover that needs it (a few milliseconds), read again when one of the
// files it was read from changed (a stat of each, about ten).
type errnoTables struct {
	c stampedCache[errnoEntry]
}

type errnoEntry struct {
	table *symbols.ErrnoTable
	err   error
}

// get returns the table of srctree, or the error reading it.
func (c *errnoTables) get(srctree string) (*symbols.ErrnoTable, error) {
	e := c.c.get(srctree, func() (errnoEntry, stampSet, bool) {
		var e errnoEntry
		stamps := stampSet{}
		e.table, e.err = symbols.ReadErrnos(srctree)
		if e.err != nil {
			// Retry when the generic header appears.
			stamps.record(filepath.Join(srctree, symbols.ErrnoGenericHeader))
		} else {
			stamps.record(e.table.Files...)
		}
		return e, stamps, true
	})
	return e.table, e.err
}

// errnoView is a table and how to read it for one document: the arch
// (kconfig.SrcArch of the .config's ARCH, "" without a .config) and a
// sentence saying where the values come from when they are not the
// configured arch's.
type errnoView struct {
	t *symbols.ErrnoTable
	// arch is ARCH as the .config says (x86_64); srcarch its arch/ folder.
	arch, srcarch string
	// caveat says why the values are not those of a configured arch.
	caveat string
}

// errnoViewFor picks the table for a document: its kernel's tree on the
// .config's arch; the generic table of the tree when there is no .config;
// the built-in table when there is no tree.
func (s *Session) errnoViewFor(d *Document, k *Kernel) errnoView {
	srctree := ""
	if k != nil {
		srctree = k.Srctree
	} else if d.Path != "" {
		if trees, err := s.Kernels.Locate(d.Path); err == nil {
			srctree = trees.Srctree
		}
	}
	if srctree == "" {
		return errnoView{t: symbols.BuiltinErrnos(), caveat: "No kernel tree found for this file: the values are krls's built-in copy of " + symbols.BuiltinVersion + "'s generic table."}
	}
	t, err := s.errnos.get(srctree)
	if err != nil {
		return errnoView{t: symbols.BuiltinErrnos(), caveat: fmt.Sprintf("%v: the values are krls's built-in copy of %s's generic table.", err, symbols.BuiltinVersion)}
	}
	switch {
	case k == nil:
		return errnoView{t: t, caveat: "The kernel configuration could not be loaded, so the arch is unknown: generic values."}
	case k.Eval == nil:
		return errnoView{t: t, caveat: "No .config, so the arch is unknown: generic values."}
	}
	return errnoView{t: t, arch: k.Arch, srcarch: kconfig.SrcArch(k.Arch)}
}

// set is the table of the view's arch.
func (v errnoView) set() *symbols.ErrnoSet { return v.t.For(v.srcarch) }

// where says which arch the values are for.
func (v errnoView) where() string {
	if v.arch == "" {
		return "(generic)"
	}
	return "on " + v.arch
}

// writeCaveat says why the values are not a configured arch's.
func (v errnoView) writeCaveat(b *strings.Builder) {
	if v.caveat != "" {
		fmt.Fprintf(b, "*%s*\n\n", v.caveat)
	}
}

// errnoHover explains the error code ref names.
func errnoHover(v errnoView, ref symbols.ErrnoRef) *Hover {
	var md string
	if ref.IsNumber() {
		md = errnoNumberMarkdown(v, ref)
	} else {
		e, ok := v.set().Lookup(ref.Name)
		if !ok {
			md = errnoMissingMarkdown(v, ref.Name)
		} else {
			md = errnoMarkdown(v, e, ref.Path)
		}
	}
	if md == "" {
		return nil
	}
	return &Hover{Start: ref.Span.Start, End: ref.Span.End, Markdown: md}
}

// errnoMissingMarkdown: a name other arches define but this one does not.
func errnoMissingMarkdown(v errnoView, name string) string {
	var on []string
	for _, a := range v.t.Arches() {
		if e, ok := v.t.Arch[a].Lookup(name); ok {
			on = append(on, fmt.Sprintf("%s (%d)", a, e.Value))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** is not an error code %s; it is defined on %s.\n\n", name, v.where(), strings.Join(on, ", "))
	v.writeCaveat(&b)
	return strings.TrimSpace(b.String())
}

// errnoMarkdown is the whole story of one code.
func errnoMarkdown(v errnoView, e *symbols.Errno, path string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** = %d %s", e.Name, e.Value, v.where())
	b.WriteString(archDifferences(v, e.Name))
	b.WriteString("\n\n")
	v.writeCaveat(&b)
	if e.Alias != "" {
		fmt.Fprintf(&b, "Another name of %s.\n\n", e.Alias)
	} else if others := otherNames(v.set(), e); others != "" {
		fmt.Fprintf(&b, "Also named %s.\n\n", others)
	}
	if e.Comment != "" {
		fmt.Fprintf(&b, "*%s*", e.Comment)
		if e.File != "" {
			fmt.Fprintf(&b, " — `%s:%d`", e.File, e.Line)
		}
		b.WriteString("\n\n")
	} else if e.File != "" {
		fmt.Fprintf(&b, "Defined at `%s:%d`\n\n", e.File, e.Line)
	}
	if e.Note != "" {
		fmt.Fprintf(&b, "> %s\n\n", e.Note)
	}
	if r, ok := v.t.Rust[e.Name]; ok {
		fmt.Fprintf(&b, "Rust: `kernel::error::code::%s` — %s (`%s:%d`)\n\n", e.Name, strings.ReplaceAll(r.Doc, "\n", " "), r.File, r.Line)
	} else if !v.t.Builtin && !strings.HasSuffix(path, "bindings") {
		fmt.Fprintf(&b, "Rust: `kernel::error::code` has no %s in `%s`", e.Name, symbols.ErrnoRustFile)
		if v.t.FromErrno != "" {
			fmt.Fprintf(&b, "; use `%s(-(bindings::%s as i32))`", v.t.FromErrno, e.Name)
		}
		b.WriteString(".\n\n")
	}
	b.WriteString(userSpaceLine(v, e))
	return b.String()
}

// archDifferences lists the arches whose value differs from the one
// shown, or says there are none.
func archDifferences(v errnoView, name string) string {
	shown, _ := v.set().Lookup(name)
	var diffs []string
	add := func(arch string, s *symbols.ErrnoSet) {
		e, ok := s.Lookup(name)
		switch {
		case !ok:
			diffs = append(diffs, arch+" (not defined)")
		case e.Value != shown.Value:
			diffs = append(diffs, fmt.Sprintf("%s %d", arch, e.Value))
		}
	}
	if _, own := v.t.Arch[v.srcarch]; own {
		add("the generic table", v.t.Generic)
	}
	for _, a := range v.t.Arches() {
		if a != v.srcarch {
			add(a, v.t.Arch[a])
		}
	}
	switch {
	case len(diffs) > 0:
		return "; other arches differ: " + strings.Join(diffs, ", ")
	case v.t.Builtin:
		return ""
	}
	return "; the same on every arch"
}

// otherNames lists the other names of e's value.
func otherNames(s *symbols.ErrnoSet, e *symbols.Errno) string {
	var out []string
	for _, o := range s.ByValue(e.Value) {
		if o != e {
			out = append(out, o.Name)
		}
	}
	return strings.Join(out, ", ")
}

// userSpaceLine says whether user space can see the code.
func userSpaceLine(v errnoView, e *symbols.Errno) string {
	if !e.Internal {
		s := fmt.Sprintf("User space sees it: a system call that fails with -%s sets errno to %s.", e.Name, e.Name)
		if e.Name == "EOPNOTSUPP" {
			s += " Not to be confused with the kernel-internal ENOTSUPP (524)."
		}
		return s
	}
	s := fmt.Sprintf("**Kernel-internal** (`%s`, ≥ 512): user space never sees it; should one leak out of a system call, a program gets errno %d, which libc calls \"Unknown error %d\".", symbols.ErrnoInternalHeader, e.Value, e.Value)
	if e.Name == "ENOTSUPP" {
		if o, ok := v.set().Lookup("EOPNOTSUPP"); ok {
			s += fmt.Sprintf(" For errors that reach user space use EOPNOTSUPP (%d).", o.Value)
		}
	}
	return s
}

// errnoNumberMarkdown explains a number given to an errno function.
func errnoNumberMarkdown(v errnoView, ref symbols.ErrnoRef) string {
	call := fmt.Sprintf("`%s(%d)`", ref.Callee, ref.Value)
	n := ref.Value
	if ref.Func == "to_result" && n >= 0 {
		s := call + " is `Ok(())`: `to_result` takes only negative values as errors."
		if hint := namesOf(v, n); n > 0 && hint != "" {
			s += fmt.Sprintf(" (-%d would be %s.)", n, hint)
		}
		return s
	}
	if n >= 0 || n < -maxErrno {
		var s string
		switch ref.Func {
		case "try_from_errno":
			s = call + " is `None`: the errno must be in -MAX_ERRNO..-1 (MAX_ERRNO = 4095)."
		case "from_errno_unchecked":
			s = call + " breaks the `# Safety` contract: the errno must be in -MAX_ERRNO..-1 (MAX_ERRNO = 4095)."
		default:
			s = call + " is out of range (-MAX_ERRNO..-1, MAX_ERRNO = 4095): `from_errno` logs a warning and returns EINVAL instead."
		}
		if hint := namesOf(v, n); n > 0 && hint != "" {
			s += fmt.Sprintf(" Did you mean -%d (%s)?", n, hint)
		}
		return s
	}
	es := v.set().ByValue(int(-n))
	if len(es) == 0 {
		s := fmt.Sprintf("%s: no error code is %d %s.", call, -n, v.where())
		if o := numberOnOtherArches(v, int(-n)); o != "" {
			s += " " + o
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s is **%s**\n\n", call, es[0].Name)
	if o := numberOnOtherArches(v, int(-n)); o != "" {
		b.WriteString(o + "\n\n")
	}
	b.WriteString(errnoMarkdown(v, es[0], ""))
	return b.String()
}

// namesOf names the codes whose value is n, or "".
func namesOf(v errnoView, n int64) string {
	var out []string
	for _, e := range v.set().ByValue(int(n)) {
		out = append(out, e.Name)
	}
	return strings.Join(out, " / ")
}

// numberOnOtherArches says what the number means on the arches where
// it is another code (compared by the code's own name, not its aliases).
func numberOnOtherArches(v errnoView, n int) string {
	primary := func(s *symbols.ErrnoSet) string {
		if es := s.ByValue(n); len(es) > 0 {
			return es[0].Name
		}
		return ""
	}
	here := primary(v.set())
	var diffs []string
	add := func(arch string, s *symbols.ErrnoSet) {
		switch p := primary(s); p {
		case here:
		case "":
			diffs = append(diffs, arch+": no code")
		default:
			diffs = append(diffs, arch+": "+p)
		}
	}
	if _, own := v.t.Arch[v.srcarch]; own {
		add("the generic table", v.t.Generic)
	}
	for _, a := range v.t.Arches() {
		if a != v.srcarch {
			add(a, v.t.Arch[a])
		}
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprintf("On other arches %d is %s.", n, strings.Join(diffs, "; "))
}
