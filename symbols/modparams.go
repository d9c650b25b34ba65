package symbols

// The entries of a module! `params` block (Linux 6.17 and later):
//
//	params: {
//	    test_parameter: i64 {
//	        default: 1,
//	        description: "This parameter has a default of 1",
//	    },
//	},
//
// read leniently like the invocation itself, so a parameter being typed
// (no type yet, no block, no comma) still yields what is there.

// ModuleParam is one `name: type { ... },` entry of a params block.
type ModuleParam struct {
	// Key is the parameter's name, Name its span.
	Key  string
	Name Span
	// Colon says a `:` follows the name.
	Colon bool
	// Type spans the type's tokens (empty when none is written).
	Type Span
	// Block is the `{ default: ..., description: ... }` after the type,
	// read as an invocation's input (its Open and Close are the braces;
	// Name is the parameter's name, Start where the parameter begins);
	// HasBlock says there is one.
	Block    ModuleCall
	HasBlock bool
	// Comma says a `,` follows the entry; End is after it (or after the
	// last token of the entry).
	Comma bool
	End   int
}

// ModuleParams reads the entries of a `params: { ... }` value; nil when
// the value is not a braced block.
func ModuleParams(src []byte, e ModuleEntry) []ModuleParam {
	if e.Shape != ShapeGroup || e.Value.End <= e.Value.Start || src[e.Value.Start] != '{' {
		return nil
	}
	limit := e.Value.End
	if e.Last.Start > e.Value.Start && src[e.Last.Start] == '}' && closes(src, e.Value.Start, e.Last.Start) {
		limit = e.Last.Start
	}
	var out []ModuleParam
	var cur *ModuleParam
	l := &cfgLexer{src: src, pos: e.Value.Start + 1, end: limit}
	depth := 0 // of ( and [ in a type
	for {
		k, s, end := l.next()
		if k == tokEOF {
			break
		}
		newParam := func() {
			out = append(out, ModuleParam{Key: string(src[s:end]), Name: Span{s, end}, End: end})
			cur = &out[len(out)-1]
		}
		switch {
		case cur == nil:
			if k == tokIdent {
				newParam()
			}
			continue
		case depth == 0 && !cur.Colon && cur.Type.End == 0 && !cur.HasBlock && k == tokOther && src[s] == ':' && !(end < limit && src[end] == ':'):
			cur.Colon, cur.End = true, end
			continue
		case depth == 0 && k == tokComma:
			cur.Comma, cur.End = true, end
			cur = nil
			continue
		case depth == 0 && k == tokIdent && (cur.HasBlock || !cur.Colon && cur.Type.End == 0):
			// The entry before lost its comma (or its colon).
			newParam()
			continue
		case depth == 0 && k == tokOpen && src[s] == '{' && !cur.HasBlock:
			cur.Block = ModuleCall{Macro: "module", Name: cur.Name, Start: cur.Name.Start, Open: s}
			cur.Block.readInput(src, limit)
			cur.HasBlock = true
			cur.End = min(cur.Block.Close+1, limit)
			l.pos, l.has = cur.End, false
			continue
		case cur.HasBlock:
			continue // stray tokens after the block
		}
		if k == tokOpen {
			depth++
		} else if k == tokClose {
			depth = max(depth-1, 0)
		}
		if cur.Type.End == 0 {
			cur.Type.Start = s
		}
		cur.Type.End, cur.End = end, end
	}
	return out
}

// closes reports whether the `}` at close is the one closing the `{` at
// open.
func closes(src []byte, open, close int) bool {
	l := &cfgLexer{src: src, pos: open + 1, end: close + 1}
	depth := 0
	for {
		k, s, _ := l.next()
		switch k {
		case tokEOF:
			return false
		case tokOpen:
			depth++
		case tokClose:
			if depth == 0 {
				return s == close
			}
			depth--
		}
	}
}
