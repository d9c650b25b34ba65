package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/workspace"
)

const configUsage = `Usage:
  krls config olddefconfig --srctree S --arch A --in IN --out OUT [--allow-shell]
  krls config explain SYMBOL [--srctree S] [--objtree O] [--arch A] [--allow-shell]

olddefconfig does what 'make olddefconfig' does: it reads the Kconfig tree
of S for ARCH A, takes the values of IN, fills in everything else with its
default, and writes the result to OUT as the kernel's conf would, byte for
byte.

explain says what a symbol is, where it is defined, what it depends on
(with the values of the operands), what selects and implies it, and in one
sentence why it has its value in the configuration of O (O/.config).

Toolchain probes ($(shell,...), cc-option, rustc checks) do not run
unless --allow-shell is given: opening a tree must not execute its
commands. Without it, the symbols they decide keep the values the .config
recorded. With it, they run as the kernel's Makefile runs them: CC, LD,
RUSTC, BINDGEN, CROSS_COMPILE, LLVM, ... from the environment, else the
Makefile's defaults, each within --shell-timeout.

Defaults: --srctree is the kernel tree above the current folder; --objtree
is the srctree if it has a .config, else $KBUILD_OUTPUT; --arch comes from
the .config.
`

func runConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprint(stdout, configUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("krls config "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	srctree := fs.String("srctree", "", "kernel source tree")
	objtree := fs.String("objtree", "", "kernel object tree (holding .config)")
	arch := fs.String("arch", "", "ARCH (x86_64, arm64, ...)")
	in := fs.String("in", "", "input .config")
	out := fs.String("out", "", "output .config")
	allowShell := fs.Bool("allow-shell", false, "run the toolchain probes of the Kconfig files")
	timeout := fs.Duration("shell-timeout", 30*time.Second, "time limit for one probe")
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, configUsage)
				return 0
			}
			fmt.Fprintf(stderr, "krls: config %s: %v (see 'krls config --help')\n", sub, err)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "krls: config %s: %s (see 'krls config --help')\n", sub, msg)
		return 2
	}
	if *srctree == "" {
		cwd, _ := os.Getwd()
		tree, ok := workspace.FindSrctree(cwd)
		if !ok {
			return usage("no --srctree given and no kernel tree above the current folder")
		}
		*srctree = tree
	}
	// A check run is short and keeps most of what it allocates.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	ctx := context.Background()

	switch sub {
	case "olddefconfig":
		if *arch == "" || *in == "" || *out == "" || len(pos) > 0 {
			return usage("olddefconfig needs --arch, --in and --out, and no other arguments")
		}
		d, err := kconfig.ReadDotConfig(*in)
		if err != nil {
			fmt.Fprintf(stderr, "krls: %v\n", err)
			return 2
		}
		e, code := loadEval(ctx, *srctree, *arch, d, *allowShell, *timeout, stderr)
		if e == nil {
			return code
		}
		if n := e.K.ErrorCount(); n > 0 {
			// A partial evaluation silently drops the symbols of what
			// could not be read: no .config from it.
			fmt.Fprintf(stderr, "krls: not writing %s: the Kconfig files of %s have %d errors (listed above); a configuration from the rest would silently lose the symbols they define\n", *out, *srctree, n)
			return 2
		}
		if err := writeAtomic(*out, e.WriteConfig); err != nil {
			fmt.Fprintf(stderr, "krls: write %s: %v\n", *out, err)
			return 2
		}
		return 0
	case "explain":
		if len(pos) != 1 {
			return usage("explain needs one SYMBOL")
		}
		name := strings.TrimPrefix(pos[0], "CONFIG_")
		trees, err := workspace.LocateKernel(*srctree, workspace.KernelSettings{Srctree: *srctree, Objtree: *objtree}, nil)
		if err != nil {
			return usage(err.Error())
		}
		path := trees.DotConfig()
		d, err := kconfig.ReadDotConfig(path)
		if err != nil {
			fmt.Fprintf(stderr, "krls: no .config: %v\n", err)
			return 2
		}
		if *arch == "" {
			a, ok := d.DetectArch()
			if !ok {
				return usage(path + " does not say its architecture; give --arch")
			}
			*arch = a.Arch
		}
		e, code := loadEval(ctx, *srctree, *arch, d, *allowShell, *timeout, stderr)
		if e == nil {
			return code
		}
		s := e.K.Lookup(name)
		if s == nil {
			fmt.Fprintf(stderr, "krls: no symbol %s in the Kconfig files of %s for %s\n", name, *srctree, *arch)
			return 1
		}
		fmt.Fprint(stdout, kconfig.Explain(e, s).Text())
		return 0
	}
	return usage("unknown subcommand")
}

// loadEval loads the tree and applies d. On failure it returns nil and an
// exit code, having printed why.
func loadEval(ctx context.Context, srctree, arch string, d *kconfig.DotConfig, allowShell bool, timeout time.Duration, stderr io.Writer) (*kconfig.Eval, int) {
	tools := kconfig.NewToolchain(srctree, arch, nil)
	opts := kconfig.LoadOptions{Srctree: srctree, Tools: tools}
	if allowShell {
		dir, err := os.MkdirTemp("", "krls-probe-")
		if err != nil {
			fmt.Fprintf(stderr, "krls: %v\n", err)
			return nil, 2
		}
		defer os.RemoveAll(dir)
		opts.Shell = &kconfig.ExecShell{Dir: dir, Env: tools.ShellEnv(), Timeout: timeout}
	}
	k, err := kconfig.Load(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "krls: %v\n", err)
		return nil, 2
	}
	// Every error is listed; the caller decides whether what was read is
	// enough (explain says what it may miss; olddefconfig refuses).
	for _, e := range k.Errors {
		if !e.Warning {
			fmt.Fprintf(stderr, "%v\n", e)
		}
	}
	e := kconfig.NewEval(k)
	e.Apply(d)
	return e, 0
}

// writeAtomic writes a file through a temporary file in the same folder.
func writeAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".krls-*.tmp")
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	// CreateTemp makes the file 0600; what it replaces is read by the
	// build and by other tools (rust-analyzer): the mode of the file it
	// replaces, else 0644.
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := os.Chmod(f.Name(), mode); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
