package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/krls-dev/krls/symbols/index"
	"github.com/krls-dev/krls/workspace"
)

const indexUsage = `Usage:
  krls index [--srctree S | --objtree O] [--json] [--in-memory]
  krls index --module DIR [--json]

Builds or refreshes the index of the Rust items of a kernel tree (or of
an out-of-tree module's folder): every .rs file, its items' paths in
their crates, docs, # Safety sections, cfgs. The index is kept in
$XDG_CACHE_HOME/krls (else ~/.cache/krls), never in the tree; files whose
size and mtime did not change are not read again.

Prints what was read, parsed, reused and stored, and the time of each
phase (walk: listing the files, reading only the folders that changed
since the last walk; open: the database; stat; parse: reading
and parsing; store: writing the database; link: placing the items in
their crates). --json prints the same as one JSON object.

Defaults: --srctree is the kernel tree above the current folder; it
must be a kernel tree (Kconfig, Makefile and rust/kernel/lib.rs).
--objtree names a build folder instead (make's O=): the srctree is the
one its generated Makefile includes. The index holds the source tree's
files only, not the bindings a build generates in an object tree.
--module excludes --srctree and --objtree.
`

func runIndex(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("krls index", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	srctree := fs.String("srctree", "", "kernel source tree")
	objtree := fs.String("objtree", "", "a build folder (O=) whose source tree to index")
	module := fs.String("module", "", "an out-of-tree module's folder")
	asJSON := fs.Bool("json", false, "print JSON")
	inMemory := fs.Bool("in-memory", false, "do not read or write the database")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, indexUsage)
			return 0
		}
		fmt.Fprintf(stderr, "krls: index: %v (see 'krls index --help')\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "krls: index: unexpected argument %q (see 'krls index --help')\n", fs.Arg(0))
		return 2
	}
	if *module != "" && (*srctree != "" || *objtree != "") {
		fmt.Fprintln(stderr, "krls: index: --module excludes --srctree and --objtree (see 'krls index --help')")
		return 2
	}
	if *srctree == "" && *objtree != "" {
		src, ok := workspace.SrctreeOfObjtree(*objtree)
		if !ok {
			fmt.Fprintf(stderr, "krls: index: %s is not an object tree whose Makefile names its source tree\n", *objtree)
			return 2
		}
		*srctree = src
	}
	if *srctree != "" && !workspace.IsSrctree(*srctree) {
		fmt.Fprintf(stderr, "krls: index: %s is not a kernel source tree (no Kconfig, Makefile and rust/kernel/lib.rs)\n", *srctree)
		return 2
	}
	root := *module
	if root == "" {
		root = *srctree
	}
	if root == "" {
		cwd, err := os.Getwd()
		if err != nil {
			fmt.Fprintf(stderr, "krls: index: %v\n", err)
			return 2
		}
		tree, ok := workspace.FindSrctree(cwd)
		if !ok {
			fmt.Fprintln(stderr, "krls: index: no --srctree given and no kernel tree above the current folder")
			return 2
		}
		root = tree
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "krls: index: %s is not a folder\n", root)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	x, err := index.New(index.Options{Root: root, InMemory: *inMemory, Logf: func(format string, args ...any) {
		fmt.Fprintf(stderr, "krls: "+format+"\n", args...)
	}})
	if err != nil {
		fmt.Fprintf(stderr, "krls: index: %v\n", err)
		return 2
	}
	t := time.Now()
	res, err := workspace.RefreshTree(ctx, x, nil)
	total := time.Since(t)
	for _, e := range res.Walk.Errs {
		fmt.Fprintf(stderr, "krls: index: %v\n", e)
	}
	if err != nil {
		fmt.Fprintf(stderr, "krls: index: %v\n", err)
		return 2
	}
	st, w, walk := res.Stats, res.Walk, res.WalkTime
	if *asJSON {
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		out := map[string]any{
			"root": x.Root(), "db": st.DB, "persisted": st.Persisted, "fallback": st.Fallback,
			"files": st.Files, "read": st.Read, "parsed": st.Parsed, "reused": st.Reused,
			"stored": st.Stored, "removed": st.Removed, "errors": st.Errors, "symbols": st.Symbols,
			"folders": w.Folders, "folders_read": w.Listed, "asked_git": w.AskedGit,
			"ms": map[string]float64{
				"walk": ms(walk), "open": ms(st.Open), "load": ms(st.Load), "stat": ms(st.Stat),
				"parse": ms(st.Parse), "store": ms(st.Store), "link": ms(st.Link), "total": ms(total),
			},
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "krls: index: %v\n", err)
			return 2
		}
		return 0
	}
	fmt.Fprintf(stdout, "index of %s\n", x.Root())
	if st.Persisted {
		fmt.Fprintf(stdout, "  database  %s\n", st.DB)
	} else {
		fmt.Fprintf(stdout, "  database  not used: %s\n", st.Fallback)
	}
	fmt.Fprintf(stdout, "  files     %d (%d read, %d parsed, %d reused, %d removed, %d with errors)\n",
		st.Files, st.Read, st.Parsed, st.Reused, st.Removed, st.Errors)
	fmt.Fprintf(stdout, "  stored    %d entries\n", st.Stored)
	git := ""
	if w.AskedGit {
		git = "; asked git which files it ignores"
	}
	fmt.Fprintf(stdout, "  folders   %d (%d read, %d unchanged since the last walk%s)\n", w.Folders, w.Listed, w.Folders-w.Listed, git)
	fmt.Fprintf(stdout, "  symbols   %d\n", st.Symbols)
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	fmt.Fprintf(stdout, "  time      %v: walk %v, open %v, load %v, stat %v, parse %v, store %v, link %v\n",
		r(total), r(walk), r(st.Open), r(st.Load), r(st.Stat), r(st.Parse), r(st.Store), r(st.Link))
	return 0
}
