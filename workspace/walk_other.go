//go:build !linux

package workspace

// readDir lists a folder; see readDirPortable.
func readDir(dir string, _ []byte, dirs, files []string) ([]string, []string, error) {
	return readDirPortable(dir, dirs, files)
}
