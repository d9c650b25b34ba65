package workspace

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
)

// An `include!("path")` compiles another file's text as if it stood at
// the include!, under the attributes there: a bindgen file pulled into a
// module whose `#![allow(clippy::all, clippy::undocumented_unsafe_blocks,
// ...)]` must not be reported for what the module allows, as clippy does
// not report it.
//
// A file's includers are looked for by text where include! paths lead in
// practice: the .rs files of its own folder (`include!("x.rs")`), of the
// folder above (`include!("sub/x.rs")`, Linux 7.2's nova-core) and of
// the folders below it (`include!("../x.rs")`), with a literal path.
// Paths built with concat!/env! (generated files in the object tree) are
// not followed.

var includeRE = regexp.MustCompile(`\binclude!\s*\(\s*"([^"\\]+)"\s*\)`)

// includeSite is one include! of a file.
type includeSite struct {
	path string // the including file
	off  int    // the byte offset of the include!
}

// includers finds the include! sites that pull in path, reading each
// folder's include!s once through c.
func (c *ConfigCache) includers(path string) []includeSite {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	dir := filepath.Dir(abs)
	dirs := []string{dir, filepath.Dir(dir)}
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				dirs = append(dirs, filepath.Join(dir, e.Name()))
			}
		}
	}
	var out []includeSite
	for _, d := range dirs {
		for _, inc := range c.includesIn(d) {
			if inc.target == abs && inc.path != abs {
				out = append(out, inc.includeSite)
			}
		}
	}
	return out
}

// folderInclude is an include! of a folder's file, with the file it
// names.
type folderInclude struct {
	includeSite
	target string
}

// includesIn lists the include!s with literal paths of the .rs files of
// dir, cached.
func (c *ConfigCache) includesIn(dir string) []folderInclude {
	c.mu.Lock()
	if v, ok := c.includes[dir]; ok {
		c.mu.Unlock()
		return v
	}
	c.mu.Unlock()
	var out []folderInclude
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".rs") {
				continue
			}
			p := filepath.Join(dir, e.Name())
			b, err := os.ReadFile(p)
			if err != nil || !bytes.Contains(b, []byte("include!")) {
				continue
			}
			for _, m := range includeRE.FindAllSubmatchIndex(b, -1) {
				target := string(b[m[2]:m[3]])
				if filepath.IsAbs(target) {
					continue
				}
				out = append(out, folderInclude{includeSite{path: p, off: m[0]}, filepath.Clean(filepath.Join(dir, target))})
			}
		}
	}
	c.mu.Lock()
	if c.includes == nil {
		c.includes = map[string][]folderInclude{}
	}
	c.includes[dir] = out
	c.mu.Unlock()
	return out
}

// includeAllows lists the rules every include! of path allows at its
// site; nil when nothing includes path (or no include! allows a rule).
func (c *ConfigCache) includeAllows(ctx context.Context, path string) map[string]bool {
	c.mu.Lock()
	allowed, ok := c.allows[path]
	c.mu.Unlock()
	if ok {
		return allowed
	}
	allowed = c.findIncludeAllows(ctx, path)
	c.mu.Lock()
	if c.allows == nil {
		c.allows = map[string]map[string]bool{}
	}
	c.allows[path] = allowed
	c.mu.Unlock()
	return allowed
}

// findIncludeAllows is includeAllows without the cache: the server asks
// for every analysis of a document, and an includer is parsed here.
func (c *ConfigCache) findIncludeAllows(ctx context.Context, path string) map[string]bool {
	sites := c.includers(path)
	if len(sites) == 0 {
		return nil
	}
	var all map[string]bool
	for i, s := range sites {
		src, err := os.ReadFile(s.path)
		if err != nil {
			return nil
		}
		f, err := symbols.Parse(ctx, s.path, src)
		if err != nil {
			return nil
		}
		allowed := diagnostics.AllowedAt(ctx, f, s.off)
		f.Close()
		if i == 0 {
			all = allowed
			continue
		}
		for name := range all {
			if !allowed[name] {
				delete(all, name)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	return all
}
