package workspace

import (
	"encoding/binary"
	"os"
	"syscall"
)

// readDir reads a folder with getdents64 straight into a reused
// buffer: os.ReadDir allocates two objects per entry, and a kernel tree
// has 90,000 entries of which only the folders and *.rs files matter.
func readDir(dir string, buf []byte, dirs, files []string) ([]string, []string, error) {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return dirs, files, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer syscall.Close(fd)
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return dirs, files, &os.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			return dirs, files, nil
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
			if ino == 0 || len(name) == 0 || name[0] == '.' {
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
			switch {
			case typ == syscall.DT_DIR:
				if !walkSkips(name, true) {
					dirs = append(dirs, joinPath(dir, name))
				}
			case (typ == syscall.DT_REG || typ == syscall.DT_LNK) && isRustFile(name):
				// Not FIFOs and the like, whose reading could block.
				files = append(files, joinPath(dir, name))
			}
		}
	}
}
