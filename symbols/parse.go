// Package symbols parses Rust with tree-sitter and reads facts from the
// syntax tree. It knows nothing of LSP; it speaks byte offsets.
//
// The grammar is the official tree-sitter-rust 0.24 on the official Go
// runtime (go-tree-sitter 0.25): older grammars (smacker's bundle, 0.23)
// produce ERROR nodes on Linux 6.12's const generic defaults.
//
// Every node access is a cgo call, so callers should find what they need
// by scanning the text first and asking the tree only about those places,
// rather than walking every node from Go.
package symbols

import (
	"context"
	"errors"
	"fmt"

	sitter "github.com/tree-sitter/go-tree-sitter"
	rust "github.com/tree-sitter/tree-sitter-rust/bindings/go"
)

// language is immutable once loaded; sharing it between parsers is safe.
var language = sitter.NewLanguage(rust.Language())

// K holds the numeric ids of the node kinds the analyses look at, so that
// comparisons do not have to fetch kind names through cgo.
var K = loadKinds(language)

// MaxFileSize is the largest file krls parses. Bigger files (generated
// tables, mostly) are skipped with a message rather than stalling a
// request: tree-sitter parses about 9 MB/s on one core.
const MaxFileSize = 16 << 20

// ErrTooLarge is returned for files over MaxFileSize.
var ErrTooLarge = errors.New("file too large to analyse")

// File is a parsed Rust source. It owns C memory: call Close.
type File struct {
	Path  string
	Src   []byte
	Lines *Lines
	tree  *sitter.Tree
}

// Parse parses src. It honours ctx: a cancelled parse returns ctx.Err().
// Syntax errors are not an error: tree-sitter recovers, and rules work on
// whatever parsed.
func Parse(ctx context.Context, path string, src []byte) (*File, error) {
	if len(src) > MaxFileSize {
		return nil, fmt.Errorf("parse %s: %w (%d bytes, limit %d)", path, ErrTooLarge, len(src), MaxFileSize)
	}
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(language); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	var opts *sitter.ParseOptions
	if ctx.Done() != nil {
		opts = &sitter.ParseOptions{ProgressCallback: func(sitter.ParseState) bool { return ctx.Err() != nil }}
	}
	n := len(src)
	tree := p.ParseWithOptions(func(i int, _ sitter.Point) []byte {
		if i < n {
			return src[i:]
		}
		return nil
	}, nil, opts)
	if tree == nil {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		return nil, fmt.Errorf("parse %s: tree-sitter returned no tree", path)
	}
	return &File{Path: path, Src: src, Lines: NewLines(src), tree: tree}, nil
}

// Close frees the syntax tree.
func (f *File) Close() {
	if f != nil && f.tree != nil {
		f.tree.Close()
		f.tree = nil
	}
}

// Root is the source_file node.
func (f *File) Root() *sitter.Node { return f.tree.RootNode() }

// HasError reports whether the tree contains ERROR or MISSING nodes.
func (f *File) HasError() bool { return f.tree.RootNode().HasError() }

// NodeAt is the smallest node spanning [start, end).
func (f *File) NodeAt(start, end int) *sitter.Node {
	return f.tree.RootNode().DescendantForByteRange(uint(start), uint(end))
}

// Text is the source text of n.
func (f *File) Text(n *sitter.Node) []byte {
	if n == nil {
		return nil
	}
	return f.Src[n.StartByte():n.EndByte()]
}

// Line is the 0-based line where n starts.
func (f *File) Line(n *sitter.Node) int { return f.Lines.Line(int(n.StartByte())) }

// PathNode is one node on a root-to-leaf path, with the facts rules ask
// about most, fetched once.
type PathNode struct {
	Node       *sitter.Node
	Kind       uint16
	Start, End int
}

// PathTo returns the nodes from the root down to the smallest node spanning
// [start, end), root first. One cursor descent replaces a climb of
// Parent() calls, each of which tree-sitter answers by searching down
// from the root again.
func (f *File) PathTo(start, end int) []PathNode {
	c := f.tree.Walk()
	defer c.Close()
	root := c.Node()
	path := make([]PathNode, 1, 24)
	path[0] = PathNode{root, root.KindId(), int(root.StartByte()), int(root.EndByte())}
	for c.GotoFirstChildForByte(uint32(start)) != nil {
		n := c.Node()
		s, e := int(n.StartByte()), int(n.EndByte())
		if s > start || e < end {
			break
		}
		path = append(path, PathNode{n, n.KindId(), s, e})
	}
	return path
}

// Span is a byte range [Start, End).
type Span struct{ Start, End int }

// VisitPaths calls visit with the root-to-leaf path to each target span,
// in order; targets must be sorted by Start. One cursor serves all
// targets, climbing only as far as needed between them, so a file's
// targets cost about one walk of the tree instead of one descent each.
// The path slice is reused between calls: visit must not keep it (the
// nodes in it may be kept). Visiting stops when visit returns false.
func (f *File) VisitPaths(targets []Span, visit func(i int, path []PathNode) bool) {
	c := f.tree.Walk()
	defer c.Close()
	root := c.Node()
	stack := make([]PathNode, 1, 32)
	stack[0] = PathNode{root, root.KindId(), int(root.StartByte()), int(root.EndByte())}
	for i, t := range targets {
		for len(stack) > 1 {
			top := stack[len(stack)-1]
			if top.Start <= t.Start && t.End <= top.End {
				break
			}
			c.GotoParent()
			stack = stack[:len(stack)-1]
		}
		for c.GotoFirstChildForByte(uint32(t.Start)) != nil {
			n := c.Node()
			s, e := int(n.StartByte()), int(n.EndByte())
			if s > t.Start || e < t.End {
				c.GotoParent()
				break
			}
			stack = append(stack, PathNode{n, n.KindId(), s, e})
		}
		if !visit(i, stack) {
			return
		}
	}
}
