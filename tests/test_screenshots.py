"""The documentation's screenshots of the example portal stay in step with the browser tests
that take them (tests/browser/): each one the docs show exists, each one in
docs/_static/portal/ is shown somewhere, and each one the tests take is shown."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SHOTS = DOCS / "_static" / "portal"
BROWSER_TESTS = ROOT / "tests" / "browser"

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+\.png)\)")
_TAKEN = re.compile(r"""\.screenshot\(\s*["']([^"']+)["']""")


def _shown() -> dict[str, list[str]]:
    """The portal screenshots the docs show, by name: the pages showing each."""
    shown: dict[str, list[str]] = {}
    for page in sorted(DOCS.glob("*.md")):
        for _caption, target in _IMAGE.findall(page.read_text(encoding="utf-8")):
            if "/portal/" in target:
                shown.setdefault(Path(target).stem, []).append(page.name)
    return shown


def _taken() -> set[str]:
    """The screenshot names the browser tests take."""
    return {name for module in BROWSER_TESTS.glob("*.py")
            for name in _TAKEN.findall(module.read_text(encoding="utf-8"))}  # fmt: skip


def test_every_image_the_docs_show_exists_and_has_a_caption() -> None:
    found = 0
    for page in sorted(DOCS.glob("*.md")):
        for caption, target in _IMAGE.findall(page.read_text(encoding="utf-8")):
            found += 1
            assert caption.strip(), f"{page.name}: {target} has no caption"
            assert (page.parent / target).is_file(), f"{page.name} shows {target}, missing"
            if "/portal/" in target:
                assert target.startswith("_static/portal/"), f"{page.name}: {target}"
    assert found, "no images found: has the Markdown image syntax changed?"


def test_every_screenshot_in_the_folder_is_shown() -> None:
    stale = {p.stem for p in SHOTS.glob("*.png")} - set(_shown())
    assert not stale, f"screenshots no page shows (remove them, or show them): {sorted(stale)}"
    others = [p.name for p in SHOTS.iterdir() if p.suffix != ".png"]
    assert not others, f"not screenshots: {others}"


def test_every_screenshot_the_browser_tests_take_is_shown() -> None:
    taken = _taken()
    assert len(taken) > 20, "the browser tests' screenshot() calls were not found"
    assert not taken - set(_shown()), f"taken but not shown: {sorted(taken - set(_shown()))}"
    assert not set(_shown()) - taken, (
        f"shown but no test takes them (they would go stale): {sorted(set(_shown()) - taken)}"
    )


def test_each_screenshot_is_a_png() -> None:
    for shot in SHOTS.glob("*.png"):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{shot.name} is not a PNG"
