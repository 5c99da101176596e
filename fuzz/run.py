"""Run every atheris harness in this folder for a bounded time (``tox -e fuzz``).

    python fuzz/run.py [--seconds 60] [--work DIR] [NAME ...]

Each harness fuzzes from a copy of its seeds (``fuzz/seeds/NAME``) in ``DIR``, where libFuzzer
also leaves the input of any crash; the run fails if any harness found one."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARNESSES = sorted(p.stem.removeprefix("fuzz_") for p in HERE.glob("fuzz_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="per harness (default 60)")
    parser.add_argument("--work", type=Path, default=None, help="corpora and crash inputs")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"harnesses to run (default all: {', '.join(HARNESSES)})")  # fmt: skip
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(HARNESSES))
    if unknown:
        parser.error(f"no harness {', '.join(unknown)}; there are {', '.join(HARNESSES)}")
    work = args.work or Path(tempfile.mkdtemp(prefix="welfarekit-fuzz-"))
    failed = []
    for name in args.names or HARNESSES:
        corpus = work / "corpus" / name
        crashes = work / "crashes" / name
        corpus.mkdir(parents=True, exist_ok=True)
        crashes.mkdir(parents=True, exist_ok=True)
        for seed in (HERE / "seeds" / name).glob("*"):
            shutil.copy(seed, corpus / seed.name)
        command = [sys.executable, str(HERE / f"fuzz_{name}.py"), str(corpus),
                   f"-max_total_time={args.seconds}", f"-artifact_prefix={crashes}/",
                   "-rss_limit_mb=4096", "-print_final_stats=1"]  # fmt: skip
        started = time.monotonic()
        result = subprocess.run(command, check=False)  # noqa: S603
        took = time.monotonic() - started
        verdict = "ok" if result.returncode == 0 else f"CRASH (exit {result.returncode})"
        print(f"fuzz {name}: {verdict} after {took:.0f} s; corpus {corpus}", flush=True)
        if result.returncode != 0:
            failed.append(f"{name}: inputs in {crashes}")
    for line in failed:
        print(f"FAILED {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
