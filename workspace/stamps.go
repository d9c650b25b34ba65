package workspace

import (
	"os"
	"sync"
)

// fileStamp tells a file's versions apart without reading it: its size
// and modification time, or that it is not there.
type fileStamp struct {
	size  int64
	mtime int64
	gone  bool
}

func stampOf(path string) fileStamp {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{gone: true}
	}
	return fileStamp{size: st.Size(), mtime: st.ModTime().UnixNano()}
}

// stampSet is the stamps of the files something was read from, taken when
// it was read (a stat each).
type stampSet map[string]fileStamp

// record stamps paths now. A missing file is recorded as missing, so
// that its appearing counts as a change.
func (s stampSet) record(paths ...string) {
	for _, p := range paths {
		s[p] = stampOf(p)
	}
}

// changed reports whether any recorded file differs on disk now: another
// size or mtime, or a file that appeared or vanished.
func (s stampSet) changed() bool {
	for p, st := range s {
		if stampOf(p) != st {
			return true
		}
	}
	return false
}

// stampedCache keeps one value per key (a srctree, a folder) read from
// files, and reads it again when one of those files changed. Each key
// has its own lock, held during its read: a slow read (module facts of
// one tree, 8 ms) makes later lookups of the same key wait for it
// rather than read again, and blocks no other key.
type stampedCache[T any] struct {
	mu sync.Mutex
	m  map[string]*stampedEntry[T]
}

type stampedEntry[T any] struct {
	mu     sync.Mutex
	loaded bool
	val    T
	stamps stampSet
}

// get returns the value of key, calling read when there is none yet or
// one of its files changed. read returns the value, the stamps of the
// files it came from, and whether to keep it (false: a partial value,
// cancelled, returned but read again next time).
func (c *stampedCache[T]) get(key string, read func() (T, stampSet, bool)) T {
	c.mu.Lock()
	e := c.m[key]
	if e == nil {
		if c.m == nil {
			c.m = map[string]*stampedEntry[T]{}
		}
		e = &stampedEntry[T]{}
		c.m[key] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.loaded && !e.stamps.changed() {
		return e.val
	}
	v, stamps, keep := read()
	if keep {
		e.val, e.stamps, e.loaded = v, stamps, true
	}
	return v
}
