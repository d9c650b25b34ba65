//go:build !linux

package kconfig

import (
	"fmt"
	"io"
	"os"
)

// readFile reads a file with one open, fstat, read and close: a cold load
// reads some 1,600 files, and os.Stat then os.ReadFile would cost twice
// the system calls.
func readFile(path string) ([]byte, fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileStamp{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, err
	}
	if !st.Mode().IsRegular() {
		return nil, fileStamp{}, fmt.Errorf("%s is not a regular file", path)
	}
	size := st.Size()
	if size < 0 || size > maxKconfigFile {
		return nil, fileStamp{}, fmt.Errorf("%s: %d bytes is too large for a Kconfig file", path, size)
	}
	buf := make([]byte, size)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, fileStamp{}, err
	}
	return buf[:n], fileStamp{size, st.ModTime().UnixNano()}, nil
}
