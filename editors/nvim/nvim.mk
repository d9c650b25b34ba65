# The Neovim plugin's and the pre-commit hook's tests in the real programs.
# Included by the top-level Makefile (which defines GO, SHARED and BIN).
#
#   make nvim-deps       Debian's neovim (0.7.2), mmdebstrap and pre-commit;
#                        Debian chroots with Neovim 0.10 (trixie) and 0.12 (sid)
#   make test-nvim       the plugin in headless Neovim 0.7, 0.10 and 0.12
#   make test-precommit  .pre-commit-hooks.yaml through `pre-commit try-repo`
#
# The chroots are built once into $(NVIM_CACHE) and reused; everything here
# is quick when already installed.

NVIM_CACHE ?= $(or $(KRLS_TESTDATA),$(HOME)/.cache/krls-testdata)
# Root installs directly; others through sudo, when there is one.
NVIM_SUDO  := $(if $(filter 0,$(shell id -u)),,$(if $(shell command -v sudo),sudo,NO_SUDO))
NVIM_NEED_ROOT = if [ "$(NVIM_SUDO)" = NO_SUDO ]; then echo "nvim-deps: $(1) needs root: run make as root or install sudo" >&2; exit 1; fi
FAKE_RA    := bin/fake-rust-analyzer

.PHONY: nvim-deps nvim-apt nvim-chroots test-nvim test-precommit

nvim-deps: nvim-apt nvim-chroots

nvim-apt:
	@command -v nvim >/dev/null && command -v mmdebstrap >/dev/null && command -v pre-commit >/dev/null || { \
	  $(call NVIM_NEED_ROOT,apt-get install neovim mmdebstrap pre-commit); \
	  echo "== apt-get install neovim mmdebstrap pre-commit"; \
	  $(NVIM_SUDO) apt-get update -qq && \
	  $(NVIM_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim mmdebstrap pre-commit >/dev/null; }

# Built in a temporary folder and renamed, so that an interrupted build is
# never taken for a finished one.
nvim-chroots: nvim-apt
	@for s in trixie sid; do \
	  d=$(NVIM_CACHE)/nvim-$$s; \
	  [ -x $$d/usr/bin/nvim ] && continue; \
	  $(call NVIM_NEED_ROOT,building the Debian $$s chroot); \
	  echo "== Debian $$s chroot with Neovim in $$d"; \
	  mkdir -p $(NVIM_CACHE) && $(NVIM_SUDO) rm -rf $$d.tmp && \
	  $(NVIM_SUDO) $(SHARED)/clients/nvim-chroot.sh $$s $$d.tmp >$$d.log 2>&1 && \
	  $(NVIM_SUDO) mv $$d.tmp $$d || { tail -20 $$d.log; exit 1; }; \
	done

$(FAKE_RA): editors/nvim/test/testdata/fake-rust-analyzer/main.go
	$(GO) build -o $@ ./editors/nvim/test/testdata/fake-rust-analyzer

test-nvim: build $(FAKE_RA) nvim-deps
	@eval "$$($(SHARED)/kernel-fixture.sh)" && \
	  export KRLS_BIN=$(CURDIR)/$(BIN) KRLS_FAKE_RA=$(CURDIR)/$(FAKE_RA) && \
	  for run in "host setup" "$(NVIM_CACHE)/nvim-trixie setup" \
	             "$(NVIM_CACHE)/nvim-sid setup" "$(NVIM_CACHE)/nvim-sid enable"; do \
	    echo "== test-nvim: $$run"; \
	    editors/nvim/test/run.sh $$run || exit 1; \
	  done

test-precommit: nvim-apt
	@editors/nvim/test/precommit.sh $(CURDIR)

# `make ra-e2e`: the real rust-analyzer 1.97 beside krls in real Neovim 0.12
# (the kernel toolchain chroot: root, ~1.5 GB, ~5 minutes of building the
# first time), on a built Linux 7.2: rust-analyzer with krls's project
# (discoverConfig) hovers as with the kernel's own rust-project.json, and
# reloads by itself when the .config changes. Not part of `make test`.
.PHONY: ra-e2e
ra-e2e:
	editors/nvim/test/ra_e2e.sh
