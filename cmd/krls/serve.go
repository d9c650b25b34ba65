package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"github.com/krls-dev/krls/lsp"
)

const serveUsage = `Usage: krls [serve] [--stdio]

Speak the Language Server Protocol on stdin and stdout, beside
rust-analyzer: krls publishes the kernel's SAFETY-comment diagnostics and
their quick fixes. Logs go to stderr.

  --stdio   accepted for editors that pass it; stdio is the only transport

Settings (initializationOptions or workspace/didChangeConfiguration):

  {"krls": {"checkPrivateItems": true, "rules": ["undocumented-unsafe"]}}
`

// runServe speaks LSP on stdio.
func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	for _, a := range args {
		switch a {
		case "--help", "-help", "-h":
			fmt.Fprint(stdout, serveUsage)
			return 0
		case "--stdio", "-stdio":
		default:
			fmt.Fprintf(stderr, "krls serve: unknown argument %q (see 'krls help serve')\n", a)
			return 2
		}
	}
	if stdin == nil {
		stdin = os.Stdin
	}
	// An editor ends the server with exit; a signal ends it as the end of
	// the input does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if os.Getenv("GOMEMLIMIT") == "" {
		// The server lives beside an editor for hours: it collects its
		// garbage sooner rather than doubling its heap (Go's default), a
		// soft limit that costs a little CPU when reached (user's
		// GOMEMLIMIT wins).
		debug.SetMemoryLimit(serverMemoryLimit)
	}
	code := lsp.Serve(ctx, stdin, stdout, stderr, lsp.Options{Version: krlsVersion()})
	if path := os.Getenv("KRLS_HEAP_PROFILE"); path != "" {
		// For measuring the server's memory (editors/nvim/test/session.sh):
		// the heap's allocations over the session, written at exit.
		if err := writeHeapProfile(path); err != nil {
			fmt.Fprintf(stderr, "krls serve: %v\n", err)
		}
	}
	return code
}

// serverMemoryLimit is the server's soft limit on the Go heap, in bytes.
// With Linux 7.2 indexed and its Kconfig loaded, about 80 MB stay live.
const serverMemoryLimit = 112 << 20

// writeHeapProfile writes the heap profile (allocations since the start,
// and what is live) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		return fmt.Errorf("heap profile %s: %w", path, err)
	}
	return nil
}
