#!/usr/bin/env bash
# ra_e2e.sh: the real rust-analyzer 1.97 beside krls in real Neovim 0.12 (the
# kernel toolchain chroot) on a built Linux 7.2 object tree (make ra-e2e; not
# part of make test: it needs root, the ~1.5 GB chroot and ~5 minutes of
# building the first time).
#
# 1. builds the Rust of the 7.2 fixture's x86_64-rust configuration in
#    $SCRATCH/obj with the chroot's toolchain (prepare, rust/, samples/rust/),
#    so that the proc-macro libraries rust-analyzer needs exist, and runs
#    `make rust-analyzer` for the kernel's own rust-project.json;
# 2. ra_e2e.lua with rust-analyzer linked to that file: hovers on KVec in
#    samples/rust/rust_minimal.rs and on Arc in rust/kernel/sync/arc.rs;
# 3. ra_e2e.lua with rust-analyzer asking krls (workspace.discoverConfig from
#    require('krls').rust_analyzer_config()): the same hovers, word for word;
#    then CONFIG_SAMPLE_RUST_PRINT goes off in the .config: rust-analyzer
#    asks krls again by itself, and krls reports rust_print_main.rs not built.
#
# Env: CHROOT (default /root/tc), SCRATCH (default /tmp/krls-ra; the object
# tree is kept for the next run).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
[[ -d $SHARED ]] || SHARED=/work/shared
TOOLCHAIN=$SHARED/clients/kernel-toolchain-chroot.sh
CHROOT=${CHROOT:-/root/tc}
SCRATCH=${SCRATCH:-/tmp/krls-ra}
say() { echo "ra-e2e: $*" >&2; }

eval "$("$SHARED/kernel-fixture.sh")"
SRC=${KRLS_KERNEL_SRC_7_2:?the Linux 7.2 fixture is missing}
FIXOBJ=${KRLS_KERNEL_OBJ_7_2_X86_64:?the Linux 7.2 x86_64-rust object tree is missing}
"$TOOLCHAIN" make "$CHROOT"
export BIND="${KRLS_TESTDATA:-$HOME/.cache/krls-testdata} $SCRATCH $ROOT"
inchroot() { "$TOOLCHAIN" run "$CHROOT" "$@"; }

OBJ=$SCRATCH/obj
mkdir -p "$OBJ" "$SCRATCH/bin"
if [[ ! -f $OBJ/rust/libmacros.so ]]; then
  say "building the Rust of 7.2 in $OBJ (log: $SCRATCH/build.log)"
  install -m 644 "$FIXOBJ/.config" "$OBJ/.config"
  inchroot "cd $SRC && make O=$OBJ LLVM=1 ARCH=x86_64 olddefconfig && make O=$OBJ LLVM=1 ARCH=x86_64 -j$(nproc) prepare && make O=$OBJ LLVM=1 ARCH=x86_64 -j$(nproc) rust/ samples/rust/" >"$SCRATCH/build.log" 2>&1
fi
cp "$OBJ/.config" "$SCRATCH/config.built"
trap 'cp "$SCRATCH/config.built" "$OBJ/.config"' EXIT
inchroot "cd $SRC && make O=$OBJ LLVM=1 ARCH=x86_64 rust-analyzer" >>"$SCRATCH/build.log" 2>&1

(cd "$ROOT" && go build -o "$SCRATCH/bin/krls" ./cmd/krls)
cat >"$SCRATCH/bin/krls-logged" <<WRAP
#!/bin/sh
echo "\$*" >>$SCRATCH/calls
exec $SCRATCH/bin/krls "\$@"
WRAP
chmod +x "$SCRATCH/bin/krls-logged"
rm -f "$SCRATCH/calls"

run() { # MODE OUT
  inchroot "cd $SCRATCH && KRLS_MODE=$1 KRLS_OUT=$2 KRLS_PLUGIN=$ROOT/editors/nvim KRLS_CMD=$SCRATCH/bin/krls-logged \
    KRLS_CALLS=$SCRATCH/calls KRLS_SRC=$SRC KRLS_OBJ=$OBJ KRLS_RP=$OBJ/rust-project.json HOME=$SCRATCH/home \
    XDG_CACHE_HOME=$SCRATCH/cache timeout 900 nvim --headless -u NONE -i NONE -n -c 'luafile $ROOT/editors/nvim/test/ra_e2e.lua'"
}
say "rust-analyzer with the kernel's rust-project.json"
run linked "$SCRATCH/linked.json"
say "rust-analyzer asking krls (discoverConfig)"
run discover "$SCRATCH/discover.json"
if ! cmp -s "$SCRATCH/linked.json" "$SCRATCH/discover.json"; then
  say "FAIL: the hovers differ:"
  diff <(tr ',' '\n' <"$SCRATCH/linked.json") <(tr ',' '\n' <"$SCRATCH/discover.json") >&2 || true
  exit 1
fi
say "ok: the same hovers with krls's project as with the kernel's own"
