#!/usr/bin/env bash
# Runs krls_test.lua in a real headless Neovim against the real server.
#
#   run.sh host [setup]          the machine's Neovim (Debian's 0.7.2)
#   run.sh ROOTFS setup|enable   the Neovim of a Debian chroot (nvim-chroot.sh)
#
# Env: KRLS_BIN (the krls binary), KRLS_FAKE_RA (testdata/fake-rust-analyzer
# built), KRLS_KERNEL_SRC and KRLS_KERNEL_OBJ_X86_64
# (the Linux 6.12 fixture, ../shared/kernel-fixture.sh). The fixture is never
# written: the test edits a copy of rust/kernel/lib.rs in a tree of symlinks
# to it. A chroot sees the fixture, the binary and the test files at their
# own paths through bind mounts in a private mount namespace (unshare -m),
# which vanish with the process: nothing to clean up after a failure.
set -euo pipefail

where=${1:?usage: run.sh host|ROOTFS [setup|enable]}
how=${2:-setup}
here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
: "${KRLS_BIN:?KRLS_BIN not set}"
: "${KRLS_FAKE_RA:?KRLS_FAKE_RA not set}"
: "${KRLS_KERNEL_SRC:?KRLS_KERNEL_SRC not set (eval \"\$(../shared/kernel-fixture.sh)\")}"
: "${KRLS_KERNEL_OBJ_X86_64:?KRLS_KERNEL_OBJ_X86_64 not set}"
src=$(realpath "$KRLS_KERNEL_SRC")
obj=$(realpath "$KRLS_KERNEL_OBJ_X86_64")

work=$(mktemp -d /tmp/krls-nvim.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The kernel tree: symlinks to the fixture, except for the folders down to
# the one file the test edits, which is a copy without one SAFETY comment.
tree=$work/linux
mkdir -p "$tree/rust/kernel"
shadow() { # shadow SRCDIR DSTDIR EXCEPT: link every entry of SRCDIR but EXCEPT
  local e
  for e in "$1"/* "$1"/.[!.]*; do
    [ -e "$e" ] || continue
    [ "$(basename "$e")" = "$3" ] || ln -s "$e" "$2/"
  done
}
shadow "$src" "$tree" rust
shadow "$src/rust" "$tree/rust" kernel
shadow "$src/rust/kernel" "$tree/rust/kernel" lib.rs
line='    // SAFETY: FFI call.'
if [ "$(grep -cxF "$line" "$src/rust/kernel/lib.rs")" != 1 ]; then
  echo "run.sh: want one '$line' in the fixture's rust/kernel/lib.rs" >&2
  exit 2
fi
grep -vxF "$line" "$src/rust/kernel/lib.rs" >"$tree/rust/kernel/lib.rs"

# An out-of-tree module and a Rust file outside any kernel tree.
mkdir -p "$work/mod/src" "$work/plain" "$work/bin" "$work/cache"
printf 'obj-m := hello.o\n' >"$work/mod/Makefile"
printf '// SPDX-License-Identifier: GPL-2.0\nuse kernel::prelude::*;\n' >"$work/mod/src/hello.rs"
printf 'fn main() {}\n' >"$work/plain/main.rs"
cp "$KRLS_BIN" "$work/bin/krls"
cp "$KRLS_FAKE_RA" "$work/bin/rust-analyzer"
cp -r "$plugin" "$work/plugin"
cp "$plugin/../testdata/roots.json" "$work/roots.json"

vars=(
  KRLS_PLUGIN="$work/plugin" KRLS_CMD="$work/bin/krls" KRLS_FAKE_RA="$work/bin/rust-analyzer" KRLS_SETUP="$how"
  KRLS_TREE="$tree" KRLS_OBJ="$obj" KRLS_MODULE="$work/mod" KRLS_PLAIN="$work/plain/main.rs"
  KRLS_ROOT_CASES="$work/roots.json"
  KDIR="$tree" HOME="$work" XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
  XDG_STATE_HOME="$work/state" PATH="$work/bin:/usr/local/bin:/usr/bin:/bin" TERM=dumb LANG=C.UTF-8
)
nvim=(nvim --headless -u NONE -i NONE -n -c "luafile $work/plugin/test/krls_test.lua")

if [ "$where" = host ]; then
  cd "$work"
  env -i "${vars[@]}" timeout 300 "${nvim[@]}"
  exit
fi

rootfs=$(realpath "$where")
[ -x "$rootfs/usr/bin/nvim" ] || { echo "run.sh: no Neovim in $rootfs (make nvim-deps)" >&2; exit 2; }
sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "run.sh: a chroot run needs root: run as root or install sudo" >&2; exit 2; }
  sudo=(sudo)
fi
# The mount points of the fixture stay in the rootfs (the same each run);
# the test folder's goes with it.
trap 'rm -rf "$work"; "${sudo[@]}" rmdir "$rootfs$work" 2>/dev/null || true' EXIT
"${sudo[@]}" unshare -m --propagation private bash -euc '
  root=$1 src=$2 obj=$3 work=$4; shift 4
  for d in "$src" "$obj" "$work"; do mkdir -p "$root$d"; mount --bind "$d" "$root$d"; done
  mount -o remount,bind,ro "$root$src"; mount -o remount,bind,ro "$root$obj"
  mount -t proc proc "$root/proc"
  cd "$root$work"
  exec chroot "$root" sh -c "cd \"\$0\" && exec \"\$@\"" "$work" "$@"
' run "$rootfs" "$src" "$obj" "$work" env -i "${vars[@]}" timeout 300 "${nvim[@]}"
