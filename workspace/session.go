package workspace

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/krls-dev/krls/diagnostics"
	"github.com/krls-dev/krls/kconfig"
	"github.com/krls-dev/krls/symbols"
	"github.com/krls-dev/krls/symbols/index"
)

// Settings are the editor's choices for the rules.
type Settings struct {
	// Rules enabled by name; nil means all.
	Rules map[string]bool
	// CheckPrivateItems, when set, overrides check-private-items of the
	// clippy configuration.
	CheckPrivateItems *bool
	// Kernel says where the kernel is and whether probes may run.
	Kernel KernelSettings
	// RustAnalyzer says whether rust-analyzer has the kernel's project
	// (its workspace.discoverConfig runs krls rust-project, or it links a
	// rust-project.json): then krls leaves it what it answers itself —
	// the cfgs the project sets in CONFIG_ completion, the kernel
	// crates' items in workspace symbols. nil: yes when the srctree
	// holds a rust-project.json.
	RustAnalyzer *bool
}

// Result is what the rules found in one document version.
type Result struct {
	// Doc is the version analysed.
	Doc      *Document
	Findings []diagnostics.Finding
	// Skipped says why the document was not analysed (it is over
	// symbols.MaxFileSize: errors.Is(Skipped, symbols.ErrTooLarge)).
	Skipped error
	// ConfigErr is a problem reading the clippy configuration; the rules
	// ran with the defaults.
	ConfigErr error
	// Kernel is the configuration the document was analysed with (nil
	// when none was found: KernelErr says why).
	Kernel    *Kernel
	KernelErr error
	// PanicNote says where undocumented-panic's knowledge of core and
	// alloc came from, for the log.
	PanicNote string
}

// Session is the state of one editor connection, in the spirit of gopls's
// cache: the open documents as immutable snapshots, the clippy
// configuration cache, the editor's settings, and the last analysis of
// each document, so that a code action does not parse again what the
// diagnostics just parsed. It is safe for concurrent use.
type Session struct {
	// Configs caches the clippy configuration per folder.
	Configs *ConfigCache
	// Kernels are the kernel configurations of the documents.
	Kernels *Kernels
	// Index holds the index of each tree's Rust items.
	Index *Indexes
	// Modules are the module! facts of the documents' trees.
	Modules *ModuleFactsCache
	// OnKernelReload, if set, hears that a kernel's configuration changed
	// on disk and was loaded again: every open document's results are
	// stale.
	OnKernelReload func(*Kernel)

	docs   Documents
	errnos errnoTables

	mu       sync.Mutex // guards the fields below; taken before docs.mu
	settings Settings
	gen      uint64 // bumped when settings or configuration change
	results  map[string]*analysis
}

// analysis is one (possibly running) analysis of a document snapshot.
type analysis struct {
	doc *Document
	gen uint64
	// snaps are the index snapshots the fixes resolve callees with.
	snaps indexSnaps
	done  chan struct{} // closed when res/err are set
	res   *Result
	err   error
}

// NewSession returns an empty session.
func NewSession() *Session {
	s := &Session{Configs: &ConfigCache{}, Kernels: NewKernels(), Index: &Indexes{}, Modules: &ModuleFactsCache{}, results: map[string]*analysis{}}
	s.Kernels.OnReload = func(k *Kernel) {
		s.mu.Lock()
		s.invalidate()
		s.mu.Unlock()
		if s.OnKernelReload != nil {
			s.OnKernelReload(k)
		}
	}
	return s
}

// Shutdown stops the session's background work (kernel loads) and waits
// for it.
func (s *Session) Shutdown() { s.Kernels.Close() }

// Open records an opened document and returns its snapshot.
func (s *Session) Open(key, path, languageID string, version int32, text []byte) *Document {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.results, key)
	return s.docs.Open(key, path, languageID, version, text)
}

// Change applies an editor's change event (edits in order) and returns
// the new snapshot.
func (s *Session) Change(key string, version int32, edits []EditFunc) (*Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.results, key)
	return s.docs.Change(key, version, edits)
}

// Close forgets a document, reporting whether it was open.
func (s *Session) Close(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.results, key)
	return s.docs.Close(key)
}

// Document returns the current snapshot of a document, or nil.
func (s *Session) Document(key string) *Document { return s.docs.Get(key) }

// Documents returns the open documents ordered by key.
func (s *Session) Documents() []*Document { return s.docs.All() }

// Settings returns the current settings.
func (s *Session) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// SetSettings replaces the settings; later analyses use them.
func (s *Session) SetSettings(st Settings) {
	if st.Rules != nil {
		st.Rules = maps.Clone(st.Rules)
	}
	if st.CheckPrivateItems != nil {
		v := *st.CheckPrivateItems
		st.CheckPrivateItems = &v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = st
	s.Kernels.SetSettings(st.Kernel)
	if s.Index != nil {
		s.Index.Retry()
	}
	s.invalidate()
}

// ForgetConfig drops the cached clippy configuration, after a
// configuration file changed.
func (s *Session) ForgetConfig() {
	s.Configs.Forget()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidate()
}

// RustFilesChanged tells the session that .rs files changed on disk: the
// facts read from a tree's files (its macro_rules!, the asserts its PANIC
// comments document) are updated, and the cached results dropped when an
// answer may differ. It reports whether they were.
func (s *Session) RustFilesChanged(paths []string) bool {
	if !s.Configs.RustFilesChanged(paths) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidate()
	return true
}

func (s *Session) invalidate() {
	s.gen++
	clear(s.results)
}

// Analyze runs the rules on a snapshot, or returns the cached result for
// it. Concurrent calls for the same snapshot share one analysis. It
// honours ctx: a cancelled call returns ctx.Err() and caches nothing.
// Documents that are not Rust have no findings.
func (s *Session) Analyze(ctx context.Context, d *Document) (*Result, error) {
	if d == nil {
		return nil, ErrNotOpen
	}
	if d.Kind() == KindOther {
		return &Result{Doc: d}, nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// A result is stale when the index of the document's tree, or of
		// the kernel it builds against, has changed since: its fixes
		// quote callees' contracts.
		snaps := s.indexSnapshots(d)
		s.mu.Lock()
		a := s.results[d.Key]
		if a != nil && a.doc == d && a.gen == s.gen && a.snaps == snaps {
			s.mu.Unlock()
			select {
			case <-a.done:
				if a.err == nil {
					return a.res, nil
				}
				// The analysis failed or its caller gave up; try ourselves.
				s.mu.Lock()
				if s.results[d.Key] == a {
					delete(s.results, d.Key)
				}
				s.mu.Unlock()
				if !isCancel(a.err) {
					return nil, a.err
				}
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		a = &analysis{doc: d, gen: s.gen, snaps: snaps, done: make(chan struct{})}
		// Only the current version is cached: a request on an older
		// snapshot must not evict the analysis of the newer one.
		current := s.docs.Get(d.Key) == d
		if current {
			s.results[d.Key] = a
		}
		settings := s.settings
		s.mu.Unlock()

		s.run(ctx, a, settings)
		if a.err != nil && current {
			s.mu.Lock()
			if s.results[d.Key] == a {
				delete(s.results, d.Key)
			}
			s.mu.Unlock()
		}
		return a.res, a.err
	}
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// run computes a, turning a panic of the rules into an error so that
// waiters are always released.
func (s *Session) run(ctx context.Context, a *analysis, settings Settings) {
	defer close(a.done)
	defer func() {
		if r := recover(); r != nil {
			a.res, a.err = nil, fmt.Errorf("internal error analysing %s: %v\n%s", a.doc.Name(), r, debug.Stack())
		}
	}()
	a.res, a.err = s.compute(ctx, a.doc, a.snaps, settings)
}

func (s *Session) compute(ctx context.Context, d *Document, snaps indexSnaps, settings Settings) (*Result, error) {
	res := &Result{Doc: d}
	switch d.Kind() {
	case KindKconfig:
		res.Kernel, res.KernelErr = s.kernelFor(ctx, d)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		res.Findings = kconfigFindings(d, res.Kernel)
		return res, nil
	case KindDotConfig:
		res.Kernel, res.KernelErr = s.kernelFor(ctx, d)
		if res.Kernel == nil {
			return res, ctx.Err()
		}
		var err error
		res.Findings, err = dotConfigFindings(d, res.Kernel)
		return res, err
	}
	var cfg diagnostics.Config
	if d.Path != "" {
		cfg, res.ConfigErr = s.Configs.DiagnosticsConfig(d.Path, settings.Rules, false)
	} else {
		cfg.Rules = settings.Rules
	}
	if settings.CheckPrivateItems != nil {
		cfg.CheckPrivateItems = *settings.CheckPrivateItems
	}
	// The editor shows the other justification comments' rules as
	// hints, faint, while new code is written; a list of rules in the
	// settings is the whole list ("only these rules"), naming them or not.
	cfg.Conventions = len(settings.Rules) == 0
	if d.Path != "" {
		res.PanicNote = s.Configs.PanicNote(d.Path)
	}
	if d.Path != "" {
		res.Kernel, res.KernelErr = s.kernelFor(ctx, d)
		if res.Kernel != nil {
			cfg.Kernel = res.Kernel.Rules
			cfg.NotBuilt = res.Kernel.NotBuilt(d.Path)
		}
	}
	cfg.Module = s.Modules.ModuleConfig(ctx, d.Path, res.Kernel.srctree(), settings.Kernel)
	cfg.Contracts = s.contractsFor(d, snaps)
	f, err := symbols.Parse(ctx, d.Name(), d.Text)
	if err != nil {
		if errors.Is(err, symbols.ErrTooLarge) {
			res.Skipped = err
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	defer f.Close()
	res.Findings = diagnostics.Analyze(ctx, f, cfg)
	if err := ctx.Err(); err != nil {
		return nil, err // the rules stopped early: the findings are partial
	}
	return res, nil
}

// indexSnaps are the index snapshots an analysis of a Rust document
// quotes callees from: its own tree's and, for a document outside the
// kernel srctree it builds against (an out-of-tree module), the
// srctree's. Either is nil when not indexed.
type indexSnaps struct {
	tree, kernel *index.Snapshot
}

// indexSnapshots are the current index snapshots of a Rust document.
// The kernel is located, not loaded (Kernels.Locate: a few stats), so
// this is cheap enough for every request.
func (s *Session) indexSnapshots(d *Document) indexSnaps {
	if s.Index == nil || d.Path == "" || d.Kind() != KindRust {
		return indexSnaps{}
	}
	snaps := indexSnaps{tree: s.Index.Snapshot(d.Path)}
	if trees, err := s.Kernels.Locate(d.Path); err == nil && trees.Srctree != "" {
		if ks := s.Index.Snapshot(filepath.Join(trees.Srctree, "rust", "kernel", "lib.rs")); ks != snaps.tree {
			snaps.kernel = ks
		}
	}
	return snaps
}

// kernelFor returns the kernel configuration of a document.
func (s *Session) kernelFor(ctx context.Context, d *Document) (*Kernel, error) {
	if d.Path == "" {
		return nil, ErrNoKernel
	}
	return s.Kernels.For(ctx, d.Path)
}

// Hover says what is at byte offset off of a document: for Kconfig and
// .config documents, the symbol there; for Rust, a CONFIG_ name of a cfg
// predicate or an error code. Nil when there is nothing to say.
func (s *Session) Hover(ctx context.Context, d *Document, off int) (*Hover, error) {
	switch d.Kind() {
	case KindKconfig, KindDotConfig:
		k, err := s.kernelFor(ctx, d)
		if k == nil {
			return nil, quiet(err)
		}
		return kconfigHover(d, k, off)
	case KindRust:
		facts := s.Modules.ForPath(ctx, d.Path, s.Settings().Kernel)
		if h := moduleHover(facts, s.Modules.MacroScope(d, facts), d, off); h != nil {
			return h, nil
		}
		// Without a kernel configuration there is still the errno table
		// (the tree's, or the built-in one).
		k, err := s.kernelFor(ctx, d)
		if err := quiet(err); err != nil && ctx.Err() != nil {
			return nil, err
		}
		return s.rustHover(ctx, d, k, off)
	}
	return nil, nil
}

// Definition finds where what is at off is defined.
func (s *Session) Definition(ctx context.Context, d *Document, off int) ([]Location, error) {
	switch d.Kind() {
	case KindKconfig, KindDotConfig:
		k, err := s.kernelFor(ctx, d)
		if k == nil {
			return nil, quiet(err)
		}
		return kconfigDefinition(d, k, off), nil
	case KindRust:
		k, err := s.kernelFor(ctx, d)
		if k == nil {
			return nil, quiet(err)
		}
		return rustDefinition(ctx, d, k, off)
	}
	return nil, nil
}

// Outline returns the outline of a Kconfig document (nil for others), read
// in its tree's dialect (the newest krls knows outside a tree).
func (s *Session) Outline(ctx context.Context, d *Document) []*kconfig.OutlineNode {
	if d.Kind() != KindKconfig {
		return nil
	}
	k, _ := s.kernelFor(ctx, d)
	return kconfig.Outline(kconfig.ParseFileDialect(d.Name(), d.Text, kernelDialect(k)))
}

// quiet drops the errors that only mean "no kernel here": a request about
// such a file has no answer, which is not a failure.
func quiet(err error) error {
	if errors.Is(err, ErrNoKernel) {
		return nil
	}
	return err
}

// CompletionItem is a completion: Insert (or Label, when Insert is
// empty) replaces Start..End.
type CompletionItem struct {
	Label, Detail string
	Start, End    int
	// Kind is one of the Completion* kinds ("" for a CONFIG_ name).
	Kind string
	// Insert is the text to insert; an LSP snippet when Snippet is set.
	Insert  string
	Snippet bool
	// Sort orders the items ("" keeps the label order); Filter is what
	// the editor matches the typed text against ("" for Label).
	Sort, Filter string
	// Doc is markdown documentation.
	Doc string
}

// Complete lists completions at off: module! keys and values inside
// module! and the driver macros, a module! block at item level, and
// CONFIG_ names inside Rust cfg predicates. It reports whether the list
// was cut short (the editor then asks again as the user types).
func (s *Session) Complete(ctx context.Context, d *Document, off int) ([]CompletionItem, bool, error) {
	if d.Kind() != KindRust {
		return nil, false, nil
	}
	facts := s.Modules.ForPath(ctx, d.Path, s.Settings().Kernel)
	if items, ok, err := moduleComplete(ctx, facts, s.Modules.MacroScope(d, facts), d, off, s.Modules.moduleObject(d)); ok || err != nil {
		return items, false, err
	}
	k, err := s.kernelFor(ctx, d)
	if k == nil {
		return nil, false, quiet(err)
	}
	return rustComplete(ctx, d, k, off, s.rustAnalyzerHas(k.Srctree))
}

// rustAnalyzerHas reports whether rust-analyzer has the project of the
// kernel at srctree (Settings.RustAnalyzer).
func (s *Session) rustAnalyzerHas(srctree string) bool {
	if v := s.Settings().RustAnalyzer; v != nil {
		return *v
	}
	return srctree != "" && exists(filepath.Join(srctree, "rust-project.json"))
}
