package diagnostics

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krls-dev/krls/symbols"
)

// kernelRustFiles reads every .rs file of the Linux tree named by
// $KRLS_KERNEL_SRC (see ../shared/kernel-fixture.sh), or skips.
func kernelRustFiles(tb testing.TB) (paths []string, srcs [][]byte) {
	root := os.Getenv("KRLS_KERNEL_SRC")
	if root == "" {
		tb.Skip("KRLS_KERNEL_SRC not set: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() != "." && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".rs") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			paths = append(paths, p)
			srcs = append(srcs, b)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return paths, srcs
}

// BenchmarkParseKernel parses every .rs file of the tree on one core.
func BenchmarkParseKernel(b *testing.B) {
	paths, srcs := kernelRustFiles(b)
	total := 0
	for _, s := range srcs {
		total += len(s)
	}
	b.SetBytes(int64(total))
	for b.Loop() {
		for i := range srcs {
			f, err := symbols.Parse(context.Background(), paths[i], srcs[i])
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	}
}

// BenchmarkAnalyzeKernel runs all rules on every parsed file, on one core.
func BenchmarkAnalyzeKernel(b *testing.B) {
	paths, srcs := kernelRustFiles(b)
	var files []*symbols.File
	for i := range srcs {
		f, err := symbols.Parse(context.Background(), paths[i], srcs[i])
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	cfg := Config{CheckPrivateItems: true}
	for b.Loop() {
		for _, f := range files {
			Analyze(context.Background(), f, cfg)
		}
	}
}
