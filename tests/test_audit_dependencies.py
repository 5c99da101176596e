"""tools/audit_dependencies.py: pip-audit's verdict read from its JSON — a vulnerability
fails, an unreachable vulnerability service does not (unless --strict), and this
repository's own distributions are never looked up on PyPI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from typing import Any

import pytest

from tools import audit_dependencies as audit

REPORT_CLEAN = {"dependencies": [{"name": "attrs", "version": "26.1.0", "vulns": []}]}
REPORT_VULNERABLE = {"dependencies": [
    {"name": "attrs", "version": "26.1.0", "vulns": []},
    {"name": "jinja2", "version": "3.1.2", "vulns": [
        {"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"], "fix_versions": ["3.1.3"],
         "description": "xmlattr"}]},
]}  # fmt: skip
REPORT_OFFLINE = {"dependencies": [
    {"name": "attrs", "skip_reason": "Dependency not found on PyPI and could not be audited: "
                                     "attrs (26.1.0)"}]}  # fmt: skip


def fake_audit(monkeypatch: pytest.MonkeyPatch, stdout: str, stderr: str = "",
               code: int = 0) -> list[Sequence[str]]:  # fmt: skip
    pinned: list[Sequence[str]] = []

    def run(pins: Sequence[str], options: Sequence[str]) -> subprocess.CompletedProcess[str]:
        pinned.append(pins)
        return subprocess.CompletedProcess([], code, stdout, stderr)

    monkeypatch.setattr(audit, "run_pip_audit", run)
    return pinned


@pytest.mark.parametrize(
    ("report", "strict", "status", "said"),
    [
        (REPORT_CLEAN, False, 0, "1 of"),
        (REPORT_VULNERABLE, False, 1,
         "VULNERABLE jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (CVE-2024-22195); fixed in 3.1.3"),
        (REPORT_OFFLINE, False, 0, "1 packages could NOT be audited"),
        (REPORT_OFFLINE, True, 1, "1 packages could NOT be audited"),
    ],
)  # fmt: skip
def test_only_a_vulnerability_fails_unless_strict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    report: dict[str, Any], strict: bool, status: int, said: str,
) -> None:  # fmt: skip
    fake_audit(monkeypatch, json.dumps(report), code=1 if report is REPORT_VULNERABLE else 0)
    assert audit.main(["--strict"] if strict else []) == status
    assert said in capsys.readouterr().out


def test_an_unreachable_service_is_said_and_does_not_fail(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_audit(monkeypatch, "", "requests.exceptions.ConnectionError: Max retries exceeded", 1)
    assert audit.main([]) == 0
    assert "packages NOT audited" in capsys.readouterr().out
    assert audit.main(["--strict"]) == 1


def test_pip_audit_failing_for_another_reason_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_audit(monkeypatch, "", "error: unrecognized arguments: --nonsense", 2)
    assert audit.main(["--nonsense"]) == 2
    assert "could not run" in capsys.readouterr().err


def test_the_repositorys_own_distributions_are_not_audited() -> None:
    class Dist:
        def __init__(self, name: str, version: str) -> None:
            self.metadata = {"Name": name}
            self.version = version

    pins = audit.dependency_set([Dist("welfarekit", "0.1.0"), Dist("welfarekit_oidc", "0.1.0"),
                                 Dist("Flask", "3.1.3"), Dist("zope.interface", "7.0")])  # type: ignore[list-item]  # fmt: skip
    assert pins == ["flask==3.1.3", "zope-interface==7.0"]
