"""Typed errors of energyopt.

Every error speaks the user's language: which field or requirement, which value, why it is a
problem and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in a scenario.

    Attributes
    ----------
    field : str
        Dotted path of the field, e.g. ``battery.min_soc``.
    value : object
        The offending value (``None`` when the field is missing).
    message : str
        Why the value is wrong and how to fix it.
    """

    field: str
    value: object
    message: str

    def __str__(self) -> str:
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"{self.field} = {shown}: {self.message}"


class EnergyoptError(Exception):
    """Base class of the errors energyopt raises on purpose."""


class ScenarioError(EnergyoptError, ValueError):
    """A scenario is invalid; raised before any model is built.

    All problems found are reported at once in ``problems``.
    """

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        lines = [f"{len(self.problems)} problem(s){where}:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    @classmethod
    def single(cls, field: str, value: object, message: str) -> ScenarioError:
        """Build an error holding one problem."""
        return cls([Problem(field, value, message)])


class InfeasibleScenarioError(EnergyoptError):
    """No design can meet the scenario's requirements.

    ``requirements`` names the requirement(s) found to be unmeetable.
    """

    def __init__(self, message: str, requirements: list[str] | None = None) -> None:
        self.requirements = list(requirements or [])
        super().__init__(message)


class SolverError(EnergyoptError):
    """The solver failed, or found no feasible solution within its limits."""


class ResultCheckError(EnergyoptError):
    """A solved result failed a check after the solve (balance, accounting, costs)."""
