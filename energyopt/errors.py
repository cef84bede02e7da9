"""Typed errors of energyopt.

Every error speaks the user's language: which field or requirement, which value, why it is a
problem and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import reprlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

_REPR = reprlib.Repr()
(_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple, _REPR.maxset,
 _REPR.maxstring, _REPR.maxother, _REPR.maxlong) = (2, 4, 6, 6, 4, 70, 70, 40)


def shown(value: object) -> str:
    """Return ``value`` as a short text for a message.

    Bounded in time and length whatever the value (a huge or deeply shared structure is cut,
    never walked whole); dates and paths are shown as text, not as Python reprs.
    """
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, str) and len(value) > 80:
        return repr(value[:77]) + "..."
    text = _REPR.repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
        return f"{self.field} = {shown(self.value)}: {self.message}"


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

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its problems, so the error crosses a process pool (energyopt.verify)
        return (type(self), (self.problems, self.source))

    @classmethod
    def single(cls, field: str, value: object, message: str,
               source: str | None = None) -> ScenarioError:
        """Build an error holding one problem (``source``: the file or ``--set``)."""
        return cls([Problem(field, value, message)], source)


class InfeasibleScenarioError(EnergyoptError):
    """No design can meet the scenario's requirements.

    ``requirements`` names the requirement(s) found to be unmeetable.
    """

    def __init__(self, message: str, requirements: list[str] | None = None) -> None:
        self.requirements = list(requirements or [])
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.requirements))


class SolverError(EnergyoptError):
    """The solver failed, or found no feasible solution within its limits."""


class ResultCheckError(EnergyoptError):
    """A solved result failed a check after the solve (balance, accounting, costs)."""
