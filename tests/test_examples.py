"""The examples and the README's Python run as written."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_embed_minimal_example_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "embed_minimal.py"), str(tmp_path / "s.db")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Aino Korhonen: 1 guardian(s); 7 audit events"


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    assert len(blocks) >= 2, "the README has its Python examples"
    monkeypatch.chdir(tmp_path)
    namespaces = []
    for number, block in enumerate(blocks):
        script = tmp_path / f"readme_example_{number}.py"
        script.write_text(block, encoding="utf-8")
        namespaces.append(runpy.run_path(str(script)))
    assert namespaces[0]["aino"].full_name == "Aino Korhonen"
    assert (tmp_path / "welfare.db").exists()
    decision = namespaces[1]["decision"]
    assert not decision.allowed
    assert "being a group advisor, teacher gives no access" in decision.reason
    casework = namespaces[2]
    assert casework["booked"].in_time is True
    assert casework["booked"].booking.student_id == "eetu.makela"
