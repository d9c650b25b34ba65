package workspace

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

var objLineRE = regexp.MustCompile(`(?m)^obj-\$\(CONFIG_([A-Z0-9_]+)\)\s*\+?=\s*([A-Za-z0-9_]+)\.o\s*$`)

// TestNotBuiltRealTrees: on each fixture kernel, every Rust crate root of
// drivers/ and samples/ whose own obj-$(CONFIG_X) line the .config leaves
// off is reported not built, naming CONFIG_X and why it is off, with a
// symbol to explain; rust_minimal, which the .config builds down from the
// top Kbuild, is not reported.
func TestNotBuiltRealTrees(t *testing.T) {
	for _, k := range kerneltest.Kernels(t) {
		t.Run(k.Version, func(t *testing.T) {
			obj := k.RustObj(t)
			dot := kerneltest.DotConfig(t, obj.Dir)
			s := NewSession()
			defer s.Shutdown()
			s.SetSettings(Settings{Kernel: KernelSettings{Objtree: obj.Dir}})
			notBuilt := func(path string) (string, string) {
				t.Helper()
				text, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				d := s.Open("file://"+path, path, "rust", 1, text)
				res, err := s.Analyze(context.Background(), d)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range res.Findings {
					if f.Rule == "not-built" {
						return f.Message, f.Explain
					}
				}
				return "", ""
			}
			if msg, _ := notBuilt(filepath.Join(k.Src, "samples", "rust", "rust_minimal.rs")); msg != "" {
				t.Errorf("rust_minimal.rs: %s", msg)
			}
			off := 0
			for _, top := range []string{"drivers", "samples"} {
				filepath.WalkDir(filepath.Join(k.Src, top), func(p string, de os.DirEntry, err error) error {
					if err != nil || de.IsDir() || !strings.HasSuffix(p, ".rs") {
						return nil
					}
					mk, err := os.ReadFile(filepath.Join(filepath.Dir(p), "Makefile"))
					if err != nil {
						return nil
					}
					stem := strings.TrimSuffix(filepath.Base(p), ".rs")
					for _, m := range objLineRE.FindAllStringSubmatch(string(mk), -1) {
						if m[2] != stem || dot[m[1]] == "y" || dot[m[1]] == "m" {
							continue
						}
						off++
						msg, sym := notBuilt(p)
						if !strings.Contains(msg, "not built with this .config: CONFIG_"+m[1]+" is not set") || sym != m[1] {
							t.Errorf("%s: %q (explain %q), want CONFIG_%s named", p, msg, sym, m[1])
						}
					}
					return nil
				})
			}
			t.Logf("%d crate roots off by their own symbol", off)
		})
	}
}

// BenchmarkNotBuilt times NotBuilt, which every analysis of a file in a
// kernel tree asks, for a file deep in a large crate (7.2's nova-core,
// or a sample crate root where there is none): "walk" finds the crate
// afresh each time (as before the memo, plus the stat stamps); "memo" is NotBuilt itself.
func BenchmarkNotBuilt(b *testing.B) {
	for _, fk := range kerneltest.Kernels(b) {
		path := filepath.Join(fk.Src, "drivers/gpu/nova-core/falcon/gsp.rs")
		if _, err := os.Stat(path); err != nil {
			path = filepath.Join(fk.Src, "samples/rust/rust_minimal.rs")
		}
		ks := NewKernels()
		k, err := ks.Get(context.Background(), KernelTrees{Srctree: fk.Src, Objtree: fk.RustObj(b).Dir})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fk.Version+"/walk", func(b *testing.B) {
			for b.Loop() {
				// A fresh Kernel has an empty memo: it walks.
				(&Kernel{KernelTrees: k.KernelTrees, Eval: k.Eval, K: k.K}).NotBuilt(path)
			}
		})
		b.Run(fk.Version+"/memo", func(b *testing.B) {
			for b.Loop() {
				k.NotBuilt(path)
			}
		})
		ks.Close()
	}
}
