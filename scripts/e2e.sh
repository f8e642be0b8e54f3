#!/usr/bin/env bash
# End-to-end test of the desktop window: builds the UI, `stint-desktop` and `stint`, starts Xvfb and
# runs tests/e2e with pytest + selenium through tauri-driver (crates.io; installed here when missing),
# which drives Debian's WebKitWebDriver. Exits non-zero on any failure.
#
#   scripts/e2e.sh [pytest args…]
#
# Env: CARGO_TARGET_DIR (honoured), STINT_E2E_SHOTS (default: target-e2e-shots/ in the repo),
#      STINT_E2E_VENV (default: $HOME/.cache/stint-venv).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

for tool in npm cargo python3 Xvfb WebKitWebDriver import xdotool; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing" >&2; exit 1; }
done

echo "== UI"
(
  cd ui
  [ -d node_modules ] || npm install
  npm run build
)

echo "== Rust"
cargo build -p stint-desktop -p stint-cli
target_dir="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
export STINT_DESKTOP_BIN="$target_dir/debug/stint-desktop"
export STINT_CLI_BIN="$target_dir/debug/stint"
export STINT_E2E_SHOTS="${STINT_E2E_SHOTS:-$repo/target-e2e-shots}"

echo "== tauri-driver"
tauri_driver_version=2.1.0
if ! tauri-driver --help >/dev/null 2>&1; then
  # Its own target dir, so that it never shares locks or artifacts with the workspace build.
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/stint-target}/tauri-driver" \
    cargo install tauri-driver --version "$tauri_driver_version" --locked --quiet
fi
export STINT_TAURI_DRIVER="$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")"

echo "== Python"
venv="${STINT_E2E_VENV:-$HOME/.cache/stint-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import pytest, selenium' 2>/dev/null \
  || "$venv/bin/pip" install --quiet pytest selenium

echo "== Xvfb"
display=90
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do
  display=$((display + 1))
done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
trap 'kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  [ -e "/tmp/.X11-unix/X$display" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || { echo "e2e: Xvfb :$display died" >&2; exit 1; }
  sleep 0.1
done
[ -e "/tmp/.X11-unix/X$display" ] || { echo "e2e: Xvfb :$display did not start" >&2; exit 1; }
export DISPLAY=":$display"

echo "== pytest (DISPLAY=$DISPLAY, screenshots in $STINT_E2E_SHOTS)"
run=("$venv/bin/python" -m pytest -v -p no:cacheprovider tests/e2e "$@")
if command -v dbus-run-session >/dev/null; then
  dbus-run-session -- "${run[@]}"
else
  "${run[@]}"
fi
