//go:build unix

package kconfig

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/krls-dev/krls/internal/kerneltest"
)

// TestSourceFIFO: a `source` of a named pipe must be an error, not a
// wait for a writer that never comes (conf waits too, but an editor's
// server must not).
func TestSourceFIFO(t *testing.T) {
	dir := kerneltest.WriteTree(t, map[string]string{"Kconfig": "source \"fifo\"\n"})
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Load(context.Background(), LoadOptions{Srctree: dir, Tools: testTools(dir)})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || err.Error() != `Kconfig:1: can't open file "fifo"` {
			t.Errorf("error %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Load waits on a FIFO")
	}
}
