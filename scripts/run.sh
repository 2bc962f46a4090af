#!/usr/bin/env bash
# Installs what is missing, builds Signet (desktop app and CLI) and starts the
# app. On first start it seeds your library with the starter checklists; the
# app and the `signet` CLI share one database (~/.local/share/signet/signet.db).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_build_tools
npm_install

npm run build --silent
cargo build --release --locked -p signet-app -p signet-cli --features signet-app/custom-protocol
bin="${CARGO_TARGET_DIR:-target}/release"
echo "==> built $bin/signet-app and $bin/signet (the CLI: try $bin/signet --help)"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display found: run $bin/signet-app from a desktop session." >&2
    exit 1
fi
exec "$bin/signet-app"
