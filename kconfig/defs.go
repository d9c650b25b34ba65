package kconfig

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/sourcegraph/conc"
)

// Definitions says where each symbol is defined in a tree's Kconfig files
// for any architecture: the files `source` statements reach from the top
// Kconfig when $(SRCARCH) (and $(HEADER_ARCH), for um) takes every
// directory under arch/. It answers "is CONFIG_X a real symbol at all?",
// which a Kconfig loaded for one arch cannot: CONFIG_ARM64 is not defined
// for x86_64, but it exists.
type Definitions struct {
	byName map[string][]Pos
	// Files are the Kconfig files read.
	Files int
}

// Lookup returns the places name (without CONFIG_) is defined, in file
// order; nil if no Kconfig file defines it.
func (d *Definitions) Lookup(name string) []Pos { return d.byName[name] }

// Names returns every defined name, sorted.
func (d *Definitions) Names() []string {
	out := make([]string, 0, len(d.byName))
	for n := range d.byName {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// archMacros are the variables that name an architecture directory in
// `source` paths.
var archMacros = []string{"SRCARCH", "HEADER_ARCH", "ARCH"}

// ScanDefinitions reads the tree's Kconfig files, every architecture's,
// in parallel (through cache when given), in dialect d (nil: the tree's,
// DetectDialect; a caller that loaded the tree passes Kconfig.Dialect).
// Unreadable files are skipped: this is an index, not a load, and Load
// reports them.
func ScanDefinitions(ctx context.Context, srctree string, cache *FileCache, dialect *Dialect) (*Definitions, error) {
	if cache == nil {
		cache = &FileCache{}
	}
	if dialect == nil {
		var err error
		if dialect, err = DetectDialect(srctree); err != nil {
			return nil, err
		}
	}
	var arches []string
	if ents, err := os.ReadDir(filepath.Join(srctree, "arch")); err == nil {
		for _, e := range ents {
			if e.IsDir() {
				arches = append(arches, e.Name())
			}
		}
	}
	d := &Definitions{byName: map[string][]Pos{}}
	var mu sync.Mutex
	seen := map[string]bool{}
	// Tasks start tasks (each file its sources), so a pool that must not
	// grow once waited on does not fit: a WaitGroup and a semaphore do.
	var wg conc.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var visit func(path string)
	visit = func(path string) {
		mu.Lock()
		if seen[path] {
			mu.Unlock()
			return
		}
		seen[path] = true
		mu.Unlock()
		wg.Go(func() {
			if ctx.Err() != nil {
				return
			}
			sem <- struct{}{}
			f, err := cache.get(srctree, path, dialect)
			<-sem
			if err != nil || f == nil {
				return
			}
			var names []string
			var sources []*SourceStmt
			var walk func([]Stmt)
			walk = func(stmts []Stmt) {
				for _, s := range stmts {
					switch s := s.(type) {
					case *ConfigStmt:
						if !s.Name.HasMacro() && !s.Name.Quoted {
							names = append(names, s.Name.Raw)
							mu.Lock()
							d.byName[s.Name.Raw] = append(d.byName[s.Name.Raw], s.Pos)
							mu.Unlock()
						}
					case *SourceStmt:
						sources = append(sources, s)
					case *ChoiceStmt:
						walk(s.Body)
					case *MenuStmt:
						walk(s.Body)
					case *IfStmt:
						walk(s.Body)
					}
				}
			}
			walk(f.Stmts)
			mu.Lock()
			d.Files++
			mu.Unlock()
			for _, s := range sources {
				for _, target := range expandSourceForAllArches(s.Path, arches) {
					visit(target)
				}
			}
		})
	}
	visit("Kconfig")
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, ps := range d.byName {
		slices.SortFunc(ps, func(a, b Pos) int {
			if c := strings.Compare(a.File, b.File); c != 0 {
				return c
			}
			return a.Line - b.Line
		})
	}
	return d, nil
}

// expandSourceForAllArches expands a source path whose only references
// are architecture variables, once per architecture; other references
// make it unreadable here.
func expandSourceForAllArches(s Str, arches []string) []string {
	if lit, ok := s.Literal(); ok {
		return []string{lit}
	}
	var out []string
	for _, arch := range arches {
		var b strings.Builder
		ok := true
		for _, part := range s.Parts {
			switch {
			case !part.Macro:
				b.WriteString(part.Text)
			case slices.Contains(archMacros, part.Text):
				b.WriteString(arch)
			default:
				ok = false
			}
		}
		if ok {
			out = append(out, b.String())
		}
	}
	return out
}
