package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Files git ignores: a built kernel holds generated Rust
// (rust/bindings/bindings_generated.rs and others, listed in
// rust/.gitignore) that is nobody's to document.

// dropIgnored returns the walked files less those git ignores. It asks
// git once per root that is in a work tree, and once per repository
// nested below a root (found by the walk), with `git check-ignore`,
// which knows every rule (.gitignore files of the folders and their
// parents, .git/info/exclude, core.excludesFile) and leaves tracked
// files alone. A root outside any work tree costs a few stats: no git.
// A root git ignores as a whole was named on purpose; nothing under it is
// dropped. When git fails, nothing is dropped and warn is told.
func dropIgnored(ctx context.Context, w walkResult, roots []string, warn func(string)) []walkFile {
	files := w.files
	if len(files) == 0 {
		return files
	}
	// The folder whose repository decides for each file, and the
	// files (relative to it) of each such folder.
	type group struct {
		base   string
		nested bool // a repository below a root, not the root's own
		rels   []string
		index  []int // into files
	}
	groups := map[string]*group{}
	var order []string
	inTree := make([]bool, len(roots))
	for i, r := range roots {
		inTree[i] = w.repos[r] || inWorkTree(r)
	}
	for i, f := range files {
		root := roots[f.root]
		base, nested := "", false
		for d := filepath.Dir(f.path); ; d = filepath.Dir(d) {
			if w.repos[d] {
				base, nested = d, d != root
				break
			}
			if d == root || d == "." || d == filepath.Dir(d) {
				break
			}
		}
		if base == "" {
			if !inTree[f.root] {
				continue
			}
			base = root
		}
		g := groups[base]
		if g == nil {
			g = &group{base: base, nested: nested}
			groups[base] = g
			order = append(order, base)
		}
		rel, err := filepath.Rel(base, f.path)
		if err != nil {
			continue
		}
		g.rels = append(g.rels, filepath.ToSlash(rel))
		g.index = append(g.index, i)
	}
	if len(groups) == 0 {
		return files
	}

	drop := make([]bool, len(files))
	for _, base := range order {
		g := groups[base]
		ignored, err := checkIgnore(ctx, g.base, g.nested, g.rels)
		if errors.Is(err, errNotRepository) {
			continue // the .git above is not git's (GIT_CEILING_DIRECTORIES, say)
		}
		if err != nil {
			if warn != nil && ctx.Err() == nil {
				warn(fmt.Sprintf("%s: cannot ask git which files it ignores (%v); checking them all", g.base, err))
			}
			continue
		}
		if ignored["."] {
			continue // the folder itself is ignored, and was named on purpose
		}
		for k, rel := range g.rels {
			if ignored[rel] {
				drop[g.index[k]] = true
			}
		}
	}
	out := files[:0]
	for i, f := range files {
		if !drop[i] {
			out = append(out, f)
		}
	}
	return out
}

var errNotRepository = errors.New("not a git repository")

// inWorkTree reports whether dir is in a git work tree: whether it or a
// folder above it holds a .git.
func inWorkTree(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for d := abs; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return false
		}
		d = parent
	}
}

// checkIgnore asks git, in dir, which of rels (relative to dir, with
// slashes) and of dir itself (".") it ignores. In a nested repository the
// variables git sets for hooks (which name the outer one) are left out.
func checkIgnore(ctx context.Context, dir string, nested bool, rels []string) (map[string]bool, error) {
	var in bytes.Buffer
	in.WriteString(".\x00")
	for _, r := range rels {
		in.WriteString(r)
		in.WriteByte(0)
	}
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "check-ignore", "--stdin", "-z")
	cmd.Env = GitEnv(nested)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return nil, nil // nothing is ignored
	}
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			msg, _, _ = strings.Cut(msg, "\n")
			if strings.Contains(msg, "not a git repository") {
				return nil, errNotRepository
			}
			return nil, errors.New(strings.TrimPrefix(msg, "fatal: "))
		}
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

// GitEnv is the environment krls runs git with. Relative GIT_DIR,
// GIT_WORK_TREE and GIT_INDEX_FILE are made absolute: git sets them for
// hooks (a pre-commit hook runs krls with them) relative to the folder it
// started in, and krls runs git with -C elsewhere. In a nested repository
// (nested) they are left out, since they name the outer one. Pathspec
// variables are dropped: krls spells its pathspecs itself.
//
// And git must not run programs the repository's own configuration names:
// opening a tree in an editor must never execute its commands. Of the
// commands krls runs (check-ignore, config --get, diff, rev-parse,
// symbolic-ref, ls-files), only an index refresh can start one, through
// core.fsmonitor; it is turned off with a configuration override that
// outranks the repository's (GIT_CONFIG_COUNT, git 2.31), appended to any
// the caller's environment already has. (diff runs with --no-ext-diff
// and --no-textconv for the same reason.)
func GitEnv(nested bool) []string {
	cwd, _ := os.Getwd()
	var env []string
	count := 0
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX":
			if nested {
				continue
			}
			if v != "" && !filepath.IsAbs(v) && cwd != "" && k != "GIT_PREFIX" {
				kv = k + "=" + filepath.Join(cwd, v)
			}
		case "GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS":
			continue
		case "GIT_CONFIG_COUNT":
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				count = n
			}
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"GIT_CONFIG_KEY_"+strconv.Itoa(count)+"=core.fsmonitor",
		"GIT_CONFIG_VALUE_"+strconv.Itoa(count)+"=false",
		"GIT_CONFIG_COUNT="+strconv.Itoa(count+1))
}
