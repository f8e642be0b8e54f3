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
# The whole workspace with every target, as `cargo test --workspace` builds it: the same features
# for every dependency, so after the tests (scripts/test) this builds only the desktop binary
# instead of recompiling dependencies with the narrower features of `-p stint-desktop -p stint-cli`.
cargo build --workspace --all-targets --locked
target_dir="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
export STINT_DESKTOP_BIN="$target_dir/debug/stint-desktop"
export STINT_CLI_BIN="$target_dir/debug/stint"
export STINT_SERVER_BIN="$target_dir/debug/stint-server"
export STINT_E2E_SHOTS="${STINT_E2E_SHOTS:-$repo/target-e2e-shots}"

# tauri-driver (sets STINT_TAURI_DRIVER) and the Python venv (sets venv).
source scripts/e2e-tools

echo "== pytest (screenshots in $STINT_E2E_SHOTS)"
scripts/with-xvfb "$venv/bin/python" -m pytest -v -p no:cacheprovider tests/e2e "$@"
