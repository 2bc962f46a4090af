#!/usr/bin/env bash
# Builds the installable packages: a .deb and an .rpm holding the app, its
# desktop entry and icons, and the `signet` CLI on PATH. Release build by
# default; `--debug` makes the same packages from a debug build (CI checks
# the packaging with it without a second, optimised build).
# The packaging settings live in src-tauri/tauri.bundle.json, merged over
# tauri.conf.json only here, so a plain `cargo build` needs no CLI binary.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_build_tools
export PATH="$HOME/.cargo/bin:$PATH"
npm_install

profile=release
debug=()
if [ "${1:-}" = "--debug" ]; then
    profile=debug
    debug=(--debug)
fi
target="${CARGO_TARGET_DIR:-$PWD/target}"
if [ "$profile" = release ]; then
    cargo build -p signet-cli --release --locked
else
    cargo build -p signet-cli --locked
fi
mkdir -p src-tauri/bundle-bin
cp "$target/$profile/signet" src-tauri/bundle-bin/signet
npx tauri build "${debug[@]}" --config src-tauri/tauri.bundle.json -- --locked
ls -1 "$target/$profile/bundle/deb/"*.deb "$target/$profile/bundle/rpm/"*.rpm
