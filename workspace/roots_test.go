package workspace

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootsAsEditorsSeeThem: editors/testdata/roots.json is the table the
// VS Code extension's and the Neovim plugin's tests check their root
// detection against; the server must decide every case the same way, or
// an editor would start krls where the server finds no tree (or the
// reverse).
func TestRootsAsEditorsSeeThem(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "editors", "testdata", "roots.json"))
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Cases []struct {
			Name  string            `json:"name"`
			Files map[string]string `json:"files"`
			From  string            `json:"from"`
			Root  string            `json:"root"`
			Kind  string            `json:"kind"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatalf("roots.json: %v", err)
	}
	if len(table.Cases) == 0 {
		t.Fatal("roots.json has no cases")
	}
	for _, c := range table.Cases {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range c.Files {
				path := filepath.Join(dir, filepath.FromSlash(name))
				if strings.HasSuffix(name, "/") {
					if err := os.MkdirAll(path, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			from := filepath.Join(dir, filepath.FromSlash(c.From))
			kind := ""
			got, ok := FindSrctree(from)
			if ok {
				kind = "kernel"
			} else if got, ok = FindModuleDir(from); ok {
				kind = "module"
			}
			want := ""
			if c.Root != "" {
				want = filepath.Join(dir, filepath.FromSlash(c.Root))
			}
			// A temporary folder has no kernel or module above it, but the
			// search goes on to / — keep only answers inside the case.
			if ok && !strings.HasPrefix(got+string(filepath.Separator), dir+string(filepath.Separator)) {
				got, kind = "", ""
			}
			if got != want || kind != c.Kind {
				t.Errorf("from %s: got %q (%s), want %q (%s)", c.From, got, kind, want, c.Kind)
			}
		})
	}
}
