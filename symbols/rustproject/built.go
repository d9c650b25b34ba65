package rustproject

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/krls-dev/krls/symbols"
)

// A Built decides, from the Kbuild files, whether a .config builds a
// file's object: its folder's obj-<cond> entry, and each folder above
// descended into by its parent's obj-<cond> += dir/ (the top Makefile's
// core-, drivers-, ...-<cond> += dir/ for the top folders). Conditions are
// y, m, or $(CONFIG_X) looked up with Value. Makefile conditionals
// (ifdef, ifeq) around the assignments are not evaluated: the assignment
// counts.
type Built struct {
	Srctree string
	// Value returns a symbol's value ("y", "m", "" for unset or n),
	// without CONFIG_.
	Value func(name string) string
	lists map[string][]kbuildEntry // folder (relative) → its assignments
}

// kbuildEntry is one word of a list assignment: the list's name and
// condition (obj-$(CONFIG_X): "obj", "$(CONFIG_X)") and the word.
type kbuildEntry struct {
	list, cond, word string
}

var listRE = regexp.MustCompile(`^\s*([A-Za-z0-9_.\-]+?)-(objs|y|m|\$\([A-Za-z0-9_]+\))\s*[:+?]?=(.*)$`)

func (b *Built) entries(dir string) []kbuildEntry {
	if e, ok := b.lists[dir]; ok {
		return e
	}
	if b.lists == nil {
		b.lists = map[string][]kbuildEntry{}
	}
	var out []kbuildEntry
	names := symbols.KbuildNames
	for _, n := range names {
		src, err := os.ReadFile(filepath.Join(b.Srctree, filepath.FromSlash(dir), n))
		if err != nil {
			continue
		}
		for _, line := range symbols.MakefileLines(src) {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			m := listRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			for _, w := range strings.Fields(m[3]) {
				out = append(out, kbuildEntry{list: m[1], cond: m[2], word: w})
			}
		}
		if len(out) > 0 && n == "Kbuild" {
			break // kbuild reads Kbuild in preference to Makefile
		}
	}
	b.lists[dir] = out
	return out
}

// condition evaluates a list condition: "y", "m", "objs" are on; a
// $(CONFIG_X) is what X is set to.
func (b *Built) condition(cond string) (on bool, symbol string) {
	switch cond {
	case "y", "m", "objs":
		return true, ""
	}
	name := strings.TrimSuffix(strings.TrimPrefix(cond, "$(CONFIG_"), ")")
	v := b.Value(name)
	return v == "y" || v == "m", name
}

// Verdict says whether a file is built, and if not, why and which
// symbol to change ("" when no symbol would).
type Verdict struct {
	Built       bool
	Why, Symbol string
}

// File says whether the .config builds the object of the Rust file rel
// (relative to the srctree, with slashes), and if not, why.
func (b *Built) File(rel string) (bool, string) {
	v := b.Verdict(rel)
	return v.Built, v.Why
}

// Verdict is File with the symbol to change.
func (b *Built) Verdict(rel string) Verdict {
	ok, why, sym := b.file(rel)
	return Verdict{Built: ok, Why: why, Symbol: sym}
}

func (b *Built) file(rel string) (bool, string, string) {
	dir, base := filepath.ToSlash(filepath.Dir(rel)), strings.TrimSuffix(filepath.Base(rel), ".rs")
	obj := base + ".o"
	// The object, or the composite it is a part of.
	found := false
	for _, e := range b.entries(dir) {
		if e.word != obj {
			continue
		}
		target := e
		if e.list != "obj" {
			// A part of a composite: X-y += part.o, then obj-<cond> += X.o.
			on, sym := b.condition(e.cond)
			if !on {
				return false, notSet(sym), sym
			}
			var ok bool
			if target, ok = b.find(dir, "obj", e.list+".o"); !ok {
				continue
			}
		}
		found = true
		if on, sym := b.condition(target.cond); !on {
			return false, notSet(sym), sym
		}
		break
	}
	if !found {
		return false, "no obj- entry of the Kbuild files of " + dir + "/ builds " + obj, ""
	}
	return b.folder(dir)
}

// folder says whether kbuild descends into dir, and if not, why.
func (b *Built) folder(dir string) (bool, string, string) {
	for dir != "." && dir != "" {
		parent, name := filepath.ToSlash(filepath.Dir(dir)), filepath.Base(dir)+"/"
		var e kbuildEntry
		var ok bool
		if parent == "." {
			e, ok = b.findAny(".", name)
		} else {
			e, ok = b.find(parent, "obj", name)
		}
		if !ok {
			where := parent + "/"
			if parent == "." {
				where = "the top Makefile"
			}
			return false, "kbuild never enters " + dir + "/: " + where + " does not name it", ""
		}
		if on, sym := b.condition(e.cond); !on {
			return false, dir + "/ is not built: " + notSet(sym), sym
		}
		dir = parent
	}
	return true, "", ""
}

func (b *Built) find(dir, list, word string) (kbuildEntry, bool) {
	for _, e := range b.entries(dir) {
		if e.list == list && e.word == word {
			return e, true
		}
	}
	return kbuildEntry{}, false
}

// findAny finds word in any list (the top Makefile's core-y, drivers-y,
// drivers-$(CONFIG_SAMPLES), ...).
func (b *Built) findAny(dir, word string) (kbuildEntry, bool) {
	for _, e := range b.entries(dir) {
		if e.word == word {
			return e, true
		}
	}
	return kbuildEntry{}, false
}

func notSet(sym string) string {
	return "CONFIG_" + sym + " is not set"
}
