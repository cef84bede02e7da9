"""``python -m energyopt``: the ``energyopt`` command."""

from energyopt.cli import app

if __name__ == "__main__":
    app(prog_name="energyopt")
