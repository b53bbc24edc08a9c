"""Who is acting, and the role and scope checks every db write makes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlmodel import Session

from db.errors import NotFound, PermissionDenied
from db.models import OrgUnit

# Who may do what, in one table: "<area>.<action>" -> the roles allowed. Every db read and write asks for
# its row (require), the pages ask the same rows (Actor.may), and the menu's roles in
# components/registry.py must agree (tests/test_access.py).
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "system.signed_in": ("admin", "leader", "evaluator", "street", "community"),  # home, own account
    "system.org_units": ("admin", "leader", "street"),
    "system.org_units_manage": ("admin",),
    "system.users": ("admin",),
    "system.audit": ("admin",),
    "system.backup": ("admin",),
    "system.office_templates": ("admin",),  # the offices' own Word templates
    "pipeline.read": ("admin", "leader", "street"),
    "pipeline.write": ("admin",),
    "scorecards.results": ("admin", "leader"),
    "scorecards.project": ("admin", "leader", "street"),  # a project's evaluation rounds, on its detail page
    "scorecards.templates": ("admin", "leader", "evaluator"),
    "scorecards.manage": ("admin",),
    "scorecards.score": ("evaluator",),
    "voting.read": ("admin", "leader"),
    "voting.manage": ("admin",),
    "grids.read": ("admin", "leader", "street"),
    "grids.report": ("street", "admin"),
    "grids.read_report": ("street", "admin", "leader"),
    "grids.reopen": ("admin",),
    "overview.read": ("admin", "leader"),
    # 社区营造: community staff for their community, street staff for their street's, admins everywhere
    "community.read": ("admin", "leader", "street", "community"),
    "community.triage": ("admin", "street", "community"),  # merge, send to the council, decline with an answer
    "community.council": ("admin", "street", "community"),  # record meetings and their decisions
    "community.projects": ("admin", "street", "community"),  # fund an adopted proposal, move the community's own projects
    # 社区基金: staff record the ledger of the funds in their scope; only admins found and edit funds
    "funds.read": ("admin", "leader", "street", "community"),
    "funds.write": ("admin", "street", "community"),  # donations, grants, reversals
    "funds.manage": ("admin",),
    # 微创投: admins run rounds (pool, reviews, decisions, agreements, payments); street staff also enter
    # applications and closing reports; community staff report their projects' activities
    "microgrants.read": ("admin", "leader", "street", "community"),
    "microgrants.manage": ("admin",),
    "microgrants.apply": ("admin", "street"),
    "microgrants.report": ("admin", "street", "community"),
    # 五社联动: everyone reads their scope's figures; staff keep the registries (stations, workers, enterprises,
    # activities) of their own scope
    "linkage.read": ("admin", "leader", "street", "community"),
    "linkage.write": ("admin", "street", "community"),
    "supervisors.read": ("admin", "leader"),  # the supervisor pool, its record and its draws
    "supervisors.manage": ("admin",),  # keep the pool, draw and redraw panels
}

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

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


def require_role(actor: Actor | None, *roles: str) -> Actor:
    if actor is None or actor.role not in roles:
        raise PermissionDenied("error.forbidden_role", role=actor.role if actor else "anonymous")
    return actor


def require(actor: Actor | None, permission: str) -> Actor:
    """The actor, if their role has `permission` (a row of PERMISSIONS); PermissionDenied otherwise."""
    return require_role(actor, *PERMISSIONS[permission])


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
