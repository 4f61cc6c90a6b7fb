"""What the tests share: the repository, the `embedsim` command they compare with, short runs.

The command is the reference: each test that claims "the same numbers as the CLI" runs it (the
only subprocess the tests start) with the same scenario, changes and seed, and compares its files
with the package's tables. It is found by $EMBEDSIM_BIN (set by .ci/python), else at the
repository's target/release/embedsim; a test that needs it fails, not skips, without it.
"""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: Changes that make S town's runs short: 150 days, 30 of them warm-up.
SHORT = {"simulation.duration_days": 150, "simulation.warmup_days": 30}


def short_args(changes=None):
    """SHORT (and more changes) as the command's --set arguments."""
    import embedsim

    out = []
    for s in embedsim.set_args(dict(SHORT, **(changes or {}))):
        out += ["--set", s]
    return out


@pytest.fixture(scope="session")
def cli_bin():
    path = Path(os.environ.get("EMBEDSIM_BIN") or REPO / "target" / "release" / "embedsim")
    if not path.is_file():
        pytest.fail(f"no embedsim command at {path}: build it (cargo build --release) or set EMBEDSIM_BIN")
    return path


@pytest.fixture
def cli(cli_bin, tmp_path):
    """Runs `embedsim ARGS...` in an empty folder; returns (exit code, stdout, stderr, folder)."""

    def call(*args):
        work = tmp_path / "cli"
        work.mkdir(exist_ok=True)
        p = subprocess.run([str(cli_bin), *map(str, args)], cwd=work, capture_output=True, text=True, timeout=300)
        return p.returncode, p.stdout, p.stderr, work

    return call
