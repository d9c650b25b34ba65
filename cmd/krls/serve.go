package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
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
	return lsp.Serve(ctx, stdin, stdout, stderr, lsp.Options{Version: krlsVersion()})
}
