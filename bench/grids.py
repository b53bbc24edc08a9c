"""Grid-indicator figures: demo load time of the part, SQL roll-up times, warm AppTest runs.

    python -m bench.grids

Builds a fresh demo database in a temporary folder (SQLite), then prints the medians of 20 runs
after 3 warm-ups.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from bench.timing import median_ms

os.environ.setdefault("APP_SECRET_KEY", "bench-secret-key-" + "x" * 32)
os.environ["BCRYPT_ROUNDS"] = "4"
_TMP = tempfile.mkdtemp(prefix="cpme-bench-grids-")
os.environ["APP_DATA_DIR"] = _TMP
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP}/bench.db"

def _seed() -> None:
    from sqlalchemy import func, select

    from db.engine import make_engine, reading
    from db.models.grids import GridReport, IndicatorValue
    from seed_data import loader as seed

    engine = make_engine(os.environ["DATABASE_URL"])
    marks: dict[str, float] = {}
    start = time.perf_counter()
    seed.load_demo(engine, lambda _fraction, part: marks.setdefault(part, time.perf_counter() - start))
    parts = list(marks)
    grid_start = marks["grid_indicators"]
    grid_end = marks[parts[parts.index("grid_indicators") + 1]]
    with reading(engine) as s:
        reports = s.execute(select(func.count()).select_from(GridReport)).scalar_one()
        values = s.execute(select(func.count()).select_from(IndicatorValue)).scalar_one()
    print(f"demo part grid_indicators: {reports:,} reports, {values:,} values loaded in {grid_end - grid_start:.2f} s "
          f"(whole demo {time.perf_counter() - start:.2f} s)")
    engine.dispose()


def _sql() -> None:
    from db import org_units, users
    from db.engine import make_engine
    from db.grids import indicators as gi
    from db.grids.rules import last_complete_month, parse_period

    engine = make_engine(os.environ["DATABASE_URL"])
    admin = users.actor_for(engine, "admin")
    year = parse_period(last_complete_month()[:4])
    for code in ("510104", "220106"):
        unit = org_units.get_unit(engine, actor=admin, code=code)
        print(f"SQL roll-up, {unit.name} children over {year.text}: "
              f"{median_ms(lambda: gi.children(engine, actor=admin, unit=unit, period=year)):.1f} ms; "
              f"unit summary {median_ms(lambda: gi.unit_summary(engine, actor=admin, unit=unit, period=year)):.1f} ms; "
              f"24 months {median_ms(lambda: gi.monthly(engine, actor=admin, unit=unit, last=year.last)):.1f} ms; "
              f"heatmap {median_ms(lambda: gi.heatmap(engine, actor=admin, unit=unit, code='activities', last=year.last)):.1f} ms; "
              f"outliers {median_ms(lambda: gi.outliers(engine, actor=admin, unit=unit, period=year)):.1f} ms")
    engine.dispose()


def _pages() -> None:
    from db.grids.rules import last_complete_month
    from factories.app import signed_in

    year = last_complete_month()[:4]
    cases = [
        ("leader", "pages/grid_dashboard.py", {"unit": "510104", "period": year}, "dashboard, 锦江区 over a year (leader)"),
        ("admin", "pages/grid_dashboard.py", {"unit": "220106", "period": year}, "dashboard, 绿园区 over a year (admin)"),
        ("admin", "pages/grid_dashboard.py", {"unit": "220106001001001", "period": year}, "dashboard, one grid over a year"),
        ("street", "pages/grid_entry.py", {}, "entry form (street)"),
        ("street", "pages/grid_import.py", {}, "import page (street)"),
    ]
    for role, page, query, label in cases:
        at = signed_in(role)
        for key, value in query.items():
            at.query_params[key] = value
        at.switch_page(page).run()
        assert not at.exception, at.exception
        start = time.perf_counter()
        at.run()
        first = (time.perf_counter() - start) * 1000
        print(f"AppTest {label}: warm run median {median_ms(at.run):.1f} ms (first rerun {first:.0f} ms)")


def main() -> int:
    sys.path.insert(0, os.getcwd())
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (figures scale with it)")
    _seed()
    _sql()
    _pages()
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
