#!/usr/bin/env python3
"""Tests of the study scripts' own rules, run by .ci/run (Python 3.11, standard library only):

    python3 docs/studies/test_scripts.py [--bin target/release/embedsim]

- settle.py's settling rule, on synthetic series whose answer is known: a flat series settles
  at once, a step settles the block after it, a seasonal swing that repeats is a steady state,
  a series still trending in its second half is reported as not settled, and on a noisy series
  the band and the second-half test widen to 3 standard errors. The step, allowance, seasonal,
  trend and noise cases each have a counterfactual twin that must read differently, so a rule
  that returned one answer for everything fails.
- paired.py's estimators against `embedsim sensitivity`: a small Morris and a small Sobol study
  (second order) are run with the binary, and paired.py's mu*, mu, sigma and S_i, S_Ti, S_il of a
  plain column must equal the tool's indices.csv to 1e-9 — the script is a second implementation
  of the tool's estimators, and this is what keeps the two the same; and its own parts the tool
  has not: the A − B pairing and the column expressions.
- The runs committed beside some studies' indices (`runs.csv.gz`) are those indices' own (their
  Morris indices recomputed to 1e-9), every README's paired.py command on them gives its
  committed output byte for byte, and their spread tables are the READMEs'.
- Every Sobol table in a study README is what sobol_table.py renders from the committed file.
"""

import csv
import math
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import tomllib
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import paired  # noqa: E402
import settle  # noqa: E402
import spread  # noqa: E402
import sobol_table  # noqa: E402
from ends import toml_value  # noqa: E402

BIN = os.path.join(ROOT, "target", "release", "embedsim")
if "--bin" in sys.argv:
    i = sys.argv.index("--bin")
    BIN = os.path.abspath(sys.argv[i + 1])
    del sys.argv[i : i + 2]
    if not os.path.exists(BIN):
        sys.exit(f"--bin {BIN}: no such file (a given binary is required: the tests that need it would be skipped)")

BLOCKS = 72  # six years of 30-day blocks, as settle.py's default run
REPS = 32


def synthetic(level, seed, noise=0.01):
    """(cols, reps) as settle.blocks returns them: REPS replications of `level(b)` per block with
    independent relative noise, seeded."""
    rng = random.Random(seed)
    reps = [[level(b) * (1 + rng.gauss(0, noise)) for b in range(BLOCKS)] for _ in range(REPS)]
    cols = []
    for b in range(BLOCKS):
        xs = [r[b] for r in reps]
        m = sum(xs) / len(xs)
        sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))
        cols.append((m, sd / math.sqrt(len(xs))))
    return cols, reps


def settled_day(level, seed=1, noise=0.01):
    cols, reps = synthetic(level, seed, noise)
    return settle.settled(cols, reps)[0]


class SettleRule(unittest.TestCase):
    def test_flat_series_settles_at_once(self):
        self.assertEqual(settled_day(lambda b: 100.0), 0)

    def test_step_settles_the_block_after_it(self):
        # Low for blocks 0-9, then its level: the last block outside the band is 9, so day 300.
        self.assertEqual(settled_day(lambda b: 50.0 if b < 10 else 100.0), 300)
        # Counterfactual: the same step at block 20 settles later.
        self.assertEqual(settled_day(lambda b: 50.0 if b < 20 else 100.0), 600)

    def test_a_step_inside_the_allowance_is_not_a_warm_up(self):
        # 1% low at first: inside the 2% materiality bound, so settled from the start.
        self.assertEqual(settled_day(lambda b: 99.0 if b < 10 else 100.0), 0)
        # Counterfactual: 10% low is outside it.
        self.assertEqual(settled_day(lambda b: 90.0 if b < 10 else 100.0), 300)

    def test_a_repeating_seasonal_swing_is_a_steady_state(self):
        # ±10% with a yearly period (12 blocks): the band spans the swing, both halves repeat it.
        swing = lambda b: 1 + 0.1 * math.sin(2 * math.pi * b / 12)  # noqa: E731
        self.assertEqual(settled_day(lambda b: 100.0 * swing(b)), 0)
        # Counterfactual: the same swing on a level that steps up 10% in the second half moves.
        self.assertIsNone(settled_day(lambda b: (100.0 if b < 54 else 110.0) * swing(b)))

    def test_a_trend_in_the_second_half_is_not_settled(self):
        # 3% a year, still climbing at the end: the second half's first and last years differ by
        # about 5%, well outside the 2% allowance.
        self.assertIsNone(settled_day(lambda b: 100.0 * (1 + 0.03 * b / 12)))
        # Counterfactual: a trend that stops at year 2 settles, after the climb.
        day = settled_day(lambda b: 100.0 * (1 + 0.03 * min(b, 24) / 12))
        self.assertIsNotNone(day)
        self.assertTrue(300 <= day <= 720, day)

    def test_noise_widens_the_band_to_three_standard_errors(self):
        # 30% noise per replication and block: a block mean's standard error is about 5%, so a
        # 10% step is inside 3 of them and the series counts as settled from the start...
        self.assertEqual(settled_day(lambda b: 90.0 if b < 10 else 100.0, noise=0.3), 0)
        # ...where the same step with 1% noise is a warm-up (test_a_step_inside_the_allowance...).
        self.assertEqual(settled_day(lambda b: 90.0 if b < 10 else 100.0, noise=0.01), 300)

    def test_noise_widens_the_second_half_test(self):
        # A flat series with 50% noise, on a seed whose second half's first and last years differ
        # by more than the 2% bound by chance alone: only the 3-standard-error allowance keeps it
        # settled.
        cols, reps = synthetic(lambda b: 100.0, seed=2, noise=0.5)
        half = BLOCKS // 2
        first = sum(m for m, _ in cols[half : half + 12]) / 12
        last = sum(m for m, _ in cols[BLOCKS - 12 :]) / 12
        self.assertGreater(abs(last - first), 0.02 * 100.0, "the seed no longer drifts by chance: pick another")
        self.assertIsNotNone(settle.settled(cols, reps)[0])

    def test_a_slow_drift_inside_the_allowance_passes_by_design(self):
        # 0.3% a year: the documented tolerance (under about 1% a year passes).
        self.assertIsNotNone(settled_day(lambda b: 100.0 * (1 + 0.003 * b / 12)))


class PairedOwnParts(unittest.TestCase):
    """What paired.py does that the tool does not: column expressions and the A − B pairing."""

    def test_expressions(self):
        row = {"resolved": "30", "closed": "40", "settled_offline": "5", "dropped": "5", "empty": ""}
        self.assertAlmostEqual(paired.Expr("resolved/(closed+settled_offline+dropped)").value(row), 0.6)
        self.assertAlmostEqual(paired.Expr("-resolved + 2*closed").value(row), 50.0)
        self.assertTrue(math.isnan(paired.Expr("resolved/(closed-closed)").value(row)))
        self.assertTrue(math.isnan(paired.Expr("empty + 1").value(row)))
        with self.assertRaises(SystemExit):
            paired.Expr("__import__('os')")
        with self.assertRaises(SystemExit):
            paired.Expr("missing + 1").value(row)

    def test_the_difference_cancels_what_both_sides_share(self):
        # Two Morris trajectories over k = 2 parameters on [0, 1], steps of 2/3; A = 3 x0 + x1 and
        # B = x1 at the same points and replications: A − B = 3 x0, so x0's elementary effects are
        # all 3 (per whole range) and x1's all 0 — x1 moves each side, not the difference.
        points = [(0, 0), (2 / 3, 0), (2 / 3, 2 / 3), (1, 1 / 3), (1 / 3, 1 / 3), (1 / 3, 1)]
        a = {(i, r): 3 * x0 + x1 for i, (x0, x1) in enumerate(points) for r in (0, 1)}
        b = {(i, r): x1 for i, (x0, x1) in enumerate(points) for r in (0, 1)}
        res, variance, noise, undefined = paired.analyse(paired.point_values(a, b), [list(p) for p in points],
                                                         ["x0", "x1"], 2, 50, 11)
        (n0, ms0, _, _, mu0, _), (n1, ms1, _, _, mu1, _) = res
        self.assertEqual((n0, n1), ("x0", "x1"))
        self.assertAlmostEqual(ms0, 3.0)
        self.assertAlmostEqual(mu0, 3.0)  # one step up, one down: both +3 per whole range
        self.assertAlmostEqual(ms1, 0.0)
        self.assertEqual((noise, undefined), (0.0, 0))
        # Counterfactual: A alone keeps x1's effect.
        res_a, *_ = paired.analyse(paired.point_values(a), [list(p) for p in points], ["x0", "x1"], 2, 50, 11)
        self.assertAlmostEqual(res_a[1][1], 1.0)
        # A point B lacks is not one design.
        with self.assertRaises(SystemExit):
            paired.point_values(a, {k: v for k, v in b.items() if k != (3, 1)})


def tiny_study(source, out_dir, samples, extra=None):
    """The shipped study `source` at a small size (as tests/studies.rs does), written into out_dir."""
    with open(source, "rb") as f:
        t = tomllib.load(f)
    base = os.path.normpath(os.path.join(os.path.dirname(source), t["base"]))
    lines = [f'name = "{t["name"]}-check"', f'base = "{base}"', f'method = "{t["method"]}"',
             f"samples = {samples}", f"seed = {t['seed']}", "replications = 2", "bootstrap = 20",
             "outputs = [" + ", ".join(f'"{o}"' for o in t["outputs"]) + "]"]
    if t.get("levels"):
        lines.append(f"levels = {t['levels']}")
    if t.get("second_order"):
        lines.append("second_order = true")
    lines.append("[set]")
    sets = dict(t.get("set", {}))
    sets.update({"simulation.duration_days": 90, "simulation.warmup_days": 30})
    sets.update(extra or {})
    for k, v in sets.items():
        lines.append(f"{toml_value(k)} = {toml_value(v)}")
    for p in t["parameters"]:
        lines += ["[[parameters]]", f"path = {toml_value(p['path'])}", f"min = {toml_value(p['min'])}",
                  f"max = {toml_value(p['max'])}"]
    path = os.path.join(out_dir, os.path.basename(source))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, t


def tool_indices(folder):
    """{(output, parameter, measure, parameter_2): value} from the tool's indices.csv."""
    out = {}
    with open(os.path.join(folder, "indices.csv"), newline="") as f:
        for r in csv.DictReader(f):
            out[(r["output"], r["parameter"], r["measure"], r.get("parameter_2", ""))] = float(r["value"]) if r["value"] else math.nan
    return out


def run_study(path, out):
    subprocess.run([BIN, "sensitivity", path, "--quiet", "--threads", "2", "--out", out], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)


def script_morris(out, output, k):
    """paired.py's Morris indices of one plain column of the study in `out`."""
    platform, _, column = output.partition(".")
    rows, params = paired.read_runs(out, platform)
    pts = {}
    for r in rows:
        pts.setdefault(int(r["point"]), [float(r[p]) for p in params])
    values = paired.point_values(paired.per_run(rows, paired.Expr(column)))
    return paired.analyse(values, [pts[p] for p in sorted(pts)], params, k, 20, 11)[0]


@unittest.skipUnless(os.path.exists(BIN), f"no binary at {BIN} (cargo build --release)")
class PairedMatchesTheTool(unittest.TestCase):
    def assert_close(self, mine, tool, what):
        if math.isnan(tool):
            self.assertTrue(math.isnan(mine), what)
        else:
            self.assertAlmostEqual(mine, tool, delta=1e-9 * max(1.0, abs(tool)), msg=what)

    def run_tiny(self, name, samples, d):
        """The shipped study `name` at a small size, run by the binary into d/out: (out, the
        tool's indices, the study's table, k)."""
        study, t = tiny_study(os.path.join(ROOT, "scenarios", "sensitivity", f"{name}.toml"), d, samples)
        out = os.path.join(d, "out")
        run_study(study, out)
        return out, tool_indices(out), t, len(t["parameters"])

    def test_morris(self):
        with tempfile.TemporaryDirectory() as d:
            out, tool, t, k = self.run_tiny("s-town-morris", 4, d)
            checked = 0
            for output in t["outputs"]:
                if output.partition(".")[2].startswith("share_"):
                    continue  # a regime share is not a summary.csv column
                for p, mu_star, _, _, mu, sigma in script_morris(out, output, k):
                    for measure, v in (("mu_star", mu_star), ("mu", mu), ("sigma", sigma)):
                        self.assert_close(v, tool[(output, p, measure, "")], f"{output} {p} {measure}")
                        checked += not math.isnan(v)
            self.assertGreater(checked, 3 * k)
            # Counterfactual: the comparison can fail — the second output's indices, computed the
            # same way, do not match the first output's.
            first, second = t["outputs"][0], t["outputs"][1]
            res = script_morris(out, second, k)
            self.assertTrue(any(abs(ms - tool[(first, p, "mu_star", "")]) > 1e-6 for p, ms, *_ in res))

    def test_sobol_second_order(self):
        with tempfile.TemporaryDirectory() as d:
            out, tool, t, k = self.run_tiny("wuzhen-sobol", 8, d)
            names = [p["path"] for p in t["parameters"]]
            checked = 0
            for output in t["outputs"]:
                platform, _, column = output.partition(".")
                if column.startswith("share_"):
                    continue
                rows, _ = paired.read_runs(out, platform)
                values = paired.point_values(paired.per_run(rows, paired.Expr(column)))
                res, *_ = paired.analyse_sobol(values, 8, k, True, 20, 11)
                for measure, i, l, v, _, _ in res:
                    key = (output, names[i], measure, "" if l is None else names[l])
                    self.assert_close(v, tool[key], str(key))
                    checked += not math.isnan(v)
            # Defined indices, not NaN = NaN (the shock of recovery_days falls outside a short run).
            self.assertGreater(checked, 2 * k)


class CommittedRunsReproduce(unittest.TestCase):
    """A study README's paired.py command that reads runs committed in docs/studies gives the
    committed indices byte for byte, and its spread.py table is the one the README shows."""

    def commands(self):
        for d in sorted(os.listdir(HERE)):
            readme = os.path.join(HERE, d, "README.md")
            if not os.path.exists(readme):
                continue
            with open(readme) as f:
                text = f.read()
            for block in re.findall(r"```sh\n(.*?)```", text, re.S):
                command = " ".join(line.strip().rstrip("\\").strip() for line in block.strip().splitlines())
                if command.startswith("python3 docs/studies/paired.py --a docs/studies/"):
                    yield d, command

    def test_paired_commands_on_committed_runs(self):
        seen = 0
        for d, command in self.commands():
            args = shlex.split(command)[2:]
            i = args.index("--csv")
            committed = os.path.join(ROOT, args[i + 1])
            with tempfile.TemporaryDirectory() as tmp:
                args[i + 1] = os.path.join(tmp, "out.csv")
                subprocess.run([sys.executable, os.path.join(HERE, "paired.py")] + args, check=True, cwd=ROOT,
                               stdout=subprocess.DEVNULL)
                with open(args[i + 1], "rb") as a, open(committed, "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"{d}: {command}")
            seen += 1
        self.assertGreater(seen, 0, "no README runs paired.py on committed runs")

    def committed(self):
        """(folder, study file's table) for every study folder that holds its runs."""
        for d in sorted(os.listdir(HERE)):
            folder = os.path.join(HERE, d)
            study = os.path.join(ROOT, "scenarios", "sensitivity", f"{d}.toml")
            if os.path.exists(os.path.join(folder, "runs.csv.gz")) and os.path.exists(study):
                with open(study, "rb") as f:
                    yield folder, tomllib.load(f)

    def test_committed_runs_give_the_committed_indices(self):
        # The runs are the indices' own: paired.py's mu*, mu and sigma of every plain column equal
        # the study's indices.csv (a reshuffled or stale runs.csv.gz fails here, where the spread
        # tables, which ignore which run is which, would not).
        seen = 0
        for folder, study in self.committed():
            tool = tool_indices(folder)
            k = len(study["parameters"])
            for output in study["outputs"]:
                if output.partition(".")[2].startswith("share_"):
                    continue
                for p, mu_star, _, _, mu, sigma in script_morris(folder, output, k):
                    for measure, v in (("mu_star", mu_star), ("mu", mu), ("sigma", sigma)):
                        want = tool[(output, p, measure, "")]
                        if math.isnan(want):
                            self.assertTrue(math.isnan(v), f"{folder} {output} {p} {measure}")
                        else:
                            self.assertAlmostEqual(v, want, delta=1e-9 * max(1.0, abs(want)),
                                                   msg=f"{folder} {output} {p} {measure}")
                        seen += 1
        self.assertGreater(seen, 0)

    def test_spread_tables_of_committed_runs(self):
        seen = 0
        for folder, study in self.committed():
            with open(os.path.join(folder, "README.md")) as f:
                self.assertIn(spread.table(study["outputs"], spread.rows(folder)), f.read(), folder)
            seen += 1
        self.assertGreater(seen, 0)


class SobolTablesAreTheFiles(unittest.TestCase):
    """Every study README that shows sobol_table.py's tables shows them as the committed indices
    render today: a rerun that changes an index, or a hand edit, fails here."""

    def readmes(self):
        for d in sorted(os.listdir(HERE)):
            readme = os.path.join(HERE, d, "README.md")
            if os.path.exists(readme):
                with open(readme) as f:
                    text = f.read()
                if "first order S_i [95% CI]" in text:
                    yield d, text

    def test_every_rendered_block_is_in_its_readme(self):
        seen = 0
        for d, text in self.readmes():
            for name in ("indices.csv", "sobol.csv"):
                path = os.path.join(HERE, d, name)
                if not os.path.exists(path):
                    continue
                outs = sobol_table.load(path)
                if not any(o["total"] for o in outs.values()):
                    continue
                for block in sobol_table.render(outs).split("\n\n"):
                    if block.strip():
                        self.assertIn(block, text, f"{d}/README.md lacks, from {name}:\n{block}")
                        seen += 1
        self.assertGreater(seen, 20)

    def test_a_changed_index_is_caught(self):
        d, text = next(self.readmes())
        outs = sobol_table.load(os.path.join(HERE, d, "indices.csv"))
        first = next(iter(outs.values()))
        p, (v, lo, hi) = next(iter(first["total"].items()))
        first["total"][p] = (v + 0.05, lo, hi)
        blocks = [b for b in sobol_table.render(outs).split("\n\n") if b.strip()]
        self.assertTrue(any(b not in text for b in blocks))


if __name__ == "__main__":
    unittest.main(verbosity=2)
