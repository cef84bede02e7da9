"""The sizing report as a PDF: rendered to page images with pypdfium2 and read back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

import energyopt as eo
from energyopt import cli
from energyopt.report import render_pdf


@pytest.fixture(scope="module")
def pdf_path(small_camp_solved: tuple[eo.SizingResult, eo.Scenario, eo.Inputs],
             tmp_path_factory: pytest.TempPathFactory) -> Path:
    result, scenario, inputs = small_camp_solved
    return render_pdf(result, tmp_path_factory.mktemp("pdf") / "sub" / "report.pdf",
                      scenario=scenario, inputs=inputs)


def _pages(path: Path) -> tuple[list[np.ndarray], list[str]]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        images, texts = [], []
        for page in pdf:
            bitmap = page.render(scale=1.0)
            images.append(np.asarray(bitmap.to_pil().convert("L"), dtype=float))
            texts.append(page.get_textpage().get_text_range())
        return images, texts
    finally:
        pdf.close()


def test_pdf_pages_render_and_read(pdf_path: Path) -> None:
    assert pdf_path.read_bytes().startswith(b"%PDF")
    images, texts = _pages(pdf_path)
    assert len(images) >= 2
    for k, grey in enumerate(images):
        # A4 at 72 dpi, and not blank: ink on a white page
        assert grey.shape == pytest.approx((842, 595), abs=2), k
        assert grey.std() > 15.0, k
        assert (grey < 200).mean() > 0.01, k
    first = " ".join(texts[0].split())
    assert "small camp" in first
    assert "Recommended mix" in first
    assert "How sure are we?" in first
    every = " ".join(" ".join(texts).split())
    for title in ("Sizes: new against existing", "Yearly cash flow",
                  "Capital against operating cost", "The year hour by hour",
                  "Assumptions, sources and grades", "Review and approval"):
        assert title in every, title


def test_pdf_needs_the_pdf_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "reportlab", None)  # import reportlab now fails
    with pytest.raises(ImportError, match=r"energyopt\[pdf\]"):
        render_pdf(None, tmp_path / "x.pdf")  # type: ignore[arg-type]
    done = CliRunner().invoke(cli.app, ["run", "examples/gao.yaml", "--pdf",
                                        str(tmp_path / "gao.pdf")])
    assert done.exit_code == cli.EXIT_SCENARIO
    assert "pip install 'energyopt[pdf]'" in done.output
    assert not (tmp_path / "gao.pdf").exists()


def test_run_writes_the_pdf(tiny: dict[str, Any], tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump({**tiny, "name": "tiny camp"}), encoding="utf-8")
    bad = CliRunner().invoke(cli.app, ["run", str(path), "--pdf", str(tmp_path / "r.html")])
    assert bad.exit_code == cli.EXIT_SCENARIO
    assert "ending in .pdf" in bad.output
    done = CliRunner().invoke(cli.app, ["run", str(path), "--out", str(tmp_path / "out"),
                                        "--pdf", str(tmp_path / "tiny.pdf")])
    assert done.exit_code == 0, done.output
    assert "Wrote the report to" in done.output
    _, texts = _pages(tmp_path / "tiny.pdf")
    assert "tiny camp" in texts[0]
