package workspace

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/internal/kerneltest"
	"github.com/krls-dev/krls/symbols"
)

// truthFloors are the precision and recall each rule must keep: the
// issue's target, 0.99, for all four. The disagreements left are listed
// by the test.
var truthFloors = map[string][2]float64{
	"undocumented-unsafe":        {0.99, 0.99},
	"unnecessary-safety-comment": {0.99, 0.99},
	"missing-safety-doc":         {0.99, 0.99},
	"unnecessary-safety-doc":     {0.99, 0.99},
}

// TestClippyTruth replays what real clippy reported on mutants of the
// Linux 7.2 fixture (diagnostics/testdata/clippy-truth/, made by
// scripts/clippy-truth.sh: clippy 1.97 with the kernel's own flags, `make
// LLVM=1 CLIPPY=1` of the crates the fixture's x86_64-rust .config builds)
// through krls's four clippy rules, with the configuration `krls check`
// gives the file, and compares finding by finding.
//
// A mutant is one edit of one file of the pristine tree: a `// SAFETY:`
// comment deleted (macro_rules! bodies included), a `// SAFETY: x` added
// above a statement or item that holds no unsafe block, the `# Safety`
// section of an unsafe fn or trait removed, or one added to a safe fn or
// trait. The truth is derived facts only: the edit (pristine line numbers,
// hashes of the lines it deletes or of the line it inserts above, the text
// it inserts, which is ours) and clippy's findings (krls rule id, line in
// the mutated file; for unnecessary-safety-comment the line of the SAFETY
// comment clippy's help points at, where krls reports).
//
// The truth belongs to one Debian patch level of the fixture: when the
// fixture's package or a mutated file changed, the test skips, saying the
// truth must be regenerated (`make clippy-truth`). It fails when a rule's
// precision or recall is under its floor (truthFloors), listing the
// disagreements that are not explained in clippyTruthExceptions.
func TestClippyTruth(t *testing.T) {
	truths, err := filepath.Glob(filepath.Join("..", "diagnostics", "testdata", "clippy-truth", "*.json*"))
	if err != nil || len(truths) == 0 {
		t.Fatalf("no truth in diagnostics/testdata/clippy-truth: %v", err)
	}
	var k7 *kerneltest.Kernel
	for _, k := range kerneltest.Kernels(t) {
		if k.Version == "7.2" {
			k7 = &k
		}
	}
	if k7 == nil {
		stale(t, "the Linux 7.2 fixture is missing")
		return
	}
	obj := k7.RustObj(t)
	for _, path := range truths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			tr := readTruth(t, path)
			fixture, err := os.ReadFile(filepath.Join(obj.Dir, ".krls-fixture"))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(fixture)); got != tr.Fixture {
				stale(t, fmt.Sprintf("the truth was made on %s, the fixture is %s", tr.Fixture, got))
				return
			}
			for file, sum := range tr.Files {
				b, err := os.ReadFile(filepath.Join(k7.Src, file))
				if err != nil || sha(b) != sum {
					stale(t, fmt.Sprintf("%s is not the file the truth was made on (%v)", file, err))
					return
				}
			}
			replayTruth(t, k7.Src, tr)
		})
	}
}

// stale skips (even under KRLS_REQUIRE_KERNEL, see below): the recorded
// truth does not belong to the fixture at hand.
func stale(t *testing.T, why string) {
	t.Helper()
	// A skip even under KRLS_REQUIRE_KERNEL: Debian bumps the fixture's
	// patch level, and a new one must not turn `make test` red until the
	// truth is regenerated (it needs root and half an hour).
	t.Skip(why + ": regenerate the clippy truth with `make clippy-truth` (scripts/clippy-truth.sh)")
}

type clippyTruth struct {
	Fixture  string            `json:"fixture"`
	Kernel   string            `json:"kernel"`
	Clippy   string            `json:"clippy"`
	Files    map[string]string `json:"files"` // path → SHA-256 of the pristine file
	Pristine []truthFinding    `json:"pristine"`
	Rounds   []struct {
		Round int            `json:"round"`
		Stray []truthFinding `json:"stray"` // findings in files no mutant of the round touched
	} `json:"rounds"`
	Mutants []truthMutant `json:"mutants"`
}

type truthMutant struct {
	Round   int    `json:"round"`
	File    string `json:"file"`
	Kind    string `json:"kind"`
	Line    int    `json:"line"` // 1-based, in the pristine file
	Context string `json:"context"`
	// Deletions: how many lines, and the hash of each.
	Delete        int      `json:"delete"`
	DeletedSHA256 []string `json:"deleted_sha256"`
	// Insertions: the lines inserted above Line, and the hash of Line.
	Insert       []string       `json:"insert"`
	AnchorSHA256 string         `json:"anchor_sha256"`
	Clippy       []truthFinding `json:"clippy"`
	BuildError   bool           `json:"build_error"`
}

type truthFinding struct {
	File string `json:"file,omitempty"`
	Rule string `json:"rule"`
	Line int    `json:"line"`
}

func readTruth(t *testing.T, path string) *clippyTruth {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var tr clippyTruth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(tr.Mutants) == 0 {
		t.Fatalf("%s: no mutants", path)
	}
	return &tr
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func lineHash(s string) string { return sha(([]byte)(s))[:16] }

// clippyRules are the rules that reproduce a clippy lint, compared here.
var clippyRules = []string{"undocumented-unsafe", "unnecessary-safety-comment", "missing-safety-doc", "unnecessary-safety-doc"}

// clippyTruthExceptions are the disagreements with a solid reason, kept
// out of the scores: "file:kind:line" (pristine line of the edit) → why.
// A solid reason is one where krls differs on purpose: it checks the source
// for every configuration, clippy the one build it runs in, so code the
// fixture's .config leaves out is seen by krls alone. (The truth's
// generator leaves out the sites under a #[cfg] it can evaluate as false;
// these are the ones it cannot see from the site itself.) Every other
// disagreement is something krls gets wrong and stays in the scores.
var clippyTruthExceptions = map[string]string{
	"rust/kernel/drm/mod.rs:add-safety-comment:9": "`pub mod gpuvm;` declares a module whose file starts with " +
		"#![cfg(CONFIG_RUST_DRM_GPUVM)], off in the fixture's .config: the item does not exist for clippy, " +
		"krls reports the SAFETY comment above the declaration",
	"rust/kernel/bitfield.rs:delete-safety-comment:333": bitfieldKUnitOnly,
	"rust/kernel/bitfield.rs:add-safety-comment:320":    bitfieldKUnitOnly,
	"rust/kernel/bitfield.rs:add-safety-comment:329":    bitfieldKUnitOnly,
	"rust/kernel/bitfield.rs:add-safety-comment:336":    bitfieldKUnitOnly,
	"rust/kernel/bitfield.rs:add-safety-comment:339":    bitfieldKUnitOnly,
	"rust/kernel/bitfield.rs:add-safety-comment:343":    bitfieldKUnitOnly,
	"rust/kernel/bitfield.rs:add-safety-comment:346":    bitfieldKUnitOnly,
	"rust/kernel/bitfield.rs:add-safety-comment:537":    bitfieldKUnitOnly,
	"rust/kernel/bitfield.rs:add-safety-comment:540":    bitfieldKUnitOnly,
}

const bitfieldKUnitOnly = "bitfield! is expanded in the kernel crate only by its KUnit tests, under " +
	"#[cfg(CONFIG_RUST_BITFIELD_KUNIT_TEST)], off in the fixture's .config (register!, which invokes it too, " +
	"is invoked by no code of the crate): clippy sees no expansion; krls counts the invocations whatever their cfg"

// mutate applies m to the pristine text, checking the lines it touches are
// the ones recorded.
func mutate(src []byte, m truthMutant) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	at := m.Line - 1
	if at < 0 || at > len(lines) {
		return nil, fmt.Errorf("line %d out of range", m.Line)
	}
	switch m.Kind {
	case "delete-safety-comment", "remove-safety-doc":
		if m.Delete <= 0 || at+m.Delete > len(lines) || len(m.DeletedSHA256) != m.Delete {
			return nil, fmt.Errorf("bad deletion of %d lines at %d", m.Delete, m.Line)
		}
		for i, h := range m.DeletedSHA256 {
			if lineHash(lines[at+i]) != h {
				return nil, fmt.Errorf("line %d is not the one deleted in the truth", m.Line+i)
			}
		}
		lines = slices.Delete(lines, at, at+m.Delete)
	case "add-safety-comment", "add-safety-doc":
		if at == len(lines) || lineHash(lines[at]) != m.AnchorSHA256 {
			return nil, fmt.Errorf("line %d is not the one the truth inserts above", m.Line)
		}
		for _, l := range m.Insert {
			switch strings.TrimLeft(l, " \t") {
			case "// SAFETY: x", "///", "/// # Safety", "/// x":
			default:
				return nil, fmt.Errorf("inserted line %q is not one of the mutations' own", l)
			}
		}
		lines = slices.Insert(lines, at, m.Insert...)
	default:
		return nil, fmt.Errorf("unknown kind %q", m.Kind)
	}
	return []byte(strings.Join(lines, "\n")), nil
}

type truthScore struct{ tp, fp, fn int }

func (s truthScore) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s truthScore) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

// mutantResult is krls's verdict on one mutant against clippy's.
type mutantResult struct {
	m      truthMutant
	err    error
	tp     []string // rule ids, one per finding both report
	fp, fn []string // "rule line N", what only krls / only clippy reports
	// outside: krls's undocumented-unsafe-outside-clippy findings (lines).
	outside []int
}

func replayTruth(t *testing.T, srctree string, tr *clippyTruth) {
	if len(tr.Pristine) > 0 {
		t.Errorf("the truth records %d clippy findings on the pristine tree, where the issue measured none: %v", len(tr.Pristine), tr.Pristine)
	}
	for _, r := range tr.Rounds {
		if len(r.Stray) > 0 {
			t.Errorf("round %d: clippy reported in files no mutant touched (a mutant's effect reached another file): %v", r.Round, r.Stray)
		}
	}
	ctx := context.Background()
	var cache ConfigCache
	results := make([]mutantResult, len(tr.Mutants))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = checkMutant(ctx, &cache, srctree, tr.Mutants[i])
			}
		}()
	}
	for i := range tr.Mutants {
		next <- i
	}
	close(next)
	wg.Wait()

	scores := map[string]*truthScore{}
	for _, r := range clippyRules {
		scores[r] = &truthScore{}
	}
	kinds := map[string]int{}
	excepted := 0
	var disagreements []string
	for _, r := range results {
		m := r.m
		if r.err != nil {
			t.Errorf("%s:%d %s: %v", m.File, m.Line, m.Kind, r.err)
			continue
		}
		if m.BuildError {
			continue // clippy did not finish its crate that round
		}
		kinds[m.Kind]++
		for _, rule := range r.tp {
			scores[rule].tp++
		}
		if len(r.fp)+len(r.fn) == 0 {
			continue
		}
		key := fmt.Sprintf("%s:%s:%d", m.File, m.Kind, m.Line)
		desc := fmt.Sprintf("%s (line %d of the pristine file", key, m.Line)
		if m.Context != "code" {
			desc += ", in a " + m.Context
		}
		desc += fmt.Sprintf("): krls only %v, clippy only %v", r.fp, r.fn)
		if len(r.outside) > 0 {
			desc += fmt.Sprintf(", krls's undocumented-unsafe-outside-clippy at lines %v", r.outside)
		}
		if why, ok := clippyTruthExceptions[key]; ok {
			excepted++
			t.Logf("explained: %s — %s", desc, why)
			continue
		}
		for _, f := range r.fp {
			scores[strings.Fields(f)[0]].fp++
		}
		for _, f := range r.fn {
			scores[strings.Fields(f)[0]].fn++
		}
		disagreements = append(disagreements, desc)
	}
	t.Logf("%s, %s: %d mutants %v, %d explained disagreements", tr.Fixture, tr.Clippy, len(results), kinds, excepted)
	for _, rule := range clippyRules {
		s := scores[rule]
		t.Logf("%-27s TP %5d  FP %4d  FN %4d  precision %.4f  recall %.4f", rule, s.tp, s.fp, s.fn, s.precision(), s.recall())
	}
	sort.Strings(disagreements)
	failed := false
	for _, rule := range clippyRules {
		floor := truthFloors[rule]
		if s := scores[rule]; s.precision() < floor[0] || s.recall() < floor[1] {
			t.Errorf("%s: precision %.4f, recall %.4f, want ≥ %.4f and ≥ %.4f", rule, s.precision(), s.recall(), floor[0], floor[1])
			failed = true
		}
	}
	for _, d := range disagreements {
		if failed {
			t.Error(d)
		} else {
			t.Log(d)
		}
	}
}

// checkMutant applies m, runs krls's rules with the file's `krls check`
// configuration and compares with clippy's findings.
func checkMutant(ctx context.Context, cache *ConfigCache, srctree string, m truthMutant) mutantResult {
	r := mutantResult{m: m}
	path := filepath.Join(srctree, filepath.FromSlash(m.File))
	src, err := os.ReadFile(path)
	if err != nil {
		r.err = err
		return r
	}
	mutated, err := mutate(src, m)
	if err != nil {
		r.err = err
		return r
	}
	cfg, err := cache.DiagnosticsConfig(path, nil, false)
	if err != nil {
		r.err = err
		return r
	}
	krls := map[string]bool{}
	if cfg.OutOfScope == "" {
		f, err := symbols.Parse(ctx, path, mutated)
		if err != nil {
			r.err = err
			return r
		}
		debug := os.Getenv("KRLS_TRUTH_DEBUG") == fmt.Sprintf("%s:%s:%d", m.File, m.Kind, m.Line)
		if debug {
			fmt.Printf("rules %v, out of scope %q\n", cfg.Rules, cfg.OutOfScope)
		}
		for _, x := range diagnostics.Analyze(ctx, f, cfg) {
			line := f.Lines.Line(x.Start) + 1
			if debug {
				fmt.Printf("krls: %s line %d: %s\n", x.Rule, line, x.Message)
			}
			switch {
			case slices.Contains(clippyRules, x.Rule):
				krls[fmt.Sprintf("%s line %d", x.Rule, line)] = true
			case x.Rule == diagnostics.UndocumentedUnsafeOutsideClippy.Name:
				r.outside = append(r.outside, line)
			}
		}
		f.Close()
	}
	clippy := map[string]bool{}
	for _, x := range m.Clippy {
		clippy[fmt.Sprintf("%s line %d", x.Rule, x.Line)] = true
	}
	for k := range krls {
		if clippy[k] {
			r.tp = append(r.tp, strings.Fields(k)[0])
		} else {
			r.fp = append(r.fp, k)
		}
	}
	for k := range clippy {
		if !krls[k] {
			r.fn = append(r.fn, k)
		}
	}
	sort.Strings(r.fp)
	sort.Strings(r.fn)
	return r
}
