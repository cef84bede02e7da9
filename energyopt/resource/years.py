"""Weather years for ensembles: seeds of the embedded generator or a file's real years.

:func:`weather_years` lists one scenario override per weather year, for
``build_inputs(scenario.with_overrides(o))``:

* the embedded generator (``solar.weather: embedded``): ``{"solar.seed": s}`` with distinct
  seeds derived from ``seed``; each set seed draws a year with the inter-annual variability of
  the site's climate zone (:mod:`energyopt.resource.embedded`, steps 8-10);
* a multi-year weather file (a NASA POWER hourly series, a PVGIS hourly series, a multi-year
  EPW or a generic CSV series): ``{"solar.weather.year": y}`` for its complete calendar years,
  the most recent ``years`` of them; a file with fewer complete years gives fewer overrides,
  with a logged warning;
* a typical-year file or a PVGIS typical year: ``[{}]``, the file as it is (one year).

When the scenario sets ``solar.design_percentile``, every override also carries
``"solar.design_percentile": None``: an override names its year, and the design percentile
(:mod:`energyopt.resource.design`), which picks a year itself, cannot be set beside it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from energyopt.scenario import PvgisSpec, Scenario

if TYPE_CHECKING:
    from energyopt.resource.files import WeatherMeta

__all__ = ["weather_years"]

_LOG = logging.getLogger(__name__)

#: Hours a calendar year of a file must hold (gaps filled) to count as a complete year.
_MIN_HOURS = 8760


def weather_years(scenario: Scenario | str | Path, years: int, seed: int = 0
                  ) -> list[dict[str, Any]]:
    """Scenario overrides giving ``years`` different weather years of a scenario's site.

    Parameters
    ----------
    scenario : Scenario, str or Path
        The scenario (or its file).
    years : int
        Weather years wanted (>= 1).
    seed : int
        Seed (>= 0) from which the embedded generator's seeds are derived; the same ``seed``
        and ``years`` always give the same list, and a longer list starts with the shorter
        one.

    Returns
    -------
    list of dict
        One override mapping per year: ``{"solar.seed": s}`` (embedded weather; ``s`` distinct,
        within 0..2**32-1), ``{"solar.weather.year": y}`` (a multi-year file's complete calendar
        years, ascending, the most recent ones) or ``{}`` (a typical-year file or PVGIS: one
        year). Fewer than ``years`` entries when a file holds fewer years; a warning is logged.
        With ``solar.design_percentile`` set, each also holds ``"solar.design_percentile":
        None`` (see the module doc).

    Raises
    ------
    ValueError
        For ``years < 1`` or a negative ``seed``.
    ScenarioError
        When the scenario or its weather file cannot be read.
    """
    from energyopt.scenario import load_scenario

    if isinstance(years, bool) or not isinstance(years, int | np.integer) or years < 1:
        raise ValueError(f"years={years!r} must be a whole number >= 1")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed={seed!r} must be a whole number >= 0")
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return _ensemble(sc, int(years), int(seed))


def _ensemble(sc: Scenario, years: int, seed: int,
              read: tuple[pd.DataFrame, WeatherMeta] | None = None) -> list[dict[str, Any]]:
    """Return the overrides of :func:`weather_years` (arguments already checked).

    ``read`` is the scenario's weather file as :func:`_read_file` returns it, when already
    read (a multi-year file is read once for the design year's whole ensemble).
    """
    out = _years(sc, years, seed, read)
    if sc.solar.design_percentile is not None:
        # each override names its year; the design percentile would pick another one
        return [{**o, "solar.design_percentile": None} for o in out]
    return out


def _years(sc: Scenario, years: int, seed: int,
           read: tuple[pd.DataFrame, WeatherMeta] | None) -> list[dict[str, Any]]:
    weather = sc.solar.weather
    if isinstance(weather, str):
        if sc.solar.pv_kw_per_kwp is not None:
            _LOG.warning("solar.pv_kw_per_kwp is given: the weather years change the air "
                         "temperature (and the load's cooling) but not the PV output")
        return [{"solar.seed": s} for s in _seeds(seed, years)]
    if isinstance(weather, PvgisSpec):
        _LOG.warning("PVGIS gives one typical year: 1 weather year instead of %d; give a "
                     "multi-year file (NASA POWER, PVGIS hourly series, EPW series) or "
                     "solar.weather: embedded for an ensemble", years)
        return [{}]
    complete = _complete_years(*(read if read is not None else _read_file(sc)))
    if not complete:
        _LOG.warning("%s holds no complete calendar year of a series (a typical year): "
                     "1 weather year instead of %d", weather.file, years)
        return [{}]
    picked = complete[-years:]
    if len(picked) < years:
        _LOG.warning("%s holds %d complete calendar year(s) (%s): %d weather year(s) "
                     "instead of %d", weather.file, len(complete),
                     ", ".join(str(y) for y in complete), len(picked), years)
    return [{"solar.weather.year": y} for y in picked]


def _seeds(seed: int, years: int) -> list[int]:
    """``years`` distinct 32-bit seeds derived from ``seed`` (a prefix-stable sequence)."""
    n = years
    while True:
        values = np.random.SeedSequence(seed).generate_state(n, dtype=np.uint32)
        out = list(dict.fromkeys(int(v) for v in values))
        if len(out) >= years:
            return out[:years]
        n += years


def _read_file(scenario: Scenario) -> tuple[pd.DataFrame, WeatherMeta]:
    """Read a scenario's weather file as :func:`~energyopt.resource.files.weather_from_spec`."""
    from energyopt.resource.files import read_weather

    spec = scenario.solar.weather
    assert not isinstance(spec, str | PvgisSpec)
    path = spec.file.expanduser()
    base = scenario.base_dir if scenario.base_dir is not None else Path.cwd()
    path = path if path.is_absolute() else base / path
    site = scenario.site_spec()
    return read_weather(path, spec.format, columns=spec.columns, timezone=spec.timezone,
                        label=spec.label, latitude=site.latitude, longitude=site.longitude)


def _complete_years(frame: pd.DataFrame, meta: WeatherMeta) -> list[int]:
    """Complete calendar years of a weather series (empty for a typical year)."""
    if meta.kind != "series":
        return []
    index = pd.DatetimeIndex(frame.index)
    counts = pd.Series(frame["ghi"].notna().to_numpy()).groupby(index.year.to_numpy()).sum()
    return [int(y) for y, n in zip(counts.index.tolist(), counts.tolist(), strict=True)
            if int(n) >= _MIN_HOURS]
