package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// --diff REV: which lines of which files changed since a git revision.

// lineSet is the changed lines of one file: 1-based inclusive ranges,
// sorted, or every line.
type lineSet struct {
	all    bool
	ranges [][2]int
}

// touches reports whether any line in [lo, hi] changed.
func (s *lineSet) touches(lo, hi int) bool {
	if s == nil {
		return false
	}
	if s.all {
		return true
	}
	// The first range that ends at or after lo.
	i := sort.Search(len(s.ranges), func(i int) bool { return s.ranges[i][1] >= lo })
	return i < len(s.ranges) && s.ranges[i][0] <= hi
}

func (s *lineSet) add(lo, hi int) {
	s.ranges = append(s.ranges, [2]int{lo, hi})
}

func (s *lineSet) sort() {
	sort.Slice(s.ranges, func(i, j int) bool { return s.ranges[i][0] < s.ranges[j][0] })
	// Merge overlaps so that touches can search.
	out := s.ranges[:0]
	for _, r := range s.ranges {
		if n := len(out); n > 0 && r[0] <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	s.ranges = out
}

// gitPathsPerCall bounds the command line of one git call.
const gitPathsPerCall = 500

// changedLines asks git which lines of files changed between rev and the
// working tree. The result maps each of files (as given) to its changed
// lines; an untracked file changed entirely. A file outside any git
// repository, or a rev git does not know, is an error.
func changedLines(ctx context.Context, files []string, rev string) (map[string]*lineSet, error) {
	g := &gitRepos{ctx: ctx, top: map[string]string{}, real: map[string]string{}}
	type entry struct {
		path string // as given
		rel  string // relative to the repository's top, with slashes
	}
	byRepo := map[string][]entry{}
	var tops []string
	for _, f := range files {
		real, err := g.realDir(filepath.Dir(f))
		if err != nil {
			return nil, err
		}
		top, err := g.toplevel(real)
		if err != nil {
			return nil, fmt.Errorf("--diff: %s: %w", f, err)
		}
		rel, err := filepath.Rel(top, filepath.Join(real, filepath.Base(f)))
		if err != nil {
			return nil, err
		}
		if byRepo[top] == nil {
			tops = append(tops, top)
		}
		byRepo[top] = append(byRepo[top], entry{f, filepath.ToSlash(rel)})
	}

	out := make(map[string]*lineSet, len(files))
	for _, top := range tops {
		entries := byRepo[top]
		for len(entries) > 0 {
			chunk := entries[:min(len(entries), gitPathsPerCall)]
			entries = entries[len(chunk):]
			rels := make([]string, len(chunk))
			for i, e := range chunk {
				rels[i] = e.rel
			}
			tracked, err := g.tracked(top, rels)
			if err != nil {
				return nil, err
			}
			changes, err := g.diff(top, rev, rels)
			if err != nil {
				return nil, fmt.Errorf("--diff %s: %w", rev, err)
			}
			for _, e := range chunk {
				switch s := changes[e.rel]; {
				case !tracked[e.rel]:
					out[e.path] = &lineSet{all: true}
				case s != nil:
					s.sort()
					out[e.path] = s
				default:
					out[e.path] = &lineSet{}
				}
			}
		}
	}
	return out, nil
}

// gitRepos runs git and remembers which repository each folder is in.
type gitRepos struct {
	ctx  context.Context
	top  map[string]string // folder (symlinks resolved) → top of its work tree
	real map[string]string // folder as given → symlinks resolved
}

// realDir resolves symbolic links, so that paths compare with the
// toplevel git reports.
func (g *gitRepos) realDir(dir string) (string, error) {
	if r, ok := g.real[dir]; ok {
		return r, nil
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", err
	}
	g.real[dir] = abs
	return abs, nil
}

// toplevel finds the work tree holding dir. Asking git costs a process,
// so a folder below a known top with no .git in between (a submodule or
// nested repository) is taken to be in that work tree.
func (g *gitRepos) toplevel(dir string) (string, error) {
	if t, ok := g.top[dir]; ok {
		return t, nil
	}
	var walked []string
	for d := dir; ; {
		if t, ok := g.top[d]; ok {
			for _, w := range walked {
				g.top[w] = t
			}
			return t, nil
		}
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			break
		}
		walked = append(walked, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	out, err := g.run(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", errors.Unwrap(err) // without "git rev-parse: "
	}
	top := strings.TrimSpace(string(out))
	if top == "" {
		return "", errors.New("not in a git work tree")
	}
	top = filepath.FromSlash(top)
	g.top[dir] = top
	g.top[top] = top
	return top, nil
}

// tracked reports which of rels (relative to top) git tracks.
func (g *gitRepos) tracked(top string, rels []string) (map[string]bool, error) {
	args := append([]string{"ls-files", "-z", "--full-name", "--"}, rels...)
	out, err := g.run(top, args...)
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) > 0 {
			m[string(p)] = true
		}
	}
	return m, nil
}

// diff returns the lines of rels changed since rev, by file.
func (g *gitRepos) diff(top, rev string, rels []string) (map[string]*lineSet, error) {
	args := append([]string{
		"diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--text",
		"--src-prefix=a/", "--dst-prefix=b/", rev, "--",
	}, rels...)
	out, err := g.run(top, args...)
	if err != nil {
		return nil, err
	}
	return parseUnifiedDiff(out)
}

// run runs git in dir and returns its output, or its first error line.
func (g *gitRepos) run(dir string, args ...string) ([]byte, error) {
	global := []string{"--literal-pathspecs", "-c", "core.quotePath=false", "-C", dir}
	cmd := exec.CommandContext(g.ctx, "git", append(global, args...)...)
	cmd.Env = gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg := strings.TrimSpace(stderr.String())
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			msg = strings.TrimPrefix(msg, "fatal: ")
			if msg == "" {
				msg = err.Error()
			}
			return nil, fmt.Errorf("git %s: %w", args[0], errors.New(msg))
		}
		return nil, fmt.Errorf("git: %w", err)
	}
	return out, nil
}

// gitEnv is the environment for git, with relative GIT_DIR, GIT_WORK_TREE
// and GIT_INDEX_FILE made absolute: git sets them for hooks (a pre-commit
// hook sees GIT_INDEX_FILE=.git/index), relative to the hook's folder,
// and krls runs git in other folders.
func gitEnv() []string {
	env := os.Environ()
	cwd, err := os.Getwd()
	if err != nil {
		return env
	}
	for i, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE":
			if v != "" && !filepath.IsAbs(v) {
				env[i] = k + "=" + filepath.Join(cwd, v)
			}
		}
	}
	return env
}

// parseUnifiedDiff reads `git diff -U0` output: for each new-side path
// (`+++ b/path`), the lines of the new file that hunks (`@@ -a,b +c,d @@`)
// changed. A hunk that only deletes (`+c,0`) lies between new lines c and
// c+1, and touches both: deleting a SAFETY comment changes the meaning of
// the code below it.
func parseUnifiedDiff(out []byte) (map[string]*lineSet, error) {
	m := map[string]*lineSet{}
	var cur *lineSet
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	oldLeft, newLeft := 0, 0 // body lines left in the current hunk
	for sc.Scan() {
		line := sc.Bytes()
		if oldLeft > 0 || newLeft > 0 {
			switch {
			case len(line) > 0 && line[0] == '-':
				oldLeft--
				continue
			case len(line) > 0 && line[0] == '+':
				newLeft--
				continue
			case len(line) > 0 && line[0] == '\\': // \ No newline at end of file
				continue
			}
			oldLeft, newLeft = 0, 0 // malformed; resynchronise on headers
		}
		switch {
		case bytes.HasPrefix(line, []byte("diff ")):
			cur = nil
		case bytes.HasPrefix(line, []byte("+++ ")):
			name := string(line[4:])
			if strings.HasPrefix(name, `"`) {
				if u, err := strconv.Unquote(name); err == nil {
					name = u
				}
			}
			name = strings.TrimRight(name, "\t") // git ends names with spaces thus
			if p, ok := strings.CutPrefix(name, "b/"); ok {
				cur = &lineSet{}
				m[p] = cur
			} else {
				cur = nil // /dev/null: deleted
			}
		case bytes.HasPrefix(line, []byte("@@ ")):
			b, c, d, ok := parseHunkHeader(line)
			if !ok {
				return nil, fmt.Errorf("git diff: bad hunk header %q", line)
			}
			oldLeft, newLeft = b, d
			if cur == nil {
				continue
			}
			if d == 0 {
				cur.add(c, c+1)
			} else {
				cur.add(c, c+d-1)
			}
		}
	}
	return m, sc.Err()
}

// parseHunkHeader reads `@@ -a[,b] +c[,d] @@`: the old and new ranges.
func parseHunkHeader(line []byte) (b, c, d int, ok bool) {
	f := strings.Fields(string(line))
	if len(f) < 4 || f[0] != "@@" || f[3] != "@@" || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, 0, false
	}
	_, b, ok1 := parseRange(f[1][1:])
	c, d, ok2 := parseRange(f[2][1:])
	return b, c, d, ok1 && ok2
}

func parseRange(s string) (start, count int, ok bool) {
	count = 1
	n, cnt, hasCount := strings.Cut(s, ",")
	start, err := strconv.Atoi(n)
	if err != nil {
		return 0, 0, false
	}
	if hasCount {
		if count, err = strconv.Atoi(cnt); err != nil {
			return 0, 0, false
		}
	}
	return start, count, true
}
