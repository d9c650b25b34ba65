package diagnostics

import (
	"fmt"
	"sort"
)

// Severity orders findings as LSP does: lower is more severe.
type Severity int

const (
	Error       Severity = 1
	Warning     Severity = 2
	Information Severity = 3
	Hint        Severity = 4
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Information:
		return "info"
	case Hint:
		return "hint"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Edit replaces the bytes [Start, End) of a file with NewText.
type Edit struct {
	Start, End int
	NewText    string
}

// Fix is one way to resolve a finding.
type Fix struct {
	Title string
	Edits []Edit
	// Safe fixes leave correct code without any further human input, so
	// `krls check --fix` applies them. Fixes that insert a SAFETY comment or
	// a `# Safety` section are scaffolding for a justification only a human
	// can write; applying them blindly would silence the lint without
	// documenting anything, which is what the lint exists to prevent.
	Safe bool
}

// Related points at another place that explains a finding.
type Related struct {
	Start, End int
	Message    string
}

// RelatedFile points at a place in another file: byte offsets into
// that file as it is on disk, and the 0-based line of Start for
// consumers that do not read it.
type RelatedFile struct {
	Path       string
	Start, End int
	Line       int
	Message    string
}

// Finding is one diagnostic in one file, in byte offsets.
type Finding struct {
	Rule     string
	Severity Severity
	Start    int
	End      int
	Message  string
	Related  []Related
	// RelatedFiles are related places in other files (the cfg that gates
	// a kernel module, in rust/kernel/lib.rs).
	RelatedFiles []RelatedFile
	Fixes        []Fix
	// Explain names a Kconfig symbol (without CONFIG_) whose value the
	// finding is about: the editor offers to explain it (`krls config
	// explain`).
	Explain string
	// Extent is the text that decides the finding, Start..End included: a
	// change anywhere in it can make the finding new, which is what
	// `krls check --diff` asks (a line inserted between a SAFETY comment
	// and its block, an unsafe block taken out from under its comment).
	Extent Span
}

// Span is a byte range [Start, End).
type Span struct{ Start, End int }

// SortFindings orders findings by position, then rule.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Start != fs[j].Start {
			return fs[i].Start < fs[j].Start
		}
		return fs[i].Rule < fs[j].Rule
	})
}

// ApplyEdits applies non-overlapping edits to src. Edits that overlap an
// earlier one (in position order) are skipped and counted.
func ApplyEdits(src []byte, edits []Edit) (out []byte, skipped int) {
	es := append([]Edit(nil), edits...)
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Start != es[j].Start {
			return es[i].Start < es[j].Start
		}
		return es[i].End < es[j].End
	})
	out = make([]byte, 0, len(src)+64)
	pos := 0
	for _, e := range es {
		if e.Start < pos || e.End < e.Start || e.End > len(src) {
			skipped++
			continue
		}
		out = append(out, src[pos:e.Start]...)
		out = append(out, e.NewText...)
		pos = e.End
	}
	out = append(out, src[pos:]...)
	return out, skipped
}
