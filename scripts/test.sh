#!/usr/bin/env bash
# Installs what is missing and runs every check: formatting, lints, generated
# types, Rust tests, UI type check and unit tests, and the real-window tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_build_tools
apt_need xvfb xauth x11-utils xdotool xclip dbus-x11 webkit2gtk-driver \
    poppler-utils minisign python3-gi gir1.2-gtk-3.0 dbus gnome-keyring rpm
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt || true
export PATH="$HOME/.cargo/bin:$PATH"
command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked
npm_install

target="${CARGO_TARGET_DIR:-target}"
log="$target/test-summary.log"
mkdir -p "$target"
: >"$log"

echo "==> UI build (the app embeds ui/dist)"
npm run build --silent
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
echo "==> cargo test (also regenerates the TypeScript bindings)"
cargo test --workspace --all-features --locked 2>&1 | tee -a "$log"
echo "==> generated TypeScript bindings are committed and current"
if ! git diff --exit-code -- ui/src/bindings || [ -n "$(git ls-files --others --exclude-standard ui/src/bindings)" ]; then
    echo "ui/src/bindings is out of date: run cargo test --workspace --all-features and commit it" >&2
    exit 1
fi
echo "==> UI type check"
npm run check --silent
echo "==> UI unit tests"
npx vitest run 2>&1 | tee -a "$log"
echo "==> benches compile"
cargo bench -p signet-core --no-run --locked >/dev/null 2>&1
echo "==> real-window tests"
cargo build -p signet-app -p signet-cli --features signet-app/custom-protocol --locked
bash tests/e2e/run.sh 2>&1 | tee -a "$log"
echo "==> packages: .deb and .rpm built, checked, and the .deb's app started"
bash scripts/bundle.sh --debug
bash tests/bundle/check.sh debug

# One closing line over every runner above.
passed=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
    /test result: ok\./ { n += $4 }
    /^ *Tests +[0-9]+ passed/ { n += $2 }
    /^# pass [0-9]+/ { n += $3 }
    END { print n + 0 }')
echo "${passed} passed, 0 failed"
