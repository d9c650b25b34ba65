package workspace

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestStampSet(t *testing.T) {
	dir := t.TempDir()
	file, later := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(file, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := stampSet{}
	s.record(file, later)
	if s.changed() {
		t.Fatal("changed right after record")
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"another size", func() error { return os.WriteFile(file, []byte("three"), 0o644) }},
		{"another mtime", func() error {
			return os.Chtimes(file, time.Now(), time.Now().Add(-time.Hour))
		}},
		{"a file appeared", func() error { return os.WriteFile(later, nil, 0o644) }},
		{"a file vanished", func() error { return os.Remove(file) }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatal(err)
		}
		if !s.changed() {
			t.Errorf("%s: not changed", st.name)
		}
		s = stampSet{}
		s.record(file, later)
	}
}

// A slow read of one key blocks neither another key's lookup nor
// another key's read; a second lookup of the same key waits for the
// first read and does not read again.
func TestStampedCacheKeysIndependent(t *testing.T) {
	var c stampedCache[string]
	started, release := make(chan struct{}), make(chan struct{})
	var slowReads atomic.Int32
	slow := func() (string, stampSet, bool) {
		if slowReads.Add(1) == 1 {
			close(started)
		}
		<-release
		return "slow tree", stampSet{}, true
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v := c.get("slow", slow); v != "slow tree" {
				t.Errorf("slow = %q", v)
			}
		}()
	}
	<-started
	done := make(chan string)
	go func() {
		done <- c.get("fast", func() (string, stampSet, bool) { return "fast tree", stampSet{}, true })
	}()
	select {
	case v := <-done:
		if v != "fast tree" {
			t.Errorf("fast = %q", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the lookup of one tree waited for the read of another")
	}
	close(release)
	wg.Wait()
	if n := slowReads.Load(); n != 1 {
		t.Errorf("slow tree read %d times, want once", n)
	}
}

// A value not kept (a cancelled read) is read again; a kept one is read
// again when a file it came from changes.
func TestStampedCacheRereads(t *testing.T) {
	var c stampedCache[int]
	file := filepath.Join(t.TempDir(), "f")
	reads := 0
	read := func(keep bool) func() (int, stampSet, bool) {
		return func() (int, stampSet, bool) {
			reads++
			s := stampSet{}
			s.record(file)
			return reads, s, keep
		}
	}
	c.get("k", read(false))
	if got := c.get("k", read(true)); got != 2 {
		t.Errorf("after a value not kept: %d, want a new read (2)", got)
	}
	if got := c.get("k", read(true)); got != 2 {
		t.Errorf("unchanged: %d, want the kept value 2", got)
	}
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.get("k", read(true)); got != 3 {
		t.Errorf("after the file appeared: %d, want a new read (3)", got)
	}
}
