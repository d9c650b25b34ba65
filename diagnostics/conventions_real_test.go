package diagnostics

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/panics"
)

// castMisplaced are the `// CAST:` comments of the trees that document no
// cast where they stand, by "file:text of the line below": krls reports
// them, rightly.
var castMisplaced = map[string]string{}

// castUnseen are the `// CAST:` comments whose casts krls does not see,
// by "file:text of the comment's first line", with why. (None since the
// input of macro calls in macro_rules! bodies is read: nova-core's num.rs
// documents the casts in a build_assert! of its impl_const_into! body.)
var castUnseen = map[string]string{}

// panicUnseen are the `// PANIC:` comments whose sites krls does not
// see, as castUnseen.
// (None since the input of macros that take code is read: 7.2's PANIC
// comment in try_pin_init! input documents its expect().)
var panicUnseen = map[string]string{}

// TestKernelCastComments validates the CAST rules on each fixture kernel
// (there is no clippy lint to compare with yet): every existing `// CAST:`
// comment documents a cast where it stands (no unnecessary-cast-comment
// but the listed ones), and deleting any one of them makes the casts it
// documented undocumented, and only those: each new undocumented-cast
// lies in the code below the deleted comment, and there is at least one.
// It logs the undocumented casts per top folder: the adoption burden.
func TestKernelCastComments(t *testing.T) {
	validateConvention(t, "CAST:", UndocumentedCast, UnnecessaryCastComment, castUnseen, nil, true)
}

// TestKernelPanicComments is TestKernelCastComments for `// PANIC:` (11
// comments in 7.2: copy_from_slice, split_at, slicing, unreachable!(),
// expect()). It runs twice: with krls's built-in list of core's
// panicking methods, and with core and alloc read from the Rust sources
// when they are installed ($RUST_SRC_PATH, rustc's sysroot).
func TestKernelPanicComments(t *testing.T) {
	withMacros := func(lib func() *panics.Library) func(testing.TB, kernelTree, *Config) {
		return func(t testing.TB, kt kernelTree, cfg *Config) {
			var asserts []string
			for _, kf := range kt.files {
				asserts = append(asserts, panics.DocumentedAsserts(kf.src)...)
			}
			macros := panics.MacroSet(asserts)
			cfg.Panics = &PanicConfig{Library: lib, Macros: func() map[string]bool { return macros }}
		}
	}
	t.Run("builtin", func(t *testing.T) {
		validateConvention(t, "PANIC:", UndocumentedPanic, UnnecessaryPanicComment, panicUnseen, withMacros(nil), true)
	})
	t.Run("rust-src", func(t *testing.T) {
		dir, how := panics.FindLibrary(os.Getenv, "")
		if dir == "" {
			t.Skip("the Rust library sources are not installed (set RUST_SRC_PATH)")
		}
		lib, err := panics.ReadLibrary(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("core and alloc from %s (%s): %d files, %d names whose panics count", dir, how, lib.Files, len(lib.PanicNames()))
		validateConvention(t, "PANIC:", UndocumentedPanic, UnnecessaryPanicComment, panicUnseen, withMacros(func() *panics.Library { return lib }), true)
	})
}

// TestKernelInvariantComments is TestKernelCastComments for
// `// INVARIANT:`, without the dual. Not every comment documents a
// construction: the kernel writes them also where an invariant is kept by
// a mutation, a pointer cast or a call (`self.len += n`, `&*ptr.cast()`),
// and above constructions of types whose docs state no invariants (the
// outer type's, as ArcInner's refcount for Arc). So a comment need not
// report a site when deleted, unless the code below it builds a type the
// tree documents with `# Invariants` (the file's own type of that name,
// else any type of the tree by name, standing in for the index); the
// others are counted by what they stand above.
func TestKernelInvariantComments(t *testing.T) {
	validateConvention(t, "INVARIANT:", MissingInvariantComment, nil, nil, func(t testing.TB, kt kernelTree, cfg *Config) {
		cfg.Contracts = treeTypeDocs(t, kt)
	}, false)
}

// treeTypes stands in for the index's type docs in the INVARIANT
// validation: the tree's structs, enums and unions by name, with their
// `# Invariants` sections ("" for a type without). A name given to types
// both with and without invariants counts as having them (the index
// tells them apart by path; by name the validation errs towards finding
// constructions, which only the deletion check then judges).
type treeTypes map[string]string

func treeTypeDocs(t testing.TB, kt kernelTree) treeTypes {
	out := treeTypes{}
	for _, kf := range kt.files {
		if !strings.Contains(string(kf.src), "# Invariants") {
			continue
		}
		f, err := symbols.Parse(context.Background(), kf.rel, kf.src)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range symbols.Items(f).Items {
			if it.Kind == symbols.ItemStruct || it.Kind == symbols.ItemEnum || it.Kind == symbols.ItemUnion {
				if inv := symbols.DocSection(it.Doc, "Invariants"); inv != "" {
					out[it.Name] = inv
				}
			}
		}
		f.Close()
	}
	return out
}

func (treeTypes) Module() string                       { return "" }
func (treeTypes) Contract(string) (Contract, bool)     { return Contract{}, false }
func (tt treeTypes) HasInvariantType(name string) bool { _, ok := tt[name]; return ok }
func (tt treeTypes) Invariants(path string) (string, bool) {
	inv, ok := tt[path[strings.LastIndex(path, ":")+1:]]
	return inv, ok
}

// buildsInvariantType reports whether code (the statement below an
// `// INVARIANT:` comment) writes a construction of a type the tree
// documents with `# Invariants`: such a comment's site must be found.
// The file's own type of a name is the one built (rbtree.rs's Cursor has
// no invariants, list.rs's has).
func buildsInvariantType(code string, types treeTypes, own *symbols.FileItems) (string, bool) {
	for _, m := range constructionRE.FindAllStringSubmatch(code, -1) {
		name, local := m[1], false
		for _, it := range own.Items {
			if it.Name == name && (it.Kind == symbols.ItemStruct || it.Kind == symbols.ItemEnum || it.Kind == symbols.ItemUnion) {
				local = true
				if symbols.DocSection(it.Doc, "Invariants") != "" {
					return name, true
				}
			}
		}
		if _, ok := types[name]; ok && !local {
			return name, true
		}
	}
	return "", false
}

var (
	constructionRE = regexp.MustCompile(`\b([A-Z][A-Za-z0-9_]*)\s*[{(]`)
	structExprRE   = regexp.MustCompile(`^\s*(let\s+\w+\s*=\s*)?[A-Z][A-Za-z0-9_]*\s*\{`)
)

// TestKernelOrderingComments is TestKernelCastComments for `// ORDERING:`
// (7.2 has two, in print.rs, over calls of the kernel's own atomics).
func TestKernelOrderingComments(t *testing.T) {
	validateConvention(t, "ORDERING:", UndocumentedOrdering, UnnecessaryOrderingComment, nil, func(t testing.TB, kt kernelTree, cfg *Config) {
		cfg.Orderings = kernelOrderings(t, kt.Src)
	}, true)
}

// kernelOrderings reads the orderings of a tree's own atomics, as the
// workspace does for Config.Orderings.
func kernelOrderings(t testing.TB, src string) []string {
	b, err := os.ReadFile(filepath.Join(src, "rust", "kernel", "sync", "atomic", "ordering.rs"))
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^pub struct ([A-Z][A-Za-z]*);`).FindAllSubmatch(b, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// validateConvention checks a convention's rules on each fixture kernel
// against the tree's own comments of label (see TestKernelCastComments).
func validateConvention(t *testing.T, label string, undocumentedRule, unnecessaryRule *Rule, unseen map[string]string,
	setup func(testing.TB, kernelTree, *Config), strict bool) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			kt := readKernel(t, k)
			cfg := kt.cfg
			// The tree's macros, as the workspace gives them: which calls'
			// input is code (pin_init!, the tree's macro_rules!).
			cfg.Macros = treeMacroShapes(t, kt)
			cfg.Rules = map[string]bool{undocumentedRule.Name: true}
			if unnecessaryRule != nil {
				cfg.Rules[unnecessaryRule.Name] = true
			}
			if setup != nil {
				setup(t, kt, &cfg)
			}
			comments, deleted, found := 0, 0, 0
			burden := map[string]int{}
			other := map[string]int{} // what comments documenting no site krls finds stand above
			for _, kf := range kt.files {
				f, fs := analyzeSrc(t, kf.rel, kf.src, cfg)
				undocumented := map[int]bool{}
				for _, x := range fs {
					switch x.Rule {
					case ruleName(unnecessaryRule):
						below := strings.TrimSpace(string(f.Lines.Text(f.Lines.Line(x.Start) + 1)))
						if _, ok := castMisplaced[kf.rel+":"+below]; !ok {
							t.Errorf("%s:%d: %s", kf.rel, f.Lines.Line(x.Start)+1, x.Message)
						}
					case undocumentedRule.Name:
						undocumented[x.Start] = true
						burden[strings.SplitN(kf.rel, "/", 2)[0]]++
					}
				}
				p := newPass(context.Background(), f, cfg)
				for _, c := range p.labelComments(label) {
					if t := strings.TrimSpace(string(f.Lines.Text(c.line))); strings.HasPrefix(t, "//!") || strings.HasPrefix(t, "///") {
						continue // a doc example: no code of this crate
					}
					comments++
					lo, hi := f.Lines.Start(c.line), f.Lines.Start(c.codeLine)
					if c.blockEnd >= 0 {
						hi = f.Lines.Start(c.blockEnd + 1)
					} else {
						// The whole `//` run holding the label.
						for l := c.line + 1; l < c.codeLine; l++ {
							if !strings.HasPrefix(strings.TrimSpace(string(f.Lines.Text(l))), "//") {
								hi = f.Lines.Start(l)
								break
							}
						}
						for l := c.line - 1; l >= 0 && strings.HasPrefix(strings.TrimSpace(string(f.Lines.Text(l))), "//"); l-- {
							lo = f.Lines.Start(l)
						}
					}
					mutated := append(append([]byte{}, kf.src[:lo]...), kf.src[hi:]...)
					g, err := symbols.Parse(context.Background(), kf.rel, mutated)
					if err != nil {
						t.Fatal(err)
					}
					var fresh []string
					for _, x := range Analyze(context.Background(), g, cfg) {
						if x.Rule != undocumentedRule.Name {
							continue
						}
						orig := x.Start
						if orig >= lo {
							orig += hi - lo
						}
						if undocumented[orig] {
							continue
						}
						fresh = append(fresh, fmt.Sprintf("%d", g.Lines.Line(x.Start)+1))
						// The new finding lies in the statement below the comment
						// (or, for a comment inside a construction, in the one
						// holding it).
						above := 0
						if label == invariantConvention.label {
							above = 20
						}
						if line := g.Lines.Line(x.Start); line < f.Lines.Line(lo)-above || line > f.Lines.Line(lo)+40 {
							t.Errorf("%s:%d: deleting the %s comment reports a site at line %d", kf.rel, c.line+1, label, line+1)
						}
					}
					g.Close()
					if len(fresh) > 0 {
						found++
						if _, listed := unseen[kf.rel+":"+strings.TrimSpace(string(f.Lines.Text(c.line)))]; listed {
							t.Errorf("%s:%d: listed as unseen, yet deleting it reports its sites", kf.rel, c.line+1)
						}
					}
					if len(fresh) == 0 && !strict {
						// What the comment documents instead, by the code below it.
						var below strings.Builder
						for l := c.codeLine; l < c.codeLine+3 && l < f.Lines.Count(); l++ {
							below.Write(f.Lines.Text(l))
							below.WriteByte('\n')
						}
						types, _ := cfg.Contracts.(treeTypes)
						if name, ok := buildsInvariantType(below.String(), types, p.fileItems()); ok {
							if why, listed := unseen[kf.rel+":"+strings.TrimSpace(string(f.Lines.Text(c.line)))]; listed {
								t.Logf("%s:%d: its construction of %s is unseen: %s", kf.rel, c.line+1, name, why)
							} else {
								t.Errorf("%s:%d: deleting the %s comment above a construction of %s reports no site", kf.rel, c.line+1, label, name)
							}
						} else if structExprRE.MatchString(string(f.Lines.Text(c.codeLine))) {
							other["a struct expression of a type without `# Invariants`"]++
						} else {
							other["no struct expression (a mutation, a pointer cast, a call, Ok(..))"]++
						}
					}
					if len(fresh) == 0 && strict {
						if why, ok := unseen[kf.rel+":"+strings.TrimSpace(string(f.Lines.Text(c.line)))]; ok {
							t.Logf("%s:%d: its sites are unseen: %s", kf.rel, c.line+1, why)
						} else {
							t.Errorf("%s:%d: deleting the %s comment reports no site", kf.rel, c.line+1, label)
						}
					}
					deleted++
				}
				f.Close()
			}
			var tops []string
			for top, n := range burden {
				tops = append(tops, fmt.Sprintf("%s %d", top, n))
			}
			sort.Strings(tops)
			t.Logf("%d %s comments, %d deleted one by one, %d of them documented sites krls finds; undocumented sites per folder: %s",
				comments, label, deleted, found, strings.Join(tops, ", "))
			if len(other) > 0 {
				t.Logf("the others stand above: %v", other)
			}
			// Without strictness a comment may document what krls does not
			// see (a mutation, macro input); still, a rule that finds next
			// to none of the kernel's own sites is broken (today 1/1, 39/76,
			// 85/184 INVARIANT comments on 6.1, 6.12, 7.2).
			if !strict && found*4 < comments {
				t.Errorf("only %d of %d %s comments document a site krls finds", found, comments, label)
			}
		})
	}
}

// shapeTable is a Macros of the tree's own macro_rules! and
// function-like proc macros, by name (the workspace's treeMacros, for a
// test); every macro counts as expanded in its crate.
type shapeTable map[string]symbols.MacroShape

func (s shapeTable) Shape(name string) (symbols.MacroShape, bool) {
	m, ok := s[name]
	return m, ok
}
func (shapeTable) ExpandedInCrate(string, string) bool    { return true }
func (shapeTable) UnsafeInputInCrate(string, string) bool { return true }

func treeMacroShapes(t testing.TB, kt kernelTree) shapeTable {
	out := shapeTable{}
	var aliases []symbols.UseAlias
	// Macros exported under another name (7.2's build_assert!).
	defer func() { symbols.AddAliasShapes(out, aliases) }()
	for _, kf := range kt.files {
		if bytes.Contains(kf.src, []byte("pub use")) {
			aliases = append(aliases, symbols.UseAliases(kf.src)...)
		}
		for _, name := range symbols.ProcMacros(kf.src) {
			out[name] = symbols.MacroShape{Name: name, Captures: true}
		}
		if !strings.Contains(string(kf.src), "macro_rules!") {
			continue
		}
		f, err := symbols.Parse(context.Background(), kf.rel, kf.src)
		if err != nil {
			t.Fatal(err)
		}
		for name, shape := range symbols.MacroShapes(f) {
			if old, ok := out[name]; ok {
				shape.Captures = shape.Captures || old.Captures
				shape.LiteralUnsafe = shape.LiteralUnsafe || old.LiteralUnsafe
				for w := range old.Literals {
					if shape.Literals == nil {
						shape.Literals = map[string]bool{}
					}
					shape.Literals[w] = true
				}
			}
			out[name] = shape
		}
		f.Close()
	}
	return out
}

func ruleName(r *Rule) string {
	if r == nil {
		return ""
	}
	return r.Name
}
