"""Sub-commands of the ``energyopt`` command that live in their own modules.

Each module here defines ``register(app: typer.Typer) -> None`` and adds its commands to the
application; :mod:`energyopt.cli` calls every module's ``register``, in the order of their
names, once the core commands (``run``, ``validate``, ``sites``, ``pareto``, ``verify``) are
defined. A new command is a new module: nothing else to edit.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer


def modules() -> list[str]:
    """Return the names of the command modules of this package, sorted."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__)
                  if not info.name.startswith("_"))


def register_all(app: typer.Typer) -> None:
    """Add the commands of every module of this package to ``app``."""
    for name in modules():
        module = importlib.import_module(f"energyopt.commands.{name}")
        module.register(app)
