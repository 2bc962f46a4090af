#!/usr/bin/env bash
# Whole-process `signet import` of a generated checklist (a box on every list
# item) into a fresh database, side by side in one hyperfine run with the
# physical limit (one bare pulldown-cmark pass plus one prepared bulk insert:
# ../shared/tools/import-limit). Issue 12 §4: signet at most 1.5x the limit.
#
#   scripts/bench-import.sh [N...]      (default: 10000 100000)
#
# Needs ../shared/tools (skips with a message without it) and hyperfine
# (`cargo install hyperfine --locked`). Not run by CI: the figures depend on
# the machine and its disk. Builds into $CARGO_TARGET_DIR (default target/).
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${SIGNET_SHARED_TOOLS:-../shared/tools}"
if [ ! -f "$tools/gen_checklist.py" ] || [ ! -d "$tools/import-limit" ]; then
    echo "bench-import: $tools (gen_checklist.py, import-limit/) not found; skipping" >&2
    exit 0
fi
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench-import: hyperfine not found (cargo install hyperfine --locked); skipping" >&2
    exit 0
fi
target="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --locked -p signet-cli
CARGO_TARGET_DIR="$target" cargo build --release --manifest-path "$tools/import-limit/Cargo.toml"
signet="$target/release/signet"
limit="$target/release/import-limit"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
for size in "${sizes[@]}"; do
    python3 "$tools/gen_checklist.py" "$size" "$work/gen.md"
    # A box on every list item, as the limit counts checklist items.
    python3 -c "import re,sys; open(sys.argv[2],'w').write(re.sub(r'(?m)^(\s*(?:[-*+]|\d+[.)]) )(?!\[[ xX]\] )', r'\1[ ] ', open(sys.argv[1]).read()))" \
        "$work/gen.md" "$work/boxed$size.md"
    runs=$((size >= 100000 ? 10 : 30))
    echo "==> $size items"
    hyperfine -N --warmup 2 --runs "$runs" \
        --prepare "rm -f $work/s.db $work/s.db-wal $work/s.db-shm $work/s.db-journal $work/l.db $work/l.db-journal" \
        --export-json "$work/hyperfine-$size.json" \
        -n signet "$signet --db $work/s.db --config-dir $work/config --actor bench import $work/boxed$size.md" \
        -n limit "$limit $work/boxed$size.md $work/l.db"
    python3 - "$work/hyperfine-$size.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
s, l = r["signet"], r["limit"]
cpu = lambda x: x["user"] + x["system"]
print(f"    wall: signet {s['mean']*1e3:.1f} ± {s['stddev']*1e3:.1f} ms, limit {l['mean']*1e3:.1f} ± {l['stddev']*1e3:.1f} ms: {s['mean']/l['mean']:.2f}x")
print(f"    cpu:  signet {cpu(s)*1e3:.1f} ms, limit {cpu(l)*1e3:.1f} ms: {cpu(s)/cpu(l):.2f}x")
EOF
done
