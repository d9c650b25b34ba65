package workspace

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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
	// Conventions adds the justification-comment rules beyond SAFETY
	// (diagnostics.ConventionRules, `--rules=+conventions`) to the rules
	// that run.
	Conventions bool
	// CheckPrivateItems forces clippy's check-private-items on; otherwise
	// each file takes it from its nearest .clippy.toml.
	CheckPrivateItems bool
	// AllCrates checks the files of the crates the kernel's build does
	// not lint (vendored crates: rust/Makefile's skip_clippy or
	// --cap-lints=allow) too; by default they are left out, as clippy
	// leaves them.
	AllCrates bool
	// Jobs is the number of files analysed at once; 0 means
	// runtime.GOMAXPROCS(0).
	Jobs int
	// Warn, when set, is told of problems that do not stop the check,
	// such as git failing to say which files it ignores.
	Warn func(msg string)
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
	// OutOfScope says why the file was not checked: its crate is one the
	// kernel's build does not lint (see CheckOptions.AllCrates).
	OutOfScope string
}

// Check expands paths (files, or folders searched recursively for *.rs)
// and analyses every file in parallel with Jobs goroutines, returning the
// results sorted by path.
//
// A folder's walk leaves out hidden files and folders (such as .git),
// folders tagged as caches with a CACHEDIR.TAG (as cargo tags its target
// folders), files that are not regular (or links to regular files), and,
// inside a git work tree, the files git ignores (such as the kernel's
// generated rust/bindings/bindings_generated.rs). Symbolic links to
// folders are not followed. A file given explicitly is checked whatever
// its name, and so is a folder given explicitly that git ignores or that
// is tagged as a cache.
//
// A file reached twice (named twice, under two spellings, through a
// symbolic link, or under two given folders) is checked once, under the
// spelling met first in the order of paths.
//
// A path that does not exist is an error, and so is a malformed clippy
// configuration; problems with single files are reported in their
// FileResult. Each call reads the clippy configuration afresh (one
// ConfigCache per call), and reads each file once.
func Check(ctx context.Context, paths []string, opts CheckOptions) ([]FileResult, error) {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}

	// Expand the paths. Folders are walked in parallel: on a kernel tree
	// (90,000 entries in 6,000 folders, 79 of them .rs files) reading the
	// folders costs about half as much as analysing the files.
	var explicit []walkFile
	var roots []string
	var rootArg []int // the index in paths of each root
	for i, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			roots = append(roots, filepath.Clean(p))
			rootArg = append(rootArg, i)
		} else {
			explicit = append(explicit, walkFile{path: p, root: -1, arg: i})
		}
	}
	// The justification rules read each tree's index and the Rust
	// library: start both now, beside the walk of the folders.
	var cache ConfigCache
	cache.AllCrates = opts.AllCrates
	indexes := checkIndexes{warn: opts.Warn, cache: &cache}
	var prefetch sync.WaitGroup
	defer prefetch.Wait()
	if opts.Conventions || namesConvention(opts.Rules) {
		seen := map[string]bool{}
		for _, p := range paths {
			abs, err := filepath.Abs(p)
			if err != nil {
				continue
			}
			tree, ok := TreeOfDir(abs)
			if st, err := os.Stat(abs); err == nil && !st.IsDir() {
				tree, ok = TreeOf(abs)
			}
			if !ok || seen[tree] {
				continue
			}
			seen[tree] = true
			prefetch.Go(func() {
				indexes.refresh(ctx, tree)
				cache.libraryFor(cache.dirConf(tree).srctree).load()
			})
		}
	}
	w := walkFolders(roots, jobs, readDir)
	found := dropIgnored(ctx, w, roots, opts.Warn)
	for i := range found {
		found[i].arg = rootArg[found[i].root]
	}
	files := dedupFiles(append(explicit, found...), roots)

	// Biggest files first, so that the last file to finish is a small one
	// and no goroutine idles while another works through a big file.
	order := make([]int, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		order[i] = i
		if st, err := os.Stat(f.path); err == nil {
			sizes[i] = st.Size()
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return sizes[order[a]] > sizes[order[b]] })

	results := make([]FileResult, len(files), len(files)+len(w.errs))
	var modules ModuleFactsCache
	var confErr error
	var confOnce sync.Once
	p := pool.New().WithMaxGoroutines(jobs)
	for _, i := range order {
		if ctx.Err() != nil {
			break
		}
		f := files[i]
		p.Go(func() {
			r, err := checkFile(ctx, &cache, &modules, &indexes, f.path, f.root >= 0, opts)
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
	if opts.Warn != nil {
		for _, note := range cache.missingLibraryNotes() {
			opts.Warn(note)
		}
	}
	results = append(results, w.errs...)
	sort.Slice(results, func(i, j int) bool { return results[i].Path < results[j].Path })
	return results, nil
}

// dedupFiles keeps the first of the files that are the same file: the
// same cleaned absolute path once symbolic links are resolved. Files are
// taken in the order of the paths given, and in path order under one
// folder, so that the spelling kept does not depend on the walk's timing.
func dedupFiles(files []walkFile, roots []string) []walkFile {
	sort.SliceStable(files, func(i, j int) bool {
		if files[i].arg != files[j].arg {
			return files[i].arg < files[j].arg
		}
		return files[i].path < files[j].path
	})
	// Folders are not followed through links below a root, so a walked
	// file's folder is its root's real path joined with the rest.
	realRoots := make([]string, len(roots))
	for i, r := range roots {
		realRoots[i] = realPath(r)
	}
	seen := make(map[string]bool, len(files))
	out := files[:0]
	for _, f := range files {
		var key string
		switch {
		case f.root < 0 || f.link:
			key = realPath(f.path)
		default:
			rel, err := filepath.Rel(roots[f.root], f.path)
			if err != nil {
				key = realPath(f.path)
			} else {
				key = filepath.Join(realRoots[f.root], rel)
			}
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, f)
		}
	}
	return out
}

// realPath is path made absolute and clean, with symbolic links resolved
// when it can be.
func realPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	return abs
}

// checkFile reads, parses and analyses one file. The error is a broken
// clippy configuration; file problems go into the result. A walked file
// must be a regular file: the walk saw one there, and reading anything
// else (a FIFO put in its place since) could block.
func checkFile(ctx context.Context, cache *ConfigCache, modules *ModuleFactsCache, indexes *checkIndexes, path string, walked bool, opts CheckOptions) (FileResult, error) {
	r := FileResult{Path: path}
	cfg, err := cache.DiagnosticsConfig(path, opts.Rules, opts.CheckPrivateItems)
	if err != nil {
		return r, err
	}
	if cfg.OutOfScope != "" {
		r.OutOfScope = cfg.OutOfScope
		return r, nil
	}
	cfg.Conventions = opts.Conventions
	if opts.Conventions || namesConvention(opts.Rules) {
		// They look up other files' docs (`# Panics`, `# Invariants`).
		cfg.Contracts = indexes.contracts(ctx, path)
	}
	// The module! rules take their facts from the file's srctree (or
	// KDIR's, for an out-of-tree module), found as the server finds it.
	cfg.Module = modules.ModuleConfig(ctx, path, "", KernelSettings{})
	src, err := readSource(path, walked)
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

// readSource reads a file, unless it is over symbols.MaxFileSize. With
// regularOnly, anything but a regular file is an error, found without
// blocking.
func readSource(path string, regularOnly bool) ([]byte, error) {
	flags := os.O_RDONLY
	if regularOnly {
		flags |= openNonblock
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := 0
	st, err := f.Stat()
	if err == nil && st.Mode().IsRegular() {
		if st.Size() > symbols.MaxFileSize {
			return nil, symbols.ErrTooLarge
		}
		size = int(st.Size())
	} else if regularOnly {
		return nil, &os.PathError{Op: "read", Path: path, Err: errNotRegular}
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

var errNotRegular = errors.New("not a regular file")

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// walkFile is a file to check: found under roots[root] by the walk, or
// given explicitly (root -1). arg is the index of the path given that led
// to it; link says the file was a symbolic link.
type walkFile struct {
	path string
	root int
	arg  int
	link bool
}

// walkResult is what walkFolders found.
type walkResult struct {
	files []walkFile
	// repos are the folders at or below the roots that hold a .git: the
	// tops of work trees (nested repositories, submodules).
	repos map[string]bool
	// errs are the folders that could not be read.
	errs []FileResult
}

// dirList is what readDir found in one folder; readDir appends to it.
type dirList struct {
	dirs  []string // folders to walk
	files []string // *.rs files: regular files and links to them
	links []string // the files that are symbolic links
	git   bool     // a .git is there (a folder, or a file for a submodule)
	tag   bool     // a CACHEDIR.TAG is there
}

func (l *dirList) reset() {
	l.dirs, l.files, l.links = l.dirs[:0], l.files[:0], l.links[:0]
	l.git, l.tag = false, false
}

// lister lists one folder into l (see readDir), with buf the calling
// goroutine's own buffer. It is called from several goroutines at once.
type lister func(dir string, buf []byte, l *dirList) error

// walkFolders lists the *.rs files under the folders roots (cleaned),
// reading folders with list (readDir, or the index's cached walk) from
// jobs goroutines that share a stack of folders to read. Folders that
// cannot be read come back as results with an error.
func walkFolders(roots []string, jobs int, list lister) walkResult {
	res := walkResult{repos: map[string]bool{}}
	if len(roots) == 0 {
		return res
	}
	type entry struct {
		dir  string
		root int // index in roots
	}
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		stack   []entry
		active  int // goroutines reading a folder
		waiting int // goroutines waiting for a folder to read
		wg      sync.WaitGroup
	)
	for i, r := range roots {
		stack = append(stack, entry{r, i})
	}
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 32<<10)
			var l dirList
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
				e := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				active++
				mu.Unlock()

				l.reset()
				err := list(e.dir, buf, &l)
				if l.tag && e.dir != roots[e.root] && isCacheDirTag(joinPath(e.dir, []byte(cacheDirTag))) {
					// A cache (cargo's target folder): nothing to check.
					l.dirs, l.files = l.dirs[:0], l.files[:0]
				}

				mu.Lock()
				active--
				for _, d := range l.dirs {
					stack = append(stack, entry{d, e.root})
				}
				for _, f := range l.files {
					res.files = append(res.files, walkFile{path: f, root: e.root, link: slices.Contains(l.links, f)})
				}
				if l.git {
					res.repos[e.dir] = true
				}
				if err != nil {
					res.errs = append(res.errs, FileResult{Path: e.dir, Err: err})
				}
				if waiting > 0 && (len(stack) > 0 || active == 0) {
					cond.Broadcast()
				}
			}
		}()
	}
	wg.Wait()
	return res
}

// cacheDirTag is the file that marks a cache folder
// (https://bford.info/cachedir/); cargo writes one into its target folders.
const cacheDirTag = "CACHEDIR.TAG"

// isCacheDirTag reports whether the file at path is a cache directory tag:
// it begins with the signature the specification fixes, so that a file
// that merely has the name does not hide a folder.
func isCacheDirTag(path string) bool {
	const signature = "Signature: 8a477f597d28d172789f06886806bc55"
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false
	}
	buf := make([]byte, len(signature))
	_, err = io.ReadFull(f, buf)
	return err == nil && string(buf) == signature
}

// walkSkips says whether the walk leaves out an entry by its name: hidden
// files and folders (.git, editor lock files such as Emacs's dangling
// .#x.rs links).
func walkSkips(name []byte) bool {
	return len(name) == 0 || name[0] == '.'
}

func isRustFile(name []byte) bool {
	n := len(name)
	return n > 3 && name[n-3] == '.' && name[n-2] == 'r' && name[n-1] == 's'
}

func joinPath[Name string | []byte](dir string, name Name) string {
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
func readDirPortable(dir string, l *dirList) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	for _, e := range ents {
		name := []byte(e.Name())
		switch {
		case e.Name() == ".git":
			l.git = true
		case walkSkips(name):
		case e.IsDir():
			l.dirs = append(l.dirs, joinPath(dir, name))
		case e.Name() == cacheDirTag:
			l.tag = true
		case !isRustFile(name):
		case e.Type().IsRegular():
			l.files = append(l.files, joinPath(dir, name))
		case e.Type()&os.ModeSymlink != 0:
			p := joinPath(dir, name)
			if linkToFile(p) {
				l.files = append(l.files, p)
				l.links = append(l.links, p)
			}
		}
		// Not FIFOs and the like, whose reading could block.
	}
	return err
}

// linkToFile says whether the symbolic link at path is to be checked: it
// leads to a regular file, or nowhere (reading it then reports the
// dangling link), but not to a folder (links to folders are not
// followed), a FIFO or a device, whose reading could block.
func linkToFile(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return true
	}
	return st.Mode().IsRegular()
}

// namesConvention reports whether rules name a convention rule.
func namesConvention(rules map[string]bool) bool {
	for _, r := range diagnostics.ConventionRules {
		if rules[r.Name] {
			return true
		}
	}
	return false
}
