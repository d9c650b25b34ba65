package kconfig

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Differential tests against each fixture kernel's own scripts/kconfig
// (Linux 6.1, 6.12 and 7.2): krls's olddefconfig must write what the
// tree's `make olddefconfig` writes, byte for byte. `make test` sets
// KRLS_REQUIRE_KERNEL=1 so that a missing tree fails instead of skipping.
//
// conf's answers are kept in a cache beside the fixture
// ($KRLS_TESTDATA/oracle-cache), keyed by a digest of everything they
// depend on (the tree's Makefile and scripts/kconfig, ARCH, the target,
// the input), so that only the first run pays for them.

// olddefconfig runs krls's olddefconfig on input in kt.
func (kt *kernelTree) olddefconfig(t testing.TB, arch string, input []byte, shell Shell) []byte {
	t.Helper()
	tools := NewToolchain(kt.src, arch, kt.toolEnv)
	out, _, _ := applyAndWrite(t, loadClean(t, LoadOptions{Srctree: kt.src, Tools: tools, Shell: shell}), input)
	return out
}

// shell runs kt's toolchain probes as the Makefile would.
func (kt *kernelTree) shell(t testing.TB, arch string) *ExecShell {
	tools := NewToolchain(kt.src, arch, kt.toolEnv)
	return &ExecShell{Dir: t.TempDir(), Env: tools.ShellEnv(), Timeout: time.Minute}
}

// TestFixpoints: each fixture .config, made by its kernel's conf, comes
// back byte for byte from krls's olddefconfig with no probe run.
func TestFixpoints(t *testing.T) {
	for _, kt := range fixtureTrees(t) {
		for _, o := range kt.objs {
			t.Run(kt.version+"/"+o.name, func(t *testing.T) {
				in, err := os.ReadFile(filepath.Join(o.dir, ".config"))
				if err != nil {
					t.Fatal(err)
				}
				out := kt.olddefconfig(t, o.arch, in, nil)
				if d := firstDiff(in, out); d != "" {
					t.Errorf("not a fixpoint: %s", d)
				}
				t.Logf("%d lines, %d symbol lines", bytes.Count(in, []byte("\n")), countEntries(in))
			})
		}
	}
}

// oracle runs a kernel's own `make olddefconfig` (or randconfig) in
// scratch object trees, one per ARCH and goroutine, and caches what it
// wrote.
type oracle struct {
	kt    *kernelTree
	mu    sync.Mutex
	free  map[string][]string // ARCH → idle scratch objtrees
	cache string
	key   string // digest of the tree's Makefile and scripts/kconfig
	runs  int    // conf runs that were not cached
}

func newOracle(t testing.TB, kt *kernelTree) *oracle {
	h := sha256.New()
	for _, name := range []string{"Makefile", "scripts/kconfig/confdata.c", "scripts/kconfig/symbol.c", "scripts/kconfig/menu.c", "scripts/kconfig/parser.y", "scripts/kconfig/conf.c"} {
		b, err := os.ReadFile(filepath.Join(kt.src, name))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	cache := filepath.Join(filepath.Dir(kt.src), "oracle-cache")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		cache = t.TempDir()
	}
	return &oracle{kt: kt, free: map[string][]string{}, cache: cache, key: hex.EncodeToString(h.Sum(nil))}
}

func (o *oracle) run(t testing.TB, arch string, input []byte, target string, extra ...string) []byte {
	t.Helper()
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%q\x00", o.key, o.kt.fake, arch, target, extra)
	h.Write(input)
	cached := filepath.Join(o.cache, hex.EncodeToString(h.Sum(nil)))
	if b, err := os.ReadFile(cached); err == nil {
		return b
	}
	o.mu.Lock()
	var dir string
	if n := len(o.free[arch]); n > 0 {
		dir, o.free[arch] = o.free[arch][n-1], o.free[arch][:n-1]
	}
	o.runs++
	o.mu.Unlock()
	if dir == "" {
		dir = t.TempDir()
	}
	defer func() {
		o.mu.Lock()
		o.free[arch] = append(o.free[arch], dir)
		o.mu.Unlock()
	}()
	if input != nil {
		if err := os.WriteFile(filepath.Join(dir, ".config"), input, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rustc, _ := o.kt.toolEnv("RUSTC")
	bindgen, _ := o.kt.toolEnv("BINDGEN")
	args := append([]string{"-s", "-C", o.kt.src, "O=" + dir, "ARCH=" + arch, "RUSTC=" + rustc, "BINDGEN=" + bindgen, target}, extra...)
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
	tmp := cached + ".tmp" + strconv.Itoa(os.Getpid())
	if os.WriteFile(tmp, out, 0o644) == nil {
		os.Rename(tmp, cached)
	}
	return out
}

// oracleSeeds is how many perturbed configurations each fixture .config
// gives (KRLS_ORACLE_SEEDS widens the tests for a long run).
func oracleSeeds() int { return envInt("KRLS_ORACLE_SEEDS", 10) }

// TestAgainstConf perturbs each fixture .config of each kernel (symbols
// flipped, hundreds of lines dropped, numbers and strings changed) and
// checks that krls's olddefconfig, running the probes, writes exactly
// what the kernel's own `make olddefconfig` writes.
func TestAgainstConf(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make olddefconfig some 80 times (cached after the first run)")
	}
	for _, kt := range fixtureTrees(t) {
		t.Run(kt.version, func(t *testing.T) {
			t.Parallel()
			o := newOracle(t, kt)
			k := map[string]*Kconfig{}
			configs, symbols := 0, 0
			for _, obj := range kt.objs {
				sh := kt.shell(t, obj.arch)
				if k[obj.arch] == nil {
					tools := NewToolchain(kt.src, obj.arch, kt.toolEnv)
					k[obj.arch] = loadClean(t, LoadOptions{Srctree: kt.src, Tools: tools, Shell: sh})
				}
				base, err := os.ReadFile(filepath.Join(obj.dir, ".config"))
				if err != nil {
					t.Fatal(err)
				}
				for seed := int64(1); seed <= int64(oracleSeeds()); seed++ {
					in := perturb(base, seed)
					want := o.run(t, obj.arch, in, "olddefconfig")
					got, _, _ := applyAndWrite(t, k[obj.arch], in)
					configs++
					symbols += countEntries(want)
					if d := firstDiff(want, got); d != "" {
						t.Errorf("%s seed %d: krls differs from conf: %s", obj.name, seed, d)
						os.WriteFile(filepath.Join(os.TempDir(), fmt.Sprintf("krls-%s-%s-%d.in", kt.version, obj.name, seed)), in, 0o644)
					}
				}
			}
			t.Logf("Linux %s: compared %d configurations, %d symbol lines, with conf (%d conf runs not cached)", kt.version, configs, symbols, o.runs)
		})
	}
}

// TestRandconfigAgainstConf: configurations made by each kernel's own
// `make randconfig`, for x86_64 and arm64, read back by krls's
// olddefconfig without probes, give what the kernel's olddefconfig gives.
func TestRandconfigAgainstConf(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make randconfig")
	}
	seeds := []string{"0x1", "0x2a", "0xdeadbeef"}
	for i := 3; i < envInt("KRLS_ORACLE_SEEDS", 3); i++ {
		seeds = append(seeds, fmt.Sprintf("0x%x", 1000+i*7919))
	}
	for _, kt := range fixtureTrees(t) {
		t.Run(kt.version, func(t *testing.T) {
			t.Parallel()
			o := newOracle(t, kt)
			configs, symbols := 0, 0
			for _, arch := range []string{"x86_64", "arm64"} {
				tools := NewToolchain(kt.src, arch, kt.toolEnv)
				k := loadClean(t, LoadOptions{Srctree: kt.src, Tools: tools})
				for _, seed := range seeds {
					in := o.run(t, arch, nil, "randconfig", "KCONFIG_SEED="+seed)
					want := o.run(t, arch, in, "olddefconfig")
					got, _, _ := applyAndWrite(t, k, in)
					configs++
					symbols += countEntries(want)
					if d := firstDiff(want, got); d != "" {
						t.Errorf("%s randconfig seed %s: krls differs from conf: %s", arch, seed, d)
						os.WriteFile(filepath.Join(os.TempDir(), fmt.Sprintf("krls-rand-%s-%s-%s.config", kt.version, arch, seed)), in, 0o644)
					}
				}
			}
			t.Logf("Linux %s: %d randconfig outputs, %d symbol lines (%d conf runs not cached)", kt.version, configs, symbols, o.runs)
		})
	}
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
