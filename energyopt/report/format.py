"""Number formatting for people (display only: stored results are never rounded)."""

from __future__ import annotations

import math

from markupsafe import Markup

__all__ = ["fmt_number", "fmt_percent", "fmt_seconds", "is_missing", "num_span"]


def is_missing(value: float | None) -> bool:
    """Return True for None, NaN and infinities."""
    return value is None or not math.isfinite(value)


def fmt_number(value: float | None, decimals: int | None = None, *, sign: bool = False) -> str:
    """Format a number for people: thousands separators and sensible decimals.

    Parameters
    ----------
    value : float or None
        The number; None, NaN and infinities show as ``n/a``.
    decimals : int, optional
        Fixed decimals; by default 0 from 100 up, 1 from 10, 2 from 1, and three significant
        digits below 1.
    sign : bool
        Always show the sign.

    Returns
    -------
    str
        The formatted number.
    """
    if is_missing(value):
        return "n/a"
    assert value is not None
    plus = "+" if sign else ""
    if decimals is None:
        size = abs(value)
        if size == 0:
            return "0"
        if size < 1:
            text = f"{value:{plus}.3g}"
            return text if "e" not in text else f"{value:{plus}.2e}"
        decimals = 0 if size >= 100 else 1 if size >= 10 else 2
    text = f"{value:{plus},.{decimals}f}"
    if text.lstrip("+-") == f"{0:.{decimals}f}":  # no '-0' or '+0.0'
        return f"{0:.{decimals}f}"
    return text


def fmt_percent(fraction: float | None, decimals: int = 2) -> str:
    """Format a fraction [-] as a percentage; tiny non-zero values keep two significant digits."""
    if is_missing(fraction):
        return "n/a"
    assert fraction is not None
    pct = 100.0 * fraction
    if pct != 0 and abs(pct) < 10 ** -decimals:
        return f"{pct:.2g}%"
    return f"{pct:.{decimals}f}%"


def fmt_seconds(seconds: float) -> str:
    """Format a duration [s]."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 600:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def num_span(key: str, value: float | None, decimals: int | None, *, scale: float = 1.0,
             sign: bool = False) -> Markup:
    """Format a number with its stored value: ``<span class="num" data-...>shown</span>``.

    ``data-key`` names the figure, ``data-value`` holds the stored value unrounded (``nan``
    when missing) and ``data-scale`` the factor applied for display (100 for percentages),
    so a reader or a test can check the rounding against the stored figure.
    """
    shown = fmt_number(None if value is None else value * scale, decimals, sign=sign)
    stored = "nan" if value is None or is_missing(value) else repr(float(value))
    return Markup('<span class="num" data-key="{}" data-value="{}" data-scale="{}">{}</span>'
                  ).format(key, stored, repr(scale), shown)
