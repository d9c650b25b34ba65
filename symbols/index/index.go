// Package index is krls's persistent index of the Rust items of a kernel
// tree (or of an out-of-tree module's folder), in the manner of clangd's
// background index: one shard per file, keyed by its path relative to
// the tree and validated by size, mtime and a content digest, kept in a
// bbolt database under $XDG_CACHE_HOME/krls (never in the tree).
//
// An Index lives in memory; the database is a cache of it between runs.
// The first update opens the database with a shared lock, reads it and
// closes it; the files are then stat'ed, read and parsed with the
// database closed, and only when something changed is it opened again,
// with the exclusive lock, to write that in one transaction. So two krls
// processes on one tree (two editors, an editor and a pre-commit `krls
// check`) hold its lock only while they read or write it, and an idle
// server does not write at all. A process that cannot get the lock
// within LockTimeout works in memory for that update (what it could not
// write waits for the next); a database that does not open or read is
// moved aside (the newest such copy is kept) and rebuilt, with a
// warning.
// bbolt's copy-on-write pages and meta switch make a transaction all or
// nothing, so a process killed while indexing leaves a database that
// opens with the previous state.
//
// Readers get immutable Snapshots; an update publishes a new one when it
// is done, and readers keep using the old one meanwhile. An update that
// changed nothing (no file read, none removed, the database already
// loaded, the walk cache the same) keeps the snapshot it had, so readers
// may key caches on the snapshot's pointer.
package index

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourcegraph/conc/pool"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/krls-dev/krls/symbols"
)

// SchemaVersion names the layout of the stored entries and what the
// extraction records: a database with another version is rebuilt.
const SchemaVersion = "krls-index-2"

var (
	bucketMeta  = []byte("meta")
	bucketFiles = []byte("files")
	bucketWalk  = []byte("walk")
	keyFolders  = []byte("folders")
	keySchema   = []byte("schema")
	keyRoot     = []byte("root")
)

// Options configure an Index.
type Options struct {
	// Root is the srctree or the module folder; files are keyed by their
	// path relative to it.
	Root string
	// CacheDir holds the databases; "" means DefaultCacheDir().
	CacheDir string
	// LockTimeout bounds the wait for another process's lock on the
	// database; 0 means one second.
	LockTimeout time.Duration
	// Jobs is the number of files parsed at once; 0 means
	// runtime.GOMAXPROCS(0).
	Jobs int
	// InMemory keeps the index in memory only.
	InMemory bool
	// Logf receives warnings (a database moved aside, a lock not taken).
	Logf func(format string, args ...any)
}

// Stats say what an update did.
type Stats struct {
	// Files is the number of files indexed after the update; Read were
	// read from disk (new, or size or mtime changed), Parsed of them had
	// new content (the others kept their entry: same digest), Reused
	// kept their entry without being read (same size and mtime), Stored
	// entries were written to the database, Removed entries dropped;
	// Errors files could not be read or parsed.
	Files, Read, Parsed, Reused, Stored, Removed, Errors int
	// Symbols is the number of items in the snapshot.
	Symbols int
	// DB is the database's path; Persisted says whether it holds the
	// update's result (Fallback says why not).
	DB        string
	Persisted bool
	Fallback  string
	// Time per phase: opening and reading the database, stat'ing files,
	// reading and parsing, writing the database, linking the snapshot.
	Open, Load, Stat, Parse, Store, Link time.Duration
}

// Index is the index of one tree. It is safe for concurrent use;
// updates are serialised.
type Index struct {
	opts   Options
	dbPath string

	mu      sync.Mutex // serialises updates; guards the fields below
	entries map[string]*entry
	loaded  bool   // entries hold what the database had
	walk    []byte // the walk cache: stored by the last walk, for the next
	// unsaved are the keys of entries changed or removed since the last
	// write (one that failed, or did not happen, leaves them for the
	// next); walkUnsaved, likewise the walk cache.
	unsaved     map[string]bool
	walkUnsaved bool

	testHookParse func() // called before parsing, with the database closed

	snap atomic.Pointer[Snapshot]
}

// DefaultCacheDir is $XDG_CACHE_HOME/krls, else ~/.cache/krls.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "krls"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cache folder: %w", err)
	}
	return filepath.Join(home, ".cache", "krls"), nil
}

// DBPath is the database of a tree: <cache>/index-<name>-<hash>.db, the
// hash of the tree's absolute path telling trees of one name apart.
func DBPath(cacheDir, root string) string {
	h := sha256.Sum256([]byte(root))
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '_'
		}
		return r
	}, filepath.Base(root))
	return filepath.Join(cacheDir, fmt.Sprintf("index-%s-%x.db", name, h[:8]))
}

// New makes the index of a tree. It touches nothing on disk: the first
// Refresh reads the database.
func New(opts Options) (*Index, error) {
	abs, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	opts.Root = filepath.Clean(abs)
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	x := &Index{opts: opts, entries: map[string]*entry{}, unsaved: map[string]bool{}}
	if !opts.InMemory {
		dir := opts.CacheDir
		if dir == "" {
			if dir, err = DefaultCacheDir(); err != nil {
				return nil, err
			}
		}
		x.dbPath = DBPath(dir, opts.Root)
		if inside(x.dbPath, opts.Root) {
			return nil, fmt.Errorf("index: the cache folder %s is inside the tree %s", dir, opts.Root)
		}
	}
	x.snap.Store(newSnapshot(opts.Root, nil, nil))
	return x, nil
}

func inside(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Root is the tree's absolute path.
func (x *Index) Root() string { return x.opts.Root }

// DB is the database's path ("" in memory).
func (x *Index) DB() string { return x.dbPath }

// Snapshot is the last complete state of the index.
func (x *Index) Snapshot() *Snapshot { return x.snap.Load() }

// Load reads the database, if this Index has not yet, and publishes
// what it holds without looking at the files: a server answers from the
// last run's index at once, while Refresh checks the tree (whose walk
// costs more than everything else of a warm start).
func (x *Index) Load() (Stats, error) {
	return x.update(context.Background(), nil, false, nil)
}

// Refresh brings the index in line with files, the absolute paths of
// every .rs file of the tree: new and changed files are parsed, entries
// of files not listed are dropped.
func (x *Index) Refresh(ctx context.Context, files []string) (Stats, error) {
	return x.update(ctx, files, true, nil)
}

// RefreshWalked is Refresh that also keeps walk, what the walk that
// found files leaves for the next one (see WalkCache), and stores it in
// the same transaction. A nil walk keeps the one stored.
func (x *Index) RefreshWalked(ctx context.Context, files []string, walk []byte) (Stats, error) {
	return x.update(ctx, files, true, walk)
}

// WalkCache is what the last walk of the tree left for the next one (the
// folders it listed; workspace decodes it), as read from the database by
// Load or an update, or nil. The index does not look inside: a walk cache
// that does not decode is the walk's to ignore.
func (x *Index) WalkCache() []byte {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.walk
}

// Update looks again at some files (changed, created or deleted); the
// rest of the index stays as it is.
func (x *Index) Update(ctx context.Context, files []string) (Stats, error) {
	return x.update(ctx, files, false, nil)
}

// job is one file to look at.
type job struct {
	rel, abs string
	old      *entry
	size     int64
	mtime    int64
	result   *entry
	same     bool // content unchanged: only the stat is new
}

func (x *Index) update(ctx context.Context, files []string, full bool, walk []byte) (st Stats, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	st.DB = x.dbPath

	// Read the database, once; it is closed again before the files are
	// looked at.
	wasLoaded := x.loaded
	usable := x.read(&st)

	// Stat the files.
	t := time.Now()
	wanted := map[string]bool{}
	var jobs []*job
	var removed []string
	for _, abs := range files {
		abs = filepath.Clean(abs)
		rel, ok := x.rel(abs)
		if !ok || wanted[rel] {
			continue
		}
		fi, err := os.Stat(abs)
		if err != nil || !fi.Mode().IsRegular() {
			if !full {
				if _, had := x.entries[rel]; had {
					removed = append(removed, rel)
				}
			}
			continue
		}
		wanted[rel] = true
		old := x.entries[rel]
		size, mtime := fi.Size(), fi.ModTime().UnixNano()
		if old != nil && old.Size == size && old.MtimeNs == mtime {
			st.Reused++
			continue
		}
		jobs = append(jobs, &job{rel: rel, abs: abs, old: old, size: size, mtime: mtime})
	}
	if full {
		for rel := range x.entries {
			if !wanted[rel] {
				removed = append(removed, rel)
			}
		}
	}
	st.Stat = time.Since(t)

	// Read and parse in parallel.
	t = time.Now()
	if x.testHookParse != nil {
		x.testHookParse()
	}
	p := pool.New().WithMaxGoroutines(x.opts.Jobs)
	for _, j := range jobs {
		p.Go(func() {
			if ctx.Err() == nil {
				x.index(ctx, j)
			}
		})
	}
	p.Wait()
	if err := ctx.Err(); err != nil {
		return st, err
	}
	st.Read = len(jobs)
	for _, j := range jobs {
		if !j.same {
			st.Parsed++
		}
		x.entries[j.rel] = j.result
		x.unsaved[j.rel] = true
	}
	for _, rel := range removed {
		delete(x.entries, rel)
		x.unsaved[rel] = true
	}
	st.Removed = len(removed)
	walkChanged := walk != nil && !bytes.Equal(walk, x.walk)
	if walkChanged {
		x.walk = walk
		x.walkUnsaved = true
	}
	st.Parse = time.Since(t)

	// Store what changed, if anything did.
	if usable {
		st.Persisted = true
		if len(x.unsaved) > 0 || x.walkUnsaved {
			x.write(&st)
		}
	}

	t = time.Now()
	for _, en := range x.entries {
		if en.Err != "" {
			st.Errors++
		}
	}
	// An update that changed nothing keeps the snapshot: readers key
	// their caches on it (an idle poll must not make every open
	// document's analysis stale), and linking is most of an idle
	// update's cost.
	snap := x.snap.Load()
	if len(jobs) > 0 || len(removed) > 0 || walkChanged || x.loaded != wasLoaded {
		snap = newSnapshot(x.opts.Root, x.entries, snap)
		x.snap.Store(snap)
	}
	st.Link = time.Since(t)
	st.Files = len(x.entries)
	st.Symbols = len(snap.Symbols)
	return st, nil
}

// read loads the database into the index unless it did already. It
// says whether the database can be used in this update; when not,
// st.Fallback says why.
func (x *Index) read(st *Stats) bool {
	if x.dbPath == "" {
		st.Fallback = "in memory"
		return false
	}
	if x.loaded {
		return true
	}
	t := time.Now()
	db, ok := x.open(st, true)
	st.Open += time.Since(t)
	if !ok {
		return false
	}
	t = time.Now()
	if db != nil {
		err := x.load(db)
		db.Close()
		if err != nil {
			x.moveAside(err) // the next write makes a new one
		}
	}
	x.loaded = true
	st.Load = time.Since(t)
	return true
}

// write stores the unsaved entries and walk cache; into a database of
// another schema or tree, or a new one, everything.
func (x *Index) write(st *Stats) {
	t := time.Now()
	db, ok := x.open(st, false)
	st.Open += time.Since(t)
	t = time.Now()
	defer func() { st.Store = time.Since(t) }()
	if !ok {
		st.Persisted = false
		return
	}
	defer db.Close()
	n, err := x.store(db)
	if err != nil {
		x.opts.Logf("index %s: %v (the index stays in memory)", x.dbPath, err)
		st.Persisted = false
		st.Fallback = err.Error()
		return
	}
	st.Stored = n
	clear(x.unsaved)
	x.walkUnsaved = false
}

// rel is a file's key: its path relative to the root, with slashes.
func (x *Index) rel(abs string) (string, bool) {
	rel, err := filepath.Rel(x.opts.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// index reads a file and, when its content changed, parses it.
func (x *Index) index(ctx context.Context, j *job) {
	en := &entry{Size: j.size, MtimeNs: j.mtime}
	j.result = en
	src, err := os.ReadFile(j.abs)
	if err != nil {
		en.Err = err.Error()
		return
	}
	sum := sha256.Sum256(src)
	copy(en.Digest[:], sum[:])
	if j.old != nil && j.old.Digest == en.Digest && j.old.Err == "" {
		en.Items = j.old.Items
		j.same = true
		return
	}
	f, err := symbols.Parse(ctx, j.rel, src)
	if err != nil {
		en.Err = err.Error()
		return
	}
	defer f.Close()
	en.Items = symbols.Items(f)
}

// open opens the database, shared to read or exclusive to write, or
// returns ok false after setting st.Fallback. A database that is damaged
// is moved aside and, to write, a new one made. To read, a database that
// does not exist yet is nil.
func (x *Index) open(st *Stats, readOnly bool) (db *bolt.DB, ok bool) {
	if !readOnly {
		if err := os.MkdirAll(filepath.Dir(x.dbPath), 0o700); err != nil {
			st.Fallback = err.Error()
			x.opts.Logf("index: %v (the index stays in memory)", err)
			return nil, false
		}
	}
	for attempt := 0; attempt < 2; attempt++ {
		db, err := x.openOnce(readOnly)
		if err == nil {
			return db, true
		}
		if errors.Is(err, berrors.ErrTimeout) {
			st.Fallback = "the database is locked by another krls process"
			x.opts.Logf("index %s: locked by another process for %v; indexing in memory this time", x.dbPath, x.opts.LockTimeout)
			return nil, false
		}
		if attempt == 0 && !errors.Is(err, os.ErrPermission) {
			x.moveAside(err)
			continue
		}
		st.Fallback = err.Error()
		x.opts.Logf("index %s: %v (the index stays in memory)", x.dbPath, err)
	}
	return nil, false
}

// openOnce opens the database after openChecked found its pages there.
// A panic inside bbolt, or a fault on its mapped file (damage the check
// missed, or a file truncated under the map), is an error like any
// other.
func (x *Index) openOnce(readOnly bool) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			if db != nil {
				db.Close()
			}
			db, err = nil, fmt.Errorf("corrupt database: %v", p)
		}
	}()
	db, err = bolt.Open(x.dbPath, 0o600, &bolt.Options{
		Timeout:  x.opts.LockTimeout,
		ReadOnly: readOnly,
		OpenFile: func(path string, flag int, mode os.FileMode) (*os.File, error) {
			return openChecked(path, flag, mode, !readOnly, x.opts.LockTimeout)
		},
		// A process killed mid-write cannot tear a transaction: the
		// pages are in the page cache, and the meta page that makes
		// them live is written last. Only a power loss can, and then
		// the database is found corrupt and rebuilt: it is a cache.
		NoSync: true,
		// The freelist is stored (NoFreelistSync false): without it,
		// bbolt rebuilds it at every open for writing by walking all
		// pages, and reports damage from a goroutine of its own with a
		// panic that kills the process.
		FreelistType: bolt.FreelistMapType,
	})
	if readOnly && (errors.Is(err, os.ErrNotExist) || errors.Is(err, errEmpty)) {
		return nil, nil
	}
	return db, err
}

// moveAside renames a database that cannot be used, so that a new one is
// made and the old one can be looked at. Only the newest such copy of a
// database is kept.
func (x *Index) moveAside(cause error) {
	prefix := x.dbPath + ".corrupt-"
	aside := fmt.Sprintf("%s%d", prefix, time.Now().UnixNano())
	if err := os.Rename(x.dbPath, aside); errors.Is(err, os.ErrNotExist) {
		x.opts.Logf("index %s: %v; rebuilding", x.dbPath, cause)
		return
	} else if err != nil {
		x.opts.Logf("index %s: %v; cannot move it aside: %v", x.dbPath, cause, err)
		os.Remove(x.dbPath)
		return
	}
	x.opts.Logf("index %s: %v; moved aside to %s, rebuilding", x.dbPath, cause, aside)
	dir, _ := os.ReadDir(filepath.Dir(x.dbPath))
	for _, d := range dir {
		if p := filepath.Join(filepath.Dir(x.dbPath), d.Name()); strings.HasPrefix(p, prefix) && p != aside {
			os.Remove(p)
		}
	}
}

// load reads every stored entry this Index does not have yet, if the
// database is of this schema and tree. A malformed entry is skipped (its
// file is parsed again); a panic or fault in bbolt means a corrupt file.
func (x *Index) load(db *bolt.DB) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt database: %v", p)
		}
	}()
	loaded := map[string]*entry{}
	var walk []byte
	err = db.View(func(tx *bolt.Tx) error {
		if !x.ours(tx) {
			return nil
		}
		if b := tx.Bucket(bucketWalk); b != nil {
			walk = bytes.Clone(b.Get(keyFolders)) // bbolt's memory is the transaction's
		}
		return tx.Bucket(bucketFiles).ForEach(func(k, v []byte) error {
			if _, have := x.entries[string(k)]; have {
				return nil
			}
			if en, err := decodeEntry(v, false); err == nil {
				loaded[string(k)] = en
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("corrupt database: %w", err)
	}
	for k, en := range loaded {
		x.entries[k] = en
	}
	if x.walk == nil {
		x.walk = walk
	}
	return nil
}

// ours says whether the database holds entries of this schema and tree.
func (x *Index) ours(tx *bolt.Tx) bool {
	meta := tx.Bucket(bucketMeta)
	return meta != nil && string(meta.Get(keySchema)) == SchemaVersion &&
		string(meta.Get(keyRoot)) == x.opts.Root && tx.Bucket(bucketFiles) != nil
}

// store writes the unsaved entries (deleting those of removed files)
// and the walk cache in one transaction, and says how many entries it
// wrote. A database of another schema or tree (or a new one) is emptied
// and gets everything.
func (x *Index) store(db *bolt.DB) (n int, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt database: %v", p)
		}
	}()
	err = db.Update(func(tx *bolt.Tx) error {
		n = 0
		all := !x.ours(tx)
		if all {
			if err := x.reset(tx); err != nil {
				return err
			}
		}
		if (all || x.walkUnsaved) && x.walk != nil {
			wb, err := tx.CreateBucketIfNotExists(bucketWalk)
			if err != nil {
				return err
			}
			if err := wb.Put(keyFolders, x.walk); err != nil {
				return err
			}
		}
		b := tx.Bucket(bucketFiles)
		put := func(rel string, en *entry) error {
			n++
			return b.Put([]byte(rel), encodeEntry(en))
		}
		if all {
			for rel, en := range x.entries {
				if err := put(rel, en); err != nil {
					return err
				}
			}
			return nil
		}
		for rel := range x.unsaved {
			if en, ok := x.entries[rel]; ok {
				if err := put(rel, en); err != nil {
					return err
				}
			} else if err := b.Delete([]byte(rel)); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// reset empties a database and marks it as this schema's and tree's.
func (x *Index) reset(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketFiles, bucketWalk} {
		if tx.Bucket(name) != nil {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
	}
	if _, err := tx.CreateBucket(bucketFiles); err != nil {
		return err
	}
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if err := meta.Put(keySchema, []byte(SchemaVersion)); err != nil {
		return err
	}
	return meta.Put(keyRoot, []byte(x.opts.Root))
}
