#!/usr/bin/env python3
"""Morris elementary effects or Sobol indices of a derived output, or of the difference between two
paired studies.

`embedsim sensitivity` analyses one study's outputs, each a column of summary.csv (or a regime
share). Three of the seed cases' findings are differences between two scenarios (J town's
unresolved gap between the fragmented ladder and the command centre, Wuzhen's recovery with and
without pooling, Beijing's rise under the ranking) or ratios of columns (the ranking table's own
resolution, resolved over every order that ended). This script computes them from the studies'
`runs.csv`, with nothing but the Python standard library (3.8 or newer):

    python3 docs/studies/paired.py --a RUNS_DIR_A [--b RUNS_DIR_B] --k K \\
        [--method sobol --samples N [--second-order]] \\
        --platform hotline --output rise_resolution='resolved/(closed+settled_offline+dropped)' \\
        [--output ...] [--csv OUT.csv]

With `--b`, every output is A − B at the same point: the two studies must be ONE design (the same
seed, trajectories, levels and number of parameters k, slot by slot in the same order — as the
paired files in scenarios/sensitivity/ are), so that point i of A and point i of B are the same
point of the unit cube, and replication r of both runs on the same random numbers. An output is a
column of summary.csv or an arithmetic expression of columns (+ - * / and parentheses).

What it does, step by step, as `embedsim sensitivity` does for one study (src/analysis/morris.rs,
src/analysis/sensitivity.rs):

1. per run, the output's value (NaN where a column is empty or a denominator is 0); with `--b`,
   the paired difference A − B of the same point and replication;
2. per point, the mean over the replications where it is defined; a point where none is defined
   is set to the mean of the defined points (the count is reported);
3. the points, in order, form trajectories of k + 1 points; each step moves one parameter by
   Δ = 2/3 of its range (4 levels) up or down: the parameter is the column of A's runs.csv that
   changed, the direction its sign. A whole-number parameter may round to the same value on a
   step (then the output does not move either, on common random numbers, and the elementary
   effect is 0): such a step is given to the parameter of the trajectory left without one;
4. elementary effect = change of the output / (±Δ), in output units per whole range; μ* = mean
   |EE|, μ = mean EE, σ = standard deviation of EE; a 95% percentile bootstrap interval of μ*
   over the elementary effects (`--bootstrap`, default 500, seeded);
5. the replication noise: the mean over points of the variance of the (paired) output across
   replications divided by the number of replications, as a share of the variance of the point
   means.

With `--method sobol` (default `morris`), steps 3-4 are instead Saltelli's: the points are the
design's A, B and AB_i blocks of N = `--samples` rows each (and BA_i with `--second-order`), in
the tool's order, and the indices are the tool's estimators (src/analysis/sobol.rs): first order
Σ (f(B) − f̄)(f(AB_i) − f(A)) / (N V), total Σ (f(A) − f(AB_i))² / (2 N V) (Jansen), second order
Σ ((f(BA_i) − f̄)(f(AB_l) − f̄) − (f(A) − f̄)(f(B) − f̄)) / (N V) − S_i − S_l, with f̄ and V
(n − 1) over A and B, and a 95% percentile bootstrap over the N rows.

Checked against `embedsim sensitivity`: for a plain column of one study, μ*, μ and σ, and S_i,
S_Ti and S_il, equal the tool's indices.csv to rounding (docs/studies/README.md); the bootstrap
intervals use another random stream, so they differ slightly.
"""

import argparse
import ast
import csv
import gzip
import math
import os
import random
import sys
from collections import defaultdict


def open_runs(folder):
    """A study folder's runs.csv, or the runs.csv.gz committed beside a study's indices."""
    path = folder.rstrip("/") + "/runs.csv"
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        return path + ".gz", gzip.open(path + ".gz", "rt", newline="")
    return path, open(path, newline="")


def read_runs(folder, platform):
    """Rows of runs.csv for one platform, and the parameter columns (between replication and platform)."""
    path, f = open_runs(folder)
    with f:
        reader = csv.reader(f)
        header = next(reader)
        i_rep, i_plat = header.index("replication"), header.index("platform")
        params = header[i_rep + 1 : i_plat]
        rows = []
        for row in reader:
            if row[i_plat] != platform:
                continue
            rows.append(dict(zip(header, row)))
    if not rows:
        sys.exit(f"{path}: no rows for platform {platform!r}")
    return rows, params


class Expr:
    """A safe arithmetic expression over summary.csv columns."""

    OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)

    def __init__(self, text):
        self.text = text
        self.tree = ast.parse(text, mode="eval").body
        self._check(self.tree)

    def _check(self, n):
        if isinstance(n, ast.BinOp) and isinstance(n.op, self.OPS):
            self._check(n.left)
            self._check(n.right)
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            self._check(n.operand)
        elif isinstance(n, (ast.Name, ast.Constant)):
            pass
        else:
            raise SystemExit(f"output {self.text!r}: only columns, numbers, + - * / and parentheses")

    def value(self, row):
        def ev(n):
            if isinstance(n, ast.Constant):
                return float(n.value)
            if isinstance(n, ast.Name):
                if n.id not in row:
                    raise SystemExit(f"output {self.text!r}: no column {n.id!r} in runs.csv")
                v = row[n.id]
                return float(v) if v not in ("", "NaN", "nan") else math.nan
            if isinstance(n, ast.UnaryOp):
                return -ev(n.operand)
            a, b = ev(n.left), ev(n.right)
            if isinstance(n.op, ast.Add):
                return a + b
            if isinstance(n.op, ast.Sub):
                return a - b
            if isinstance(n.op, ast.Mult):
                return a * b
            return a / b if b != 0 else math.nan

        return ev(self.tree)


def per_run(rows, expr):
    """{(point, replication): value}."""
    return {(int(r["point"]), int(r["replication"])): expr.value(r) for r in rows}


def point_values(a, b=None):
    """Per point, the list of (paired) values over replications, in replication order."""
    by_point = defaultdict(list)
    for (p, rep), va in sorted(a.items()):
        if b is not None:
            if (p, rep) not in b:
                sys.exit(f"point {p} replication {rep} is in A but not in B: not one design")
            v = va - b[(p, rep)]
        else:
            v = va
        by_point[p].append(v)
    return [by_point[p] for p in sorted(by_point)]


def analyse(values, points_params, params, k, bootstrap, seed, delta=2.0 / 3.0):
    """μ*, μ, σ and the μ* interval per parameter, the noise share and the undefined count."""
    y, variance, noise, undefined = point_means(values)
    if len(y) % (k + 1):
        sys.exit(f"{len(y)} points is not a whole number of trajectories of k + 1 = {k + 1}")
    ee = [[] for _ in range(k)]
    for t in range(len(y) // (k + 1)):
        base = t * (k + 1)
        unassigned, used = [], set()
        for s in range(k):
            xa, xb = points_params[base + s], points_params[base + s + 1]
            changed = [i for i in range(k) if xa[i] != xb[i]]
            dy = y[base + s + 1] - y[base + s]
            if len(changed) == 1:
                i = changed[0]
                used.add(i)
                ee[i].append(dy / (delta if xb[i] > xa[i] else -delta))
            elif not changed:
                unassigned.append(dy)
            else:
                sys.exit(f"trajectory {t} step {s}: {len(changed)} parameters changed at once")
        rest = [i for i in range(k) if i not in used]
        if len(rest) != len(unassigned):
            sys.exit(f"trajectory {t}: cannot assign the steps to parameters")
        for i, dy in zip(rest, unassigned):
            if dy != 0.0:
                sys.exit(f"trajectory {t}: the output moved on a step where no parameter changed")
            ee[i].append(0.0)
    rng = random.Random(seed)
    result = []
    for i in range(k):
        e = [v for v in ee[i] if not math.isnan(v)]
        n = len(e)
        mu_star = sum(abs(v) for v in e) / n
        mu = sum(e) / n
        sigma = math.sqrt(sum((v - mu) ** 2 for v in e) / (n - 1)) if n > 1 else math.nan
        boots = sorted(sum(abs(e[rng.randrange(n)]) for _ in range(n)) / n for _ in range(bootstrap))
        lo = boots[int(0.025 * (bootstrap - 1))] if boots else math.nan
        hi = boots[int(math.ceil(0.975 * (bootstrap - 1)))] if boots else math.nan
        result.append((params[i], mu_star, lo, hi, mu, sigma))
    return result, variance, noise, undefined


def point_means(values):
    """Per point, the mean over the replications where it is defined (undefined points set to the
    mean of the others), the mean within-point variance / R, and the undefined count."""
    means, within = [], []
    undefined = 0
    for xs in values:
        d = [x for x in xs if not math.isnan(x)]
        if not d:
            undefined += 1
            means.append(math.nan)
            continue
        m = sum(d) / len(d)
        means.append(m)
        if len(d) > 1:
            within.append(sum((x - m) ** 2 for x in d) / (len(d) - 1) / len(d))
    defined = [m for m in means if not math.isnan(m)]
    fill = sum(defined) / len(defined) if defined else 0.0
    y = [fill if math.isnan(m) else m for m in means]
    ybar = sum(y) / len(y)
    variance = sum((v - ybar) ** 2 for v in y) / max(len(y) - 1, 1)
    noise = sum(within) / len(within) if within else math.nan
    return y, variance, noise, undefined


def sobol_point(y, n, k, second, rows):
    """(S_i, S_Ti, S_il over pairs i < l) from the design rows `rows`, as src/analysis/sobol.rs."""
    fa = lambda j: y[j]  # noqa: E731
    fb = lambda j: y[n + j]  # noqa: E731
    fab = lambda i, j: y[(2 + i) * n + j]  # noqa: E731
    fba = lambda i, j: y[(2 + k + i) * n + j]  # noqa: E731
    m = len(rows)
    centre = sum(fa(j) + fb(j) for j in rows) / (2 * m)
    var = sum((fa(j) - centre) ** 2 + (fb(j) - centre) ** 2 for j in rows) / (2 * m - 1)
    ratio = (lambda v: v / var) if var > 0 else (lambda v: math.nan)
    first = [ratio(sum((fb(j) - centre) * (fab(i, j) - fa(j)) for j in rows) / m) for i in range(k)]
    total = [ratio(sum((fa(j) - fab(i, j)) ** 2 for j in rows) / (2 * m)) for i in range(k)]
    pairs = []
    if second:
        for i in range(k):
            for l in range(i + 1, k):
                closed = sum((fba(i, j) - centre) * (fab(l, j) - centre) - (fa(j) - centre) * (fb(j) - centre)
                             for j in rows) / m
                pairs.append(((i, l), ratio(closed) - first[i] - first[l]))
    return first, total, pairs


def quantile_sorted(xs, q):
    if not xs:
        return math.nan
    h = q * (len(xs) - 1)
    lo, hi = math.floor(h), math.ceil(h)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def analyse_sobol(values, n, k, second, bootstrap, seed):
    """[(measure, i, l, value, low, high)], variance, noise, undefined."""
    y, variance, noise, undefined = point_means(values)
    blocks = 2 * k + 2 if second else k + 2
    if len(y) != n * blocks:
        sys.exit(f"{len(y)} points is not the Saltelli design of N = {n}, k = {k}"
                 f"{' with second order' if second else ''} ({n * blocks} points)")
    first, total, pairs = sobol_point(y, n, k, second, list(range(n)))
    rng = random.Random(seed)
    boot_f, boot_t, boot_s = [[] for _ in range(k)], [[] for _ in range(k)], [[] for _ in pairs]
    for _ in range(bootstrap):
        rows = [rng.randrange(n) for _ in range(n)]
        f, t, s = sobol_point(y, n, k, second, rows)
        for i in range(k):
            boot_f[i].append(f[i])
            boot_t[i].append(t[i])
        for b, (_, v) in zip(boot_s, s):
            b.append(v)

    def interval(xs):
        xs = sorted(x for x in xs if not math.isnan(x))
        return quantile_sorted(xs, 0.025), quantile_sorted(xs, 0.975)

    out = []
    for i in range(k):
        out.append(("first_order", i, None, first[i], *interval(boot_f[i])))
        out.append(("total", i, None, total[i], *interval(boot_t[i])))
    for ((i, l), v), b in zip(pairs, boot_s):
        out.append(("second_order", i, l, v, *interval(b)))
    return out, variance, noise, undefined


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="folder of study A (its runs.csv)")
    ap.add_argument("--b", help="folder of study B, paired with A: outputs are A - B")
    ap.add_argument("--k", type=int, required=True, help="number of parameters of the design")
    ap.add_argument("--method", choices=["morris", "sobol"], default="morris")
    ap.add_argument("--samples", type=int, help="Sobol: N, the rows of each Saltelli matrix (the study's `samples`)")
    ap.add_argument("--second-order", action="store_true", help="Sobol: the design has the BA_i rows")
    ap.add_argument("--platform", required=True)
    ap.add_argument("--output", action="append", required=True, help="NAME=EXPRESSION (or a bare column)")
    ap.add_argument("--bootstrap", type=int, default=500)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--csv", help="write the indices here (output,parameter,measure,value,ci95_low,ci95_high)")
    args = ap.parse_args()

    rows_a, params_a = read_runs(args.a, args.platform)
    rows_b, params_b = (read_runs(args.b, args.platform) if args.b else (None, None))
    if len(params_a) != args.k or (params_b is not None and len(params_b) != args.k):
        sys.exit(f"--k {args.k}: runs.csv has {len(params_a)} parameters" + (f" and {len(params_b)}" if params_b else ""))
    names = [a if params_b is None or a == b else f"{a} / {b}" for a, b in zip(params_a, params_b or params_a)]
    # Each point's parameter values (from A; replication 0 row).
    pts = {}
    for r in rows_a:
        pts.setdefault(int(r["point"]), [float(r[p]) for p in params_a])
    points_params = [pts[p] for p in sorted(pts)]

    if args.method == "sobol" and not args.samples:
        sys.exit("--method sobol needs --samples N (the study's `samples`)")
    out_rows = []
    for spec in args.output:
        name, _, text = spec.partition("=")
        expr = Expr(text or name)
        a = per_run(rows_a, expr)
        b = per_run(rows_b, expr) if rows_b is not None else None
        if args.method == "sobol":
            res, variance, noise, undefined = analyse_sobol(point_values(a, b), args.samples, args.k,
                                                            args.second_order, args.bootstrap, args.seed)
            share = noise / variance if variance > 0 else math.nan
            print(f"{name} = {'A − B of ' if b is not None else ''}{expr.text}")
            for measure, i, l, v, lo, hi in res:
                what = names[i] if l is None else f"{names[i]} × {names[l]}"
                print(f"  {measure:<13} {what:<90} {v:8.3f} [{lo:.3f}, {hi:.3f}]")
                out_rows.append([name, names[i], measure, v, lo, hi] + ([names[l] if l is not None else ""]
                                                                      if args.second_order else []))
            print(f"  replication noise: {100 * share:.2f}% of the variance of point means"
                  + (f"; {undefined} points undefined, set to the mean" if undefined else ""))
            print()
            extra = [""] if args.second_order else []
            out_rows.append([name, "", "variance_of_point_means", variance, "", ""] + extra)
            out_rows.append([name, "", "replication_noise_variance", noise, "", ""] + extra)
            out_rows.append([name, "", "replication_noise_share", share, "", ""] + extra)
            out_rows.append([name, "", "undefined_points", undefined, "", ""] + extra)
            continue
        res, variance, noise, undefined = analyse(point_values(a, b), points_params, names, args.k, args.bootstrap, args.seed)
        share = noise / variance if variance > 0 else math.nan
        label = f"{name} = {'A − B of ' if b is not None else ''}{expr.text}"
        print(label)
        print(f"  {'parameter':<70} {'mu* [95% CI]':>26} {'mu':>10} {'sigma':>10}")
        for p, ms, lo, hi, mu, sg in sorted(res, key=lambda x: -x[1]):
            print(f"  {p:<70} {ms:8.3f} [{lo:.3f}, {hi:.3f}]  {mu:10.3f} {sg:10.3f}")
        print(f"  replication noise: {100 * share:.2f}% of the variance of point means"
              + (f"; {undefined} points undefined, set to the mean" if undefined else ""))
        print()
        for p, ms, lo, hi, mu, sg in res:
            out_rows.append([name, p, "mu_star", ms, lo, hi])
            out_rows.append([name, p, "mu", mu, "", ""])
            out_rows.append([name, p, "sigma", sg, "", ""])
        out_rows.append([name, "", "variance_of_point_means", variance, "", ""])
        out_rows.append([name, "", "replication_noise_variance", noise, "", ""])
        out_rows.append([name, "", "replication_noise_share", share, "", ""])
        out_rows.append([name, "", "undefined_points", undefined, "", ""])
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["output", "parameter", "measure", "value", "ci95_low", "ci95_high"]
                       + (["parameter_2"] if args.method == "sobol" and args.second_order else []))
            for r in out_rows:
                w.writerow([x if isinstance(x, str) else repr(float(x)) for x in r])


if __name__ == "__main__":
    main()
