"""Who is acting, and the role and scope checks every db write makes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlmodel import Session

from db.errors import NotFound, PermissionDenied
from db.models import OrgUnit

SCOPE_COLUMN = {"district": "district_id", "street": "street_id", "community": "community_id", "grid": "id"}


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the db layer sees them; built from the database, never from input."""

    user_id: int
    username: str
    display_name: str
    role: str
    scope_id: int
    scope_level: str
    scope_name: str

    def is_(self, *roles: str) -> bool:
        return self.role in roles


def require_role(actor: Actor | None, *roles: str) -> Actor:
    if actor is None or actor.role not in roles:
        raise PermissionDenied("error.forbidden_role", role=actor.role if actor else "anonymous")
    return actor


def scope_condition(actor: Actor, unit_table=OrgUnit) -> ColumnElement[bool]:
    """SQL condition: the unit row lies within the actor's scope (the scope unit or below it)."""
    if actor.scope_level == "root":
        return true()
    return getattr(unit_table, SCOPE_COLUMN[actor.scope_level]) == actor.scope_id


def unit_in_scope(actor: Actor, unit: OrgUnit) -> bool:
    if actor.scope_level == "root":
        return True
    return getattr(unit, SCOPE_COLUMN[actor.scope_level]) == actor.scope_id


def require_unit_in_scope(session: Session, actor: Actor, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("error.not_found", entity="org_unit")
    if not unit_in_scope(actor, unit):
        raise PermissionDenied("error.out_of_scope")  # no name: it would tell the user what lies outside
    return unit
