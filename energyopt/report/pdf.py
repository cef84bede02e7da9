"""The sizing report as a PDF, for e-mail and signature.

:func:`render_pdf` lays out the same content as the HTML report (the same data, built once by
:func:`energyopt.report.render.render_context`) with ReportLab, a pure-Python PDF library
that needs no browser: figures are drawn as PNG (ReportLab does not draw SVG), tables and
text as PDF text, A4 pages numbered, and a block for the reviewer's and the approver's
signatures at the end.

ReportLab is the optional extra ``pdf``: ``pip install 'energyopt[pdf]'``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from markupsafe import Markup

from energyopt.inputs import Inputs
from energyopt.results import SizingResult
from energyopt.scenario import Scenario
from energyopt.verify import Verification

__all__ = ["PDF_EXTRA_HINT", "render_pdf"]

#: What to install when ReportLab is missing.
PDF_EXTRA_HINT = ("the PDF report needs ReportLab, the optional extra 'pdf': install it with "
                  "pip install 'energyopt[pdf]' (or pip install reportlab)")

_INK = "#1d2733"
_ACCENT = "#0072B2"
_WARN = "#b34700"


def _reportlab() -> Any:
    try:
        import reportlab  # noqa: F401
    except ImportError as exc:
        raise ImportError(PDF_EXTRA_HINT) from exc
    import reportlab.lib

    return reportlab.lib


def _text(value: Any) -> str:
    """Plain text of a cell: a number span's shown text, HTML tags dropped."""
    if isinstance(value, Markup):
        return str(value.striptags())
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


class _Doc:
    """Builds the flowables of the PDF: paragraphs, tables and figures."""

    def __init__(self, width_pt: float) -> None:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

        base = getSampleStyleSheet()
        self.width = width_pt
        self.colour = HexColor
        self.story: list[Any] = []
        self.style = {
            "title": ParagraphStyle("t", parent=base["Title"], fontSize=18, leading=22,
                                    alignment=0, textColor=HexColor("#16324f"), spaceAfter=4),
            "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=13, leading=16,
                                 textColor=HexColor(_ACCENT), spaceBefore=10, spaceAfter=4,
                                 keepWithNext=1),
            "h3": ParagraphStyle("h3", parent=base["Heading3"], fontSize=10.5, leading=13,
                                 spaceBefore=6, spaceAfter=2, keepWithNext=1),
            "body": ParagraphStyle("b", parent=base["BodyText"], fontSize=9, leading=11.5,
                                   textColor=HexColor(_INK)),
            "note": ParagraphStyle("n", parent=base["BodyText"], fontSize=7.5, leading=9.5,
                                   textColor=HexColor("#5b6775")),
            "cell": ParagraphStyle("c", parent=base["BodyText"], fontSize=7, leading=8.5),
            "cellr": ParagraphStyle("cr", parent=base["BodyText"], fontSize=7, leading=8.5,
                                    alignment=2),
            "warn": ParagraphStyle("w", parent=base["BodyText"], fontSize=9, leading=11.5,
                                   textColor=HexColor(_WARN)),
            "mix": ParagraphStyle("m", parent=base["BodyText"], fontSize=11, leading=14),
        }

    def para(self, text: str, style: str = "body", *, markup: bool = False) -> None:
        from reportlab.platypus import Paragraph

        self.story.append(Paragraph(text if markup else escape(_text(text)), self.style[style]))

    def heading(self, text: str) -> None:
        self.para(text, "h2")

    def box(self, title: str, lines: Sequence[str], *, warn: bool = False) -> None:
        """Add a framed box of bullet lines (the how-sure box, warnings, limits)."""
        from reportlab.platypus import Paragraph, Table, TableStyle

        colour = _WARN if warn else _ACCENT
        cells = [[Paragraph(f"<b>{escape(title)}</b>", self.style["body"])]] + [
            [Paragraph("&bull; " + escape(_text(line)), self.style["body"])] for line in lines]
        table = Table(cells, colWidths=[self.width])
        table.setStyle(TableStyle([
            ("BOX", (0, 0), (-1, -1), 0.8, self.colour(colour)),
            ("LINEBEFORE", (0, 0), (0, -1), 4, self.colour(colour)),
            ("BACKGROUND", (0, 0), (-1, -1), self.colour("#fff3e6" if warn else "#eef6fc")),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
        self.story.append(table)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], *,
              right_from: int = 1, right: Sequence[int] | None = None,
              widths: Sequence[float] | None = None, total_last: bool = False,
              font: float = 7.0) -> None:
        """Add a table; columns from ``right_from`` on (or those in ``right``) align right."""
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph, Table, TableStyle

        left = ParagraphStyle("cl", parent=self.style["cell"], fontSize=font,
                              leading=font + 1.5)
        right_style = ParagraphStyle("cr2", parent=self.style["cellr"], fontSize=font,
                                     leading=font + 1.5)

        def cell(value: Any, j: int, bold: bool = False) -> Any:
            text = escape(_text(value))
            aligned = j in right if right is not None else j >= right_from
            return Paragraph(f"<b>{text}</b>" if bold else text,
                             right_style if aligned else left)

        data = [[cell(h, j, True) for j, h in enumerate(header)]]
        data += [[cell(v, j) for j, v in enumerate(row)] for row in rows]
        n = len(header)
        col = list(widths) if widths is not None else [self.width / n] * n
        table = Table(data, colWidths=col, repeatRows=1)
        style = [("BACKGROUND", (0, 0), (-1, 0), self.colour("#f0f3f6")),
                 ("LINEBELOW", (0, 0), (-1, -1), 0.25, self.colour("#d9dee4")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                 ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
        if total_last:
            style.append(("LINEABOVE", (0, -1), (-1, -1), 1.0, self.colour(_INK)))
        table.setStyle(TableStyle(style))
        self.story.append(table)

    def figure(self, png: Any, *, max_height_pt: float = 330.0) -> None:
        """Add a figure drawn as PNG (:class:`energyopt.report.figures.Png`), scaled to fit."""
        from reportlab.platypus import Image

        if png is None or not hasattr(png, "data"):
            return
        w_in, h_in = png.size_in
        width = self.width
        height = width * h_in / w_in
        if height > max_height_pt:
            width, height = width * max_height_pt / height, max_height_pt
        self.story.append(Image(io.BytesIO(png.data), width=width, height=height))

    def space(self, pt: float = 6.0) -> None:
        from reportlab.platypus import Spacer

        self.story.append(Spacer(1, pt))


def _summary(doc: _Doc, c: dict[str, Any]) -> None:
    doc.heading("Executive summary")
    if c["banner"]:
        doc.box("NOT CONVERGED", [c["banner"]], warn=True)
        doc.para(f"Best design found (not converged): <b>{escape(c['mix_sentence'])}</b>.",
                 "mix", markup=True)
    else:
        doc.para(f"Recommended mix: <b>{escape(c['mix_sentence'])}</b>.", "mix", markup=True)
    doc.space(4)
    sure = c["how_sure"]
    lines = list(sure["lines"])
    cash = c["cash"]
    if cash["sentence"]:
        lines.append(f"Money: {cash['sentence']}")
    doc.box("How sure are we?", lines, warn=not sure["converged"])
    if c["warnings"]:
        doc.space(4)
        doc.box(f"Warnings ({len(c['warnings'])}): the run went on, but check these inputs",
                [f"{w.field}: {w.message}; {w.fix}" for w in c["warnings"]], warn=True)
    if c["baseline_error"]:
        doc.para(f"No diesel-only comparison: {c['baseline_error']}.", "warn")
    doc.space(4)
    doc.table(["figure", "unit", "design", "diesel only", "saving"],
              [[r.label, r.unit, r.design, r.diesel_only, r.saving] for r in c["kpi_rows"]],
              right_from=2, widths=_split(doc.width, [0.38, 0.14, 0.16, 0.16, 0.16]), font=7.5)
    doc.para("Saving: positive when the design is better: diesel only minus design; for the "
             "renewable share the gain (design minus diesel only) in percentage points. "
             "Numbers are rounded for display only.", "note")


def _split(width: float, shares: Sequence[float]) -> list[float]:
    total = sum(shares)
    return [width * s / total for s in shares]


def _sizes_and_costs(doc: _Doc, c: dict[str, Any]) -> None:
    doc.heading("Sizes: new against existing")
    doc.table(["asset", "unit", "existing", "new", "design total", "diesel only"],
              [[r["label"], r["unit"], r["existing"], r["new"], r["total"], r["baseline"]]
               for r in c["size_rows"]], right_from=2,
              widths=_split(doc.width, [0.3, 0.1, 0.15, 0.15, 0.15, 0.15]))
    doc.space(4)
    if c["limits"]:
        doc.box(f"Binding limits ({len(c['limits'])}): the design sits at these, not where "
                "cost alone would put it",
                [f"{lim['field']}: {lim['text']}; {lim['fix']}" for lim in c["limits"]],
                warn=True)
    else:
        doc.para("No limit binds: cost alone chose this design.", "note")
    costs = c["costs"]
    doc.heading("Cost breakdown over the horizon (present values, USD)")
    doc.table(["component", *costs["kinds"], "total"],
              [[r["component"], *r["cells"], r["total"]] for r in costs["rows"]]
              + [["total", *costs["totals"], costs["grand"]]], total_last=True, font=6.5)


def _money(doc: _Doc, c: dict[str, Any]) -> None:
    cash = c["cash"]
    doc.heading("Yearly cash flow")
    if cash["note"]:
        doc.para(cash["note"], "note")
    else:
        if cash["sentence"]:
            doc.para(cash["sentence"])
        doc.figure(cash["figure"], max_height_pt=260)
        doc.table(["year", *cash["columns"]],
                  [[row["year"], *row["cells"]] for row in cash["rows"]], font=5.8)
        doc.para("USD of today, paid at the end of each year (year 0: the investment). "
                 "Discounted, the yearly totals sum to the net present cost.", "note")
    capop = c["capop"]
    doc.heading("Capital against operating cost, and the LCOE by part")
    doc.figure(capop["figure"], max_height_pt=230)
    doc.table(["present value (USD)", "design", "diesel only"],
              [[r["part"], r["design"], r["diesel_only"]] for r in capop["rows"]],
              total_last=True, widths=_split(doc.width, [0.4, 0.3, 0.3]))
    doc.space(4)
    doc.table(["LCOE part", "USD/kWh", "share"],
              [[r["part"], r["value"], r["share"]] for r in capop["lcoe_rows"]]
              + [["LCOE", capop["lcoe_total"], "100%"]], total_last=True,
              widths=_split(doc.width, [0.4, 0.3, 0.3]))


def _operation_figures(doc: _Doc, c: dict[str, Any]) -> None:
    doc.heading("Monthly energy mix")
    doc.figure(c["mix_figure"], max_height_pt=240)
    doc.table(["month", *[f"{m} (kWh)" for m in c["mix_columns"]]],
              [[r["month"], *r["cells"]] for r in c["mix_rows"]], font=6.5)
    doc.heading("The year hour by hour")
    doc.figure(c["heatmap"], max_height_pt=420)
    doc.heading("Typical week of dispatch")
    for week in c["weeks"]:
        doc.para(f"{week['month']}: {week['label']}", "h3")
        doc.figure(week["figure"], max_height_pt=230)
    doc.heading("Battery state of charge")
    if c["soc_figure"]:
        doc.figure(c["soc_figure"], max_height_pt=230)
    else:
        doc.para("The design has no battery.", "note")
    doc.heading("Generator loading")
    if c["loading_figure"]:
        doc.figure(c["loading_figure"], max_height_pt=220)
    doc.table(["unit type", "running unit-hours/yr", f"below {c['wet_threshold']} load (h/yr)",
               "share"], [[r["unit"], r["running"], r["hours"], r["share"]] for r in c["wet"]])


def _studies(doc: _Doc, c: dict[str, Any]) -> None:
    fuel = c["fuel"]
    if fuel:
        doc.heading("Fuel inventory and convoy calendar")
        doc.figure(fuel["figure"], max_height_pt=220)
        doc.para(f"Lowest stock at the end of a day: {fuel['min_stock']} L.")
        if fuel["calendar"]:
            doc.table(["arrival day", "fuel delivered (L)", "convoys"],
                      [[r["day"], r["litres"], r["convoys"]] for r in fuel["calendar"]],
                      widths=_split(doc.width, [0.4, 0.3, 0.3]))
    front = c["pareto"]
    if front:
        doc.heading("Cost against risk")
        doc.figure(front["figure"], max_height_pt=240)
        doc.para(f"{front['caption']}; cost: {front['cost']}.", "note")
        if front["below"]:
            doc.para(front["below"], "warn")
        doc.table(front["columns"], [[r["points"], r["status"], *r["cells"]]
                                     for r in front["rows"]], right_from=2, font=6)
    op = c["operation"]
    if op:
        doc.heading("How the design operates")
        doc.para(f"Operated hour by hour by {op['controller']}, without foresight, over "
                 f"{op['n_years']} weather years"
                 f"{' with failures' if op['failures'] else ''}.")
        doc.table(["", "unit", "P10", "P50", "P90", "worst year", "optimiser", "design year"],
                  [[r["label"], r["unit"], *r["cells"]] for r in op["rows"]], right_from=2)
        doc.figure(op["distribution_figure"], max_height_pt=220)
        doc.para(f"Probability of a stock-out: {_text(op['stockout'])}% of the years.")
        doc.figure(op["survival_figure"], max_height_pt=220)
        doc.para(op["closing"])
    sens = c["sensitivity"]
    if sens:
        doc.heading("Sensitivity: what moves the net present cost")
        if sens["note"]:
            doc.para(sens["note"], "note")
        else:
            doc.figure(sens["figure"], max_height_pt=280)
            doc.table(["input", "lowest", "highest", "NPC at lowest", "NPC at highest",
                       "range of NPC"],
                      [[r["input"], r["low"], r["high"], r["metric_low"], r["metric_high"],
                        r["swing"]] for r in sens["rows"]],
                      widths=_split(doc.width, [0.3, 0.1, 0.1, 0.17, 0.17, 0.16]))
    com = c["community"]
    if com:
        doc.heading("After the UN leaves")
        doc.para(f"The feeder serves {_text(com['households'])} households, {_text(com['kwh'])} "
                 f"kWh/yr; value handed over {_text(com['handover_value'])} USD.")


def _provenance(doc: _Doc, c: dict[str, Any]) -> None:
    doc.heading("Assumptions, sources and grades")
    doc.para("Grades: P primary, S secondary, D derived here, E engineering estimate, U user "
             "override, ? unsourced scenario value. Rows marked ESTIMATE are graded E, D, U "
             f"or ? ({c['n_estimates']} of them): replace them with mission data before "
             "deciding.", "note")
    if c["grade_counts"]:
        doc.para(f"Inputs by grade: {c['grade_counts']}.")
    if c["sensitive"]:
        doc.para("Estimates that move the answer most (+-20% each, first order)", "h3")
        doc.table(["input", "value", "NPC change (USD)", "how"],
                  [[s["key"], s["value"], f"+-{s['delta']}", s["method"]]
                   for s in c["sensitive"]], right=[1, 2],
                  widths=_split(doc.width, [0.3, 0.15, 0.15, 0.4]))
    if c["sources"]:
        doc.para("Site, weather and load", "h3")
        doc.table(["input", "source", "grade"], [[s["what"], s["text"], s["grade"]]
                                                 for s in c["sources"]], right_from=3,
                  widths=_split(doc.width, [0.2, 0.7, 0.1]))
    doc.para("Technology and economic inputs", "h3")
    fmt = c["fmt"]
    doc.table(["parameter", "value", "unit", "source", "grade"],
              [[a.key, fmt(a.value), a.unit, a.source,
                a.grade + (" ESTIMATE" if a.is_estimate else "")] for a in c["assumptions"]],
              right=[1], widths=_split(doc.width, [0.28, 0.09, 0.1, 0.43, 0.1]), font=6)


def _solver_and_signature(doc: _Doc, c: dict[str, Any]) -> None:
    from reportlab.platypus import KeepTogether, Paragraph, Table, TableStyle

    doc.heading("Solver")
    doc.table(["run", "status", "MIP gap", "objective (USD)", "proven bound (USD)",
               "solve time"],
              [[s["label"], f"{s['status']} ({s['termination']})", s["gap"], s["objective"],
                s["bound"], s["runtime"]] for s in c["solves"]], right_from=2)
    if c["asked_gap"]:
        doc.para(f"Gap asked for: {c['asked_gap']}. Checks passed after the solve: "
                 f"{c['checks']}.", "note")
    head = Paragraph("<b>Review and approval</b>", doc.style["h3"])
    rows = [["", "name and function", "signature", "date"],
            ["Prepared by", "", "", ""], ["Reviewed by", "", "", ""],
            ["Approved by", "", "", ""]]
    table = Table(rows, colWidths=_split(doc.width, [0.18, 0.37, 0.27, 0.18]),
                  rowHeights=[14, 30, 30, 30])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, doc.colour("#8895a3")),
                               ("FONTSIZE", (0, 0), (-1, -1), 8),
                               ("BACKGROUND", (0, 0), (-1, 0), doc.colour("#f0f3f6")),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    doc.space(10)
    doc.story.append(KeepTogether([head, table]))


def render_pdf(result: SizingResult, path: str | Path, *, scenario: Scenario | None = None,
               inputs: Inputs | None = None, pareto: pd.DataFrame | None = None,
               fuel_daily: pd.DataFrame | None = None,
               verification: Verification | None = None,
               mission_only: SizingResult | None = None,
               sweep: pd.DataFrame | None = None) -> Path:
    """Write the sizing report as a PDF (A4), the same content as :func:`render_report`.

    Parameters
    ----------
    result : SizingResult
        The solved design, with its diesel-only baseline when computed.
    path : str or Path
        The PDF file to write; its folder is created.
    scenario, inputs, pareto, fuel_daily, verification, mission_only, sweep
        As for :func:`energyopt.report.render.render_report`: each adds its sections.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ImportError
        When ReportLab (the extra ``pdf``) is not installed; the message says what to
        install.
    """
    _reportlab()
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from energyopt.report import figures
    from energyopt.report.render import render_context

    with figures.output("png"):
        c = render_context(result, scenario=scenario, inputs=inputs, pareto=pareto,
                           fuel_daily=fuel_daily, verification=verification,
                           mission_only=mission_only, sweep=sweep)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    margin = 15 * mm
    doc_template = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
        bottomMargin=margin + 4 * mm, title=c["title"], author=f"energyopt {c['version']}",
        subject="Sizing report", creator=f"energyopt {c['version']}")
    doc = _Doc(A4[0] - 2 * margin)
    doc.para(c["title"], "title")
    if c["description"]:
        doc.para(c["description"])
    doc.para(f"Modelled period: {c['period']} (scaled to one year). Generated "
             f"{c['generated']} by energyopt {c['version']}.", "note")
    for note in c["result_notes"]:
        doc.para(note[:1].upper() + note[1:] + ".", "note")
    _summary(doc, c)
    _sizes_and_costs(doc, c)
    _money(doc, c)
    _operation_figures(doc, c)
    _studies(doc, c)
    _provenance(doc, c)
    _solver_and_signature(doc, c)
    name = c["name"]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")

    def footer(canvas: Any, template: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(doc.colour("#5b6775"))
        canvas.drawString(margin, 8 * mm, f"{name}: sizing report, energyopt {c['version']}, "
                                          f"{stamp}")
        canvas.drawRightString(A4[0] - margin, 8 * mm, f"page {template.page}")
        canvas.restoreState()

    doc_template.build(doc.story, onFirstPage=footer, onLaterPages=footer)
    return path
