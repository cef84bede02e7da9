"""The sizing report: figures, tables, templates and rendering.

:func:`render_report` writes one self-contained HTML file (inline CSS, inline SVG figures, no
scripts and no network); :func:`render_pdf` writes the same report as a PDF (the extra
``pdf``); :func:`render_markdown` returns a short summary for e-mail.
"""

from energyopt.report.pdf import render_pdf
from energyopt.report.render import render_markdown, render_report

__all__ = ["render_markdown", "render_pdf", "render_report"]
