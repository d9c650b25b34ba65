package kconfig

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRustCfgMatchesBuild compares the cfg flags krls computes with the
// include/generated/rustc_cfg the kernel's build wrote in the x86_64
// object tree.
func TestRustCfgMatchesBuild(t *testing.T) {
	for _, kt := range fixtureTrees(t) {
		t.Run(kt.version, func(t *testing.T) { rustCfgMatchesBuild(t, kt) })
	}
}

func rustCfgMatchesBuild(t *testing.T, kt *kernelTree) {
	src, obj := kt.src, kt.objs[0].dir
	data, err := os.ReadFile(filepath.Join(obj, "include/generated/rustc_cfg"))
	if err != nil {
		t.Fatalf("no rustc_cfg in the object tree: %v", err)
	}
	var want []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "--cfg=") {
			want = append(want, l)
		}
	}
	slices.Sort(want)
	d, err := ReadDotConfig(filepath.Join(obj, ".config"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := Load(context.Background(), LoadOptions{Srctree: src, Tools: NewToolchain(src, "x86_64", nil)})
	if err != nil {
		t.Fatal(err)
	}
	e := NewEval(k)
	e.Apply(d)
	c := e.RustCfg()
	got := c.Flags()
	if !slices.Equal(got, want) {
		var only []string
		for _, l := range got {
			if _, ok := slices.BinarySearch(want, l); !ok {
				only = append(only, "+"+l)
			}
		}
		for _, l := range want {
			if _, ok := slices.BinarySearch(got, l); !ok {
				only = append(only, "-"+l)
			}
		}
		if len(only) > 20 {
			only = only[:20]
		}
		t.Errorf("rustc_cfg differs (%d lines vs %d): %v", len(got), len(want), only)
	}
	t.Logf("%d rustc_cfg lines agree", len(got))
	if !c.Set("CONFIG_RUST") || c.Set("CONFIG_HZ") {
		t.Error("cfg(CONFIG_RUST) must hold and cfg(CONFIG_HZ), an int, must not")
	}
	if v, ok := c.Value("CONFIG_HZ"); !ok || v == "" {
		t.Errorf("CONFIG_HZ value = %q, %v", v, ok)
	}
}
