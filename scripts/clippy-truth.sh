#!/usr/bin/env bash
# clippy-truth.sh: regenerate diagnostics/testdata/clippy-truth/ — what real
# clippy (the kernel's toolchain, the kernel's own flags) reports on mutants
# of the Linux 7.2 fixture, which workspace/clippy_truth_test.go replays
# through krls. Not part of `make test`: it needs root, a Debian sid chroot
# (~1.5 GB) and half an hour of building.
#
#   scripts/clippy-truth.sh              (or `make clippy-truth`)
#
# Settings (environment):
#   SEED=1           which sites are mutated (the same seed, the same fixture
#                    and the same clippy give the same mutants)
#   MINUTES=30       how long to keep building rounds
#   CHROOT=/root/tc  the toolchain chroot (made if missing)
#   SCRATCH=/tmp/clippy-truth   the writable source copy, the object tree,
#                    the build logs (kept for a next run: its rounds are
#                    incremental rebuilds)
#
# What it does:
#   1. ../shared/clients/kernel-toolchain-chroot.sh make $CHROOT
#   2. a writable copy of the fixture's 7.2 source: hard links for
#      everything, real copies of the .rs files (the only files mutated, and
#      always replaced, never written through, so the fixture is untouched)
#   3. an object tree with the fixture's x86_64-rust .config, CONFIG_WERROR
#      off (with it on, -Dwarnings stops a crate's dependents at the first
#      clippy warning), olddefconfig'd by the chroot's compilers
#   4. scripts/clippy_truth.py: the pristine build, then rounds of mutants,
#      written to diagnostics/testdata/clippy-truth/linux-7.2-x86_64.json.gz
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
[[ -d $SHARED ]] || SHARED=/work/shared
TOOLCHAIN=$SHARED/clients/kernel-toolchain-chroot.sh
CHROOT=${CHROOT:-/root/tc}
SCRATCH=${SCRATCH:-/tmp/clippy-truth}
SEED=${SEED:-1}
MINUTES=${MINUTES:-30}
OUT=$ROOT/diagnostics/testdata/clippy-truth/linux-7.2-x86_64.json.gz

say() { echo "clippy-truth: $*" >&2; }

eval "$("$SHARED/kernel-fixture.sh")"
SRC=${KRLS_KERNEL_SRC_7_2:?the Linux 7.2 fixture is missing}
FIXOBJ=${KRLS_KERNEL_OBJ_7_2_X86_64:?the Linux 7.2 x86_64-rust object tree is missing}
FIXTURE=$(cat "$FIXOBJ/.krls-fixture")
say "fixture $FIXTURE ($SRC)"

"$TOOLCHAIN" make "$CHROOT"

mkdir -p "$SCRATCH"
WORK=$SCRATCH/src OBJ=$SCRATCH/obj
if [[ ! -f $SCRATCH/.fixture || $(cat "$SCRATCH/.fixture") != "$FIXTURE" ]]; then
  say "copying the source to $WORK"
  rm -rf "$WORK" "$OBJ" "$SCRATCH/.fixture"
  cp -al "$SRC" "$WORK.tmp"
  (cd "$WORK.tmp" && find . -name '*.rs' -print0 | while IFS= read -r -d '' f; do
     cp --remove-destination "$SRC/$f" "$f"; done)
  mv "$WORK.tmp" "$WORK"
  mkdir -p "$OBJ"
  install -m 644 "$FIXOBJ/.config" "$OBJ/.config"
  "$WORK/scripts/config" --file "$OBJ/.config" -d WERROR
  BIND="$SCRATCH" "$TOOLCHAIN" run "$CHROOT" \
    "make -C $WORK O=$OBJ LLVM=1 ARCH=x86_64 olddefconfig >/dev/null"
  echo "$FIXTURE" > "$SCRATCH/.fixture"
fi
# Every .rs file of the copy must be a file of its own.
if [[ -n $(find "$WORK" -name '*.rs' -links +1 | head -n1) ]]; then
  say "$WORK has .rs files hard-linked to the fixture; remove $SCRATCH and run again"; exit 1
fi

mkdir -p "$(dirname "$OUT")"
python3 "$ROOT/scripts/clippy_truth.py" \
  --pristine "$SRC" --work "$WORK" --obj "$OBJ" \
  --chroot "$CHROOT" --chroot-script "$TOOLCHAIN" --bind "$SCRATCH" \
  --fixture "$FIXTURE" --seed "$SEED" --minutes "$MINUTES" \
  --out "$OUT" --logs "$SCRATCH/logs"
say "wrote $OUT"
