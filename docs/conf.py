"""Sphinx configuration: the documentation site, built with warnings as errors.

``tox -e docs`` runs ``sphinx-build -W --keep-going -b html docs <dir>``. The pages are
Markdown (MyST); the API and hook references come from the docstrings by autodoc, so the
build imports welfarekit and its plugins. Nothing is fetched from the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "welfarekit"
author = "The welfarekit developers"
copyright = "the welfarekit developers"

try:
    from welfarekit import __version__ as release
except ImportError:  # pragma: no cover - the docs environment installs welfarekit
    release = "unknown"
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "rules_table",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "_ext",
    "examples",
    "requirements.txt",
    "Thumbs.db",
    ".DS_Store",
]

myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"show-inheritance": False}

html_theme = "furo"
html_title = f"welfarekit {release}"
html_show_sourcelink = False
