package kconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The real kernels of ../shared/kernel-fixture.sh: Linux 6.1, 6.12 and 7.2,
// each with object trees configured by its own conf. `make test` sets
// KRLS_REQUIRE_KERNEL=1, so that a missing kernel fails instead of
// skipping.

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

// fixtureKernels says which environment variables name each kernel's
// trees.
var fixtureKernels = []struct {
	version, srcVar, fakeVar string
	objs                     []objTree // dir holds the variable's name
}{
	{"6.1", "KRLS_KERNEL_SRC_6_1", "KRLS_FAKE_TOOLCHAIN_6", []objTree{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_6_1_X86_64", "x86_64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_6_1_DEBIAN", "x86_64"},
	}},
	{"6.12", "KRLS_KERNEL_SRC", "KRLS_FAKE_TOOLCHAIN_6", []objTree{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_X86_64", "x86_64"},
		{"arm64-rust", "KRLS_KERNEL_OBJ_ARM64", "arm64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_DEBIAN", "x86_64"},
	}},
	{"7.2", "KRLS_KERNEL_SRC_7_2", "KRLS_FAKE_TOOLCHAIN_7", []objTree{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_7_2_X86_64", "x86_64"},
		{"arm64-rust", "KRLS_KERNEL_OBJ_7_2_ARM64", "arm64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_7_2_DEBIAN", "x86_64"},
	}},
}

// fixtureTrees returns the fixture kernels that are prepared; with
// KRLS_REQUIRE_KERNEL set, every one must be.
func fixtureTrees(t testing.TB) []*kernelTree {
	t.Helper()
	require := os.Getenv("KRLS_REQUIRE_KERNEL") != ""
	var out []*kernelTree
	for _, fk := range fixtureKernels {
		src := os.Getenv(fk.srcVar)
		if src == "" {
			if require {
				t.Fatalf("%s is not set: the Linux %s fixture is missing (eval \"$(../shared/kernel-fixture.sh)\")", fk.srcVar, fk.version)
			}
			continue
		}
		kt := &kernelTree{version: fk.version, src: src, fake: os.Getenv(fk.fakeVar)}
		if kt.fake == "" {
			// Older fixture scripts named no stand-ins: they sit beside
			// the trees.
			kt.fake = filepath.Join(filepath.Dir(src), "fake-toolchain")
			if strings.HasPrefix(fk.version, "7.") {
				kt.fake += "-7"
			}
		}
		for _, o := range fk.objs {
			dir := os.Getenv(o.dir)
			if dir == "" {
				if require {
					t.Fatalf("%s is not set", o.dir)
				}
				continue
			}
			kt.objs = append(kt.objs, objTree{o.name, dir, o.arch})
		}
		out = append(out, kt)
	}
	if len(out) == 0 {
		t.Skip("no fixture kernel: eval \"$(../shared/kernel-fixture.sh)\"")
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
