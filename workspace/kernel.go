package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
)

// KernelSettings say where the kernel is when the editor knows better than
// discovery, and whether toolchain probes may run.
type KernelSettings struct {
	// Srctree and Objtree override discovery for every file.
	Srctree, Objtree string
	// Kdir is the kernel an out-of-tree module builds against (make's
	// KDIR): a srctree, or an objtree whose Makefile includes the
	// srctree's, like /lib/modules/$(uname -r)/build.
	Kdir string
	// AllowShell lets Kconfig's $(shell,...) probes run (the editor ties it
	// to workspace trust); ShellTimeout bounds each.
	AllowShell   bool
	ShellTimeout time.Duration
}

// KernelTrees names a kernel: its source tree and the object tree whose
// .config configures it (the same folder for in-tree builds).
type KernelTrees struct {
	Srctree, Objtree string
}

// DotConfig is the path of the trees' .config.
func (t KernelTrees) DotConfig() string { return filepath.Join(t.Objtree, ".config") }

// ErrNoKernel: the file belongs to no kernel tree krls can find.
var ErrNoKernel = errors.New("no kernel tree")

// ErrNoDotConfig: the kernel has no .config, so nothing is configured.
var ErrNoDotConfig = errors.New("no .config")

// Kernel is a kernel's configuration as loaded at one moment: the Kconfig
// tree, the .config evaluated against it, and what is derived from them.
// It does not change; a reload makes a new Kernel. Its Eval is frozen, so
// any number of requests may read it at once.
type Kernel struct {
	KernelTrees
	// Arch is ARCH (from the .config, else $ARCH, else the host's).
	Arch string
	K    *kconfig.Kconfig
	// Eval and Cfg are nil when there is no .config (NoConfig says why).
	Eval     *kconfig.Eval
	Cfg      *kconfig.RustCfg
	Dot      *kconfig.DotConfig
	NoConfig error
	// Defs are the symbols every architecture's Kconfig files define.
	Defs *kconfig.Definitions
	// Gates are the kernel crate's cfg-gated modules and items (nil when
	// rust/kernel cannot be read; GatesErr says why).
	Gates    *symbols.GateIndex
	GatesErr error
	// Rules is what the Rust rules that need a kernel get (nil without a
	// .config).
	Rules *diagnostics.KernelConfig
	// Took is how long the load took.
	Took time.Duration

	stamps stampSet
	// crateRoots memoizes NotBuilt's crate walk per file (9 ms for a
	// module file of a large crate, on every analysis otherwise), read
	// again when a file or folder of the walk changes.
	crateRoots stampedCache[string]
}

// Symbol returns the symbol named name (without CONFIG_) for the
// configured arch, or nil.
func (k *Kernel) Symbol(name string) *kconfig.Symbol {
	if k == nil || k.K == nil {
		return nil
	}
	if s := k.K.Lookup(name); s != nil && s.Defined() {
		return s
	}
	return nil
}

// srctree is k's srctree, "" for no kernel.
func (k *Kernel) srctree() string {
	if k == nil {
		return ""
	}
	return k.Srctree
}

// Changed reports whether the .config or a Kconfig file read changed on
// disk since the load (the fallback for editors that do not report file
// changes).
func (k *Kernel) Changed() bool { return k.stamps.changed() }

// Watches reports whether a change to path matters to k: its .config or
// one of the Kconfig files it read.
func (k *Kernel) Watches(path string) bool {
	_, ok := k.stamps[path]
	return ok
}

// LoadKernel loads trees: the Kconfig files (through files, which keeps
// parsed files between loads so that a reload parses only what changed),
// the .config, and the definitions of every arch.
func LoadKernel(ctx context.Context, trees KernelTrees, files *kconfig.FileCache, set KernelSettings, getenv func(string) (string, bool)) (*Kernel, error) {
	start := time.Now()
	if getenv == nil {
		getenv = os.LookupEnv
	}
	k := &Kernel{KernelTrees: trees, stamps: stampSet{}}
	dotPath := trees.DotConfig()
	k.stamps.record(dotPath)
	dot, err := kconfig.ReadDotConfig(dotPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		k.NoConfig = fmt.Errorf("%w in %s", ErrNoDotConfig, trees.Objtree)
	case err != nil:
		k.NoConfig = fmt.Errorf("read %s: %w", dotPath, err)
	default:
		k.Dot = dot
	}
	k.Arch = archOf(dot, getenv)
	// The kernel crate's gates are independent of the Kconfig files:
	// index them meanwhile.
	var wg conc.WaitGroup
	wg.Go(func() { k.Gates, k.GatesErr = symbols.KernelGatesContext(ctx, trees.Srctree) })
	defer wg.Wait()
	tools := kconfig.NewToolchain(trees.Srctree, k.Arch, getenv)
	var shell kconfig.Shell
	if set.AllowShell {
		timeout := set.ShellTimeout
		if timeout <= 0 {
			timeout = 20 * time.Second
		}
		// Probes run in a scratch folder, as the CLI runs them: some
		// write temporary files, and the objtree is the user's.
		dir, err := os.MkdirTemp("", "krls-probe-")
		if err != nil {
			return nil, fmt.Errorf("a folder for the toolchain probes: %w", err)
		}
		defer os.RemoveAll(dir)
		shell = &kconfig.ExecShell{Dir: dir, Env: tools.ShellEnv(), Timeout: timeout}
	}
	k.K, err = kconfig.Load(ctx, kconfig.LoadOptions{Srctree: trees.Srctree, Tools: tools, Shell: shell, Files: files})
	if err != nil {
		return nil, fmt.Errorf("load the Kconfig files of %s: %w", trees.Srctree, err)
	}
	for _, f := range k.K.Files {
		p := f
		if !filepath.IsAbs(p) {
			p = filepath.Join(trees.Srctree, f)
		}
		k.stamps.record(p)
	}
	if dot != nil {
		k.Eval = kconfig.NewEval(k.K)
		k.Eval.Apply(dot)
		k.Eval.Freeze()
		k.Cfg = k.Eval.RustCfg()
	}
	k.Defs, err = kconfig.ScanDefinitions(ctx, trees.Srctree, files, k.K.Dialect)
	if err != nil {
		return nil, err
	}
	wg.Wait()
	if k.Eval != nil {
		k.Rules = &diagnostics.KernelConfig{Arch: k.Arch, Eval: k.Eval, Cfg: k.Cfg, Defs: k.Defs, Gates: k.Gates}
	}
	k.Took = time.Since(start)
	return k, nil
}

// DialectFallback says, for a tree that has no scripts/kconfig to read,
// which Kconfig language krls assumed instead: "" when the dialect was
// read from the tree.
func (k *Kernel) DialectFallback() string {
	if k.K == nil || !k.K.Dialect.Fallback {
		return ""
	}
	return fmt.Sprintf("the Kconfig language of %s is not read from the tree: %s", k.Srctree, k.K.Dialect.Source)
}

// KconfigErrorSummary says, in one message, that the tree's Kconfig files
// have errors krls could not read, with the first few (file:line): what
// was skipped may hold a definition, select or default that hovers and
// diagnostics depend on. "" when the tree read cleanly.
func (k *Kernel) KconfigErrorSummary() string {
	var errs []string
	n := 0
	for _, e := range k.K.Errors {
		if e.Warning {
			continue
		}
		n++
		if len(errs) < 3 {
			errs = append(errs, e.Error())
		}
	}
	if n == 0 {
		return ""
	}
	more := ""
	if n > len(errs) {
		more = fmt.Sprintf("; and %d more", n-len(errs))
	}
	return fmt.Sprintf("the Kconfig files of %s have %d errors krls could not read (%s%s): the rest of the tree is read, but values that depend on what was skipped may be wrong",
		k.Srctree, n, strings.Join(errs, "; "), more)
}

// archOf finds ARCH: from the .config, else $ARCH, else the host's, as
// the kernel's Makefile defaults it (SUBARCH: x86 on an x86-64 host).
func archOf(dot *kconfig.DotConfig, getenv func(string) (string, bool)) string {
	if dot != nil {
		if a, ok := dot.DetectArch(); ok {
			return a.Arch
		}
	}
	if a, ok := getenv("ARCH"); ok && a != "" {
		return a
	}
	return kconfig.HostSubarch()
}

// LocateKernel finds the kernel that configures path (a file or folder):
//   - the settings' srctree, when set, for every file;
//   - a .config names its own objtree, whose srctree is the folder itself
//     or the one its generated Makefile includes;
//   - else the nearest srctree above path;
//   - else, for an out-of-tree module, the tree of the Kdir setting or
//     $KDIR.
//
// The objtree is the settings' objtree, else the srctree if it has a
// .config, else $KBUILD_OUTPUT if that has one, else the srctree.
func LocateKernel(path string, set KernelSettings, getenv func(string) (string, bool)) (KernelTrees, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return KernelTrees{}, err
	}
	dir := abs
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		dir = filepath.Dir(abs)
	}
	if set.Srctree != "" {
		return withObjtree(set.Srctree, set, getenv), nil
	}
	if filepath.Base(abs) == ".config" {
		if src, ok := SrctreeOfObjtree(dir); ok {
			return KernelTrees{Srctree: src, Objtree: dir}, nil
		}
	}
	if src, ok := FindSrctree(dir); ok {
		return withObjtree(src, set, getenv), nil
	}
	if _, ok := FindModuleDir(dir); ok {
		kdir := set.Kdir
		if kdir == "" {
			kdir, _ = getenv("KDIR")
		}
		if kdir == "" {
			return KernelTrees{}, fmt.Errorf("%w for the module in %s: set KDIR (the krls.kdir setting) to the kernel it builds against", ErrNoKernel, dir)
		}
		src, ok := SrctreeOfObjtree(kdir)
		if !ok {
			return KernelTrees{}, fmt.Errorf("%w at KDIR %s: neither a source tree (Kconfig) nor an object tree whose Makefile includes one", ErrNoKernel, kdir)
		}
		trees := KernelTrees{Srctree: src, Objtree: kdir}
		if set.Objtree != "" {
			trees.Objtree = set.Objtree
		}
		return trees, nil
	}
	return KernelTrees{}, ErrNoKernel
}

func withObjtree(src string, set KernelSettings, getenv func(string) (string, bool)) KernelTrees {
	t := KernelTrees{Srctree: src, Objtree: set.Objtree}
	if t.Objtree != "" {
		return t
	}
	t.Objtree = src
	if exists(filepath.Join(src, ".config")) {
		return t
	}
	if out, ok := getenv("KBUILD_OUTPUT"); ok && out != "" {
		if !filepath.IsAbs(out) {
			out = filepath.Join(src, out)
		}
		if exists(filepath.Join(out, ".config")) {
			t.Objtree = out
			return t
		}
	}
	// The rust-project.json rust-analyzer is given in the tree (make
	// rust-analyzer's, linked or copied there) says which object tree:
	// one setting for both servers.
	if out, ok := rustProjectObjtree(filepath.Join(src, "rust-project.json")); ok && exists(filepath.Join(out, ".config")) {
		t.Objtree = out
	}
	return t
}

// rustProjectObjtree reads the OBJTREE env of a rust-project.json's
// crates (the generator gives it to bindings, uapi and kernel).
func rustProjectObjtree(path string) (string, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	var p struct {
		Crates []struct {
			Env map[string]string `json:"env"`
		} `json:"crates"`
	}
	if json.Unmarshal(b, &p) != nil {
		return "", false
	}
	for _, c := range p.Crates {
		if o := c.Env["OBJTREE"]; o != "" && filepath.IsAbs(o) {
			return o, true
		}
	}
	return "", false
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// SrctreeOfObjtree returns the source tree of an object tree: the folder
// itself when it has a top Kconfig, else the tree its Makefile includes
// (`make O=` and distributions' header packages write
// "include /path/to/src/Makefile" there).
func SrctreeOfObjtree(dir string) (string, bool) {
	if exists(filepath.Join(dir, "Kconfig")) && exists(filepath.Join(dir, "Makefile")) {
		return dir, true
	}
	mk, err := os.ReadFile(filepath.Join(dir, "Makefile"))
	if err != nil {
		return "", false
	}
	for _, line := range bytes.Split(mk, []byte("\n")) {
		rest, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("include "))
		if !ok {
			continue
		}
		inc := strings.TrimSpace(string(rest))
		if filepath.Base(inc) != "Makefile" {
			continue
		}
		src := filepath.Dir(inc)
		if !filepath.IsAbs(src) {
			src = filepath.Join(dir, src)
		}
		if exists(filepath.Join(src, "Kconfig")) {
			return src, true
		}
	}
	return "", false
}
