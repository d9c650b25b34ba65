package kconfig

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/sourcegraph/conc"
)

// Kconfig is a loaded Kconfig tree: symbols and the menu tree, finished
// as the C tool's menu_finalize finishes them. It does not change after
// Load and may be shared between goroutines.
type Kconfig struct {
	Srctree string
	// Dialect is the language and semantics the tree was read with.
	Dialect *Dialect
	// Root is the top of the menu tree; its prompt is the mainmenu title.
	Root *MenuNode
	// Symbols are the non-constant symbols, in the order first seen.
	Symbols []*Symbol
	Yes     *Symbol
	Mod     *Symbol
	No      *Symbol
	// Modules is the symbol with the `modules` option (No when none).
	Modules *Symbol
	// Files are the Kconfig files read, in the order read.
	Files []string
	// Errors and warnings found while parsing and loading.
	Errors []*Error
	// Probes are the commands of the $(shell,...) probes that did not run.
	Probes []string
	// Env are the environment variables the files referenced.
	Env map[string]string

	byName   map[string]*Symbol
	consts   map[string]*Symbol
	nextID   int
	nextProp int
	nextExpr int32
	// refs are the places symbols are used, in the order read: some
	// 100,000, kept free of pointers for the garbage collector's sake.
	refs     []symRef
	refFiles []string // the files of refs
	// order is the order of the C tool's for_all_symbols (symbolOrder).
	order []*Symbol
	// namedChoices are 6.1's `choice NAME` symbols, which a .config can
	// set but nothing else names.
	namedChoices map[string]*Symbol
}

// symbolOrder is the order in which the C tool's for_all_symbols visits
// symbols: bucket by bucket of its hash table (fnv32 of the name modulo
// size; a choice, which has no name, in bucket 0), and in a bucket the
// newest first, as sym_lookup adds each at the head.
func symbolOrder(syms []*Symbol, size int) []*Symbol {
	if size <= 0 {
		return syms
	}
	out := slices.Clone(syms)
	bucket := make([]uint32, len(out))
	for i, s := range out {
		if s.Name != "" {
			bucket[i] = fnv32(s.Name) % uint32(size)
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if bucket[a] != bucket[b] {
			return cmp.Compare(bucket[a], bucket[b])
		}
		return cmp.Compare(b, a)
	})
	for i, j := range idx {
		out[i] = syms[j]
	}
	return out
}

// fnv32 is the C tool's hash of a symbol name (strhash, hash_str). Its
// bytes are C chars, signed on the machines the kernel is configured on.
func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(int32(int8(s[i])))) * 0x01000193
	}
	return h
}

type symRef struct {
	sym, file, line int32 // Symbol.id, index in refFiles
}

// Refs returns the places a symbol is used in Kconfig files (in
// expressions, selects, ranges), in the order read.
func (k *Kconfig) Refs(s *Symbol) []Pos {
	var out []Pos
	if s.id < 0 {
		return nil
	}
	for _, r := range k.refs {
		if int(r.sym) == s.id {
			out = append(out, Pos{k.refFiles[r.file], int(r.line)})
		}
	}
	return out
}

// findChoices gives symbols their choice, now that the menu tree is
// final. (Composite expressions got the ids of their cache entries as
// they were built.)
func (k *Kconfig) findChoices() {
	for _, s := range k.Symbols {
		if k.Dialect.OldChoices {
			s.choiceNode = s.memberOf
		} else {
			s.choiceNode = s.findChoiceNode()
		}
	}
	k.order = symbolOrder(k.Symbols, k.Dialect.HashSize)
}

// Lookup returns the symbol named name, or nil.
func (k *Kconfig) Lookup(name string) *Symbol { return k.byName[name] }

// HasErrors reports whether loading found errors (not just warnings):
// the C tool would refuse to go on.
func (k *Kconfig) HasErrors() bool { return k.ErrorCount() > 0 }

// ErrorCount counts the errors (not warnings) of loading k.
func (k *Kconfig) ErrorCount() int {
	n := 0
	for _, e := range k.Errors {
		if !e.Warning {
			n++
		}
	}
	return n
}

// LoadOptions configure Load.
type LoadOptions struct {
	// Srctree is the kernel source tree; Kconfig files are read relative
	// to it, starting with Top (default "Kconfig").
	Srctree string
	Top     string
	// Tools are the variables the kernel's Makefile exports to Kconfig
	// (ARCH, SRCARCH, KERNELVERSION, srctree, CC, ...); nil means
	// NewToolchain(Srctree, "x86_64", nil).
	Tools *Toolchain
	// Shell runs $(shell,...) probes; nil leaves them unrun, and their
	// results are then taken from the .config.
	Shell Shell
	// Files caches parsed files between loads; nil parses everything.
	Files *FileCache
	// Dialect is the language and semantics to read the tree with; nil
	// reads them from the tree's scripts/kconfig (DetectDialect).
	Dialect *Dialect
}

// ErrNoKconfig is returned when the top Kconfig file cannot be read.
var ErrNoKconfig = errors.New("no Kconfig file")

// Load reads the Kconfig tree. Syntax and semantic problems go into
// Kconfig.Errors (file:line, message); the error return is for a tree
// that cannot be read at all, or a fatal macro error ($(error-if,...)).
func Load(ctx context.Context, opts LoadOptions) (*Kconfig, error) {
	top := opts.Top
	if top == "" {
		top = "Kconfig"
	}
	cache := opts.Files
	if cache == nil {
		cache = &FileCache{}
	}
	tools := opts.Tools
	if tools == nil {
		tools = NewToolchain(opts.Srctree, "x86_64", nil)
	}
	dialect := opts.Dialect
	if dialect == nil {
		var err error
		if dialect, err = DetectDialect(opts.Srctree); err != nil {
			return nil, err
		}
	}
	files := newFileLoader(ctx, cache, opts.Srctree, tools.Env, dialect)
	defer files.wait()
	if _, err := files.get(top); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoKconfig, err)
	}

	k := &Kconfig{
		Srctree: opts.Srctree,
		Dialect: dialect,
		byName:  make(map[string]*Symbol, 32768),
		consts:  map[string]*Symbol{},
		refs:    make([]symRef, 0, 1<<17),
	}
	k.Yes = &Symbol{Name: "y", Type: Tristate, Const: true, Probe: -1, id: -1}
	k.Mod = &Symbol{Name: "m", Type: Tristate, Const: true, Probe: -1, id: -2}
	k.No = &Symbol{Name: "n", Type: Tristate, Const: true, Probe: -1, id: -3}
	k.Root = &MenuNode{Kind: NodeRoot}
	b := &builder{
		k:     k,
		m:     newMacros(ctx, tools, opts.Shell),
		files: files,
	}
	b.cur = k.Root
	if err := b.source(top, Pos{}); err != nil {
		return k, err
	}
	k.Probes = b.m.probes
	k.Env = b.m.envUsed
	k.Errors = append(k.Errors, b.m.messages...)
	if k.Modules == nil {
		k.Modules = k.No
	}
	if k.Root.Prompt == nil {
		k.Root.Prompt = &Property{Kind: PropMenu, Text: "Main menu", Node: k.Root, id: k.nextProp}
		k.nextProp++
	}
	b.finalize(k.Root, false)
	b.checkChoices()
	b.checkInheritedTransitional()
	b.taint()
	k.findChoices()
	return k, nil
}

// FileCache keeps parsed Kconfig files, keyed by path, and reparses a
// file only when its size or modification time changed. It is safe for
// concurrent use.
type FileCache struct {
	mu    sync.Mutex
	files map[string]*cachedFile
}

type cachedFile struct {
	size  int64
	mtime int64
	d     *Dialect
	file  *File
}

// get returns the file at path (relative to srctree) parsed in dialect d.
func (c *FileCache) get(srctree, path string, d *Dialect) (*File, error) {
	// Keyed by the name as written (not cleaned): "./Kconfig.sub" is a
	// file of its own to conf, whose positions and $(filename) say so.
	full := path
	switch {
	case filepath.IsAbs(full):
	case filepath.Clean(path) == path:
		full = filepath.Join(srctree, path) // as the watcher names it (Forget)
	default:
		full = srctree + string(filepath.Separator) + path
	}
	c.mu.Lock()
	if c.files == nil {
		c.files = map[string]*cachedFile{}
	}
	cf := c.files[full]
	c.mu.Unlock()
	if cf != nil {
		st, err := os.Stat(full)
		if err != nil {
			return nil, err
		}
		if cf.size == st.Size() && cf.mtime == st.ModTime().UnixNano() && sameDialect(cf.d, d) {
			return cf.file, nil
		}
	}
	// Size and time come from the open file before it is read: a change
	// made while reading gives a newer time, and the next load reads the
	// file again.
	src, stamp, err := readFile(full)
	if err != nil {
		return nil, err
	}
	f := ParseFileDialect(path, src, d)
	c.mu.Lock()
	c.files[full] = &cachedFile{size: stamp.size, mtime: stamp.mtime, d: d, file: f}
	c.mu.Unlock()
	return f, nil
}

// fileStamp is what tells a file's versions apart: its size and
// modification time (in nanoseconds since 1970).
type fileStamp struct {
	size, mtime int64
}

// maxKconfigFile bounds a Kconfig file: the largest in Linux 6.12 is
// about 80 KB.
const maxKconfigFile = 64 << 20

// Forget drops a file (after it changed or went away), so that it is
// read again however its size and time look.
func (c *FileCache) Forget(path string) {
	c.mu.Lock()
	delete(c.files, path)
	c.mu.Unlock()
}

// fileLoader parses a tree's files in parallel while Load walks them:
// each file read schedules the files its `source` statements name (those
// whose paths expand from the environment alone), and Load waits only for
// files still being parsed, or parses itself those not yet started.
//
// A few long-lived workers (one per CPU) take the scheduled files from a
// stack: a goroutine per file would grow a fresh stack for the parser's
// recursion some 1,600 times a load, and the stack order (a file's
// sources pushed in reverse) hands them out in the depth-first order the
// builder walks them.
type fileLoader struct {
	ctx     context.Context
	cache   *FileCache
	srctree string
	env     *macros
	dialect *Dialect

	mu      sync.Mutex
	futures map[string]*fileFuture
	pending []string // scheduled, not yet taken; the top is next
	workers int      // started so far
	closed  bool     // wait was called: workers stop when pending is empty
	wake    *sync.Cond
	wg      conc.WaitGroup
}

type fileFuture struct {
	done chan struct{}
	f    *File
	err  error
}

func newFileLoader(ctx context.Context, cache *FileCache, srctree string, env map[string]string, d *Dialect) *fileLoader {
	l := &fileLoader{
		ctx: ctx, cache: cache, srctree: srctree, dialect: d,
		env:     newMacros(ctx, &Toolchain{Env: env}, nil),
		futures: map[string]*fileFuture{},
	}
	l.wake = sync.NewCond(&l.mu)
	return l
}

// claimLocked returns the future for path and whether the caller must
// produce it; l.mu is held.
func (l *fileLoader) claimLocked(path string) (*fileFuture, bool) {
	if fu, ok := l.futures[path]; ok {
		return fu, false
	}
	fu := &fileFuture{done: make(chan struct{})}
	l.futures[path] = fu
	return fu, true
}

// schedule queues paths (in the order the file names them) for the
// workers, starting workers up to one per CPU.
func (l *fileLoader) schedule(paths []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	added := 0
	for i := len(paths) - 1; i >= 0; i-- {
		if _, mine := l.claimLocked(paths[i]); mine {
			l.pending = append(l.pending, paths[i])
			added++
		}
	}
	for ; added > 0 && l.workers < runtime.GOMAXPROCS(0); added-- {
		l.workers++
		l.wg.Go(l.work)
	}
	l.wake.Broadcast()
}

// work parses scheduled files until wait is called and none are left.
func (l *fileLoader) work() {
	l.mu.Lock()
	for {
		if n := len(l.pending); n > 0 {
			path := l.pending[n-1]
			l.pending = l.pending[:n-1]
			fu := l.futures[path]
			l.mu.Unlock()
			l.produce(path, fu)
			l.mu.Lock()
			continue
		}
		if l.closed {
			l.mu.Unlock()
			return
		}
		l.wake.Wait()
	}
}

// get returns path's file, waiting for or doing its parse. A file still
// waiting for a worker is taken off the stack and parsed here.
func (l *fileLoader) get(path string) (*File, error) {
	l.mu.Lock()
	fu, mine := l.claimLocked(path)
	if !mine {
		for i := len(l.pending) - 1; i >= 0; i-- {
			if l.pending[i] == path {
				l.pending = append(l.pending[:i], l.pending[i+1:]...)
				mine = true
				break
			}
		}
	}
	l.mu.Unlock()
	if mine {
		l.produce(path, fu)
	} else {
		<-fu.done
	}
	return fu.f, fu.err
}

func (l *fileLoader) produce(path string, fu *fileFuture) {
	defer close(fu.done)
	fu.f, fu.err = l.cache.get(l.srctree, path, l.dialect)
	if fu.err != nil || fu.f == nil || l.ctx.Err() != nil {
		return
	}
	var next []string
	for _, s := range sourcesOf(fu.f.Stmts, nil) {
		lit, ok := s.Path.Literal()
		if !ok {
			l.mu.Lock()
			lit, ok = expandEnvOnly(l.env, s.Path)
			l.mu.Unlock()
		}
		if ok {
			next = append(next, lit)
		}
	}
	if len(next) > 0 {
		l.schedule(next)
	}
}

// wait stops the workers: files still scheduled are not needed any more
// (the walk is over, or it failed).
func (l *fileLoader) wait() {
	l.mu.Lock()
	l.closed = true
	l.pending = nil
	l.wake.Broadcast()
	l.mu.Unlock()
	l.wg.Wait()
}

// expandEnvOnly expands a source path whose references are environment
// variables (such as $(SRCARCH)).
func expandEnvOnly(m *macros, s Str) (string, bool) {
	var b strings.Builder
	for _, part := range s.Parts {
		if !part.Macro {
			b.WriteString(part.Text)
			continue
		}
		v, ok := m.env[part.Text]
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

func sourcesOf(stmts []Stmt, out []*SourceStmt) []*SourceStmt {
	for _, s := range stmts {
		switch s := s.(type) {
		case *SourceStmt:
			out = append(out, s)
		case *ChoiceStmt:
			out = sourcesOf(s.Body, out)
		case *MenuStmt:
			out = sourcesOf(s.Body, out)
		case *IfStmt:
			out = sourcesOf(s.Body, out)
		}
	}
	return out
}

// paths returns the full paths of the cached files.
func (c *FileCache) paths() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.files))
	for p := range c.files {
		out = append(out, p)
	}
	return out
}
