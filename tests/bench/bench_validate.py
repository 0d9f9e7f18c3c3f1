"""Validation time of long chains (it was quadratic: 10,000 nodes took about 20 s).

Run: ``python tests/bench/bench_validate.py [N ...]`` (default 1000 4000 10000). Prints one
line per size; timings on a shared machine are noisy.
"""
from __future__ import annotations

import sys
import time

from tests.graph.test_validate_scale import chain


def main(sizes: list[int]) -> None:
    for n in sizes:
        g = chain(n)
        t0 = time.perf_counter()
        problems = g.validate()
        dt = time.perf_counter() - t0
        print(f"validate chain of {n:>6,} nodes: {dt:6.3f} s ({len(problems)} problems)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 4000, 10000])
