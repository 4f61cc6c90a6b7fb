#!/usr/bin/env python3
"""Renders a Sobol indices table per output, for the studies' READMEs (rank_indices.py's
counterpart for Morris).

    python3 docs/studies/sobol_table.py INDICES.csv [--names tool|plain]

Reads an indices.csv written by `embedsim sensitivity` (Sobol) or by paired.py `--method sobol`
(the same columns: output, parameter, measure, value, ci95_low, ci95_high, and parameter_2 for
second-order rows) and prints, per output, in Markdown:

- a heading line with the replication-noise share (the mean variance of a point mean due to
  replications, as a share of the variance of the point means) and, with second-order rows, how
  many pair intervals exclude 0 (at 95%, about one in twenty would by chance);
- every parameter's first-order S_i and total S_Ti with their 95% bootstrap intervals, ranked by
  S_Ti;
- the pairs whose second-order interval excludes 0, named by the last two parts of each path.

An output whose indices are all undefined (it does not vary over the A and B samples, whose
variance every estimator divides by) says so.
Output names are set in code type when they are the tool's (`platform.column`); paired.py's
derived outputs (`--names plain`, or any name without a dot) are set in bold only.

Numbers: two decimals, three under 0.005 (so a small index shows its first digit and one under
0.0005 reads 0.000).
"""

import argparse
import csv
import math
from collections import OrderedDict


def num(text):
    return float(text) if text not in ("", "NaN", "nan") else math.nan


def load(path):
    """{output: {"first": {param: (v, lo, hi)}, "total": {...}, "pairs": [(p, q, v, lo, hi)],
    "meta": {measure: value}}}, in file order."""
    outs = OrderedDict()
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            o = outs.setdefault(r["output"], {"first": OrderedDict(), "total": OrderedDict(), "pairs": [],
                                              "meta": {}})
            v, lo, hi = num(r["value"]), num(r["ci95_low"]), num(r["ci95_high"])
            m = r["measure"]
            if not r["parameter"]:
                o["meta"][m] = v
            elif m == "first_order":
                o["first"][r["parameter"]] = (v, lo, hi)
            elif m == "total":
                o["total"][r["parameter"]] = (v, lo, hi)
            elif m == "second_order":
                o["pairs"].append((r["parameter"], r.get("parameter_2", ""), v, lo, hi))
    return outs


def fmt(x):
    if math.isnan(x):
        return "NaN"
    if abs(x) >= 0.005:
        return f"{x:.2f}"
    text = f"{x:.3f}"
    return "0.000" if text == "-0.000" else text


def short(path):
    """The last two parts of a path (of each side of paired.py's "A / B" when the studies' keys differ)."""
    return " / ".join(".".join(side.split(".")[-2:]) for side in path.split(" / "))


def render(outs, plain_names=False):
    lines = []
    for name, o in outs.items():
        meta = o["meta"]
        share = meta.get("replication_noise_share", math.nan)
        label = f"**{name}**" if plain_names or "." not in name else f"**`{name}`**"
        head = f"{label} — replication noise {100 * share:.1f}% of the variance of the point means"
        if math.isnan(share):
            head = f"{label} — replication noise undefined (the point means do not vary)"
        pairs = o["pairs"]
        excluding = [p for p in pairs if not math.isnan(p[3]) and (p[3] > 0 or p[4] < 0)]
        if pairs:
            head += f"; {len(excluding)} of {len(pairs)} pair intervals exclude 0"
        lines += [head, ""]
        rows = [(p, o["first"].get(p, (math.nan,) * 3), t) for p, t in o["total"].items()]
        if all(math.isnan(f[0]) and math.isnan(t[0]) for _, f, t in rows):
            lines += ["Every index is undefined: the output does not vary over the design's A and B samples, "
                      "whose variance every estimator divides by.", ""]
            continue
        rows.sort(key=lambda r: -r[2][0] if not math.isnan(r[2][0]) else math.inf)
        lines += ["| parameter | first order S_i [95% CI] | total S_Ti [95% CI] |", "|---|---|---|"]
        for p, (f, flo, fhi), (t, tlo, thi) in rows:
            lines.append(f"| `{p}` | {fmt(f)} [{fmt(flo)}, {fmt(fhi)}] | {fmt(t)} [{fmt(tlo)}, {fmt(thi)}] |")
        lines.append("")
        if excluding:
            lines += ["Pairs whose interval excludes 0: "
                      + "; ".join(f"`{short(p)}` × `{short(q)}` {fmt(v)} [{fmt(lo)}, {fmt(hi)}]"
                                  for p, q, v, lo, hi in excluding) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("indices", help="indices.csv (embedsim sensitivity, Sobol) or sobol.csv (paired.py)")
    ap.add_argument("--names", choices=["tool", "plain"], default="tool",
                    help="plain: output names in bold only (paired.py's derived outputs)")
    args = ap.parse_args()
    print(render(load(args.indices), args.names == "plain"))
