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

	"github.com/krls-dev/krls/workspace"
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

// intersect returns the lines in both s and t (each sorts itself first);
// a nil t has none.
func (s *lineSet) intersect(t *lineSet) *lineSet {
	out := &lineSet{}
	if t == nil {
		return out
	}
	if s.all || t.all {
		if s.all && t.all {
			return s
		}
		if s.all {
			return t
		}
		return s
	}
	s.sort()
	t.sort()
	for i, j := 0, 0; i < len(s.ranges) && j < len(t.ranges); {
		lo, hi := max(s.ranges[i][0], t.ranges[j][0]), min(s.ranges[i][1], t.ranges[j][1])
		if lo <= hi {
			out.add(lo, hi)
		}
		if s.ranges[i][1] < t.ranges[j][1] {
			i++
		} else {
			j++
		}
	}
	return out
}

// gitPathsPerCall bounds the command line of one git call.
const gitPathsPerCall = 500

// changedLines asks git which lines of files changed between rev and the
// working tree. The result maps each of files (as given) to its changed
// lines: a renamed file's as git pairs it with its old name, an untracked
// file's all, unless git ignores it (then none). A file outside any git
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
		rels := make([]string, len(entries))
		for i, e := range entries {
			rels[i] = e.rel
		}
		status, err := g.status(top, rels)
		if err != nil {
			return nil, err
		}
		if rev == "HEAD" && g.unborn(top) {
			// No commit yet (a pre-commit hook's first commit): every
			// line of every file git does not ignore is new.
			for _, e := range entries {
				out[e.path] = &lineSet{all: status[e.rel] != ignored}
			}
			continue
		}
		changes, err := g.diff(top, rev, rels)
		if err != nil {
			return nil, fmt.Errorf("--diff %s: %w", rev, err)
		}
		if rev == "HEAD" && g.merging(top) {
			// Committing a merge: a line taken from the other branch as
			// it was there is not the committer's change. As git's
			// combined diff, a line changed only if it differs from both
			// parents.
			theirs, err := g.diff(top, "MERGE_HEAD", rels)
			if err != nil {
				return nil, fmt.Errorf("--diff %s: %w", rev, err)
			}
			for rel, s := range changes {
				changes[rel] = s.intersect(theirs[rel])
			}
		}
		for _, e := range entries {
			switch st := status[e.rel]; {
			case st == untracked:
				out[e.path] = &lineSet{all: true}
			case st == ignored:
				out[e.path] = &lineSet{} // not git's business: nothing changed
			case changes[e.rel] != nil:
				s := changes[e.rel]
				s.sort()
				out[e.path] = s
			default:
				out[e.path] = &lineSet{}
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
	out, err := g.run(dir, true, "rev-parse", "--show-toplevel")
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

// fileStatus is what git thinks of a file of the working tree.
type fileStatus int

const (
	ignored   fileStatus = iota // untracked and ignored (or absent)
	tracked                     // in the index
	untracked                   // untracked and not ignored: new
)

// status says of each of rels (relative to top) whether git tracks it,
// and of the others whether it ignores them.
func (g *gitRepos) status(top string, rels []string) (map[string]fileStatus, error) {
	m := make(map[string]fileStatus, len(rels))
	for len(rels) > 0 {
		chunk := rels[:min(len(rels), gitPathsPerCall)]
		rels = rels[len(chunk):]
		// -t tags each path: "? " for untracked ones, a letter for the
		// index's; --exclude-standard leaves ignored untracked files out.
		args := append([]string{"ls-files", "-z", "-t", "--full-name", "--cached", "--others", "--exclude-standard", "--"}, chunk...)
		out, err := g.run(top, true, args...)
		if err != nil {
			return nil, err
		}
		for _, p := range bytes.Split(out, []byte{0}) {
			tag, name, ok := bytes.Cut(p, []byte(" "))
			if !ok || len(tag) != 1 {
				continue
			}
			if tag[0] == '?' {
				m[string(name)] = untracked
			} else {
				m[string(name)] = tracked
			}
		}
	}
	return m, nil
}

// unborn reports whether the repository at top has no commit yet: HEAD
// names a branch that does not exist. Any other failure is left for the
// diff to report.
func (g *gitRepos) unborn(top string) bool {
	if _, err := g.run(top, true, "symbolic-ref", "-q", "HEAD"); err != nil {
		return false // detached, or not a repository
	}
	cmd := exec.CommandContext(g.ctx, "git", "-C", top, "rev-parse", "-q", "--verify", "HEAD^{commit}")
	cmd.Env = workspace.GitEnv(false)
	var ee *exec.ExitError
	return errors.As(cmd.Run(), &ee) && ee.ExitCode() == 1
}

// merging reports whether the repository at top is in the middle of a
// merge (MERGE_HEAD exists).
func (g *gitRepos) merging(top string) bool {
	_, err := g.run(top, true, "rev-parse", "-q", "--verify", "MERGE_HEAD^{commit}")
	return err == nil
}

// diff returns the lines changed since rev of the Rust files of the
// repository and of rels, by file. The diff is not limited to rels: git
// pairs a renamed file with its old name only when it sees both, so that
// only the lines a rename changed count.
func (g *gitRepos) diff(top, rev string, rels []string) (map[string]*lineSet, error) {
	args := []string{
		"diff", "-U0", "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--text",
		"--src-prefix=a/", "--dst-prefix=b/", rev, "--", ":(glob)**/*.rs",
	}
	for _, r := range rels {
		if !strings.HasSuffix(r, ".rs") {
			args = append(args, ":(literal)"+r) // named on the command line
		}
	}
	out, err := g.run(top, false, args...)
	if err != nil {
		return nil, err
	}
	return parseUnifiedDiff(out)
}

// run runs git in dir and returns its output, or its first error line.
// With literal, pathspecs are file names; else they may use pathspec
// magic such as :(glob) and :(literal).
func (g *gitRepos) run(dir string, literal bool, args ...string) ([]byte, error) {
	global := []string{"--noglob-pathspecs", "-c", "core.quotePath=false", "-C", dir}
	if literal {
		global[0] = "--literal-pathspecs"
	}
	cmd := exec.CommandContext(g.ctx, "git", append(global, args...)...)
	cmd.Env = workspace.GitEnv(false)
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
			// git ends a name that has a space with a TAB, after the
			// quotes of a name it quotes.
			name := strings.TrimSuffix(string(line[4:]), "\t")
			if strings.HasPrefix(name, `"`) {
				u, ok := unquoteGit(name)
				if !ok {
					return nil, fmt.Errorf("git diff: bad file name %q", name)
				}
				name = u
			}
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

// unquoteGit reads a name git quoted (quote_c_style): C escapes and
// octal bytes between double quotes. Other bytes are taken as they are,
// valid UTF-8 or not, unlike strconv.Unquote.
func unquoteGit(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	s = s[1 : len(s)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			return "", false
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i++; i == len(s) {
			return "", false
		}
		switch c = s[i]; c {
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'v':
			out = append(out, '\v')
		case 'f':
			out = append(out, '\f')
		case 'r':
			out = append(out, '\r')
		case '"', '\\':
			out = append(out, c)
		case '0', '1', '2', '3':
			if i+2 >= len(s) {
				return "", false
			}
			v := 0
			for _, d := range []byte(s[i : i+3]) {
				if d < '0' || d > '7' {
					return "", false
				}
				v = v*8 + int(d-'0')
			}
			out = append(out, byte(v))
			i += 2
		default:
			return "", false
		}
	}
	return string(out), true
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
