"""The documentation stays true: its Python runs, every hook and every public name is in
it, and the quick start shows the README's commands.

The site itself is built with warnings as errors by ``tox -e docs``; these checks need no
Sphinx.
"""

from __future__ import annotations

import ast
import doctest
import re
import runpy
from pathlib import Path

import pytest

import welfarekit
from welfarekit import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))


def _blocks(page: Path, language: str) -> list[str]:
    """The bodies of the page's fences of ``language``, skipping every other fence."""
    blocks: list[str] = []
    inside: str | None = None  # the fence that opened the current block
    keep = False
    body: list[str] = []
    for line in page.read_text(encoding="utf-8").splitlines():
        if inside is None:
            match = re.fullmatch(r"(`{3,}|~{3,})\s*([^`\s]*).*", line)
            if match:
                inside, keep, body = match.group(1), match.group(2) == language, []
            continue
        if line.strip() == inside:
            if keep:
                blocks.append("\n".join(body) + "\n")
            inside = None
            continue
        body.append(line)
    return blocks


def _ids(pages: list[Path]) -> list[str]:
    return [page.name for page in pages]


PYTHON_PAGES = [page for page in PAGES if _blocks(page, "python")]
CONSOLE_PAGES = [page for page in PAGES if _blocks(page, "pycon")]


def test_pages_have_python_to_run() -> None:
    assert {"quickstart.md", "tutorial-portal.md"} <= {p.name for p in PYTHON_PAGES}


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=_ids(PYTHON_PAGES))
def test_python_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's ```python blocks are one program, run in an empty folder. A fragment that
    cannot run on its own is shown in a ```{code-block} python fence instead."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    script = tmp_path / f"{page.stem.replace('-', '_')}.py"
    script.write_text("\n\n".join(_blocks(page, "python")), encoding="utf-8")
    runpy.run_path(str(script), run_name="__docs__")


@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=_ids(CONSOLE_PAGES))
def test_console_examples_show_what_python_prints(page: Path) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(_blocks(page, "pycon")), {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{page.name}: a >>> example printed something else"


def test_no_python_fence_is_left_unrun() -> None:
    """``py`` or ``python3`` fences would be skipped by the test above; name them ``python``."""
    for page in PAGES:
        for language in ("py", "python3", "py3"):
            assert not _blocks(page, language), f"{page.name}: a ```{language} fence"


def test_the_quickstart_shows_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    commands = re.search(r"```\n(.*?)```", section, re.DOTALL)
    assert commands is not None
    assert commands.group(1) in (DOCS / "quickstart.md").read_text(encoding="utf-8")


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


# -- the API reference ------------------------------------------------------------------------


def test_every_public_name_is_in_the_api_reference() -> None:
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = set(
        re.findall(r"^\.\. auto(?:class|exception|function|data)::\s+welfarekit\.(\w+)\s*$",
                   page, re.MULTILINE)
    )  # fmt: skip
    missing = sorted(set(welfarekit.__all__) - documented)
    assert not missing, f"docs/api.md does not document welfarekit.{', welfarekit.'.join(missing)}"
    unknown = sorted(documented - set(welfarekit.__all__))
    assert not unknown, f"docs/api.md documents names not in welfarekit.__all__: {unknown}"


# -- the changelog --------------------------------------------------------------------------


def test_change_fragments_are_named_as_towncrier_reads_them() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    towncrier = config["tool"]["towncrier"]
    types = {t["directory"] for t in towncrier["type"]}
    folder = ROOT / towncrier["directory"]
    for fragment in folder.iterdir():
        if fragment.name in {"README.md", ".gitignore"}:
            continue
        parts = fragment.name.split(".")
        assert len(parts) >= 3, f"{fragment.name}: name it <issue>.<type>.md"
        assert parts[-2] in types, f"{fragment.name}: the type is one of {sorted(types)}"
        assert parts[-1] == "md", f"{fragment.name}: fragments are Markdown (.md)"
    changelog = (ROOT / towncrier["filename"]).read_text(encoding="utf-8")
    assert towncrier["start_string"].strip() in changelog
