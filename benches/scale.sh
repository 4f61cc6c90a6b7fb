#!/usr/bin/env bash
# The scaling table of docs/PERFORMANCE.md: one simulated year at a fixed total load (3,000
# orders a day) shared by N streets; prints N, seconds and peak memory (GNU time). Build first:
# cargo build --release. BIN= another build, EXTRA_N= more sizes (e.g. "1000 3430"), SERIES= the
# daily series (weekly by default; none leaves the simulation and the report), THREADS= --threads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${BIN:-target/release/embedsim}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%8s %10s %12s\n' streets seconds peak_MB
for n in 1 10 100 343 ${EXTRA_N:-}; do
    rate=$(python3 -c "print(3000.0/$n)")
    staff=$(python3 -c "import math; print(max(1, math.ceil(600/$n)))")
    /usr/bin/time -f '%e %M' -o "$out/time" "$bin" run benches/scale.toml --quiet --series "${SERIES:-weekly}" \
        ${THREADS:+--threads "$THREADS"} \
        --out "$out/run-$n" --set "townships.s.copies=$n" \
        --set "templates.street.platforms.line.arrival_rate_per_day=$rate" \
        --set "templates.street.departments.office_a.staff=$staff" \
        --set "templates.street.departments.office_b.staff=$staff" >/dev/null
    read -r secs kb < "$out/time"
    printf '%8s %10s %12s\n' "$n" "$secs" "$((kb / 1024))"
done
