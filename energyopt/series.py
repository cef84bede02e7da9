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

__all__ = ["DEFAULT_PATHS_TEXT", "check_file", "conform", "read_csv", "read_source",
           "read_text_csv"]


#: Where relative paths start, when the caller does not say (see
#: :meth:`~energyopt.scenario.Scenario.relative_paths_text`).
DEFAULT_PATHS_TEXT = "relative paths start at the scenario file's folder"


def read_source(source: SeriesSource, scenario: Scenario, field: str) -> pd.Series:
    """Return the series a :class:`SeriesSource` names (in Python or from its CSV)."""
    if source.series is not None:
        return source.series
    assert source.csv is not None
    return read_csv(scenario.resolve_path(source.csv), source.column, field,
                    paths=scenario.relative_paths_text())


def check_file(path: Path, field: str, paths: str = DEFAULT_PATHS_TEXT) -> None:
    """Raise a :class:`ScenarioError` on ``field`` unless ``path`` is a readable, non-empty file.

    Parameters
    ----------
    path : Path
        The file, already resolved.
    field : str
        Scenario field named in the error, e.g. ``load.csv``.
    paths : str
        Where relative paths start, shown with a missing file.
    """
    if path.is_dir():
        raise ScenarioError.single(field, str(path), "this is a folder, not a file; give the "
                                   "path of the file itself")
    if not path.is_file():
        raise ScenarioError.single(field, str(path), f"file not found; check the path ({paths})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError.single(field, str(path), f"cannot read the file ({exc}); check its "
                                   "permissions") from exc
    if size == 0:
        raise ScenarioError.single(field, str(path), "the file is empty; give a CSV with a "
                                   "header row and one row per time step")


def _read_error(path: Path, field: str, exc: Exception) -> ScenarioError:
    """Return a ScenarioError for a CSV that pandas cannot read."""
    if isinstance(exc, pd.errors.EmptyDataError):
        return ScenarioError.single(field, str(path), "the file holds no CSV data (empty or only "
                                    "comments); it needs a header row and data rows")
    if isinstance(exc, UnicodeDecodeError):
        return ScenarioError.single(field, str(path), "not a text file (bytes that are not "
                                    "UTF-8); save it as a UTF-8 CSV")
    return ScenarioError.single(field, str(path), f"unreadable CSV ({exc}); save it as a CSV "
                                "with a header row and commas between columns")


def read_csv(path: Path, column: str | None, field: str, *,
             paths: str = DEFAULT_PATHS_TEXT) -> pd.Series:
    """Read one numeric column of a CSV whose first column holds timestamps.

    Errors name the scenario ``field`` (e.g. ``solar.pv_kw_per_kwp``), the value and the fix;
    ``paths`` says where relative paths start. Blank cells are NaN; infinite values are
    refused with their row.
    """
    check_file(path, f"{field}.csv", paths)
    try:
        frame = pd.read_csv(path, index_col=0)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _read_error(path, f"{field}.csv", exc) from exc
    if frame.empty or frame.shape[1] == 0:
        header = str(frame.index.name or "")
        sep = next((c for c in (";", "\t", "|") if c in header), None)
        hint = f" (the header looks separated by '{sep}': use commas)" if sep else ""
        raise ScenarioError.single(f"{field}.csv", str(path), "no data rows or no value column"
                                   f"{hint}; give a timestamp column, a value column and one "
                                   "row per modelled step")
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
                                   f"row {int(np.flatnonzero(bad.to_numpy())[0]) + 2}; give a "
                                   "number (decimal point '.')")
    infinite = np.flatnonzero(np.isinf(values.to_numpy(dtype=float)))
    if infinite.size:
        row = int(infinite[0])
        raise ScenarioError.single(f"{field}.csv", str(frame[column].iloc[row]),
                                   f"infinite value in column '{column}' of {path.name} at row "
                                   f"{row + 2} ({frame.index[row]}); give a finite number")
    return values


def conform(series: pd.Series, index: pd.DatetimeIndex, field: str, *, lower: float,
             upper: float, unit: str) -> pd.Series:
    """Check one value per step, finite and within bounds, and relabel onto ``index``."""
    if len(series) != len(index):
        raise ScenarioError.single(
            field, f"{len(series)} values",
            f"needs one value per modelled step: {len(index)} ({index[0]} to {index[-1]}); "
            "change horizon.days / horizon.step_minutes or the series")
    numeric = pd.to_numeric(series, errors="coerce")
    text = np.flatnonzero((numeric.isna() & series.notna()).to_numpy())
    if text.size:
        raise ScenarioError.single(field, str(series.iloc[int(text[0])]),
                                   f"non-numeric value at step {int(text[0])} "
                                   f"({index[int(text[0])]}); give numbers in {unit}")
    values = numeric.to_numpy(dtype=float)
    if isinstance(series.index, pd.DatetimeIndex) and len(series) > 1:
        step = series.index[1] - series.index[0]
        model_minutes = (index[1] - index[0]) / pd.Timedelta(minutes=1)
        if step != index[1] - index[0] or not (
                (series.index[1:] - series.index[:-1]) == step).all():
            raise ScenarioError.single(
                field, f"{step / pd.Timedelta(minutes=1):g} min",
                f"timestamps must be regular at the model's step ({model_minutes:g} min); give "
                "one value per modelled step")
    nan = np.flatnonzero(np.isnan(values))
    if nan.size:
        raise ScenarioError.single(field, "NaN",
                                   f"{nan.size} missing value(s), first at step {nan[0]} "
                                   f"({index[nan[0]]}); give a value for every step")
    inf = np.flatnonzero(np.isinf(values))
    if inf.size:
        raise ScenarioError.single(field, str(values[inf[0]]),
                                   f"{inf.size} infinite value(s), first at step {inf[0]} "
                                   f"({index[inf[0]]}); give finite values within "
                                   f"[{lower:g}, {upper:g}] {unit}")
    out = np.flatnonzero((values < lower) | (values > upper))
    if out.size:
        raise ScenarioError.single(field, float(values[out[0]]),
                                   f"value at step {out[0]} ({index[out[0]]}) outside "
                                   f"[{lower:g}, {upper:g}] {unit} ({out.size} such value(s)); "
                                   "check the unit and the data")
    return pd.Series(values, index=index, name=series.name)


def read_text_csv(path: Path, field: str, *, paths: str = DEFAULT_PATHS_TEXT) -> pd.DataFrame:
    """Read a CSV file as text (``#`` comments allowed), errors naming ``{field}.csv``.

    ``paths`` says where relative paths start, shown when the file is missing.
    """
    check_file(path, f"{field}.csv", paths)
    try:
        return pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _read_error(path, f"{field}.csv", exc) from exc
