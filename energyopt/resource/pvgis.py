"""PVGIS typical meteorological years: the download and its cache on disk.

The one network call of energyopt (:func:`_pvgis_request`). A cached copy is used without any
network access; read it with :func:`~energyopt.resource.files.read_weather` (format
``'pvgis_json'``).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pvlib
import requests

from energyopt.errors import ScenarioError

__all__ = ["PVGIS_DECIMALS", "PVGIS_URL", "fetch_pvgis_tmy", "pvgis_cache_dir"]

#: Base address of the PVGIS web API (pvlib's); ``tmy`` is appended.
PVGIS_URL = pvlib.iotools.pvgis.URL
#: Decimals of the coordinates in the PVGIS request and its cache key (0.001 deg ~ 110 m).
PVGIS_DECIMALS = 3


def pvgis_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """Return the PVGIS cache folder.

    Parameters
    ----------
    cache_dir : str or Path, optional
        Explicit folder; default ``$ENERGYOPT_CACHE_DIR/pvgis`` when that variable is set,
        else ``~/.cache/energyopt/pvgis``.

    Returns
    -------
    Path
        The folder (not created here).
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    root = os.environ.get("ENERGYOPT_CACHE_DIR")
    if root:
        return Path(root).expanduser() / "pvgis"
    return Path.home() / ".cache" / "energyopt" / "pvgis"


class _PvgisRefusedError(Exception):
    """PVGIS answered with an error (e.g. a location over the sea)."""


def _pvgis_request(latitude: float, longitude: float, timeout_s: float) -> str:
    """Ask PVGIS for a TMY in JSON; return the response text (the one network call)."""
    params: dict[str, str | float] = {"lat": latitude, "lon": longitude, "outputformat": "json"}
    response = requests.get(PVGIS_URL + "tmy", params=params, timeout=timeout_s)
    if not response.ok:
        try:
            message = str(response.json()["message"])
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {response.status_code} {response.reason}"
        raise _PvgisRefusedError(message)
    return str(response.text)


def _valid_pvgis(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return (isinstance(data, dict) and isinstance(data.get("outputs"), dict)
            and bool(data["outputs"].get("tmy_hourly")))


def fetch_pvgis_tmy(latitude: float, longitude: float, *, cache_dir: str | Path | None = None,
                    timeout_s: float = 30.0, refresh: bool = False) -> Path:
    """Download a PVGIS typical meteorological year once and cache it on disk.

    The cache file is keyed by the coordinates rounded to :data:`PVGIS_DECIMALS` decimals,
    which are also the coordinates asked for. A cached copy is used without any network
    access unless ``refresh``; if a refresh fails, the cached copy is used with a warning.

    Parameters
    ----------
    latitude, longitude : float
        Site position [deg north, deg east].
    cache_dir : str or Path, optional
        Cache folder (see :func:`pvgis_cache_dir`).
    timeout_s : float
        Time allowed for PVGIS to answer [s].
    refresh : bool
        Download again even when a cached copy exists.

    Returns
    -------
    Path
        The cached PVGIS JSON file (read it with :func:`read_weather`, format
        ``'pvgis_json'``).

    Raises
    ------
    ScenarioError
        Field ``solar.weather.pvgis``: offline or timed out without a cached copy, or PVGIS
        refused the request; the message suggests ``weather: embedded`` or a weather file.
    """
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise ScenarioError.single("site", (latitude, longitude),
                                   "latitude must lie in [-90, 90] and longitude in [-180, 180]")
    lat = round(float(latitude), PVGIS_DECIMALS)
    lon = round(float(longitude), PVGIS_DECIMALS)
    folder = pvgis_cache_dir(cache_dir)
    path = folder / f"pvgis_tmy_{lat:.{PVGIS_DECIMALS}f}_{lon:.{PVGIS_DECIMALS}f}.json"
    cached = path.is_file() and _valid_pvgis(path.read_text(encoding="utf-8",
                                                            errors="replace"))
    if cached and not refresh:
        return path
    where = {"latitude": lat, "longitude": lon}
    fallback = ("use weather: embedded (built in, no network) or a weather file "
                "(weather: {file: ..., format: ...}); or download the PVGIS TMY (JSON) where "
                f"there is internet and copy it to {path}")
    problem: str
    try:
        text = _pvgis_request(lat, lon, timeout_s)
    except requests.Timeout as exc:
        problem = f"PVGIS did not answer within {timeout_s:g} s ({type(exc).__name__})"
    except (requests.RequestException, OSError) as exc:
        problem = f"cannot reach PVGIS ({type(exc).__name__}: {exc})"
    except _PvgisRefusedError as exc:
        raise ScenarioError.single("solar.weather.pvgis", where,
                                   f"PVGIS refused the request: {exc}; {fallback}") from exc
    else:
        if not _valid_pvgis(text):
            problem = "PVGIS answered without a TMY (unexpected response)"
        else:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, path)
            except OSError as exc:
                raise ScenarioError.single(
                    "solar.weather.cache_dir", str(folder), f"cannot write the PVGIS cache "
                    f"({exc}); give a writable cache_dir or set ENERGYOPT_CACHE_DIR") from exc
            return path
    if cached:
        warnings.warn(f"{problem}; using the cached PVGIS TMY {path}", UserWarning,
                      stacklevel=2)
        return path
    raise ScenarioError.single("solar.weather.pvgis", where,
                               f"{problem}, and no cached copy at {path}; {fallback}")
