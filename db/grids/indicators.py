"""Grid indicator roll-ups (DHIS2's analytics): sums roll up the org-unit hierarchy first, in SQL;
ratios and reporting rates are divided after the roll-up, never averaged from the units' percentages.

A period is a month 'YYYY-MM', a quarter 'YYYY-Qn' or a year 'YYYY'. Targets of sums are per grid
per month, so a unit's status compares its total divided by the reports it received; ratios compare
directly. Expected reports are the unit's grids times the months of the period past their due day;
completeness and the on-time rate count only those months (a month not yet due is neither late nor
missing: its status is "not_due"), while sums count every report received.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, select, true
from sqlalchemy.engine import Connection, Engine

from db.access import SCOPE_COLUMN, Actor, unit_in_scope
from db.errors import PermissionDenied
from db.grids.rules import Period, expected_months, last_due_month, month_add, month_range
from db.models import OrgUnit
from db.models.grids import (
    GridReport,
    GridReportRollup,
    GridStreetReportRollup,
    GridStreetValueRollup,
    GridValueRollup,
    Indicator,
    IndicatorValue,
)
from db.org_units import CHILD_COLUMN, UnitPublic

# A value is an outlier when it lies further than OUTLIER_Z spreads from the mean of the grid's
# reports in the OUTLIER_WINDOW months before it (at least OUTLIER_MIN_HISTORY of them). The spread
# is floored at a fifth of the mean and at 1, so a steady history does not flag ordinary changes
# and the seasons (a quiet Spring Festival, a busy summer) stay inside it. Writes store the flag on
# the value (and refresh the following months, whose history changed), so listing them is one
# indexed query instead of a window over every grid's history on each dashboard view.
OUTLIER_Z = 4.0
OUTLIER_WINDOW = 12
OUTLIER_MIN_HISTORY = 6
OUTLIER_REL_FLOOR = 0.2

# ---------------------------------------------------------------- definitions and status


def definitions(engine: Engine) -> pd.DataFrame:
    """Every indicator, in display order."""
    with engine.connect() as conn:
        rows = conn.execute(select(Indicator).order_by(Indicator.sort_order, Indicator.code)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows]).set_index("code", drop=False)


def status_of(value: float | None, *, target: float | None, amber_from: float | None,
              higher_is_better: bool = True) -> str | None:
    """green at or past the target, amber up to `amber_from`, red beyond; None without value or target."""
    if value is None or pd.isna(value) or target is None or pd.isna(target):
        return None
    sign = 1 if higher_is_better else -1
    if sign * value >= sign * target:
        return "green"
    if amber_from is not None and not pd.isna(amber_from) and sign * value >= sign * amber_from:
        return "amber"
    return "red"


def outlier_test(value, n, total, total_sq):
    """The outlier rule on a value and its history's count, sum and sum of squares; works the same
    on plain numbers and on numpy arrays (the seed flags every series at once)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.divide(total, n)
        spread_sq = np.maximum(np.maximum(np.divide(total_sq, n) - mean * mean, (OUTLIER_REL_FLOOR * mean) ** 2), 1.0)
        return (np.asarray(n) >= OUTLIER_MIN_HISTORY) & ((value - mean) ** 2 > OUTLIER_Z ** 2 * spread_sq)


def is_outlier(value: float, history: list[float]) -> bool:
    """The outlier rule: `value` against the grid's values of the months before it."""
    if len(history) < OUTLIER_MIN_HISTORY:
        return False
    return bool(outlier_test(float(value), len(history), float(sum(history)), float(sum(v * v for v in history))))


# ---------------------------------------------------------------- the roll-up core

# every report received and those on time, then the same over the months already due
REPORT_COUNTS = ("reports", "on_time", "reports_due", "on_time_due")
NOT_DUE = "not_due"  # the status of a reporting rate over months none of which is due yet

_G = OrgUnit.__table__.alias("g")
_C = OrgUnit.__table__.alias("c")
_IV = IndicatorValue.__table__
_R = GridReport.__table__
_VR, _RR = GridValueRollup.__table__, GridReportRollup.__table__
_SVR, _SRR = GridStreetValueRollup.__table__, GridStreetReportRollup.__table__


def _under(unit: UnitPublic, table=_G):
    if unit.level == "root":
        return true()
    return getattr(table.c, SCOPE_COLUMN[unit.level]) == unit.id


def _check_scope(actor: Actor, unit: UnitPublic) -> None:
    if not unit_in_scope(actor, unit):
        raise PermissionDenied("error.out_of_scope")  # no name: it would tell the user what lies outside


def _key_expr(key: str | None):
    if key is None:
        return None
    if key == "type":
        return _C.c.kind
    return getattr(_G.c, key)


def _rollup(conn: Connection, *, unit: UnitPublic, months: list[str], key: str | None,
            by_month: bool, entered: list[str], today: date | None = None) -> pd.DataFrame:
    """One row per key (and month): the SUM of every entered code over the grids below, the reports
    received and on time (all, and of the months already due), the grids and the reports expected. Three GROUP BY queries, no row loads.
    Above the grids (any unit but a grid, grouped by anything coarser than a grid) the sums come from
    the community-month roll-ups (db.grids.rollups), a tenth of the rows of the grids' values, and from
    the street-month ones when the grouping is by street or coarser, a hundredth."""
    coarse = unit.level != "grid" and key != "id"
    by_street = unit.level in ("root", "district", "street") and key in (None, "district_id", "street_id")
    values_table, reports_table = (_SVR, _SRR) if by_street else (_VR, _RR) if coarse else (_IV, _R)
    group_ids = ["key"] * (key is not None) + ["period"] * by_month
    first, last = months[0], months[-1]
    last_due = last_due_month(today)

    def grouped(query, table):
        key_col = _key_expr(key) if not coarse or key in (None, "type") else table.c[key]
        cols = ([key_col.label("key")] if key_col is not None else []) + ([table.c.period.label("period")] if by_month else [])
        query = query.add_columns(*cols) if cols else query
        if key == "type":
            query = query.join(_C, _C.c.id == (table.c.community_id if coarse else _G.c.community_id))
        return query.group_by(*cols) if cols else query

    if coarse:
        v, r = values_table, reports_table
        values = select(v.c.code, func.sum(v.c.total).label("total")).select_from(v).where(
            _under(unit, v), v.c.period.between(first, last), v.c.code.in_(entered))
        due = r.c.period <= last_due
        reports = select(func.sum(r.c.reports).label("reports"), func.sum(r.c.on_time).label("on_time"),
                         func.sum(case((due, r.c.reports), else_=0)).label("reports_due"),
                         func.sum(case((due, r.c.on_time), else_=0)).label("on_time_due"),
                         ).select_from(r).where(_under(unit, r), r.c.period.between(first, last))
    else:
        values = (select(_IV.c.code, func.sum(_IV.c.value).label("total"))
                  .select_from(_IV).join(_G, _G.c.id == _IV.c.grid_id)
                  .where(_under(unit), _IV.c.period.between(first, last), _IV.c.code.in_(entered)))
        # a report reopened after its first submission still holds its values, so it still counts
        due = _R.c.period <= last_due
        reports = (select(func.count().label("reports"), func.sum(case((_R.c.on_time, 1), else_=0)).label("on_time"),
                          func.sum(case((due, 1), else_=0)).label("reports_due"),
                          func.sum(case((and_(due, _R.c.on_time), 1), else_=0)).label("on_time_due"))
                   .select_from(_R).join(_G, _G.c.id == _R.c.grid_id)
                   .where(_under(unit), _R.c.period.between(first, last), _R.c.submitted_at.is_not(None)))
    values = grouped(values, values_table).group_by(values_table.c.code)
    reports = grouped(reports, reports_table)
    grid_query = select(func.count().label("grids")).select_from(_G).where(_under(unit), _G.c.level == "grid")
    key_col = _key_expr(key)
    if key_col is not None:
        grid_query = grid_query.add_columns(key_col.label("key")).group_by(key_col)
        if key == "type":
            grid_query = grid_query.join(_C, _C.c.id == _G.c.community_id)

    value_rows = pd.DataFrame(conn.execute(values).mappings().all() if entered else [],
                              columns=["code", "total", *group_ids])
    report_rows = pd.DataFrame(conn.execute(reports).mappings().all(), columns=[*REPORT_COUNTS, *group_ids])
    grid_rows = pd.DataFrame(conn.execute(grid_query).mappings().all(),
                             columns=["grids"] + (["key"] if key is not None else []))

    due = set(expected_months(months, today))
    if by_month:
        frame = pd.DataFrame({"period": months}).merge(grid_rows, how="cross")
        frame["expected"] = frame["grids"] * frame["period"].isin(due).astype("int64")
    else:
        frame = grid_rows.copy()
        frame["expected"] = frame["grids"] * len(due)
    if group_ids:
        wide = value_rows.pivot_table(index=group_ids, columns="code", values="total", aggfunc="sum").reset_index()
        frame = frame.merge(wide, on=group_ids, how="left").merge(report_rows, on=group_ids, how="left")
    else:
        for row in value_rows.itertuples():
            frame[row.code] = row.total
        for code in REPORT_COUNTS:
            frame[code] = report_rows[code].iloc[0] if len(report_rows) else 0
    for code in [*entered, *REPORT_COUNTS, "grids", "expected"]:
        frame[code] = pd.to_numeric(frame[code], errors="coerce").fillna(0).astype("int64") if code in frame else 0
    return frame


def _derive(frame: pd.DataFrame, defs: pd.DataFrame) -> pd.DataFrame:
    """Indicators from the rolled-up sums: totals, per grid-month averages, ratios, and their status."""
    for ind in defs[defs["displayed"]].itertuples():
        if ind.kind == "sum":
            per_grid = frame[ind.code].where(frame["reports"] > 0) / frame["reports"].where(frame["reports"] > 0)
            frame[f"{ind.code}_per_grid"] = per_grid.astype("float64")
            measure = frame[f"{ind.code}_per_grid"]
        else:
            # reporting rates count the reports of months already due, against the reports expected
            numerator = frame[f"{ind.numerator}_due" if ind.kind == "reporting" else ind.numerator]
            denominator = frame[ind.denominator]
            frame[ind.code] = (numerator / denominator.where(denominator > 0)).astype("float64")
            measure = frame[ind.code]
        frame[f"{ind.code}_status"] = [
            status_of(None if pd.isna(v) else float(v), target=ind.target, amber_from=ind.amber_from,
                      higher_is_better=bool(ind.higher_is_better))
            for v in measure
        ]
        if ind.kind == "reporting":
            frame.loc[(frame["expected"] == 0) & (frame["grids"] > 0), f"{ind.code}_status"] = NOT_DUE
    return frame


def _entered(defs: pd.DataFrame) -> list[str]:
    return list(defs.loc[defs["kind"] == "sum", "code"])


def _named_children(conn: Connection, unit: UnitPublic, key: str) -> pd.DataFrame:
    """The units a key column groups by, with their names in display order."""
    level = {"district_id": "district", "street_id": "street", "community_id": "community", "id": "grid"}[key]
    query = (select(_G.c.id.label("key"), _G.c.code, _G.c.name, _G.c.level, _G.c.kind, _G.c.sort_order)
             .where(_under(unit), _G.c.level == level)
             .order_by(_G.c.street_id, _G.c.community_id, _G.c.sort_order, _G.c.code))
    return pd.DataFrame(conn.execute(query).mappings().all(),
                        columns=["key", "code", "name", "level", "kind", "sort_order"])


# ---------------------------------------------------------------- what the dashboard asks


def unit_summary(engine: Engine, *, actor: Actor, unit: UnitPublic, period: Period,
                 today: date | None = None) -> pd.Series:
    """The unit's own figures for the period: one row of the roll-up."""
    _check_scope(actor, unit)
    defs = definitions(engine)
    with engine.connect() as conn:
        frame = _rollup(conn, unit=unit, months=period.months, key=None, by_month=False,
                        entered=_entered(defs), today=today)
    return _derive(frame, defs).iloc[0]


def children(engine: Engine, *, actor: Actor, unit: UnitPublic, period: Period,
             today: date | None = None) -> pd.DataFrame:
    """The unit's children (a grid's months) with every indicator and its status."""
    _check_scope(actor, unit)
    defs = definitions(engine)
    with engine.connect() as conn:
        if unit.level == "grid":
            frame = _rollup(conn, unit=unit, months=period.months, key=None, by_month=True,
                            entered=_entered(defs), today=today)
            frame = frame.assign(code=frame["period"], name=frame["period"], level="month", kind=None)
            return _derive(frame, defs)
        key = CHILD_COLUMN[unit.level]
        frame = _rollup(conn, unit=unit, months=period.months, key=key, by_month=False,
                        entered=_entered(defs), today=today)
        names = _named_children(conn, unit, key)
    merged = names.merge(frame, on="key", how="left")
    return _derive(_fill_counts(merged, defs), defs)


def _fill_counts(frame: pd.DataFrame, defs: pd.DataFrame) -> pd.DataFrame:
    for code in [*_entered(defs), *REPORT_COUNTS, "grids", "expected"]:
        frame[code] = frame[code].fillna(0).astype("int64")
    return frame


def monthly(engine: Engine, *, actor: Actor, unit: UnitPublic, last: str, months: int = 24,
            today: date | None = None) -> pd.DataFrame:
    """Every indicator of the unit month by month, for the `months` months up to `last`."""
    _check_scope(actor, unit)
    defs = definitions(engine)
    span = month_range(month_add(last, -(months - 1)), last)
    with engine.connect() as conn:
        frame = _rollup(conn, unit=unit, months=span, key=None, by_month=True, entered=_entered(defs), today=today)
    return _derive(frame, defs)


def trend_of(frame: pd.DataFrame, indicator: pd.Series) -> pd.DataFrame:
    """One indicator out of `monthly()`: period, value (None without reports), target line, status."""
    code = indicator["code"]
    out = pd.DataFrame({"period": frame["period"], "value": frame[code].astype("float64"),
                        "status": frame[f"{code}_status"], "reports": frame["reports"]})
    target = indicator["target"]
    if target is None or pd.isna(target):
        out["target"] = None
    else:
        # a sum's target is per grid per month, so the unit's line scales with its grids
        out["target"] = target * frame["grids"] if indicator["kind"] == "sum" else target
    if indicator["kind"] != "reporting":
        out.loc[out["reports"] == 0, "value"] = None
    return out


def trend(engine: Engine, *, actor: Actor, unit: UnitPublic, code: str, last: str, months: int = 24,
          today: date | None = None) -> pd.DataFrame:
    """One indicator for the unit month by month (period, value, target line, status)."""
    frame = monthly(engine, actor=actor, unit=unit, last=last, months=months, today=today)
    return trend_of(frame, definitions(engine).loc[code])


def heatmap(engine: Engine, *, actor: Actor, unit: UnitPublic, code: str, last: str, months: int = 12,
            today: date | None = None) -> pd.DataFrame:
    """Children × months for one indicator; sums per grid-month so units of different size compare."""
    _check_scope(actor, unit)
    defs = definitions(engine)
    span = month_range(month_add(last, -(months - 1)), last)
    key = None if unit.level == "grid" else CHILD_COLUMN[unit.level]
    with engine.connect() as conn:
        frame = _rollup(conn, unit=unit, months=span, key=key, by_month=True, entered=_entered(defs), today=today)
        if key is None:
            frame = frame.assign(key=unit.id)
            names = pd.DataFrame([{"key": unit.id, "code": unit.code, "name": unit.name}])
        else:
            names = _named_children(conn, unit, key)[["key", "code", "name"]]
    frame = _derive(names.merge(frame, on="key", how="inner"), defs)
    measure = f"{code}_per_grid" if defs.loc[code, "kind"] == "sum" else code
    return pd.DataFrame({"code": frame["code"], "name": frame["name"], "period": frame["period"],
                         "value": frame[measure].astype("float64"), "status": frame[f"{code}_status"]})


def reporting(engine: Engine, *, actor: Actor, unit: UnitPublic, period: Period,
              today: date | None = None) -> pd.DataFrame:
    """Completeness and timeliness per street (per child below street level)."""
    _check_scope(actor, unit)
    defs = definitions(engine)
    key = None if unit.level == "grid" else ("street_id" if unit.level in ("root", "district") else CHILD_COLUMN[unit.level])
    with engine.connect() as conn:
        frame = _rollup(conn, unit=unit, months=period.months, key=key, by_month=False, entered=[], today=today)
        names = (pd.DataFrame([{"key": None, "code": unit.code, "name": unit.name}]) if key is None
                 else _named_children(conn, unit, key)[["key", "code", "name"]])
    merged = names.merge(frame, on="key", how="left") if key is not None else names.join(frame)
    merged = _derive(_fill_counts(merged, defs[defs["kind"] == "reporting"]), defs[defs["kind"] == "reporting"])
    # the table speaks of the months already due; reports already in for a month not yet due wait
    merged["not_due"] = merged["reports"] - merged["reports_due"]
    merged["reports"], merged["on_time"] = merged["reports_due"], merged["on_time_due"]
    merged["missing"] = (merged["expected"] - merged["reports"]).clip(lower=0)
    merged["late"] = merged["reports"] - merged["on_time"]
    return merged[["code", "name", "grids", "expected", "reports", "on_time", "late", "missing", "not_due",
                   "completeness", "completeness_status", "on_time_rate", "on_time_rate_status"]]


def community_types(engine: Engine, *, actor: Actor, unit: UnitPublic, period: Period,
                    today: date | None = None) -> pd.DataFrame:
    """The unit's grids grouped by their community's type (Lüyuan governs each type differently)."""
    _check_scope(actor, unit)
    defs = definitions(engine)
    with engine.connect() as conn:
        frame = _rollup(conn, unit=unit, months=period.months, key="type", by_month=False,
                        entered=_entered(defs), today=today)
        communities = conn.execute(
            select(_G.c.kind.label("key"), func.count().label("communities"))
            .where(_under(unit), _G.c.level == "community").group_by(_G.c.kind)).mappings().all()
    frame = frame.merge(pd.DataFrame(communities, columns=["key", "communities"]), on="key", how="left")
    frame = frame[frame["key"].notna()].rename(columns={"key": "type"})
    return _derive(frame, defs).sort_values("type").reset_index(drop=True)


def outliers(engine: Engine, *, actor: Actor, unit: UnitPublic, period: Period, limit: int = 200) -> pd.DataFrame:
    """Values of the period flagged as far outside their grid's own previous months, with that history's mean."""
    _check_scope(actor, unit)
    community = OrgUnit.__table__.alias("community")
    street = OrgUnit.__table__.alias("street")
    query = (
        select(_IV.c.grid_id, _G.c.code.label("grid_code"), _G.c.name.label("grid"),
               community.c.name.label("community"), street.c.name.label("street"), _IV.c.period, _IV.c.code,
               _IV.c.value, _IV.c.confirmed)
        .select_from(_IV)
        .join(_G, _G.c.id == _IV.c.grid_id)
        .join(community, community.c.id == _G.c.community_id)
        .join(street, street.c.id == _G.c.street_id)
        .where(_IV.c.outlier == True, _IV.c.period.between(period.first, period.last), _under(unit))  # noqa: E712  (matches the partial index)
        .order_by(_IV.c.period.desc(), _G.c.code, _IV.c.code)
        .limit(limit)
    )
    columns = ["grid_id", "grid_code", "grid", "community", "street", "period", "code", "value", "confirmed"]
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=columns)
        histories = {}
        for before in sorted(set(frame["period"])):
            rows = frame[frame["period"] == before]
            histories[before] = grid_history(conn, grid_ids=sorted(set(rows["grid_id"])), before=before,
                                             codes=sorted(set(rows["code"])))
    frame["mean"] = [
        (sum(h) / len(h)) if (h := histories[p].get((g, c))) else None
        for g, p, c in zip(frame["grid_id"], frame["period"], frame["code"])
    ]
    return frame.drop(columns=["grid_id"])


def flagged_months(series: list[tuple[str, int]]) -> set[str]:
    """The months of one grid's series of one code (period, value; any order) that `is_outlier` flags."""
    ordered = sorted(series)
    flagged = set()
    for index, (period, value) in enumerate(ordered):
        floor = month_add(period, -OUTLIER_WINDOW)
        history = [v for p, v in ordered[max(0, index - OUTLIER_WINDOW):index] if p >= floor]
        if is_outlier(value, history):
            flagged.add(period)
    return flagged


def grid_history(conn, *, grid_ids: list[int], before: str, codes: list[str] | None = None
                 ) -> dict[tuple[int, str], list[int]]:
    """The values of the OUTLIER_WINDOW months before `before` per (grid, code), as `is_outlier` reads
    them (`conn` is a connection or the caller's session, so a write checks inside its transaction)."""
    if not grid_ids:
        return {}
    query = (select(_IV.c.grid_id, _IV.c.code, _IV.c.value)
             .where(_IV.c.grid_id.in_(grid_ids), _IV.c.period < before,
                    _IV.c.period >= month_add(before, -OUTLIER_WINDOW))
             .order_by(_IV.c.grid_id, _IV.c.code, _IV.c.period))
    if codes:
        query = query.where(_IV.c.code.in_(codes))
    out: dict[tuple[int, str], list[int]] = {}
    for grid_id, code, value in conn.execute(query):
        out.setdefault((grid_id, code), []).append(int(value))
    return out
