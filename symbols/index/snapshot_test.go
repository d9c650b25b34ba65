package index

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSnapshotIncremental: an update re-derives the symbols of the files
// whose content or module changed and keeps the others; the result is the
// snapshot a full rebuild gives, in the same order.
func TestSnapshotIncremental(t *testing.T) {
	root := writeTree(t, map[string]string{
		"rust/kernel/lib.rs":     "pub mod a;\npub mod b;\n",
		"rust/kernel/a.rs":       "pub fn fa() {}\npub struct Sa;\n",
		"rust/kernel/b.rs":       "pub fn fb() {}\n",
		"rust/kernel/c/inner.rs": "pub fn deep() {}\n",
	})
	x := newIndex(t, root, t.TempDir(), nil)
	refresh(t, x)
	step := 0
	edit := func(rel, text string) {
		t.Helper()
		step++
		p := filepath.Join(root, rel)
		writeFile(t, root, rel, text)
		at := time.Now().Add(time.Duration(step) * time.Second)
		os.Chtimes(p, at, at)
		if _, err := x.Update(context.Background(), []string{p}); err != nil {
			t.Fatal(err)
		}
		full := newSnapshot(x.opts.Root, x.entries, nil)
		got, want := symbolKeys(x.Snapshot()), symbolKeys(full)
		if !slices.Equal(got, want) {
			t.Fatalf("after editing %s:\n got %v\nwant %v", rel, got, want)
		}
	}
	// A file's own items change.
	edit("rust/kernel/a.rs", "pub fn fa() {}\npub fn fa2() {}\n")
	if len(x.Snapshot().Lookup("kernel::a::fa2")) != 1 || len(x.Snapshot().Lookup("kernel::a::Sa")) != 0 {
		t.Errorf("a.rs's new items are not in the snapshot: %v", symbolKeys(x.Snapshot()))
	}
	// Another file's module changes: lib.rs now names b as `c` with a
	// path, so b.rs's symbols move though b.rs did not change.
	edit("rust/kernel/lib.rs", "pub mod a;\n#[path = \"b.rs\"]\npub mod renamed;\n")
	if len(x.Snapshot().Lookup("kernel::renamed::fb")) != 1 || len(x.Snapshot().Lookup("kernel::b::fb")) != 0 {
		t.Errorf("b.rs's items did not follow its module: %v", symbolKeys(x.Snapshot()))
	}
}

func symbolKeys(s *Snapshot) []string {
	var out []string
	for _, sym := range s.Symbols {
		out = append(out, sym.Path+" "+filepath.Base(sym.File)+" "+sym.Module.Module)
	}
	return out
}
