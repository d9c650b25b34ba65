package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/krls-dev/krls/symbols/rustproject"
	"github.com/krls-dev/krls/workspace"
)

const rustProjectUsage = `Usage:
  krls rust-project [--srctree S] [--objtree O] [--kdir K] [--sysroot DIR] [-o FILE] [PATH]
  krls rust-project --discover ARG [--objtree O] [--kdir K] [--sysroot DIR]

Writes the rust-project.json rust-analyzer needs for a kernel tree and its
.config, as 'make rust-analyzer' would, without running make: the crates,
dependencies, editions, env, cfgs and include dirs of the tree's own
scripts/generate_rust_analyzer.py and rust/Makefile, the .config's cfgs
evaluated by krls (shared through cfg_groups, not repeated per crate), and
only the driver and sample crates the .config builds (the others are
listed on stderr, with why). PATH (default: the current folder) is a file
or folder of the tree, or of an out-of-tree module (then --kdir or $KDIR
names its kernel, and the module's crates replace the tree's drivers).

  --srctree S, --objtree O, --kdir K
                  the kernel, as the server's settings name it; the
                  objtree is found as the server finds it otherwise
  --sysroot DIR   the Rust sysroot; default: $RUSTC --print sysroot
  -o FILE         write there (atomically) instead of stdout

--discover ARG is rust-analyzer's workspace.discoverConfig protocol: ARG
is {"path": FILE} or {"buildfile": FILE}; krls answers with JSON lines
(progress, then finished with the project, or error). Configure
rust-analyzer with:

  "rust-analyzer.workspace.discoverConfig": {
    "command": ["krls", "rust-project", "--discover", "{arg}"],
    "progressLabel": "krls",
    "filesToWatch": [".config"]
  }
`

func runRustProject(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rust-project", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	srctree := fs.String("srctree", "", "")
	objtree := fs.String("objtree", "", "")
	kdir := fs.String("kdir", "", "")
	sysroot := fs.String("sysroot", "", "")
	out := fs.String("o", "", "")
	discover := fs.String("discover", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, rustProjectUsage)
			return 0
		}
		fmt.Fprintf(stderr, "krls: rust-project: %v (see 'krls help rust-project')\n", err)
		return 2
	}
	path := "."
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "krls: rust-project: one PATH at most (see 'krls help rust-project')\n")
		return 2
	} else if fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	set := workspace.KernelSettings{Srctree: *srctree, Objtree: *objtree, Kdir: *kdir}
	if *discover != "" {
		return discoverProject(*discover, set, *sysroot, stdout)
	}
	res, err := workspace.RustProject(context.Background(), workspace.RustProjectOptions{Path: path, Settings: set, Sysroot: *sysroot})
	if err != nil {
		fmt.Fprintf(stderr, "krls: rust-project: %v\n", err)
		return 2
	}
	for _, s := range res.NotBuilt {
		fmt.Fprintf(stderr, "krls: %s: not built with this .config: %s\n", s.Path, s.Why)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "krls: %s\n", w)
	}
	write := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res.Project)
	}
	if *out == "" {
		if err := write(stdout); err != nil {
			fmt.Fprintf(stderr, "krls: rust-project: %v\n", err)
			return 2
		}
		return 0
	}
	if err := writeAtomic(*out, write); err != nil {
		fmt.Fprintf(stderr, "krls: rust-project: write %s: %v\n", *out, err)
		return 2
	}
	return 0
}

// discoverProject answers rust-analyzer's discover command: ARG names a
// file ({"path": ...}, a file rust-analyzer opened) or a build file
// ({"buildfile": ...}, one it was told to watch changed); the answer is
// JSON lines of {"kind": "progress"|"finished"|"error", ...}. The
// buildfile given back is the .config, which rust-analyzer watches.
func discoverProject(arg string, set workspace.KernelSettings, sysroot string, stdout io.Writer) int {
	enc := json.NewEncoder(stdout)
	var a struct {
		Path      string `json:"path"`
		Buildfile string `json:"buildfile"`
	}
	if err := json.Unmarshal([]byte(arg), &a); err != nil || a.Path == "" && a.Buildfile == "" {
		enc.Encode(map[string]any{"kind": "error", "error": fmt.Sprintf("krls rust-project --discover: want {\"path\": FILE} or {\"buildfile\": FILE}, got %q", arg), "source": nil})
		return 2
	}
	path := a.Path
	if path == "" {
		path = a.Buildfile
		if filepath.Base(path) == ".config" && set.Objtree == "" {
			set.Objtree = filepath.Dir(path)
		}
	}
	enc.Encode(map[string]string{"kind": "progress", "message": "reading the .config of the kernel of " + path})
	res, err := workspace.RustProject(context.Background(), workspace.RustProjectOptions{Path: path, Settings: set, Sysroot: sysroot})
	if err != nil {
		enc.Encode(map[string]any{"kind": "error", "error": err.Error(), "source": nil})
		return 2
	}
	for _, w := range res.Warnings {
		enc.Encode(map[string]string{"kind": "progress", "message": w})
	}
	// rust-analyzer watches the build files of a project's crates and,
	// when one changes, asks again with {"buildfile": ...} for the crate
	// built from it: the crates that take the .config's cfgs are built
	// from the .config.
	for i := range res.Crates {
		if c := &res.Crates[i]; len(c.CfgGroups) > 0 {
			c.Build = &rustproject.BuildInfo{Label: c.DisplayName, BuildFile: res.Trees.DotConfig(), TargetKind: "lib"}
		}
	}
	if err := enc.Encode(map[string]any{"kind": "finished", "buildfile": res.Trees.DotConfig(), "project": res.Project}); err != nil {
		fmt.Fprintf(os.Stderr, "krls: rust-project: %v\n", err)
		return 2
	}
	return 0
}
