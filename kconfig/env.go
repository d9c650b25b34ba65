package kconfig

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// Toolchain is what the kernel's top Makefile hands Kconfig: the variables
// it exports (ARCH, SRCARCH, KERNELVERSION, srctree, CC, LD, RUSTC, ...)
// and the version texts it computes by running the compilers.
type Toolchain struct {
	// Env are the exported variables, as Kconfig's $(NAME) sees them.
	Env map[string]string
	// Texts are variables the Makefile computes by running a command
	// (CC_VERSION_TEXT, RUSTC_VERSION_TEXT): probes like $(shell,...).
	Texts map[string]string
}

// toolVars are the Makefile variables that name tools, with their
// defaults; "%" stands for $(CROSS_COMPILE), or for the LLVM variant.
var toolVars = []struct{ name, gnu, llvm string }{
	{"CC", "%gcc", "clang"},
	{"LD", "%ld", "ld.lld"},
	{"AR", "%ar", "llvm-ar"},
	{"NM", "%nm", "llvm-nm"},
	{"OBJCOPY", "%objcopy", "llvm-objcopy"},
	{"OBJDUMP", "%objdump", "llvm-objdump"},
	{"READELF", "%readelf", "llvm-readelf"},
	{"STRIP", "%strip", "llvm-strip"},
	{"HOSTCC", "gcc", "clang"},
	{"HOSTCXX", "g++", "clang++"},
}

// NewToolchain builds the Makefile's environment for srctree and ARCH:
// tools default as the Makefile sets them (honouring CROSS_COMPILE and
// LLVM), and any of these variables set in getenv (the process
// environment, normally) wins, as it would on make's command line.
func NewToolchain(srctree, arch string, getenv func(string) (string, bool)) *Toolchain {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	env := map[string]string{}
	get := func(name, def string) string {
		if v, ok := getenv(name); ok {
			return v
		}
		return def
	}
	cross := get("CROSS_COMPILE", "")
	llvm := get("LLVM", "")
	prefix, suffix := "", ""
	if strings.HasSuffix(llvm, "/") {
		prefix = llvm
	} else if strings.HasPrefix(llvm, "-") {
		suffix = llvm
	}
	for _, t := range toolVars {
		def := strings.ReplaceAll(t.gnu, "%", cross)
		if llvm != "" {
			def = prefix + t.llvm + suffix
		}
		env[t.name] = get(t.name, def)
	}
	for name, def := range map[string]string{
		"RUSTC": "rustc", "RUSTDOC": "rustdoc", "RUSTFMT": "rustfmt", "BINDGEN": "bindgen",
		"PAHOLE": "pahole", "PYTHON3": "python3", "PERL": "perl", "CLANG_FLAGS": "",
		"USERCFLAGS": "", "USERLDFLAGS": "", "CROSS_COMPILE": cross, "LLVM": llvm,
	} {
		env[name] = get(name, def)
	}
	if abs, err := filepath.Abs(srctree); err == nil {
		srctree = abs
	}
	env["srctree"] = srctree
	env["ARCH"] = arch
	env["SRCARCH"] = SrcArch(arch)
	env["SUBARCH"] = HostSubarch()
	if v, err := KernelVersion(srctree); err == nil {
		env["KERNELVERSION"] = v
	}
	texts := makefileTexts(srctree, env)
	if texts == nil {
		texts = map[string]string{
			"CC_VERSION_TEXT":    `LC_ALL=C ` + env["CC"] + ` --version 2>/dev/null | head -n 1 | tr -d '#'`,
			"RUSTC_VERSION_TEXT": env["RUSTC"] + ` --version 2>/dev/null | tr -d '#'`,
		}
	}
	return &Toolchain{Env: env, Texts: texts}
}

var (
	kconfigExportRE = regexp.MustCompile(`(?m)^export\s+KBUILD_DEFCONFIG\s+KBUILD_KCONFIG\s+(.*)$`)
	makeRefRE       = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
)

// makefileTexts reads the texts the tree's top Makefile computes with a
// command and exports to Kconfig (`export KBUILD_DEFCONFIG KBUILD_KCONFIG
// CC_VERSION_TEXT ...`: 6.1 exports CC_VERSION_TEXT, 6.12 adds
// RUSTC_VERSION_TEXT, 7.x PAHOLE_VERSION), as shell commands: `$(shell
// CMD)` is CMD, `$(subst $(pound),,$(shell CMD))` is CMD without '#', and
// $(VAR) the Makefile's variables in env. Nil when the Makefile says
// nothing readable.
func makefileTexts(srctree string, env map[string]string) map[string]string {
	b, err := os.ReadFile(filepath.Join(srctree, "Makefile"))
	if err != nil {
		return nil
	}
	m := kconfigExportRE.FindSubmatch(b)
	if m == nil {
		return nil
	}
	out := map[string]string{}
	for _, name := range strings.Fields(string(m[1])) {
		def := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s*:?=\s*(.*)$`).FindSubmatch(b)
		if def == nil {
			continue
		}
		text := strings.TrimSpace(string(def[1]))
		strip := false
		if inner, ok := strings.CutPrefix(text, "$(subst $(pound),,"); ok && strings.HasSuffix(inner, ")") {
			text, strip = strings.TrimSuffix(inner, ")"), true
		}
		cmd, ok := strings.CutPrefix(text, "$(shell ")
		if !ok || !strings.HasSuffix(cmd, ")") {
			continue
		}
		cmd = strings.TrimSuffix(cmd, ")")
		unknown := false
		cmd = makeRefRE.ReplaceAllStringFunc(cmd, func(ref string) string {
			v, ok := env[ref[2:len(ref)-1]]
			if !ok {
				unknown = true
			}
			return v
		})
		if unknown || strings.Contains(cmd, "$(") {
			continue
		}
		if strip {
			cmd += ` | tr -d '#'`
		}
		out[name] = cmd
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ShellEnv lists the variables for the environment of probe commands,
// which scripts such as rust_is_available.sh read directly.
func (t *Toolchain) ShellEnv() []string {
	out := make([]string, 0, len(t.Env))
	for k, v := range t.Env {
		out = append(out, k+"="+v)
	}
	return out
}

// HostSubarch is the Makefile's SUBARCH: the host's architecture folder,
// and the ARCH make uses when none is given.
func HostSubarch() string {
	switch runtime.GOARCH {
	case "amd64", "386":
		return "x86"
	case "arm64":
		return "arm64"
	case "arm":
		return "arm"
	case "riscv64":
		return "riscv"
	case "ppc64", "ppc64le":
		return "powerpc"
	case "s390x":
		return "s390"
	case "loong64":
		return "loongarch"
	case "mips", "mipsle", "mips64", "mips64le":
		return "mips"
	}
	return runtime.GOARCH
}
