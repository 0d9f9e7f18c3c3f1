"""The package's one topological sort (Kahn's algorithm), for the graph, validation and layout."""
from __future__ import annotations

from collections import deque
from typing import Hashable, Iterable, TypeVar

T = TypeVar("T", bound=Hashable)


def kahn_order(nodes: Iterable[T], edges: Iterable[tuple[T, T]]) -> list[T]:
    """``nodes`` ordered so that every edge ``(src, dst)`` goes forward; ties keep the given
    order (first ready, first out). Edges with an end outside ``nodes`` are ignored; nodes on a
    cycle, or downstream of one, are left out (a caller compares lengths to detect that).
    Linear in nodes + edges."""
    indeg: dict[T, int] = {n: 0 for n in nodes}
    succ: dict[T, list[T]] = {n: [] for n in indeg}
    for src, dst in edges:
        if src in indeg and dst in indeg:
            indeg[dst] += 1
            succ[src].append(dst)
    ready = deque(n for n, d in indeg.items() if d == 0)
    order: list[T] = []
    while ready:
        n = ready.popleft()
        order.append(n)
        for d in succ[n]:
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    return order
