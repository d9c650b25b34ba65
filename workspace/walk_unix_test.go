//go:build unix

package workspace

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadDirPortableAgrees(t *testing.T) {
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{
		"a.rs": "", "b.txt": "", ".h.rs": "", "sub/c.rs": "", "target/d.rs": "", ".git/e.rs": "", "x.rs/f.rs": "",
		"CACHEDIR.TAG": "",
	})
	os.Symlink("a.rs", filepath.Join(dir, "link.rs"))
	os.Symlink("sub", filepath.Join(dir, "linkdir"))    // not followed
	os.Symlink("sub", filepath.Join(dir, "linkdir.rs")) // not a file
	os.Symlink("nowhere", filepath.Join(dir, "dangling.rs"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.rs"), 0o644); err != nil {
		t.Log(err)
	}
	os.Symlink("fifo.rs", filepath.Join(dir, "tofifo.rs"))
	var l1, l2 dirList
	err1 := readDir(dir, make([]byte, 4096), &l1)
	err2 := readDirPortable(dir, &l2)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for _, l := range []*dirList{&l1, &l2} {
		sort.Strings(l.dirs)
		sort.Strings(l.files)
		sort.Strings(l.links)
	}
	if !reflect.DeepEqual(l1, l2) {
		t.Errorf("linux: %+v\nportable: %+v", l1, l2)
	}
	j := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}
	if want := j("sub", "target", "x.rs"); !reflect.DeepEqual(l1.dirs, want) {
		t.Errorf("folders %q, want %q", l1.dirs, want)
	}
	if want := j("a.rs", "dangling.rs", "link.rs"); !reflect.DeepEqual(l1.files, want) {
		t.Errorf("files %q, want %q", l1.files, want)
	}
	if want := j("dangling.rs", "link.rs"); !reflect.DeepEqual(l1.links, want) {
		t.Errorf("links %q, want %q", l1.links, want)
	}
	if !l1.git || !l1.tag {
		t.Errorf(".git %v, CACHEDIR.TAG %v", l1.git, l1.tag)
	}
}

// TestCheckFIFO: a link named x.rs to a FIFO is no file to check, and
// reading it must not block.
func TestCheckFIFO(t *testing.T) {
	dir := t.TempDir()
	writeCheckTree(t, dir, map[string]string{"good.rs": undocumented})
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skip(err)
	}
	for _, link := range []string{"a.rs", "b.rs"} {
		if err := os.Symlink("fifo", filepath.Join(dir, link)); err != nil {
			t.Skip(err)
		}
	}
	done := make(chan []FileResult)
	go func() {
		rs, err := Check(context.Background(), []string{dir}, CheckOptions{})
		if err != nil {
			t.Error(err)
		}
		done <- rs
	}()
	select {
	case rs := <-done:
		if got, want := resultPaths(rs), []string{filepath.Join(dir, "good.rs")}; !reflect.DeepEqual(got, want) {
			t.Errorf("paths %q, want %q", got, want)
		}
	case <-time.After(time.Minute):
		// Unblock the reader so that the test can end.
		if f, err := os.OpenFile(filepath.Join(dir, "fifo"), os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("Check hangs on a link to a FIFO")
	}
	// A walked file that is no longer regular when it is read is an error,
	// found without blocking.
	if _, err := readSource(filepath.Join(dir, "a.rs"), true); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("readSource of a FIFO: %v", err)
	}
}
