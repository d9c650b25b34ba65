package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/workspace"
)

const checkUsageHead = `Usage: krls check [flags] [PATH...]

Check Rust files against the kernel's safety-comment rules, as clippy
would with the kernel's lints and .clippy.toml, without building anything.
A PATH is a file or a folder searched recursively for *.rs, skipping
hidden files and folders, cache folders (cargo's target/, which holds a
CACHEDIR.TAG) and, in a git work tree, the files git ignores (such as
the kernel's generated bindings); the default is ".". A file named on
the command line is always checked. Flags may come before or after the
paths.

Flags:
  --format FORMAT        output format: text (default), json, sarif, github
  --rules RULE,...       run only these rules (default: all)
  --check-private-items  check private items too (default: as the nearest
                         .clippy.toml says; the kernel's says so)
  --diff REV             report only findings whose text changed since the
                         git revision REV (REV against the working tree;
                         renames are followed; an untracked file counts as
                         changed throughout, unless git ignores it;
                         HEAD before the first commit: every line;
                         HEAD while a merge is committed: the lines that
                         differ from both parents)
  --fix                  apply the safe fixes to the files, then report what
                         remains; fixes that need a human (inserting a
                         SAFETY comment to fill in) are never applied
  --all-crates           check the crates the kernel's build does not lint
                         too (rust/Makefile's skip_clippy and
                         --cap-lints=allow crates: syn, quote, zerocopy,
                         ...); by default they are left out, as clippy
                         leaves them
  --jobs N               files analysed at once (default: number of CPUs)

Formats:
  text    path:line:col: severity: message [rule]
          (columns count characters, as rustc's do)
  json    [{"file", "line", "column", "endLine", "endColumn",
            "severity", "rule", "message"}, ...]; endColumn is exclusive
  sarif   SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
  github  GitHub Actions workflow commands: annotations on the diff

Rules:
`

const checkUsageTail = `
Exit status: 0 when nothing is at warning level (info findings such as
safety-placeholder are printed but pass), 1 when findings are, or findings
of the justification-comment rules asked for (--rules=+conventions: hints,
which then fail the check), 2 on a usage error, an unreadable file, or a
git error. Files over 16 MiB are skipped
with a notice.

Examples:
  krls check rust/kernel
  krls check --diff HEAD .                 # a pre-commit hook: only what changed
  krls check --diff "$(git merge-base origin/main HEAD)" .    # a branch
  krls check --rules undocumented-unsafe --format json drivers/

In GitHub Actions, as annotations on the pull request:
  - run: krls check --format github .
or for code scanning:
  - run: krls check --format sarif . > krls.sarif || true
  - uses: github/codeql-action/upload-sarif@v3
    with:
      sarif_file: krls.sarif
`

// checkUsage is the help text, with the rule list from diagnostics.CheckRules.
func checkUsage(w io.Writer) {
	io.WriteString(w, checkUsageHead)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range diagnostics.CheckRules() {
		like := "(krls's own)"
		if r.Clippy != "" {
			like = "like " + r.Clippy
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Name, r.Severity, like)
	}
	tw.Flush()
	io.WriteString(w, checkUsageTail)
}

// checkFlagSet defines the flags of `krls check`.
func checkFlagSet(fl *checkFlags, rules *string) *flag.FlagSet {
	fs := flag.NewFlagSet("krls check", flag.ContinueOnError)
	fs.Usage = func() { checkUsage(fs.Output()) }
	fs.StringVar(&fl.format, "format", "text", "output `format`: text, json, sarif or github")
	fs.StringVar(rules, "rules", "", "comma-separated `rules` to run (default all)")
	fs.BoolVar(&fl.private, "check-private-items", false, "check private items too")
	fs.StringVar(&fl.diff, "diff", "", "report only findings on lines changed since git revision `REV`")
	fs.BoolVar(&fl.fix, "fix", false, "apply safe fixes")
	fs.BoolVar(&fl.allCrates, "all-crates", false, "check the crates the kernel's build does not lint too")
	fs.IntVar(&fl.jobs, "jobs", 0, "files analysed at once (`N`, default number of CPUs)")
	return fs
}

type checkFlags struct {
	format  string
	rules   map[string]bool
	private bool
	diff    string
	fix     bool
	jobs    int
	// allCrates: --all-crates.
	allCrates   bool
	conventions bool // --rules=+conventions
}

// parseCheckArgs reads the flags, which may come before, between or after
// the paths; everything after "--" is a path. It returns ok=false with
// the exit code when the command is done (help, or a usage error).
func parseCheckArgs(args []string, stdout, stderr io.Writer) (fl checkFlags, paths []string, code int, ok bool) {
	var rules string
	fs := checkFlagSet(&fl, &rules)
	usageErr := func(format string, a ...any) (checkFlags, []string, int, bool) {
		fmt.Fprintf(stderr, "krls: check: "+format+" (see 'krls help check')\n", a...)
		return fl, nil, 2, false
	}
	for rest := args; ; {
		// Errors are reported here in one line, not with the whole usage.
		fs.SetOutput(io.Discard)
		err := fs.Parse(rest)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return fl, nil, 0, false
		}
		if err != nil {
			return usageErr("%v", err)
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		if n := len(rest) - len(left); n > 0 && rest[n-1] == "--" {
			paths = append(paths, left...)
			break
		}
		paths = append(paths, left[0])
		rest = left[1:]
	}

	if _, known := formats[fl.format]; !known {
		return usageErr("unknown format %q (formats: text, json, sarif, github)", fl.format)
	}
	if fl.jobs < 0 {
		return usageErr("--jobs must not be negative")
	}
	if strings.HasPrefix(fl.diff, "-") {
		return usageErr("--diff needs a git revision, not %q", fl.diff)
	}
	rulesGiven := false
	fs.Visit(func(f *flag.Flag) { rulesGiven = rulesGiven || f.Name == "rules" })
	if rulesGiven {
		// +conventions adds the justification-comment rules beyond
		// SAFETY to what runs: alone, to the rules the tree enables.
		var names []string
		for _, n := range strings.Split(rules, ",") {
			if strings.TrimSpace(n) == "+"+diagnostics.ConventionsGroup {
				fl.conventions = true
			} else {
				names = append(names, n)
			}
		}
		set, err := diagnostics.ParseRuleList(strings.Join(names, ","))
		if err != nil {
			return usageErr("--rules: %v", err)
		}
		if len(set) == 0 && !fl.conventions {
			return usageErr("--rules needs at least one rule name")
		}
		if len(set) > 0 {
			fl.rules = set
		}
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	return fl, paths, 0, true
}

// runCheck is `krls check`: it runs the rules over files and prints the
// findings. It returns 0 when nothing is at warning level or worse, 1 when
// something is, and 2 on usage, file, or git errors.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fl, paths, code, ok := parseCheckArgs(args, stdout, stderr)
	if !ok {
		return code
	}
	// A check run is short and allocates mostly what it keeps until the
	// end (sources, findings); collecting less often saves a few percent.
	defer debug.SetGCPercent(debug.SetGCPercent(400))

	ctx := context.Background()
	opts := workspace.CheckOptions{
		Rules: fl.rules, Conventions: fl.conventions, CheckPrivateItems: fl.private, Jobs: fl.jobs, AllCrates: fl.allCrates,
		Warn: func(msg string) { fmt.Fprintf(stderr, "krls: warning: %s\n", msg) },
	}
	results, err := workspace.Check(ctx, paths, opts)
	if err != nil {
		fmt.Fprintf(stderr, "krls: %v\n", err)
		return 2
	}
	selected, err := selectFindings(ctx, results, fl.diff)
	if err != nil {
		fmt.Fprintf(stderr, "krls: %v\n", err)
		return 2
	}

	failed := false
	if fl.fix {
		fixed, n, fixFailed := applyFixes(results, selected, stderr)
		failed = fixFailed
		if len(fixed) > 0 {
			// Report what remains, at the positions the files now have.
			paths := make([]string, len(fixed))
			for k, f := range fixed {
				paths[k] = results[f.index].Path
			}
			again, err := workspace.Check(ctx, paths, opts)
			if err != nil {
				fmt.Fprintf(stderr, "krls: %v\n", err)
				return 2
			}
			sel, err := selectFindings(ctx, again, fl.diff)
			if err != nil {
				fmt.Fprintf(stderr, "krls: %v\n", err)
				return 2
			}
			byPath := make(map[string]int, len(again))
			for j, r := range again {
				byPath[r.Path] = j
			}
			for _, f := range fixed {
				i := f.index
				j, ok := byPath[results[i].Path]
				if !ok {
					continue
				}
				if again[j].Err == nil && !again[j].Skipped &&
					len(introduced(results[i].Findings, again[j].Findings, f.edits, results[i].Lines)) > 0 {
					fmt.Fprintf(stderr, "krls: fix of %s introduced new findings; please report\n", results[i].Path)
				}
				results[i], selected[i] = again[j], sel[j]
			}
		}
		fmt.Fprintf(stderr, "krls: fixed %d finding(s) in %d file(s)\n", n, len(fixed))
	}

	var reports []report
	for i, r := range results {
		reports = append(reports, locateAll(r.Path, r.Lines, selected[i])...)
		for _, f := range selected[i] {
			// The justification-comment rules are hints, and run only
			// when asked: asked for, their findings fail the check (a
			// pre-commit hook requiring them on new lines).
			if f.Severity <= diagnostics.Warning || diagnostics.RuleByName(f.Rule).IsConvention() {
				code = 1
			}
		}
	}
	if err := formats[fl.format](stdout, reports); err != nil {
		fmt.Fprintf(stderr, "krls: write: %v\n", err)
		return 2
	}
	outOfScope := map[string]int{}
	for _, r := range results {
		switch {
		case r.OutOfScope != "":
			outOfScope[r.OutOfScope]++
		case r.Skipped:
			fmt.Fprintf(stderr, "krls: %s: skipped: over %d MiB, too large to analyse\n", r.Path, symbols.MaxFileSize>>20)
		case r.Err != nil:
			msg := r.Err.Error()
			if !strings.Contains(msg, r.Path) {
				msg = r.Path + ": " + msg
			}
			fmt.Fprintf(stderr, "krls: %s\n", msg)
			failed = true
		}
	}
	if len(outOfScope) > 0 {
		// One line: the kernel's own build does not lint these either.
		var crates []string
		n := 0
		for why, k := range outOfScope {
			crates = append(crates, why)
			n += k
		}
		sort.Strings(crates)
		fmt.Fprintf(stderr, "krls: %d files not checked, in crates the kernel's build does not lint (%s); --all-crates checks them\n", n, strings.Join(crates, "; "))
	}
	if failed {
		return 2
	}
	return code
}

// selectFindings returns the findings of each result to report: all of
// them, or with a git revision those that touch lines changed since.
func selectFindings(ctx context.Context, results []workspace.FileResult, rev string) ([][]diagnostics.Finding, error) {
	sel := make([][]diagnostics.Finding, len(results))
	if rev == "" {
		for i, r := range results {
			sel[i] = r.Findings
		}
		return sel, nil
	}
	var files []string
	for _, r := range results {
		if r.Lines != nil {
			files = append(files, r.Path)
		}
	}
	changed, err := changedLines(ctx, files, rev)
	if err != nil {
		return nil, err
	}
	for i, r := range results {
		set := changed[r.Path]
		for _, f := range r.Findings {
			if set.touches(findingLines(r.Lines, f)) {
				sel[i] = append(sel[i], f)
			}
		}
	}
	return sel, nil
}

// findingLines is the 1-based lines of the text that decides a finding:
// its Extent, which covers the finding itself (a change there can make
// the finding new, such as a line inserted between a SAFETY comment and
// its block).
func findingLines(lines *symbols.Lines, f diagnostics.Finding) (lo, hi int) {
	start, end := f.Start, max(f.Start, f.End)
	if e := f.Extent; e != (diagnostics.Span{}) {
		start, end = min(start, e.Start), max(end, e.End)
	}
	last := end
	if end > start {
		last = end - 1 // an end at a line's start does not reach into it
	}
	return lines.Line(start) + 1, lines.Line(last) + 1
}
