package workspace

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
)

const sessUndocumented = "fn f(p: *const u8) -> u8 {\n    /* 🐧 */ unsafe { *p }\n}\n"

// sessPrivateUnsafe is a private unsafe fn without a # Safety section: only
// check-private-items reports it.
const sessPrivateUnsafe = "unsafe fn g() {}\n"

func sessRules(t *testing.T, res *Result) []string {
	t.Helper()
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func TestSessionAnalyze(t *testing.T) {
	ctx := context.Background()
	s := NewSession()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.rs")
	d1 := s.Open("file://"+path, path, "rust", 1, []byte(sessUndocumented))
	res, err := s.Analyze(ctx, d1)
	if err != nil {
		t.Fatal(err)
	}
	if got := sessRules(t, res); len(got) != 1 || got[0] != "undocumented-unsafe" {
		t.Fatalf("findings %v", got)
	}
	if f := res.Findings[0]; string(d1.Text[f.Start:f.End]) != "unsafe { *p }" {
		t.Errorf("finding at %q", d1.Text[f.Start:f.End])
	}
	if res.Doc != d1 || res.Skipped != nil || res.ConfigErr != nil {
		t.Errorf("result %+v", res)
	}
	again, _ := s.Analyze(ctx, d1)
	if again != res {
		t.Error("the second analysis of a snapshot was not cached")
	}

	// A change makes a new snapshot with its own analysis.
	at := bytes.Index(d1.Text, []byte("    /*"))
	d2, err := s.Change(d1.Key, 2, []EditFunc{edit(at, at, "    // SAFETY: `p` is valid.\n")})
	if err != nil {
		t.Fatal(err)
	}
	res2, err := s.Analyze(ctx, d2)
	if err != nil {
		t.Fatal(err)
	}
	if got := sessRules(t, res2); len(got) != 0 {
		t.Errorf("findings after the fix: %v", got)
	}
	// The old snapshot can still be analysed (a request taken before the
	// change), without evicting the new one's result.
	old, err := s.Analyze(ctx, d1)
	if err != nil || len(old.Findings) != 1 || old.Doc != d1 {
		t.Errorf("old snapshot: %v, %v", old, err)
	}
	if again, _ := s.Analyze(ctx, d2); again != res2 {
		t.Error("analysing the old snapshot evicted the new one's result")
	}
}

func TestSessionConcurrentAnalyze(t *testing.T) {
	s := NewSession()
	d := s.Open("untitled:a", "", "rust", 1, []byte(sessUndocumented))
	var wg sync.WaitGroup
	results := make([]*Result, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Analyze(context.Background(), d)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r != results[0] {
			t.Fatal("concurrent analyses of a snapshot were not shared")
		}
	}
}

func TestSessionCancel(t *testing.T) {
	s := NewSession()
	d := s.Open("untitled:a", "", "rust", 1, []byte(sessUndocumented))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Analyze(ctx, d); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled analysis: %v", err)
	}
	res, err := s.Analyze(context.Background(), d)
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("analysis after a cancelled one: %v, %v", res, err)
	}
}

// trippingContext is cancelled by its own Err once that was asked limit
// times: it tells whether, and how often, the work checks its context.
type trippingContext struct {
	context.Context
	limit int64
	calls atomic.Int64
	once  sync.Once
	done  chan struct{}
}

func newTrippingContext(limit int64) *trippingContext {
	return &trippingContext{Context: context.Background(), limit: limit, done: make(chan struct{})}
}

func (c *trippingContext) Done() <-chan struct{} { return c.done }

func (c *trippingContext) Err() error {
	if c.calls.Add(1) <= c.limit {
		return nil
	}
	c.once.Do(func() { close(c.done) })
	return context.Canceled
}

// TestSessionCancelRunning: the context of Analyze reaches the parser and
// the rules, which stop soon after it is cancelled mid-way.
func TestSessionCancelRunning(t *testing.T) {
	text := "fn f() {\n" + strings.Repeat("    unsafe { g() };\n", 20000) + "}\n"
	// How often the parse alone checks: a limit past that trips in the rules.
	parse := newTrippingContext(1 << 62)
	f, err := symbols.Parse(parse, "big.rs", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, limit := range []int64{10, parse.calls.Load() + 1000} { // in the parse, in the rules
		s := NewSession()
		d := s.Open("untitled:big.rs", "", "rust", 1, []byte(text))
		ctx := newTrippingContext(limit)
		if _, err := s.Analyze(ctx, d); !errors.Is(err, context.Canceled) {
			t.Errorf("limit %d: %v, want context.Canceled", limit, err)
		}
		if n := ctx.calls.Load(); n > limit+50 {
			t.Errorf("limit %d: the work went on after its context was cancelled (%d more checks)", limit, n-limit)
		}
		// A later analysis is not spoilt by the cancelled one.
		res, err := s.Analyze(context.Background(), d)
		if err != nil || len(res.Findings) != 20000 {
			t.Fatalf("after the cancelled analysis: %v", err)
		}
	}
}

func TestSessionNotRust(t *testing.T) {
	s := NewSession()
	d := s.Open("file:///x/a.c", "/x/a.c", "c", 1, []byte(sessUndocumented))
	res, err := s.Analyze(context.Background(), d)
	if err != nil || len(res.Findings) != 0 {
		t.Errorf("non-Rust document: %v, %v", res, err)
	}
	if _, err := s.Analyze(context.Background(), nil); !errors.Is(err, ErrNotOpen) {
		t.Errorf("nil document: %v", err)
	}
}

func TestSessionTooLarge(t *testing.T) {
	s := NewSession()
	text := bytes.Repeat([]byte("// filler\n"), symbols.MaxFileSize/10+1)
	d := s.Open("untitled:big.rs", "", "rust", 1, text)
	res, err := s.Analyze(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res.Skipped, symbols.ErrTooLarge) || len(res.Findings) != 0 {
		t.Errorf("result %+v", res.Skipped)
	}
}

func TestSessionSettings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".clippy.toml"), []byte("check-private-items = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "m.rs")
	s := NewSession()
	d := s.Open("file://"+path, path, "rust", 1, []byte(sessPrivateUnsafe+sessUndocumented))
	res, _ := s.Analyze(ctx, d)
	if got := sessRules(t, res); len(got) != 2 || got[0] != "missing-safety-doc" {
		t.Fatalf(".clippy.toml check-private-items: %v", got)
	}

	off := false
	s.SetSettings(Settings{CheckPrivateItems: &off})
	res, _ = s.Analyze(ctx, d)
	if got := sessRules(t, res); len(got) != 1 || got[0] != "undocumented-unsafe" {
		t.Errorf("checkPrivateItems false: %v", got)
	}

	s.SetSettings(Settings{Rules: map[string]bool{"missing-safety-doc": true}})
	res, _ = s.Analyze(ctx, d)
	if got := sessRules(t, res); len(got) != 1 || got[0] != "missing-safety-doc" {
		t.Errorf("rules missing-safety-doc: %v", got)
	}
	if st := s.Settings(); !st.Rules["missing-safety-doc"] || st.CheckPrivateItems != nil {
		t.Errorf("Settings = %+v", st)
	}

	// A broken configuration is reported; the rules still run.
	if err := os.WriteFile(filepath.Join(dir, ".clippy.toml"), []byte("check-private-items = maybe\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.ForgetConfig()
	res, err := s.Analyze(ctx, d)
	if err != nil || res.ConfigErr == nil {
		t.Errorf("broken .clippy.toml: %v, %v", res.ConfigErr, err)
	}
}

func TestSessionDocuments(t *testing.T) {
	s := NewSession()
	s.Open("b", "", "rust", 1, nil)
	s.Open("a", "", "rust", 1, nil)
	if all := s.Documents(); len(all) != 2 || all[0].Key != "a" {
		t.Errorf("Documents = %v", all)
	}
	if !s.Close("a") || s.Document("a") != nil || s.Document("b") == nil {
		t.Error("Close")
	}
	if _, err := s.Change("a", 2, nil); !errors.Is(err, ErrNotOpen) {
		t.Errorf("Change of a closed document: %v", err)
	}
}

// TestSessionConventionHints: the editor shows the justification-comment
// rules as hints when the settings list no rules; a list is the whole
// list, so they run only when it names them.
func TestSessionConventionHints(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.rs")
	s := NewSession()
	d := s.Open("file://"+path, path, "rust", 1, []byte("pub fn f(x: u64) -> u32 {\n    x as u32\n}\n"))
	casts := func() int {
		res, err := s.Analyze(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range res.Findings {
			if f.Rule == diagnostics.UndocumentedCast.Name {
				n++
				if f.Severity != diagnostics.Hint {
					t.Errorf("%s at severity %v", f.Rule, f.Severity)
				}
			}
		}
		return n
	}
	if n := casts(); n != 1 {
		t.Errorf("default settings: %d cast hints, want 1", n)
	}
	s.SetSettings(Settings{Rules: map[string]bool{"undocumented-unsafe": true}})
	if n := casts(); n != 0 {
		t.Errorf("rules [undocumented-unsafe]: %d cast hints, want 0", n)
	}
	s.SetSettings(Settings{Rules: map[string]bool{"undocumented-cast": true}})
	if n := casts(); n != 1 {
		t.Errorf("rules [undocumented-cast]: %d cast hints, want 1", n)
	}
}
