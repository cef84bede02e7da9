"""Sub-commands of the ``energyopt`` command that live in their own modules.

Each module here defines ``register(app: typer.Typer) -> None`` and adds its commands to the
application; :mod:`energyopt.cli` calls every ``register`` listed in :data:`MODULES` once the
core commands (``run``, ``validate``, ``sites``, ``pareto``, ``verify``) are defined.
"""

from __future__ import annotations

import importlib

import typer

#: Modules of ``energyopt.commands`` whose ``register(app)`` adds commands, in help order.
MODULES: tuple[str, ...] = ()


def register_all(app: typer.Typer) -> None:
    """Add the commands of every module in :data:`MODULES` to ``app``."""
    for name in MODULES:
        module = importlib.import_module(f"energyopt.commands.{name}")
        module.register(app)
