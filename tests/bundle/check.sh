#!/usr/bin/env bash
# Checks the packages scripts/bundle.sh made, as an installer would see
# them: the .deb's files (app, CLI on PATH, desktop entry, icon) and its
# dependencies, the .rpm's file list, then the .deb unpacked into a
# throwaway root, its CLI run and its app started under Xvfb until it has
# opened a database and shown its window.
set -euo pipefail
cd "$(dirname "$0")/../.."
profile="${1:-debug}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
deb=$(ls -1 "$target/$profile/bundle/deb/"*.deb | head -1)
rpm=$(ls -1 "$target/$profile/bundle/rpm/"*.rpm | head -1)
fail() { echo "bundle check: $*" >&2; exit 1; }

echo "==> $deb"
contents=$(dpkg-deb -c "$deb")
for f in usr/bin/signet-app usr/bin/signet usr/share/applications/Signet.desktop \
         usr/share/icons/hicolor/128x128/apps/signet-app.png; do
    grep -Eq " (\./)?$f\$" <<<"$contents" || fail "the .deb has no $f"$'\n'"$contents"
done
depends=$(dpkg-deb -f "$deb" Depends)
grep -q "libwebkit2gtk-4.1-0" <<<"$depends" || fail "the .deb does not depend on WebKitGTK: $depends"
# Both binaries link the system's libdbus (signing keys in the Secret Service).
grep -q "libdbus-1-3" <<<"$depends" || fail "the .deb does not depend on libdbus: $depends"
echo "    files and dependencies ok ($depends)"

echo "==> $rpm"
if command -v rpm >/dev/null 2>&1; then
    files=$(rpm -qlp "$rpm" 2>/dev/null)
    for f in /usr/bin/signet-app /usr/bin/signet /usr/share/applications/Signet.desktop; do
        grep -qx "$f" <<<"$files" || fail "the .rpm has no $f"$'\n'"$files"
    done
    echo "    files ok"
fi

root=$(mktemp -d)
home=$(mktemp -d)
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$root" "$home"' EXIT
dpkg-deb -x "$deb" "$root"
grep -q "^Exec=signet-app" "$root/usr/share/applications/Signet.desktop" \
    || fail "the desktop entry does not start signet-app: $(cat "$root/usr/share/applications/Signet.desktop")"
"$root/usr/bin/signet" --version | grep -q "^signet " || fail "the packaged CLI does not run"
"$root/usr/bin/signet" --db "$home/cli.db" import checklists/*.md >/dev/null || fail "the packaged CLI cannot import the starter checklists"

display=":${SIGNET_BUNDLE_DISPLAY:-96}"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
HOME="$home" DISPLAY="$display" NO_AT_BRIDGE=1 SIGNET_DB="$home/app.db" SIGNET_LOG_DIR="$home/logs" \
    dbus-run-session -- "$root/usr/bin/signet-app" >"$home/app.out" 2>&1 &
app=$!
for _ in $(seq 300); do
    if grep -qs "database open" "$home"/logs/signet.*.log \
        && DISPLAY="$display" xdotool search --name '^Signet$' >/dev/null 2>&1; then
        echo "    the installed app started: window shown, database opened, log written"
        exit 0
    fi
    kill -0 $app 2>/dev/null || fail "the installed app exited: $(cat "$home/app.out")"
    sleep 0.2
done
fail "the installed app showed no window within 60 s: $(cat "$home/app.out")"
