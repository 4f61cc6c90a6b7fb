"""An EMA Workbench model of an embedsim scenario.

Uncertainties and levers are key paths of the scenario (``platforms.minhu.arrival_rate_per_day``);
outcomes are columns of the run's summary on a platform (``minhu.on_time_share``), averaged over
the replications. Each experiment is one :func:`embedsim.run` in the evaluating process — no
subprocess, no file — so the model works with EMA's ``SequentialEvaluator`` and, on Linux, with
``MultiprocessingEvaluator`` (which forks: embedsim leaves no thread behind a call, so a forked
worker runs as the parent does).

EMA names its parameters and outcomes with Python identifiers, and key paths hold dots, so each
key path gets a name (:func:`name_of`: the dots become double underscores,
``platforms__minhu__arrival_rate_per_day``), unless one is given; ``model.paths`` maps names back
to key paths. Example::

    from ema_workbench import MultiprocessingEvaluator
    import embedsim.ema

    model = embedsim.ema.model(
        "s-town",
        uncertainties={"platforms.minhu.arrival_rate_per_day": (2.0, 4.0),
                       "leaders.secretary.attention_hours_per_day": (1.0, 4.0)},
        outcomes=["minhu.on_time_share", "minhu.mean_wait_hours"],
        set={"simulation.duration_days": 365}, replications=2)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=16)
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ._api import Changes, Scenario, run, set_args, toml_value, unset_args

try:
    import ema_workbench as _ema
except ImportError as e:  # pragma: no cover - a clear message instead of a bare ImportError
    raise ImportError(
        "embedsim.ema needs the EMA Workbench: pip install ema-workbench (2.5.3 on Python 3.11)"
    ) from e

#: A range (low, high) — real if either bound is a float, integer if both are ints — or a list of
#: the values it may take (categorical).
Bounds = Union[Tuple[Any, Any], Sequence[Any]]


def name_of(path: str) -> str:
    """The EMA name of a key path: its dots as double underscores."""
    return path.replace(".", "__")


def _parameters(spec: Union[None, Mapping[str, Bounds]], names: Dict[str, str]) -> List[Any]:
    out = []
    for path, bounds in (spec or {}).items():
        name = name_of(path)
        if name in names:
            raise ValueError(f"{path}: given twice (as uncertainty and lever, or under two spellings)")
        names[name] = path
        if isinstance(bounds, tuple) and len(bounds) == 2:
            low, high = bounds
            if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
                out.append(_ema.IntegerParameter(name, low, high))
            else:
                out.append(_ema.RealParameter(name, float(low), float(high)))
        elif isinstance(bounds, (list, tuple)) and len(bounds) > 0:
            out.append(_ema.CategoricalParameter(name, list(bounds)))
        else:
            raise ValueError(f"{path}: expected (low, high) or a list of values, found {bounds!r}")
    return out


def _outcome(spec: str) -> Tuple[str, str]:
    platform, sep, metric = spec.partition(".")
    if not sep or not platform or not metric:
        raise ValueError(f"outcome {spec!r}: expected PLATFORM.COLUMN, e.g. minhu.on_time_share")
    return platform, metric


class Experiment:
    """The function EMA calls for each experiment: the parameters' values by EMA name in, the
    outcomes by name out. An object (not a closure), so that it pickles for any evaluator."""

    def __init__(
        self,
        scenario: str,
        paths: Mapping[str, str],
        outcomes: Mapping[str, Tuple[str, str]],
        set: Sequence[str],
        unset: Sequence[str],
        seed: Optional[int],
        replications: Optional[int],
        threads: Optional[int],
    ):
        self.scenario = scenario
        self.paths = dict(paths)
        self.outcomes = dict(outcomes)
        self.set = list(set)
        self.unset = list(unset)
        self.seed = seed
        self.replications = replications
        self.threads = threads

    def changes(self, values: Mapping[str, Any]) -> List[str]:
        """The ``--set PATH=VALUE`` arguments of one experiment, after the model's own."""
        return self.set + [f"{self.paths[n]}={toml_value(v)}" for n, v in values.items() if n in self.paths]

    def __call__(self, **values: Any) -> Dict[str, float]:
        r = run(
            self.scenario,
            set=self.changes(values),
            unset=self.unset,
            seed=self.seed,
            replications=self.replications,
            threads=self.threads,
            series="none",
        )
        s = r.summary
        out = {}
        for name, (platform, metric) in self.outcomes.items():
            rows = s[s["platform"] == platform]
            if rows.empty:
                raise ValueError(f"outcome {name}: the scenario has no platform {platform!r}")
            if metric not in rows:
                raise ValueError(f"outcome {name}: the summary has no column {metric!r}")
            out[name] = float(rows[metric].mean())
        return out


def model(
    scenario: Union[str, "os.PathLike[str]", Scenario] = "s-town",
    *,
    uncertainties: Optional[Mapping[str, Bounds]] = None,
    levers: Optional[Mapping[str, Bounds]] = None,
    outcomes: Union[Sequence[str], Mapping[str, str]],
    name: str = "embedsim",
    set: Changes = None,
    unset: Union[None, str, Iterable[str]] = None,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    threads: Optional[int] = 1,
) -> Any:
    """An ``ema_workbench.Model`` of ``scenario``.

    ``uncertainties`` and ``levers``: {key path: (low, high) or [values]}. ``outcomes``:
    ``"PLATFORM.COLUMN"`` strings (named ``PLATFORM__COLUMN``) or {name: ``"PLATFORM.COLUMN"``};
    each is the column of the summary on that platform, averaged over the replications (an
    undefined value, an empty cell, is NaN). ``set``/``unset``: changes every experiment makes
    first. ``seed``/``replications``: as in :func:`embedsim.run` (default: the scenario's). Each
    experiment runs on ``threads`` worker threads (1: let the evaluator's processes share the
    cores). The model's ``paths`` maps EMA names to key paths, and ``experiment`` is the function
    it calls."""
    if isinstance(scenario, Scenario):
        source, sets, unsets = scenario.source, list(scenario.set_args), list(scenario.unset_args)
    else:
        source, sets, unsets = os.fspath(scenario), [], []
    sets += set_args(set)
    unsets += unset_args(unset)
    paths: Dict[str, str] = {}
    unc = _parameters(uncertainties, paths)
    lev = _parameters(levers, paths)
    if isinstance(outcomes, Mapping):
        named = {n: _outcome(spec) for n, spec in outcomes.items()}
    else:
        named = {name_of(spec): _outcome(spec) for spec in outcomes}
    experiment = Experiment(source, paths, named, sets, unsets, seed, replications, threads)
    # Checked now, with the changes alone: a bad key fails here, not in every experiment.
    Scenario(source, sets, unsets)
    m = _ema.Model(name, function=experiment)
    m.uncertainties = unc
    m.levers = lev
    m.outcomes = [_ema.ScalarOutcome(n) for n in named]
    m.paths = dict(paths)
    m.experiment = experiment
    return m


def outcomes_frame(outcomes: Mapping[str, Any]) -> "Any":
    """EMA's outcomes dictionary as a data frame, one column per outcome."""
    import pandas as pd

    return pd.DataFrame({k: list(v) for k, v in outcomes.items()})


def key_paths(experiments: "Any", model: Any) -> "Any":
    """EMA's experiments table with its parameter columns renamed to their key paths (and only
    those columns): the design :func:`embedsim.sweep` takes."""
    cols = [n for n in model.paths if n in experiments.columns]
    return experiments[cols].rename(columns=model.paths)


__all__ = ["Experiment", "model", "name_of", "key_paths", "outcomes_frame"]
