"""五社联动's registries, the writes: staff (admins, street and community staff) register social-work stations, the
social workers of a station, community enterprises and the linkage's activities, for the units of their own scope,
and deactivate or reactivate a station, worker or enterprise. One transaction and one audit row per write; a bad
field is refused by name and nothing is written."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope
from db.community import scope
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.linkage import rules
from db.models import OrgUnit
from db.models.linkage import CommunityEnterprise, LinkageActivity, SocialWorker, SocialWorkStation
from db.validation import Day, Money, OneLine, RowId, validate

Count = Annotated[int, Field(ge=0, le=rules.MAX_COUNT)]
TABLES = {"station": SocialWorkStation, "worker": SocialWorker, "enterprise": CommunityEnterprise}


class StationInput(BaseModel):
    name: Annotated[str, OneLine] = Field(min_length=rules.NAME_LENGTH[0], max_length=rules.NAME_LENGTH[1])
    unit_id: RowId
    operator: Annotated[str, OneLine] = Field(min_length=rules.OPERATOR_LENGTH[0],
                                              max_length=rules.OPERATOR_LENGTH[1])
    opened_on: Day


class WorkerInput(BaseModel):
    name: Annotated[str, OneLine] = Field(min_length=rules.WORKER_NAME_LENGTH[0],
                                          max_length=rules.WORKER_NAME_LENGTH[1])
    station_id: RowId
    unit_id: RowId
    qualification: Literal[rules.QUALIFICATIONS]  # type: ignore[valid-type]
    joined_on: Day


class EnterpriseInput(BaseModel):
    name: Annotated[str, OneLine] = Field(min_length=rules.ENTERPRISE_NAME_LENGTH[0],
                                          max_length=rules.ENTERPRISE_NAME_LENGTH[1])
    unit_id: RowId
    contribution_kind: Literal[rules.CONTRIBUTION_KINDS]  # type: ignore[valid-type]
    contribution: Annotated[str, OneLine] = Field(min_length=rules.CONTRIBUTION_LENGTH[0],
                                                  max_length=rules.CONTRIBUTION_LENGTH[1])
    value: Money
    engaged_on: Day


class ActivityInput(BaseModel):
    title: Annotated[str, OneLine] = Field(min_length=rules.TITLE_LENGTH[0], max_length=rules.TITLE_LENGTH[1])
    organizer: Literal[rules.ORGANIZERS]  # type: ignore[valid-type]
    unit_id: RowId
    held_on: Day
    participants: Count
    people_served: Count
    problems_solved: Count


class Written(BaseModel):
    id: int


def _not_future(day: date, field: str) -> None:
    if day > clock.today():
        raise DomainError("lk.error.future_day", field=field)


def _unit(session: Session, actor: Actor, unit_id: int) -> OrgUnit:
    """An active community or street of the actor's scope (another level is refused naming the field)."""
    unit = require_unit_in_scope(session, actor, unit_id)
    if unit.level not in rules.UNIT_LEVELS or not unit.active:
        raise DomainError("lk.error.unit_level", field="unit_id")
    return unit


def _placed(unit: OrgUnit) -> dict:
    return {"unit_id": unit.id, "community_id": unit.community_id, "street_id": unit.street_id,
            "district_id": unit.district_id}


def _add(session: Session, actor: Actor, row, action: str, after: dict) -> Written:
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action=action, entity=row.__tablename__, entity_id=row.id, after=after)
    return Written(id=row.id)


def create_station(engine: Engine, *, actor: Actor, data: dict) -> Written:
    """A social-work station of a street or community of the actor's scope."""
    require(actor, "linkage.write")
    payload = validate(StationInput, data)
    _not_future(payload.opened_on, "opened_on")
    now = clock.utcnow()
    with transaction(engine) as session:
        unit = _unit(session, actor, payload.unit_id)
        row = SocialWorkStation(**payload.model_dump(exclude={"unit_id"}), **_placed(unit), active=True, created_at=now, updated_at=now)
        return _add(session, actor, row, "lk_station", payload.model_dump(mode="json"))


def create_worker(engine: Engine, *, actor: Actor, data: dict) -> Written:
    """A social worker of a station of the actor's scope, serving a community or street of the station's street."""
    require(actor, "linkage.write")
    payload = validate(WorkerInput, data)
    _not_future(payload.joined_on, "joined_on")
    now = clock.utcnow()
    with transaction(engine) as session:
        station = session.get(SocialWorkStation, scope.row_id(payload.station_id, "social_work_station"))
        if station is None or not scope.holds(actor, station):
            raise NotFound("error.not_found", entity="social_work_station")
        if not station.active:
            raise DomainError("lk.error.inactive_station", field="station_id", station=station.name)
        unit = _unit(session, actor, payload.unit_id)
        if unit.street_id != station.street_id:
            raise DomainError("lk.error.other_street", field="unit_id", station=station.name)
        row = SocialWorker(**payload.model_dump(exclude={"unit_id"}), **_placed(unit), active=True, created_at=now, updated_at=now)
        return _add(session, actor, row, "lk_worker", payload.model_dump(mode="json"))


def create_enterprise(engine: Engine, *, actor: Actor, data: dict) -> Written:
    """A community enterprise engaged in a community or street of the actor's scope, with what it contributes."""
    require(actor, "linkage.write")
    payload = validate(EnterpriseInput, data)
    _not_future(payload.engaged_on, "engaged_on")
    now = clock.utcnow()
    with transaction(engine) as session:
        unit = _unit(session, actor, payload.unit_id)
        row = CommunityEnterprise(**payload.model_dump(exclude={"unit_id"}), **_placed(unit), active=True, created_at=now,
                                  updated_at=now)
        return _add(session, actor, row, "lk_enterprise", payload.model_dump(mode="json"))


def record_activity(engine: Engine, *, actor: Actor, data: dict) -> Written:
    """An activity of the linkage held in a community or street of the actor's scope, on a day not after today."""
    require(actor, "linkage.write")
    payload = validate(ActivityInput, data)
    _not_future(payload.held_on, "held_on")
    with transaction(engine) as session:
        unit = _unit(session, actor, payload.unit_id)
        row = LinkageActivity(**payload.model_dump(exclude={"unit_id"}), **_placed(unit), recorded_by=actor.user_id,
                              recorded_at=clock.utcnow())
        return _add(session, actor, row, "lk_activity", payload.model_dump(mode="json"))


def set_active(engine: Engine, *, actor: Actor, kind: str, row_id: int, active: bool) -> Written:
    """Deactivate (left the linkage, closed) or reactivate a station, worker or enterprise of the actor's scope;
    rows are never deleted, so last year's figures stay as they were."""
    require(actor, "linkage.write")
    if kind not in TABLES or not isinstance(active, bool):
        raise DomainError("rule.choice", field="kind")
    table = TABLES[kind]
    with transaction(engine) as session:
        row = session.execute(select(table).where(table.id == scope.row_id(row_id, table.__tablename__))
                              .with_for_update()).scalar_one_or_none()
        if row is None or not scope.holds(actor, row):
            raise NotFound("error.not_found", entity=table.__tablename__)
        if kind == "worker" and active and not row.active:  # back at a station of their street (a move may
            station = session.get(SocialWorkStation, row.station_id)  # have left their old one elsewhere)
            if station.street_id != row.street_id:
                raise DomainError("lk.error.other_street", field="unit_id", station=station.name)
        if audit.record_change(session, actor=actor, action=f"lk_{kind}_active", entity=table.__tablename__,
                               entity_id=row.id, before={"active": row.active}, after={"active": active}):
            row.active = active
            row.updated_at = clock.utcnow()
        return Written(id=row.id)


def follow_move(session: Session, *, actor: Actor, level: str, unit_id: int, street_id: int | None,
                district_id: int) -> int:
    """A community (or street) moved (db.unit_registry.move_unit): its stations, workers, enterprises and activities
    take its new street and district, in the move's transaction, so the staff now covering it see them. A social
    worker follows the community they serve, and an active worker's station must lie in their street (as
    create_worker requires): one whose station stayed behind (the old street's 社工站), or whose community's own
    station left with the move, joins an active station of their street — their community's own, else the street's
    — audited (lk_worker_station); where the street has none, the whole move is refused naming the station. A
    worker who has left keeps the station they worked at. Returns the rows that followed."""
    if level == "community":
        where, values = "community_id", {"street_id": street_id, "district_id": district_id}
    elif level == "street":
        where, values = "street_id", {"district_id": district_id}  # its stations go with it: nothing splits
    else:
        return 0
    moved = sum(session.execute(update(table).where(getattr(table, where) == unit_id).values(**values)
                                .execution_options(synchronize_session=False)).rowcount
                for table in (*TABLES.values(), LinkageActivity))
    if level == "community":
        moved += _restation(session, actor, unit_id)
    return moved


def _restation(session: Session, actor: Actor, community_id: int) -> int:
    """After a community moved: its active workers whose station is now in another street, and the active workers
    of its own stations who serve units left behind, each put on an active station of their own street."""
    station = SocialWorkStation
    strays = session.execute(
        select(SocialWorker.id, SocialWorker.station_id, SocialWorker.community_id, SocialWorker.street_id,
               station.name)
        .join(station, station.id == SocialWorker.station_id)
        .where(SocialWorker.active, SocialWorker.street_id != station.street_id,
               (SocialWorker.community_id == community_id) | (station.community_id == community_id))
        .order_by(SocialWorker.id)).all()
    for worker_id, old_station, community, street, old_name in strays:
        # the worker's own community's station first, then the street's own (镇街社工站); the oldest of each
        target = session.execute(
            select(station.id).where(station.active, station.street_id == street,
                                     (station.community_id == community) | station.community_id.is_(None))
            .order_by(station.community_id.is_(None), station.id).limit(1)).scalar_one_or_none()
        if target is None:
            count = sum(1 for row in strays if row[3] == street)
            raise DomainError("lk.error.move_station", field="parent_code", station=old_name, count=count,
                              street=session.get(OrgUnit, street).name)
        session.execute(update(SocialWorker).where(SocialWorker.id == worker_id)
                        .values(station_id=target, updated_at=clock.utcnow())
                        .execution_options(synchronize_session=False))
        audit.record(session, actor=actor, action="lk_worker_station", entity="social_worker", entity_id=worker_id,
                     before={"station_id": old_station}, after={"station_id": target, "moved_unit": community_id})
    return len(strays)
