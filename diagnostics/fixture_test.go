package diagnostics

import (
	"os"
	"testing"
)

// The real kernels of ../shared/kernel-fixture.sh: Linux 6.1, 6.12 and
// 7.2, each with object trees its own conf configured. Every real-tree
// test runs on each; `make test` sets KRLS_REQUIRE_KERNEL=1, so that a
// missing kernel fails instead of skipping. What a test expects is read
// from the tree (definitions, prompts, .config values), never copied
// from one release: Debian's patch levels move lines.

// realTree is one kernel of the fixture.
type realTree struct {
	version string // "6.1", "6.12", "7.2"
	src     string
	objs    []realObj
}

// realObj is an object tree of a fixture kernel, with its .config.
type realObj struct {
	name, dir, arch string // name: "x86_64-rust", "arm64-rust", "debian-amd64"
}

// realKernelVars say which environment variables name each kernel's
// trees.
var realKernelVars = []struct {
	version, srcVar string
	objs            []realObj // dir holds the variable's name
}{
	{"6.1", "KRLS_KERNEL_SRC_6_1", []realObj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_6_1_X86_64", "x86_64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_6_1_DEBIAN", "x86_64"},
	}},
	{"6.12", "KRLS_KERNEL_SRC", []realObj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_X86_64", "x86_64"},
		{"arm64-rust", "KRLS_KERNEL_OBJ_ARM64", "arm64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_DEBIAN", "x86_64"},
	}},
	{"7.2", "KRLS_KERNEL_SRC_7_2", []realObj{
		{"x86_64-rust", "KRLS_KERNEL_OBJ_7_2_X86_64", "x86_64"},
		{"arm64-rust", "KRLS_KERNEL_OBJ_7_2_ARM64", "arm64"},
		{"debian-amd64", "KRLS_KERNEL_OBJ_7_2_DEBIAN", "x86_64"},
	}},
}

// realTrees returns the fixture kernels that are prepared (with the
// object trees that are); under KRLS_REQUIRE_KERNEL every one must be.
// Without any, the test is skipped.
func realKernels(t testing.TB) []realTree {
	t.Helper()
	require := os.Getenv("KRLS_REQUIRE_KERNEL") != ""
	var out []realTree
	for _, fv := range realKernelVars {
		src := os.Getenv(fv.srcVar)
		if src == "" {
			if require {
				t.Fatalf("%s is not set: the Linux %s fixture is missing (eval \"$(../shared/kernel-fixture.sh)\")", fv.srcVar, fv.version)
			}
			continue
		}
		fk := realTree{version: fv.version, src: src}
		for _, o := range fv.objs {
			dir := os.Getenv(o.dir)
			if dir == "" {
				if require {
					t.Fatalf("%s is not set: an object tree of the Linux %s fixture is missing", o.dir, fv.version)
				}
				continue
			}
			fk.objs = append(fk.objs, realObj{o.name, dir, o.arch})
		}
		if len(fk.objs) > 0 {
			out = append(out, fk)
		}
	}
	if len(out) == 0 {
		t.Skip("no kernel fixture: eval \"$(../shared/kernel-fixture.sh)\"")
	}
	return out
}
