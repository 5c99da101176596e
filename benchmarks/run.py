"""welfarekit benchmarks: figures, spreads and ratios measured in one run.

    python benchmarks/run.py            # the full run (a few minutes on 2 cores)
    python benchmarks/run.py --quick    # a smoke run, as CI does, so the code cannot rot
    python benchmarks/run.py --db postgresql   # the storage figures on PostgreSQL (or mariadb)
    python benchmarks/run.py --soak --db postgresql   # and the soak and load test (local only)

Benchmarks print figures; they never fail on a slow machine. Each figure is the median of
several repeats with its spread (min-max), and its ratio against a comparison measured in
the same process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_crypto_audit
import bench_decisions
import bench_keys
import bench_records
import bench_scale
import bench_storage
import soak


def timed(function: Callable[[], object], repeats: int, inner: int) -> list[float]:
    """Seconds per call of ``function``, for each of ``repeats`` batches of ``inner`` calls."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            function()
        samples.append((time.perf_counter() - start) / inner)
    return samples


DATABASES = {
    "sqlite": "",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
"""``--db`` choices: the embedded SQLite, or a server (its URL from WELFAREKIT_TEST_*_URL
when set, else the local default)."""

Database = Callable[[Path], contextlib.AbstractContextManager[str]]
"""Opens a fresh, empty database for one benchmark and yields its URL."""


def databases(server: str) -> Database:
    """SQLite files in the benchmark's folder when ``server`` is empty, else new databases
    on that server, each dropped afterwards."""

    @contextlib.contextmanager
    def open_database(folder: Path) -> Iterator[str]:
        if not server:
            yield f"sqlite:///{folder / 'bench.sqlite3'}"
            return
        from welfarekit_sqlalchemy.testing import fresh_database

        with fresh_database(server) as url:
            yield url

    return open_database


def latencies(function: Callable[[], object], calls: int) -> list[float]:
    """Seconds of each of ``calls`` single calls of ``function`` (for percentiles), after a
    short warm-up."""
    for _ in range(min(100, calls)):
        function()
    clock = time.perf_counter_ns
    samples = []
    for _ in range(calls):
        start = clock()
        function()
        samples.append((clock() - start) / 1e9)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run with small sizes")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results.json"))
    parser.add_argument("--db", default="sqlite", metavar="sqlite|postgresql|mariadb|URL",
                        help="where the storage figures run (default: the embedded SQLite)")  # fmt: skip
    parser.add_argument("--soak", action="store_true", help="also the soak test (needs a server)")
    parser.add_argument("--soak-seconds", type=float, metavar="S",
                        help="how long the soak runs (default: 180, with --quick 3)")  # fmt: skip
    args = parser.parse_args(argv)
    env = {"postgresql": "WELFAREKIT_TEST_POSTGRESQL_URL",
           "mariadb": "WELFAREKIT_TEST_MARIADB_URL"}.get(args.db)  # fmt: skip
    server = (os.environ.get(env) or DATABASES[args.db]) if env else DATABASES.get(args.db, args.db)
    if args.soak and (not server or server.startswith("sqlite")):
        parser.error("--soak needs a database server: add --db postgresql (or mariadb)")
    database = databases(server)
    print(f"storage figures on {args.db}\n")
    results = bench_decisions.run(timed, quick=args.quick, database=database)
    results += bench_crypto_audit.run(timed, quick=args.quick)
    results += bench_records.run(timed, quick=args.quick, database=database)
    results += bench_keys.run(timed, quick=args.quick, database=database)
    results += bench_storage.run(timed, quick=args.quick, database=database)
    results += bench_scale.run(timed, quick=args.quick, database=database)
    if args.soak:
        results += soak.run(timed, quick=args.quick, database=database, seconds=args.soak_seconds)
    width = max(len(r["figure"]) for r in results)
    print(f"{'figure':<{width}}  {'median':>12}  {'p99':>11}  {'spread':>23}  ratio")
    for r in results:
        spread = f"{r['min_us']:.2f}-{r['max_us']:.2f} µs"
        p99 = f"{r['p99_us']:.2f} µs" if "p99_us" in r else ""
        ratio = f"{r['ratio']:.2f}× {r['against']}" if r.get("against") else ""
        target = f"  [target: {r['target']}]" if r.get("target") else ""
        print(f"{r['figure']:<{width}}  {r['median_us']:>9.2f} µs  {p99:>11}  {spread:>23}  "
              f"{ratio}{target}")  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0


def summary(
    figure: str, samples: list[float], *, percentiles: bool = False, **extra: object
) -> dict[str, object]:
    """A figure's median and spread in microseconds; with ``percentiles`` (``samples`` being
    single calls), its p50 and p99 as well."""
    micro = [s * 1e6 for s in samples]
    found: dict[str, object] = {
        "figure": figure,
        "median_us": statistics.median(micro),
        "min_us": min(micro),
        "max_us": max(micro),
    }
    if percentiles:
        ordered = sorted(micro)
        found["p50_us"] = ordered[len(ordered) // 2]
        found["p99_us"] = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return found | extra


if __name__ == "__main__":
    sys.exit(main())
