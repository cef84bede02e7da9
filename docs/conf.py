"""Sphinx configuration of the energyopt documentation.

Build from the repository's root with ``python -m sphinx -W --keep-going -b html docs
docs/_build/html`` (install the ``docs`` extra first). The scenario reference, the model
formulation, the API reference and the pages of the example camps are generated from the code
when the build starts (``docs/_ext/energyopt_docs.py``, written to ``docs/_generated/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import energyopt  # noqa: E402  (after the path set-up, like every Sphinx conf)

project = "energyopt"
author = "energyopt developers"
copyright = "energyopt developers"  # noqa: A001 - Sphinx's name
version = release = energyopt.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "energyopt_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Markdown (MyST): $...$ maths in the tutorials, ::: fences, and anchors on headings so that
# pages such as architecture.md keep their in-page links.
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# numpydoc docstrings through napoleon (part of Sphinx: no extra dependency)
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_class_signature = "separated"
autodoc_default_options = {"show-inheritance": False}

html_theme = "alabaster"
html_title = f"energyopt {release}"
html_theme_options = {
    "description": "PV / battery / diesel sizing for UN peacekeeping camps",
    "page_width": "min(96%, 1500px)",
    "sidebar_width": "230px",
    "body_max_width": "none",
    "fixed_sidebar": False,
}
html_static_path: list[str] = []
