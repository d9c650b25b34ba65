package kconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// The real kernels of ../shared/kernel-fixture.sh (internal/kerneltest),
// with what the kconfig tests do with them.

// kernelTree is one fixture kernel.
type kernelTree struct {
	version string // "6.1", "6.12", "7.2"
	src     string
	objs    []objTree
	// fake is the folder of RUSTC/BINDGEN stand-ins the fixture
	// configured the trees with (7.x needs a newer bindgen).
	fake string
}

// objTree is an object tree of a fixture kernel, with its .config.
type objTree struct {
	name, dir, arch string
}

// fixtureTrees returns the fixture kernels that are prepared
// (kerneltest.Kernels); with KRLS_REQUIRE_KERNEL set, every one must be.
func fixtureTrees(t testing.TB) []*kernelTree {
	t.Helper()
	var out []*kernelTree
	for _, k := range kerneltest.Kernels(t) {
		kt := &kernelTree{version: k.Version, src: k.Src, fake: k.Fake}
		for _, o := range k.Objs {
			kt.objs = append(kt.objs, objTree{o.Name, o.Dir, o.Arch})
		}
		out = append(out, kt)
	}
	return out
}

// toolEnv is the fake toolchain the fixture configured kt's trees with.
func (kt *kernelTree) toolEnv(name string) (string, bool) {
	switch name {
	case "RUSTC", "BINDGEN":
		return filepath.Join(kt.fake, strings.ToLower(name)), true
	}
	return "", false
}

// conf is the kernel's own conf, built in the fixture's object trees.
func (kt *kernelTree) conf(t testing.TB) string {
	t.Helper()
	for _, o := range kt.objs {
		p := filepath.Join(o.dir, "scripts", "kconfig", "conf")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("Linux %s: no conf built in the fixture's object trees", kt.version)
	return ""
}

// dialect reads kt's dialect.
func (kt *kernelTree) dialect(t testing.TB) *Dialect {
	t.Helper()
	d, err := DetectDialect(kt.src)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
