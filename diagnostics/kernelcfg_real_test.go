package diagnostics

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
)

// The kernel rules on the real kernels of the fixture (kerneltest.Kernels), under
// each configured object tree.

var loadedKernels sync.Map // objtree → *KernelConfig

// realKernel loads the configuration of objtree obj of srctree src for
// arch, once per test binary.
func realKernel(t testing.TB, src, obj, arch string) *KernelConfig {
	t.Helper()
	if kc, ok := loadedKernels.Load(obj); ok {
		return kc.(*KernelConfig)
	}
	kc, err := loadKernelConfig(src, obj, arch, kconfig.NewToolchain(src, arch, func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	loadedKernels.Store(obj, kc)
	return kc
}

var kernelRuleSet = map[string]bool{UndefinedConfig.Name: true, ConfigNotForArch.Name: true, DisabledCfgItem.Name: true}

// parsedFile is a .rs file of a tree, parsed.
type parsedFile struct {
	rel string
	f   *symbols.File
}

// parseTree parses every .rs file of a tree (closed when the test ends).
func parseTree(t *testing.T, root string) []parsedFile {
	var out []parsedFile
	for _, kf := range readTree(t, root) {
		f, err := symbols.Parse(t.Context(), kf.rel, kf.src)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(f.Close)
		out = append(out, parsedFile{kf.rel, f})
	}
	return out
}

// kernelRuleFindings runs the kernel rules on the files: finding key →
// message.
func kernelRuleFindings(t *testing.T, files []parsedFile, kc *KernelConfig) map[string]string {
	out := map[string]string{}
	for _, pf := range files {
		for _, x := range Analyze(t.Context(), pf.f, Config{Rules: kernelRuleSet, Kernel: kc}) {
			out[key2(pf.f, pf.rel, x)] = x.Message
		}
	}
	return out
}

func key2(f *symbols.File, rel string, x Finding) string {
	return rel + ":" + strconv.Itoa(f.Lines.Line(x.Start)+1) + " " + x.Rule + " " + string(f.Src[x.Start:x.End])
}

// readLines reads a file of an object tree line by line.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dotConfigValues reads what a .config sets: "y", "m", a value without
// quotes, or "n" for `# CONFIG_X is not set`.
func dotConfigValues(t *testing.T, obj string) map[string]string {
	out := map[string]string{}
	for _, l := range readLines(t, filepath.Join(obj, ".config")) {
		if name, ok := strings.CutPrefix(l, "# CONFIG_"); ok {
			if name, ok := strings.CutSuffix(name, " is not set"); ok {
				out[name] = "n"
			}
		} else if rest, ok := strings.CutPrefix(l, "CONFIG_"); ok {
			name, v, _ := strings.Cut(rest, "=")
			out[name] = strings.Trim(v, `"`)
		}
	}
	return out
}

// kernelGate is a module of the kernel crate built only under a cfg of
// one CONFIG_ name: `#[cfg(CONFIG_X)]` or `#[cfg(CONFIG_X = "y")]` above
// `pub mod name;`.
type kernelGate struct {
	path string // kernel::net::phy
	flag string // the rustc_cfg line that builds it
}

// kernelGates reads the gated modules of the kernel crate as a reader
// would: each file's `pub mod` lines under such a cfg.
func kernelGates(t *testing.T, files []parsedFile) []kernelGate {
	cfg := regexp.MustCompile(`^\s*#\[cfg\(CONFIG_(\w+)(?: = "(\w+)")?\)\]\s*$`)
	mod := regexp.MustCompile(`^\s*pub mod (\w+);`)
	var out []kernelGate
	for _, pf := range files {
		rel, ok := strings.CutPrefix(pf.rel, "rust/kernel/")
		if !ok {
			continue
		}
		path := "kernel::" + strings.ReplaceAll(strings.TrimSuffix(rel, ".rs"), "/", "::")
		path = strings.TrimSuffix(strings.TrimSuffix(path, "::lib"), "::mod")
		lines := strings.Split(string(pf.f.Src), "\n")
		for i, l := range lines {
			m := mod.FindStringSubmatch(l)
			if m == nil || i == 0 {
				continue
			}
			if c := cfg.FindStringSubmatch(lines[i-1]); c != nil {
				flag := "--cfg=CONFIG_" + c[1]
				if c[2] != "" {
					flag += `="` + c[2] + `"`
				}
				out = append(out, kernelGate{path + "::" + m[1], flag})
			}
		}
	}
	return out
}

var (
	cfgAttrRE  = regexp.MustCompile(`^\s*#\[cfg\((.*)\)\]\s*$`)
	configRE   = regexp.MustCompile(`\bCONFIG_([A-Za-z0-9_]+)\b`)
	disabledRE = regexp.MustCompile(`built only with CONFIG_(\w+)(?: = "(\w+)")?, which is (\w+)`)
)

// TestKernelRulesRealTree runs the three kernel rules on every .rs file of
// each fixture kernel under each of its configurations, and checks each
// finding against the tree and what its own conf wrote:
//   - undefined-config: no Kconfig file defines the name;
//   - config-not-for-arch: only other architectures' Kconfig files do,
//     and conf gave rustc no such cfg;
//   - disabled-cfg-item: conf gave rustc no such cfg (the flags of
//     include/generated/rustc_cfg), and the value it says is the
//     .config's.
//
// And the other way: every CONFIG_ name of a one-line #[cfg(...)] that no
// Kconfig file defines, or only other architectures', is reported there;
// every `use kernel::a::b...` outside the kernel crate that names in full
// a module whose cfg conf did not give rustc is reported there.
func TestKernelRulesRealTree(t *testing.T) {
	for _, rk := range kerneltest.Kernels(t) {
		t.Run(rk.Version, func(t *testing.T) {
			files := parseTree(t, rk.Src)
			definers := kerneltest.Definers(t, rk.Src)
			// The names of one-line cfg attributes, outside comments.
			type use struct{ key, name string }
			var uses []use
			for _, pf := range files {
				for i, l := range strings.Split(string(pf.f.Src), "\n") {
					m := cfgAttrRE.FindStringSubmatch(l)
					if m == nil {
						continue
					}
					for _, n := range configRE.FindAllStringSubmatch(m[1], -1) {
						uses = append(uses, use{fmt.Sprintf("%s:%d", pf.rel, i+1), n[1]})
					}
				}
			}
			gates := kernelGates(t, files)
			// The `use kernel::...` lines of the other crates, not under a
			// cfg of their own.
			type useLine struct{ key, path string }
			var useLines []useLine
			for _, pf := range files {
				if strings.HasPrefix(pf.rel, "rust/") {
					continue
				}
				lines := strings.Split(string(pf.f.Src), "\n")
				for i, l := range lines {
					if !strings.HasPrefix(l, "use kernel::") || i > 0 && strings.HasPrefix(lines[i-1], "#[cfg") {
						continue
					}
					useLines = append(useLines, useLine{fmt.Sprintf("%s:%d", pf.rel, i+1), strings.TrimPrefix(l, "use ")})
				}
			}
			t.Logf("%d gated modules, %d uses of the kernel crate, %d CONFIG_ names in one-line cfgs", len(gates), len(useLines), len(uses))
			for _, o := range rk.Objs {
				t.Run(o.Name, func(t *testing.T) {
					kc := realKernel(t, rk.Src, o.Dir, o.Arch)
					srcarch := "arch/" + kconfig.SrcArch(o.Arch) + "/"
					otherArchOnly := func(name string) bool {
						defs := definers[name]
						for _, f := range defs {
							// arch/Kconfig is every arch's.
							if strings.Count(f, "/") < 2 || !strings.HasPrefix(f, "arch/") || strings.HasPrefix(f, srcarch) {
								return false
							}
						}
						return len(defs) > 0
					}
					flags := map[string]bool{}
					for _, l := range readLines(t, filepath.Join(o.Dir, "include/generated/rustc_cfg")) {
						flags[l] = true
					}
					dot := dotConfigValues(t, o.Dir)
					got := kernelRuleFindings(t, files, kc)
					keys := make([]string, 0, len(got))
					for k := range got {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					counts := map[string]int{}
					for _, k := range keys {
						msg := got[k]
						fields := strings.Fields(k)
						rule, text := fields[1], fields[2]
						counts[rule]++
						name := strings.TrimPrefix(text, "CONFIG_")
						switch rule {
						case UndefinedConfig.Name:
							if defs := definers[name]; len(defs) > 0 {
								t.Errorf("%s: %s is defined in %v", k, text, defs)
							}
						case ConfigNotForArch.Name:
							if !otherArchOnly(name) || flags["--cfg="+text] {
								t.Errorf("%s: %s is defined in %v (this is %s), rustc_cfg sets it: %v", k, text, definers[name], srcarch, flags["--cfg="+text])
							}
						case DisabledCfgItem.Name:
							m := disabledRE.FindStringSubmatch(msg)
							if m == nil {
								t.Errorf("%s: %q names no CONFIG_ symbol and value", k, msg)
								continue
							}
							flag := "--cfg=CONFIG_" + m[1]
							if m[2] != "" {
								flag += `="` + m[2] + `"`
							}
							if flags[flag] {
								t.Errorf("%s: conf gives rustc %s: %s", k, flag, msg)
							}
							v := dot[m[1]]
							if v == "" {
								v = "n"
							}
							if m[3] != v {
								t.Errorf("%s: %q, but the .config has %s=%s", k, msg, m[1], v)
							}
						default:
							t.Errorf("%s: %s", k, msg)
						}
					}
					for _, u := range uses {
						var want string
						switch {
						case len(definers[u.name]) == 0:
							want = u.key + " " + UndefinedConfig.Name + " CONFIG_" + u.name
						case otherArchOnly(u.name):
							want = u.key + " " + ConfigNotForArch.Name + " CONFIG_" + u.name
						default:
							continue
						}
						if _, ok := got[want]; !ok {
							t.Errorf("missing finding %s", want)
						}
					}
					anchors := 0
					for _, g := range gates {
						if flags[g.flag] {
							continue
						}
						last := g.path[strings.LastIndex(g.path, "::")+2:]
						for _, u := range useLines {
							rest, ok := strings.CutPrefix(u.path, g.path)
							if !ok || rest == "" || !strings.HasPrefix(rest, "::") && !strings.HasPrefix(rest, ";") {
								continue
							}
							anchors++
							if want := u.key + " " + DisabledCfgItem.Name + " " + last; got[want] == "" {
								t.Errorf("missing finding %s (%s is built only with %s)", want, g.path, g.flag)
							}
						}
					}
					t.Logf("%d findings: %v; %d uses of modules left out", len(keys), counts, anchors)
					if testing.Verbose() {
						for _, k := range keys {
							t.Logf("%s: %s", k, got[k])
						}
					}
				})
			}
		})
	}
}

// BenchmarkKernelRules runs the three kernel rules on every parsed .rs
// file of the Linux 6.12 tree under the x86_64 configuration, on one
// core.
func BenchmarkKernelRules(b *testing.B) {
	obj := os.Getenv("KRLS_KERNEL_OBJ_X86_64")
	if obj == "" {
		b.Skip("KRLS_KERNEL_OBJ_X86_64 not set: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	kc := realKernel(b, kernelSrc(b), obj, "x86_64")
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
