"""The documentation stays true: every hook is in the hook reference, with an example.

The site itself is built with warnings as errors by ``tox -e docs``; these checks need no
Sphinx.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from welfarekit import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


# -- the hook reference -----------------------------------------------------------------------


def _hooks() -> list[str]:
    """Every function of welfarekit.hookspecs marked as a hook specification."""
    marker = f"{hookspecs.hookspec.project_name}_spec"
    return sorted(
        name
        for name, value in vars(hookspecs).items()
        if callable(value) and hasattr(value, marker)
    )


def _examples(page: str) -> dict[str, Path]:
    """``:pyobject:`` → file of every literalinclude on the page."""
    found: dict[str, Path] = {}
    pattern = re.compile(r"```\{literalinclude\}\s+(\S+)\n((?::\S+:.*\n)*)")
    for target, options in pattern.findall((DOCS / page).read_text(encoding="utf-8")):
        pyobject = re.search(r":pyobject:\s*(\S+)", options)
        if pyobject:
            found[pyobject.group(1)] = (DOCS / target).resolve()
    return found


def _defines(path: Path, dotted: str) -> ast.FunctionDef | ast.ClassDef | None:
    """The definition ``dotted`` (``f`` or ``Class`` or ``Class.method``) in ``path``."""
    scope: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    node = None
    for part in dotted.split("."):
        node = next(
            (n for n in scope if isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name == part),
            None,
        )
        if node is None:
            return None
        scope = node.body
    return node


def test_hooks_are_found() -> None:
    assert {"welfarekit_register_adapters", "welfarekit_veto", "welfarekit_notify"} <= set(_hooks())


@pytest.mark.parametrize("hook", _hooks())
def test_every_hook_is_documented_with_its_contract(hook: str) -> None:
    page = (DOCS / "hooks.md").read_text(encoding="utf-8")
    assert f".. autofunction:: welfarekit.hookspecs.{hook}\n" in page, (
        f"docs/hooks.md does not document {hook}: add its autofunction and an example"
    )
    assert (getattr(hookspecs, hook).__doc__ or "").strip(), f"{hook} has no docstring"


@pytest.mark.parametrize("hook", _hooks())
def test_every_hook_has_an_example_implementation(hook: str) -> None:
    """A literalinclude whose ``:pyobject:`` implements the hook: a function named after it,
    or a class with a method named after it, in a module that exists."""
    implementations = []
    for dotted, path in _examples("hooks.md").items():
        assert path.is_file(), f"docs/hooks.md includes {path}, which does not exist"
        node = _defines(path, dotted)
        assert node is not None, f"{path.name} defines no {dotted}"
        is_hook = node.name == hook if isinstance(node, ast.FunctionDef) else False
        has_hook = isinstance(node, ast.ClassDef) and _defines(path, f"{dotted}.{hook}")
        if is_hook or has_hook:
            implementations.append(dotted)
    assert implementations, f"docs/hooks.md shows no example implementation of {hook}"


def test_the_hook_examples_are_hook_implementations() -> None:
    """The included examples are importable modules whose functions carry the hookimpl
    marker (and so are run by tests/test_hook_examples.py as plugins)."""
    import importlib

    marker = f"{hookspecs.hookspec.project_name}_impl"
    for dotted, path in _examples("hooks.md").items():
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        obj = module
        for part in dotted.split("."):
            obj = getattr(obj, part)
        hooks = (
            [obj]
            if callable(obj) and not isinstance(obj, type)
            else [getattr(obj, name) for name in _hooks() if hasattr(obj, name)]
        )
        assert hooks, f"{dotted} implements no hook"
        assert all(hasattr(h, marker) for h in hooks), f"{dotted}: mark it @welfarekit.hookimpl"
        assert hasattr(module, "WELFAREKIT_HOOK_API"), f"{path.name} declares no hook API"
