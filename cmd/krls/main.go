// Command krls is a language server for Rust in the Linux kernel, and the
// same checks run headless (`krls check`) for pre-commit hooks and CI.
//
// Usage:
//
//	krls [serve] [--stdio]      speak LSP on stdin/stdout (the default)
//	krls check [flags] PATH...  check files or folders, print findings
//	krls config ...             olddefconfig and explain, from the Kconfig files
//	krls index [flags]          build or refresh the index of a tree's Rust items
//	krls version                print the version
//	krls help [COMMAND]         print help
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X main.version=...") or read
// from the module's build information.
var version = ""

func krlsVersion() string {
	if version != "" {
		return version
	}
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version // go install github.com/...@vX.Y.Z
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit code: 0 success,
// 1 findings (check), 2 usage or internal error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && (len(args[0]) == 0 || args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(args, stdin, stdout, stderr)
	case "check":
		return runCheck(args, stdout, stderr)
	case "config":
		return runConfig(args, stdout, stderr)
	case "index":
		return runIndex(args, stdout, stderr)
	case "rust-project":
		return runRustProject(args, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "krls %s\n", krlsVersion())
		return 0
	case "help", "-h", "--help":
		return runHelp(args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "krls: unknown command %q (see 'krls help')\n", cmd)
	return 2
}

const usage = `krls: a language server for Rust in the Linux kernel.

Usage:
  krls [serve] [--stdio]        speak LSP on stdin/stdout (what editors start)
  krls check [flags] PATH...    check .rs files or folders; exit 1 on findings
  krls config olddefconfig ...  what 'make olddefconfig' does, byte for byte
  krls config explain SYMBOL    why a Kconfig symbol has its value
  krls index [--srctree S]      build or refresh the index of the tree's Rust items
  krls rust-project [flags]     write rust-analyzer's rust-project.json for the .config
  krls version                  print the version
  krls help [COMMAND]           print help for a command

Run 'krls help check' for the checker's flags and output formats.
`

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return 0
	}
	switch args[0] {
	case "check":
		return runCheck([]string{"--help"}, stdout, stderr)
	case "serve":
		return runServe([]string{"--help"}, nil, stdout, stderr)
	case "config":
		return runConfig([]string{"--help"}, stdout, stderr)
	case "index":
		return runIndex([]string{"--help"}, stdout, stderr)
	case "rust-project":
		return runRustProject([]string{"--help"}, stdout, stderr)
	}
	fmt.Fprintf(stderr, "krls: no help for %q\n", args[0])
	return 2
}
