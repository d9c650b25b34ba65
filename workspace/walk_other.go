//go:build !linux

package workspace

// openNonblock is 0 where opening a FIFO cannot be told not to block.
const openNonblock = 0

// readDir lists a folder; see readDirPortable.
func readDir(dir string, _ []byte, l *dirList) error {
	return readDirPortable(dir, l)
}
