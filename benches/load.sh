#!/usr/bin/env bash
# The load table of docs/PERFORMANCE.md: one simulated year of scenarios/beijing-12345.toml (343
# streets and townships) at 1/16, 1/4 and all of its 2023 contacts, the world unchanged; prints
# the share of the load, orders that arrived, seconds, CPU seconds, microseconds of CPU per
# order and peak memory (GNU time). Build first: cargo build --release. BIN= another build,
# SERIES= the daily series (weekly by default; none keeps no daily records).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${BIN:-target/release/embedsim}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%6s %10s %9s %9s %12s %9s\n' load orders seconds cpu_s us_per_order peak_MB
for f in ${LOADS:-16 4 1}; do
    rate=$(python3 -c "print(58630.0/$f)")
    /usr/bin/time -f '%e %U %M' -o "$out/time" "$bin" run scenarios/beijing-12345.toml --quiet \
        --series "${SERIES:-weekly}" --threads 1 --out "$out/run-$f" \
        --set "platforms.hotline.arrival_rate_per_day=$rate" >/dev/null
    read -r secs cpu kb < "$out/time"
    orders=$(python3 -c "
import csv
print(sum(int(r['arrived']) for r in csv.DictReader(open('$out/run-$f/summary.csv'))))")
    printf '%6s %10s %9s %9s %12.2f %9s\n' "1/$f" "$orders" "$secs" "$cpu" \
        "$(python3 -c "print($cpu * 1e6 / $orders)")" "$((kb / 1024))"
done
