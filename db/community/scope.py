"""Whose rows a staff member sees and touches in 社区营造: community staff their community, street staff their
street's communities, district users their district, admins everything. Rows carry their community, street and
district ids, so each check is one equality."""

from __future__ import annotations

from sqlalchemy import false, true
from sqlmodel import Session

from db.access import Actor, require_unit_in_scope
from db.errors import DomainError, NotFound
from db.models import OrgUnit

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
