package index

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// crateTree is a kernel crate of mods module files of fns documented
// functions each.
func crateTree(mods, fns int) map[string]string {
	files := map[string]string{}
	var lib strings.Builder
	for i := range mods {
		fmt.Fprintf(&lib, "pub mod m%d;\n", i)
		files[fmt.Sprintf("rust/kernel/m%d.rs", i)] = strings.Repeat(fmt.Sprintf("/// Doc.\npub fn f%d() {}\n", i), fns)
	}
	files["rust/kernel/lib.rs"] = lib.String()
	return files
}

// truncateSweep truncates a copy of the good database of root (in
// cache) to each size and checks that the next index moves it aside (or
// finds it still good) and rebuilds it, never crashes.
func truncateSweep(t *testing.T, root, cache string, sizes []int64) {
	t.Helper()
	x := newIndex(t, root, cache, nil)
	want := refresh(t, x).Files
	good, err := os.ReadFile(x.DB())
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range sizes {
		if size >= int64(len(good)) {
			continue
		}
		if err := os.WriteFile(x.DB(), good[:size], 0o600); err != nil {
			t.Fatal(err)
		}
		var l logs
		y := newIndex(t, root, cache, &l)
		st := refresh(t, y)
		if st.Files != want || !st.Persisted {
			t.Errorf("truncated to %d: %+v", size, st)
		}
		if st.Parsed != 0 && st.Parsed != want || (st.Parsed == want) != strings.Contains(l.String(), "moved aside") {
			t.Errorf("truncated to %d: parsed %d of %d, log %q", size, st.Parsed, want, l.String())
		}
		if st := refresh(t, newIndex(t, root, cache, nil)); st.Read != 0 || !st.Persisted {
			t.Errorf("truncated to %d, then rebuilt: %+v", size, st)
		}
	}
}

// TestIndexTruncated truncates a database at every page boundary and at
// odd sizes: bbolt would walk the pages past the end of the file (and
// the process die of SIGBUS), so the meta pages are checked first.
func TestIndexTruncated(t *testing.T) {
	root := writeTree(t, crateTree(40, 20))
	cache := t.TempDir()
	ps := int64(os.Getpagesize())
	sizes := []int64{1, 15, 80, 100, ps - 1, ps + 1, ps + 100, 2*ps - 1, 2*ps + 17, 3*ps + ps/2, 20000}
	for s := ps; s < 64*ps; s += ps {
		sizes = append(sizes, s, s+ps/3)
	}
	truncateSweep(t, root, cache, sizes)
	if aside, _ := filepath.Glob(filepath.Join(cache, "*.corrupt-*")); len(aside) != 1 {
		t.Errorf("%d databases kept aside, want the newest one", len(aside))
	}
}

// TestIndexDamagedPages damages each page past the meta pages in turn,
// with garbage or with an overflow count past the end of the database:
// a database whose pages do not hold what bbolt expects is moved aside
// (or still serves), never a crash.
func TestIndexDamagedPages(t *testing.T) {
	root := writeTree(t, crateTree(40, 20))
	cache := t.TempDir()
	x := newIndex(t, root, cache, nil)
	want := refresh(t, x).Files
	good, err := os.ReadFile(x.DB())
	if err != nil {
		t.Fatal(err)
	}
	ps := os.Getpagesize()
	garbage := []byte(strings.Repeat("\xff\x13garbage\x00\x07", ps))[:ps]
	damage := map[string]func(page []byte){
		"garbage":  func(page []byte) { copy(page, garbage) },
		"overflow": func(page []byte) { binary.NativeEndian.PutUint32(page[12:], uint32(len(good)/ps)) },
	}
	for name, damage := range damage {
		for off := 2 * ps; off < len(good); off += ps {
			bad := append([]byte(nil), good...)
			damage(bad[off : off+ps])
			if err := os.WriteFile(x.DB(), bad, 0o600); err != nil {
				t.Fatal(err)
			}
			y := newIndex(t, root, cache, nil)
			if st := refresh(t, y); st.Files != want {
				t.Errorf("page %d %s: %+v", off/ps, name, st)
			}
			writeFile(t, root, "rust/kernel/m0.rs", fmt.Sprintf("pub fn g%d() {}\n", off)) // and write
			if st := refresh(t, y); st.Files != want {
				t.Errorf("page %d %s, then written: %+v", off/ps, name, st)
			}
		}
	}
}
