#!/usr/bin/env bash
# End-to-end test of the krls extension in a real VS Code: code-server (the
# VS Code 1.100 workbench), the built .vsix, a freshly built krls, and a
# writable copy of the Linux 6.12 fixture, driven through Debian's chromium
# by playwright-core (e2e.js). Screenshots go to $ARTIFACTS.
#
# Needs: KRLS_BIN (the krls binary), VSIX, CS_DIR (code-server installed by
# ../shared/clients/install-code-server.sh), KRLS_KERNEL_SRC and
# KRLS_KERNEL_OBJ_X86_64 (../shared/kernel-fixture.sh), /usr/bin/chromium,
# and this folder's node_modules (npm ci). KEEP=1 keeps the work dir.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
die() { echo "test-vscode-e2e: $*" >&2; exit 2; }

: "${KRLS_BIN:?KRLS_BIN: the krls binary to test}"
: "${VSIX:?VSIX: the packaged extension}"
: "${CS_DIR:?CS_DIR: where code-server is installed}"
: "${ARTIFACTS:=$HERE/../../../../artifacts/vscode-e2e}"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
[ -x "$KRLS_BIN" ] || die "no krls binary at $KRLS_BIN"
[ -f "$VSIX" ] || die "no .vsix at $VSIX (make vscode-package)"
[ -f "$CS_ENTRY" ] || die "no code-server at $CS_ENTRY (make vscode-deps)"
[ -x /usr/bin/chromium ] || die "no /usr/bin/chromium (make vscode-deps)"
[ -d "$HERE/node_modules/playwright-core" ] || die "no playwright-core in $HERE/node_modules (make vscode-deps)"
[ -n "${KRLS_KERNEL_SRC:-}" ] && [ -f "$KRLS_KERNEL_SRC/rust/kernel/error.rs" ] || die "no kernel fixture (eval \"\$(../shared/kernel-fixture.sh)\")"
[ -f "${KRLS_KERNEL_OBJ_X86_64:-}/.config" ] || die "no x86_64 objtree with a .config"

W="$(mktemp -d "${TMPDIR:-/tmp}/krls-vscode-e2e.XXXXXX")"
mkdir -p "$W/data/User" "$W/exts" "$W/xdg" "$W/cache" "$W/tmp" "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png "$ARTIFACTS"/*.log

# The workspace: the fixture's top-level entries as symlinks (the fixture
# is never written), rust/ as a real copy, which the test edits.
T="$W/linux"
mkdir -p "$T"
for e in "$KRLS_KERNEL_SRC"/* "$KRLS_KERNEL_SRC"/.[!.]*; do
  [ -e "$e" ] || continue
  b="$(basename "$e")"
  case "$b" in
    rust) cp -r "$e" "$T/rust" ;;
    .git) ;;
    *) ln -s "$e" "$T/$b" ;;
  esac
done
chmod -R u+w "$T/rust"
# Remove the SAFETY comment above the unsafe block of Error::to_ptr: the
# block is then undocumented, the one finding of the file.
node -e '
  const fs = require("fs"), p = process.argv[1];
  const lines = fs.readFileSync(p, "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes("unsafe { bindings::ERR_PTR(self.0.get() as _) as *mut _ }"));
  if (i < 1 || !lines[i - 1].trim().startsWith("// SAFETY:")) { console.error("error.rs: the unsafe block of to_ptr was not found"); process.exit(1); }
  lines.splice(i - 1, 1);
  fs.writeFileSync(p, lines.join("\n"));
  fs.writeFileSync(process.argv[2], JSON.stringify({ line: i, column: lines[i - 1].indexOf("unsafe") + 1 }));
' "$T/rust/kernel/error.rs" "$W/unsafe-pos.json"

# A second folder: an ordinary Cargo project with an undocumented unsafe
# block, which krls must leave alone (it serves the kernel tree only).
mkdir -p "$W/plain/src"
printf '[package]\nname = "plain"\nversion = "0.1.0"\nedition = "2021"\n' > "$W/plain/Cargo.toml"
printf 'fn main() {\n    unsafe { core::hint::unreachable_unchecked() }\n}\n' > "$W/plain/src/main.rs"
printf '{ "folders": [ { "path": "%s" }, { "path": "%s" } ] }\n' "$T" "$W/plain" > "$W/two.code-workspace"

export TMPDIR="$W/tmp"  # code-server drops its sockets there
export XDG_CONFIG_HOME="$W/xdg" XDG_DATA_HOME="$W/xdg" XDG_CACHE_HOME="$W/cache" # krls's index too
PORT="${PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$W/config.yaml"
cat > "$W/data/User/settings.json" <<JSON
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "search.followSymlinks": false,
  "git.enabled": false,
  "editor.lightbulb.enabled": "on",
  "workbench.reduceMotion": "on",
  "editor.hover.delay": 100000,
  "krls.server.path": "$KRLS_BIN",
  "krls.objtree": "$KRLS_KERNEL_OBJ_X86_64",
  "krls.trace.server": "messages"
}
JSON
CSARGS=(--config "$W/config.yaml" --user-data-dir "$W/data" --extensions-dir "$W/exts")
t0=$(date +%s)
node "$CS_ENTRY" "${CSARGS[@]}" --install-extension "$VSIX" > "$W/install.log" 2>&1 || { cat "$W/install.log"; die "installing $VSIX failed (work dir kept: $W)"; }
node "$CS_ENTRY" "${CSARGS[@]}" --list-extensions --show-versions | grep -q '^krls-dev.krls@' || die "the extension is not listed after install (work dir kept: $W)"
echo "== extension installed ($(( $(date +%s) - t0 ))s)"

# code-server in a process group of its own, so that its extension host
# and the krls it started end with it before the work dir is removed.
setsid node "$CS_ENTRY" "${CSARGS[@]}" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override > "$W/code-server.log" 2>&1 &
CSPID=$!
cleanup() {
  kill -TERM -- "-$CSPID" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 -- "-$CSPID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$CSPID" 2>/dev/null || true
  wait "$CSPID" 2>/dev/null || true
}
trap cleanup EXIT
up=
for _ in $(seq 1 150); do
  if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$CSPID" 2>/dev/null || break
  sleep 0.2
done
[ -n "$up" ] || { tail -30 "$W/code-server.log"; die "code-server did not come up on port $PORT within 30 s (work dir kept: $W)"; }
echo "== code-server up on port $PORT"

rc=0
node "$HERE/e2e.js" "http://127.0.0.1:$PORT/?workspace=$W/two.code-workspace" "$T" "$W/unsafe-pos.json" "$ARTIFACTS" "$W/plain/src/main.rs" || rc=$?
cleanup
trap - EXIT
# The extension host's and krls's logs beside the screenshots.
find "$W/data/logs" -name '*krls*' -type f -exec sh -c 'for f; do cp "$f" "$0/$(basename "$f")"; done' "$ARTIFACTS" {} + 2>/dev/null || true
cp "$W/code-server.log" "$ARTIFACTS/code-server.log" 2>/dev/null || true
if [ $rc -ne 0 ]; then
  echo "--- code-server.log (tail)"; tail -20 "$W/code-server.log"
  echo "FAIL: work dir kept: $W; screenshots and logs in $ARTIFACTS"
  exit $rc
fi
if [ -n "${KEEP:-}" ]; then echo "work dir kept: $W"; else rm -rf "$W"; fi
echo "PASS: screenshots in $ARTIFACTS"
