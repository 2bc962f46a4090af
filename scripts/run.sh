#!/usr/bin/env bash
# Installs what is missing, builds Signet and runs the quickstart: the starter
# checklists imported into your database (default ~/.local/share/signet/) and a
# "demo" release you can tick right away.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_build_tools

cargo build --release -p signet-cli
signet=target/release/signet
if [ -n "${CARGO_TARGET_DIR:-}" ]; then signet="$CARGO_TARGET_DIR/release/signet"; fi

"$signet" import checklists/*.md
if ! "$signet" show demo >/dev/null 2>&1; then
    "$signet" release new demo --due "$(date -d '+14 days' +%F)"
    "$signet" run add demo release-signoff
fi
"$signet" show demo
cat <<EOT

Signet is ready. Try:
  $signet tick demo 1.1 done --owner you --evidence https://example.com/notes
  $signet show demo --status open
  $signet gate demo
  $signet export demo --format md
EOT
