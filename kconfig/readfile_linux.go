package kconfig

import (
	"fmt"
	"os"
	"syscall"
)

// readFile reads a file with the four system calls it takes: open,
// fstat, read and close. A cold load reads some 1,600 files, and system
// calls are most of that cost: os.Open adds an fcntl and an attempt to
// register the file with the poller, and os.Stat then os.ReadFile would
// double the count. The file is opened non-blocking, so that a named
// pipe is refused (not a regular file) instead of waiting for a writer;
// reads of regular files ignore the flag.
func readFile(path string) ([]byte, fileStamp, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, fileStamp{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fileStamp{}, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, fileStamp{}, fmt.Errorf("%s is not a regular file", path)
	}
	size := st.Size
	if size < 0 || size > maxKconfigFile {
		return nil, fileStamp{}, fmt.Errorf("%s: %d bytes is too large for a Kconfig file", path, size)
	}
	buf := make([]byte, size)
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fileStamp{}, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break // the file shrank since fstat
		}
		n += m
	}
	return buf[:n], fileStamp{size, st.Mtim.Nano()}, nil
}
