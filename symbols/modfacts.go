package symbols

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
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
