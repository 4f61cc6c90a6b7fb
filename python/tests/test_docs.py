"""The Python quick start (the README's three lines) runs as written, and the notebook
executes."""

import nbclient
import nbformat

import embedsim
from conftest import REPO


def test_the_quick_start_runs_as_written(capsys, cli):
    readme = (REPO / "README.md").read_text()
    blocks = [b.split("```", 1)[0] for b in readme.split("```python\n")[1:]]
    quick = [b for b in blocks if "import embedsim" in b]
    assert len(quick) == 1, "the README shows one Python quick start"
    text = quick[0]
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 3, lines
    exec(compile(text, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "on_time_share" in out and "mean_wait_hours" in out
    assert "minhu" in out and "comprehensive" in out
    # The numbers it prints are the command's: the same run's summary, averaged.
    code, _, err, work = cli("run", "s-town", "--replications", 2, "--quiet", "--out", "out")
    assert code == 0, err
    summary = embedsim.frame((work / "out" / "summary.csv").read_text())
    means = summary.groupby("platform", sort=False)[["on_time_share", "mean_wait_hours"]].mean()
    assert str(means) in out


def test_the_notebook_executes():
    path = REPO / "python" / "notebooks" / "explore.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("of 16 points close under 90%" in t for t in outputs), outputs
