"""Grid indicators (DHIS2's data elements and indicators), monthly grid reports and their values."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

INDICATOR_KINDS = ("sum", "ratio", "reporting")
REPORT_STATUSES = ("submitted", "open")  # open: reopened by an admin and not yet submitted again


class Indicator(SQLModel, table=True):
    """A definition. `sum` rows are entered per report (data elements); `ratio` rows divide two sums
    after the roll-up; `reporting` rows are computed from the reports themselves (completeness,
    timeliness). Targets of sums are per grid per month; targets of ratios are the ratio."""

    __tablename__ = "indicator"

    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=40)
    name_en: str = Field(max_length=60)
    unit: str = Field(max_length=12)
    unit_en: str = Field(max_length=24)
    kind: str = Field(max_length=12)
    numerator: Optional[str] = Field(default=None, max_length=32)
    denominator: Optional[str] = Field(default=None, max_length=32)
    target: Optional[float] = None
    # status is green at or beyond the target, amber up to this threshold, red past it
    amber_from: Optional[float] = None
    higher_is_better: bool = True
    displayed: bool = True  # False: an input only (carried over, satisfied, respondents)
    sort_order: int = 0


class GridReport(SQLModel, table=True):
    __tablename__ = "grid_report"
    __table_args__ = (sa.UniqueConstraint("grid_id", "period", name="uq_grid_report_grid_period"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    grid_id: int = Field(foreign_key="org_unit.id", index=True)
    period: str = Field(max_length=7, index=True)  # YYYY-MM
    status: str = Field(max_length=12)
    submitted_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    submitted_at: Optional[datetime] = None
    # fixed at the first submission: a correction after a reopen does not make an on-time report late
    on_time: bool = False
    reopened: bool = False
    reopened_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    reopened_at: Optional[datetime] = None


class IndicatorValue(SQLModel, table=True):
    """One entered value; grid_id and period repeat the report's so roll-ups filter without a join."""

    __tablename__ = "indicator_value"
    # The unique index (grid, period, code) serves every roll-up: the planner walks the unit's grids
    # (ancestor-column indexes on org_unit) and reads each grid's months from it. Flagged values are
    # rare, so their index is partial and tiny. No index on report_id: values are read by grid and
    # period, and reports are never deleted.
    __table_args__ = (
        sa.UniqueConstraint("grid_id", "period", "code", name="uq_indicator_value_grid_period_code"),
        sa.Index("ix_indicator_value_flagged", "period", sqlite_where=sa.text("outlier = 1"),
                 postgresql_where=sa.text("outlier")),
        # one month of one indicator across every grid (the overview's per-grid resolution rates)
        # read from the index alone: 30,000 entries instead of a scan of the city's 3.5 million values
        sa.Index("ix_indicator_value_period_code", "period", "code", "grid_id", "value"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="grid_report.id")
    grid_id: int = Field(foreign_key="org_unit.id")
    period: str = Field(max_length=7)
    code: str = Field(foreign_key="indicator.code", max_length=32)
    value: int = Field(sa_type=sa.BigInteger)
    # far outside the grid's own previous months (db.grids.indicators.is_outlier), kept up to date by writes
    outlier: bool = False
    # the person entering it confirmed it although it was flagged
    confirmed: bool = False


class GridValueRollup(SQLModel, table=True):
    """The entered values summed per community, month and code. Dashboards above the community level
    read these (about a tenth of the rows) instead of every grid's values; db.grids.rollups.refresh
    rewrites a community's month inside every transaction that writes its values."""

    __tablename__ = "grid_value_rollup"
    __table_args__ = (sa.Index("ix_grid_value_rollup_district", "district_id", "period"),
                      sa.Index("ix_grid_value_rollup_street", "street_id", "period"))

    community_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)
    code: str = Field(max_length=32, primary_key=True)
    # the community's ancestors, copied so a district or street roll-up is one indexed filter
    district_id: int
    street_id: int
    total: int = Field(sa_type=sa.BigInteger)


class GridReportRollup(SQLModel, table=True):
    """Reports received (and on time) per community and month, kept like GridValueRollup."""

    __tablename__ = "grid_report_rollup"
    __table_args__ = (sa.Index("ix_grid_report_rollup_district", "district_id", "period"),
                      sa.Index("ix_grid_report_rollup_street", "street_id", "period"))

    community_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)
    district_id: int
    street_id: int
    reports: int
    on_time: int


class GridStreetValueRollup(SQLModel, table=True):
    """GridValueRollup summed once more per street: what the district and city views group by."""

    __tablename__ = "grid_street_value_rollup"
    __table_args__ = (sa.Index("ix_grid_street_value_rollup_district", "district_id", "period"),)

    street_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)
    code: str = Field(max_length=32, primary_key=True)
    district_id: int
    total: int = Field(sa_type=sa.BigInteger)


class GridStreetReportRollup(SQLModel, table=True):
    """GridReportRollup summed once more per street."""

    __tablename__ = "grid_street_report_rollup"
    __table_args__ = (sa.Index("ix_grid_street_report_rollup_district", "district_id", "period"),)

    street_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)
    district_id: int
    reports: int
    on_time: int
