package symbols

import "testing"

// BenchmarkKernelGates builds the gate index of the real tree's kernel
// crate (51 files under rust/kernel).
func BenchmarkKernelGates(b *testing.B) {
	src := kernelTree(b)
	for b.Loop() {
		if _, err := KernelGates(src); err != nil {
			b.Fatal(err)
		}
	}
}
