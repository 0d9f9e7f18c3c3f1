"""Helpers for the fuzz tests: a per-case hang guard and a memory bound.

Hypothesis' ``deadline`` only reports slow cases after they return; a real hang
never returns, so each case also runs under a SIGALRM timer that raises
:class:`Hang`. Memory is bounded with ``tracemalloc`` (numpy's allocations are
traced too): a case whose peak exceeds the bound fails with its size.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
import tracemalloc
from typing import Iterator

MB = 1024 ** 2


class Hang(Exception):
    """A fuzz case ran longer than its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread if the block runs longer than ``seconds``."""
    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise Hang(f"a fuzz case ran longer than {seconds} s")
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class MemoryBound:
    """The peak traced allocation of each case (``with bound.case(): ...``) stays under ``limit_mb``.

    Tracing runs only inside a case, not while hypothesis generates the next one (which
    would make the run several times slower).
    """

    def __init__(self, limit_mb: float) -> None:
        self.limit_mb = limit_mb
        self.worst_mb = 0.0

    def __enter__(self) -> "MemoryBound":
        return self

    def __exit__(self, *exc) -> None:
        if tracemalloc.is_tracing():
            tracemalloc.stop()

    @contextlib.contextmanager
    def case(self, trace: bool = True) -> Iterator[None]:
        """Measure the block's peak allocation (tracing makes it ~5x slower: sample with ``trace``)."""
        if not trace:
            yield
            return
        tracemalloc.start()
        try:
            yield
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        used = peak / MB
        self.worst_mb = max(self.worst_mb, used)
        assert used <= self.limit_mb, f"a fuzz case allocated {used:.0f} MB (bound {self.limit_mb} MB)"
