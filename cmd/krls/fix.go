package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/workspace"
)

// fixedFile is a file --fix wrote: results[index], with edits applied.
type fixedFile struct {
	index int
	edits []diagnostics.Edit
}

// applyFixes applies, file by file, the first safe fix of each selected
// finding, leaving out a fix whose edits overlap one taken before, and
// writes each changed file once. It returns the files written, the number
// of findings fixed, and whether writing failed.
func applyFixes(results []workspace.FileResult, selected [][]diagnostics.Finding, stderr io.Writer) (fixed []fixedFile, n int, failed bool) {
	for i, r := range results {
		if r.Src == nil {
			continue
		}
		var taken editSet
		count := 0
		for _, f := range selected[i] {
			fix := safeFix(f)
			if fix == nil || conflicts(fix.Edits, &taken) {
				continue
			}
			for _, e := range fix.Edits {
				taken.add(e)
			}
			count++
		}
		edits := taken.edits
		if count == 0 {
			continue
		}
		out, _ := diagnostics.ApplyEdits(r.Src, edits)
		if bytes.Equal(out, r.Src) {
			continue
		}
		// Do not clobber an edit made (in an editor, say) since the check read the file.
		st, err := os.Stat(r.Path)
		if err == nil {
			var cur []byte
			cur, err = os.ReadFile(r.Path)
			if err == nil && !bytes.Equal(cur, r.Src) {
				fmt.Fprintf(stderr, "krls: %s: changed during the check; not fixed\n", r.Path)
				continue
			}
		}
		if err == nil {
			err = os.WriteFile(r.Path, out, st.Mode().Perm())
		}
		if err != nil {
			fmt.Fprintf(stderr, "krls: fix: %v\n", err)
			failed = true
			continue
		}
		fixed = append(fixed, fixedFile{index: i, edits: edits})
		n += count
	}
	return fixed, n, failed
}

// introduced returns the findings at warning level or worse in after
// (the findings of a file after edits were applied to it) that before
// (its findings before) has not at the corresponding place: the same
// rule starting on the same line, once the edits are undone. A safe fix
// only turns SAFETY comments that document nothing into plain comments,
// so it must never introduce one; if it does, that is a bug of krls.
func introduced(before, after []diagnostics.Finding, edits []diagnostics.Edit, oldLines *symbols.Lines) []diagnostics.Finding {
	type key struct {
		rule string
		line int
	}
	had := map[key]int{}
	for _, f := range before {
		if f.Severity <= diagnostics.Warning {
			had[key{f.Rule, oldLines.Line(f.Start)}]++
		}
	}
	es := append([]diagnostics.Edit(nil), edits...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Start < es[j].Start })
	var out []diagnostics.Finding
	for _, f := range after {
		if f.Severity > diagnostics.Warning {
			continue
		}
		k := key{f.Rule, oldLines.Line(oldOffset(es, f.Start))}
		if had[k] == 0 {
			out = append(out, f)
			continue
		}
		had[k]--
	}
	return out
}

// oldOffset maps an offset of a text to the offset it had before the
// edits (sorted, not overlapping) made that text. An offset inside the
// new text of an edit maps to where the edit began.
func oldOffset(edits []diagnostics.Edit, off int) int {
	delta := 0 // new offset - old offset, after the edits so far
	for _, e := range edits {
		newStart := e.Start + delta
		if off < newStart {
			break
		}
		if off < newStart+len(e.NewText) {
			return e.Start
		}
		delta += len(e.NewText) - (e.End - e.Start)
	}
	return off - delta
}

// safeFix is the first fix of f that --fix may apply.
func safeFix(f diagnostics.Finding) *diagnostics.Fix {
	for i := range f.Fixes {
		if f.Fixes[i].Safe && len(f.Fixes[i].Edits) > 0 {
			return &f.Fixes[i]
		}
	}
	return nil
}

// conflicts reports whether edits overlap each other or any of taken, so
// that a fix applies whole or not at all.
func conflicts(edits []diagnostics.Edit, taken *editSet) bool {
	for i, e := range edits {
		if taken.overlaps(e) {
			return true
		}
		for _, t := range edits[:i] {
			if overlap(e, t) {
				return true
			}
		}
	}
	return false
}

// editSet is a set of edits that do not overlap, sorted by position, so
// that checking a new edit against thousands (a generated file with a
// finding on every line) costs a binary search, not a scan.
type editSet struct {
	edits []diagnostics.Edit // by Start, then End; the Ends are sorted too
}

func editLess(a, b diagnostics.Edit) bool {
	return a.Start < b.Start || a.Start == b.Start && a.End < b.End
}

// overlaps reports whether e overlaps an edit of the set.
func (s *editSet) overlaps(e diagnostics.Edit) bool {
	// Edits starting after e ends cannot overlap it; of those before,
	// only the last ones, whose ends reach e, can.
	i := sort.Search(len(s.edits), func(i int) bool { return s.edits[i].Start > e.End })
	for j := i - 1; j >= 0 && s.edits[j].End >= e.Start; j-- {
		if overlap(e, s.edits[j]) {
			return true
		}
	}
	return false
}

// add inserts an edit that overlaps none of the set.
func (s *editSet) add(e diagnostics.Edit) {
	i := sort.Search(len(s.edits), func(i int) bool { return editLess(e, s.edits[i]) })
	s.edits = slices.Insert(s.edits, i, e)
}

// overlap says whether two edits touch the same bytes. Insertions (empty
// ranges) overlap a range they fall strictly inside, and each other at the
// same offset, where their order would be arbitrary.
func overlap(a, b diagnostics.Edit) bool {
	switch ae, be := a.Start == a.End, b.Start == b.End; {
	case ae && be:
		return a.Start == b.Start
	case ae:
		return b.Start < a.Start && a.Start < b.End
	case be:
		return a.Start < b.Start && b.Start < a.End
	}
	return a.Start < b.End && b.Start < a.End
}
