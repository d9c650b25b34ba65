package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func indexTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for rel, text := range map[string]string{
		"Kconfig":                     "",
		"Makefile":                    "",
		"rust/kernel/lib.rs":          "pub mod task;\n",
		"rust/kernel/task.rs":         "pub struct Task;\nimpl Task {\n    /// # Safety\n    ///\n    /// Careful.\n    pub unsafe fn current() -> Task { Task }\n}\n",
		"samples/rust/rust_sample.rs": "struct S;\n",
	} {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type indexJSON struct {
	DB                                           string
	Persisted                                    bool
	Fallback                                     string
	Files, Read, Parsed, Reused, Stored, Symbols int
	Folders                                      int
	Ms                                           map[string]float64
}

func runIndexJSON(t *testing.T, args ...string) indexJSON {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(append([]string{"index", "--json"}, args...), nil, &out, &errOut); code != 0 {
		t.Fatalf("krls index: exit %d: %s", code, errOut.String())
	}
	var j indexJSON
	if err := json.Unmarshal(out.Bytes(), &j); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	return j
}

func TestIndexCommand(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	dir := indexTree(t)
	j := runIndexJSON(t, "--srctree", dir)
	if !j.Persisted || j.Files != 3 || j.Parsed != 3 || j.Stored != 3 || j.Symbols != 5 || !strings.HasPrefix(j.DB, cache+"/krls/") {
		t.Errorf("cold: %+v", j)
	}
	for _, phase := range []string{"walk", "open", "load", "stat", "parse", "store", "link", "total"} {
		if _, ok := j.Ms[phase]; !ok {
			t.Errorf("no time for %s", phase)
		}
	}
	j = runIndexJSON(t, "--srctree", dir)
	if j.Read != 0 || j.Reused != 3 || j.Stored != 0 || j.Folders != 5 {
		t.Errorf("warm: %+v", j)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"index", "--srctree", dir}, nil, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "files     3 (0 read, 0 parsed, 3 reused") || !strings.Contains(out.String(), "time ") {
		t.Errorf("text output (exit %d):\n%s%s", code, out.String(), errOut.String())
	}
	// A touched file is read (same digest: not parsed), not reused.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "rust/kernel/task.rs"), later, later); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"index", "--srctree", dir}, nil, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "files     3 (1 read, 0 parsed, 2 reused") {
		t.Errorf("after touch (exit %d):\n%s%s", code, out.String(), errOut.String())
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"missing tree", []string{"--srctree", filepath.Join(dir, "nope")}},
		{"not a kernel tree", []string{"--srctree", filepath.Join(dir, "rust")}},
		{"--srctree and --module", []string{"--srctree", dir, "--module", filepath.Join(dir, "samples/rust")}},
		{"--objtree", []string{"--srctree", dir, "--objtree", dir}},
		{"bad flag", []string{"--bogus"}},
	} {
		errOut.Reset()
		if code := run(append([]string{"index"}, c.args...), nil, &out, &errOut); code != 2 || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q", c.name, code, errOut.String())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("the tree changed: %d entries", len(entries))
	}
}

// TestIndexTwoProcesses runs `krls index` in two processes at once on
// one tree (and one database): both succeed with the same result, the
// one that did not get the lock in memory at worst.
func TestIndexTwoProcesses(t *testing.T) {
	if os.Getenv("KRLS_INDEX_HELPER") != "" {
		os.Exit(run(strings.Fields(os.Getenv("KRLS_INDEX_HELPER")), nil, os.Stdout, os.Stderr))
	}
	cache := t.TempDir()
	dir := indexTree(t)
	if src := os.Getenv("KRLS_KERNEL_SRC"); src != "" {
		dir = src // a tree that takes a while
	}
	for round := range 2 {
		var wg sync.WaitGroup
		outs := make([]indexJSON, 2)
		for i := range outs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(os.Args[0], "-test.run=^TestIndexTwoProcesses$")
				cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "KRLS_INDEX_HELPER=index --json --srctree "+dir)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Errorf("process %d: %v\n%s", i, err, stderr.String())
					return
				}
				if err := json.Unmarshal(out, &outs[i]); err != nil {
					t.Errorf("process %d: %v: %s", i, err, out)
				}
			}()
		}
		wg.Wait()
		if outs[0].Symbols != outs[1].Symbols || outs[0].Files != outs[1].Files || outs[0].Symbols == 0 {
			t.Errorf("round %d: %+v vs %+v", round, outs[0], outs[1])
		}
		t.Logf("round %d: persisted %v/%v (%q), parsed %d/%d", round, outs[0].Persisted, outs[1].Persisted, outs[0].Fallback+outs[1].Fallback, outs[0].Parsed, outs[1].Parsed)
	}
}
