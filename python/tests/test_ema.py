"""An EMA Workbench study over S town, on MultiprocessingEvaluator's forked workers, gives the
command's numbers for the same points, in a few seconds."""

import time

import ema_workbench
import pytest

import embedsim
import embedsim.ema
from conftest import SHORT

UNCERTAINTIES = {
    "platforms.minhu.arrival_rate_per_day": (2.0, 4.0),
    "leaders.secretary.attention_hours_per_day": (1.0, 4.0),
}
OUTCOMES = ["minhu.on_time_share", "minhu.mean_wait_hours", "comprehensive.closed"]


def study_model():
    return embedsim.ema.model(
        "s-town", uncertainties=UNCERTAINTIES, outcomes=OUTCOMES, set=SHORT, replications=2, seed=3
    )


def test_a_study_on_forked_workers_gives_the_cli_numbers(cli):
    model = study_model()
    # A pool of worker threads in the parent before the evaluator forks.
    embedsim.run("s-town", set=SHORT, replications=2, threads=2)
    started = time.monotonic()
    with ema_workbench.MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=6)
    took = time.monotonic() - started
    assert took < 30, f"the study took {took:.1f} s"
    assert len(experiments) == 6
    assert set(outcomes) == {"minhu__on_time_share", "minhu__mean_wait_hours", "comprehensive__closed"}
    for i, row in experiments.iterrows():
        values = {name: row[name] for name in model.paths}
        args = []
        for change in model.experiment.changes(values):
            args += ["--set", change]
        code, _, err, work = cli("run", "s-town", *args, "--seed", 3, "--replications", 2, "--quiet", "--out", f"p{i}")
        assert code == 0, err
        summary = embedsim.frame((work / f"p{i}" / "summary.csv").read_text())
        for spec in OUTCOMES:
            platform, metric = spec.split(".")
            expected = summary[summary["platform"] == platform][metric].mean()
            assert outcomes[spec.replace(".", "__")][i] == expected, (i, spec)


def test_parameters_are_named_without_dots_and_map_back():
    model = study_model()
    names = [u.name for u in model.uncertainties]
    assert names == ["platforms__minhu__arrival_rate_per_day", "leaders__secretary__attention_hours_per_day"]
    assert model.paths[names[0]] == "platforms.minhu.arrival_rate_per_day"
    assert [o.name for o in model.outcomes] == ["minhu__on_time_share", "minhu__mean_wait_hours", "comprehensive__closed"]


def test_a_bad_key_fails_when_the_model_is_made():
    with pytest.raises(embedsim.ScenarioError, match="unknown key"):
        embedsim.ema.model("s-town", uncertainties=UNCERTAINTIES, outcomes=OUTCOMES, set={"simulation.duration_dayz": 3})


def test_integer_and_categorical_parameters():
    model = embedsim.ema.model(
        "s-town",
        uncertainties={"departments.social_affairs.staff": (2, 4)},
        levers={"platforms.minhu.dispatch": ["leader", "operator"]},
        outcomes=["minhu.closed"],
    )
    assert type(model.uncertainties[0]).__name__ == "IntegerParameter"
    assert type(model.levers[0]).__name__ == "CategoricalParameter"
