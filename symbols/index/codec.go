package index

import (
	"encoding/binary"
	"errors"

	"github.com/krls-dev/krls/symbols"
)

// The value stored per file: a small binary encoding (varints and
// length-prefixed strings), several times faster to decode than JSON or
// gob, which matters for a warm start that decodes every entry. Any
// change of the layout must bump SchemaVersion.

// entry is one file's shard.
type entry struct {
	Size    int64
	MtimeNs int64
	Digest  [digestLen]byte
	// Err is why the file could not be parsed ("" when it was).
	Err   string
	Items *symbols.FileItems
}

const digestLen = 16

var errCorrupt = errors.New("malformed index entry")

type encoder struct{ b []byte }

func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *encoder) strs(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}
func (e *encoder) span(s symbols.Span) {
	e.uint(uint64(s.Start))
	e.uint(uint64(s.End - s.Start))
}
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func encodeEntry(en *entry) []byte {
	e := &encoder{b: make([]byte, 0, 256)}
	e.int(en.Size)
	e.int(en.MtimeNs)
	e.b = append(e.b, en.Digest[:]...)
	e.str(en.Err)
	fi := en.Items
	if fi == nil {
		fi = &symbols.FileItems{}
	}
	e.str(fi.Doc)
	e.strs(fi.Cfgs)
	e.uint(uint64(len(fi.Mods)))
	for _, m := range fi.Mods {
		e.str(m.Name)
		e.strs(m.Rel)
		e.strs(m.Dirs)
		e.str(m.PathAttr)
		e.span(m.Span)
		e.strs(m.Cfgs)
	}
	e.uint(uint64(len(fi.Items)))
	for i := range fi.Items {
		it := &fi.Items[i]
		e.uint(uint64(it.Kind))
		e.str(it.Name)
		e.strs(it.Rel)
		e.span(it.Span)
		e.span(it.NameSpan)
		e.int(int64(it.Parent))
		e.str(it.Vis)
		e.bool(it.Unsafe)
		e.bool(it.Foreign)
		e.bool(it.Exported)
		e.str(it.Doc)
		e.str(it.Safety)
		e.strs(it.Cfgs)
		e.strs(it.EnclosingCfgs)
		e.str(it.Trait)
		e.str(it.SelfType)
	}
	e.uint(uint64(len(fi.Reexports)))
	for i := range fi.Reexports {
		r := &fi.Reexports[i]
		e.strs(r.Rel)
		e.strs(r.Path)
		e.str(r.Name)
		e.bool(r.Glob)
		e.bool(r.Global)
		e.str(r.Vis)
		e.strs(r.Cfgs)
	}
	return e.b
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length that must fit in what is left (each element
// takes at least a byte), so garbage cannot make a huge allocation.
func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) span() symbols.Span {
	s := int(d.uint())
	return symbols.Span{Start: s, End: s + int(d.uint())}
}

func (d *decoder) bool() bool {
	if d.err != nil || len(d.b) == 0 {
		d.err = errCorrupt
		return false
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v != 0
}

// decodeEntry decodes a stored entry; header only reads the stat and
// digest.
func decodeEntry(b []byte, header bool) (*entry, error) {
	d := &decoder{b: b}
	en := &entry{Size: d.int(), MtimeNs: d.int()}
	if d.err != nil || len(d.b) < digestLen {
		return nil, errCorrupt
	}
	copy(en.Digest[:], d.b)
	d.b = d.b[digestLen:]
	if header {
		return en, nil
	}
	en.Err = d.str()
	fi := &symbols.FileItems{Doc: d.str(), Cfgs: d.strs()}
	if n := d.count(); n > 0 {
		fi.Mods = make([]symbols.ModDecl, n)
		for i := range fi.Mods {
			fi.Mods[i] = symbols.ModDecl{Name: d.str(), Rel: d.strs(), Dirs: d.strs(), PathAttr: d.str(), Span: d.span(), Cfgs: d.strs()}
		}
	}
	if n := d.count(); n > 0 {
		fi.Items = make([]symbols.Item, n)
		for i := range fi.Items {
			it := &fi.Items[i]
			it.Kind = symbols.ItemKind(d.uint())
			it.Name = d.str()
			it.Rel = d.strs()
			it.Span = d.span()
			it.NameSpan = d.span()
			it.Parent = int(d.int())
			it.Vis = d.str()
			it.Unsafe = d.bool()
			it.Foreign = d.bool()
			it.Exported = d.bool()
			it.Doc = d.str()
			it.Safety = d.str()
			it.Cfgs = d.strs()
			it.EnclosingCfgs = d.strs()
			it.Trait = d.str()
			it.SelfType = d.str()
			if it.Parent < -1 || it.Parent >= i {
				d.err = errCorrupt
			}
		}
	}
	if n := d.count(); n > 0 {
		fi.Reexports = make([]symbols.Reexport, n)
		for i := range fi.Reexports {
			fi.Reexports[i] = symbols.Reexport{Rel: d.strs(), Path: d.strs(), Name: d.str(), Glob: d.bool(), Global: d.bool(),
				Vis: d.str(), Cfgs: d.strs()}
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, errCorrupt
	}
	en.Items = fi
	return en, nil
}
