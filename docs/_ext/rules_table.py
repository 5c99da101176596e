"""A Sphinx extension: the "who can see what" table, generated from the rules at build time.

On ``builder-inited`` it runs the same generator as ``welfarekit rules table``
(:func:`welfarekit.rules.table.who_can_see_what`); when ``who-can-see-what.md`` is read,
the text between its two markers is replaced with the generated table, so the built site
shows what the rules decide today whatever the committed page says. (The committed page is
kept current by ``tests/rules/test_rules_table.py``, for readers of the repository.)
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

PAGE = "who-can-see-what"
START = "<!-- rules-table:start -->"
END = "<!-- rules-table:end -->"


def generate(app: Sphinx) -> None:
    from welfarekit.rules.table import who_can_see_what

    app.env.welfarekit_rules_table = who_can_see_what().strip()  # type: ignore[attr-defined]


def splice(page: str, table: str) -> str:
    """``page`` with the text between the markers replaced by ``table``."""
    before, start, rest = page.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise ExtensionError(f"{PAGE}.md must hold the markers {START} and {END}")
    return f"{before}{START}\n{table}\n{END}{after}"


def substitute(app: Sphinx, docname: str, source: list[str]) -> None:
    if docname == PAGE:
        source[0] = splice(source[0], app.env.welfarekit_rules_table)  # type: ignore[attr-defined]


def always_outdated(app: Sphinx, env: Any, added: set[str], changed: set[str],
                    removed: set[str]) -> list[str]:  # fmt: skip
    """Read the page again on every build: the rules may have changed, the page not."""
    return [PAGE] if PAGE in env.found_docs else []


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", generate)
    app.connect("env-get-outdated", always_outdated)
    app.connect("source-read", substitute)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
