//go:build !linux

package workspace

import "os"

// openNonblock is 0 where opening a FIFO cannot be told not to block.
const openNonblock = 0

// readDir lists a folder; see readDirPortable.
func readDir(dir string, _ []byte, l *dirList) error {
	return readDirPortable(dir, l)
}

// statStamp is the stamp of path (of what it links to, with follow),
// without the change time and inode, which os.FileInfo does not carry
// portably.
func statStamp(path string, follow bool) (stamp, error) {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	fi, err := stat(path)
	if err != nil {
		return stamp{}, err
	}
	return stamp{Mtime: fi.ModTime().UnixNano(), Size: fi.Size(), Dir: fi.IsDir()}, nil
}
