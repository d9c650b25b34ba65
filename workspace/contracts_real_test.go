package workspace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/krls-dev/krls/diagnostics"
)

// indexedSession is a session whose index holds root, indexed into a
// temporary cache.
func indexedSession(t testing.TB, root string) *Session {
	t.Helper()
	s := NewSession()
	s.Index.CacheDir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	s.Index.Ensure(ctx, &wg, root)
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		s.Shutdown()
	})
	if !s.Index.Wait(ctx, filepath.Join(root, "x")) {
		t.Fatal("index did not finish")
	}
	return s
}

// safetyFix opens path with text and returns the text of the
// undocumented-unsafe fix of the finding on the line holding marker.
func safetyFix(t testing.TB, s *Session, path, text, marker string) string {
	t.Helper()
	d := s.Open("file://"+path, path, "rust", 1, []byte(text))
	res, err := s.Analyze(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	at := strings.Index(text, marker)
	if at < 0 {
		t.Fatalf("no %q in the text", marker)
	}
	for _, f := range res.Findings {
		if f.Rule == diagnostics.UndocumentedUnsafe.Name && f.Start <= at+len(marker) && at <= f.End && len(f.Fixes) > 0 {
			return f.Fixes[0].Edits[0].NewText
		}
	}
	t.Fatalf("no undocumented-unsafe finding at %q", marker)
	return ""
}

// withoutSafety deletes the `// SAFETY:` comment lines directly above
// the line holding marker.
func withoutSafety(t testing.TB, src, marker string) string {
	t.Helper()
	at := strings.Index(src, marker)
	if at < 0 {
		t.Fatalf("no %q in the file", marker)
	}
	lineStart := strings.LastIndexByte(src[:at], '\n') + 1
	start := lineStart
	for start > 0 {
		prev := strings.LastIndexByte(src[:start-1], '\n') + 1
		if !strings.HasPrefix(strings.TrimSpace(src[prev:start-1]), "//") {
			break
		}
		start = prev
	}
	if start == lineStart {
		t.Fatalf("no comment above %q", marker)
	}
	return src[:start] + src[lineStart:]
}

func TestCalleeContractsRealTree(t *testing.T) {
	src, _ := realKernel(t)
	s := indexedSession(t, src)
	for _, tc := range []struct {
		file, marker string
		want         []string
	}{
		{"rust/kernel/workqueue.rs", "let arc = unsafe { Arc::from_raw(ptr) };", []string{"x"}},
		{"rust/kernel/block/mq/request.rs", "unsafe { ARef::from_raw(NonNull::new_unchecked(ptr as *const Self as *mut Self)) }", []string{"x"}},
		{"rust/kernel/list.rs", "Some(unsafe { ArcBorrow::from_raw(item) })", []string{"x"}},
	} {
		path := filepath.Join(src, tc.file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := withoutSafety(t, string(b), tc.marker)
		got := safetyFix(t, s, path, text, tc.marker)
		t.Logf("%s:\n%s", tc.file, got)
	}
}
