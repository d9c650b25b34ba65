package main

import (
	"fmt"
	"io"
)

// runCheck runs the rules over files. (Placeholder.)
func runCheck(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "krls: check is not implemented yet")
	return 2
}
