package lsp

import (
	"errors"

	"github.com/krls-dev/krls/workspace"
)

// The krls/status notification tells an editor which kernel configuration
// the server works with, for a status bar: the arch, CONFIG_RUST, the
// trees, or that a kernel tree has no .config. It is sent only to clients
// that ask for it with the experimental client capability
// {"krlsStatus": true} (as rust-analyzer's serverStatusNotification), when
// the status of a tree changes: a document of a tree is analysed for the
// first time, or after a reload of its configuration changed what the
// status says.

// statusParams are the params of krls/status.
type statusParams struct {
	// State is "ok" (configured), "noConfig" (a kernel tree without
	// .config), "noKernel" (the document belongs to no kernel tree krls
	// can find) or "error" (the configuration did not load).
	State string `json:"state"`
	// Arch is the kernel's ARCH (from the .config, else $ARCH or the
	// host's).
	Arch string `json:"arch,omitempty"`
	// Rust is CONFIG_RUST's value ("y" or "n"); empty without a .config.
	Rust    string `json:"rust,omitempty"`
	Srctree string `json:"srctree,omitempty"`
	Objtree string `json:"objtree,omitempty"`
	// Message says what is wrong, for states other than "ok".
	Message string `json:"message,omitempty"`
}

// statusOf is the status a document's analysis shows; ok is false when
// there is nothing to say (the analysis was cancelled).
func statusOf(res *workspace.Result) (st statusParams, ok bool) {
	switch k := res.Kernel; {
	case k != nil && k.NoConfig != nil:
		return statusParams{State: "noConfig", Arch: k.Arch, Srctree: k.Srctree, Objtree: k.Objtree, Message: k.NoConfig.Error()}, true
	case k != nil:
		rust := "n"
		if sym := k.Symbol("RUST"); sym != nil && k.Eval != nil {
			rust = k.Eval.TriValue(sym).String()
		}
		return statusParams{State: "ok", Arch: k.Arch, Rust: rust, Srctree: k.Srctree, Objtree: k.Objtree}, true
	case res.KernelErr == nil || errors.Is(res.KernelErr, workspace.ErrNoKernel):
		msg := "no kernel tree"
		if res.KernelErr != nil {
			msg = res.KernelErr.Error()
		}
		return statusParams{State: "noKernel", Message: msg}, true
	case isQuiet(res.KernelErr):
		return statusParams{}, false
	default:
		return statusParams{State: "error", Message: res.KernelErr.Error()}, true
	}
}

// reportStatus sends krls/status for the tree of an analysed document if
// the client asked for it and the tree's status changed since the last
// one sent.
func (s *server) reportStatus(res *workspace.Result) {
	st, ok := statusOf(res)
	if !ok {
		return
	}
	s.mu.Lock()
	send := s.caps.status && s.statusSent[st.Srctree] != st
	if send {
		s.statusSent[st.Srctree] = st
	}
	s.mu.Unlock()
	if send {
		s.notify("krls/status", st)
	}
}
