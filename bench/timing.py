"""The one timing rule every benchmark uses: a few warm-up calls, then the median of repeated runs."""

from __future__ import annotations

import statistics
import time
from typing import Callable

WARMUPS, RUNS = 3, 20


def median_ms(action: Callable[[], object], runs: int = RUNS, warmups: int = WARMUPS) -> float:
    """Median milliseconds of `action()` after `warmups` untimed calls."""
    for _ in range(warmups):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def warm_page_ms(at, runs: int = RUNS) -> float:
    """Median milliseconds of an AppTest rerun of the page it is on; the page must not raise."""
    result = median_ms(at.run, runs)
    assert not at.exception, at.exception
    return result
