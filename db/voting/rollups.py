"""Stored review figures of a closed campaign (db.models.voting: VoteRollup, VoteHourRollup,
VoteAddressRollup): its summary, its votes per case and hour, and its busy addresses per case, so the
review (db/voting/review.py), the ranking and the overview read a few hundred rows of a closed campaign
instead of all its votes (160,000 per district at city scale). An open campaign is read live.

A closed campaign takes no more votes, so only a status change of its votes moves the figures:
- closing (db.voting.campaigns.close_campaign) stores them, in the closing transaction;
- voiding (db.voting.review.void_votes) recomputes the voided case's rows, in the voiding transaction;
- the first publication (db.voting.results.store_publication) stores them again before it ranks: on PostgreSQL a
  vote whose transaction had passed the open check when the campaign closed can still commit just after.
Every step recomputes from the votes rather than adding deltas, so a roll-up can never drift. Migration
0019 filled the tables with the same SQL written out; the demo and city loaders publish through the app's
own step, so they store them as the app does.
"""

from __future__ import annotations

from sqlalchemy import case, delete, func, insert, select, update

from db.models.voting import Campaign, Vote, VoteAddressRollup, VoteHourRollup, VoteRollup
from db.voting.rules import ADDRESS_MIN

STORED_STATUSES = ("closed", "published")

_H, _A, _S = VoteHourRollup.__table__, VoteAddressRollup.__table__, VoteRollup.__table__
_valid = func.sum(case((Vote.status == "valid", 1), else_=0))


# --- the live computations (an open campaign's reads, and what `store` keeps) ----------------------

def live_hours(campaign_id: int, case_id: int | None = None, *, lead: tuple = ()):
    """case_id, day, hour, votes, valid per case and local hour (`lead`: columns put first, for `store`)."""
    keys = (*lead, Vote.case_id, Vote.day, Vote.hour)
    query = (select(*keys, func.count().label("votes"), _valid.label("valid"))
             .where(Vote.campaign_id == campaign_id).group_by(*keys))
    return query if case_id is None else query.where(Vote.case_id == case_id)


def live_addresses(campaign_id: int, case_id: int | None = None, *, lead: tuple = ()):
    """case_id, ip_key, votes, valid for each case's addresses with at least ADDRESS_MIN votes (void included)."""
    keys = (*lead, Vote.case_id, Vote.ip_key)
    query = (select(*keys, func.count().label("votes"), _valid.label("valid"))
             .where(Vote.campaign_id == campaign_id).group_by(*keys).having(func.count() >= ADDRESS_MIN))
    return query if case_id is None else query.where(Vote.case_id == case_id)


def live_summary(campaign_id: int):
    """valid, void, voters, addresses over all the campaign's votes."""
    return select(func.coalesce(_valid, 0).label("valid"),
                  func.coalesce(func.sum(case((Vote.status == "void", 1), else_=0)), 0).label("void"),
                  func.count(func.distinct(Vote.voter_key)).label("voters"),
                  func.count(func.distinct(Vote.ip_key)).label("addresses")).where(Vote.campaign_id == campaign_id)


# --- the stored ones ------------------------------------------------------------------------------

def stored(conn, campaign_id: int) -> bool:
    """Whether the campaign has its figures stored (every closed or published one has, from 0019 on)."""
    return conn.execute(select(_S.c.campaign_id).where(_S.c.campaign_id == campaign_id)).first() is not None


def stored_hours(campaign_id: int, case_id: int | None = None):
    query = select(_H.c.case_id, _H.c.day, _H.c.hour, _H.c.votes, _H.c.valid).where(_H.c.campaign_id == campaign_id)
    return query if case_id is None else query.where(_H.c.case_id == case_id)


def stored_addresses(campaign_id: int):
    return select(_A.c.case_id, _A.c.ip_key, _A.c.votes, _A.c.valid).where(_A.c.campaign_id == campaign_id)


def stored_summary(campaign_id: int):
    return select(_S.c.valid, _S.c.void, _S.c.voters, _S.c.addresses).where(_S.c.campaign_id == campaign_id)


def valid_per_case(campaign_id: int, *, live: bool):
    """case_id, votes (valid) per case that has any vote: the ranking's public side."""
    if live:
        return (select(Vote.case_id, func.count().label("votes"))
                .where(Vote.campaign_id == campaign_id, Vote.status == "valid").group_by(Vote.case_id))
    return (select(_H.c.case_id, func.sum(_H.c.valid).label("votes"))
            .where(_H.c.campaign_id == campaign_id).group_by(_H.c.case_id).having(func.sum(_H.c.valid) > 0))


def reads_stored(conn, campaign: Campaign) -> bool:
    """A closed or published campaign is read from its roll-up when it has one; an open one live."""
    return campaign.status in STORED_STATUSES and stored(conn, campaign.id)


# --- writes (the caller's transaction) ----------------------------------------------------------

_HOUR_COLUMNS = ["campaign_id", "case_id", "day", "hour", "votes", "valid"]
_ADDRESS_COLUMNS = ["campaign_id", "case_id", "ip_key", "votes", "valid"]


def store(session, campaign_id: int) -> None:
    """Compute the campaign's figures from its votes and store them, replacing what was there."""
    for table in (_H, _A, _S):
        session.execute(delete(table).where(table.c.campaign_id == campaign_id))
    session.execute(insert(_H).from_select(_HOUR_COLUMNS, live_hours(campaign_id, lead=(Vote.campaign_id,))))
    session.execute(insert(_A).from_select(_ADDRESS_COLUMNS, live_addresses(campaign_id, lead=(Vote.campaign_id,))))
    row = session.execute(live_summary(campaign_id)).mappings().one()
    session.execute(insert(_S).values(campaign_id=campaign_id, **{k: int(v) for k, v in row.items()}))


def refresh_case(session, campaign_id: int, case_id: int) -> None:
    """After votes of one case changed status: recompute that case's rows and the campaign's valid and void
    counts (the distinct voters and addresses count every vote, whatever its status, so they stay)."""
    if session.execute(select(_S.c.campaign_id).where(_S.c.campaign_id == campaign_id)).first() is None:
        store(session, campaign_id)
        return
    for table in (_H, _A):
        session.execute(delete(table).where(table.c.campaign_id == campaign_id, table.c.case_id == case_id))
    session.execute(insert(_H).from_select(_HOUR_COLUMNS,
                                           live_hours(campaign_id, case_id, lead=(Vote.campaign_id,))))
    session.execute(insert(_A).from_select(_ADDRESS_COLUMNS,
                                           live_addresses(campaign_id, case_id, lead=(Vote.campaign_id,))))
    totals = select(func.coalesce(func.sum(_H.c.valid), 0), func.coalesce(func.sum(_H.c.votes - _H.c.valid), 0)
                    ).where(_H.c.campaign_id == campaign_id)
    valid, void = session.execute(totals).one()
    session.execute(update(_S).where(_S.c.campaign_id == campaign_id).values(valid=int(valid), void=int(void)))
