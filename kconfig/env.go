package kconfig

import (
	"os"
	"path/filepath"
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
	return &Toolchain{
		Env: env,
		Texts: map[string]string{
			"CC_VERSION_TEXT":    `LC_ALL=C ` + env["CC"] + ` --version 2>/dev/null | head -n 1 | tr -d '#'`,
			"RUSTC_VERSION_TEXT": env["RUSTC"] + ` --version 2>/dev/null | tr -d '#'`,
		},
	}
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
