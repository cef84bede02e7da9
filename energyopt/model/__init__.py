"""The Pyomo model: one block per technology, assembled by :func:`build_model`."""

from energyopt.model.build import CostTerm, build_model
from energyopt.model.params import ModelParams, model_params

__all__ = ["CostTerm", "ModelParams", "build_model", "model_params"]
