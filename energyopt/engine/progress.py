"""Progress of a search, for the CLI's status line and for callers of the API.

Every stage reports a :class:`Progress` record: which run (design, diesel only, a point of a
front), which stage, the incumbent, the bound and the gap as they improve. The search calls
the ``progress`` callback it was given and logs the same line at INFO level on
``energyopt.engine``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Progress", "ProgressCallback"]

log = logging.getLogger("energyopt.engine")


@dataclass(frozen=True)
class Progress:
    """One report of a search.

    Attributes
    ----------
    run : str
        What is being solved: ``design``, ``diesel only``, ``point 3 of 6`` ...
    stage : str
        The stage under way (``LP relaxation``, ``convoy split``, ``windowed dispatch`` ...).
    elapsed_s : float
        Time since the run started [s].
    budget_s : float
        Time the run was given [s].
    objective : float
        Net present cost of the best design so far [USD] (NaN before the first).
    bound : float
        Proven lower bound [USD] (-inf before the first).
    message : str
        What just happened, in words.
    """

    run: str
    stage: str
    elapsed_s: float
    budget_s: float
    objective: float
    bound: float
    message: str = ""

    @property
    def gap(self) -> float:
        """``(objective - bound) / |objective|`` [-]; inf while either is missing."""
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return math.inf
        return max((self.objective - self.bound) / max(abs(self.objective), 1e-9), 0.0)

    def line(self) -> str:
        """One line for a log or a status display."""
        parts = [f"{self.run}: {self.stage}"]
        if math.isfinite(self.objective):
            parts.append(f"design {self.objective:,.0f} USD")
        if math.isfinite(self.bound):
            parts.append(f"bound {self.bound:,.0f} USD")
        if math.isfinite(self.gap):
            parts.append(f"gap {100 * self.gap:.2f}%")
        if self.message:
            parts.append(self.message)
        return ", ".join(parts)


#: Signature of a progress callback.
ProgressCallback = Callable[[Progress], None]
