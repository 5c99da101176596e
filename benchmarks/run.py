"""welfarekit benchmarks: figures, spreads and ratios measured in one run.

    python benchmarks/run.py            # the full run (a few minutes on 2 cores)
    python benchmarks/run.py --quick    # a smoke run, as CI does, so the code cannot rot

Benchmarks print figures; they never fail on a slow machine. Each figure is the median of
several repeats with its spread (min-max), and its ratio against a comparison measured in
the same process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_crypto_audit
import bench_decisions
import bench_records


def timed(function: Callable[[], object], repeats: int, inner: int) -> list[float]:
    """Seconds per call of ``function``, for each of ``repeats`` batches of ``inner`` calls."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            function()
        samples.append((time.perf_counter() - start) / inner)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run with small sizes")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results.json"))
    args = parser.parse_args(argv)
    results = bench_decisions.run(timed, quick=args.quick)
    results += bench_crypto_audit.run(timed, quick=args.quick)
    results += bench_records.run(timed, quick=args.quick)
    width = max(len(r["figure"]) for r in results)
    print(f"{'figure':<{width}}  {'median':>12}  {'spread':>21}  {'ratio':>24}")
    for r in results:
        spread = f"{r['min_us']:.2f}-{r['max_us']:.2f} µs"
        ratio = f"{r['ratio']:.2f}× {r['against']}" if r.get("against") else ""
        print(f"{r['figure']:<{width}}  {r['median_us']:>9.2f} µs  {spread:>21}  {ratio:>24}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0


def summary(figure: str, samples: list[float], **extra: object) -> dict[str, object]:
    micro = [s * 1e6 for s in samples]
    return {
        "figure": figure,
        "median_us": statistics.median(micro),
        "min_us": min(micro),
        "max_us": max(micro),
        **extra,
    }


if __name__ == "__main__":
    sys.exit(main())
