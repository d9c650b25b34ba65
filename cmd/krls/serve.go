package main

import (
	"fmt"
	"io"
)

// runServe speaks LSP on stdio. (Placeholder until the lsp package lands.)
func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "krls: serve is not implemented yet")
	return 2
}
