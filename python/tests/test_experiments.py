"""compare and sweep give the command's numbers: compare.csv as `embedsim compare` writes it,
and a design's runs.csv and points.csv as `embedsim sweep` with that design file writes them."""

import pandas as pd
import pytest

import embedsim
from conftest import REPO, SHORT, short_args


def test_compare_gives_the_cli_compare_csv(cli):
    c = embedsim.compare("s-town", set=SHORT, set_b={"platforms.minhu.arrival_rate_per_day": 3.0}, replications=3)
    code, _, err, work = cli(
        "compare", "s-town", *short_args(), "--set-b", "platforms.minhu.arrival_rate_per_day=3.0",
        "--replications", 3, "--quiet", "--out", "out",
    )
    assert code == 0, err
    assert c.csv["compare.csv"] == (work / "out" / "compare.csv").read_text()
    assert c.replications == 3 and c.seed == 7
    assert set(c.diffs["platform"]) == {"comprehensive", "minhu"}
    assert len(c.summary_a) == len(c.summary_b) == 6


def test_compare_needs_two_sides():
    with pytest.raises(embedsim.ScenarioError, match="compare needs two scenarios"):
        embedsim.compare("s-town")


def design():
    return pd.DataFrame(
        {
            "platforms.minhu.arrival_rate_per_day": [2.0, 3.25, 4.5],
            "leaders.secretary.attention_hours_per_day": [1.5, 3.0, 2.25],
        }
    )


def test_a_design_runs_as_the_cli_sweeps_its_design_file(cli, tmp_path):
    d = design()
    s = embedsim.sweep("s-town", d, set=SHORT, seed=5, replications=2)
    folder = tmp_path / "study"
    folder.mkdir()
    d.to_csv(folder / "points.csv", index=False)
    (folder / "study.toml").write_text(
        f'base = "{REPO / "scenarios" / "s-town.toml"}"\n'
        'design = "points.csv"\nseed = 5\nreplications = 2\n'
        '[set]\n"simulation.duration_days" = 150\n"simulation.warmup_days" = 30\n'
    )
    code, _, err, work = cli("sweep", folder / "study.toml", "--quiet", "--out", "out")
    assert code == 0, err
    assert s.csv["runs.csv"] == (work / "out" / "runs.csv").read_text()
    assert s.csv["points.csv"] == (work / "out" / "points.csv").read_text()
    assert len(s.runs) == 3 * 2 * 2 and s.points["point"].tolist() == [0, 0, 1, 1, 2, 2]


def test_a_point_is_the_run_of_its_values():
    d = design()
    s = embedsim.sweep("s-town", d, set=SHORT, replications=2)
    for p, row in d.iterrows():
        r = embedsim.run("s-town", set=dict(SHORT, **row.to_dict()), replications=2)
        alone = r.summary[r.summary["platform"] == "minhu"]["closed"].mean()
        assert s.mean("closed", "minhu")[p] == alone


def test_a_bad_design_names_its_row():
    d = pd.DataFrame({"platforms.minhu.arrival_rate_per_day": [2.0, -1.0]})
    with pytest.raises(embedsim.ScenarioError) as e:
        embedsim.sweep("s-town", d, set=SHORT, replications=1)
    assert str(e.value).startswith("design row 1 (platforms.minhu.arrival_rate_per_day = -1.0) is not a valid scenario")
    assert "caused by: scenarios/s-town.toml" in str(e.value)
