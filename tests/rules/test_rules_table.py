"""The "who can see what" table in the docs is the one the rules generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfarekit.cli import main
from welfarekit.rules.table import who_can_see_what

DOC = Path(__file__).resolve().parents[2] / "docs" / "who-can-see-what.md"


def test_docs_table_matches_the_rules() -> None:
    assert who_can_see_what() in DOC.read_text(encoding="utf-8"), (
        "docs/who-can-see-what.md is out of date: regenerate it with `welfarekit rules table`"
    )


def test_cli_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "table"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == who_can_see_what().strip()


def test_table_shows_the_key_rules() -> None:
    rows = {line.split(" | ")[0].strip("| "): line for line in who_can_see_what().splitlines()}
    record = lambda row: rows[row].split(" | ")[1]  # noqa: E731
    assert record("the student") == "RLX"
    assert record("teacher") == "–"
    assert record("group advisor") == "–"
    assert record("the same psychologist after consent was withdrawn") == "–"
    assert record("a guardian, after the minor's § 18(2) veto") == "–"
    assert record("principal (register-responsible role, steering group)") == "M"
