"""pip-audit over the dependency set installed in this environment; fails only on a known
vulnerability.

The set is every distribution installed here except this repository's own (``welfarekit``
and ``welfarekit-*``, which are not on PyPI under these names or are another project's): in
``tox -e security`` that is welfarekit, every plugin with its extras, the example portal's and
the tests' packages, and the checking tools. Each is pinned at its installed version and
audited with ``pip-audit --no-deps``.

pip-audit needs its vulnerability service (PyPI's JSON API, or OSV with ``--service osv``).
Where it cannot reach it, pip-audit reports each package as "could not be audited" instead
of failing: this script prints how many were audited and how many were not, and fails
(exit 1) only when a vulnerability is found. Exit 2 means pip-audit itself could not run.

    python tools/audit_dependencies.py [--strict] [pip-audit options, e.g. --service osv]

``--strict`` also fails when some package could not be audited (for a machine that reaches
the service).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from typing import Any

OWN = re.compile(r"welfarekit(-.+)?")
"""This repository's distributions (normalized names)."""

UNREACHABLE = ("ConnectionError", "Max retries exceeded", "Temporary failure in name resolution",
               "Failed to establish a new connection", "timed out", "Name or service not known",
               "Network is unreachable")  # fmt: skip
"""What pip-audit's error says when the service cannot be reached at all."""


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_set(distributions: Iterable[metadata.Distribution] | None = None) -> list[str]:
    """``name==version`` of each installed distribution but this repository's own."""
    found = {}
    for dist in distributions if distributions is not None else metadata.distributions():
        name = dist.metadata["Name"]
        if name and not OWN.fullmatch(normalize(name)):
            found[normalize(name)] = f"{normalize(name)}=={dist.version}"
    return [found[name] for name in sorted(found)]


def verdict(report: Mapping[str, Any]) -> tuple[list[str], list[str], int]:
    """From pip-audit's JSON: the vulnerabilities found (one line each), the packages that
    could not be audited, and how many were audited."""
    vulnerable, skipped, audited = [], [], 0
    for dependency in report.get("dependencies", []):
        name = f"{dependency.get('name')} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            skipped.append(name)
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases", []))
            vulnerable.append(f"{name}: {vuln.get('id')}" + (f" ({aliases})" if aliases else "")
                              + f"; fixed in {fixes}")  # fmt: skip
    return vulnerable, skipped, audited


def run_pip_audit(pins: Sequence[str], options: Sequence[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as requirements:
        requirements.write("\n".join(pins) + "\n")
        requirements.flush()
        command = [sys.executable, "-m", "pip_audit", "-r", requirements.name, "--no-deps",
                   "--disable-pip", "-f", "json", "--progress-spinner", "off", *options]  # fmt: skip
        return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    strict = "--strict" in args
    options = [a for a in args if a != "--strict"]
    pins = dependency_set()
    result = run_pip_audit(pins, options)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        problem = (result.stderr.strip() or result.stdout.strip()).splitlines()
        last = problem[-1] if problem else f"exit status {result.returncode}"
        if any(sign in result.stderr for sign in UNREACHABLE):
            print(f"pip-audit: the vulnerability service cannot be reached ({last}); "
                  f"{len(pins)} packages NOT audited")  # fmt: skip
            return 1 if strict else 0
        print(f"pip-audit could not run: {last}", file=sys.stderr)
        return 2
    vulnerable, skipped, audited = verdict(report)
    print(f"pip-audit: {audited} of {len(pins)} packages audited, {len(vulnerable)} known "
          f"vulnerabilities")  # fmt: skip
    if skipped:
        print(f"pip-audit: {len(skipped)} packages could NOT be audited (is the vulnerability "
              f"service reachable?): {', '.join(skipped)}")  # fmt: skip
    for line in vulnerable:
        print(f"VULNERABLE {line}")
    if vulnerable:
        return 1
    return 1 if strict and skipped else 0


if __name__ == "__main__":
    sys.exit(main())
