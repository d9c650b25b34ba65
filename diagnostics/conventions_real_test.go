package diagnostics

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
)

// castRules runs the CAST rules alone.
var castRules = map[string]bool{UndocumentedCast.Name: true, UnnecessaryCastComment.Name: true}

// castMisplaced are the `// CAST:` comments of the trees that document no
// cast where they stand, by "file:text of the line below": krls reports
// them, rightly.
var castMisplaced = map[string]string{}

// castUnseen are the `// CAST:` comments whose casts krls does not see,
// by "file:text of the comment's first line", with why: casts in the
// input of a macro call are tokens to krls (it does not know what the
// macro makes of them).
var castUnseen = map[string]string{
	"drivers/gpu/nova-core/gsp/fw.rs:// CAST: we want to store the bits of `GSP_FW_WPR_META_MAGIC` unmodified.":      "in the input of init!, a proc macro",
	"drivers/gpu/nova-core/num.rs:// CAST: we statically enforced above that `$from` is larger than `$into`, so the": "in the input of build_assert!, in a macro body",
}

// TestKernelCastComments validates the CAST rules on each fixture kernel
// (there is no clippy lint to compare with yet): every existing `// CAST:`
// comment documents a cast where it stands (no unnecessary-cast-comment
// but the listed ones), and deleting any one of them makes the casts it
// documented undocumented, and only those: each new undocumented-cast
// lies in the code below the deleted comment, and there is at least one.
// It logs the undocumented casts per top folder: the adoption burden.
func TestKernelCastComments(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			kt := readKernel(t, k)
			cfg := kt.cfg
			cfg.Rules = castRules
			comments, deleted := 0, 0
			burden := map[string]int{}
			for _, kf := range kt.files {
				if !strings.Contains(strings.ToLower(string(kf.src)), "as") {
					continue
				}
				f, fs := analyzeSrc(t, kf.rel, kf.src, cfg)
				undocumented := map[int]bool{}
				for _, x := range fs {
					switch x.Rule {
					case UnnecessaryCastComment.Name:
						below := strings.TrimSpace(string(f.Lines.Text(f.Lines.Line(x.Start) + 1)))
						if _, ok := castMisplaced[kf.rel+":"+below]; !ok {
							t.Errorf("%s:%d: %s", kf.rel, f.Lines.Line(x.Start)+1, x.Message)
						}
					case UndocumentedCast.Name:
						undocumented[x.Start] = true
						burden[strings.SplitN(kf.rel, "/", 2)[0]]++
					}
				}
				p := newPass(context.Background(), f, cfg)
				for _, c := range p.labelComments("CAST:") {
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
						if x.Rule != UndocumentedCast.Name {
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
						// The new finding lies in the statement below the comment.
						if line := g.Lines.Line(x.Start); line < f.Lines.Line(lo) || line > f.Lines.Line(lo)+40 {
							t.Errorf("%s:%d: deleting the CAST comment reports a cast at line %d", kf.rel, c.line+1, line+1)
						}
					}
					g.Close()
					if len(fresh) == 0 {
						if why, ok := castUnseen[kf.rel+":"+strings.TrimSpace(string(f.Lines.Text(c.line)))]; ok {
							t.Logf("%s:%d: its casts are unseen: %s", kf.rel, c.line+1, why)
						} else {
							t.Errorf("%s:%d: deleting the CAST comment reports no cast", kf.rel, c.line+1)
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
			t.Logf("%d CAST comments, %d deleted one by one; undocumented casts per folder: %s", comments, deleted, strings.Join(tops, ", "))
		})
	}
}
