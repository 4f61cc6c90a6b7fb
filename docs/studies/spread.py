#!/usr/bin/env python3
"""How far each output of a study moves over its whole design, for the studies' READMEs.

    python3 docs/studies/spread.py STUDY.toml RUNS_DIR

Reads the study file (its `outputs`) and the study's runs.csv in RUNS_DIR, and prints the
Markdown table "output | 5% | median | 95% of the runs" over every run of every point (at most
three significant figures, Python's `.3g`: 0.61, 0; whole numbers from 1,000 up; quantiles by linear interpolation between order statistics). A regime share
(`platform.share_embedded` and the like) is given as the share of runs whose final regime is that
one. Python 3.11, standard library only.
"""

import argparse
import csv
import tomllib

from paired import open_runs, quantile_sorted


def figure(x):
    """Three significant figures, whole numbers from 1,000 up (1161, not 1.16e+03)."""
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def rows(runs_dir):
    _, f = open_runs(runs_dir)
    with f:
        return list(csv.DictReader(f))


def table(outputs, runs):
    lines = ["| output | 5% | median | 95% of the runs |", "|---|---|---|---|"]
    for output in outputs:
        platform, _, column = output.partition(".")
        mine = [r for r in runs if r["platform"] == platform]
        if column.startswith("share_"):
            regime = column[len("share_"):]
            n = sum(r["regime"] == regime for r in mine)
            lines.append(f"| `{output}` | {regime} in {round(100 * n / len(mine))}% of the {len(mine)} runs | | |")
            continue
        xs = sorted(float(r[column]) for r in mine if r[column] not in ("", "NaN", "nan"))
        if not xs:
            lines.append(f"| `{output}` | undefined in every run | | |")
            continue
        lines.append(f"| `{output}` | " + " | ".join(figure(quantile_sorted(xs, q)) for q in (0.05, 0.5, 0.95)) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("study", help="the study file (for its outputs)")
    ap.add_argument("runs", help="the folder `embedsim sensitivity` wrote (its runs.csv)")
    args = ap.parse_args()
    with open(args.study, "rb") as f:
        outputs = tomllib.load(f)["outputs"]
    print(table(outputs, rows(args.runs)))
