#!/usr/bin/env bash
# Runs the real-window tests: a private X display, a D-Bus session (WebKit
# stalls without one), tauri-driver, then node's test runner.
set -euo pipefail
cd "$(dirname "$0")/../.."
display=":${SIGNET_E2E_DISPLAY:-97}"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
export DISPLAY="$display" NO_AT_BRIDGE=1
export PATH="$HOME/.cargo/bin:$PATH"
# A hung app must fail the run, not stall CI until its deadline.
timeout 900 dbus-run-session -- node --test --test-concurrency=1 tests/e2e/
