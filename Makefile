# krls — see README.md.
#
#   make run    build krls and check the example out-of-tree module
#   make test   everything: format, vet, unit, fixture, clippy-differential,
#               real-kernel, LSP end-to-end tests, then the editor packages
#               in the real programs (VS Code in code-server, Neovim
#               0.7/0.10/0.12, pre-commit)
#
# Nothing is assumed but Go, gcc, node/npm and apt-get: the Linux 6.12
# test tree comes from Debian's package via ../shared/kernel-fixture.sh,
# which installs the few build tools it needs.

GO      ?= go
SHARED  ?= $(firstword $(wildcard ../shared /work/shared) ../shared)
BIN     := bin/krls
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all build run test test-go unit kernel-fixture rust-src vet fmt-check fuzz bench clean

all: build

build: $(BIN)

$(BIN): $(shell find . -name '*.go' -not -path './editors/*') go.mod go.sum
	$(GO) build -ldflags '$(LDFLAGS)' -o $@ ./cmd/krls

# `krls check` exits 1 when it finds something, which the example does on
# purpose; only 2 (a usage or internal error) fails `make run`.
run: build
	@echo "== krls check examples/rust_ringbuf"
	@./$(BIN) check examples/rust_ringbuf; status=$$?; \
	  echo "== exit status $$status (1: findings, as expected for this example)"; \
	  test $$status -le 1
	@echo "== the same as JSON, first finding"
	@./$(BIN) check --format json examples/rust_ringbuf | head -12; true

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The real-kernel tests need the Linux 6.12 fixture; KRLS_REQUIRE_KERNEL
# turns their skip into a failure so that `make test` cannot pass without.
# The editor targets (editors/*/*.mk) install what they need first.
test: test-go test-nvim test-precommit test-vscode

test-go: fmt-check vet rust-src
	@eval "$$($(SHARED)/kernel-fixture.sh)" && \
	  RUST_SRC_PATH=$(RUST_SRC) KRLS_REQUIRE_KERNEL=1 $(GO) test -count=1 ./...

# Rust's library sources: undocumented-panic reads core's and alloc's
# `# Panics` sections from them (a kernel developer has the toolchain's
# rust-src, which the kernel build requires). The tests read Debian's,
# installed if missing, beside krls's built-in list.
RUST_SRC := /usr/lib/rustlib/src/rust/library
rust-src:
	@test -d $(RUST_SRC)/core/src || { apt-get update -qq && apt-get install -y -qq rust-src; } >/dev/null

kernel-fixture:
	@$(SHARED)/kernel-fixture.sh

# A minute of each fuzz target.
fuzz:
	$(GO) test ./diagnostics -run XXX -fuzz FuzzAnalyze -fuzztime 60s
	$(GO) test ./symbols -run XXX -fuzz FuzzCfg -fuzztime 60s
	$(GO) test ./symbols -run XXX -fuzz FuzzErrnoHeader -fuzztime 60s
	$(GO) test ./symbols -run XXX -fuzz FuzzItems -fuzztime 60s
	$(GO) test ./symbols/index -run XXX -fuzz FuzzDecodeEntry -fuzztime 60s
	$(GO) test ./symbols -run XXX -fuzz FuzzModule -fuzztime 60s
	$(GO) test ./symbols -run XXX -fuzz FuzzTokens -fuzztime 60s
	$(GO) test ./symbols -run XXX -fuzz FuzzMacroInvocations -fuzztime 60s
	$(GO) test ./symbols/lints -run XXX -fuzz FuzzParseMakefiles -fuzztime 60s
	$(GO) test ./symbols/rustproject -run XXX -fuzz FuzzParseGenerator -fuzztime 60s
	$(GO) test ./symbols/rustproject -run XXX -fuzz FuzzParseMakefileArgs -fuzztime 60s
	$(GO) test ./workspace -run XXX -fuzz FuzzDecodeWalkCache -fuzztime 60s
	$(GO) test ./workspace -run XXX -fuzz FuzzClippyConf -fuzztime 60s
	$(GO) test ./symbols/panics -run XXX -fuzz FuzzScanFile -fuzztime 60s
	$(GO) test ./lsp -run XXX -fuzz FuzzReadMessage -fuzztime 60s
	$(GO) test ./kconfig -run XXX -fuzz FuzzParseFile -fuzztime 60s
	$(GO) test ./kconfig -run XXX -fuzz FuzzLoad -fuzztime 60s
	$(GO) test ./kconfig -run XXX -fuzz FuzzParseDotConfig -fuzztime 60s

bench: build
	@eval "$$($(SHARED)/kernel-fixture.sh)" && \
	  $(GO) test ./diagnostics ./symbols -run XXX -bench Kernel -count 5 && \
	  $(GO) test ./symbols/index -run XXX -bench Index -count 5 && \
	  $(GO) test ./workspace -run XXX -bench WalkIndex -count 5

clean:
	rm -rf bin
include editors/nvim/nvim.mk
include editors/vscode/vscode.mk
include scripts/clippy-truth.mk
