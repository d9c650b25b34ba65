package diagnostics

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
)

// The kernel rules on the real Linux 6.12 tree, under the three
// configured object trees of the fixture.

var realKernels sync.Map // objtree env var → *KernelConfig

// realKernel loads the configuration of the object tree named by env
// ($KRLS_KERNEL_OBJ_X86_64, ...) for arch, once per test binary.
func realKernel(t testing.TB, env, arch string) *KernelConfig {
	t.Helper()
	src := kernelSrc(t)
	obj := os.Getenv(env)
	if obj == "" {
		if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
			t.Fatalf("%s is not set", env)
		}
		t.Skipf("%s not set: eval \"$(../shared/kernel-fixture.sh)\"", env)
	}
	if kc, ok := realKernels.Load(env); ok {
		return kc.(*KernelConfig)
	}
	kc, err := loadKernelConfig(src, obj, arch, kconfig.NewToolchain(src, arch, func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	realKernels.Store(env, kc)
	return kc
}

var kernelRuleSet = map[string]bool{UndefinedConfig.Name: true, ConfigNotForArch.Name: true, DisabledCfgItem.Name: true}

// kernelRuleFindings runs the kernel rules on every .rs file of the tree.
func kernelRuleFindings(t *testing.T, kc *KernelConfig) map[string]string {
	out := map[string]string{}
	for _, kf := range readKernel(t) {
		f, err := symbols.Parse(t.Context(), kf.rel, kf.src)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range Analyze(t.Context(), f, Config{Rules: kernelRuleSet, Kernel: kc}) {
			out[key2(f, kf.rel, x)] = x.Message
		}
		f.Close()
	}
	return out
}

func key2(f *symbols.File, rel string, x Finding) string {
	return rel + ":" + strconv.Itoa(f.Lines.Line(x.Start)+1) + " " + x.Rule + " " + string(f.Src[x.Start:x.End])
}

// TestKernelRulesRealTree: no undefined name and nothing left out under
// the x86_64 Rust configuration; under arm64's (RUST_PHYLIB_ABSTRACTIONS
// and RUST_FW_LOADER_ABSTRACTIONS not set) and Debian's (no Rust at all)
// the two Rust PHY drivers use what is left out. The kernel crate's own
// files under a gate that is off are not compiled and not reported.
func TestKernelRulesRealTree(t *testing.T) {
	phyDrivers := []string{
		"drivers/net/phy/ax88796b_rust.rs:9 disabled-cfg-item phy",
		"drivers/net/phy/ax88796b_rust.rs:14 disabled-cfg-item module_phy_driver",
		"drivers/net/phy/qt2025.rs:14 disabled-cfg-item firmware",
		"drivers/net/phy/qt2025.rs:15 disabled-cfg-item phy",
		"drivers/net/phy/qt2025.rs:23 disabled-cfg-item module_phy_driver",
	}
	for _, c := range []struct {
		env, arch string
		want      []string
		why       string
	}{
		{"KRLS_KERNEL_OBJ_X86_64", "x86_64", nil, ""},
		{"KRLS_KERNEL_OBJ_ARM64", "arm64", phyDrivers, "which is n as the .config sets it"},
		{"KRLS_KERNEL_OBJ_DEBIAN", "x86_64", phyDrivers, "which is n because RUST_PHYLIB_ABSTRACTIONS depends on RUST [=n]"},
	} {
		t.Run(c.env, func(t *testing.T) {
			kc := realKernel(t, c.env, c.arch)
			got := kernelRuleFindings(t, kc)
			var keys []string
			for k := range got {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			want := append([]string(nil), c.want...)
			sort.Strings(want)
			if strings.Join(keys, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings:\n got %v\nwant %v", keys, want)
				for _, k := range keys {
					t.Logf("%s: %s", k, got[k])
				}
			}
			if c.why != "" {
				if msg := got[phyDrivers[0]]; !strings.HasPrefix(msg, "kernel::net::phy is built only with CONFIG_RUST_PHYLIB_ABSTRACTIONS, "+c.why) {
					t.Errorf("message: %q", msg)
				}
			}
		})
	}
}

// BenchmarkKernelRules runs the three kernel rules on every parsed .rs
// file of the tree under the x86_64 configuration, on one core.
func BenchmarkKernelRules(b *testing.B) {
	kc := realKernel(b, "KRLS_KERNEL_OBJ_X86_64", "x86_64")
	paths, srcs := kernelRustFiles(b)
	var files []*symbols.File
	for i := range srcs {
		f, err := symbols.Parse(b.Context(), paths[i], srcs[i])
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	cfg := Config{Rules: kernelRuleSet, Kernel: kc}
	for b.Loop() {
		for _, f := range files {
			Analyze(b.Context(), f, cfg)
		}
	}
}
