#!/usr/bin/env bash
# Measures the server's memory through an editing session in a real
# headless Neovim (session.lua): files of a kernel tree opened in turn, with
# hovers, completions, document and workspace symbols, and edits, over
# several rounds. Prints the server's VmHWM (peak RSS) after each file.
#
#   session.sh SRCTREE OBJTREE [ROUNDS]
#
# Env: KRLS_BIN (the krls binary). The tree is only read; the index goes
# to a fresh cache folder, so the first round indexes the tree cold.
set -euo pipefail
src=$(realpath "${1:?usage: session.sh SRCTREE OBJTREE [ROUNDS]}")
obj=$(realpath "${2:?usage: session.sh SRCTREE OBJTREE [ROUNDS]}")
rounds=${3:-3}
: "${KRLS_BIN:?KRLS_BIN not set}"
here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
work=$(mktemp -d /tmp/krls-session.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/cache"
cp "$KRLS_BIN" "$work/bin/krls"
# The files: the kernel crate's biggest, a driver, a sample with module!,
# and a Kconfig file.
files=""
for f in rust/kernel/lib.rs rust/kernel/device.rs rust/kernel/sync/arc.rs rust/kernel/alloc/kvec.rs \
  rust/kernel/error.rs rust/kernel/pci.rs samples/rust/rust_minimal.rs samples/rust/rust_print_main.rs \
  drivers/net/phy/ax88796b_rust.rs rust/kernel/init.rs; do
  [ -f "$src/$f" ] && files="$files $f"
done
cd "$work"
env -i KRLS_PLUGIN="$plugin" KRLS_CMD="$work/bin/krls" KRLS_TREE="$src" KRLS_OBJ="$obj" KRLS_FILES="$files" \
  KRLS_ROUNDS="$rounds" HOME="$work" XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config" \
  XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" PATH="$work/bin:/usr/local/bin:/usr/bin:/bin" \
  KRLS_HEAP_PROFILE="${KRLS_HEAP_PROFILE:-}" TERM=dumb LANG=C.UTF-8 timeout 600 nvim --headless -u NONE -i NONE -n -c "luafile $here/session.lua"
