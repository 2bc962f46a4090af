# Shared by scripts/run.sh and scripts/test.sh: install what is missing.
# Debian/Ubuntu only; uses sudo when not root.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
# apt_need PKG... installs the packages that are not installed yet.
apt_need() {
    local missing=()
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing: ${missing[*]}"
        if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

need_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "==> installing the Rust toolchain with rustup"
        apt_need curl ca-certificates
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
        . "$HOME/.cargo/env"
    fi
}

# Node 20.19+ for Vite; Debian's nodejs is used when none is installed.
need_node() {
    if ! command -v node >/dev/null 2>&1; then
        apt_need nodejs npm
    fi
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    if [ "$major" -lt 20 ]; then
        echo "Node.js 20.19 or newer is needed (found $(node --version)); install it from your distribution's backports or nodejs.org." >&2
        exit 1
    fi
}

# The system libraries Tauri builds against (WebKitGTK 4.1 and friends).
need_tauri_libs() {
    apt_need build-essential pkg-config libwebkit2gtk-4.1-dev libgtk-3-dev \
        libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
}

need_build_tools() {
    need_tauri_libs
    # Signing keys in the Secret Service go through the system's libdbus.
    apt_need libdbus-1-dev
    # Team sync drives the git command (it honours the user's remotes and
    # credentials); the sync tests make bare repositories with it.
    apt_need git
    need_rust
    need_node
}

npm_install() {
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "==> npm ci"
        npm ci --no-audit --no-fund
    fi
}
