#!/usr/bin/env python3
"""The thread speed-ups of docs/PERFORMANCE.md: `embedsim run` of a scenario (S town by default)
with --threads 1 and --threads 2, alternated N times (20 by default); or, with --sweep, `embedsim
sweep` of a sweep file (the 910 small runs of scenarios/sweeps/attention-vs-load.toml by default,
3 times). Prints the fastest and the lower quartile of each and their ratios. Build first:
cargo build --release.

    python3 benches/threads.py [SCENARIO] [N]
    python3 benches/threads.py --sweep [SWEEP] [N]
"""
import os, shutil, subprocess, sys, tempfile, time

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
args = sys.argv[1:]
sweep = bool(args) and args[0] == "--sweep"
if sweep:
    args = args[1:]
default = os.path.join(root, "scenarios", "sweeps/attention-vs-load.toml" if sweep else "s-town.toml")
scenario = args[0] if args else default
n = int(args[1]) if len(args) > 1 else (3 if sweep else 20)
command = "sweep" if sweep else "run"
binary = os.path.join(root, "target", "release", "embedsim")
out = tempfile.mkdtemp()
times = {1: [], 2: []}
try:
    for _ in range(n):
        for t in (1, 2):
            folder = os.path.join(out, str(t))
            shutil.rmtree(folder, ignore_errors=True)
            start = time.perf_counter()
            subprocess.run([binary, command, scenario, "--threads", str(t), "--quiet", "--out", folder],
                           check=True, stdout=subprocess.DEVNULL)
            times[t].append(time.perf_counter() - start)
finally:
    shutil.rmtree(out, ignore_errors=True)
for t in (1, 2):
    v = sorted(times[t])
    print(f"--threads {t}: fastest {v[0]:.3f} s, lower quartile {v[len(v) // 4]:.3f} s, median {v[len(v) // 2]:.3f} s")
best = sorted(times[1])[0] / sorted(times[2])[0]
quartile = sorted(times[1])[n // 4] / sorted(times[2])[n // 4]
print(f"speed-up on 2 threads: {best:.2f} x (fastest), {quartile:.2f} x (lower quartile)")
