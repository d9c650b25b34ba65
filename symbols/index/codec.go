package index

import (
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

// errCorrupt is what a malformed entry decodes to.
var errCorrupt = ErrCorrupt

func (e *Encoder) span(s symbols.Span) {
	e.Uint(uint64(s.Start))
	e.Uint(uint64(s.End - s.Start))
}

func encodeEntry(en *entry) []byte {
	e := &Encoder{B: make([]byte, 0, 256)}
	e.Int(en.Size)
	e.Int(en.MtimeNs)
	e.B = append(e.B, en.Digest[:]...)
	e.Str(en.Err)
	fi := en.Items
	if fi == nil {
		fi = &symbols.FileItems{}
	}
	e.Str(fi.Doc)
	e.Strs(fi.Cfgs)
	e.Uint(uint64(len(fi.Mods)))
	for _, m := range fi.Mods {
		e.Str(m.Name)
		e.Strs(m.Rel)
		e.Strs(m.Dirs)
		e.Str(m.PathAttr)
		e.span(m.Span)
		e.Strs(m.Cfgs)
	}
	e.Uint(uint64(len(fi.Items)))
	for i := range fi.Items {
		it := &fi.Items[i]
		e.Uint(uint64(it.Kind))
		e.Str(it.Name)
		e.Strs(it.Rel)
		e.span(it.Span)
		e.span(it.NameSpan)
		e.Int(int64(it.Parent))
		e.Str(it.Vis)
		e.Bool(it.Unsafe)
		e.Bool(it.Foreign)
		e.Bool(it.Exported)
		e.Str(it.Doc)
		e.Str(it.Safety)
		e.Strs(it.Cfgs)
		e.Strs(it.EnclosingCfgs)
		e.Str(it.Trait)
		e.Str(it.SelfType)
	}
	e.Uint(uint64(len(fi.Reexports)))
	for i := range fi.Reexports {
		r := &fi.Reexports[i]
		e.Strs(r.Rel)
		e.Strs(r.Path)
		e.Str(r.Name)
		e.Bool(r.Glob)
		e.Bool(r.Global)
		e.Str(r.Vis)
		e.Strs(r.Cfgs)
	}
	return e.B
}

func (d *Decoder[B]) span() symbols.Span {
	s := int(d.Uint())
	return symbols.Span{Start: s, End: s + int(d.Uint())}
}

// decodeEntry decodes a stored entry; header only reads the stat and
// digest.
func decodeEntry(b []byte, header bool) (*entry, error) {
	d := NewDecoder(b)
	en := &entry{Size: d.Int(), MtimeNs: d.Int()}
	if d.Err() != nil || d.Len() < digestLen {
		return nil, errCorrupt
	}
	copy(en.Digest[:], d.Take(digestLen))
	if header {
		return en, nil
	}
	en.Err = d.Str()
	fi := &symbols.FileItems{Doc: d.Str(), Cfgs: d.Strs()}
	if n := d.Count(); n > 0 {
		fi.Mods = make([]symbols.ModDecl, n)
		for i := range fi.Mods {
			fi.Mods[i] = symbols.ModDecl{Name: d.Str(), Rel: d.Strs(), Dirs: d.Strs(), PathAttr: d.Str(), Span: d.span(), Cfgs: d.Strs()}
		}
	}
	if n := d.Count(); n > 0 {
		fi.Items = make([]symbols.Item, n)
		for i := range fi.Items {
			it := &fi.Items[i]
			it.Kind = symbols.ItemKind(d.Uint())
			it.Name = d.Str()
			it.Rel = d.Strs()
			it.Span = d.span()
			it.NameSpan = d.span()
			it.Parent = int(d.Int())
			it.Vis = d.Str()
			it.Unsafe = d.Bool()
			it.Foreign = d.Bool()
			it.Exported = d.Bool()
			it.Doc = d.Str()
			it.Safety = d.Str()
			it.Cfgs = d.Strs()
			it.EnclosingCfgs = d.Strs()
			it.Trait = d.Str()
			it.SelfType = d.Str()
			if it.Parent < -1 || it.Parent >= i {
				d.Fail()
			}
		}
	}
	if n := d.Count(); n > 0 {
		fi.Reexports = make([]symbols.Reexport, n)
		for i := range fi.Reexports {
			fi.Reexports[i] = symbols.Reexport{Rel: d.Strs(), Path: d.Strs(), Name: d.Str(), Glob: d.Bool(), Global: d.Bool(),
				Vis: d.Str(), Cfgs: d.Strs()}
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	if d.Len() != 0 {
		return nil, errCorrupt
	}
	en.Items = fi
	return en, nil
}
