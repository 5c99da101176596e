"""Mutation testing of the rules, the crypto and the audit trail, scored per group.

Runs `mutmut <https://mutmut.readthedocs.io/>`_ (configured in ``[tool.mutmut]`` of
``pyproject.toml``: which modules are mutated and which tests run) and scores three groups
of modules against their targets:

========  =====================================================================  ======
group     modules                                                                target
========  =====================================================================  ======
rules     ``welfarekit.rules`` (access, consent, bases, facts)                   95 %
crypto    ``welfarekit.crypto`` (seal, keyset, keyring, blind index, key file)   90 %
audit     ``welfarekit.audit``, ``welfarekit.audit_chain``, ``welfarekit.auditing``  90 %
========  =====================================================================  ======

A group's score is its killed mutants (a timeout counts as killed) over its mutants, less
the equivalent ones: those named in the table of ``docs/mutation-testing.md``, each with why
no test can tell it from the original. Every other mutant that survives is printed, so that
``mutmut show <name>`` shows it.

    python tools/mutation.py                      # every mutant, afresh (tens of minutes)
    python tools/mutation.py --sample 25          # 25 mutants of each group, drawn by seed
    python tools/mutation.py --paths src/welfarekit/crypto/seal.py
    python tools/mutation.py --report             # score the results of the last run

Exit 0 when every group scored meets its target, 1 when one does not, 2 when mutmut failed.
The results stay in ``mutants/`` (ignored by git) for ``mutmut results`` and ``mutmut
browse``. Run from the repository's root.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
EQUIVALENTS_DOC = ROOT / "docs" / "mutation-testing.md"

GROUPS: Mapping[str, tuple[tuple[str, ...], float]] = {
    "rules": (("welfarekit.rules.",), 95.0),
    "crypto": (("welfarekit.crypto.",), 90.0),
    "audit": (("welfarekit.audit.", "welfarekit.audit_chain.", "welfarekit.auditing."), 90.0),
}
"""Each group's module prefixes and its target, in per cent of mutants killed."""

BOOTSTRAP = "welfarekit.crypto._framing.*"
"""A few cheap mutants to run first when no mutants exist yet, so that mutmut generates
them all and collects which tests reach which function; the sample is drawn after."""

KILLED = frozenset({1, 3, 36, 37, -24, 24, 152, 255})
"""mutmut's exit codes of a killed mutant: a failing test (1, 3), a timeout (36, the CPU
limit's signals, 255) and a type-check failure (37)."""
SURVIVED = frozenset({0})
NO_TESTS = frozenset({5, 33})
MUTANT_NAME = re.compile(r"`(welfarekit\.[\w.ǁ]+__mutmut_\d+)`")


@attrs.frozen
class Score:
    group: str
    target: float
    killed: int
    total: int
    equivalent: int
    survivors: tuple[str, ...]
    unchecked: int

    @property
    def percent(self) -> float:
        scored = self.total - self.equivalent
        return 100.0 if scored <= 0 else 100.0 * self.killed / scored

    @property
    def met(self) -> bool:
        return self.percent >= self.target and not self.unchecked


def group_of(mutant: str) -> str | None:
    for group, (prefixes, _) in GROUPS.items():
        if mutant.startswith(prefixes):
            return group
    return None


def load_results(mutants: Path = MUTANTS) -> dict[str, int | None]:
    """Every mutant's exit code (``None``: not run yet), from mutmut's ``*.meta`` files."""
    results: dict[str, int | None] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        document = json.loads(meta.read_text(encoding="utf-8"))
        results.update(document["exit_code_by_key"])
    return results


def load_equivalents(doc: Path = EQUIVALENTS_DOC) -> frozenset[str]:
    """The mutants that ``docs/mutation-testing.md`` names, in backquotes, in its section
    "Equivalent mutants"."""
    if not doc.exists():
        return frozenset()
    text = doc.read_text(encoding="utf-8").partition("\n## Equivalent mutants\n")[2]
    return frozenset(MUTANT_NAME.findall(text.partition("\n## ")[0]))


def score(
    results: Mapping[str, int | None],
    equivalents: Iterable[str] = (),
    only: Iterable[str] | None = None,
) -> list[Score]:
    """Each group's score over ``results`` (restricted to ``only`` when given)."""
    chosen = set(results) if only is None else set(only) & set(results)
    known_equivalents = set(equivalents)
    scores = []
    for group, (_, target) in GROUPS.items():
        mine = sorted(name for name in chosen if group_of(name) == group)
        if not mine:
            continue
        codes = {name: results[name] for name in mine}
        equivalent = [n for n in mine if n in known_equivalents and codes[n] not in KILLED]
        scores.append(
            Score(
                group=group,
                target=target,
                killed=sum(code in KILLED for code in codes.values()),
                total=len(mine),
                equivalent=len(equivalent),
                survivors=tuple(
                    n for n in mine if codes[n] not in KILLED and n not in known_equivalents
                ),
                unchecked=sum(code is None for code in codes.values()),
            )
        )
    return scores


def draw_sample(
    names: Iterable[str], per_group: int, seed: int, equivalents: Iterable[str] = ()
) -> list[str]:
    """``per_group`` mutants of each group, drawn with ``seed`` (the same every run), never
    a known equivalent one."""
    skip = set(equivalents)
    drawn: list[str] = []
    for group in GROUPS:
        mine = sorted(n for n in names if group_of(n) == group and n not in skip)
        draw = random.Random(f"{seed}:{group}")  # noqa: S311 (a repeatable draw, no secret)
        drawn += draw.sample(mine, min(per_group, len(mine)))
    return drawn


def module_pattern(path: str) -> str:
    """``src/welfarekit/rules/access.py`` -> ``welfarekit.rules.access.*``."""
    relative = Path(path).with_suffix("")
    parts = relative.parts[1:] if relative.parts[:1] == ("src",) else relative.parts
    return ".".join(parts) + ".*"


def run_mutmut(names: Sequence[str], max_children: int) -> int:
    beside = Path(sys.executable).parent / "mutmut"  # this environment's, activated or not
    mutmut = str(beside) if beside.exists() else "mutmut"
    command = [mutmut, "run", "--max-children", str(max_children), *names]
    return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603


def report(
    scores: Sequence[Score], equivalents: frozenset[str], results: Mapping[str, int | None]
) -> None:
    for s in scores:
        print(
            f"{s.group:7} {s.killed}/{s.total - s.equivalent} killed = {s.percent:.1f} % "
            f"(target {s.target:.0f} %; {s.equivalent} equivalent left out"
            + (f"; {s.unchecked} not run" if s.unchecked else "")
            + f") {'ok' if s.met else 'BELOW TARGET'}"
        )
        for name in s.survivors:
            status = "not run" if results[name] is None else (
                "no test reaches it" if results[name] in NO_TESTS else "survived"
            )  # fmt: skip
            print(f"    {status}: {name}")
    stale = sorted(n for n in equivalents if n in results and results[n] in KILLED)
    unknown = sorted(n for n in equivalents if n not in results)
    for name in stale:
        print(f"note: {name} is listed as equivalent but was killed: take it off the list")
    if unknown and len(results) > len(unknown):
        print(f"note: {len(unknown)} mutants listed as equivalent no longer exist "
              f"(the code changed): {', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sample", type=int, metavar="N", help="run N mutants of each group")
    parser.add_argument("--seed", type=int, default=0, help="draws the sample (default 0)")
    parser.add_argument("--paths", nargs="+", metavar="FILE", help="mutate only these modules")
    parser.add_argument("--max-children", type=int, default=1, help="mutmut's workers (1)")
    parser.add_argument("--report", action="store_true", help="score the last run only")
    args = parser.parse_args(argv)

    equivalents = load_equivalents()
    only: list[str] | None = None
    started = time.monotonic()
    if not args.report:
        patterns = [module_pattern(p) for p in args.paths or ()]
        if args.sample is not None:
            if not load_results() and run_mutmut([BOOTSTRAP], args.max_children):
                return 2
            names = load_results()
            if patterns:
                names = {n: c for n, c in names.items() if any(re.fullmatch(
                    re.escape(p[:-1]) + ".*", n) for p in patterns)}  # fmt: skip
            only = draw_sample(names, args.sample, args.seed, equivalents)
            targets = only
        elif patterns:
            targets = patterns  # named: run again even where a result is kept
        else:
            shutil.rmtree(MUTANTS, ignore_errors=True)  # every mutant, against today's tests
            targets = []
        if run_mutmut(targets, args.max_children):
            return 2
    elif args.paths:
        prefixes = tuple(module_pattern(p)[:-1] for p in args.paths)
        only = [n for n in load_results() if n.startswith(prefixes)]
    results = load_results()
    if not results:
        print("no mutants: run `python tools/mutation.py` first", file=sys.stderr)
        return 2
    if args.paths and only is None:
        prefixes = tuple(module_pattern(p)[:-1] for p in args.paths)
        only = [n for n in results if n.startswith(prefixes)]
    scores = score(results, equivalents, only)
    report(scores, equivalents, results)
    if not args.report:
        print(f"took {time.monotonic() - started:.0f} s")
    return 0 if all(s.met for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
