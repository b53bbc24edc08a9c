"""What the overview shows of 五社联动 and 微创投 for its scope (the actor as the overview narrowed it) and year: the
headline figures (dashboard.figures: the year's, and last year's to compare) and the two alerts, as of today —
rounds closing (the window ends within funds.rules.ROUND_CLOSING_DAYS days, or has ended, and the round is not
closed) with part of the pool not yet awarded; funds with no donation this (calendar) year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from db.access import Actor
from db.community import scope
from db.engine import reading
from db.funds import rules as fund_rules
from db.linkage.dashboard import LinkageFigures, figures_of_years
from db.models.funds import CommunityFund, FundEntry, GrantApplication, GrantRound


@dataclass(frozen=True)
class OverviewFacts:
    year: LinkageFigures
    last_year: LinkageFigures
    rounds_closing: int
    round_id: int | None  # the first of them, for the link
    uncommitted: int  # yuan left in their pools beyond the awards
    quiet_funds: int


def _round_scope(actor: Actor):
    """Rounds of the scope: a district's (run by it or its streets), a street's own; everything at the root."""
    if actor.scope_level == "root":
        return []
    if actor.scope_level == "district":
        return [GrantRound.district_id == actor.scope_id]
    if actor.scope_level == "street":
        return [GrantRound.street_id == actor.scope_id]
    return [GrantRound.id.is_(None)]  # a community runs none


def alert_facts(engine: Engine, *, actor: Actor, today: date) -> tuple[int, int | None, int, int]:
    """(rounds closing with pool left, the first one's id, what their pools hold beyond awards, quiet funds)."""
    awarded = (select(GrantApplication.round_id, func.sum(GrantApplication.awarded).label("awarded"))
               .group_by(GrantApplication.round_id).subquery())
    donated = select(FundEntry.fund_id).where(FundEntry.kind == fund_rules.DONATION,
                                              FundEntry.entry_on >= date(today.year, 1, 1),
                                              FundEntry.entry_on <= today)
    with reading(engine) as s:
        rounds = s.execute(
            select(GrantRound.id, GrantRound.pool, func.coalesce(awarded.c.awarded, 0))
            .outerjoin(awarded, awarded.c.round_id == GrantRound.id)
            .where(GrantRound.closed_on.is_(None), GrantRound.closes_on <= today + timedelta(
                days=fund_rules.ROUND_CLOSING_DAYS), *_round_scope(actor))
            .order_by(GrantRound.closes_on, GrantRound.id)).all()
        left = [(i, fund_rules.uncommitted(int(pool), int(given))) for i, pool, given in rounds]
        left = [(i, amount) for i, amount in left if amount > 0]
        quiet = s.execute(select(func.count()).select_from(CommunityFund).where(
            scope.condition(actor, CommunityFund), CommunityFund.founded_on <= today,
            CommunityFund.id.not_in(donated))).scalar_one()
    return len(left), (left[0][0] if left else None), sum(a for _, a in left), int(quiet)


def overview_facts(engine: Engine, *, actor: Actor, year: int, today: date) -> OverviewFacts:
    closing, round_id, amount, quiet = alert_facts(engine, actor=actor, today=today)
    shown = figures_of_years(engine, actor=actor, years=[year, year - 1])  # the parties read once for both
    return OverviewFacts(year=shown[year], last_year=shown[year - 1],
                         rounds_closing=closing, round_id=round_id, uncommitted=amount, quiet_funds=quiet)
