"""Roles in one table (db.access.PERMISSIONS): the db layer asks it by name, the menu follows it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from components.registry import PAGES
from db.access import PERMISSIONS, Actor, require
from db.errors import PermissionDenied
from db.models.users import ROLES

ROOT = Path(__file__).resolve().parent.parent


def _actor(role: str) -> Actor:
    return Actor(user_id=1, username=role, display_name=role, role=role, scope_id=1, scope_level="root",
                 scope_name="全市")


def test_every_row_names_known_roles():
    assert all(roles and set(roles) <= set(ROLES) for roles in PERMISSIONS.values())


@pytest.mark.parametrize("permission", sorted(PERMISSIONS))
def test_require_and_may_follow_the_row(permission):
    for role in ROLES:
        allowed = role in PERMISSIONS[permission]
        assert _actor(role).may(permission) is allowed
        if allowed:
            assert require(_actor(role), permission).role == role
        else:
            with pytest.raises(PermissionDenied):
                require(_actor(role), permission)
    with pytest.raises(PermissionDenied):
        require(None, permission)


def test_every_staff_page_opens_by_a_row_of_the_table():
    for spec in PAGES.values():
        assert spec.permission is None or spec.permission in PERMISSIONS, spec.key
        assert spec.roles == (None if spec.permission is None else frozenset(PERMISSIONS[spec.permission]))
    # the public pages: the vote, and the residents' proposals, their board and their ratings (社区营造)
    assert [spec.key for spec in PAGES.values() if spec.permission is None] == ["vote", "propose", "community_board", "rate"]


def test_the_db_layer_names_no_role_outside_the_table():
    """Every role check goes through require(actor, "<area>.<action>"): no role spelled out in a call."""
    found = []
    for path in sorted((ROOT / "db").rglob("*.py")):
        if path.name == "access.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "require_role":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require":
                assert isinstance(node.args[1], ast.Constant) and node.args[1].value in PERMISSIONS, \
                    f"{path.relative_to(ROOT)}:{node.lineno}"
    assert found == []
