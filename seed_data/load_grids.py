"""Seed part "grid_indicators": the indicator definitions and 24 months of demo grid reports."""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy import insert, select
from sqlmodel import Session

from db import clock, settings
from db.grids import rollups as grid_rollups
from db.grids.indicators import OUTLIER_WINDOW, outlier_test
from db.grids.rules import due_day
from db.models import OrgUnit
from db.models.grids import GridReport, Indicator, IndicatorValue
from seed_data import SEED_DIR
from seed_data.grids import GridInfo, generate

BATCH = 10_000


def load_indicator_definitions(session: Session) -> None:
    """The grid indicators with their units, targets and directions (reference data: the demo and an
    empty install both have them)."""
    doc = json.loads((SEED_DIR / "grid_indicators.json").read_text(encoding="utf-8"))
    session.execute(insert(Indicator.__table__), [
        {"numerator": None, "denominator": None, **entry, "sort_order": index}
        for index, entry in enumerate(doc["indicators"], start=1)
    ])


def load_grid_indicators(session: Session) -> None:
    load_indicator_definitions(session)
    grid, community, street = (OrgUnit.__table__.alias(n) for n in ("g", "c", "s"))
    rows = session.execute(
        select(grid.c.id, grid.c.code, grid.c.households, community.c.kind, street.c.pilot)
        .join(community, community.c.id == grid.c.community_id)
        .join(street, street.c.id == grid.c.street_id)
        .where(grid.c.level == "grid")
        .order_by(grid.c.code)
    ).all()
    grids = [GridInfo(id=r.id, code=r.code, households=r.households or 400, community_type=r.kind or "",
                      pilot=bool(r.pilot)) for r in rows]
    demo = generate(grids, today=clock.today(), due_day=due_day(), tz=settings.timezone(), now=clock.utcnow())
    for start in range(0, len(demo.reports), BATCH):
        session.execute(insert(GridReport.__table__), demo.reports[start:start + BATCH])
    report_ids = {(grid_id, period): report_id for report_id, grid_id, period in session.execute(
        select(GridReport.id, GridReport.grid_id, GridReport.period))}
    for value in demo.values:
        value["report_id"] = report_ids[(value["grid_id"], value["period"])]
    _flag_outliers(demo.values)
    for start in range(0, len(demo.values), BATCH):
        session.execute(insert(IndicatorValue.__table__), demo.values[start:start + BATCH])
    grid_rollups.rebuild(session)


def _flag_outliers(values: list[dict]) -> None:
    """Set each value's outlier flag by the rule writes use, for every series at once: a matrix of
    series × consecutive months, each month against the OUTLIER_WINDOW months before it."""
    periods = sorted({v["period"] for v in values})
    keys = sorted({(v["grid_id"], v["code"]) for v in values})
    column = {p: i for i, p in enumerate(periods)}
    row = {k: i for i, k in enumerate(keys)}
    matrix = np.full((len(keys), len(periods)), np.nan)
    for v in values:
        matrix[row[(v["grid_id"], v["code"])], column[v["period"]]] = v["value"]
    flags = np.zeros(matrix.shape, dtype=bool)
    for m in range(len(periods)):
        history = matrix[:, max(0, m - OUTLIER_WINDOW):m]
        n = (~np.isnan(history)).sum(axis=1)
        flags[:, m] = outlier_test(matrix[:, m], n, np.nansum(history, axis=1), np.nansum(history ** 2, axis=1))
    for v in values:
        v["outlier"] = bool(flags[row[(v["grid_id"], v["code"])], column[v["period"]]])
        v["confirmed"] = v["confirmed"] and v["outlier"]
