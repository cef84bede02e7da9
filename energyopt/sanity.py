"""Sanity warnings: inputs that are valid but probably not what the user meant.

A scenario can pass validation and still describe something odd: a generator rated 0.5 kW on
a camp with a 663 kW peak (MW typed as kW), a tanker of 36 L (m3 typed as litres), a fleet
that cannot carry the peak without PV, a design pinned at a size limit, or a two-week run
that stands for a whole year. The functions here find such cases and return
:class:`Caution` records. They are warnings, not errors: the run goes on, and
:func:`energyopt.optimize` attaches them to ``SizingResult.warnings``, logs them (logger
``energyopt.sanity``, level WARNING) and the CLI, the Markdown summary and the HTML report
show them.

All functions are pure: they read a validated :class:`~energyopt.scenario.Scenario`, its
:class:`~energyopt.inputs.Inputs` and, after the solve, the
:class:`~energyopt.results.SizingResult`; they change nothing.

Thresholds (module constants) sit between a unit mix-up of 1000, which they catch with a
margin of 5 to 50, and every camp in ``examples/``, on which none fires (the tests check it).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

from energyopt import data
from energyopt.inputs import Inputs
from energyopt.load.archetypes import DEFAULT_SHAPE_ARCHETYPE
from energyopt.scenario import Scenario

if TYPE_CHECKING:
    from energyopt.results import SizingResult

__all__ = [
    "Caution",
    "budget_cautions",
    "capacity_cautions",
    "horizon_cautions",
    "limit_cautions",
    "log_cautions",
    "magnitude_cautions",
    "scenario_cautions",
]

log = logging.getLogger(__name__)

#: A PV or battery bound below this share of the peak load (of an hour at the peak for kWh)
#: looks like MW typed as kW [-].
SMALL_VS_PEAK = 0.01
#: A diesel unit rated below this share of the peak load looks like MW typed as kW [-]; lower
#: than for PV and battery, as a fleet may mix a small night set with large ones.
UNIT_SMALL_VS_PEAK = 0.005
#: A generator rated above this multiple of the peak load looks like a unit mix-up [-].
UNIT_LARGE_VS_PEAK = 50.0
#: A size bound (kWp, kWh, kW) above this multiple of the peak load looks like W typed as kW
#: [-] (values equal to the default of ``data/technologies.csv`` are not checked).
BOUND_LARGE_VS_PEAK = 1000.0
#: Fuel prices outside this range [USD/L] look like the wrong unit (low) or a fully burdened
#: price (high; transport, escort and risk are added by the model).
FUEL_PRICE_RANGE_USD_PER_L = (0.05, 10.0)
#: A tanker smaller than this [L] looks like m3 typed as litres.
MIN_TRUCK_L = 500.0
#: A fuel tank holding less than this share of a day's diesel-only burn looks like m3 [d].
MIN_TANK_DAYS = 0.5
#: Specific fuel use used to estimate a day's diesel-only burn [L/kWh] (OnSSET curve at ~60%).
TANK_L_PER_KWH = 0.3
#: Personnel below 1/x of the archetype tier's smallest camp or above x times its largest [-].
PERSONNEL_FACTOR = 20.0
#: Electricity per person below this [kWh/person/day] looks like MWh typed as kWh.
MIN_KWH_PER_PERSON_DAY = 0.1
#: A modelled period shorter than this [d] stands for a season, not a year.
SHORT_HORIZON_DAYS = 360
#: Relative tolerance of "at its limit" after the solve [-].
LIMIT_RTOL = 1e-4

Kind = Literal["magnitude", "capacity", "horizon", "at_limit"]


@dataclass(frozen=True)
class Caution:
    """One sanity warning: a valid input that is probably not what was meant.

    Attributes
    ----------
    field : str
        Dotted path of the field, as ``--set`` and ``with_overrides`` take it (a diesel unit
        by name: ``diesel.units.g400.rated_kw``).
    message : str
        What looks wrong, with the value, its unit and what it was compared with.
    fix : str
        What to do about it.
    kind : str
        ``magnitude`` (a unit mix-up), ``capacity`` (the fleet against the peak),
        ``horizon`` (a short modelled period) or ``at_limit`` (a size at its bound).
    """

    field: str
    message: str
    fix: str
    kind: Kind = "magnitude"

    def __str__(self) -> str:
        return f"{self.message}; {self.fix}"

    def to_dict(self) -> dict[str, str]:
        """Plain data: ``field``, ``message``, ``fix``, ``kind``."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Before the solve
# --------------------------------------------------------------------------------------------
def scenario_cautions(scenario: Scenario, inputs: Inputs) -> list[Caution]:
    """Return all warnings that need no solve: magnitudes, capacity, horizon.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    inputs : Inputs
        Its inputs (load [kW] and time index).

    Returns
    -------
    list of Caution
        Possibly empty.
    """
    return [*magnitude_cautions(scenario, inputs), *capacity_cautions(scenario, inputs),
            *horizon_cautions(scenario, inputs)]


def _kw(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.3g}"


def _plain(value: float) -> str:
    """Format a number as it would be typed in YAML (no thousands separators)."""
    return f"{value:.0f}" if abs(value) >= 1 and value == round(value) else f"{value:g}"


def _ratio(value: float) -> str:
    return f"{value:.2%}" if value < 0.1 else f"{value:,.0f}x"


def _is_default(value: float, key: str) -> bool:
    try:
        return math.isclose(value, float(data.default(key)), rel_tol=1e-9)
    except KeyError:
        return False


def magnitude_cautions(scenario: Scenario, inputs: Inputs) -> list[Caution]:
    """Find values about 1000 times off: MW typed as kW, m3 as litres, thousands of people.

    Checks each diesel unit's ``rated_kw``, ``solar.max_kwp``, ``battery.max_kwh`` and
    ``battery.max_kw`` against the peak load [kW]; ``fuel.price_usd_per_l`` against the range
    of diesel prices; ``fuel.truck_capacity_l`` and the fuel tank [L] against real tankers
    and the camp's burn; ``load.personnel`` against its archetype's tier (see
    ``data/load_archetypes.csv``) and ``load.kwh_per_person_per_day``.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    inputs : Inputs
        Its inputs: the load [kW].

    Returns
    -------
    list of Caution
        One per suspicious value, ``kind="magnitude"``.
    """
    out: list[Caution] = []
    peak = float(inputs.load_kw.max())
    mean = float(inputs.load_kw.mean())
    if peak > 0.0:
        for u in scenario.diesel.units:
            path = f"diesel.units.{u.name}.rated_kw"
            share = u.rated_kw / peak
            if share < UNIT_SMALL_VS_PEAK:
                out.append(Caution(
                    path, f"diesel unit {u.name} is rated {_kw(u.rated_kw)} kW, {_ratio(share)} "
                    f"of the {_kw(peak)} kW peak load: MW typed as kW?",
                    f"give {path} in kW (e.g. {_plain(u.rated_kw * 1000)} for "
                    f"{u.rated_kw:g} MW)"))
            elif share > UNIT_LARGE_VS_PEAK:
                out.append(Caution(
                    path, f"diesel unit {u.name} is rated {_kw(u.rated_kw)} kW, {_ratio(share)} "
                    f"the {_kw(peak)} kW peak load: a rating in W, or a load in MW?",
                    f"check {path} (kW) and the unit of the load (kW)"))
        out += _bound_cautions(scenario, peak)
    out += _fuel_cautions(scenario, mean)
    out += _personnel_cautions(scenario)
    return out


def _bound_cautions(scenario: Scenario, peak: float) -> list[Caution]:
    """Size bounds of PV and battery far from the peak load."""
    out: list[Caution] = []
    sol, bat = scenario.solar, scenario.battery
    load = f"the {_kw(peak)} kW peak load"
    hour = f"an hour at the {_kw(peak)} kW peak load"
    checks: list[tuple[str, float, float, str, str, str, str | None]] = [
        ("solar.max_kwp", sol.max_kwp, sol.existing_kwp, "kWp", "MWp", load, "pv.max_kwp"),
        ("battery.max_kwh", bat.max_kwh, bat.existing_kwh, "kWh", "MWh", hour,
         "battery.max_kwh"),
    ]
    if bat.max_kw is not None:
        checks.append(("battery.max_kw", bat.max_kw, bat.existing_kw, "kW", "MW", load, None))
    for path, value, existing, unit, big, ref, key in checks:
        if value <= existing or value <= 0.0:
            continue  # no new capacity allowed: nothing to size
        share = value / peak
        what = f"{path} is {_kw(value)} {unit}, {_ratio(share)}"
        if share < SMALL_VS_PEAK:
            out.append(Caution(
                path, f"{what} of {ref}: {big} typed as {unit}?",
                f"give {path} in {unit} (e.g. {_plain(value * 1000)} for {value:g} {big}), "
                "or 0 for none"))
        elif share > BOUND_LARGE_VS_PEAK and not (key and _is_default(value, key)):
            out.append(Caution(
                path, f"{what} {ref}: {unit} given in W or Wh, or the load in MW?",
                f"check {path} ({unit}) and the unit of the load (kW)"))
    return out


def _fuel_cautions(scenario: Scenario, mean_kw: float) -> list[Caution]:
    """Fuel price, truck and tank sizes in the wrong unit."""
    out: list[Caution] = []
    fuel = scenario.fuel
    low, high = FUEL_PRICE_RANGE_USD_PER_L
    price = fuel.price_usd_per_l
    if 0.0 < price < low:
        out.append(Caution(
            "fuel.price_usd_per_l", f"fuel.price_usd_per_l is {price:g} USD/L, far below any "
            f"diesel price (about 0.5-2 USD/L; default "
            f"{data.default('fuel.price_usd_per_l'):g} in data/technologies.csv): a price per mL "
            "or in thousands of USD?",
            f"give the price of one litre in USD (e.g. {_plain(price * 1000)})"))
    elif price > high:
        out.append(Caution(
            "fuel.price_usd_per_l", f"fuel.price_usd_per_l is {price:g} USD/L, the price of a "
            "fully burdened litre rather than its purchase price at origin: the model adds "
            "haulage (fuel.route_km x transport_usd_per_l_km), escorts and convoy risk itself, "
            "so they would count twice", "give the purchase price at origin (about 0.5-2 USD/L)"))
    truck = fuel.truck_capacity_l
    if truck < MIN_TRUCK_L:
        out.append(Caution(
            "fuel.truck_capacity_l", f"fuel.truck_capacity_l is {truck:g} L, smaller than any "
            f"fuel truck (tankers carry about 5,000-40,000 L): m3 typed as litres "
            f"({truck:g} m3 = {truck * 1000:,.0f} L)?",
            f"give the truck's load in litres (e.g. {_plain(truck * 1000)})"))
    inv = fuel.inventory
    day_l = mean_kw * 24.0 * TANK_L_PER_KWH
    if inv is not None and day_l > 0.0:
        for name, value in (("existing_tank_l", inv.existing_tank_l),
                            ("max_tank_l", inv.max_tank_l)):
            if 0.0 < value < MIN_TANK_DAYS * day_l:
                path = f"fuel.inventory.{name}"
                out.append(Caution(
                    path, f"{path} is {value:g} L, {value / day_l:.1%} of a day's diesel-only "
                    f"burn (about {day_l:,.0f} L/day at {TANK_L_PER_KWH} L/kWh): m3 typed as "
                    f"litres ({value:g} m3 = {value * 1000:,.0f} L)?",
                    f"give {path} in litres (e.g. {_plain(value * 1000)})"))
    return out


def _personnel_cautions(scenario: Scenario) -> list[Caution]:
    """Head count and energy per person about 1000 times off."""
    out: list[Caution] = []
    ls = scenario.load
    if ls.route != "archetype" or ls.personnel is None:
        return out
    name = ls.archetype or DEFAULT_SHAPE_ARCHETYPE
    table = data.load_archetype(name)
    lo, hi = table["personnel_min"], table["personnel_max"]
    people = ls.personnel
    if people < lo / PERSONNEL_FACTOR or people > hi * PERSONNEL_FACTOR:
        out.append(Caution(
            "load.personnel", f"load.personnel is {people:,}, far outside the {name} tier of "
            f"{lo:,.0f}-{hi:,.0f} people (data/load_archetypes.csv): thousands typed as people, "
            "or the wrong archetype?",
            "give the number of people in the camp, or pick the archetype of its size "
            "(team_site, company_base, battalion_hq, sector_hq, mission_hq)"))
    per = ls.kwh_per_person_per_day
    if per is not None and per < MIN_KWH_PER_PERSON_DAY:
        out.append(Caution(
            "load.kwh_per_person_per_day", f"load.kwh_per_person_per_day is {per:g} "
            "kWh/person/day; UN camps use about 8-12 (data/load_archetypes.csv): MWh typed as "
            "kWh?", f"give the energy per person in kWh/day (e.g. {_plain(per * 1000)})"))
    return out


def capacity_cautions(scenario: Scenario, inputs: Inputs) -> list[Caution]:
    """Warn when the diesel fleet at full count plus the battery's power is below the peak.

    Such a scenario is feasible only through PV at the peak hours or load shedding (when it is
    not, :func:`energyopt.diagnose.precheck` raises before the solve); the warning says which
    hours depend on it.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario: diesel units (``rated_kw``, ``max_count``) and battery
        bounds (``max_kwh``, ``max_kw`` or the C-rate).
    inputs : Inputs
        Its load [kW] and time index.

    Returns
    -------
    list of Caution
        At most one, ``kind="capacity"``.
    """
    load = inputs.load_kw.to_numpy(dtype=float)
    if load.size == 0:
        return []
    units = scenario.diesel.units
    diesel_kw = sum(u.rated_kw * u.max_count for u in units)
    bat = scenario.battery
    battery_kw = 0.0
    if bat.max_kwh > 0.0:
        battery_kw = bat.max_kw if bat.max_kw is not None else (
            bat.max_kwh * bat.max_power_to_energy_per_h)
        battery_kw = max(battery_kw, bat.existing_kw)
    firm = diesel_kw + battery_kw
    peak = float(load.max())
    if peak <= firm * (1.0 + 1e-9) + 1e-6:
        return []
    t = int(load.argmax())
    short_h = float(inputs.duration_h.to_numpy()[load > firm].sum())
    fleet = " + ".join(f"{u.max_count} x {_kw(u.rated_kw)} kW" for u in units)
    if len(units) == 1:
        u = units[0]
        path = f"diesel.units.{u.name}.max_count"
        need = math.ceil((peak - battery_kw) / u.rated_kw - 1e-9)
        raise_it = f"raise {path} to {need}"
    else:
        path = "diesel.units"
        raise_it = "raise the max_count of the diesel units"
    when = inputs.index[t].strftime("%Y-%m-%d %H:%M")
    return [Caution(
        path, f"the diesel fleet at full count ({fleet} = {_kw(diesel_kw)} kW) plus the "
        f"battery's largest power ({_kw(battery_kw)} kW) is {_kw(firm)} kW, below the peak load "
        f"of {_kw(peak)} kW ({when}); {short_h:,.0f} modelled hour(s) can be served only by PV "
        "output at that hour or by shedding load",
        f"{raise_it} or allow more battery power (battery.max_kwh, battery.max_kw) if the camp "
        "must ride through a cloudy peak", "capacity")]


def horizon_cautions(scenario: Scenario, inputs: Inputs | None = None) -> list[Caution]:
    """Warn when a modelled period shorter than about a year stands for the whole year.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (``horizon.start``, ``horizon.days``).
    inputs : Inputs, optional
        Its inputs, for the weight of each step; computed from the horizon when not given.

    Returns
    -------
    list of Caution
        At most one, ``kind="horizon"``.
    """
    h = scenario.horizon
    if h.days >= SHORT_HORIZON_DAYS:
        return []
    first = h.start
    last = first + dt.timedelta(days=h.days - 1)
    weight = (float(inputs.weight.iloc[0]) if inputs is not None and inputs.n_steps
              else 8760.0 / (24.0 * h.days))
    return [Caution(
        "horizon.days", f"a {h.days}-day run (horizon.start {first.isoformat()}, horizon.days "
        f"{h.days}) models {first.isoformat()} to {last.isoformat()} only and annualises it "
        f"(each step counts {weight:,.1f} times): sizes, fuel and costs follow the sun and the "
        "load of that season, not of the year",
        "set horizon.days: 365 for a full year, or move horizon.start to the season meant",
        "horizon")]


# --------------------------------------------------------------------------------------------
# After the solve
# --------------------------------------------------------------------------------------------
def _at(value: float, limit: float) -> bool:
    return value >= limit * (1.0 - LIMIT_RTOL) - 1e-6


def limit_cautions(scenario: Scenario, result: SizingResult) -> list[Caution]:
    """Find sizes of the design at the bound the scenario set for them.

    A size at its bound was chosen by the bound, not by cost: with more room the optimum
    would move. Checked: PV (``solar.max_kwp``), battery energy (``battery.max_kwh``) and
    power (``battery.max_kw`` or the C-rate times ``max_kwh``), each diesel unit type's count
    (``max_count``) and the fuel tank (``fuel.inventory.max_tank_l``), each only when the
    scenario allows new capacity of it (bound above what exists).

    Parameters
    ----------
    scenario : Scenario
        The scenario solved.
    result : SizingResult
        Its design (``result.sizes``: ``pv_kwp`` [kWp], ``battery_kwh`` [kWh],
        ``battery_kw`` [kW], ``diesel_<unit>_count``, ``fuel_tank_l`` [L]).

    Returns
    -------
    list of Caution
        One per size at its bound, ``kind="at_limit"``.
    """
    s = result.sizes
    out: list[Caution] = []
    sol, bat = scenario.solar, scenario.battery

    def size(key: str) -> float:
        return float(s[key]) if key in s.index else 0.0

    pv = size("pv_kwp")
    if sol.max_kwp > sol.existing_kwp and pv > 0.0 and _at(pv, sol.max_kwp):
        out.append(Caution(
            "solar.max_kwp", f"PV at solar.max_kwp ({_kw(sol.max_kwp)} kWp): more space would "
            "lower cost", "raise solar.max_kwp if the site allows", "at_limit"))
    kwh = size("battery_kwh")
    if bat.max_kwh > bat.existing_kwh and kwh > 0.0 and _at(kwh, bat.max_kwh):
        out.append(Caution(
            "battery.max_kwh", f"battery energy at battery.max_kwh ({_kw(bat.max_kwh)} kWh): "
            "more storage would lower cost", "raise battery.max_kwh if space and budget allow",
            "at_limit"))
    max_kw = bat.max_kw if bat.max_kw is not None else bat.max_kwh * bat.max_power_to_energy_per_h
    max_kw = max(max_kw, bat.existing_kw)
    kw = size("battery_kw")
    if max_kw > bat.existing_kw and kw > 0.0 and _at(kw, max_kw):
        if bat.max_kw is not None:
            path, how = "battery.max_kw", f"battery.max_kw ({_kw(max_kw)} kW)"
        else:
            path = "battery.max_power_to_energy_per_h"
            how = (f"its largest power ({_kw(max_kw)} kW = battery.max_kwh x "
                   f"battery.max_power_to_energy_per_h {bat.max_power_to_energy_per_h:g}/h)")
        out.append(Caution(
            path, f"battery power at {how}: more power would lower cost",
            f"raise {path} if the inverters allow", "at_limit"))
    for u in scenario.diesel.units:
        key = f"diesel_{u.name}_count"
        if u.max_count > u.existing and key in s.index and _at(size(key), u.max_count):
            path = f"diesel.units.{u.name}.max_count"
            out.append(Caution(
                path, f"diesel unit {u.name} at {path} ({u.max_count} x {_kw(u.rated_kw)} kW): "
                "more units would lower cost or carry more of the load and reserve",
                f"raise {path} if the site allows", "at_limit"))
    inv = scenario.fuel.inventory
    tank = size("fuel_tank_l")
    if inv is not None and inv.max_tank_l > inv.existing_tank_l and tank > 0.0 and _at(
            tank, inv.max_tank_l):
        out.append(Caution(
            "fuel.inventory.max_tank_l", f"fuel storage at fuel.inventory.max_tank_l "
            f"({inv.max_tank_l:,.0f} L): more storage would lower cost or risk",
            "raise fuel.inventory.max_tank_l if the perimeter allows", "at_limit"))
    out += budget_cautions(scenario, result)
    return out


def budget_cautions(scenario: Scenario, result: SizingResult) -> list[Caution]:
    """Flag a capital budget (``budget:``) that the design spends in full.

    A design whose new capital (``result.kpis['capex_usd']``) reaches the budget was shaped by
    the budget: with more capital its net present cost could only fall (or stay). A budget of
    zero keeps the existing kit, which is said as such.

    Parameters
    ----------
    scenario : Scenario
        The scenario solved.
    result : SizingResult
        Its design.

    Returns
    -------
    list of Caution
        At most one, ``kind="at_limit"``, field ``budget.capex_usd``.
    """
    spec = scenario.budget
    if spec is None or "capex_usd" not in result.kpis.index:
        return []
    limit = spec.start_capex_usd
    path = "budget.capex_usd" if spec.capex_usd is not None else "budget.capex_usd_per_year"
    spent = float(result.kpis["capex_usd"])
    if limit <= 0.0:
        return [Caution(path, "capital budget of 0 USD: no new equipment, the design keeps "
                        "the existing kit", f"raise {path} to let the design invest",
                        "at_limit")]
    if not _at(spent, limit):
        return []
    return [Caution(path, f"capital budget binding: the design spends {spent:,.0f} USD of "
                    f"the {limit:,.0f} USD budget on new equipment; more capital would lower "
                    "the net present cost or leave it unchanged",
                    f"raise {path} if the mission can fund it (energyopt.capex_front shows "
                    "what each budget buys)", "at_limit")]


def log_cautions(cautions: Iterable[Caution], logger: logging.Logger | None = None) -> None:
    """Log each warning once at WARNING level (default logger ``energyopt.sanity``).

    Parameters
    ----------
    cautions : iterable of Caution
        The warnings.
    logger : logging.Logger, optional
        Where to log.
    """
    target = logger or log
    for c in cautions:
        target.warning("%s: %s", c.field, c)
