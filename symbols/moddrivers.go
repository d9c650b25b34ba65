package symbols

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The kernel crate's macros that declare a module: module_phy_driver!
// (6.12), module_platform_driver!, module_pci_driver!, ... (later
// kernels). Each takes some keys of its own (`drivers: [...]`,
// `device_table: [...]`, or `type: $type:ty` through module_driver!) and
// passes the rest of its input, `$($f:tt)*`, on to module! with keys it
// writes itself (`type: Module`). Their keys are read from the
// macro_rules! matchers, so they follow the tree.

// DriverMacro is a macro_rules! macro of the kernel crate whose input
// ends up in module!.
type DriverMacro struct {
	Name string
	// File and Line locate the macro_rules! (Line is 0-based).
	File string
	Line int
	// Doc is the macro's doc comment.
	Doc string
	// Schema is what the macro takes: its own keys (Own of them, first,
	// all required, in the matcher's order), then the module! keys the
	// macro does not write itself.
	Schema *ModuleSchema
	Own    int
	// Preset are the module! keys the macro writes itself, before the
	// user's.
	Preset []string
	// After are the module! keys the macro writes after the user's
	// input (module_pwm_platform_driver!'s `imports_ns: ["PWM"]`): the
	// user can write neither them nor a key module! orders after them
	// (Closed lists those).
	After, Closed []string
}

// macroRulesRE finds a macro_rules! definition's name.
var macroRulesRE = regexp.MustCompile(`macro_rules!\s*([A-Za-z_][A-Za-z0-9_]*)`)

// macroDef is a macro_rules! definition: its rules' matcher and
// transcriber token spans in src.
type macroDef struct {
	name  string
	file  string
	line  int
	doc   string
	src   []byte
	rules [][2]Span // matcher, transcriber (inside their delimiters)
}

// ReadDriverMacros reads the macro_rules! of rust/kernel whose input goes
// to module!, with the module! schema s.
func ReadDriverMacros(ctx context.Context, srctree string, s *ModuleSchema) (map[string]*DriverMacro, error) {
	root := filepath.Join(srctree, "rust", "kernel")
	defs := map[string]*macroDef{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() || !strings.HasSuffix(path, ".rs") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil // unreadable files have no macros for us
		}
		// Only a file that defines a macro and invokes module! or a
		// module_*! macro can hold a driver macro or a step of one;
		// parsing the others (most of rust/kernel) would be wasted.
		if !bytes.Contains(src, []byte("macro_rules!")) {
			return nil
		}
		if cands, _ := moduleCallCandidates(src, nil); len(cands) == 0 {
			return nil
		}
		for _, d := range macroDefs(ctx, path, src) {
			if _, dup := defs[d.name]; !dup {
				defs[d.name] = d
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the driver macros of %s: %w", root, err)
	}
	out := map[string]*DriverMacro{}
	for name, d := range defs {
		if !strings.HasPrefix(name, "module_") {
			continue
		}
		own, preset, after, ok := resolveDriver(defs, d, 0)
		if !ok {
			continue
		}
		dm := &DriverMacro{Name: name, File: d.file, Line: d.line, Doc: d.doc, Own: len(own), Preset: preset, After: after}
		dm.Closed = closedBy(s, after)
		dm.Schema = driverSchema(s, own, append(slices.Clone(preset), dm.Closed...), d.doc)
		out[name] = dm
	}
	return out, nil
}

// driverSchema combines a driver macro's own keys with module!'s.
func driverSchema(s *ModuleSchema, own []ModuleKey, preset []string, doc string) *ModuleSchema {
	ds := &ModuleSchema{Ordered: s.Ordered, Comma: s.Comma, Messages: s.Messages, Source: s.Source, Doc: doc}
	docs := KeyDocs(doc)
	for _, k := range own {
		k.Required = true
		if d, ok := docs[k.Name]; ok {
			k.Doc = d
		}
		ds.Keys = append(ds.Keys, k)
	}
	for _, k := range s.Keys {
		if !slices.Contains(preset, k.Name) && ds.Index(k.Name) < 0 {
			ds.Keys = append(ds.Keys, k)
		}
	}
	return ds
}

// closedBy lists the keys written after the user's input and those
// module! orders after the first of them: a user's key among them would
// be a duplicate or out of order.
func closedBy(s *ModuleSchema, after []string) []string {
	first := -1
	for _, k := range after {
		if i := s.Index(k); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first < 0 {
		return nil
	}
	var out []string
	for _, k := range s.Keys[first:] {
		out = append(out, k.Name)
	}
	return out
}

// builtinPhyDriver is 6.12's module_phy_driver!.
func builtinPhyDriver(s *ModuleSchema) *DriverMacro {
	own := []ModuleKey{
		{Name: "drivers", Kind: ValueArray, Helper: "[$($driver:ident),+ $(,)?]", Doc: "the PHY driver types (implementing `kernel::net::phy::Driver`)."},
		{Name: "device_table", Kind: ValueArray, Helper: "[$($dev:expr),+ $(,)?]", Doc: "the `DeviceId`s of the devices the drivers handle."},
	}
	return &DriverMacro{Name: "module_phy_driver", Own: 2, Preset: []string{"type"}, Schema: driverSchema(s, own, []string{"type"}, "")}
}

// macroDefs finds the macro_rules! definitions of a file, in code.
func macroDefs(ctx context.Context, path string, src []byte) []*macroDef {
	var cands []Span
	var names []string
	for _, m := range macroRulesRE.FindAllSubmatchIndex(src, -1) {
		cands = append(cands, Span{m[0], m[0] + len("macro_rules")})
		names = append(names, string(src[m[2]:m[3]]))
	}
	if len(cands) == 0 {
		return nil
	}
	f, err := Parse(ctx, path, src)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []*macroDef
	f.VisitPaths(cands, func(i int, p []PathNode) bool {
		if inCommentOrString(p) {
			return true
		}
		var def *PathNode
		for j := range p {
			if p[j].Kind == K.MacroDefinition {
				def = &p[j]
			}
		}
		if def == nil {
			return true
		}
		d := &macroDef{name: names[i], file: path, line: f.Lines.Line(def.Start), src: src}
		d.doc = docAbove(src, def.Start)
		c := def.Node.Walk()
		defer c.Close()
		if c.GotoFirstChild() {
			for {
				n := c.Node()
				if n.KindId() == K.MacroRule {
					l, r := n.ChildByFieldName("left"), n.ChildByFieldName("right")
					if l != nil && r != nil {
						d.rules = append(d.rules, [2]Span{
							{int(l.StartByte()) + 1, int(l.EndByte()) - 1},
							{int(r.StartByte()) + 1, int(r.EndByte()) - 1},
						})
					}
				}
				if !c.GotoNextSibling() {
					break
				}
			}
		}
		out = append(out, d)
		return true
	})
	return out
}

// docAbove collects the `///` lines above offset, skipping attributes.
func docAbove(src []byte, off int) string {
	lines := strings.Split(string(src[:off]), "\n")
	i := len(lines) - 2 // the last element is the item's line up to off
	var doc []string
	for ; i >= 0; i-- {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "#[") {
			continue
		}
		if !strings.HasPrefix(t, "///") {
			break
		}
		t = strings.TrimPrefix(strings.TrimPrefix(t, "///"), " ")
		doc = append(doc, t)
	}
	for l, r := 0, len(doc)-1; l < r; l, r = l+1, r-1 {
		doc[l], doc[r] = doc[r], doc[l]
	}
	return strings.Join(doc, "\n")
}

// mtok is a token of a macro's matcher or transcriber.
type mtok struct {
	kind cfgTok
	s, e int
	c    byte // first byte
}

func lexTokens(src []byte, sp Span) []mtok {
	l := &cfgLexer{src: src, pos: sp.Start, end: sp.End}
	var out []mtok
	for {
		k, s, e := l.next()
		if k == tokEOF {
			return out
		}
		out = append(out, mtok{k, s, e, src[s]})
	}
}

func (t mtok) is(c byte) bool { return t.kind != tokIdent && t.kind != tokString && t.c == c }

// restAt reports whether toks[i:] starts `$ ( $ name : tt ) *` (matcher)
// or `$ ( $ name ) *` (transcriber), returning the name and the index
// after.
func restAt(src []byte, toks []mtok, i int, matcher bool) (string, int, bool) {
	n := len(toks)
	if i+4 >= n || !toks[i].is('$') || !toks[i+1].is('(') || !toks[i+2].is('$') || toks[i+3].kind != tokIdent {
		return "", 0, false
	}
	name := string(src[toks[i+3].s:toks[i+3].e])
	j := i + 4
	if matcher {
		if j+1 >= n || !toks[j].is(':') || toks[j+1].kind != tokIdent || string(src[toks[j+1].s:toks[j+1].e]) != "tt" {
			return "", 0, false
		}
		j += 2
	}
	if j+1 >= n || !toks[j].is(')') || !toks[j+1].is('*') {
		return "", 0, false
	}
	return name, j + 2, true
}

// fragKind maps a macro fragment specifier to a value kind.
func fragKind(frag string) ModuleValueKind {
	switch frag {
	case "ident":
		return ValueIdent
	case "ty", "path":
		return ValueType
	}
	return ValueExpr
}

// matcherKeys reads the `key: $x:frag` and `key: [ ... ]` pairs of a
// matcher up to its `$($rest:tt)*`.
func matcherKeys(src []byte, toks []mtok) (keys []ModuleKey, rest string, ok bool) {
	for i := 0; i < len(toks); {
		if name, _, ok := restAt(src, toks, i, true); ok {
			return keys, name, true
		}
		t := toks[i]
		keyStart := i == 0 || toks[i-1].is(',') || toks[i-1].is('{') || toks[i-1].is('(') || toks[i-1].is('[')
		if t.kind == tokIdent && keyStart && i+2 < len(toks) && toks[i+1].is(':') && !(i+2 < len(toks) && toks[i+2].is(':')) {
			k := ModuleKey{Name: string(src[t.s:t.e])}
			v := toks[i+2]
			switch {
			case v.is('$') && i+5 < len(toks) && toks[i+3].kind == tokIdent && toks[i+4].is(':') && toks[i+5].kind == tokIdent:
				frag := string(src[toks[i+5].s:toks[i+5].e])
				k.Kind, k.Helper = fragKind(frag), string(src[v.s:toks[i+5].e])
				i += 6
			case v.kind == tokOpen:
				end := matchClose(toks, i+2)
				k.Kind = ValueArray
				if v.c == '{' {
					k.Kind = ValueGroup
				}
				k.Helper = string(src[v.s:toks[end].e])
				i = end + 1
			default:
				i++
				continue
			}
			keys = append(keys, k)
			continue
		}
		i++
	}
	return keys, "", false
}

// matchClose is the index of the token closing the group opened at i.
func matchClose(toks []mtok, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch toks[j].kind {
		case tokOpen:
			depth++
		case tokClose:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks) - 1
}

// resolveDriver finds the keys a macro takes itself and those it writes
// into module!, before the user's input (preset) and after it (after),
// following its input through other macros.
func resolveDriver(defs map[string]*macroDef, d *macroDef, depth int) (own []ModuleKey, preset, after []string, ok bool) {
	if depth > 4 {
		return nil, nil, nil, false
	}
	for _, r := range d.rules {
		mt := lexTokens(d.src, r[0])
		if len(mt) > 0 && mt[0].is('@') {
			continue
		}
		keys, rest, found := matcherKeys(d.src, mt)
		if !found {
			continue
		}
		callee, groupKeys, afterKeys, ok := forwardTarget(d.src, lexTokens(d.src, r[1]), rest)
		if !ok {
			continue
		}
		if callee == "module" {
			return keys, groupKeys, afterKeys, true
		}
		cd := defs[callee]
		if cd == nil {
			continue
		}
		cown, cpreset, cafter, ok := resolveDriver(defs, cd, depth+1)
		if !ok {
			continue
		}
		// Keys written after the input pass through the callee's
		// `$($rest)*` to module!, after the user's.
		return append(keys, cown...), cpreset, append(afterKeys, cafter...), true
	}
	return nil, nil, nil, false
}

// forwardTarget finds where a transcriber puts `$($rest)*`: the macro
// invoked around it, and the keys written before it and after it in the
// same group.
func forwardTarget(src []byte, toks []mtok, rest string) (callee string, keys, after []string, ok bool) {
	type group struct {
		callee string
		keys   []string
	}
	var stack []group
	restDepth := -1 // the stack depth of the group holding the input
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if restDepth < 0 {
			if name, next, ok := restAt(src, toks, i, false); ok && name == rest {
				for j := len(stack) - 1; j >= 0; j-- {
					if stack[j].callee != "" {
						callee, keys = stack[j].callee, stack[len(stack)-1].keys
						restDepth = len(stack)
						break
					}
				}
				if callee == "" {
					return "", nil, nil, false
				}
				i = next - 1
				continue
			}
		}
		switch t.kind {
		case tokOpen:
			g := group{}
			if i >= 2 && toks[i-1].is('!') && toks[i-2].kind == tokIdent {
				g.callee = string(src[toks[i-2].s:toks[i-2].e])
			}
			stack = append(stack, g)
		case tokClose:
			if len(stack) == restDepth {
				return callee, keys, after, true
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case tokIdent:
			if len(stack) > 0 && i+1 < len(toks) && toks[i+1].is(':') && (i+2 >= len(toks) || !toks[i+2].is(':')) &&
				(toks[i-1].is(',') || toks[i-1].kind == tokOpen || restDepth >= 0 && toks[i-1].is('*')) {
				if restDepth >= 0 && len(stack) == restDepth {
					after = append(after, string(src[t.s:t.e]))
					continue
				}
				top := &stack[len(stack)-1]
				top.keys = append(top.keys, string(src[t.s:t.e]))
			}
		}
	}
	if restDepth >= 0 {
		return callee, keys, after, true
	}
	return "", nil, nil, false
}

// sortedDrivers lists driver macros by name.
func sortedDrivers(m map[string]*DriverMacro) []*DriverMacro {
	out := make([]*DriverMacro, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DriverNames lists the driver macros by name.
func (m *ModuleFacts) DriverNames() []string {
	var out []string
	for _, d := range sortedDrivers(m.Drivers) {
		out = append(out, d.Name)
	}
	return out
}
