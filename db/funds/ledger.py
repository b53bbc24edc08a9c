"""The ledger of a fund, never edited: donations in, grants out (to a community's own project, 居民自治项目, or
another approved use), and reversals that correct an entry by a new one. Every write locks the fund, moves
its balance by a conditional UPDATE (a grant only WHERE balance >= amount; the CHECK balance >= 0 behind it),
adds the entry and its audit row, all in one transaction: two grants racing for the last money cannot both
pass, on SQLite or PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.funds import rules
from db.funds.funds import locked
from db.models.community import CommunityProject
from db.models.funds import CommunityFund, FundEntry
from db.validation import BlankIsNone, Day, Money, OneLine, RowId, Stripped, validate


class _Entry(BaseModel):
    amount: Money = Field(gt=0)
    entry_on: Day


class DonationInput(_Entry):
    donor_kind: Literal[rules.DONOR_KINDS]  # type: ignore[valid-type]
    donor_name: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None,
                                                                        max_length=rules.DONOR_NAME_LENGTH[1])
    anonymous: bool = False


class GrantInput(_Entry):
    project_id: Optional[RowId] = None
    purpose: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, min_length=rules.PURPOSE_LENGTH[0],
                                                                     max_length=rules.PURPOSE_LENGTH[1])


class ReversalInput(BaseModel):
    entry_id: RowId
    reason: Annotated[str, Stripped] = Field(min_length=rules.REASON_LENGTH[0], max_length=rules.REASON_LENGTH[1])


class EntryPublic(BaseModel):
    id: int
    fund_id: int
    kind: str
    side: str
    amount: int
    entry_on: date
    balance: int  # the fund's balance once this entry was written


def _check_day(fund: CommunityFund, day: date) -> None:
    if day > clock.today():
        raise DomainError("fund.error.future_day", field="entry_on")
    if day < fund.founded_on:
        raise DomainError("fund.error.before_founded", field="entry_on", founded=fund.founded_on.isoformat())


def _post(session: Session, actor: Actor, fund: CommunityFund, *, kind: str, side: str, amount: int,
          entry_on: date, **columns) -> EntryPublic:
    """Move the balance (refused when it would go below zero), then add the entry and its audit row."""
    change = rules.balance_change(side, amount)
    move = update(CommunityFund).where(CommunityFund.id == fund.id)
    if change < 0:
        move = move.where(CommunityFund.balance >= -change)  # the guard holds even without the row lock
    balance = session.execute(move.values(balance=CommunityFund.balance + change, updated_at=clock.utcnow())
                              .returning(CommunityFund.balance).execution_options(synchronize_session=False)
                              ).scalar_one_or_none()
    if balance is None:
        have = session.execute(select(CommunityFund.balance).where(CommunityFund.id == fund.id)).scalar_one()
        raise DomainError("fund.error.insufficient", field="amount", amount=f"{-change:,}", balance=f"{have:,}")
    entry = FundEntry(fund_id=fund.id, community_id=fund.community_id, street_id=fund.street_id,
                      district_id=fund.district_id, kind=kind, side=side, amount=amount, entry_on=entry_on,
                      entry_month=rules.month_of(entry_on), recorded_by=actor.user_id, recorded_at=clock.utcnow(),
                      **columns)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action=f"fund_{kind}", entity="fund_entry", entity_id=entry.id,
                 after={"fund_id": fund.id, "kind": kind, "side": side, "amount": amount,
                        "entry_on": entry_on.isoformat(), "balance": balance, **columns})
    return EntryPublic(id=entry.id, fund_id=fund.id, kind=kind, side=side, amount=amount, entry_on=entry_on,
                       balance=balance)


def record_donation(engine: Engine, *, actor: Actor, fund_id: int, data: dict) -> EntryPublic:
    """Money in: a donation by kind of donor, the donor's name unless anonymous."""
    require(actor, "funds.write")
    payload = validate(DonationInput, data)
    with transaction(engine) as session:
        fund = locked(session, actor, fund_id)
        _check_day(fund, payload.entry_on)
        return _post(session, actor, fund, kind=rules.DONATION, side=rules.IN, amount=payload.amount,
                     entry_on=payload.entry_on, donor_kind=payload.donor_kind,
                     donor_name=None if payload.anonymous else payload.donor_name)


def record_grant(engine: Engine, *, actor: Actor, fund_id: int, data: dict) -> EntryPublic:
    """Money out: to a community project of the fund's community (or street), or another use named in `purpose`."""
    require(actor, "funds.write")
    payload = validate(GrantInput, data)
    if payload.project_id is None and payload.purpose is None:
        raise DomainError("fund.error.grant_use", field="purpose")
    with transaction(engine) as session:
        fund = locked(session, actor, fund_id)
        _check_day(fund, payload.entry_on)
        if payload.project_id is not None:
            project = session.get(CommunityProject, payload.project_id)
            if project is None or not _fund_covers(fund, project):
                raise DomainError("fund.error.project_elsewhere", field="project_id")
        return _post(session, actor, fund, kind=rules.GRANT, side=rules.OUT, amount=payload.amount,
                     entry_on=payload.entry_on, project_id=payload.project_id, purpose=payload.purpose)


def _fund_covers(fund: CommunityFund, project: CommunityProject) -> bool:
    if fund.community_id is not None:
        return project.community_id == fund.community_id
    return project.street_id == fund.street_id


def reverse(engine: Engine, *, actor: Actor, data: dict) -> EntryPublic:
    """Correct an entry by its reversal, dated today, with a reason; an entry is reversed once, a reversal never."""
    require(actor, "funds.write")
    payload = validate(ReversalInput, data)
    today = clock.today()
    with transaction(engine) as session:
        fund_id = session.execute(select(FundEntry.fund_id).where(FundEntry.id == payload.entry_id)
                                  ).scalar_one_or_none()
        if fund_id is None:
            raise NotFound("error.not_found", entity="fund_entry")
        fund = locked(session, actor, fund_id)  # before the checks: a second reversal waits, then sees the first
        entry = session.get(FundEntry, payload.entry_id)
        if entry.kind == rules.REVERSAL:
            raise DomainError("fund.error.reverse_reversal", field="entry_id")
        if session.execute(select(FundEntry.id).where(FundEntry.reverses_id == entry.id)).first():
            raise DomainError("fund.error.already_reversed", field="entry_id", entry=entry.id)
        return _post(session, actor, fund, kind=rules.REVERSAL, side=entry.side,
                     amount=rules.reversal_amount(entry.amount), entry_on=today, reverses_id=entry.id,
                     reason=payload.reason, donor_kind=entry.donor_kind, project_id=entry.project_id)

