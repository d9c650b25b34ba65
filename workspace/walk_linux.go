package workspace

import (
	"encoding/binary"
	"os"
	"syscall"
)

// openNonblock opens without blocking on a FIFO, whose open would wait
// for a writer.
const openNonblock = syscall.O_NONBLOCK

// readDir reads a folder with getdents64 straight into a reused
// buffer: os.ReadDir allocates two objects per entry, and a kernel tree
// has 90,000 entries of which only the folders and *.rs files matter.
// It appends what it finds to l; see readDirPortable.
func readDir(dir string, buf []byte, l *dirList) error {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer syscall.Close(fd)
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			return nil
		}
		// struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; }
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			ino := binary.NativeEndian.Uint64(b)
			typ := b[18]
			name := b[19:reclen]
			b = b[reclen:]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			if ino == 0 || len(name) == 0 {
				continue
			}
			if name[0] == '.' {
				if string(name) == ".git" {
					l.git = true
				}
				continue
			}
			if typ == syscall.DT_UNKNOWN {
				// Some file systems do not say; ask.
				var st syscall.Stat_t
				if syscall.Lstat(joinPath(dir, name), &st) != nil {
					continue
				}
				switch st.Mode & syscall.S_IFMT {
				case syscall.S_IFDIR:
					typ = syscall.DT_DIR
				case syscall.S_IFREG:
					typ = syscall.DT_REG
				case syscall.S_IFLNK:
					typ = syscall.DT_LNK
				}
			}
			rust := isRustFile(name)
			switch {
			case typ == syscall.DT_DIR:
				l.dirs = append(l.dirs, joinPath(dir, name))
			case !rust:
				if string(name) == cacheDirTag {
					l.tag = true
				}
			case typ == syscall.DT_REG:
				l.files = append(l.files, joinPath(dir, name))
			case typ == syscall.DT_LNK:
				// Only a link to a regular file (or a dangling one, to
				// report): not to a FIFO, whose reading could block.
				p := joinPath(dir, name)
				if linkToFile(p) {
					l.files = append(l.files, p)
					l.links = append(l.links, p)
				}
			}
		}
	}
}

// statStamp is the stamp of path (of what it links to, with follow).
func statStamp(path string, follow bool) (stamp, error) {
	var st syscall.Stat_t
	var err error
	if follow {
		err = syscall.Stat(path, &st)
	} else {
		err = syscall.Lstat(path, &st)
	}
	if err != nil {
		return stamp{}, err
	}
	return stamp{
		Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(), Ino: st.Ino, Size: st.Size,
		Dir: st.Mode&syscall.S_IFMT == syscall.S_IFDIR,
	}, nil
}
