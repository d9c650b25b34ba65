package kconfig

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkOldDefConfig loads x86's Kconfig tree of each fixture kernel
// (parsing every file afresh, in the tree's dialect) and evaluates and
// writes its x86_64 fixture .config: the whole of `krls config
// olddefconfig` but the I/O of the output.
func BenchmarkOldDefConfig(b *testing.B) {
	for _, kt := range fixtureTrees(b) {
		obj := kt.objs[0]
		b.Run(kt.version, func(b *testing.B) {
			d, err := ReadDotConfig(filepath.Join(obj.dir, ".config"))
			if err != nil {
				b.Fatal(err)
			}
			tools := NewToolchain(kt.src, obj.arch, nil)
			dialect := kt.dialect(b)
			var out bytes.Buffer
			for b.Loop() {
				k, err := Load(context.Background(), LoadOptions{Srctree: kt.src, Tools: tools, Dialect: dialect})
				if err != nil {
					b.Fatal(err)
				}
				e := NewEval(k)
				e.Apply(d)
				out.Reset()
				e.WriteConfig(&out)
			}
		})
	}
}

// BenchmarkReload is the same with the parsed files cached, as the
// server reloads after an edit to one Kconfig file.
func BenchmarkReload(b *testing.B) {
	src, obj := os.Getenv("KRLS_KERNEL_SRC"), os.Getenv("KRLS_KERNEL_OBJ_X86_64")
	if src == "" || obj == "" {
		b.Skip("KRLS_KERNEL_SRC/KRLS_KERNEL_OBJ_X86_64 not set")
	}
	d, _ := ReadDotConfig(filepath.Join(obj, ".config"))
	tools := NewToolchain(src, "x86_64", nil)
	cache := &FileCache{}
	for b.Loop() {
		k, err := Load(context.Background(), LoadOptions{Srctree: src, Tools: tools, Files: cache})
		if err != nil {
			b.Fatal(err)
		}
		e := NewEval(k)
		e.Apply(d)
		e.WriteConfig(&bytes.Buffer{})
	}
}

// BenchmarkParseFiles parses every Kconfig file of the tree on one core.
func BenchmarkParseFiles(b *testing.B) {
	src := os.Getenv("KRLS_KERNEL_SRC")
	if src == "" {
		b.Skip("KRLS_KERNEL_SRC not set")
	}
	var paths []string
	var srcs [][]byte
	total := 0
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(d.Name()) >= 7 && d.Name()[:7] == "Kconfig" {
			data, _ := os.ReadFile(p)
			paths = append(paths, p)
			srcs = append(srcs, data)
			total += len(data)
		}
		return nil
	})
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for i := range srcs {
			ParseFile(paths[i], srcs[i])
		}
	}
}

// BenchmarkEvalPhases splits BenchmarkReload: building the symbols and
// menu tree from parsed files, evaluating the .config, writing it out.
func BenchmarkEvalPhases(b *testing.B) {
	src, obj := os.Getenv("KRLS_KERNEL_SRC"), os.Getenv("KRLS_KERNEL_OBJ_X86_64")
	if src == "" || obj == "" {
		b.Skip("KRLS_KERNEL_SRC/KRLS_KERNEL_OBJ_X86_64 not set")
	}
	d, _ := ReadDotConfig(filepath.Join(obj, ".config"))
	tools := NewToolchain(src, "x86_64", nil)
	cache := &FileCache{}
	load := func() *Kconfig {
		k, err := Load(context.Background(), LoadOptions{Srctree: src, Tools: tools, Files: cache})
		if err != nil {
			b.Fatal(err)
		}
		return k
	}
	k := load()
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			load()
		}
	})
	b.Run("apply", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewEval(k).Apply(d)
		}
	})
	e := NewEval(k)
	e.Apply(d)
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		var out bytes.Buffer
		for b.Loop() {
			out.Reset()
			e.WriteConfig(&out)
		}
	})
}

// BenchmarkDetectDialect reads a tree's dialect from its scripts/kconfig,
// which every load does first.
func BenchmarkDetectDialect(b *testing.B) {
	for _, kt := range fixtureTrees(b) {
		b.Run(kt.version, func(b *testing.B) {
			for b.Loop() {
				if _, err := DetectDialect(kt.src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
