"""Raw SQL time of a page: the SELECT statements its cold run issued (captured at the cursor by
bench/pages.py, with their parameters), replayed straight through the DBAPI connection of a fresh
engine with every row fetched; the median of a few replays, summed over the statements. This is the
floor the page could reach if Python, pandas and Streamlit cost nothing."""

from __future__ import annotations

import statistics
import time

from sqlalchemy.engine import Engine

REPLAYS = 5


def _is_read(statement: str) -> bool:
    head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    return head in ("SELECT", "WITH")


def replay_ms(engine: Engine, statements: list[tuple], replays: int = REPLAYS) -> tuple[float, int]:
    """(milliseconds, statements replayed)."""
    reads = [(s, p) for s, p, many in statements if _is_read(s) and not many]
    if not reads:
        return 0.0, 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        total = 0.0
        for statement, parameters in reads:
            times = []
            for attempt in range(replays + 1):
                started = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                if attempt:  # the first run warms the page cache and the plan cache
                    times.append((time.perf_counter() - started) * 1000)
            total += statistics.median(times)
        raw.rollback()
    finally:
        raw.close()
    return total, len(reads)
