#!/usr/bin/env python3
"""Ranks the parameters of a Morris indices table per output, for the studies' READMEs.

    python3 docs/studies/rank_indices.py INDICES.csv [--top N]

Reads an indices.csv written by `embedsim sensitivity` (Morris) or by paired.py (the same
columns: output, parameter, measure, value, ci95_low, ci95_high) and prints, per output, in
Markdown:

- the parameters whose mu* is **clearly above the replication noise** (the lower end of mu*'s 95%
  interval above the noise floor) and at least 5% of the output's largest mu*, ranked by mu*;
- those clearly above the noise but under 5% of the largest (small but real);
- the rest, **negligible** at this resolution: mu*'s interval reaches down to the noise floor.
  When no parameter clears the floor (regime shares over 2 replications), the five largest mu*
  are shown for orientation.

The noise floor is the mu* that replication noise alone would give a parameter that only
reshuffles the random paths: an elementary effect is a difference of two point means over
Δ = 2/3 of the range, so its noise has standard deviation sqrt(2 v) / Δ, with v the variance of a
point mean due to replications (the table's `replication_noise_variance`), and the mean of its
absolute value is sqrt(2/π) times that. The floor is conservative: on common random numbers the
two points of a step share their random numbers, so a small change moves the output less than
two independent replications would (a parameter with no effect at all gets mu* = 0 exactly).
"""

import csv
import math
import sys
from collections import OrderedDict


def load(path):
    outs = OrderedDict()
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            o = outs.setdefault(r["output"], {"params": OrderedDict(), "meta": {}})
            val = float(r["value"]) if r["value"] not in ("", "NaN") else math.nan
            if r["parameter"]:
                p = o["params"].setdefault(r["parameter"], {})
                p[r["measure"]] = val
                if r["measure"] == "mu_star":
                    p["low"] = float(r["ci95_low"]) if r["ci95_low"] not in ("", "NaN") else math.nan
                    p["high"] = float(r["ci95_high"]) if r["ci95_high"] not in ("", "NaN") else math.nan
            else:
                o["meta"][r["measure"]] = val
    return outs


def fmt(x):
    if math.isnan(x):
        return "NaN"
    a = abs(x)
    if a == 0:
        return "0"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 0.01:
        return f"{x:.3f}"
    return f"{x:.2g}"


def floor_of(meta):
    v = meta.get("replication_noise_variance", math.nan)
    if math.isnan(v):
        return 0.0
    return math.sqrt(2 / math.pi) * math.sqrt(2 * v) / (2 / 3)


def rank(outs, top=None):
    lines = []
    for name, o in outs.items():
        meta, params = o["meta"], o["params"]
        floor = floor_of(meta)
        share = meta.get("replication_noise_share", math.nan)
        biggest = max((p["mu_star"] for p in params.values() if not math.isnan(p["mu_star"])), default=0.0)
        clear = sorted(
            ((k, p) for k, p in params.items() if not math.isnan(p["low"]) and p["low"] > floor and p["mu_star"] > 0),
            key=lambda kp: -kp[1]["mu_star"],
        )
        ranked = [(k, p) for k, p in clear if p["mu_star"] >= 0.05 * biggest]
        small = [(k, p) for k, p in clear if p["mu_star"] < 0.05 * biggest]
        names = {k for k, _ in clear}
        negligible = [k for k in params if k not in names]
        und = meta.get("undefined_points")
        lines.append(f"**{name}** — replication noise {100 * share:.1f}% of the variance of point means; "
                     f"noise floor of mu* {fmt(floor)}" + (f"; {int(und)} points undefined, set to the mean" if und else ""))
        lines.append("")
        if ranked:
            lines.append("| rank | parameter | mu* [95% CI] | mu | sigma |")
            lines.append("|---|---|---|---|---|")
            for i, (k, p) in enumerate(ranked[:top] if top else ranked, 1):
                lines.append(f"| {i} | `{k}` | {fmt(p['mu_star'])} [{fmt(p['low'])}, {fmt(p['high'])}] | "
                             f"{fmt(p['mu'])} | {fmt(p['sigma'])} |")
        else:
            largest = sorted(params.items(), key=lambda kp: -kp[1]["mu_star"])[:5]
            lines.append("No parameter is clearly above the noise. The largest mu* (within the noise): "
                         + ", ".join(f"`{k}` {fmt(p['mu_star'])} (sigma {fmt(p['sigma'])})" for k, p in largest) + ".")
        if small:
            lines.append("")
            lines.append("Above the noise but under 5% of the largest mu*: "
                         + ", ".join(f"`{k}` {fmt(p['mu_star'])}" for k, p in small) + ".")
        lines.append("")
        lines.append("Not clearly above the noise (negligible at this resolution): "
                     + (", ".join(f"`{k}`" for k in negligible) if negligible else "none") + ".")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    top = None
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    print(rank(load(args[0]), top))
