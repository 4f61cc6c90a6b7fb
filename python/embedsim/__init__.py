"""embedsim: how digital governance platforms embed — or float — in a township.

The simulator's library, called in-process::

    import embedsim
    results = embedsim.run("s-town", set={"simulation.duration_days": 365}, replications=2)
    print(results.mean()[["on_time_share", "mean_wait_hours"]])

:func:`run` gives the tables ``embedsim run`` writes (the same numbers for the same seed) as
pandas data frames; :func:`compare` is ``embedsim compare``; :func:`sweep` runs the rows of a
design data frame as the points of a sweep; :mod:`embedsim.ema` adapts a scenario to the EMA
Workbench. Errors are :class:`ScenarioError` (bad inputs) or :class:`SimulationError`, with the
command's messages. docs/PYTHON.md in the repository is the guide.
"""

from ._errors import EmbedsimError, ScenarioError, SimulationError
from ._api import (
    Comparison,
    Results,
    Scenario,
    SweepResults,
    compare,
    frame,
    load,
    run,
    scenarios,
    set_args,
    sweep,
    toml_value,
    unset_args,
)
from ._native import BUILD, VERSION

__version__ = VERSION

__all__ = [
    "BUILD",
    "Comparison",
    "EmbedsimError",
    "Results",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "SweepResults",
    "VERSION",
    "compare",
    "frame",
    "load",
    "run",
    "scenarios",
    "set_args",
    "sweep",
    "toml_value",
    "unset_args",
]
