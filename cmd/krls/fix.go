package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/workspace"
)

// applyFixes applies, file by file, the first safe fix of each selected
// finding, leaving out a fix whose edits overlap one taken before, and
// writes each changed file once. It returns the files written, the number
// of findings fixed, and whether writing failed.
func applyFixes(results []workspace.FileResult, selected [][]diagnostics.Finding, stderr io.Writer) (fixed []string, n int, failed bool) {
	for i, r := range results {
		if r.Src == nil {
			continue
		}
		var edits []diagnostics.Edit
		count := 0
		for _, f := range selected[i] {
			fix := safeFix(f)
			if fix == nil || conflicts(fix.Edits, edits) {
				continue
			}
			edits = append(edits, fix.Edits...)
			count++
		}
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
		fixed = append(fixed, r.Path)
		n += count
	}
	return fixed, n, failed
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
func conflicts(edits, taken []diagnostics.Edit) bool {
	for i, e := range edits {
		for _, t := range taken {
			if overlap(e, t) {
				return true
			}
		}
		for _, t := range edits[:i] {
			if overlap(e, t) {
				return true
			}
		}
	}
	return false
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
