package workspace

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/sourcegraph/conc/pool"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
)

// CheckOptions configure Check.
type CheckOptions struct {
	// Rules enabled by name; nil means all.
	Rules map[string]bool
	// CheckPrivateItems forces clippy's check-private-items on; otherwise
	// each file takes it from its nearest .clippy.toml.
	CheckPrivateItems bool
	// Jobs is the number of files analysed at once; 0 means
	// runtime.GOMAXPROCS(0).
	Jobs int
}

// FileResult is what Check found in one file.
type FileResult struct {
	// Path as found: the path given to Check, or a file's path joined
	// under a given folder.
	Path     string
	Src      []byte
	Lines    *symbols.Lines
	Findings []diagnostics.Finding
	// Err is a problem reading or parsing the file (or reading a folder
	// below a given one); there are no findings then.
	Err error
	// Skipped files are over symbols.MaxFileSize and were not read.
	Skipped bool
}

// Check expands paths (files, or folders searched recursively for *.rs,
// skipping hidden files and folders such as .git, and folders named
// `target`), analyses every file in parallel with Jobs goroutines, and
// returns the results sorted by path. A file given explicitly is checked
// whatever its name. A path that does not exist is an error, and so is a
// malformed clippy configuration; problems with single files are reported
// in their FileResult.
//
// Each call reads the clippy configuration afresh (one ConfigCache per
// call), and reads each file once.
func Check(ctx context.Context, paths []string, opts CheckOptions) ([]FileResult, error) {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}

	// Expand the paths. Folders are walked in parallel: on a kernel tree
	// (90,000 entries in 6,000 folders, 79 of them .rs files) reading the
	// folders costs about half as much as analysing the files.
	var files, roots []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			roots = append(roots, filepath.Clean(p))
		} else {
			files = append(files, p)
		}
	}
	found, walkErrs := walkFolders(roots, jobs)
	files = append(files, found...)

	// A file named twice (or found under two given folders) is checked once.
	seen := make(map[string]bool, len(files))
	uniq := files[:0]
	for _, f := range files {
		c := filepath.Clean(f)
		if !seen[c] {
			seen[c] = true
			uniq = append(uniq, f)
		}
	}
	files = uniq

	// Biggest files first, so that the last file to finish is a small one
	// and no goroutine idles while another works through a big file.
	order := make([]int, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		order[i] = i
		if st, err := os.Stat(f); err == nil {
			sizes[i] = st.Size()
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return sizes[order[a]] > sizes[order[b]] })

	results := make([]FileResult, len(files), len(files)+len(walkErrs))
	var cache ConfigCache
	var confErr error
	var confOnce sync.Once
	p := pool.New().WithMaxGoroutines(jobs)
	for _, i := range order {
		if ctx.Err() != nil {
			break
		}
		path := files[i]
		p.Go(func() {
			r, err := checkFile(ctx, &cache, path, opts)
			if err != nil {
				confOnce.Do(func() { confErr = err })
			}
			results[i] = r
		})
	}
	p.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if confErr != nil {
		return nil, confErr
	}
	results = append(results, walkErrs...)
	sort.Slice(results, func(i, j int) bool { return results[i].Path < results[j].Path })
	return results, nil
}

// checkFile reads, parses and analyses one file. The error is a broken
// clippy configuration; file problems go into the result.
func checkFile(ctx context.Context, cache *ConfigCache, path string, opts CheckOptions) (FileResult, error) {
	r := FileResult{Path: path}
	cfg, err := cache.DiagnosticsConfig(path, opts.Rules, opts.CheckPrivateItems)
	if err != nil {
		return r, err
	}
	src, err := readSource(path)
	if errors.Is(err, symbols.ErrTooLarge) {
		r.Skipped = true
		return r, nil
	}
	if err != nil {
		r.Err = err
		return r, nil
	}
	f, err := symbols.Parse(ctx, path, src)
	if errors.Is(err, symbols.ErrTooLarge) {
		r.Skipped = true
		return r, nil
	}
	if err != nil {
		r.Err = err
		return r, nil
	}
	defer f.Close()
	r.Src, r.Lines = src, f.Lines
	r.Findings = diagnostics.Analyze(ctx, f, cfg)
	return r, nil
}

// readSource reads a file, unless it is over symbols.MaxFileSize.
func readSource(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := 0
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > symbols.MaxFileSize {
			return nil, symbols.ErrTooLarge
		}
		size = int(st.Size())
	}
	// One read for an unchanged file; the spare byte sees EOF.
	buf := make([]byte, 0, size+1)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: unwrapPathError(err)}
		}
		if len(buf) > symbols.MaxFileSize {
			return nil, symbols.ErrTooLarge
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// walkFolders lists the *.rs files under the folders roots (cleaned),
// reading folders with jobs goroutines that share a stack of folders to
// read. Folders that cannot be read come back as results with an error.
func walkFolders(roots []string, jobs int) (files []string, errs []FileResult) {
	if len(roots) == 0 {
		return nil, nil
	}
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		stack   = append([]string(nil), roots...)
		active  int // goroutines reading a folder
		waiting int // goroutines waiting for a folder to read
		wg      sync.WaitGroup
	)
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 32<<10)
			var dirs, found []string
			mu.Lock()
			for {
				for len(stack) == 0 && active > 0 {
					waiting++
					cond.Wait()
					waiting--
				}
				if len(stack) == 0 {
					// Nothing to read and nobody reading: done.
					mu.Unlock()
					cond.Broadcast()
					return
				}
				dir := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				active++
				mu.Unlock()

				var err error
				dirs, found, err = readDir(dir, buf, dirs[:0], found[:0])

				mu.Lock()
				active--
				stack = append(stack, dirs...)
				files = append(files, found...)
				if err != nil {
					errs = append(errs, FileResult{Path: dir, Err: err})
				}
				if waiting > 0 && (len(stack) > 0 || active == 0) {
					cond.Broadcast()
				}
			}
		}()
	}
	wg.Wait()
	return files, errs
}

// walkSkips says whether the walk leaves out an entry: hidden files and
// folders (.git, editor lock files such as Emacs's dangling .#x.rs
// links), and cargo's `target` output folders.
func walkSkips(name []byte, isDir bool) bool {
	return len(name) == 0 || name[0] == '.' || isDir && string(name) == "target"
}

func isRustFile(name []byte) bool {
	n := len(name)
	return n > 3 && name[n-3] == '.' && name[n-2] == 'r' && name[n-1] == 's'
}

func joinPath(dir string, name []byte) string {
	if dir == "." {
		return string(name)
	}
	if strings.HasSuffix(dir, string(filepath.Separator)) {
		return dir + string(name)
	}
	return dir + string(filepath.Separator) + string(name)
}

// readDirPortable lists a folder with os.ReadDir; readDir is this on
// systems other than Linux, and tests compare the two.
func readDirPortable(dir string, dirs, files []string) ([]string, []string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return dirs, files, err
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	for _, e := range ents {
		name := []byte(e.Name())
		switch {
		case walkSkips(name, e.IsDir()):
		case e.IsDir():
			dirs = append(dirs, joinPath(dir, name))
		case (e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0) && isRustFile(name):
			// Not FIFOs and the like, whose reading could block.
			files = append(files, joinPath(dir, name))
		}
	}
	return dirs, files, err
}
