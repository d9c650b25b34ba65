package symbols

import "bytes"

// completionWindow bounds how far back CfgCompletionAt looks for the
// cfg( that holds the cursor: an attribute is short.
const completionWindow = 4096

// cfgFrame is what an open delimiter between the cfg word and the cursor
// holds.
type cfgFrame uint8

const (
	frameCfg      cfgFrame = iota // cfg( or cfg!( : a predicate
	frameAttrPred                 // cfg_attr( before its first top-level comma
	frameAttrList                 // cfg_attr(PRED, ... : attributes
	framePred                     // not( any( all( inside a predicate
	frameOther                    // anything else: allow(, version(, [ ...
)

func (fr cfgFrame) takesPred() bool {
	return fr == frameCfg || fr == frameAttrPred || fr == framePred
}

// CfgCompletionAt reports whether offset is a place where a cfg option
// name goes: right after the open paren of cfg(, cfg_attr( (before its
// first top-level comma), cfg!( or a not(/any(/all( inside them, or
// after a comma in such a list; on empty space or on a word being
// typed. It returns the part of the word before the cursor and where
// the word starts.
//
// Code being typed rarely parses (`#[cfg(CONF` has no closing bracket),
// so the decision is a text scan: back to the nearest cfg word that opens
// an attribute (#[ or #![ before it) or a cfg! call, then forward over
// tokens to the cursor, keeping a stack of open delimiters. f, when it
// is the tree of src, says whether that cfg word is in a comment or a
// string; without it, a `//` earlier on the word's line rules it out.
// The cursor itself must not be in a comment or string: the forward
// scan sees that.
func CfgCompletionAt(src []byte, f *File, offset int) (prefix string, start int, ok bool) {
	if offset < 0 || offset > len(src) {
		return "", 0, false
	}
	start = offset
	for start > 0 && IsIdentByte(src[start-1]) {
		start--
	}
	if start < offset && !IsIdentStart(src[start]) {
		return "", 0, false // a number
	}
	lo := max(0, start-completionWindow)
	for i := start; i > lo; {
		j := bytes.LastIndex(src[lo:i], []byte("cfg"))
		if j < 0 {
			break
		}
		s := lo + j
		i = s
		w, ok := cfgWordAt(src, s)
		if !ok {
			continue
		}
		if !w.macro {
			// An attribute: #[ or #![ before the word. A cfg( after a
			// comma (inside cfg_attr) is reached from its cfg_attr.
			p := prevNonSpace(src, s)
			if p < 0 || src[p] != '[' {
				continue
			}
			if _, _, ok := attrOpener(src, p); !ok {
				continue
			}
		}
		k, e, attr := w.open, w.end, w.attr
		if k >= start {
			continue // the cursor is before the open delimiter
		}
		if wordInCommentOrString(src, f, s, e) {
			continue
		}
		// The nearest cfg that opens an attribute or a cfg! call decides:
		// attributes do not nest, so an earlier one cannot hold the
		// cursor once this one is closed.
		if !cursorTakesPred(src, k, start, attr) {
			return "", 0, false
		}
		return string(src[start:offset]), start, true
	}
	return "", 0, false
}

// wordInCommentOrString asks the tree, when f is src's, whether the word
// at [s, e) is in a comment or string; else it looks for `//` before it
// on its line, outside string quotes.
func wordInCommentOrString(src []byte, f *File, s, e int) bool {
	if f != nil && f.tree != nil && len(f.Src) == len(src) {
		return inCommentOrString(f.PathTo(s, e))
	}
	ls := bytes.LastIndexByte(src[:s], '\n') + 1
	inStr := false
	for i := ls; i < s; i++ {
		switch c := src[i]; {
		case c == '\\' && inStr:
			i++
		case c == '"':
			inStr = !inStr
		case !inStr && c == '/' && i+1 < s && (src[i+1] == '/' || src[i+1] == '*'):
			return true
		}
	}
	return inStr
}

// cursorTakesPred scans the tokens from the open delimiter at open to the
// cursor at start.
func cursorTakesPred(src []byte, open, start int, attr bool) bool {
	if open >= start {
		return false
	}
	first := frameCfg
	if attr {
		first = frameAttrPred
	}
	stack := []cfgFrame{first}
	opens := []byte{src[open]}
	l := cfgLexer{src: src, pos: open + 1, end: start}
	last, lastIdent := tokOpen, ""
	for {
		k, s, e := l.next()
		if k == tokEOF {
			if l.unterminated {
				return false // the cursor is in a comment
			}
			break
		}
		if l.unterminated {
			return false // in a string
		}
		switch k {
		case tokOpen:
			c := src[s]
			if c == '{' {
				return false
			}
			fr := frameOther
			top := stack[len(stack)-1]
			if c == '(' && last == tokIdent {
				switch {
				case top.takesPred() && (lastIdent == "not" || lastIdent == "any" || lastIdent == "all"):
					fr = framePred
				case top == frameAttrList && lastIdent == "cfg":
					fr = frameCfg
				case top == frameAttrList && lastIdent == "cfg_attr":
					fr = frameAttrPred
				}
			}
			stack = append(stack, fr)
			opens = append(opens, c)
		case tokClose:
			want := map[byte]byte{'(': ')', '[': ']', '{': '}'}[opens[len(opens)-1]]
			if src[s] != want {
				return false
			}
			stack, opens = stack[:len(stack)-1], opens[:len(opens)-1]
			if len(stack) == 0 {
				return false // the cfg closed before the cursor
			}
		case tokComma:
			if stack[len(stack)-1] == frameAttrPred {
				stack[len(stack)-1] = frameAttrList
			}
		case tokOther:
			if src[s] == ';' {
				return false
			}
		}
		last = k
		if k == tokIdent {
			lastIdent = string(src[s:e])
		}
	}
	return stack[len(stack)-1].takesPred() && (last == tokOpen || last == tokComma)
}
