package workspace

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols/rustproject"
)

// RustProjectOptions say which project to make.
type RustProjectOptions struct {
	// Path is a file or folder of the tree, or of an out-of-tree module
	// (then Settings.Kdir, or $KDIR, names its kernel).
	Path     string
	Settings KernelSettings
	// Sysroot is the Rust sysroot; "" asks `$RUSTC --print sysroot`
	// (rustc on PATH without RUSTC), as rust/Makefile does.
	Sysroot string
	Getenv  func(string) (string, bool)
}

// RustProjectResult is a project and where it came from.
type RustProjectResult struct {
	*rustproject.Project
	Trees KernelTrees
	// Module is the out-of-tree module folder, or "".
	Module string
	// Watch are the files whose change changes the project: the
	// .config, and the Kbuild files and scripts that decide its crates.
	Watch []string
	// CfgSource says where the .config's cfgs came from: the object
	// tree's include/generated/rustc_cfg when the build wrote it after
	// the last change of the .config, else krls's evaluation.
	CfgSource string
	// Warnings are what the user should know (a proc-macro library the
	// object tree lacks, Makefile text krls could not evaluate).
	Warnings []string
}

// RustProject makes the rust-project.json of the tree holding
// opts.Path for its .config, as the tree's `make rust-analyzer` would,
// without running make: the .config is evaluated by krls (as conf would
// write include/generated/rustc_cfg), and only the driver and sample
// crates it builds are listed.
func RustProject(ctx context.Context, opts RustProjectOptions) (*RustProjectResult, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	trees, err := LocateKernel(opts.Path, opts.Settings, getenv)
	if err != nil {
		return nil, err
	}
	res := &RustProjectResult{Trees: trees}
	if dir, ok := FindModuleDir(dirOf(opts.Path)); ok {
		if _, inTree := FindSrctree(dir); !inTree {
			res.Module = dir
		}
	}
	gen, err := rustproject.ReadGenerator(trees.Srctree)
	if err != nil {
		return nil, err
	}
	cfg, value, how, err := configuredCfgs(ctx, trees, getenv)
	if err != nil {
		return nil, err
	}
	res.CfgSource = how
	rustcVersion, _ := strconv.Atoi(value("RUSTC_VERSION"))
	args, err := rustproject.ReadMakefileArgs(trees.Srctree, rustcVersion)
	if err != nil {
		return nil, err
	}
	for _, u := range args.Unknown {
		res.Warnings = append(res.Warnings, "rust/Makefile: not evaluated, left out: "+u)
	}
	sysroot := opts.Sysroot
	if sysroot == "" {
		if sysroot, err = rustSysroot(ctx, getenv); err != nil {
			return nil, err
		}
	}
	res.Project = rustproject.Build(gen, args, rustproject.Options{
		Srctree: trees.Srctree, Objtree: trees.Objtree, Sysroot: sysroot, Cfg: cfg,
		Built:     &rustproject.Built{Srctree: trees.Srctree, Value: value},
		Exttree:   res.Module,
		RustFiles: rustFilesUnder,
	})
	for _, c := range res.Crates {
		if c.ProcMacroDylib != "" {
			if _, err := os.Stat(c.ProcMacroDylib); err != nil {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s is not built (run make in %s): rust-analyzer cannot expand the proc macros of %s (module! is one of macros's) without it",
					c.ProcMacroDylib, trees.Objtree, c.DisplayName))
			}
		}
	}
	res.Watch = []string{trees.DotConfig(), filepath.Join(trees.Srctree, rustproject.GeneratorFile), filepath.Join(trees.Srctree, "rust", "Makefile")}
	return res, nil
}

func dirOf(path string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return path
	}
	return filepath.Dir(path)
}

// rustSysroot asks the configured rustc for its sysroot.
func rustSysroot(ctx context.Context, getenv func(string) (string, bool)) (string, error) {
	rustc, ok := getenv("RUSTC")
	if !ok || rustc == "" {
		rustc = "rustc"
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, rustc, "--print", "sysroot").Output()
	if err != nil {
		return "", fmt.Errorf("no Rust sysroot: `%s --print sysroot`: %w (give --sysroot, or set RUSTC)", rustc, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// rustFilesUnder lists the .rs files below dirs with the parallel walk
// of `krls check` (drivers/ alone has 5,000 folders).
func rustFilesUnder(dirs []string) []string {
	w := walkFolders(dirs, runtime.GOMAXPROCS(0), readDir)
	out := make([]string, 0, len(w.files))
	for _, f := range w.files {
		out = append(out, f.path)
	}
	return out
}

// configuredCfgs are the rustc cfgs of the trees' .config and the values
// of its symbols ("" for unset or n). When the build synced the .config
// (include/generated/rustc_cfg and include/config/auto.conf no older than
// it), they are read from there, as the kernel's generator reads them;
// otherwise krls evaluates the Kconfig files for the .config, as the next
// make would.
func configuredCfgs(ctx context.Context, trees KernelTrees, getenv func(string) (string, bool)) ([]string, func(string) string, string, error) {
	dotInfo, err := os.Stat(trees.DotConfig())
	if err != nil {
		return nil, nil, "", fmt.Errorf("no .config: %w", err)
	}
	rustcCfg := filepath.Join(trees.Objtree, "include", "generated", "rustc_cfg")
	autoConf := filepath.Join(trees.Objtree, "include", "config", "auto.conf")
	if synced(dotInfo, rustcCfg, autoConf) {
		cfgText, err1 := os.ReadFile(rustcCfg)
		auto, err2 := kconfig.ReadDotConfig(autoConf)
		if err1 == nil && err2 == nil {
			var cfg []string
			for _, l := range strings.Split(string(cfgText), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					cfg = append(cfg, strings.TrimPrefix(l, "--cfg="))
				}
			}
			value := func(name string) string {
				e, ok := auto.Lookup(name)
				if !ok || e.Unset || e.Value == "n" {
					return ""
				}
				return strings.Trim(e.Value, `"`)
			}
			return cfg, value, rustcCfg, nil
		}
	}
	dot, err := kconfig.ReadDotConfig(trees.DotConfig())
	if err != nil {
		return nil, nil, "", fmt.Errorf("no .config: %w", err)
	}
	arch, ok := dot.DetectArch()
	if !ok {
		return nil, nil, "", fmt.Errorf("%s does not say its architecture", trees.DotConfig())
	}
	k, err := kconfig.Load(ctx, kconfig.LoadOptions{Srctree: trees.Srctree, Tools: kconfig.NewToolchain(trees.Srctree, arch.Arch, getenv)})
	if err != nil {
		return nil, nil, "", err
	}
	e := kconfig.NewEval(k)
	e.Apply(dot)
	value := kbuildValue(e)
	var cfg []string
	for _, f := range e.RustCfg().Flags() {
		cfg = append(cfg, strings.TrimPrefix(f, "--cfg="))
	}
	return cfg, value, "krls's evaluation of " + trees.DotConfig(), nil
}

// synced: the files exist and none is older than the .config.
func synced(dot os.FileInfo, files ...string) bool {
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.ModTime().Before(dot.ModTime()) {
			return false
		}
	}
	return true
}
