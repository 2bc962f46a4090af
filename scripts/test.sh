#!/usr/bin/env bash
# Installs what is missing and runs every check: formatting, lints, all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_build_tools
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt || true

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> cargo test"
cargo test --workspace --locked
echo "==> benches compile"
cargo bench --workspace --no-run --locked >/dev/null
