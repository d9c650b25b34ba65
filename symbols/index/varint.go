package index

import (
	"encoding/binary"
	"errors"
)

// The binary encoding shared by the index's entries and the workspace's
// walk cache: unsigned and zigzag varints, a byte per bool, strings and
// lists prefixed by their length. It carries no types or field names;
// each user writes and reads its fields in one order and marks its
// layout with a version (SchemaVersion, the walk cache's magic).

// ErrCorrupt is what a Decoder reports when its input ends early or
// holds a malformed value.
var ErrCorrupt = errors.New("malformed index entry")

// Encoder appends values to B.
type Encoder struct{ B []byte }

func (e *Encoder) Uint(v uint64) { e.B = binary.AppendUvarint(e.B, v) }
func (e *Encoder) Int(v int64)   { e.B = binary.AppendVarint(e.B, v) }

func (e *Encoder) Str(s string) {
	e.Uint(uint64(len(s)))
	e.B = append(e.B, s...)
}

func (e *Encoder) Strs(ss []string) {
	e.Uint(uint64(len(ss)))
	for _, s := range ss {
		e.Str(s)
	}
}

func (e *Encoder) Bool(v bool) {
	if v {
		e.B = append(e.B, 1)
	} else {
		e.B = append(e.B, 0)
	}
}

// Decoder reads what an Encoder wrote. Over a string, the strings it
// returns share the input's memory (one allocation for a whole walk
// cache); over bytes (a bbolt page, valid only in its transaction) each
// is copied. After a malformed value Err is set and every read returns
// zero, so a caller checks once at the end.
type Decoder[B string | []byte] struct {
	b   B
	err error
}

func NewDecoder[B string | []byte](b B) *Decoder[B] { return &Decoder[B]{b: b} }

// Err is ErrCorrupt once a read failed, else nil.
func (d *Decoder[B]) Err() error { return d.err }

// Fail marks the input malformed, for checks the caller makes on the
// values it read.
func (d *Decoder[B]) Fail() { d.err = ErrCorrupt }

// Len is how many bytes are left.
func (d *Decoder[B]) Len() int { return len(d.b) }

func (d *Decoder[B]) Uint() uint64 {
	if d.err != nil {
		return 0
	}
	// binary.Uvarint, over either input type.
	var v uint64
	var shift uint
	for i := 0; i < len(d.b) && i < binary.MaxVarintLen64; i++ {
		c := d.b[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflows 64 bits
			}
			d.b = d.b[i+1:]
			return v | uint64(c)<<shift
		}
		v |= uint64(c&0x7f) << shift
		shift += 7
	}
	d.err = ErrCorrupt
	return 0
}

func (d *Decoder[B]) Int() int64 {
	u := d.Uint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// Count reads a length that must fit in what is left (each element
// takes at least a byte), so garbage cannot make a huge allocation.
func (d *Decoder[B]) Count() int {
	n := d.Uint()
	if n > uint64(len(d.b)) {
		d.err = ErrCorrupt
		return 0
	}
	return int(n)
}

// Take returns the next n bytes.
func (d *Decoder[B]) Take(n int) B {
	if d.err != nil || n > len(d.b) {
		d.err = ErrCorrupt
		var zero B
		return zero
	}
	t := d.b[:n]
	d.b = d.b[n:]
	return t
}

func (d *Decoder[B]) Str() string {
	return string(d.Take(d.Count()))
}

func (d *Decoder[B]) Strs() []string {
	n := d.Count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.Str()
	}
	return out
}

func (d *Decoder[B]) Bool() bool {
	if d.err != nil || len(d.b) == 0 {
		d.err = ErrCorrupt
		return false
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v != 0
}
