package kconfig

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Differential tests against the kernel's own scripts/kconfig, on the real
// Linux 6.12 tree of ../shared/kernel-fixture.sh. `make test` sets
// KRLS_REQUIRE_KERNEL=1 so that a missing tree fails instead of skipping.

type fixture struct {
	src, cache string
	objs       map[string]string // name → objtree
	arches     map[string]string // name → ARCH
}

func kernelFixture(t testing.TB) *fixture {
	src := os.Getenv("KRLS_KERNEL_SRC")
	if src == "" {
		if os.Getenv("KRLS_REQUIRE_KERNEL") != "" {
			t.Fatal("KRLS_KERNEL_SRC is not set")
		}
		t.Skip("KRLS_KERNEL_SRC not set: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return &fixture{
		src:   src,
		cache: filepath.Dir(src),
		objs: map[string]string{
			"x86_64-rust":  os.Getenv("KRLS_KERNEL_OBJ_X86_64"),
			"arm64-rust":   os.Getenv("KRLS_KERNEL_OBJ_ARM64"),
			"debian-amd64": os.Getenv("KRLS_KERNEL_OBJ_DEBIAN"),
		},
		arches: map[string]string{"x86_64-rust": "x86_64", "arm64-rust": "arm64", "debian-amd64": "x86_64"},
	}
}

// toolEnv is the fake toolchain the fixture configured the trees with.
func (f *fixture) toolEnv(name string) (string, bool) {
	switch name {
	case "RUSTC", "BINDGEN":
		return filepath.Join(f.cache, "fake-toolchain", strings.ToLower(name)), true
	}
	return "", false
}

// olddefconfig runs krls's olddefconfig on input.
func (f *fixture) olddefconfig(t testing.TB, arch string, input []byte, shell Shell) []byte {
	t.Helper()
	tools := NewToolchain(f.src, arch, f.toolEnv)
	out, _, _ := applyAndWrite(t, loadClean(t, LoadOptions{Srctree: f.src, Tools: tools, Shell: shell}), input)
	return out
}

// TestFixpoints: each fixture .config, made by the kernel's conf, comes
// back byte for byte from krls's olddefconfig with no probe run.
func TestFixpoints(t *testing.T) {
	f := kernelFixture(t)
	for name, obj := range f.objs {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(obj, ".config"))
			if err != nil {
				t.Fatal(err)
			}
			out := f.olddefconfig(t, f.arches[name], in, nil)
			if d := firstDiff(in, out); d != "" {
				t.Errorf("not a fixpoint: %s", d)
			}
			t.Logf("%d lines, %d symbols set", bytes.Count(in, []byte("\n")), countEntries(in))
		})
	}
}

// oracle runs the kernel's own `make olddefconfig` in a scratch objtree
// per architecture (conf is built once per objtree).
type oracle struct {
	f    *fixture
	mu   sync.Mutex
	objs map[string]string
}

func (o *oracle) run(t testing.TB, arch string, input []byte, target string, extra ...string) []byte {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	dir, ok := o.objs[arch]
	if !ok {
		dir = t.TempDir()
		if o.objs == nil {
			o.objs = map[string]string{}
		}
		o.objs[arch] = dir
	}
	if input != nil {
		if err := os.WriteFile(filepath.Join(dir, ".config"), input, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rustc, _ := o.f.toolEnv("RUSTC")
	bindgen, _ := o.f.toolEnv("BINDGEN")
	args := append([]string{"-s", "-C", o.f.src, "O=" + dir, "ARCH=" + arch, "RUSTC=" + rustc, "BINDGEN=" + bindgen, target}, extra...)
	cmd := exec.Command("make", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, stderr.String())
	}
	out, err := os.ReadFile(filepath.Join(dir, ".config"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAgainstConf perturbs each fixture .config (symbols flipped, hundreds
// of lines dropped, numbers and strings changed) and checks that krls's
// olddefconfig, running the probes, writes exactly what the kernel's
// `make olddefconfig` writes.
func TestAgainstConf(t *testing.T) {
	f := kernelFixture(t)
	if testing.Short() {
		t.Skip("runs make olddefconfig a dozen times")
	}
	o := &oracle{f: f}
	shells := map[string]*ExecShell{}
	names := []string{"x86_64-rust", "arm64-rust", "debian-amd64"}
	configs, symbols := 0, 0
	for _, name := range names {
		arch := f.arches[name]
		if shells[arch] == nil {
			tools := NewToolchain(f.src, arch, f.toolEnv)
			shells[arch] = &ExecShell{Dir: t.TempDir(), Env: tools.ShellEnv(), Timeout: time.Minute}
		}
		base, err := os.ReadFile(filepath.Join(f.objs[name], ".config"))
		if err != nil {
			t.Fatal(err)
		}
		for seed := int64(1); seed <= int64(envInt("KRLS_ORACLE_SEEDS", 3)); seed++ {
			in := perturb(base, seed)
			want := o.run(t, arch, in, "olddefconfig")
			got := f.olddefconfig(t, arch, in, shells[arch])
			configs++
			symbols += countEntries(want)
			if d := firstDiff(want, got); d != "" {
				t.Errorf("%s seed %d: krls differs from conf: %s", name, seed, d)
				os.WriteFile(filepath.Join(os.TempDir(), fmt.Sprintf("krls-%s-%d.in", name, seed)), in, 0o644)
			}
		}
	}
	t.Logf("compared %d configurations, %d symbol lines, with conf", configs, symbols)
}

// TestRandconfigFixpoints: configurations made by the kernel's own
// `make randconfig` are fixpoints of krls's olddefconfig without probes.
func TestRandconfigFixpoints(t *testing.T) {
	f := kernelFixture(t)
	if testing.Short() {
		t.Skip("runs make randconfig")
	}
	o := &oracle{f: f}
	configs, symbols := 0, 0
	seeds := []string{"0x1", "0x2a", "0xdeadbeef"}
	for i := 3; i < envInt("KRLS_ORACLE_SEEDS", 3); i++ {
		seeds = append(seeds, fmt.Sprintf("0x%x", 1000+i*7919))
	}
	for _, arch := range []string{"x86_64", "arm64"} {
		for _, seed := range seeds {
			in := o.run(t, arch, nil, "randconfig", "KCONFIG_SEED="+seed)
			got := f.olddefconfig(t, arch, in, nil)
			configs++
			symbols += countEntries(in)
			if d := firstDiff(in, got); d != "" {
				t.Errorf("%s randconfig seed %s is not a fixpoint: %s", arch, seed, d)
				os.WriteFile(filepath.Join(os.TempDir(), fmt.Sprintf("krls-rand-%s-%s.config", arch, seed)), in, 0o644)
			}
		}
	}
	t.Logf("%d randconfig outputs, %d symbol lines", configs, symbols)
}

// perturb flips 60 bool/tristate values, drops 300 lines, and sets a few
// numbers and strings, at random but repeatably.
func perturb(base []byte, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	lines := strings.Split(strings.TrimSuffix(string(base), "\n"), "\n")
	var entries []int
	for i, l := range lines {
		if strings.HasPrefix(l, "CONFIG_") || strings.HasPrefix(l, "# CONFIG_") {
			entries = append(entries, i)
		}
	}
	for n := 0; n < 60; n++ {
		i := entries[r.Intn(len(entries))]
		l := lines[i]
		switch {
		case strings.HasSuffix(l, " is not set"):
			name := strings.TrimSuffix(strings.TrimPrefix(l, "# "), " is not set")
			lines[i] = name + "=y"
		case strings.HasSuffix(l, "=y"):
			lines[i] = "# " + strings.TrimSuffix(l, "=y") + " is not set"
		case strings.HasSuffix(l, "=m"):
			lines[i] = strings.TrimSuffix(l, "=m") + []string{"=y", "=n"}[r.Intn(2)]
		}
	}
	for n := 0; n < 6; n++ {
		i := entries[r.Intn(len(entries))]
		l := lines[i]
		name, val, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(val, "\""):
			lines[i] = name + `="krls \"test\" \\ value"`
		case strings.HasPrefix(val, "0x"):
			lines[i] = fmt.Sprintf("%s=0x%x", name, r.Intn(1<<20))
		case len(val) > 0 && val[0] >= '0' && val[0] <= '9':
			lines[i] = fmt.Sprintf("%s=%d", name, r.Intn(100000)-10)
		}
	}
	drop := map[int]bool{}
	for len(drop) < 300 {
		drop[r.Intn(len(lines))] = true
	}
	var out []string
	for i, l := range lines {
		if !drop[i] {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

// envInt reads a number from the environment (KRLS_ORACLE_SEEDS widens
// the differential tests for a long run).
func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err == nil && n > 0 {
		return n
	}
	return def
}

func countEntries(b []byte) int {
	return bytes.Count(b, []byte("\nCONFIG_")) + bytes.Count(b, []byte("\n# CONFIG_"))
}

// firstDiff describes the first differing line of two files, or "".
func firstDiff(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			// Count the differing lines as sets, to say how far apart.
			ws, gs := map[string]bool{}, map[string]bool{}
			for _, l := range wl {
				ws[l] = true
			}
			for _, l := range gl {
				gs[l] = true
			}
			var only []string
			for l := range ws {
				if !gs[l] {
					only = append(only, "-"+l)
				}
			}
			for l := range gs {
				if !ws[l] {
					only = append(only, "+"+l)
				}
			}
			sort.Strings(only)
			if len(only) > 12 {
				only = append(only[:12], "...")
			}
			return fmt.Sprintf("line %d: want %q, got %q; lines only in one: %v", i+1, w, g, only)
		}
	}
	return "same lines, different bytes"
}
