package symbols

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// ModuleFacts is everything the module! features read from one kernel
// tree: the macro's schema, the module_*_driver! macros of the kernel
// crate, and the licence strings the kernel accepts. It is immutable.
type ModuleFacts struct {
	// Srctree is the tree read, or "" for the built-in fallback.
	Srctree string
	Schema  *ModuleSchema
	// Drivers are the kernel crate's macros that declare a module, by
	// name (module_phy_driver).
	Drivers map[string]*DriverMacro
	// Licenses are the strings MODULE_LICENSE accepts, GPL-compatible
	// ones first.
	Licenses []License
	// Problems are what could not be read (the fallback was used).
	Problems []error
}

// License is a licence string the kernel knows.
type License struct {
	Name string
	// GPL: license_is_gpl_compatible accepts it (the module may use
	// EXPORT_SYMBOL_GPL symbols and does not taint the kernel).
	GPL bool
}

// License finds a licence by its exact string.
func (m *ModuleFacts) License(name string) (License, bool) {
	for _, l := range m.Licenses {
		if l.Name == name {
			return l, true
		}
	}
	return License{}, false
}

// SchemaOf returns the keys accepted by the macro named name (module, or
// a driver macro), or nil.
func (m *ModuleFacts) SchemaOf(name string) *ModuleSchema {
	if name == "module" {
		return m.Schema
	}
	if d := m.Drivers[name]; d != nil {
		return d.Schema
	}
	return nil
}

// builtinLicenses are Linux 6.12's (include/linux/license.h and the
// comment above MODULE_LICENSE in include/linux/module.h).
var builtinLicenses = []License{
	{"GPL", true}, {"GPL v2", true}, {"GPL and additional rights", true},
	{"Dual BSD/GPL", true}, {"Dual MIT/GPL", true}, {"Dual MPL/GPL", true},
	{"Proprietary", false},
}

// BuiltinModuleFacts are Linux 6.12's, for a module with no tree to read.
func BuiltinModuleFacts() *ModuleFacts {
	m := &ModuleFacts{Schema: BuiltinModuleSchema(), Licenses: builtinLicenses}
	m.Drivers = map[string]*DriverMacro{"module_phy_driver": builtinPhyDriver(m.Schema)}
	return m
}

// ReadModuleFacts reads the facts of the tree at srctree. What cannot be
// read is taken from the built-in 6.12 facts and noted in Problems.
func ReadModuleFacts(ctx context.Context, srctree string) *ModuleFacts {
	m := &ModuleFacts{Srctree: srctree}
	s, err := ReadModuleSchema(ctx, srctree)
	if err != nil {
		m.Problems = append(m.Problems, err)
		s = BuiltinModuleSchema()
	}
	m.Schema = s
	m.Licenses, err = ReadLicenses(srctree)
	if err != nil {
		m.Problems = append(m.Problems, err)
		m.Licenses = builtinLicenses
	}
	m.Drivers, err = ReadDriverMacros(ctx, srctree, s)
	if err != nil {
		m.Problems = append(m.Problems, err)
	}
	return m
}

// licenseCmpRE finds the strings license_is_gpl_compatible compares.
var licenseCmpRE = regexp.MustCompile(`strcmp\s*\(\s*license\s*,\s*"([^"]*)"\s*\)`)

// licenseIdentRE finds a licence ident in the comment above
// MODULE_LICENSE: ` *	"GPL v2"	[GNU Public License v2]`.
var licenseIdentRE = regexp.MustCompile(`^\s*\*\s*"([^"]+)"\s*\[`)

// ReadLicenses reads the licence strings the kernel knows: those
// include/linux/license.h calls GPL-compatible, then the other idents the
// comment above MODULE_LICENSE in include/linux/module.h lists
// ("Proprietary").
func ReadLicenses(srctree string) ([]License, error) {
	h, err := os.ReadFile(filepath.Join(srctree, "include", "linux", "license.h"))
	if err != nil {
		return nil, err
	}
	var out []License
	seen := map[string]bool{}
	for _, m := range licenseCmpRE.FindAllSubmatch(h, -1) {
		if name := string(m[1]); !seen[name] {
			seen[name] = true
			out = append(out, License{Name: name, GPL: true})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("include/linux/license.h: no licence strings in license_is_gpl_compatible")
	}
	mod, err := os.ReadFile(filepath.Join(srctree, "include", "linux", "module.h"))
	if err != nil {
		return out, nil
	}
	if i := bytes.Index(mod, []byte("#define MODULE_LICENSE")); i > 0 {
		if j := bytes.LastIndex(mod[:i], []byte("/*")); j >= 0 {
			sc := bufio.NewScanner(bytes.NewReader(mod[j:i]))
			for sc.Scan() {
				if m := licenseIdentRE.FindStringSubmatch(sc.Text()); m != nil && !seen[m[1]] {
					seen[m[1]] = true
					out = append(out, License{Name: m[1]})
				}
			}
		}
	}
	return out, nil
}

// ObjectName finds the kbuild object a Rust file builds, from the
// Makefile or Kbuild next to it: `obj-$(CONFIG_X) += rust_minimal.o`
// builds rust_minimal.rs as the module rust_minimal; `rnull_mod-y :=
// rnull.o` with `obj-... += rnull_mod.o` builds rnull.rs into rnull_mod.
// ok is false when no Makefile says.
func ObjectName(file string) (name string, mkfile string, ok bool) {
	dir := filepath.Dir(file)
	base := strings.TrimSuffix(filepath.Base(file), ".rs")
	for _, mk := range []string{"Kbuild", "Makefile"} {
		p := filepath.Join(dir, mk)
		src, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if n, ok := objectIn(src, base); ok {
			return n, p, true
		}
	}
	return "", "", false
}

// mkAssignRE is a kbuild list assignment: obj-y, obj-m, obj-$(CONFIG_X),
// X-objs, X-y, X-$(CONFIG_Y), with +=, := or =.
var mkAssignRE = regexp.MustCompile(`^\s*([A-Za-z0-9_.\-]+?)-(objs|y|m|\$\([A-Za-z0-9_]+\))\s*[:+]?=(.*)$`)

// objectIn finds the object that base.o belongs to in a kbuild file.
func objectIn(src []byte, base string) (string, bool) {
	objs := map[string]bool{}    // obj-* entries without .o
	parts := map[string]string{} // part -> composite
	for _, line := range joinContinuations(src) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		m := mkAssignRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, w := range strings.Fields(m[3]) {
			if !strings.HasSuffix(w, ".o") {
				continue
			}
			w = strings.TrimSuffix(w, ".o")
			if m[1] == "obj" {
				objs[w] = true
			} else if _, seen := parts[w]; !seen {
				parts[w] = m[1]
			}
		}
	}
	if c, ok := parts[base]; ok && c != base && objs[c] {
		return c, true
	}
	if objs[base] {
		return base, true
	}
	return "", false
}

// joinContinuations splits a Makefile into logical lines.
func joinContinuations(src []byte) []string {
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
