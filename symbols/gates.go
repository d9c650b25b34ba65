package symbols

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/sourcegraph/conc/pool"
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// The kernel crate's cfg-gated API: which modules and items of
// rust/kernel exist only under a cfg, and which predicates those are.
//
// KernelGates reads rust/kernel/lib.rs and follows `mod x;` declarations
// with the Rust 2018 module file rules, parsing the files in parallel.
// A module gets the predicates on its declaration and on every enclosing
// module; an item gets its own on top of its module's.
//
// Handled: `mod x;` (x.rs, x/mod.rs), inline `mod x { ... }` (nested
// `mod y;` then live in x/), #[path = "..."] (relative to the file's
// directory, or to the inline modules' directories inside them; a file
// loaded through #[path] places its own children like a mod.rs), file
// inner #![cfg], gated items at module level (fn, struct, enum, union,
// trait, type, const, static), associated fns, consts and types of
// inherent impls (Type::name), gated inherent impls, #[macro_export]
// macros (exported at the crate root, gated by their module), and
// `pub use` re-exports of a single gated path, or re-exports that carry
// their own cfg.
//
// Not handled: glob re-exports (`pub use x::*`), re-exports of
// re-exports, trait impls (their methods are reached through the trait),
// items made by macros, `mod` declarations inside functions (not
// reachable by path), and cfg attributes inside macro token trees.

// GateCond is one predicate a gated path needs, with where it is written.
type GateCond struct {
	Pred *CfgPred
	// On is the module or item the predicate is written on: kernel::net.
	On   string
	File string
	// Span is the attribute that holds the predicate, in File; Line is
	// the 0-based line where it starts.
	Span Span
	Line int
}

// GateDecl is one declaration of a gated path: a path can be declared
// more than once under different predicates (`#[cfg(test)] fn name` and
// `#[cfg(not(test))] fn name`).
type GateDecl struct {
	// Conds must all hold, outermost first.
	Conds []GateCond
	// File and Span locate the declaration (the item, or the `mod x;`);
	// Line is the 0-based line where it starts.
	File string
	Span Span
	Line int
}

// Gate is a path of the kernel crate that exists only under cfg
// predicates.
type Gate struct {
	Path  string
	Decls []*GateDecl
}

// Eval is the gate's truth: the path exists if some declaration's
// predicates all hold.
func (g *Gate) Eval(leaf func(*CfgPred) CfgTruth) CfgTruth {
	best := CfgFalse
	for _, d := range g.Decls {
		v := CfgTrue
		for _, c := range d.Conds {
			v = min(v, c.Pred.Eval(leaf))
		}
		best = max(best, v)
	}
	return best
}

// Module is a module of the kernel crate.
type Module struct {
	Path string
	// File holds the module's items; Decl locates its `mod` declaration
	// (in DeclFile), zero for the crate root.
	File     string
	DeclFile string
	Decl     Span
	Conds    []GateCond
}

// GateIndex is the kernel crate's gated API.
type GateIndex struct {
	Srctree string
	// Files is the number of files read; Missing lists `mod x;`
	// declarations whose file was not found.
	Files   int
	Missing []string

	gates   map[string]*Gate
	modules map[string]*Module
	files   map[string]string // absolute file → module path
}

// Lookup returns the gate of the longest gated prefix of path
// (`kernel::net::phy::Driver` → the gate of kernel::net::phy). A leading
// `::` is ignored.
func (x *GateIndex) Lookup(path string) (*Gate, bool) {
	if x == nil {
		return nil, false
	}
	p := strings.TrimPrefix(path, "::")
	for {
		if g, ok := x.gates[p]; ok {
			return g, true
		}
		i := strings.LastIndex(p, "::")
		if i < 0 {
			return nil, false
		}
		p = p[:i]
	}
}

// Gates returns every gate, sorted by path.
func (x *GateIndex) Gates() []*Gate {
	out := make([]*Gate, 0, len(x.gates))
	for _, g := range x.gates {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Module returns a module by path.
func (x *GateIndex) Module(path string) (*Module, bool) {
	if x == nil {
		return nil, false
	}
	m, ok := x.modules[path]
	return m, ok
}

// ModuleOfFile returns the module path a file of the kernel crate
// implements. A relative file name is taken relative to the srctree.
func (x *GateIndex) ModuleOfFile(file string) (string, bool) {
	if x == nil {
		return "", false
	}
	if !filepath.IsAbs(file) {
		if m, ok := x.files[filepath.Join(x.Srctree, file)]; ok {
			return m, true
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return "", false
		}
		file = abs
	}
	m, ok := x.files[filepath.Clean(file)]
	return m, ok
}

// KernelGates builds the gate index of the kernel crate of a source tree.
func KernelGates(srctree string) (*GateIndex, error) {
	return KernelGatesContext(context.Background(), srctree)
}

// KernelGatesContext is KernelGates, cancelled through ctx.
func KernelGatesContext(ctx context.Context, srctree string) (*GateIndex, error) {
	abs, err := filepath.Abs(srctree)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(abs, "rust", "kernel", "lib.rs")
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("kernel crate: %w", err)
	}
	// Read and scan every file under rust/kernel at once, in parallel:
	// following `mod x;` from lib.rs would make each file wait for its
	// parent. Files reached otherwise (#[path] out of the folder) are
	// scanned when the assembly reaches them.
	var paths []string
	err = filepath.WalkDir(filepath.Dir(root), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rs") {
			paths = append(paths, filepath.Clean(p))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	scans := make(map[string]*fileScan, len(paths))
	p := pool.New().WithMaxGoroutines(runtime.GOMAXPROCS(0))
	for _, path := range paths {
		fs := &fileScan{path: path}
		scans[path] = fs
		p.Go(func() {
			if ctx.Err() == nil {
				fs.scan(ctx)
			}
		})
	}
	p.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if fs := scans[root]; fs == nil || fs.err != nil {
		if fs != nil {
			return nil, fs.err
		}
		return nil, fmt.Errorf("kernel crate: %s not read", root)
	}
	x := &GateIndex{Srctree: abs, gates: map[string]*Gate{}, modules: map[string]*Module{}, files: map[string]string{}}
	a := &assembler{ctx: ctx, x: x, scans: scans, done: map[string]bool{}}
	a.file(scans[root], true, "kernel", nil, "", Span{}, 0)
	a.reexports()
	for _, fs := range scans {
		if fs.err == nil && a.done[fs.path] {
			x.Files++
		}
	}
	sort.Strings(x.Missing)
	return x, nil
}

// fileScan is what one file contributes, read before its tree is closed.
type fileScan struct {
	path  string
	src   []byte
	lines *Lines
	light bool
	err   error

	mods      []*modDecl
	scopes    []gateScope
	items     []gatedItem
	macros    []gatedItem
	reexports []reexport
}

// modDecl is a `mod` item.
type modDecl struct {
	rel       []string // path within the file: enclosing inline mods, then the name
	span      Span
	id        uintptr
	inline    bool
	body      Span
	pathAttr  string
	file      string // for `mod x;`: the file found, or ""
	fileModRS bool
	tried     []string
}

// gateScope is a gated part of the file (a sitter-free copy of Gated).
type gateScope struct {
	span  Span
	file  bool
	preds []*CfgPred
	on    []string // what the predicates are written on, relative to the file's module
}

// gatedItem is an item with a path of its own.
type gatedItem struct {
	rel  []string // relative to the file's module; for macros, the name
	span Span
}

// reexport is one leaf of a `pub use`.
type reexport struct {
	rel    []string // the module holding the use, relative to the file's module
	name   string
	target []PathSeg
	span   Span
}

// scan reads the file and, unless it is light, scans its tree. A light
// file has no cfg, no mod and no #[path]: it declares no module and
// gates nothing of its own, so its tree is needed only if it turns out
// to re-export a gated path or to export macros from a gated module
// (treeScan, on demand). A third of the kernel crate's bytes are light.
func (fs *fileScan) scan(ctx context.Context) {
	src, err := os.ReadFile(fs.path)
	if err != nil {
		fs.err = err
		return
	}
	fs.src = src
	words, _ := cfgCandidates(src)
	fs.light = !anyInCode(src, words) && !anyInCode(src, modCandidates(src))
	if !fs.light {
		fs.treeScan(ctx)
	}
}

// anyInCode reports whether a candidate may be code: it is not on a line
// that starts with `//` (doc comments mention `mod` and `#[cfg]` often).
// Only a prefilter: the tree decides.
func anyInCode(src []byte, cands []Span) bool {
	for _, c := range cands {
		ls := bytes.LastIndexByte(src[:c.Start], '\n') + 1
		i := skipSpace(src, ls)
		if !(i+1 < len(src) && src[i] == '/' && src[i+1] == '/') {
			return true
		}
	}
	return false
}

// treeScan parses the file and reads what it contributes.
func (fs *fileScan) treeScan(ctx context.Context) {
	fs.light = false
	f, err := Parse(ctx, fs.path, fs.src)
	if err != nil {
		fs.err = err
		return
	}
	defer f.Close()
	fs.findMods(f)
	fs.findPathAttrs(f)
	fs.findItems(f, GatesOf(f))
	fs.findMacroExports(f)
	fs.findReexports(f)
}

// line is the 0-based line of offset in the file.
func (fs *fileScan) line(offset int) int {
	if fs.lines == nil {
		fs.lines = NewLines(fs.src)
	}
	return fs.lines.Line(offset)
}

// innermostMod is the reachable inline mod whose body holds offset.
func (fs *fileScan) innermostMod(offset int) *modDecl {
	var best *modDecl
	for _, d := range fs.mods {
		if d.inline && d.body.Start <= offset && offset < d.body.End {
			if best == nil || d.body.Start >= best.body.Start {
				best = d
			}
		}
	}
	return best
}

func (fs *fileScan) relAt(offset int) []string {
	if d := fs.innermostMod(offset); d != nil {
		return d.rel
	}
	return nil
}

func appendRel(rel []string, names ...string) []string {
	out := make([]string, 0, len(rel)+len(names))
	return append(append(out, rel...), names...)
}

// wordCandidates finds a keyword or attribute name in the text:
// word-bounded occurrences, sorted.
func wordCandidates(src []byte, word string, ok func(s, e int) bool) []Span {
	var out []Span
	w := []byte(word)
	for i := 0; ; {
		j := bytes.Index(src[i:], w)
		if j < 0 {
			return out
		}
		s := i + j
		e := s + len(word)
		i = e
		if s > 0 && IsIdentByte(src[s-1]) || e < len(src) && IsIdentByte(src[e]) {
			continue
		}
		if ok(s, e) {
			out = append(out, Span{s, e})
		}
	}
}

// reachable reports whether a path from the root to an item passes only
// through the file and inline mods: items in functions, impls or blocks
// have no module path.
func reachable(path []PathNode) bool {
	for _, n := range path[1:] {
		if n.Kind != K.DeclarationList && n.Kind != K.ModItem {
			return false
		}
	}
	return true
}

// modCandidates finds `mod name` in the text.
func modCandidates(src []byte) []Span {
	return wordCandidates(src, "mod", func(s, e int) bool {
		k := skipSpace(src, e)
		return k > e && k < len(src) && IsIdentStart(src[k])
	})
}

func (fs *fileScan) findMods(f *File) {
	cands := modCandidates(f.Src)
	byID := map[uintptr]*modDecl{}
	f.VisitPaths(cands, func(i int, path []PathNode) bool {
		n := len(path)
		if n < 2 || path[n-1].Start != cands[i].Start || path[n-2].Kind != K.ModItem || !reachable(path[:n-1]) {
			return true
		}
		item := path[n-2]
		name := item.Node.ChildByFieldName("name")
		if name == nil {
			return true
		}
		var rel []string
		for _, p := range path[:n-2] {
			if p.Kind == K.ModItem {
				if outer := byID[p.Node.Id()]; outer != nil {
					rel = outer.rel
				}
			}
		}
		d := &modDecl{rel: appendRel(rel, string(f.Text(name))), span: Span{item.Start, item.End}, id: item.Node.Id()}
		if body := item.Node.ChildByFieldName("body"); body != nil {
			d.inline = true
			d.body = Span{int(body.StartByte()), int(body.EndByte())}
		}
		byID[d.id] = d
		fs.mods = append(fs.mods, d)
		return true
	})
}

// attrWordCandidates finds `#[word` (an outer attribute named word).
func attrWordCandidates(src []byte, word string) []Span {
	return wordCandidates(src, word, func(s, e int) bool {
		p := prevNonSpace(src, s)
		if p < 0 || src[p] != '[' {
			return false
		}
		_, inner, ok := attrOpener(src, p)
		return ok && !inner
	})
}

// attrsNamed finds the outer attributes named word in code and their
// targets.
func attrsNamed(f *File, word string) []*attrAt {
	cands := attrWordCandidates(f.Src, word)
	var as []*attrAt
	f.VisitPaths(cands, func(i int, path []PathNode) bool {
		n := len(path)
		if n < 4 || path[n-1].Start != cands[i].Start || path[n-1].Kind != K.Identifier ||
			path[n-2].Kind != K.Attribute || path[n-2].Start != cands[i].Start || path[n-3].Kind != K.AttributeItem {
			return true
		}
		a := &attrAt{attr: path[n-3].Node, start: path[n-3].Start, container: path[n-4].Node, containerKind: path[n-4].Kind}
		if n >= 5 {
			a.owner = path[n-5].Node
		}
		as = append(as, a)
		return true
	})
	resolveAttrTargets(f, as)
	return as
}

func (fs *fileScan) findPathAttrs(f *File) {
	if !bytes.Contains(f.Src, []byte("#[path")) && !bytes.Contains(f.Src, []byte("path =")) {
		return
	}
	for _, a := range attrsNamed(f, "path") {
		if a.target == nil || a.targetKind != K.ModItem {
			continue
		}
		// #[path = "file.rs"]: the string after `=`.
		text := f.Text(a.attr)
		l := cfgLexer{src: text, end: len(text)}
		var val string
		for {
			k, s, e := l.next()
			if k == tokEOF {
				break
			}
			if k == tokString {
				if v, ok := unquote(text[s:e]); ok {
					val = v
				}
				break
			}
		}
		id := a.target.Id()
		for _, d := range fs.mods {
			if d.id == id {
				d.pathAttr = val
			}
		}
	}
}

// resolveFiles applies the module file rules to each `mod x;`. modRS
// says whether the file places its children beside it (lib.rs, mod.rs,
// a file loaded through #[path]) or in a folder named after it.
func (fs *fileScan) resolveFiles(modRS bool) {
	fileDir := filepath.Dir(fs.path)
	// The directory children of this file live in.
	dir := fileDir
	if !modRS {
		dir = filepath.Join(fileDir, strings.TrimSuffix(filepath.Base(fs.path), ".rs"))
	}
	for _, d := range fs.mods {
		if d.inline {
			continue
		}
		// Directories of the enclosing inline mods (their #[path] or name).
		var inlineDirs []string
		for _, o := range fs.mods {
			if o.inline && o.body.Start <= d.span.Start && d.span.End <= o.body.End {
				name := o.rel[len(o.rel)-1]
				if o.pathAttr != "" {
					name = o.pathAttr
				}
				inlineDirs = append(inlineDirs, name)
			}
		}
		name := d.rel[len(d.rel)-1]
		var cands []string
		switch {
		case d.pathAttr != "" && len(inlineDirs) == 0:
			cands = []string{filepath.Join(fileDir, d.pathAttr)}
		case d.pathAttr != "":
			cands = []string{filepath.Join(append([]string{dir}, append(inlineDirs, d.pathAttr)...)...)}
		default:
			base := filepath.Join(append([]string{dir}, inlineDirs...)...)
			cands = []string{filepath.Join(base, name+".rs"), filepath.Join(base, name, "mod.rs")}
		}
		d.tried = cands
		for _, c := range cands {
			if st, err := os.Stat(c); err == nil && !st.IsDir() {
				d.file = filepath.Clean(c)
				d.fileModRS = d.pathAttr != "" || filepath.Base(c) == "mod.rs"
				break
			}
		}
	}
}

// itemName is the name of a named item node.
func itemName(f *File, n *sitter.Node) string {
	if name := n.ChildByFieldName("name"); name != nil {
		return strings.TrimPrefix(string(f.Text(name)), "r#")
	}
	return ""
}

// implType is the self type of an inherent impl (`impl<T> Foo<T>` →
// Foo), or "" for trait impls and types krls cannot name.
func implType(f *File, impl *sitter.Node) string {
	if impl.ChildByFieldName("trait") != nil {
		return ""
	}
	t := impl.ChildByFieldName("type")
	if t == nil {
		return ""
	}
	s := string(f.Text(t))
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	for _, c := range []byte(s) {
		if !IsIdentByte(c) {
			return ""
		}
	}
	return s
}

var pathItemKinds = map[uint16]bool{}

func init() {
	for _, k := range []uint16{K.FunctionItem, K.StructItem, K.EnumItem, K.UnionItem, K.TraitItem,
		K.TypeItem, K.ConstItem, K.StaticItem, K.FunctionSignatureItem} {
		pathItemKinds[k] = true
	}
}

// moduleLevel tells whether a gated node sits directly in the file or
// in a reachable inline mod, and its module path within the file.
func (fs *fileScan) moduleLevel(g *Gated) ([]string, bool) {
	switch {
	case g.ContainerKind == K.SourceFile:
		return nil, true
	case g.ContainerKind == K.DeclarationList && g.Owner != nil && g.Owner.KindId() == K.ModItem:
		id := g.Owner.Id()
		for _, d := range fs.mods {
			if d.id == id {
				return d.rel, true
			}
		}
	}
	return nil, false
}

// implItemsOf names the associated fns, consts and types of an impl body.
func implItemsOf(f *File, impl *sitter.Node) []gatedItem {
	body := impl.ChildByFieldName("body")
	if body == nil {
		return nil
	}
	var out []gatedItem
	c := body.Walk()
	defer c.Close()
	if !c.GotoFirstChild() {
		return nil
	}
	for {
		n := c.Node()
		if k := n.KindId(); k == K.FunctionItem || k == K.ConstItem || k == K.TypeItem {
			if name := itemName(f, n); name != "" {
				out = append(out, gatedItem{rel: []string{name}, span: Span{int(n.StartByte()), int(n.EndByte())}})
			}
		}
		if !c.GotoNextSibling() {
			return out
		}
	}
}

func (fs *fileScan) findItems(f *File, g *Gates) {
	for _, x := range g.Items {
		sc := gateScope{span: x.Span, file: x.File, preds: x.Preds}
		rel, level := fs.moduleLevel(x)
		switch {
		case x.File:
		case x.Kind == K.ModItem:
			for _, d := range fs.mods {
				if d.id == x.Node.Id() {
					sc.on = d.rel
				}
			}
		case level && pathItemKinds[x.Kind]:
			if name := itemName(f, x.Node); name != "" {
				sc.on = appendRel(rel, name)
				fs.items = append(fs.items, gatedItem{rel: sc.on, span: x.Item})
			}
		case level && x.Kind == K.ImplItem:
			// A gated inherent impl gates each of its items.
			if t := implType(f, x.Node); t != "" {
				sc.on = appendRel(rel, t)
				for _, it := range implItemsOf(f, x.Node) {
					fs.items = append(fs.items, gatedItem{rel: appendRel(rel, t, it.rel[0]), span: it.span})
				}
			}
		case x.ContainerKind == K.DeclarationList && x.Owner != nil && x.Owner.KindId() == K.ImplItem && pathItemKinds[x.Kind]:
			// A gated associated item of an inherent impl at module level.
			if rel, ok := fs.assocPath(f, x); ok {
				sc.on = rel
				fs.items = append(fs.items, gatedItem{rel: rel, span: x.Item})
			} else {
				sc.on = fs.relAt(x.Span.Start)
			}
		default:
			sc.on = fs.relAt(x.Span.Start)
		}
		fs.scopes = append(fs.scopes, sc)
	}
}

// assocPath is the path of an associated item of an inherent impl that
// sits at module level: Type::name within the impl's module. Two Parent
// calls per gated associated item; there are few.
func (fs *fileScan) assocPath(f *File, x *Gated) ([]string, bool) {
	t := implType(f, x.Owner)
	name := itemName(f, x.Node)
	if t == "" || name == "" {
		return nil, false
	}
	holder := x.Owner.Parent()
	if holder == nil {
		return nil, false
	}
	switch holder.KindId() {
	case K.SourceFile:
		return []string{t, name}, true
	case K.DeclarationList:
		if mod := holder.Parent(); mod != nil {
			for _, d := range fs.mods {
				if d.id == mod.Id() {
					return appendRel(d.rel, t, name), true
				}
			}
		}
	}
	return nil, false
}

func (fs *fileScan) findMacroExports(f *File) {
	if !bytes.Contains(f.Src, []byte("macro_export")) {
		return
	}
	for _, a := range attrsNamed(f, "macro_export") {
		if a.target == nil || a.targetKind != K.MacroDefinition {
			continue
		}
		if name := itemName(f, a.target); name != "" {
			fs.macros = append(fs.macros, gatedItem{rel: []string{name}, span: Span{int(a.target.StartByte()), int(a.target.EndByte())}})
		}
	}
}

// pubUseCandidates finds `pub use`, `pub(crate) use`, `pub(in p) use`
// in the text: the `use` keywords.
func pubUseCandidates(src []byte) []Span {
	return wordCandidates(src, "use", func(s, e int) bool {
		p := prevNonSpace(src, s)
		return p >= 2 && (src[p] == ')' || string(src[p-2:p+1]) == "pub")
	})
}

func (fs *fileScan) findReexports(f *File) {
	src := f.Src
	cands := pubUseCandidates(src)
	f.VisitPaths(cands, func(i int, path []PathNode) bool {
		n := len(path)
		if n < 2 || path[n-1].Start != cands[i].Start || path[n-2].Kind != K.UseDeclaration || !reachable(path[:n-2]) {
			return true
		}
		decl := path[n-2]
		if !strings.HasPrefix(string(src[decl.Start:decl.End]), "pub") {
			return true
		}
		rel := fs.relAt(decl.Start)
		for _, leaf := range parseUseTree(src, cands[i].End, decl.End) {
			if leaf.Glob || leaf.Global || len(leaf.Segs) == 0 || leaf.Alias == "_" {
				continue
			}
			name := leaf.Alias
			if name == "" {
				name = leaf.Segs[len(leaf.Segs)-1].Name
			}
			fs.reexports = append(fs.reexports, reexport{rel: rel, name: name, target: leaf.Segs, span: Span{decl.Start, decl.End}})
		}
		return true
	})
}

// assembler builds the index from the file scans, from the root down.
type assembler struct {
	ctx     context.Context
	x       *GateIndex
	scans   map[string]*fileScan
	done    map[string]bool
	pending []pendingReexport
	light   []lightFile
}

// lightFile is a file reached without a tree scan, with its module.
type lightFile struct {
	fs        *fileScan
	mod       string
	inherited []GateCond
}

type pendingReexport struct {
	module string
	r      reexport
	conds  []GateCond
	file   string
	line   int
}

func joinPath(mod string, rel []string) string {
	if len(rel) == 0 {
		return mod
	}
	return mod + "::" + strings.Join(rel, "::")
}

// condsAt are the predicates of the file's module plus those of the
// gated parts of the file that hold offset.
func (a *assembler) condsAt(fs *fileScan, mod string, inherited []GateCond, offset int) []GateCond {
	out := append([]GateCond(nil), inherited...)
	for _, sc := range fs.scopes {
		if sc.file || sc.span.Start <= offset && offset < sc.span.End {
			for _, p := range sc.preds {
				out = append(out, GateCond{Pred: p, On: joinPath(mod, sc.on), File: fs.path, Span: p.Site, Line: fs.line(p.Site.Start)})
			}
		}
	}
	return out
}

func (a *assembler) addGate(path string, d *GateDecl) {
	g := a.x.gates[path]
	if g == nil {
		g = &Gate{Path: path}
		a.x.gates[path] = g
	}
	g.Decls = append(g.Decls, d)
}

func (a *assembler) file(fs *fileScan, modRS bool, mod string, inherited []GateCond, declFile string, decl Span, declLine int) {
	if fs == nil || fs.err != nil || a.done[fs.path] {
		return
	}
	a.done[fs.path] = true
	x := a.x
	x.files[fs.path] = mod
	// Macros a light file exports are gated only if its module is.
	if fs.light && len(inherited) > 0 && bytes.Contains(fs.src, []byte("macro_export")) {
		fs.treeScan(a.ctx)
	}
	fs.resolveFiles(modRS)
	// The file's own #![cfg] gates the module too: it joins the
	// declaration's predicates.
	fileConds := a.condsAt(fs, mod, inherited, -1)
	x.modules[mod] = &Module{Path: mod, File: fs.path, DeclFile: declFile, Decl: decl, Conds: fileConds}
	if inner := fileConds[len(inherited):]; len(inner) > 0 {
		if g := x.gates[mod]; g != nil && len(g.Decls) > 0 && g.Decls[len(g.Decls)-1].File == declFile && g.Decls[len(g.Decls)-1].Span == decl {
			last := g.Decls[len(g.Decls)-1]
			last.Conds = append(last.Conds, inner...)
		} else {
			file := declFile
			if file == "" {
				file = fs.path
			}
			a.addGate(mod, &GateDecl{Conds: fileConds, File: file, Span: decl, Line: declLine})
		}
	}
	for _, d := range fs.mods {
		path := joinPath(mod, d.rel)
		conds := a.condsAt(fs, mod, inherited, d.span.Start)
		if len(conds) > 0 {
			a.addGate(path, &GateDecl{Conds: conds, File: fs.path, Span: d.span, Line: fs.line(d.span.Start)})
		}
		switch {
		case d.inline:
			x.modules[path] = &Module{Path: path, File: fs.path, DeclFile: fs.path, Decl: d.span, Conds: conds}
		case d.file != "":
			child := a.scans[d.file]
			if child == nil {
				// Out of rust/kernel, through #[path]: scan it now.
				child = &fileScan{path: d.file}
				a.scans[d.file] = child
				child.scan(a.ctx)
			}
			a.file(child, d.fileModRS, path, conds, fs.path, d.span, fs.line(d.span.Start))
		default:
			x.Missing = append(x.Missing, fmt.Sprintf("%s: mod %s: none of %s", fs.path, path, strings.Join(d.tried, ", ")))
		}
	}
	for _, it := range fs.items {
		if conds := a.condsAt(fs, mod, inherited, it.span.Start); len(conds) > 0 {
			a.addGate(joinPath(mod, it.rel), &GateDecl{Conds: conds, File: fs.path, Span: it.span, Line: fs.line(it.span.Start)})
		}
	}
	for _, m := range fs.macros {
		if conds := a.condsAt(fs, mod, inherited, m.span.Start); len(conds) > 0 {
			a.addGate("kernel::"+m.rel[0], &GateDecl{Conds: conds, File: fs.path, Span: m.span, Line: fs.line(m.span.Start)})
		}
	}
	if fs.light {
		a.light = append(a.light, lightFile{fs, mod, inherited})
	}
	for _, r := range fs.reexports {
		a.pending = append(a.pending, pendingReexport{
			module: joinPath(mod, r.rel), r: r, file: fs.path, line: fs.line(r.span.Start),
			conds: a.condsAt(fs, mod, inherited, r.span.Start),
		})
	}
}

type reexportAdd struct {
	path string
	d    *GateDecl
}

// reexports gives a re-exported name the gate of its target (one level:
// a re-export of a re-export is not followed), or the re-export's own.
func (a *assembler) reexports() {
	// A light file needs its tree only if a `pub use` in its text names
	// a gated path: the text says so cheaply, the tree confirms (the
	// text may be a comment).
	for _, lf := range a.light {
		if lf.fs.err == nil && lf.fs.light && a.reexportsGated(lf.fs.src, lf.mod) {
			lf.fs.treeScan(a.ctx)
			for _, r := range lf.fs.reexports {
				a.pending = append(a.pending, pendingReexport{
					module: joinPath(lf.mod, r.rel), r: r, file: lf.fs.path, line: lf.fs.line(r.span.Start),
					conds: a.condsAt(lf.fs, lf.mod, lf.inherited, r.span.Start),
				})
			}
		}
	}
	var adds []reexportAdd
	for _, p := range a.pending {
		target, ok := resolveModulePath(p.module, p.r.target)
		if !ok {
			continue
		}
		path := p.module + "::" + p.r.name
		if _, own := a.x.gates[path]; own {
			continue // a path gated by its own declaration keeps its gate
		}
		var decls []*GateDecl
		if g, ok := a.x.Lookup(target); ok {
			for _, d := range g.Decls {
				decls = append(decls, &GateDecl{Conds: mergeConds(p.conds, d.Conds), File: d.File, Span: d.Span, Line: d.Line})
			}
		} else if len(p.conds) > 0 {
			decls = append(decls, &GateDecl{Conds: p.conds, File: p.file, Span: p.r.span, Line: p.line})
		}
		// A re-export that adds nothing to the gate of the module
		// holding it (block::mq re-exporting its own submodules' types)
		// needs no gate of its own.
		if mg, ok := a.x.Lookup(p.module); ok && len(mg.Decls) == 1 && covered(decls, mg.Decls[0].Conds) {
			continue
		}
		for _, d := range decls {
			adds = append(adds, reexportAdd{path, d})
		}
	}
	for _, ad := range adds {
		a.addGate(ad.path, ad.d)
	}
}

// condKey identifies a condition by where it is written.
type condKey struct {
	file string
	span Span
}

// mergeConds concatenates condition lists, dropping repeats.
func mergeConds(a, b []GateCond) []GateCond {
	seen := map[condKey]bool{}
	var out []GateCond
	for _, c := range append(append([]GateCond(nil), a...), b...) {
		k := condKey{c.File, c.Span}
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}

// covered: every declaration needs only conditions of have.
func covered(decls []*GateDecl, have []GateCond) bool {
	set := map[condKey]bool{}
	for _, c := range have {
		set[condKey{c.File, c.Span}] = true
	}
	for _, d := range decls {
		for _, c := range d.Conds {
			if !set[condKey{c.File, c.Span}] {
				return false
			}
		}
	}
	return len(decls) > 0
}

// reexportsGated reads the `pub use` declarations of a text without its
// tree and reports whether one names a gated path.
func (a *assembler) reexportsGated(src []byte, mod string) bool {
	for _, c := range pubUseCandidates(src) {
		end := indexByteFrom(src, c.End, ';')
		for _, leaf := range parseUseTree(src, c.End, end) {
			if leaf.Glob || leaf.Global {
				continue
			}
			if target, ok := resolveModulePath(mod, leaf.Segs); ok {
				if _, gated := a.x.Lookup(target); gated {
					return true
				}
			}
		}
	}
	return false
}

func indexByteFrom(src []byte, from int, c byte) int {
	for i := from; i < len(src); i++ {
		if src[i] == c {
			return i
		}
	}
	return len(src)
}

// resolveModulePath resolves a use path written in module mod: crate::,
// self::, super::, or a name in mod (2018 uniform paths; extern crates
// resolve to paths no gate has).
func resolveModulePath(mod string, segs []PathSeg) (string, bool) {
	if len(segs) == 0 {
		return "", false
	}
	parts := strings.Split(mod, "::")
	i := 0
	switch segs[0].Name {
	case "crate", "kernel":
		parts = []string{"kernel"}
		i = 1
	case "self":
		i = 1
	case "super":
		for i < len(segs) && segs[i].Name == "super" {
			if len(parts) <= 1 {
				return "", false
			}
			parts = parts[:len(parts)-1]
			i++
		}
	}
	for _, s := range segs[i:] {
		parts = append(parts, s.Name)
	}
	return strings.Join(parts, "::"), true
}
