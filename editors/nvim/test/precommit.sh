#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with Debian's pre-commit: `pre-commit try-repo`
# builds the hook from REPO (HEAD plus its uncommitted changes) with the
# machine's Go and runs it in a scratch git repository:
#   - a file whose new unsafe block has no SAFETY comment fails the hook,
#     and a clean one passes;
#   - an old finding on a line the change does not touch does not block,
#     while the same file with the finding on a changed line does;
#   - before the first commit, every line counts;
#   - `git commit` itself runs the hook (pre-commit install), staged
#     content counts, not the unstaged change;
#   - args: [] (no --diff) reports the old finding too.
# usage: precommit.sh REPO
set -euo pipefail
repo=$(realpath "${1:?usage: precommit.sh REPO}")
work=$(mktemp -d /tmp/krls-precommit.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME=${PRE_COMMIT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/krls-testdata/pre-commit}
# try-repo builds the hook in a new store each time (pre-commit's own
# GOPATH); with the machine's module and build caches that takes seconds,
# not the minute and a half of downloading and compiling tree-sitter again.
export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)} GOCACHE=${GOCACHE:-$(go env GOCACHE)}
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$work/gitconfig
git config --global user.name 'krls test'
git config --global user.email krls@example.com
git config --global init.defaultBranch main
git config --global commit.gpgsign false

fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# expect STATUS WHAT CMD...: run CMD, want exit status STATUS (0 or 1).
expect() {
  local want=$1 what=$2 out status
  shift 2
  set +e
  out=$("$@" 2>&1)
  status=$?
  set -e
  # pre-commit also exits 1 on its own errors: want the hook's verdict too.
  local verdict=Passed
  [ "$want" = 0 ] || verdict=Failed
  if [ "$status" = "$want" ] && printf '%s\n' "$out" | grep -q "^krls check\.*$verdict"; then
    pass "$what"
  else
    fail "$what (exit $status, want $want)"
    echo "$out" | sed 's/^/     | /'
  fi
  last=$out
}

bad='pub fn first(p: *const u8) -> u8 {
    unsafe { *p }
}
'
good='pub fn first(p: *const u8) -> u8 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *p }
}
'
cd "$work"
git init -q t && cd t
printf '%s' "$good" >clean.rs
printf '%s' "$bad" >bad.rs
try() { pre-commit try-repo "$repo" krls-check "$@"; }

# Before the first commit: every line of a staged file counts.
git add clean.rs bad.rs
start=$(date +%s)
expect 1 'try-repo blocks an undocumented unsafe block (first commit, hook built)' try --files bad.rs clean.rs
echo "     (first try-repo, with the build: $(($(date +%s) - start)) s)"
case $last in *'bad.rs:2:5: warning: unsafe block missing a safety comment [undocumented-unsafe]'*) pass 'it names bad.rs:2:5' ;; *) fail "it names bad.rs:2:5: $last" ;; esac
expect 0 'try-repo passes a clean file' try --files clean.rs
git commit -qm 'old code, with a finding' --no-verify

# An old finding on a line the change does not touch does not block ...
printf '\npub fn two() -> u8 {\n    2\n}\n' >>bad.rs
git add bad.rs
expect 0 'an old finding on an unchanged line does not block' try --files bad.rs
# ... a new one does.
printf '\npub fn second(p: *const u8) -> u8 {\n    unsafe { *p.add(1) }\n}\n' >>bad.rs
git add bad.rs
expect 1 'a new undocumented unsafe block in the same file blocks' try --files bad.rs
case $last in *'bad.rs:2:5'*) fail "the old finding is not reported" ;; *'bad.rs:10:5'*) pass 'only the new block (bad.rs:10:5) is reported' ;; *) fail "bad.rs:10:5 reported: $last" ;; esac
# Deleting a SAFETY comment flags the block below it.
git checkout -q bad.rs && git reset -q
sed -i '/SAFETY/d' clean.rs && git add clean.rs
expect 1 'deleting a SAFETY comment blocks' try --files clean.rs
git checkout -q HEAD clean.rs

# The hook in `git commit`: a config pointing at the repository, installed.
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $(git -C "$repo" rev-parse HEAD)
    hooks:
      - id: krls-check
YAML
git add .pre-commit-config.yaml && git commit -qm config --no-verify
if [ -z "$(git -C "$repo" status --porcelain -- .pre-commit-hooks.yaml)" ] && git -C "$repo" cat-file -e HEAD:.pre-commit-hooks.yaml 2>/dev/null; then
  pre-commit install >/dev/null
  printf '\npub fn third(p: *const u8) -> u8 {\n    unsafe { *p.add(2) }\n}\n' >>clean.rs
  git add clean.rs
  expect 1 'git commit: the hook blocks a staged undocumented unsafe block' git commit -qm 'bad'
  git reset -q && git checkout -q clean.rs
  printf '\npub fn four() -> u8 {\n    4\n}\n' >>clean.rs
  git add clean.rs
  printf '\npub fn third(p: *const u8) -> u8 {\n    unsafe { *p.add(2) }\n}\n' >>clean.rs # unstaged
  expect 0 'git commit: an unstaged unsafe block does not block a clean staged change' git commit -qm 'good'
  git checkout -q clean.rs
else
  echo "skip git commit with the installed hook: .pre-commit-hooks.yaml is not committed in $repo"
fi

# args: [] turns --diff off: the old finding of bad.rs is reported.
cat >"$work/no-diff.yaml" <<YAML
repos:
  - repo: $repo
    rev: $(git -C "$repo" rev-parse HEAD)
    hooks:
      - id: krls-check
        args: []
YAML
if [ -n "$(git -C "$repo" status --porcelain -- .pre-commit-hooks.yaml)" ]; then
  echo "skip args: [] (needs .pre-commit-hooks.yaml committed in $repo)"
else
  expect 1 'args: [] checks whole files (the old finding blocks)' pre-commit run -c "$work/no-diff.yaml" --files bad.rs
fi

echo
[ "$fails" = 0 ] && echo "test-precommit: all passed" || { echo "test-precommit: $fails failed"; exit 1; }
