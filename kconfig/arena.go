package kconfig

import "unsafe"

// Loading x86's tree makes some 200,000 small objects (statements,
// options, expression nodes, symbols, properties) that live exactly as
// long as the file or Kconfig holding them. Carving them out of chunks
// spares the allocator most of its calls and the garbage collector most
// of its objects.

// chunks hands out slices and pointers carved from larger allocations.
// Each chunk is twice the size of the one before, up to slabChunk
// elements, starting from a size hint (see expect), so that a small file
// does not pin a large chunk.
type chunks[T any] struct {
	free []T
	size int // of the next chunk
}

const slabChunk = 2048

// expect sizes the first chunk for about n elements.
func (c *chunks[T]) expect(n int) { c.size = min(max(n, 4), slabChunk) }

// take returns a zeroed slice of n elements whose capacity is n: an
// append to it copies rather than overwrites its neighbours.
func (c *chunks[T]) take(n int) []T {
	if n == 0 {
		return nil
	}
	if n > len(c.free) {
		if c.size == 0 {
			c.size = 16
		}
		c.free = make([]T, max(n, c.size))
		c.size = min(2*c.size, slabChunk)
	}
	s := c.free[:n:n]
	c.free = c.free[n:]
	return s
}

// new returns a pointer to a zeroed T.
func (c *chunks[T]) new() *T { return &c.take(1)[0] }

// clone copies s into the chunks.
func (c *chunks[T]) clone(s []T) []T {
	out := c.take(len(s))
	copy(out, s)
	return out
}

// textArena keeps strings built while parsing (help texts) in shared
// byte chunks rather than one allocation each.
type textArena struct {
	buf []byte
}

const textChunk = 16 << 10

// string returns a string with b's bytes; limit bounds the bytes of this
// and every later string (the rest of the file), so that a small file
// gets a small chunk.
func (a *textArena) string(b []byte, limit int) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(a.buf)-len(a.buf) {
		if len(b) > textChunk/4 {
			return string(b)
		}
		a.buf = make([]byte, 0, max(len(b), min(limit, textChunk)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	// The bytes are never written again: later strings go after them.
	return unsafe.String(&a.buf[start], len(b))
}
