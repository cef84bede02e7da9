"""Time-series helpers shared by the load and solar routes.

Read a CSV column, and conform a series onto the model's index with clear errors that name the
scenario field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from energyopt.errors import ScenarioError
from energyopt.scenario import Scenario, SeriesSource

__all__ = ["conform", "read_csv", "read_source", "read_text_csv"]


def read_source(source: SeriesSource, scenario: Scenario, field: str) -> pd.Series:
    """Return the series a :class:`SeriesSource` names (in Python or from its CSV)."""
    if source.series is not None:
        return source.series
    assert source.csv is not None
    return read_csv(scenario.resolve_path(source.csv), source.column, field)


def read_csv(path: Path, column: str | None, field: str) -> pd.Series:
    """Read one numeric column of a CSV whose first column holds timestamps.

    Errors name the scenario ``field`` (e.g. ``load.csv``), the value and the fix.
    """
    if not path.is_file():
        raise ScenarioError.single(f"{field}.csv", str(path), "file not found; check the path "
                                   "(relative paths start at the scenario file's folder)")
    try:
        frame = pd.read_csv(path, index_col=0)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), f"unreadable CSV: {exc}") from exc
    try:
        frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index, utc=True))
    except (ValueError, TypeError) as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), "the first column must hold "
                                   f"timestamps (ISO 8601, e.g. 2025-01-01T00:00+00:00): {exc}"
                                   ) from exc
    if column is None:
        if frame.shape[1] != 1:
            raise ScenarioError.single(f"{field}.column", None, "the CSV has several columns "
                                       f"{list(frame.columns)}; name one in 'column'")
        column = str(frame.columns[0])
    if column not in frame.columns:
        raise ScenarioError.single(f"{field}.column", column,
                                   f"no such column in {path.name}; columns: "
                                   f"{list(frame.columns)}")
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        raise ScenarioError.single(f"{field}.csv", str(frame[column][bad].iloc[0]),
                                   f"non-numeric value in column '{column}' of {path.name} at "
                                   f"row {int(np.flatnonzero(bad.to_numpy())[0]) + 2}")
    return values


def conform(series: pd.Series, index: pd.DatetimeIndex, field: str, *, lower: float,
             upper: float, unit: str) -> pd.Series:
    """Check one value per step, finite and within bounds, and relabel onto ``index``."""
    if len(series) != len(index):
        raise ScenarioError.single(
            field, f"{len(series)} values",
            f"needs one value per modelled step: {len(index)} ({index[0]} to {index[-1]}); "
            "change horizon.days / horizon.step_minutes or the series")
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if isinstance(series.index, pd.DatetimeIndex) and len(series) > 1:
        step = series.index[1] - series.index[0]
        if step != index[1] - index[0] or not (
                (series.index[1:] - series.index[:-1]) == step).all():
            raise ScenarioError.single(
                field, str(step), f"timestamps must be regular at the model's step "
                f"({index[1] - index[0]})")
    nan = np.flatnonzero(~np.isfinite(values))
    if nan.size:
        raise ScenarioError.single(field, values[nan[0]],
                                   f"{nan.size} missing or infinite value(s), first at step "
                                   f"{nan[0]} ({index[nan[0]]}); fill the gaps")
    out = np.flatnonzero((values < lower) | (values > upper))
    if out.size:
        raise ScenarioError.single(field, values[out[0]],
                                   f"value at step {out[0]} ({index[out[0]]}) outside "
                                   f"[{lower}, {upper}] {unit}")
    return pd.Series(values, index=index, name=series.name)


def read_text_csv(path: Path, field: str) -> pd.DataFrame:
    """Read a CSV file as text (``#`` comments allowed), errors naming ``{field}.csv``."""
    if not path.is_file():
        raise ScenarioError.single(f"{field}.csv", str(path), "file not found; check the path "
                                   "(relative paths start at the scenario file's folder)")
    try:
        return pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(f"{field}.csv", str(path), f"unreadable CSV: {exc}") from exc
