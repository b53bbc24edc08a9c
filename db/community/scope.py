"""Whose rows a staff member sees and touches in 社区营造: community staff their community, street staff their
street's communities, district users their district, admins everything. Rows carry their community, street and
district ids, so each check is one equality."""

from __future__ import annotations

from sqlalchemy import false, true, update
from sqlmodel import Session

from db.access import Actor, require_unit_in_scope
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.community import CommunityProject, CouncilMeeting, Proposal, ProposalRating

_COLUMN = {"district": "district_id", "street": "street_id", "community": "community_id"}


def condition(actor: Actor, table):
    """SQL: the row of `table` (with community_id, street_id, district_id) lies within the actor's scope."""
    if actor.scope_level == "root":
        return true()
    column = _COLUMN.get(actor.scope_level)
    return false() if column is None else getattr(table, column) == actor.scope_id  # a grid holds none


def holds(actor: Actor, row) -> bool:
    """The Python twin of `condition`, for a row already loaded inside a write."""
    if actor.scope_level == "root":
        return True
    column = _COLUMN.get(actor.scope_level)
    return column is not None and getattr(row, column) == actor.scope_id


def row_id(value, entity: str) -> int:
    """An id as a page passes it; anything else (text, a float, beyond int4) names no row: not found."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 2**31 - 1:
        raise NotFound("error.not_found", entity=entity)
    return value


def require_community(session: Session, actor: Actor, community_id: int, field: str = "community_id") -> OrgUnit:
    """An active community within the actor's scope; other units are refused naming the field."""
    unit = require_unit_in_scope(session, actor, community_id)
    if unit.level != "community" or not unit.active:
        raise DomainError("cm.error.not_a_community", field=field)
    return unit


def follow_move(session: Session, *, level: str, unit_id: int, street_id: int | None, district_id: int) -> int:
    """A community (or a street) moved (db.unit_registry.move_unit): its proposals, council meetings, own projects
    and ratings take its new street and district, so the staff now covering it see and handle them, and the
    former street's no longer do. The rows counted."""
    if level == "community":
        where, values = "community_id", {"street_id": street_id, "district_id": district_id}
    elif level == "street":
        where, values = "street_id", {"district_id": district_id}
    else:
        return 0  # a grid holds none of them
    moved = 0
    for table in (Proposal, CouncilMeeting, CommunityProject, ProposalRating):
        moved += session.execute(update(table).where(getattr(table, where) == unit_id).values(**values)
                                 .execution_options(synchronize_session=False)).rowcount
    return moved
