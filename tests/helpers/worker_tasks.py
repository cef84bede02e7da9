"""Tasks that tests send to worker processes (a process pool, dask).

A worker unpickles a task's function by its module's name, so these live in a module the
workers can import: ``tests/conftest.py`` puts this folder (and only it, not the source tree,
so CI's workers still import the installed energyopt) on ``sys.path`` and ``PYTHONPATH``.
"""

from __future__ import annotations

import os


def square_or_fail(x: int) -> int:
    """Return ``x * x``; raise ValueError for 3."""
    if x == 3:
        raise ValueError("three is not allowed")
    return x * x


def die_at_two(x: int) -> int:
    """Return ``x``; the worker process dies at 2 (as if killed or out of memory)."""
    if x == 2:
        os._exit(3)
    return x
