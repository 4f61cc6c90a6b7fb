#!/usr/bin/env bash
# The many-townships table of docs/PERFORMANCE.md: benches/villages.toml with N townships (each
# with its leaders, platforms, departments and two villages), 120 days, no daily series; prints
# N, seconds and peak memory (GNU time). Build first: cargo build --release.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${BIN:-target/release/embedsim}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%10s %10s %12s\n' townships seconds peak_MB
for n in ${N:-10 100 1000}; do
    /usr/bin/time -f '%e %M' -o "$out/time" "$bin" run benches/villages.toml --quiet --series none \
        --replications 1 --out "$out/run-$n" --set "townships.s.copies=$n" \
        --set simulation.duration_days=120 >/dev/null
    read -r secs kb < "$out/time"
    printf '%10s %10s %12s\n' "$n" "$secs" "$((kb / 1024))"
done
