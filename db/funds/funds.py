"""The funds themselves: an admin founds a fund for a community or street of their scope (one per unit) and
edits its name, founding day, custodian charity and managers. The balance is the ledger's alone (ledger.py).
One transaction per write, audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope
from db.community import scope
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.funds import rules
from db.models.funds import CommunityFund, FundEntry, GrantApplication, GrantRound
from db.validation import Day, NoneIsBlank, OneLine, RowId, validate

EDITABLE = ("name", "founded_on", "custodian", "managers")


class FundInput(BaseModel):
    name: Annotated[str, OneLine] = Field(min_length=rules.NAME_LENGTH[0], max_length=rules.NAME_LENGTH[1])
    founded_on: Day
    custodian: Annotated[str, OneLine] = Field(min_length=rules.CUSTODIAN_LENGTH[0],
                                               max_length=rules.CUSTODIAN_LENGTH[1])
    managers: Annotated[str, NoneIsBlank, OneLine] = Field(default="", max_length=rules.MANAGERS_LENGTH[1])


class FundCreate(FundInput):
    unit_id: RowId


class FundPublic(BaseModel):
    id: int
    name: str
    unit_id: int
    community_id: int | None
    street_id: int
    founded_on: date
    custodian: str
    managers: str
    balance: int


def public(fund: CommunityFund) -> FundPublic:
    return FundPublic.model_validate(fund, from_attributes=True)


def locked(session: Session, actor: Actor, fund_id: int) -> CommunityFund:
    """The fund row, locked for the caller's write (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers); outside the actor's scope it reads as not found."""
    fund_id = scope.row_id(fund_id, "community_fund")
    fund = session.execute(select(CommunityFund).where(CommunityFund.id == fund_id).with_for_update()
                           ).scalar_one_or_none()
    if fund is None or not scope.holds(actor, fund):
        raise NotFound("error.not_found", entity="community_fund")
    return fund


def _not_in_future(day: date) -> None:
    if day > clock.today():
        raise DomainError("fund.error.future_day", field="founded_on")


def create_fund(engine: Engine, *, actor: Actor, data: dict) -> FundPublic:
    """Found a fund for a community or street within the admin's scope; a unit has at most one."""
    require(actor, "funds.manage")
    payload = validate(FundCreate, data)
    _not_in_future(payload.founded_on)
    now = clock.utcnow()
    with transaction(engine) as session:
        unit = require_unit_in_scope(session, actor, payload.unit_id)
        if unit.level not in rules.UNIT_LEVELS or not unit.active:
            raise DomainError("fund.error.unit_level", field="unit_id")
        if session.execute(select(CommunityFund.id).where(CommunityFund.unit_id == unit.id)).first():
            raise DomainError("fund.error.unit_has_fund", field="unit_id", unit=unit.name)
        fund = CommunityFund(**payload.model_dump(), community_id=unit.community_id, street_id=unit.street_id,
                             district_id=unit.district_id, balance=0, created_at=now, updated_at=now)
        session.add(fund)
        session.flush()
        audit.record(session, actor=actor, action="fund_create", entity="community_fund", entity_id=fund.id,
                     after=payload.model_dump())
        return public(fund)


def update_fund(engine: Engine, *, actor: Actor, fund_id: int, data: dict) -> FundPublic:
    """Change a fund's name, founding day, custodian or managers (never its unit or balance); audited as a diff."""
    require(actor, "funds.manage")
    payload = validate(FundInput, data)
    _not_in_future(payload.founded_on)
    with transaction(engine) as session:
        fund = locked(session, actor, fund_id)
        first = session.execute(select(func.min(FundEntry.entry_on)).where(FundEntry.fund_id == fund.id)).scalar_one()
        if first is not None and payload.founded_on > first:  # the ledger cannot start before the fund
            raise DomainError("fund.error.after_first_entry", field="founded_on", first=first.isoformat())
        before = {key: getattr(fund, key) for key in EDITABLE}
        after = payload.model_dump()
        if audit.record_change(session, actor=actor, action="fund_update", entity="community_fund",
                               entity_id=fund.id, before=before, after=after):
            for key, value in after.items():
                setattr(fund, key, value)
            fund.updated_at = clock.utcnow()
        return public(fund)


def follow_move(session: Session, *, level: str, unit_id: int, street_id: int | None, district_id: int) -> int:
    """A community (or street) moved (db.unit_registry.move_unit): its fund, the fund's ledger entries and the
    微创投 applications delivered there take its new street and district in the move's transaction, so the staff
    now covering it see them and the former street's no longer do; a street's fund and the rounds it runs keep their
    street and take its new district. The ledger's amounts are never touched (only where an entry is filed). The
    rows that followed."""
    if level == "community":
        where, values = "community_id", {"street_id": street_id, "district_id": district_id}
        tables = (CommunityFund, FundEntry, GrantApplication)
    elif level == "street":
        where, values = "street_id", {"district_id": district_id}
        tables = (CommunityFund, FundEntry, GrantApplication, GrantRound)
    else:
        return 0  # a grid holds none of them
    return sum(session.execute(update(table).where(getattr(table, where) == unit_id).values(**values)
                               .execution_options(synchronize_session=False)).rowcount for table in tables)
