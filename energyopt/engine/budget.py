"""The one time budget of a run: a wall-clock deadline shared by every stage.

``solver.time_limit_s`` bounds the whole run (design and baseline, or a whole Pareto front).
A :class:`Budget` owns that deadline; a stage asks it how long one solver call may take and
never gets more than what is left, so the run ends on time even on a busy machine (a solver
call only overruns by what HiGHS takes to notice its own limit).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["Budget"]


class Budget:
    """A deadline on the wall clock.

    Parameters
    ----------
    seconds : float
        Time from now to the deadline [s].
    clock : callable, optional
        Monotonic clock [s] (tests pass a fake one).
    """

    def __init__(self, seconds: float, *,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.start = clock()
        self.seconds = max(float(seconds), 0.0)
        self.deadline = self.start + self.seconds

    def elapsed(self) -> float:
        """Time since the budget started [s]."""
        return self.clock() - self.start

    def left(self) -> float:
        """Time left before the deadline [s] (0 when past it)."""
        return max(self.deadline - self.clock(), 0.0)

    def expired(self, margin_s: float = 0.0) -> bool:
        """Whether at most ``margin_s`` is left."""
        return self.left() <= margin_s

    def child(self, seconds: float) -> Budget:
        """Return a budget of ``seconds`` from now, never past this one's deadline."""
        return Budget(min(seconds, self.left()), clock=self.clock)

    def share(self, fraction: float) -> Budget:
        """Return a budget of a fraction of the time left."""
        return self.child(fraction * self.left())

    def call_limit(self, share: float = 1.0, *, at_most: float = math.inf) -> float:
        """Time limit for one solver call: ``share`` of what is left, at most ``at_most`` [s].

        Never more than what is left; 0 when the budget is spent.
        """
        left = self.left()
        return max(min(left * share, at_most, left), 0.0)
