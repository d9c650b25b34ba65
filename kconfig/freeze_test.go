package kconfig

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// TestFreezeConcurrentReads runs explanations and writes of one frozen
// Eval from several goroutines; `go test -race` checks that nothing
// writes, and the outputs must equal those of an unfrozen Eval.
func TestFreezeConcurrentReads(t *testing.T) {
	tree, _ := filepath.Abs("testdata/trees/choice")
	k, err := Load(context.Background(), LoadOptions{Srctree: tree, Tools: &Toolchain{Env: map[string]string{}}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := ParseDotConfig("in", bytes.NewReader(nil))
	ref := NewEval(k)
	ref.Apply(d)
	var want bytes.Buffer
	ref.WriteConfig(&want)
	wantWhy := map[*Symbol]string{}
	for _, s := range k.Symbols {
		wantWhy[s] = Explain(ref, s).Text()
	}

	e := NewEval(k)
	e.Apply(d)
	e.Freeze()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, s := range k.Symbols {
				if got := Explain(e, s).Text(); got != wantWhy[s] {
					t.Errorf("%s: %q, want %q", s.Name, got, wantWhy[s])
				}
			}
			var out bytes.Buffer
			e.WriteConfig(&out)
			if out.String() != want.String() {
				t.Errorf("frozen output differs:\n%s\nwant:\n%s", out.String(), want.String())
			}
			e.RustCfg()
		})
	}
	wg.Wait()
}
