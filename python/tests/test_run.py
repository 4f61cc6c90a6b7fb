"""embedsim.run gives the command's tables, byte for byte, for the same scenario and seed; a bad
input raises with the command's message."""

import pandas as pd
import pytest

import embedsim
from conftest import REPO, SHORT, short_args

TABLES = ["summary.csv", "timeseries.csv", "departments.csv", "queues.csv", "regimes.csv"]


def test_s_town_gives_the_same_tables_as_the_cli(cli):
    r = embedsim.run("s-town", set=SHORT, seed=11, replications=2)
    code, _, err, work = cli("run", "s-town", *short_args(), "--seed", 11, "--replications", 2, "--quiet", "--out", "out")
    assert code == 0, err
    for name in TABLES:
        assert r.csv[name] == (work / "out" / name).read_text(), name
    cli_summary = embedsim.frame((work / "out" / "summary.csv").read_text())
    pd.testing.assert_frame_equal(r.summary, cli_summary)
    assert list(r.summary.columns[:7]) == [
        "replication", "platform", "arrived", "closed", "mean_wait_hours", "mean_sojourn_hours", "regime",
    ]
    assert r.summary["replication"].tolist() == [0, 0, 1, 1]
    assert set(r.series["scope"]) >= {"platform", "department", "leader"}
    assert r.warmup_note == "warm-up 30 days (simulation.warmup_days)"


def test_a_file_and_the_bundled_scenario_of_that_name_run_alike():
    by_name = embedsim.run("s-town", set=SHORT, replications=1)
    by_file = embedsim.run(REPO / "scenarios" / "s-town.toml", set=SHORT, replications=1)
    assert by_name.csv["summary.csv"] == by_file.csv["summary.csv"]


def test_a_scenario_object_carries_its_changes():
    sc = embedsim.load("s-town").set(SHORT).set("leaders.secretary.attention_hours_per_day", 2.5)
    sc = sc.unset("platforms.comprehensive.operator.offline_prob")
    direct = embedsim.run(
        "s-town",
        set=dict(SHORT, **{"leaders.secretary.attention_hours_per_day": 2.5}),
        unset=["platforms.comprehensive.operator.offline_prob"],
        replications=1,
    )
    assert sc.run(replications=1).csv == direct.csv
    assert sc.arguments[-1] == "--unset platforms.comprehensive.operator.offline_prob"
    assert sc.origin == "scenarios/s-town.toml" and "[simulation]" in sc.text
    assert "s-town" in embedsim.scenarios()["id"].tolist()


def test_threads_and_series_do_not_change_the_summary():
    base = embedsim.run("s-town", set=SHORT, replications=3, threads=1)
    many = embedsim.run("s-town", set=SHORT, replications=3, threads=3)
    lean = embedsim.run("s-town", set=SHORT, replications=3, series="none")
    assert base.csv == many.csv
    assert lean.csv["summary.csv"] == base.csv["summary.csv"]
    assert len(lean.series) == 0 and list(lean.series.columns)[:2] == ["replication", "day"]


@pytest.mark.parametrize(
    "python, cli_args",
    [
        # A misspelt key.
        (dict(set={"platforms.minhu.arival_rate_per_day": 3}), ["--set", "platforms.minhu.arival_rate_per_day=3"]),
        # A value of the wrong type.
        (dict(set={"platforms.minhu.arrival_rate_per_day": "many"}), ["--set", 'platforms.minhu.arrival_rate_per_day="many"']),
        # A value out of range, given as the command's own KEY=VALUE.
        (dict(set=["leaders.secretary.attention_hours_per_day=-1"]), ["--set", "leaders.secretary.attention_hours_per_day=-1"]),
        # A misspelt entity.
        (dict(set={"departments.enforcment.staff": 3}), ["--set", "departments.enforcment.staff=3"]),
        # A key that is not there to unset.
        (dict(unset="platforms.minhu.no_such_key"), ["--unset", "platforms.minhu.no_such_key"]),
        # Not KEY=VALUE.
        (dict(set=["platforms.minhu.arrival_rate_per_day"]), ["--set", "platforms.minhu.arrival_rate_per_day"]),
    ],
)
def test_a_bad_change_raises_with_the_cli_message(cli, python, cli_args):
    with pytest.raises(embedsim.ScenarioError) as e:
        embedsim.run("s-town", **python)
    code, _, err, _ = cli("run", "s-town", *cli_args, "--quiet", "--out", "out")
    assert code == 1
    assert err.startswith("error: ")
    assert str(e.value) == err[len("error: "):].rstrip("\n")
    assert isinstance(e.value, ValueError) and isinstance(e.value, embedsim.EmbedsimError)


def test_a_missing_scenario_raises_with_the_cli_message(cli):
    with pytest.raises(embedsim.ScenarioError) as e:
        embedsim.load("no-such-town")
    code, _, err, _ = cli("check", "no-such-town")
    assert code == 1
    assert str(e.value) == err[len("error: "):].rstrip("\n")
    assert "no bundled scenario of that name" in str(e.value)


def test_options_out_of_range_raise():
    with pytest.raises(embedsim.ScenarioError, match="replications must be at least 1"):
        embedsim.run("s-town", replications=0)
    with pytest.raises(embedsim.ScenarioError, match="series: expected all, platforms, weekly or none"):
        embedsim.run("s-town", series="daily")
    with pytest.raises(embedsim.ScenarioError, match="expected less than duration_days"):
        embedsim.run("s-town", set={"simulation.duration_days": 20}, replications=1)
    with pytest.raises(embedsim.ScenarioError, match="warm-up of 200 days is not shorter than"):
        embedsim.run("s-town", set=SHORT, replications=1, warmup=200)


def test_values_are_written_in_toml():
    v = embedsim.toml_value
    assert v(True) == "true" and v(3) == "3" and v(2.5) == "2.5" and v(0.1) == "0.1"
    assert v(1e-7) == "1e-07" and v(float("inf")) == "inf"
    assert v('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert v([1, 2.5]) == "[1, 2.5]"
    assert v({"from_day": 120, "multiplier": 5.0}) == '{ "from_day" = 120, "multiplier" = 5.0 }'
    import numpy as np

    assert v(np.float64(0.25)) == "0.25" and v(np.int64(4)) == "4" and v(np.bool_(False)) == "false"
    with pytest.raises(TypeError):
        v(None)
