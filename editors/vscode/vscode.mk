# The VS Code extension: build, package, unit tests and the end-to-end test
# in a real VS Code (code-server + Debian's chromium + playwright-core).
# Included by the top-level Makefile (which defines GO and SHARED).
#
#   make vscode-deps       apt packages, code-server, npm packages (only what is missing)
#   make vscode-package    editors/vscode/krls-<version>.vsix
#   make test-vscode-unit  type check + unit tests (node's test runner)
#   make test-vscode-e2e   the .vsix in code-server on the Linux 6.12 fixture;
#                          screenshots in artifacts/vscode-e2e/
#   make test-vscode       both

VSCODE_DIR       := editors/vscode
VSCODE_E2E_DIR   := $(VSCODE_DIR)/test/e2e
VSCODE_VERSION    = $(shell node -p "require('./$(VSCODE_DIR)/package.json').version")
VSCODE_VSIX       = $(VSCODE_DIR)/krls-$(VSCODE_VERSION).vsix
KRLS_TESTDATA    ?= $(HOME)/.cache/krls-testdata
CODE_SERVER_DIR  ?= $(KRLS_TESTDATA)/code-server
CODE_SERVER_ENTRY = $(CODE_SERVER_DIR)/node_modules/code-server/out/node/entry.js
VSCODE_E2E_BIN   := bin/vscode-e2e/krls
VSCODE_ARTIFACTS ?= $(CURDIR)/artifacts/vscode-e2e
# What code-server's install needs beyond Go, gcc, node/npm and apt: node-gyp
# rebuilds its native modules (g++, make, python3, Kerberos headers), search
# uses Debian's ripgrep, and the test drives Debian's chromium.
VSCODE_APT       := chromium ripgrep libkrb5-dev pkg-config g++ make python3
# Root installs directly; others through sudo, when there is one.
SUDO             := $(if $(filter 0,$(shell id -u)),,$(if $(shell command -v sudo),sudo,NO_SUDO))
# node-gyp builds code-server's native modules against Debian's node
# headers instead of downloading them.
NODEDIR_ENV      := $(if $(wildcard /usr/include/node/node.h),npm_config_nodedir=/usr)

.PHONY: vscode-deps vscode-apt vscode-code-server vscode-npm vscode-package \
        test-vscode test-vscode-unit test-vscode-e2e

vscode-deps: vscode-apt vscode-code-server vscode-npm

vscode-apt:
	@missing=; for p in $(VSCODE_APT); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$(SUDO)" = NO_SUDO ]; then \
	    echo "vscode-deps: missing Debian packages:$$missing; run make as root or install sudo (or apt-get install them yourself)" >&2; exit 1; \
	  fi; \
	  echo "== apt-get install$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

vscode-code-server: vscode-apt
	@if [ ! -f $(CODE_SERVER_ENTRY) ]; then \
	  echo "== installing code-server into $(CODE_SERVER_DIR) (about a minute)"; \
	  $(NODEDIR_ENV) $(SHARED)/clients/install-code-server.sh $(CODE_SERVER_DIR) > $(KRLS_TESTDATA)/code-server-install.log 2>&1 \
	    || { tail -30 $(KRLS_TESTDATA)/code-server-install.log; rm -rf $(CODE_SERVER_DIR); exit 1; }; \
	fi

vscode-npm: $(VSCODE_DIR)/node_modules/.package-lock.json $(VSCODE_E2E_DIR)/node_modules/.package-lock.json

# npm writes node_modules/.package-lock.json: newer than the lockfile means
# installed.
$(VSCODE_DIR)/node_modules/.package-lock.json: $(VSCODE_DIR)/package-lock.json $(VSCODE_DIR)/package.json
	cd $(VSCODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VSCODE_E2E_DIR)/node_modules/.package-lock.json: $(VSCODE_E2E_DIR)/package-lock.json $(VSCODE_E2E_DIR)/package.json
	cd $(VSCODE_E2E_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

vscode-package: $(VSCODE_DIR)/node_modules/.package-lock.json
	cd $(VSCODE_DIR) && npm run --silent package

test-vscode-unit: $(VSCODE_DIR)/node_modules/.package-lock.json
	cd $(VSCODE_DIR) && npm test --silent

test-vscode-e2e: vscode-deps vscode-package
	$(GO) build -o $(VSCODE_E2E_BIN) ./cmd/krls
	@eval "$$($(SHARED)/kernel-fixture.sh)" && \
	  KRLS_BIN=$(CURDIR)/$(VSCODE_E2E_BIN) VSIX=$(CURDIR)/$(VSCODE_VSIX) CS_DIR=$(CODE_SERVER_DIR) \
	  ARTIFACTS=$(VSCODE_ARTIFACTS) $(VSCODE_E2E_DIR)/run.sh

test-vscode: test-vscode-unit test-vscode-e2e
