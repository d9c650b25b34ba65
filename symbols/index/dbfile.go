package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"time"
)

// bbolt trusts its file: it maps it and follows page numbers, and a page
// past the end of a truncated file faults (SIGBUS), which no recover()
// catches. So before bbolt sees a database, openChecked locks it and
// reads its meta pages the way bbolt does, and refuses a file shorter
// than the pages the live meta page counts. (debug.SetPanicOnFault
// around the bbolt calls is the backstop for damage this misses.)

// The layout of a bbolt (v1.4) meta page: a 16-byte page header, then
// magic, version, page size, flags (uint32 each), the root bucket (root
// page, sequence), the freelist page, the high water mark (pages in
// use), the transaction id and the FNV-64a checksum of the fields before
// it (uint64 each), in the machine's byte order.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	metaOffset      = 16
	metaLen         = 64
	metaChecksumAt  = 56 // within the meta
	boltNoFreelist  = ^uint64(0)
	boltMinPageSize = 1024
)

type boltMeta struct {
	pageSize uint32
	freelist uint64
	pages    uint64 // the high water mark
	txid     uint64
}

// errEmpty: the file is empty; a read-only open has nothing to read.
var errEmpty = errors.New("empty database")

// openChecked is bbolt's OpenFile: it opens the file, takes bbolt's
// lock on it (bbolt's own flock then finds it taken by this open file),
// and checks it with checkFile under the lock, so that no other krls
// writes it meanwhile.
func openChecked(path string, flag int, mode os.FileMode, exclusive bool, timeout time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, flag, mode)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f, exclusive, timeout); err != nil {
		f.Close()
		return nil, err
	}
	empty, err := checkFile(f, exclusive)
	if err == nil && empty && !exclusive {
		err = errEmpty // bbolt would write its first pages
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkFile says whether f is empty (a new database; bbolt writes its
// first pages) or a bbolt database whose pages are all there. forWrite
// also refuses a database without a stored freelist: opening it for
// writing, bbolt would rebuild the freelist by walking every page, and
// report damage found on the way with a panic in a goroutine of its own,
// which kills the process.
func checkFile(f *os.File, forWrite bool) (empty bool, err error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	size := fi.Size()
	if size == 0 {
		return true, nil
	}
	m, ok := liveMeta(f, size)
	switch {
	case !ok:
		return false, errors.New("corrupt database: no valid meta page")
	case m.pages > uint64(size)/uint64(m.pageSize):
		return false, fmt.Errorf("corrupt database: truncated to %d bytes, its %d pages need %d", size, m.pages, m.pages*uint64(m.pageSize))
	case forWrite && m.freelist == boltNoFreelist:
		return false, errors.New("database without a stored freelist (made by an older krls)")
	}
	return false, nil
}

// liveMeta is the meta page bbolt would use: of the two, the valid one
// with the higher transaction id. The second is one page after the
// first; when the first is damaged, its page size is found as bbolt
// finds it, trying the offsets 1 KiB << i.
func liveMeta(f *os.File, size int64) (boltMeta, bool) {
	m0, ok0 := readMeta(f, 0)
	pageSize := int64(m0.pageSize)
	if !ok0 {
		for i := range 15 {
			pos := int64(boltMinPageSize) << i
			if pos >= size-boltMinPageSize {
				break
			}
			if m, ok := readMeta(f, pos); ok {
				pageSize = int64(m.pageSize)
				break
			}
		}
	}
	if pageSize == 0 {
		return boltMeta{}, false
	}
	m1, ok1 := readMeta(f, pageSize)
	if ok1 && (!ok0 || m1.txid > m0.txid) {
		return m1, true
	}
	return m0, ok0
}

// readMeta reads and validates the meta page at off.
func readMeta(f *os.File, off int64) (boltMeta, bool) {
	var b [metaOffset + metaLen]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return boltMeta{}, false
	}
	m := b[metaOffset:]
	u32 := func(at int) uint32 { return binary.NativeEndian.Uint32(m[at:]) }
	u64 := func(at int) uint64 { return binary.NativeEndian.Uint64(m[at:]) }
	h := fnv.New64a()
	h.Write(m[:metaChecksumAt])
	if u32(0) != boltMagic || u32(4) != boltVersion || u64(metaChecksumAt) != h.Sum64() || u32(8) < boltMinPageSize {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: u32(8), freelist: u64(32), pages: u64(40), txid: u64(48)}, true
}
