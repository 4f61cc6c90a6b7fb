#!/bin/bash
# The dependent job: once every task of the array (shard.sh) has succeeded, combine the shards
# OUT/1 .. OUT/SHARDS into OUT/merged, byte-identical to the whole study on one machine. A sweep
# also gets report.html; a sensitivity study gets its indices from --resume on the merged folder,
# which runs nothing again. Set the same variables as for shard.sh.
# If a task fails, this job is cancelled (--kill-on-invalid-dep): submit that task again, and
# this job after it (docs/SWEEPS.md).
#SBATCH --job-name=embedsim-merge
#SBATCH --time=00:30:00
#SBATCH --output=logs/%x-%j.out
#SBATCH --kill-on-invalid-dep=yes
set -euo pipefail
embedsim=${EMBEDSIM:-embedsim}
shards=()
for ((k = 1; k <= ${SHARDS:?set SHARDS}; k++)); do shards+=("${OUT:?set OUT}/$k"); done
if [[ ${KIND:-sweep} == sweep ]]; then
  "$embedsim" merge "${shards[@]}" --out "$OUT/merged" --report "${STUDY:?set STUDY}"
else
  "$embedsim" merge "${shards[@]}" --out "$OUT/merged"
  "$embedsim" sensitivity "${STUDY:?set STUDY}" --out "$OUT/merged" --resume \
    --threads "${SLURM_CPUS_PER_TASK:-1}"
fi
