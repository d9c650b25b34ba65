package panics

import (
	"os"
	"testing"
)

// BenchmarkReadLibrary reads core and alloc from $RUST_SRC_PATH.
func BenchmarkReadLibrary(b *testing.B) {
	dir, _ := FindLibrary(os.Getenv, "")
	if dir == "" {
		b.Skip("no Rust library sources (set RUST_SRC_PATH)")
	}
	for b.Loop() {
		if _, err := ReadLibrary(dir); err != nil {
			b.Fatal(err)
		}
	}
}
