#!/bin/bash
# One task of a Slurm job array: shard K of N of an embedsim sweep or sensitivity study, where K
# is the task's index (--array=1-N; shards count from 1). Set before sbatch (docs/SWEEPS.md):
#   KIND      sweep or sensitivity (default: sweep)
#   STUDY     the sweep or sensitivity file
#   SHARDS    N, the number of shards (the array's size)
#   OUT       the output folder: task K writes OUT/K, and nothing outside OUT
#   EMBEDSIM  the program (default: embedsim on PATH)
# Threads: the CPUs given with sbatch --cpus-per-task, else 1. --resume: a task killed, requeued
# or submitted again continues from its journal in OUT/K; in a new folder it just starts.
# The log folder of --output must exist before sbatch (mkdir -p logs).
#SBATCH --job-name=embedsim-shard
#SBATCH --time=01:00:00
#SBATCH --output=logs/%x-%A_%a.out
set -euo pipefail
"${EMBEDSIM:-embedsim}" "${KIND:-sweep}" "${STUDY:?set STUDY}" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS:?set SHARDS}" \
  --out "${OUT:?set OUT}/${SLURM_ARRAY_TASK_ID}" \
  --threads "${SLURM_CPUS_PER_TASK:-1}" --resume
