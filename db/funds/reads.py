"""What the funds of a scope add up to, aggregated in SQL: per fund and in sum, raised (donations net of their
reversals), granted (grants net of theirs), balance, donors by kind, by month; one fund's ledger; the units
that could have a fund and the community projects a fund may grant to."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db.access import Actor, require, scope_condition
from db.community import scope
from db.errors import NotFound
from db.funds import rules
from db.funds.funds import FundPublic
from db.models import AppUser, OrgUnit
from db.models.community import CommunityProject, Proposal
from db.models.funds import CommunityFund, FundEntry

_RAISED = func.coalesce(func.sum(case((FundEntry.side == rules.IN, FundEntry.amount), else_=0)), 0)
_GRANTED = func.coalesce(func.sum(case((FundEntry.side == rules.OUT, FundEntry.amount), else_=0)), 0)
FUND_COLUMNS = ["id", "name", "unit_id", "unit", "level", "street_id", "street", "founded_on", "custodian",
                "managers", "raised", "granted", "balance", "entries", "last_entry_on", "last_donation_on"]


class FundSummary(BaseModel):
    funds: int = 0
    raised: int = 0
    granted: int = 0
    balance: int = 0
    donations: int = 0  # donations not reversed
    by_donor: dict[str, int] = {}  # donor kind -> yuan raised
    donors: dict[str, int] = {}  # donor kind -> donations not reversed


def _funds_where(actor: Actor, fund_id: int | None, street_id: int | None) -> list:
    where = [scope.condition(actor, CommunityFund)]
    if fund_id is not None:
        where.append(CommunityFund.id == scope.row_id(fund_id, "community_fund"))
    if street_id is not None:
        where.append(CommunityFund.street_id == street_id)
    return where


def list_funds(engine: Engine, *, actor: Actor, street_id: int | None = None, search: str | None = None
               ) -> pd.DataFrame:
    """The funds of the actor's scope with their figures, by street and unit."""
    require(actor, "funds.read")
    totals = (select(FundEntry.fund_id, _RAISED.label("raised"), _GRANTED.label("granted"),
                     func.count().label("entries"), func.max(FundEntry.entry_on).label("last_entry_on"),
                     func.max(case((FundEntry.kind == rules.DONATION, FundEntry.entry_on))).label("last_donation_on"))
              .group_by(FundEntry.fund_id).subquery())
    unit, street = aliased(OrgUnit), aliased(OrgUnit)
    query = (select(CommunityFund.id, CommunityFund.name, CommunityFund.unit_id, unit.name.label("unit"),
                    unit.level, CommunityFund.street_id, street.name.label("street"), CommunityFund.founded_on,
                    CommunityFund.custodian, CommunityFund.managers,
                    func.coalesce(totals.c.raised, 0).label("raised"),
                    func.coalesce(totals.c.granted, 0).label("granted"), CommunityFund.balance,
                    func.coalesce(totals.c.entries, 0).label("entries"), totals.c.last_entry_on,
                    totals.c.last_donation_on)
             .join(unit, unit.id == CommunityFund.unit_id).join(street, street.id == CommunityFund.street_id)
             .outerjoin(totals, totals.c.fund_id == CommunityFund.id)
             .where(*_funds_where(actor, None, street_id)).order_by(street.sort_order, unit.level.desc(),
                                                                    unit.sort_order, CommunityFund.id))
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(CommunityFund.name.like(pattern) | unit.name.like(pattern))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=FUND_COLUMNS)
    for column in ("raised", "granted", "balance", "entries"):
        frame[column] = frame[column].astype("int64")
    return frame


def summary(engine: Engine, *, actor: Actor, fund_id: int | None = None, street_id: int | None = None) -> FundSummary:
    """Sums over the funds of the scope (or one fund, or one street's)."""
    require(actor, "funds.read")
    where = _funds_where(actor, fund_id, street_id)
    with engine.connect() as conn:
        funds, balance = conn.execute(select(func.count(), func.coalesce(func.sum(CommunityFund.balance), 0))
                                      .where(*where)).one()
        raised, granted = conn.execute(select(_RAISED, _GRANTED)
                                       .join(CommunityFund, CommunityFund.id == FundEntry.fund_id).where(*where)).one()
        donors = conn.execute(
            select(FundEntry.donor_kind, func.sum(FundEntry.amount),
                   func.sum(case((FundEntry.amount > 0, 1), else_=-1)))  # a reversal takes its donation back
            .join(CommunityFund, CommunityFund.id == FundEntry.fund_id)
            .where(*where, FundEntry.side == rules.IN).group_by(FundEntry.donor_kind)).all()
    by_donor = {kind: int(amount) for kind, amount, _ in donors if kind}
    counts = {kind: int(count) for kind, _, count in donors if kind}
    return FundSummary(funds=funds, raised=int(raised), granted=int(granted), balance=int(balance),
                       donations=sum(counts.values()), by_donor=by_donor, donors=counts)


def by_month(engine: Engine, *, actor: Actor, fund_id: int | None = None, street_id: int | None = None
             ) -> pd.DataFrame:
    """Raised and granted per month (yuan), oldest first: tens of rows, ready for a chart."""
    require(actor, "funds.read")
    query = (select(FundEntry.entry_month.label("month"), _RAISED.label("raised"), _GRANTED.label("granted"))
             .join(CommunityFund, CommunityFund.id == FundEntry.fund_id)
             .where(*_funds_where(actor, fund_id, street_id))
             .group_by(FundEntry.entry_month).order_by(FundEntry.entry_month))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=["month", "raised", "granted"])
    return frame.astype({"raised": "int64", "granted": "int64"})


def get_fund(engine: Engine, *, actor: Actor, fund_id: int) -> FundPublic:
    require(actor, "funds.read")
    with engine.connect() as conn:
        row = conn.execute(select(CommunityFund).where(*_funds_where(actor, fund_id, None))).mappings().first()
    if row is None:
        raise NotFound("error.not_found", entity="community_fund")
    return FundPublic.model_validate(dict(row))


LEDGER_COLUMNS = ["id", "entry_on", "kind", "side", "amount", "donor_kind", "donor_name", "project_id",
                  "project", "purpose", "reason", "reverses_id", "reversed_by", "recorded_by", "recorded_at"]


def ledger(engine: Engine, *, actor: Actor, fund_id: int) -> pd.DataFrame:
    """One fund's entries, newest first, each with the reversal that corrected it (if any)."""
    require(actor, "funds.read")
    reversal = aliased(FundEntry)
    query = (select(FundEntry.id, FundEntry.entry_on, FundEntry.kind, FundEntry.side, FundEntry.amount,
                    FundEntry.donor_kind, FundEntry.donor_name, FundEntry.project_id,
                    Proposal.title.label("project"), FundEntry.purpose, FundEntry.reason, FundEntry.reverses_id,
                    reversal.id.label("reversed_by"), AppUser.username.label("recorded_by"), FundEntry.recorded_at)
             .join(CommunityFund, CommunityFund.id == FundEntry.fund_id)
             .outerjoin(CommunityProject, CommunityProject.id == FundEntry.project_id)
             .outerjoin(Proposal, Proposal.id == CommunityProject.proposal_id)
             .outerjoin(reversal, reversal.reverses_id == FundEntry.id)
             .outerjoin(AppUser, AppUser.id == FundEntry.recorded_by)
             .where(*_funds_where(actor, fund_id, None)).order_by(FundEntry.id.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=LEDGER_COLUMNS)


def units_without_fund(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """Streets and communities of the actor's scope that have no fund yet (for founding one)."""
    require(actor, "funds.manage")
    street = aliased(OrgUnit)
    query = (select(OrgUnit.id, OrgUnit.name, OrgUnit.level, street.name.label("street"))
             .join(street, street.id == OrgUnit.street_id)
             .outerjoin(CommunityFund, CommunityFund.unit_id == OrgUnit.id)
             .where(scope_condition(actor), OrgUnit.level.in_(rules.UNIT_LEVELS), OrgUnit.active,
                    CommunityFund.id.is_(None))
             .order_by(street.sort_order, OrgUnit.level.desc(), OrgUnit.sort_order))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "name", "level", "street"])


def grantable_projects(engine: Engine, *, actor: Actor, fund_id: int) -> pd.DataFrame:
    """The community's own projects (居民自治项目) a fund may grant to: its community's, or its street's."""
    fund = get_fund(engine, actor=actor, fund_id=fund_id)
    covers = (CommunityProject.community_id == fund.community_id if fund.community_id is not None
              else CommunityProject.street_id == fund.street_id)
    query = (select(CommunityProject.id, Proposal.title, CommunityProject.stage)
             .join(Proposal, Proposal.id == CommunityProject.proposal_id)
             .where(covers).order_by(CommunityProject.id.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "title", "stage"])
