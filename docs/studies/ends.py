#!/usr/bin/env python3
"""Runs the findings table's figures: each finding at its scenario's values and at both ends of
the plausible range of each parameter that carries it.

    python3 docs/studies/ends.py [--bin target/release/embedsim] [--replications 16] [--only ID]
    python3 docs/studies/ends.py --check      # CI: is ends.csv still the model's?

Reads docs/findings.toml. For every finding it runs the finding's scenario with the settings of
the study that screened it (the study file's `[set]`, e.g. its duration) and the scenario's own
seed, `--replications` replications (16 by default: a regime share of 16/16 then has a 95% Wilson
lower bound of 0.81), and reads the finding's output from summary.csv: the mean over replications
with a 95% half-width (Student's t), or, for `share_<regime>`, the share of replications that end
in that regime with its Wilson interval. Then the same at each carrying parameter's `min` and
`max` as the study file states them (one parameter at a time, the others at the scenario's
values). A finding with `scenario_b` is a difference: both scenarios run on the same seeds and
replications (common random numbers), each with its own study's settings and ranges (a carrier
`A-path / B-path` sets each side's own key), and the figure is the mean of the paired
differences. `measure` (default: the output) is `platform.column` of summary.csv, or
`platform: expression` over its columns. It prints one line per run and writes docs/studies/ends.csv (keeping the rows of findings not
run, so `--only ID` reruns one), from which tests/findings.rs renders the findings tables.

Each finding that is not a transient by design (`transient` in findings.toml) also gets a
`(steady state)` row: the same run with the warm-up moved to the day its slow series have
settled (the latest `settled_day` of the finding's rows in settle.csv, written by settle.py) and
the run lengthened to keep the same number of counted days, so the figure is over the same
length of time once the launch is over. Its `value` is that warm-up in days, or `own` where the
scenario's own warm-up already covers the settling (the figure is then the scenario row's).
Needs Python 3.11 (tomllib) and a release build.
"""

import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Student's t at 97.5% for n - 1 degrees of freedom (n = 2..40), then the normal's.
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042, 2.040, 2.037, 2.035, 2.032, 2.030, 2.028, 2.026, 2.024, 2.023]


def t975(n):
    return T975[n - 2] if 2 <= n <= len(T975) + 1 else 1.96


def wilson(k, n, z=1.96):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace('\\', '\\\\').replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_value(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise ValueError(f"cannot write {v!r} as TOML")


def per_replication(binary, scenario, sets, unsets, measure, replications):
    """The measure in each replication of one run, in replication order. `measure` is
    `platform.column`, or `platform: expression` over summary.csv's columns."""
    platform, sep, expr = measure.partition(":")
    if not sep:
        platform, expr = measure.split(".", 1)
    platform, expr = platform.strip(), expr.strip()
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", scenario, "--quiet", "--series", "none", "--threads", "2",
               "--replications", str(replications), "--out", os.path.join(out, "r")]
        for key, value in sets:
            cmd += ["--set", f"{key}={toml_value(value)}"]
        for key in unsets:
            cmd += ["--unset", key]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "r", "summary.csv"), newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["platform"] == platform]
    if not rows:
        sys.exit(f"{scenario}: no platform {platform} in summary.csv")
    rows.sort(key=lambda r: int(r["replication"]))
    if expr.startswith("share_"):
        return [(int(r["replication"]), 1.0 if r["regime"] == expr[len("share_"):] else 0.0) for r in rows]

    def value(r):
        names = {k: float(v) for k, v in r.items() if k and v not in ("", None) and k != "regime"
                 and k != "platform" and _number(v)}
        return float(eval(expr, {"__builtins__": {}}, names))  # our own file's expressions

    return [(int(r["replication"]), value(r)) for r in rows]


def _number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def summarise(values, regime):
    """(mean, low, high, n): a t interval, or Wilson's for a regime share."""
    n = len(values)
    mean = sum(values) / n
    if regime:
        lo, hi = wilson(round(mean * n), n)
        return mean, lo, hi, n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    h = t975(n) * sd / math.sqrt(n)
    return mean, mean - h, mean + h, n


def study(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        s = tomllib.load(f)
    ranges = {p["path"]: (p["min"], p["max"]) for p in s["parameters"]}
    return list(s.get("set", {}).items()), [], ranges


def counted_days(scenario, sets):
    """(duration, warm-up) of a scenario as its study runs it."""
    with open(os.path.join(ROOT, scenario), "rb") as f:
        sim = tomllib.load(f).get("simulation", {})
    d = dict(sets)
    return d.get("simulation.duration_days", sim["duration_days"]), d.get("simulation.warmup_days",
                                                                          sim.get("warmup_days", 0))


def settled_day(finding_id):
    """The day the finding's slow series have all settled (settle.csv), or None."""
    path = os.path.join(HERE, "settle.csv")
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["finding"] == finding_id]
    unsettled = [f"{r['platform']} {r['series']}" for r in rows if r["settled_day"] == ""]
    if unsettled:
        sys.exit(f"{finding_id}: {', '.join(unsettled)} did not settle in settle.py's runs: no steady state to "
                 "report (mark the finding `transient` or run settle.py longer)")
    days = [int(r["settled_day"]) for r in rows]
    return max(days) if days else None


def steady(sets, scenario, warmup):
    """The study's settings with the warm-up at `warmup` and as many counted days as before."""
    duration, was = counted_days(scenario, sets)
    keep = [(k, v) for k, v in sets if k not in ("simulation.duration_days", "simulation.warmup_days")]
    return keep + [("simulation.warmup_days", warmup), ("simulation.duration_days", warmup + duration - was)]


def is_regime(measure):
    """Whether a measure is a regime share (one place: `platform.share_x` or `platform: share_x`)."""
    _, sep, expr = measure.partition(":")
    expr = expr if sep else measure.split(".", 1)[-1]
    return expr.strip().startswith("share_")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "embedsim"))
    ap.add_argument("--replications", type=int, default=16)
    ap.add_argument("--only", help="one finding's id")
    ap.add_argument("--check", action="store_true",
                    help="rerun each finding at its scenario's values, at its steady state, and at both ends of the carriers it lists "
                         "as deciding it alone (`alone`), with --replications (16, as ends.csv), and fail when a "
                         "figure differs from ends.csv's: the table is stale. The other carriers' ends are not rerun")
    args = ap.parse_args()
    with open(os.path.join(ROOT, "docs", "findings.toml"), "rb") as f:
        table = tomllib.load(f)
    lines = []
    for finding in table["finding"]:
        if args.only and finding["id"] != args.only:
            continue
        measure = finding.get("measure", finding["output"])
        regime = is_regime(measure)
        set_a, unset_a, ranges_a = study(finding["study_file"])
        set_a += list(finding.get("set_a", {}).items())
        paired = "scenario_b" in finding
        if paired:
            set_b, unset_b, ranges_b = study(finding["study_file_b"])
        runs = [("", "", None, None)]
        settle = None if "transient" in finding else settled_day(finding["id"])
        if "transient" not in finding and settle is None:
            sys.exit(f"{finding['id']}: no rows in docs/studies/settle.csv: run python3 docs/studies/settle.py")
        if settle is not None:
            # A scenario whose own warm-up already covers the settling has no other steady state.
            own = max(counted_days(finding["scenario"], set_a)[1],
                      counted_days(finding["scenario_b"], set_b)[1] if paired else 0)
            runs.append(("(steady state)", "", "own" if settle <= own else settle, None))
        checked = finding.get("alone", [])
        for carrier in [c for c in finding["carriers"] if not args.check or c["parameter"] in checked]:
            path_a, _, path_b = carrier["parameter"].partition(" / ")
            path_b = path_b or path_a
            for end, i in (("low", 0), ("high", 1)):
                a = (path_a, ranges_a[path_a][i])
                b = (path_b, ranges_b[path_b][i]) if paired and path_b in ranges_b else None
                runs.append((carrier["parameter"], end, a, b))
        for parameter, end, a, b in runs:
            if parameter == "(steady state)" and a == "own":
                row = [finding["id"], parameter, end, a] + lines[-1][4:]  # the scenario row's figure
                print(",".join(str(x) for x in row), flush=True)
                lines.append(row)
                continue
            if parameter == "(steady state)":
                sets_a, shown = steady(set_a, finding["scenario"], a), str(a)
                sets_b = steady(set_b, finding["scenario_b"], a) if paired else None
            else:
                sets_a, shown = set_a + ([a] if a else []), "" if a is None else str(a[1])
                sets_b = set_b + ([b] if b else []) if paired else None
            values = per_replication(args.bin, finding["scenario"], sets_a, unset_a, measure, args.replications)
            if paired:
                other = per_replication(args.bin, finding["scenario_b"], sets_b, unset_b, measure,
                                        args.replications)
                # Paired on common random numbers: replication i of A against replication i of B.
                if [i for i, _ in values] != [i for i, _ in other]:
                    sys.exit(f"{finding['id']}: the two runs have different replications")
                values = [(i, x - y) for (i, x), (_, y) in zip(values, other)]
                if b is not None and parameter != "(steady state)" and str(b[1]) != shown:
                    shown = f"{shown} / {b[1]}"
            mean, lo, hi, n = summarise([v for _, v in values], regime and not paired)
            row = [finding["id"], parameter or "(scenario)", end, shown, mean, lo, hi, n]
            print(",".join(str(x) for x in row), flush=True)
            lines.append(row)
    path = os.path.join(HERE, "ends.csv")
    if args.check:
        sys.exit(check(path, lines))
    # Rows of findings not run this time are kept (an --only run replaces its finding's rows).
    header = ["finding", "parameter", "end", "value", "mean", "ci95_low", "ci95_high", "replications"]
    kept = []
    if os.path.exists(path):
        with open(path, newline="") as f:
            run = {row[0] for row in lines}
            kept = [r for r in csv.reader(f)][1:]
            kept = [r for r in kept if r[0] not in run and len(r) == len(header)]
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        order = [fd["id"] for fd in table["finding"]]
        new = [row[:4] + [f"{x:.6g}" for x in row[4:7]] + [row[7]] for row in lines]
        rows = sorted(kept + new, key=lambda r: order.index(r[0]) if r[0] in order else len(order))
        for row in rows:
            w.writerow(row)
    print(f"wrote {path}", file=sys.stderr)

def check(path, lines):
    """Compares each figure run here with ends.csv's, as written there (six significant digits).
    The runs are deterministic (the same seeds and replications), so any difference is a change in
    the model or a scenario, never chance. Returns the exit status."""
    with open(path, newline="") as f:
        table = {(r["finding"], r["parameter"], r["end"]): r for r in csv.DictReader(f)}
    stale = []
    for finding, parameter, end, _, mean, lo, hi, n in lines:
        now = [f"{x:.6g}" for x in (mean, lo, hi)] + [str(n)]
        row = table.get((finding, parameter or "(scenario)", end))
        was = None if row is None else [row["mean"], row["ci95_low"], row["ci95_high"], row["replications"]]
        verdict = "ok" if now == was else "stale"
        print(f"{finding} {parameter or '(scenario)'} {end}: now {' '.join(now)}, ends.csv {was}: {verdict}")
        if verdict == "stale":
            stale.append(f"{finding} ({parameter or 'scenario'} {end})".replace(" )", ")"))
    if stale:
        print(f"ends.csv is stale for {', '.join(stale)}: rerun `python3 docs/studies/ends.py --only ID` for each "
              "finding, then `EMBEDSIM_WRITE_FINDINGS=1 cargo test --release --test findings`", file=sys.stderr)
        return 1
    print(f"ends.csv holds: {len(lines)} figures rerun, all as written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    main()
