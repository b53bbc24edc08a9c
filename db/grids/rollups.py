"""The community-month and street-month roll-ups of grid reports (db.models.grids: GridValueRollup,
GridReportRollup and their street twins): summary tables the dashboards read above the community
level, kept current by the writes.

Every write of values (db.grids.reports.write_reports, which the entry form and the import both use)
calls `refresh` for the communities and month it touched, in its own transaction, so a committed
report is in the roll-up at the same instant; moving a unit (db.unit_registry.move_unit) calls `rehome`
for the communities and streets it touched. `rebuild` recomputes everything (seed, migrations).
Both recompute from the base tables rather than add deltas, so a roll-up can never drift.
"""

from __future__ import annotations

from sqlalchemy import case, delete, func, insert, select

from db.models import OrgUnit
from db.models.grids import (
    GridReport,
    GridReportRollup,
    GridStreetReportRollup,
    GridStreetValueRollup,
    GridValueRollup,
    IndicatorValue,
)

_G = OrgUnit.__table__.alias("g")
_IV, _R = IndicatorValue.__table__, GridReport.__table__
_VR, _RR = GridValueRollup.__table__, GridReportRollup.__table__
_SVR, _SRR = GridStreetValueRollup.__table__, GridStreetReportRollup.__table__


def _value_sums(where):
    return (select(_G.c.community_id, _IV.c.period, _IV.c.code, _G.c.district_id, _G.c.street_id,
                   func.sum(_IV.c.value))
            .select_from(_IV).join(_G, _G.c.id == _IV.c.grid_id).where(*where)
            .group_by(_G.c.community_id, _IV.c.period, _IV.c.code, _G.c.district_id, _G.c.street_id))


def _report_counts(where):
    # a report reopened after its first submission still holds its values, so it still counts
    return (select(_G.c.community_id, _R.c.period, _G.c.district_id, _G.c.street_id, func.count(),
                   func.sum(case((_R.c.on_time, 1), else_=0)))
            .select_from(_R).join(_G, _G.c.id == _R.c.grid_id).where(_R.c.submitted_at.is_not(None), *where)
            .group_by(_G.c.community_id, _R.c.period, _G.c.district_id, _G.c.street_id))


_VALUE_COLUMNS = ["community_id", "period", "code", "district_id", "street_id", "total"]
_REPORT_COLUMNS = ["community_id", "period", "district_id", "street_id", "reports", "on_time"]


def _street_values(where):
    return (select(_VR.c.street_id, _VR.c.period, _VR.c.code, _VR.c.district_id, func.sum(_VR.c.total))
            .where(*where).group_by(_VR.c.street_id, _VR.c.period, _VR.c.code, _VR.c.district_id))


def _street_reports(where):
    return (select(_RR.c.street_id, _RR.c.period, _RR.c.district_id, func.sum(_RR.c.reports), func.sum(_RR.c.on_time))
            .where(*where).group_by(_RR.c.street_id, _RR.c.period, _RR.c.district_id))


_STREET_VALUE_COLUMNS = ["street_id", "period", "code", "district_id", "total"]
_STREET_REPORT_COLUMNS = ["street_id", "period", "district_id", "reports", "on_time"]


def refresh(session, *, grid_ids: list[int], period: str) -> None:
    """Recompute the month `period` of the communities holding `grid_ids` (the caller's transaction)."""
    communities = sorted(set(session.execute(
        select(OrgUnit.community_id).where(OrgUnit.id.in_(grid_ids), OrgUnit.community_id.is_not(None))).scalars()))
    if not communities:
        return
    session.execute(delete(_VR).where(_VR.c.community_id.in_(communities), _VR.c.period == period))
    session.execute(delete(_RR).where(_RR.c.community_id.in_(communities), _RR.c.period == period))
    scope = [_G.c.community_id.in_(communities)]
    session.execute(insert(_VR).from_select(_VALUE_COLUMNS, _value_sums([*scope, _IV.c.period == period])))
    session.execute(insert(_RR).from_select(_REPORT_COLUMNS, _report_counts([*scope, _R.c.period == period])))
    streets = sorted(set(session.execute(select(OrgUnit.street_id).where(OrgUnit.id.in_(communities))).scalars()))
    session.execute(delete(_SVR).where(_SVR.c.street_id.in_(streets), _SVR.c.period == period))
    session.execute(delete(_SRR).where(_SRR.c.street_id.in_(streets), _SRR.c.period == period))
    session.execute(insert(_SVR).from_select(_STREET_VALUE_COLUMNS, _street_values(
        [_VR.c.street_id.in_(streets), _VR.c.period == period])))
    session.execute(insert(_SRR).from_select(_STREET_REPORT_COLUMNS, _street_reports(
        [_RR.c.street_id.in_(streets), _RR.c.period == period])))


def rehome(session, *, community_ids: list[int], street_ids: list[int]) -> None:
    """After units moved (db.unit_registry.move_unit, the caller's transaction): recompute every month of
    `community_ids` under their new ancestors, then every month of `street_ids` (the old and new streets).
    Every month, not only those from the move on: the dashboards count a unit's expected reports on today's
    tree, so its sums must be on the same tree or a street would report more than its grids could send."""
    communities, streets = sorted(set(community_ids)), sorted(set(street_ids))
    if communities:
        session.execute(delete(_VR).where(_VR.c.community_id.in_(communities)))
        session.execute(delete(_RR).where(_RR.c.community_id.in_(communities)))
        scope = [_G.c.community_id.in_(communities)]
        session.execute(insert(_VR).from_select(_VALUE_COLUMNS, _value_sums(scope)))
        session.execute(insert(_RR).from_select(_REPORT_COLUMNS, _report_counts(scope)))
    if streets:
        session.execute(delete(_SVR).where(_SVR.c.street_id.in_(streets)))
        session.execute(delete(_SRR).where(_SRR.c.street_id.in_(streets)))
        session.execute(insert(_SVR).from_select(_STREET_VALUE_COLUMNS, _street_values([_VR.c.street_id.in_(streets)])))
        session.execute(insert(_SRR).from_select(_STREET_REPORT_COLUMNS,
                                                 _street_reports([_RR.c.street_id.in_(streets)])))


def rebuild(connection) -> None:
    """Recompute every roll-up from the base tables (a session or a connection)."""
    for table in (_SVR, _SRR, _VR, _RR):
        connection.execute(delete(table))
    connection.execute(insert(_VR).from_select(_VALUE_COLUMNS, _value_sums([_G.c.community_id.is_not(None)])))
    connection.execute(insert(_RR).from_select(_REPORT_COLUMNS, _report_counts([_G.c.community_id.is_not(None)])))
    connection.execute(insert(_SVR).from_select(_STREET_VALUE_COLUMNS, _street_values([])))
    connection.execute(insert(_SRR).from_select(_STREET_REPORT_COLUMNS, _street_reports([])))
