package diagnostics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
)

// The kernel rules run against a configured tree. testdata/kconfig is a
// tiny one (two architectures, a .config, a small kernel crate); its .rs
// files carry `// ~ rule` markers like the SAFETY fixtures.

const kernelFixtureTree = "testdata/kconfig"

var (
	fixtureKernelOnce sync.Once
	fixtureKernelCfg  *KernelConfig
	fixtureKernelErr  error
)

// fixtureKernel builds the KernelConfig of testdata/kconfig once.
func fixtureKernel(t testing.TB) *KernelConfig {
	t.Helper()
	fixtureKernelOnce.Do(func() {
		tree, err := filepath.Abs(kernelFixtureTree)
		if err != nil {
			fixtureKernelErr = err
			return
		}
		fixtureKernelCfg, fixtureKernelErr = loadKernelConfig(tree, tree, "x86_64",
			&kconfig.Toolchain{Env: map[string]string{"srctree": tree, "ARCH": "x86_64", "SRCARCH": "x86"}})
	})
	if fixtureKernelErr != nil {
		t.Fatal(fixtureKernelErr)
	}
	return fixtureKernelCfg
}

// loadKernelConfig loads srctree's Kconfig for arch, applies objtree's
// .config and indexes every arch's definitions and the kernel crate.
func loadKernelConfig(srctree, objtree, arch string, tools *kconfig.Toolchain) (*KernelConfig, error) {
	ctx := context.Background()
	k, err := kconfig.Load(ctx, kconfig.LoadOptions{Srctree: srctree, Tools: tools})
	if err != nil {
		return nil, err
	}
	for _, e := range k.Errors {
		if !e.Warning {
			return nil, fmt.Errorf("load: %v", e)
		}
	}
	d, err := kconfig.ReadDotConfig(filepath.Join(objtree, ".config"))
	if err != nil {
		return nil, err
	}
	e := kconfig.NewEval(k)
	e.Apply(d)
	defs, err := kconfig.ScanDefinitions(ctx, srctree, nil, nil)
	if err != nil {
		return nil, err
	}
	gates, err := symbols.KernelGates(srctree)
	if err != nil {
		return nil, err
	}
	return &KernelConfig{Arch: arch, Eval: e, Cfg: e.RustCfg(), Defs: defs, Gates: gates}, nil
}

func kernelFixtureFiles(t testing.TB) []string {
	var files []string
	err := filepath.WalkDir(kernelFixtureTree, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rs") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 10 {
		t.Fatalf("kernel fixtures: %d files, %v", len(files), err)
	}
	return files
}

func TestKernelFixtures(t *testing.T) {
	kc := fixtureKernel(t)
	for _, path := range kernelFixtureFiles(t) {
		rel, _ := filepath.Rel(kernelFixtureTree, path)
		t.Run(rel, func(t *testing.T) {
			f, fs := analyzeFile(t, path, Config{CheckPrivateItems: true, Kernel: kc})
			want, _ := expectations(f.Src)
			got := found(f, fs)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("findings differ\n got: %v\nwant: %v", got, want)
				for _, x := range fs {
					t.Logf("  %d:%d %s: %s", f.Lines.Line(x.Start)+1, f.Lines.Column(x.Start)+1, x.Rule, x.Message)
				}
			}
			// Without a kernel the rules do not run.
			_, plain := analyzeFile(t, path, Config{CheckPrivateItems: true})
			for _, x := range plain {
				if RuleByName(x.Rule).NeedsKernel {
					t.Errorf("%s ran without Config.Kernel", x.Rule)
				}
			}
		})
	}
}

// findingAt returns the finding of rule on the line holding text.
func findingAt(t *testing.T, f *symbols.File, fs []Finding, rule, text string) Finding {
	t.Helper()
	at := strings.Index(string(f.Src), text)
	if at < 0 {
		t.Fatalf("%q not in %s", text, f.Path)
	}
	line := f.Lines.Line(at)
	for _, x := range fs {
		if x.Rule == rule && f.Lines.Line(x.Start) == line {
			return x
		}
	}
	t.Fatalf("no %s finding on line %d of %s", rule, line+1, f.Path)
	return Finding{}
}

func TestKernelRuleMessages(t *testing.T) {
	kc := fixtureKernel(t)
	cfg := Config{Kernel: kc}
	f, fs := analyzeFile(t, filepath.Join(kernelFixtureTree, "checks/names.rs"), cfg)
	text := func(x Finding) string { return string(f.Src[x.Start:x.End]) }

	x := findingAt(t, f, fs, "undefined-config", "CONFIG_NETT")
	if x.Message != "CONFIG_NETT is not defined by any Kconfig file; did you mean CONFIG_NET?" || text(x) != "CONFIG_NETT" {
		t.Errorf("undefined: %q on %q", x.Message, text(x))
	}
	if len(x.Fixes) == 0 || x.Fixes[0].Safe || x.Fixes[0].Title != "Replace with CONFIG_NET" {
		t.Fatalf("fixes: %+v", x.Fixes)
	}
	fixed, skipped := ApplyEdits(f.Src, x.Fixes[0].Edits)
	if skipped > 0 || !strings.Contains(string(fixed), "#[cfg(CONFIG_NET)] // ~ undefined-config\nfn typo") {
		t.Errorf("the fix does not replace the name")
	}
	x = findingAt(t, f, fs, "undefined-config", "CONFIG_RUST_PHYLIB)")
	if !strings.HasSuffix(x.Message, "did you mean CONFIG_RUST_PHYLIB_ABSTRACTIONS?") {
		t.Errorf("prefix suggestion: %q", x.Message)
	}
	x = findingAt(t, f, fs, "undefined-config", "CONFIG_NO_SUCH_THING")
	if x.Message != "CONFIG_NO_SUCH_THING is not defined by any Kconfig file" || len(x.Fixes) != 0 {
		t.Errorf("no suggestion expected: %q %v", x.Message, x.Fixes)
	}
	x = findingAt(t, f, fs, "config-not-for-arch", "CONFIG_ARM64)")
	if want := "CONFIG_ARM64 is defined only in arch/arm64/Kconfig; this tree is configured for x86_64, " +
		"so cfg(CONFIG_ARM64) is always false"; x.Message != want || x.Severity != Information {
		t.Errorf("not for arch: %q (%v)\nwant %q", x.Message, x.Severity, want)
	}
	x = findingAt(t, f, fs, "config-not-for-arch", "CONFIG_ARM64_SVE")
	if !strings.HasSuffix(x.Message, `so cfg(CONFIG_ARM64_SVE = "y") is always false`) {
		t.Errorf("not for arch, with a value: %q", x.Message)
	}

	f, fs = analyzeFile(t, filepath.Join(kernelFixtureTree, "checks/uses.rs"), cfg)
	x = findingAt(t, f, fs, "disabled-cfg-item", "net::phy::{self")
	if want := "kernel::net::phy is built only with CONFIG_RUST_PHYLIB_ABSTRACTIONS, which is " +
		"n because RUST_PHYLIB_ABSTRACTIONS depends on PHYLIB [=m]=y"; x.Message != want {
		t.Errorf("disabled: %q\nwant %q", x.Message, want)
	}
	if text(x) != "phy" || x.Severity != Warning {
		t.Errorf("underlines %q (%v), want the gated segment phy", text(x), x.Severity)
	}
	if len(x.RelatedFiles) != 1 || !strings.HasSuffix(x.RelatedFiles[0].Path, "rust/kernel/net.rs") || x.RelatedFiles[0].Line != 4 {
		t.Fatalf("related: %+v", x.RelatedFiles)
	}
	rf := x.RelatedFiles[0]
	net, _ := os.ReadFile(rf.Path)
	if got := string(net[rf.Start:rf.End]); got != "#[cfg(CONFIG_RUST_PHYLIB_ABSTRACTIONS)]" {
		t.Errorf("related text %q", got)
	}
	x = findingAt(t, f, fs, "disabled-cfg-item", "kernel::firmware::Firmware;")
	if want := "kernel::firmware is built only with CONFIG_RUST_FW_LOADER_ABSTRACTIONS, which is " +
		"n because RUST_FW_LOADER_ABSTRACTIONS depends on FW_LOADER [=n]=y"; x.Message != want || text(x) != "firmware" {
		t.Errorf("disabled: %q on %q\nwant %q", x.Message, text(x), want)
	}
	x = findingAt(t, f, fs, "disabled-cfg-item", "kernel::module_phy_driver!")
	if !strings.HasPrefix(x.Message, "kernel::module_phy_driver is not built: kernel::net::phy is built only with CONFIG_RUST_PHYLIB_ABSTRACTIONS") ||
		text(x) != "module_phy_driver" {
		t.Errorf("macro: %q on %q", x.Message, text(x))
	}
	x = findingAt(t, f, fs, "disabled-cfg-item", "Error::to_fw_status")
	if !strings.HasPrefix(x.Message, "kernel::error::Error::to_fw_status is built only with CONFIG_RUST_FW_LOADER_ABSTRACTIONS") ||
		text(x) != "to_fw_status" {
		t.Errorf("method: %q on %q", x.Message, text(x))
	}
	x = findingAt(t, f, fs, "disabled-cfg-item", "slow_tick")
	if want := `kernel::block::slow_tick is built only with CONFIG_HZ = "100", which is 250 as the .config sets it`; x.Message != want {
		t.Errorf("value: %q\nwant %q", x.Message, want)
	}
	x = findingAt(t, f, fs, "disabled-cfg-item", "fn via_net(")
	if text(x) != "phy" || !strings.HasPrefix(x.Message, "kernel::net::phy is built only with") {
		t.Errorf("through an import: %q on %q", x.Message, text(x))
	}
	x = findingAt(t, f, fs, "disabled-cfg-item", "fn via_fw(")
	if text(x) != "fw" || !strings.HasPrefix(x.Message, "kernel::firmware is built only with") {
		t.Errorf("through a renamed import: %q on %q", x.Message, text(x))
	}

	// In the crate, a gate in the same file is a related location here.
	f, fs = analyzeFile(t, filepath.Join(kernelFixtureTree, "rust/kernel/net.rs"), cfg)
	x = findingAt(t, f, fs, "disabled-cfg-item", "let _ = self::phy::Device; //")
	if len(x.Related) != 1 || string(f.Src[x.Related[0].Start:x.Related[0].End]) != "#[cfg(CONFIG_RUST_PHYLIB_ABSTRACTIONS)]" || len(x.RelatedFiles) != 0 {
		t.Errorf("related in the same file: %+v %+v", x.Related, x.RelatedFiles)
	}
}

func TestSuggest(t *testing.T) {
	kc := fixtureKernel(t)
	for name, want := range map[string]string{
		"NETT":         "NET",
		"net":          "NET NETDEVICES",
		"BLOK":         "BLOCK",
		"RUST_PHYLIB":  "RUST_PHYLIB_ABSTRACTIONS",
		"NOTHING_LIKE": "",
		"ARM6":         "ARM64 ARM64_SVE",
	} {
		if got := strings.Join(kc.suggest(name), " "); got != want {
			t.Errorf("suggest(%s) = %q, want %q", name, got, want)
		}
	}
	if d := editDistance("KITTEN", "SITTING", 5); d != 3 {
		t.Errorf("editDistance = %d", d)
	}
	if d := editDistance("ABCDEFGH", "STUVWXYZ", 2); d != 3 {
		t.Errorf("bounded editDistance = %d, want limit+1", d)
	}
}

func TestResponsible(t *testing.T) {
	set := map[string]bool{"CONFIG_Y": true}
	leaf := func(p *symbols.CfgPred) symbols.CfgTruth {
		if !strings.HasPrefix(p.Name, "CONFIG_") {
			return symbols.CfgUnknown
		}
		if set[p.Name] {
			return symbols.CfgTrue
		}
		return symbols.CfgFalse
	}
	for in, want := range map[string]string{
		"CONFIG_N":                            "CONFIG_N",
		"not(CONFIG_Y)":                       "CONFIG_Y",
		"all(CONFIG_Y, CONFIG_N, CONFIG_N2)":  "CONFIG_N",
		"any(CONFIG_N, CONFIG_N2)":            "CONFIG_N CONFIG_N2",
		"any(test, CONFIG_N)":                 "CONFIG_N",
		"all(test, not(any(CONFIG_Y, test)))": "CONFIG_Y",
	} {
		var names []string
		for _, a := range responsible(symbols.ParseCfg([]byte(in)), symbols.CfgFalse, leaf) {
			names = append(names, a.Name)
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("responsible(%s) = %q, want %q", in, got, want)
		}
	}
}
