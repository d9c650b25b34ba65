package symbols

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Kbuild files: the lists a folder's Kbuild or Makefile assigns, which
// say what a Rust file builds into and whether the folder is an
// out-of-tree module.

// KbuildNames are the files of a folder kbuild reads its lists from, in
// the order krls consults them.
var KbuildNames = []string{"Kbuild", "Makefile"}

// Kbuild is one parsed kbuild file.
type Kbuild struct {
	// Path is the file read.
	Path string
	// ObjM is whether the file assigns obj-m (`obj-m +=`, `:=`, `=` or
	// `?=`) at the start of a logical line: an out-of-tree module's
	// Makefile. A comment mentioning obj-m does not count.
	ObjM  bool
	objs  map[string]bool   // obj-* entries without .o
	parts map[string]string // part -> composite
}

// mkAssignRE is a kbuild list assignment: obj-y, obj-m, obj-$(CONFIG_X),
// X-objs, X-y, X-$(CONFIG_Y), with +=, :=, ?= or =.
var mkAssignRE = regexp.MustCompile(`^\s*([A-Za-z0-9_.\-]+?)-(objs|y|m|\$\([A-Za-z0-9_]+\))\s*[:+?]?=(.*)$`)

// ParseKbuild reads the list assignments of a kbuild file. Anything else
// (rules, conditionals, recipes) is skipped.
func ParseKbuild(path string, src []byte) *Kbuild {
	k := &Kbuild{Path: path, objs: map[string]bool{}, parts: map[string]string{}}
	for _, line := range MakefileLines(src) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		m := mkAssignRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[1] == "obj" && m[2] == "m" {
			k.ObjM = true
		}
		for _, w := range strings.Fields(m[3]) {
			if !strings.HasSuffix(w, ".o") {
				continue
			}
			w = strings.TrimSuffix(w, ".o")
			if m[1] == "obj" {
				k.objs[w] = true
			} else if _, seen := k.parts[w]; !seen {
				k.parts[w] = m[1]
			}
		}
	}
	return k
}

// Object finds the object that base.o belongs to.
func (k *Kbuild) Object(base string) (string, bool) {
	if c, ok := k.parts[base]; ok && c != base && k.objs[c] {
		return c, true
	}
	if k.objs[base] {
		return base, true
	}
	return "", false
}

// ReadKbuildDir parses the kbuild files of dir that exist, in
// KbuildNames order.
func ReadKbuildDir(dir string) []*Kbuild {
	var out []*Kbuild
	for _, name := range KbuildNames {
		p := filepath.Join(dir, name)
		if src, err := os.ReadFile(p); err == nil {
			out = append(out, ParseKbuild(p, src))
		}
	}
	return out
}

// ObjectIn finds the kbuild object the Rust file builds, from its
// folder's parsed kbuild files (ReadKbuildDir): the first that names it.
func ObjectIn(files []*Kbuild, file string) (name string, mkfile string, ok bool) {
	base := strings.TrimSuffix(filepath.Base(file), ".rs")
	for _, k := range files {
		if n, ok := k.Object(base); ok {
			return n, k.Path, true
		}
	}
	return "", "", false
}

// ObjectName finds the kbuild object a Rust file builds, from the
// Makefile or Kbuild next to it: `obj-$(CONFIG_X) += rust_minimal.o`
// builds rust_minimal.rs as the module rust_minimal; `rnull_mod-y :=
// rnull.o` with `obj-... += rnull_mod.o` builds rnull.rs into rnull_mod.
// ok is false when no Makefile says.
func ObjectName(file string) (name string, mkfile string, ok bool) {
	return ObjectIn(ReadKbuildDir(filepath.Dir(file)), file)
}

// IsModuleDir reports whether dir holds an out-of-tree module: a Kbuild
// file, or a Makefile that assigns obj-m (Kbuild.ObjM).
func IsModuleDir(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "Kbuild")); err == nil {
		return true
	}
	p := filepath.Join(dir, "Makefile")
	src, err := os.ReadFile(p)
	return err == nil && ParseKbuild(p, src).ObjM
}

// MakefileLines splits a Makefile into logical lines, joining those a
// backslash continues.
func MakefileLines(src []byte) []string {
	var out []string
	var cur strings.Builder
	for _, l := range strings.Split(string(src), "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(l)
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
