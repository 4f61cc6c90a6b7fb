"""The Python API of embedsim: scenarios, runs, comparisons and designs, in-process.

Every function calls the embedsim library inside this process (no subprocess, no file written):
the native module returns the very CSV text the ``embedsim`` command writes into its files, and
this module reads it into pandas data frames.
"""

from __future__ import annotations

import io
import json
import math
import os
from functools import cached_property
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

from . import _native
from ._errors import ScenarioError

PathLike = Union[str, "os.PathLike[str]"]
#: Changes to set: a mapping {key path: value}, ``"KEY=VALUE"`` strings (the value in TOML, as
#: ``--set`` takes it), or (key path, value) pairs.
Changes = Union[None, str, Mapping[str, Any], Iterable[Union[str, Tuple[str, Any]]]]


def toml_value(value: Any) -> str:
    """``value`` written in TOML, as ``--set KEY=VALUE`` takes it: ``True`` -> ``true``,
    ``2.5`` -> ``2.5`` (the shortest text that reads back as the same float), ``"routine"`` ->
    ``"routine"``, lists -> arrays, mappings -> inline tables. NumPy scalars count as the Python
    numbers they hold."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        value = value.item()  # a NumPy scalar
    elif hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # a NumPy array or a pandas series
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes are TOML's; DEL must be escaped in TOML too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, Mapping):
        items = ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"{value!r} ({type(value).__name__}) has no TOML form: give a number, a string, a boolean, a list or a mapping")


def set_args(changes: Changes) -> List[str]:
    """``changes`` as the ``--set KEY=VALUE`` arguments of the ``embedsim`` command, in order."""
    if changes is None:
        return []
    if isinstance(changes, str):
        return [changes]
    if isinstance(changes, Mapping):
        return [f"{k}={toml_value(v)}" for k, v in changes.items()]
    out = []
    for item in changes:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, tuple) and len(item) == 2:
            out.append(f"{item[0]}={toml_value(item[1])}")
        else:
            raise TypeError(f"set: expected 'KEY=VALUE' strings or (key, value) pairs, found {item!r}")
    return out


def unset_args(keys: Union[None, str, Iterable[str]]) -> List[str]:
    """``keys`` as the ``--unset KEY`` arguments of the ``embedsim`` command, in order."""
    if keys is None:
        return []
    if isinstance(keys, str):
        return [keys]
    return [str(k) for k in keys]


def frame(text: str) -> pd.DataFrame:
    """A CSV table of embedsim as a data frame: an empty cell is a missing number (NaN), and no
    other text is (a platform named ``NA`` stays ``"NA"``)."""
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def _warmup(warmup: Union[None, str, float, int]) -> Optional[str]:
    if warmup is None:
        return None
    if isinstance(warmup, str):
        return warmup
    return repr(float(warmup))


def _threads(threads: Optional[int]) -> Optional[int]:
    if threads is not None and (isinstance(threads, bool) or int(threads) < 1):
        raise ScenarioError(f"threads: expected a whole number of at least 1, found {threads!r}")
    return None if threads is None else int(threads)


def scenarios() -> pd.DataFrame:
    """The bundled scenarios (``embedsim scenarios``): id, file, description. Any of them can be
    given by id (``"s-town"``) wherever a scenario is."""
    return pd.DataFrame(_native.scenarios(), columns=["id", "file", "description"])


class Scenario:
    """A scenario with its changes: a file or a bundled scenario, ``set`` and ``unset`` applied
    as ``--set`` and ``--unset`` apply them (every set, in order, then every unset). Checked when
    made (``ScenarioError`` with the command's message if it is not valid). Immutable:
    :meth:`set` and :meth:`unset` return a new scenario."""

    def __init__(self, scenario: PathLike, set: Changes = None, unset: Union[None, str, Iterable[str]] = None):
        self.source = os.fspath(scenario)
        self.set_args: Tuple[str, ...] = tuple(set_args(set))
        self.unset_args: Tuple[str, ...] = tuple(unset_args(unset))
        name, origin, description, text = _native.check(self.source, list(self.set_args), list(self.unset_args))
        #: The scenario's name (its ``name`` key).
        self.name: str = name
        #: Where it comes from, as messages name it (a path; a bundled one's path in the repository).
        self.origin: str = origin
        #: What ``embedsim check`` prints about it.
        self.description: str = description
        #: The TOML text of the file (without the changes).
        self.text: str = text

    def set(self, changes: Union[str, Changes], value: Any = ...) -> "Scenario":
        """A copy with more changes: ``sc.set("leaders.secretary.attention_hours_per_day", 2)``,
        ``sc.set({"key.path": value, ...})`` or ``sc.set("key.path=2")``."""
        more = set_args({changes: value}) if value is not ... else set_args(changes)
        return Scenario(self.source, list(self.set_args) + more, list(self.unset_args))

    def unset(self, *keys: str) -> "Scenario":
        """A copy with these keys (or tables) removed, as ``--unset`` removes them."""
        return Scenario(self.source, list(self.set_args), list(self.unset_args) + list(keys))

    @property
    def arguments(self) -> List[str]:
        """The changes as the command's arguments: ``--set K=V`` ..., then ``--unset K`` ...."""
        return [f"--set {s}" for s in self.set_args] + [f"--unset {u}" for u in self.unset_args]

    def run(self, **options: Any) -> "Results":
        """:func:`run` of this scenario."""
        return run(self, **options)

    def __repr__(self) -> str:
        changes = " ".join(self.arguments)
        return f"Scenario({self.source!r}{' ' + changes if changes else ''})"


def _resolve(scenario: Union[PathLike, Scenario], set: Changes, unset) -> Tuple[str, List[str], List[str]]:
    if isinstance(scenario, Scenario):
        return scenario.source, list(scenario.set_args) + set_args(set), list(scenario.unset_args) + unset_args(unset)
    return os.fspath(scenario), set_args(set), unset_args(unset)


def load(scenario: PathLike, set: Changes = None, unset: Union[None, str, Iterable[str]] = None) -> Scenario:
    """The scenario ``scenario`` names — a file, or a bundled scenario by id (``"s-town"``) —
    with the changes applied, checked."""
    return Scenario(scenario, set, unset)


class Results:
    """The tables of a run, as data frames read from the CSV text ``embedsim run`` writes:
    :attr:`summary` (``summary.csv``), :attr:`series` (``timeseries.csv``), :attr:`departments`,
    :attr:`queues`, :attr:`regimes` and, for a scenario with a ranking, :attr:`ranking`. The
    text itself is in :attr:`csv`, by file name."""

    def __init__(self, tables: Mapping[str, str]):
        #: The CSV text of each table, by the name of the file ``embedsim run`` writes.
        self.csv: Dict[str, str] = {k: v for k, v in tables.items() if k.endswith(".csv")}
        #: How the warm-up was chosen, in the command's words.
        self.warmup_note: str = tables.get("warmup_note", "")
        #: The scenario's name.
        self.name: str = tables.get("name", "")

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per replication and platform (README, Outputs)."""
        return frame(self.csv["summary.csv"])

    @cached_property
    def series(self) -> pd.DataFrame:
        """The daily series, long format: replication, day, scope, id, metric, value."""
        return frame(self.csv["timeseries.csv"])

    @cached_property
    def departments(self) -> pd.DataFrame:
        """One row per replication and department."""
        return frame(self.csv["departments.csv"])

    @cached_property
    def queues(self) -> pd.DataFrame:
        """Little's law figures of every queue."""
        return frame(self.csv["queues.csv"])

    @cached_property
    def regimes(self) -> pd.DataFrame:
        """Each platform's regime changes."""
        return frame(self.csv["regimes.csv"])

    @cached_property
    def ranking(self) -> Optional[pd.DataFrame]:
        """The ranking's table, for a scenario with ``[ranking]``; else None."""
        text = self.csv.get("ranking.csv")
        return None if text is None else frame(text)

    def mean(self) -> pd.DataFrame:
        """The summary's numbers averaged over the replications, one row per platform."""
        s = self.summary.drop(columns=["replication"])
        return s.groupby("platform", sort=False).mean(numeric_only=True)

    def __repr__(self) -> str:
        reps = self.summary["replication"].nunique() if len(self.summary) else 0
        return f"<embedsim.Results {self.name!r}: {reps} replications, tables {', '.join(self.csv)}>"


def run(
    scenario: Union[PathLike, Scenario],
    *,
    set: Changes = None,
    unset: Union[None, str, Iterable[str]] = None,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    threads: Optional[int] = None,
    warmup: Union[None, str, float, int] = None,
    warmup_metric: str = "open",
    series: str = "all",
) -> Results:
    """Runs a scenario as ``embedsim run SCENARIO --set ... --unset ... --seed S --replications R``
    does, and returns its tables (the same numbers for the same seed).

    ``warmup``: None (the scenario's ``simulation.warmup_days``), a number of days, or
    ``"auto"`` (MSER-5 on ``warmup_metric``, as ``--warmup auto``). ``series``: which daily series
    :attr:`Results.series` holds: ``all``, ``platforms``, ``weekly`` or ``none`` (then the runs keep
    no daily records, and use far less memory; the summary is the same). ``threads``: worker
    threads (default one per core; the numbers do not depend on it). The GIL is released while
    the simulation runs."""
    source, sets, unsets = _resolve(scenario, set, unset)
    tables = _native.run(
        source, sets, unsets, seed, replications, _threads(threads), _warmup(warmup), warmup_metric, series
    )
    return Results(tables)


class Comparison:
    """A paired comparison: :attr:`diffs` is ``compare.csv`` (B − A per platform and key metric,
    with paired 95% intervals and adjusted p-values); :attr:`summary_a` and :attr:`summary_b`
    are each side's ``summary.csv``."""

    def __init__(self, diffs: str, summary_a: str, summary_b: str, replications: int, seed: int, note: str):
        #: The CSV text: ``compare.csv``, and each side's summary.
        self.csv = {"compare.csv": diffs, "summary_a.csv": summary_a, "summary_b.csv": summary_b}
        #: Paired replications.
        self.replications = replications
        #: The seed of both sides.
        self.seed = seed
        #: How the warm-up was chosen.
        self.warmup_note = note

    @cached_property
    def diffs(self) -> pd.DataFrame:
        return frame(self.csv["compare.csv"])

    @cached_property
    def summary_a(self) -> pd.DataFrame:
        return frame(self.csv["summary_a.csv"])

    @cached_property
    def summary_b(self) -> pd.DataFrame:
        return frame(self.csv["summary_b.csv"])

    def __repr__(self) -> str:
        return f"<embedsim.Comparison: {self.replications} paired replications, seed {self.seed}>"


def compare(
    a: Union[PathLike, Scenario],
    b: Union[None, PathLike, Scenario] = None,
    *,
    set: Changes = None,
    unset: Union[None, str, Iterable[str]] = None,
    set_b: Changes = None,
    unset_b: Union[None, str, Iterable[str]] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    adjust: str = "holm",
    warmup: Union[None, str, float, int] = None,
    warmup_metric: str = "open",
) -> Comparison:
    """Compares B with A on common random numbers, as ``embedsim compare A [B] --set ...
    --set-b ...`` does: ``set``/``unset`` change both sides, ``set_b``/``unset_b`` B only; B is
    A when not given. ``adjust``: ``holm``, ``bh`` or ``none``."""
    if b is None and set_b is None and unset_b is None and set is None:
        raise ScenarioError("compare needs two scenarios, or one scenario and set_b/unset_b to make its variant")
    source_a, set_a, unset_a = _resolve(a, set, unset)
    source_b, both_set, both_unset = _resolve(a if b is None else b, set, unset)
    out = _native.compare(
        source_a,
        source_b,
        set_a,
        unset_a,
        both_set + set_args(set_b),
        both_unset + unset_args(unset_b),
        replications,
        seed,
        _threads(threads),
        adjust,
        _warmup(warmup),
        warmup_metric,
    )
    return Comparison(*out)


class SweepResults:
    """A design run as a sweep: :attr:`runs` is ``runs.csv`` (one row per run — point ×
    replication — and platform, the point's values as columns), :attr:`points` is ``points.csv``
    (per point and platform: each key metric's mean, sd and 95% half-width, the regimes'
    shares). Point ``p`` is row ``p`` of the design, in order."""

    def __init__(self, design: pd.DataFrame, runs: str, points: str):
        #: The design as given.
        self.design = design
        #: The CSV text of ``runs.csv`` and ``points.csv``.
        self.csv = {"runs.csv": runs, "points.csv": points}

    @cached_property
    def runs(self) -> pd.DataFrame:
        return frame(self.csv["runs.csv"])

    @cached_property
    def points(self) -> pd.DataFrame:
        return frame(self.csv["points.csv"])

    def mean(self, metric: str, platform: str) -> pd.Series:
        """``metric``'s mean over each point's replications on ``platform``, one value per point
        (indexed by point)."""
        r = self.runs
        return r[r["platform"] == platform].groupby("point")[metric].mean()

    def __repr__(self) -> str:
        return f"<embedsim.SweepResults: {len(self.design)} points, {len(self.runs)} rows>"


def sweep(
    scenario: Union[PathLike, Scenario],
    design: Union[pd.DataFrame, Mapping[str, Sequence[Any]], Sequence[Mapping[str, Any]]],
    *,
    set: Changes = None,
    unset: Union[None, str, Iterable[str]] = None,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    threads: Optional[int] = None,
) -> SweepResults:
    """Runs every row of ``design`` (one column per key path, e.g.
    ``platforms.minhu.arrival_rate_per_day``; one row per point) as a point of a sweep over
    ``scenario``: the point's values are set as ``--set PATH=VALUE`` sets them, on top of
    ``set``/``unset``. Every point runs ``replications`` replications (default: the scenario's)
    with ``seed`` (default: the scenario's), so a point's numbers are those of ``embedsim run
    SCENARIO --set ... --seed S --replications R``; the runs keep no daily records, as a sweep's."""
    design = design if isinstance(design, pd.DataFrame) else pd.DataFrame(design)
    paths = [str(c) for c in design.columns]
    rows = [[toml_value(v) for v in row] for row in design.itertuples(index=False, name=None)]
    source, sets, unsets = _resolve(scenario, set, unset)
    runs, points = _native.sweep(source, paths, rows, sets, unsets, seed, replications, _threads(threads))
    return SweepResults(design, runs, points)
