package workspace

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/krls-dev/krls/symbols/index"
)

// The index's walk cache, in the manner of git's untracked cache: a warm
// start of a kernel tree would list 90,000 entries in 5,760 folders to
// find 79 .rs files, while nothing changed. Instead the last walk's
// listing of each folder (its subfolders and .rs files) is kept with the
// folder's stamp (mtime, ctime, inode), taken before it was read. Adding,
// removing or renaming an entry changes a folder's mtime and ctime, so a
// folder whose stamp is unchanged has the same entries and is not read
// again: a warm walk is one stat per folder. A folder whose mtime or
// ctime falls within racyWindow of when it was listed may have changed in
// the same clock tick after it was read (file systems keep coarse
// times), so it is not trusted and is read again, as git treats "racily
// clean" entries.
//
// git's verdicts on which files it ignores are kept too, with the stamps
// of what they depend on: the .gitignore of every folder from a found
// file's up to /, the .git of the root and of the folders above it (a
// repository appearing or going), each repository's index (a file added
// with -f is not ignored), info/exclude and config, the global git
// configuration and excludes file (and the core.excludesFile git names).
// When all of these are unchanged and every file found has a verdict, git
// is not asked. With a variable set that moves the repository or adds
// configuration (a hook's GIT_DIR or GIT_INDEX_FILE, GIT_CONFIG_*...) git
// is asked every time.
//
// The cache is bytes that the index stores beside its entries; one that
// does not decode (another version, damage) is dropped and rebuilt by a
// full walk.

// walkCacheMagic starts an encoded walk cache; another layout must
// change it.
const walkCacheMagic = "krls-walk-2\n"

// racyWindow is how long after a folder's (or an ignore file's) last
// change its listing (or git's verdict) is trusted: well over the
// timestamp granularity of the file systems in use (1 s on ext3, 2 s on
// FAT).
const racyWindow = 2 * time.Second

// stamp is what tells that a file or folder may have changed.
type stamp struct {
	Mtime, Ctime int64 // ns since the epoch
	Ino          uint64
	Size         int64
	Dir          bool
}

// folderRec is one folder's listing.
type folderRec struct {
	st     stamp // taken before the folder was read
	listed int64 // when it was read (ns), taken before st
	git    bool  // a .git is there
	tag    bool  // a CACHEDIR.TAG is there (its content is read each walk)
	// Names of the subfolders, the .rs files, and those of the files
	// that are symbolic links.
	dirs, files, links []string
}

// inputStamp is the stamp of a file git's verdicts depend on; ok says it
// exists.
type inputStamp struct {
	path string
	ok   bool
	st   stamp
}

// walkCache is what a walk of one root leaves for the next.
type walkCache struct {
	folders  map[string]*folderRec // by path relative to the root ("." for it)
	inputs   []inputStamp          // what verdicts depend on
	verdicts map[string]bool       // ignored, by .rs file relative to the root; nil: none kept
}

// IndexWalk is a walk of a tree for the index.
type IndexWalk struct {
	// Files are the .rs files, sorted.
	Files []string
	// Errs are the folders that could not be read.
	Errs []error
	// Cache is for the next walk (see Index.RefreshWalked); nil when the
	// one given still holds as it is.
	Cache []byte
	// Folders were walked; Listed of them were read (the rest were known
	// and unchanged). AskedGit says git was asked which files it ignores
	// (in a git work tree, when its last answers could not be reused).
	Folders, Listed int
	AskedGit        bool
}

// WalkIndexFiles lists the .rs files of a tree for the index with the
// walk `krls check` uses (hidden folders, cargo's target folders and
// git-ignored files left out), reading again only the folders that
// changed since the walk that left cache (nil: none; one that does not
// decode is ignored).
func WalkIndexFiles(ctx context.Context, root string, cache []byte) IndexWalk {
	return walkIndex(ctx, root, cache, time.Now, racyWindow)
}

// walkIndex is WalkIndexFiles with its clock and racy window, for tests.
func walkIndex(ctx context.Context, root string, cache []byte, now func() time.Time, racy time.Duration) IndexWalk {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	c := &cachedWalk{root: root, prefix: root + string(filepath.Separator), prev: decodeWalkCache(cache),
		now: now, racy: racy, next: map[string]*folderRec{}}
	if strings.HasSuffix(root, string(filepath.Separator)) {
		c.prefix = root
	}
	w := walkFolders([]string{root}, runtime.GOMAXPROCS(0), c.list)
	next := &walkCache{folders: c.next}
	found := c.dropIgnored(ctx, w, next)

	out := IndexWalk{Folders: len(c.next), Listed: c.listed, AskedGit: c.askedGit}
	out.Files = make([]string, len(found))
	for i, f := range found {
		out.Files[i] = f.path
	}
	sort.Strings(out.Files)
	for _, r := range w.errs {
		out.Errs = append(out.Errs, r.Err)
	}
	if ctx.Err() == nil && (c.dirty || c.prev == nil || c.listed > 0 || len(c.next) != len(c.prev.folders)) {
		out.Cache = next.encode()
	}
	return out
}

// cachedWalk lists folders for walkFolders from the previous walk's
// cache where it holds.
type cachedWalk struct {
	root, prefix string
	prev         *walkCache // nil: none
	now          func() time.Time
	racy         time.Duration

	mu     sync.Mutex
	next   map[string]*folderRec
	listed int

	// Set after the walk, by dropIgnored.
	askedGit bool
	dirty    bool // the verdicts or their inputs changed
}

func (c *cachedWalk) rel(path string) string {
	if path == c.root {
		return "."
	}
	return strings.TrimPrefix(path, c.prefix)
}

// list is a lister: the folder's record when its stamp says it did not
// change, else readDir.
func (c *cachedWalk) list(dir string, buf []byte, l *dirList) error {
	rel := c.rel(dir)
	listed := c.now().UnixNano()
	st, err := statStamp(dir, rel == ".")
	if err != nil || !st.Dir {
		return readDir(dir, buf, l) // says why it cannot be read
	}
	if c.prev != nil {
		if old := c.prev.folders[rel]; old != nil && old.holds(st, c.racy) {
			old.fill(dir, l)
			c.keep(rel, old, false)
			return nil
		}
	}
	if err := readDir(dir, buf, l); err != nil {
		return err // no record: read again next time
	}
	c.keep(rel, recordOf(l, st, listed), true)
	return nil
}

func (c *cachedWalk) keep(rel string, r *folderRec, read bool) {
	c.mu.Lock()
	c.next[rel] = r
	if read {
		c.listed++
	}
	c.mu.Unlock()
}

// holds says whether the folder is as listed: same stamp, and the stamp
// older than the listing by the racy window.
func (r *folderRec) holds(st stamp, racy time.Duration) bool {
	return r.st.Mtime == st.Mtime && r.st.Ctime == st.Ctime && r.st.Ino == st.Ino &&
		max(st.Mtime, st.Ctime) < r.listed-int64(racy)
}

// fill appends the listing to l as readDir would.
func (r *folderRec) fill(dir string, l *dirList) {
	for _, n := range r.dirs {
		l.dirs = append(l.dirs, joinPath(dir, n))
	}
	for _, n := range r.files {
		l.files = append(l.files, joinPath(dir, n))
	}
	for _, n := range r.links {
		l.links = append(l.links, joinPath(dir, n))
	}
	l.git, l.tag = r.git, r.tag
}

func recordOf(l *dirList, st stamp, listed int64) *folderRec {
	names := func(paths []string) []string {
		if len(paths) == 0 {
			return nil
		}
		out := make([]string, len(paths))
		for i, p := range paths {
			out[i] = filepath.Base(p)
		}
		return out
	}
	return &folderRec{st: st, listed: listed, git: l.git, tag: l.tag,
		dirs: names(l.dirs), files: names(l.files), links: names(l.links)}
}

// dropIgnored is the package's dropIgnored, with the last walk's
// verdicts when nothing they depend on changed. It sets next's inputs
// and verdicts.
func (c *cachedWalk) dropIgnored(ctx context.Context, w walkResult, next *walkCache) []walkFile {
	roots := []string{c.root}
	if gitVariablesSet() {
		c.askedGit, c.dirty = true, true
		return dropIgnored(ctx, w, roots, nil)
	}
	paths := ignoreInputPaths(c.root, w)
	if prev := c.prev; prev != nil && prev.verdicts != nil && prev.inputsHold(paths) {
		verdicts := make(map[string]bool, len(w.files))
		known := true
		for _, f := range w.files {
			v, ok := prev.verdicts[c.rel(f.path)]
			if !ok {
				known = false
				break
			}
			verdicts[c.rel(f.path)] = v
		}
		if known {
			next.inputs, next.verdicts = prev.inputs, verdicts
			c.dirty = len(verdicts) != len(prev.verdicts)
			out := make([]walkFile, 0, len(w.files))
			for _, f := range w.files {
				if !verdicts[c.rel(f.path)] {
					out = append(out, f)
				}
			}
			return out
		}
	}

	// Ask git, having stamped what its answer depends on first: a change
	// made while git works is seen by the next walk.
	c.dirty = true
	now := c.now().UnixNano()
	if len(w.repos) > 0 || inWorkTree(c.root) {
		c.askedGit = true
		paths = append(paths, excludesFiles(ctx, c.root, w.repos)...)
	}
	inputs := stampInputs(paths)
	candidates := slices.Clone(w.files) // dropIgnored filters w.files in place
	failed := false
	kept := dropIgnored(ctx, w, roots, func(string) { failed = true })
	if failed || ctx.Err() != nil {
		return kept
	}
	for _, in := range inputs {
		if in.ok && max(in.st.Mtime, in.st.Ctime) >= now-int64(c.racy) {
			return kept // changed too lately to trust the answer next time
		}
	}
	next.inputs = inputs
	next.verdicts = make(map[string]bool, len(candidates))
	for _, f := range candidates {
		next.verdicts[c.rel(f.path)] = true
	}
	for _, f := range kept {
		next.verdicts[c.rel(f.path)] = false
	}
	return kept
}

// gitVariablesSet says whether the environment has a variable that may
// change which files git ignores: one that moves the repository or its
// index, limits its discovery, or adds configuration.
func gitVariablesSet() bool {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "GIT_DIR", k == "GIT_WORK_TREE", k == "GIT_INDEX_FILE", k == "GIT_COMMON_DIR",
			k == "GIT_CEILING_DIRECTORIES", k == "GIT_DISCOVERY_ACROSS_FILESYSTEM",
			strings.HasPrefix(k, "GIT_CONFIG"):
			return true
		}
	}
	return false
}

// ignoreInputPaths are the files git's verdicts on w's files depend on,
// but for a core.excludesFile set in git's configuration.
func ignoreInputPaths(root string, w walkResult) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		out = append(out, p)
		return true
	}
	// The .gitignore files above each file, up to /. A folder seen
	// before had its own folders above added then.
	for _, f := range w.files {
		for d := filepath.Dir(f.path); add(filepath.Join(d, ".gitignore")); d = filepath.Dir(d) {
			if d == filepath.Dir(d) {
				break
			}
		}
	}
	// The .git of the root and above (a repository made or removed
	// there), and the files of the repositories that decide.
	tops := make([]string, 0, len(w.repos)+1)
	for r := range w.repos {
		tops = append(tops, r)
	}
	sort.Strings(tops)
	for d := root; ; d = filepath.Dir(d) {
		if add(filepath.Join(d, ".git")) && len(tops) == len(w.repos) {
			if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
				tops = append(tops, d) // the work tree the root is in
			}
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	for _, top := range tops {
		for _, p := range gitDirFiles(top) {
			add(p)
		}
	}
	xdg := os.Getenv("XDG_CONFIG_HOME")
	home, _ := os.UserHomeDir()
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	if xdg != "" {
		add(filepath.Join(xdg, "git", "config"))
		add(filepath.Join(xdg, "git", "ignore"))
	}
	if home != "" {
		add(filepath.Join(home, ".gitconfig"))
	}
	add("/etc/gitconfig")
	return out
}

// gitDirFiles are the files of the repository whose work tree is top
// that decide what it ignores: its index, info/exclude and config (in
// the common folder of a linked work tree), found through a .git file
// ("gitdir: ...") for submodules and linked work trees.
func gitDirFiles(top string) []string {
	gitDir := filepath.Join(top, ".git")
	if data, err := os.ReadFile(gitDir); err == nil {
		if d, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:"); ok {
			gitDir = absFrom(top, strings.TrimSpace(d))
		}
	}
	common := gitDir
	if data, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		common = absFrom(gitDir, strings.TrimSpace(string(data)))
	}
	return []string{filepath.Join(gitDir, "index"), filepath.Join(gitDir, "commondir"),
		filepath.Join(common, "info", "exclude"), filepath.Join(common, "config")}
}

func absFrom(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// excludesFiles are the core.excludesFile git's configuration names in
// root and in the repositories below it.
func excludesFiles(ctx context.Context, root string, repos map[string]bool) []string {
	dirs := []string{root}
	for r := range repos {
		if r != root {
			dirs = append(dirs, r)
		}
	}
	var out []string
	for _, d := range dirs {
		cmd := exec.CommandContext(ctx, "git", "-C", d, "config", "--path", "--get", "core.excludesFile")
		cmd.Env = GitEnv(d != root)
		if b, err := cmd.Output(); err == nil && strings.TrimSpace(string(b)) != "" {
			out = append(out, absFrom(d, strings.TrimSpace(string(b))))
		}
	}
	return out
}

func stampInputs(paths []string) []inputStamp {
	out := make([]inputStamp, len(paths))
	for i, p := range paths {
		st, err := statStamp(p, true)
		out[i] = inputStamp{path: p, ok: err == nil, st: st}
	}
	return out
}

// inputsHold says whether every input is as stamped and paths are all
// among them.
func (wc *walkCache) inputsHold(paths []string) bool {
	have := make(map[string]bool, len(wc.inputs))
	for _, in := range wc.inputs {
		have[in.path] = true
	}
	for _, p := range paths {
		if !have[p] {
			return false
		}
	}
	for _, in := range wc.inputs {
		st, err := statStamp(in.path, true)
		if (err == nil) != in.ok || (in.ok && st != in.st) {
			return false
		}
	}
	return true
}

// encode writes the cache: the magic, the folders sorted by path, the
// inputs, whether there are verdicts and then the verdicts.
func (wc *walkCache) encode() []byte {
	e := &index.Encoder{B: make([]byte, 0, 64*len(wc.folders)+1024)}
	e.B = append(e.B, walkCacheMagic...)
	rels := slices.Sorted(maps.Keys(wc.folders))
	e.Uint(uint64(len(rels)))
	for _, rel := range rels {
		r := wc.folders[rel]
		e.Str(rel)
		encodeStamp(e, r.st)
		e.Int(r.listed)
		e.Bool(r.git)
		e.Bool(r.tag)
		e.Strs(r.dirs)
		e.Strs(r.files)
		e.Strs(r.links)
	}
	e.Uint(uint64(len(wc.inputs)))
	for _, in := range wc.inputs {
		e.Str(in.path)
		e.Bool(in.ok)
		if in.ok {
			encodeStamp(e, in.st)
		}
	}
	e.Bool(wc.verdicts != nil)
	if wc.verdicts == nil {
		return e.B
	}
	files := slices.Sorted(maps.Keys(wc.verdicts))
	e.Uint(uint64(len(files)))
	for _, f := range files {
		e.Str(f)
		e.Bool(wc.verdicts[f])
	}
	return e.B
}

// decodeWalkCache reads an encoded cache; nil when b is nil, of another
// layout, or damaged.
func decodeWalkCache(b []byte) *walkCache {
	rest, ok := strings.CutPrefix(string(b), walkCacheMagic)
	if !ok {
		return nil
	}
	// Over a string, the names share one copy of the cache.
	d := index.NewDecoder(rest)
	wc := &walkCache{}
	n := d.Count()
	wc.folders = make(map[string]*folderRec, n)
	for range n {
		rel := d.Str()
		r := &folderRec{st: decodeStamp(d), listed: d.Int(), git: d.Bool(), tag: d.Bool()}
		r.dirs, r.files, r.links = d.Strs(), d.Strs(), d.Strs()
		wc.folders[rel] = r
	}
	n = d.Count()
	wc.inputs = make([]inputStamp, 0, n)
	for range n {
		in := inputStamp{path: d.Str(), ok: d.Bool()}
		if in.ok {
			in.st = decodeStamp(d)
		}
		wc.inputs = append(wc.inputs, in)
	}
	if d.Bool() {
		n = d.Count()
		wc.verdicts = make(map[string]bool, n)
		for range n {
			f := d.Str()
			wc.verdicts[f] = d.Bool()
		}
	}
	if d.Err() != nil || d.Len() != 0 {
		return nil
	}
	return wc
}

func encodeStamp(e *index.Encoder, st stamp) {
	e.Int(st.Mtime)
	e.Int(st.Ctime)
	e.Uint(st.Ino)
	e.Int(st.Size)
	e.Bool(st.Dir)
}

func decodeStamp(d *index.Decoder[string]) stamp {
	return stamp{Mtime: d.Int(), Ctime: d.Int(), Ino: d.Uint(), Size: d.Int(), Dir: d.Bool()}
}
