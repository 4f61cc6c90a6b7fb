"""The exceptions of embedsim. The native module raises them by name (embedsim._errors)."""


class EmbedsimError(Exception):
    """Any error of embedsim. Its message is what the ``embedsim`` command prints after
    ``error:``: the error's own line, then ``  caused by: ...`` for each cause."""


class ScenarioError(EmbedsimError, ValueError):
    """The inputs are at fault: no such scenario, a bad ``set``/``unset`` key or value, a
    scenario that does not validate, an option out of its range, a design row that is not a
    valid scenario."""


class SimulationError(EmbedsimError, RuntimeError):
    """A run failed once started (for example, a run stopped at one of the scenario's limits)."""
