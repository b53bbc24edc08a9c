"""Accounts at the db layer: password check, lockout kept in the database, revocation, admin writes."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import audit, clock, users
from db.engine import reading
from db.errors import DomainError, PermissionDenied
from db.models import AppUser, AuditLog, OrgUnit
from db.validation import InvalidInput

pytestmark = pytest.mark.calendar("year", "leap")  # this area's dates turn on days, months and years (the turn of a
# year is also a day's and a month's), never on the grid reports' due day: those instants add nothing here


def _unit_id(engine, code):
    with reading(engine) as s:
        return s.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def _row(engine, username):
    with reading(engine) as s:
        return s.execute(select(AppUser).where(AppUser.username == username)).scalar_one()


def _shift_clock(monkeypatch, delta):
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + delta)


def test_right_and_wrong_password(engine):
    assert users.authenticate(engine, "leader", "Leader@2026").ok
    assert users.authenticate(engine, " LEADER ", "Leader@2026").ok  # usernames are case-insensitive
    wrong = users.authenticate(engine, "leader", "leader@2026")
    assert not wrong.ok and wrong.reason == "bad_credentials"
    unknown = users.authenticate(engine, "nobody", "Leader@2026")
    assert not unknown.ok and unknown.reason == "bad_credentials"


def test_five_failures_lock_for_fifteen_minutes_then_expire(engine, monkeypatch):
    for attempt in range(4):
        assert users.authenticate(engine, "street", "wrong-password").reason == "bad_credentials"
    fifth = users.authenticate(engine, "street", "wrong-password")
    assert fifth.reason == "bad_credentials" and _row(engine, "street").locked_until is not None
    # even the right password is refused while locked
    assert users.authenticate(engine, "street", "Street@2026").reason == "locked"
    _shift_clock(monkeypatch, timedelta(minutes=14))
    assert users.authenticate(engine, "street", "Street@2026").reason == "locked"
    _shift_clock(monkeypatch, timedelta(minutes=16))
    assert users.authenticate(engine, "street", "Street@2026").ok
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action).where(AuditLog.username == "street")).scalars().all()
    assert actions.count("login_failed") == 5 and "lock" in actions and "login" in actions


def test_failures_outside_the_window_do_not_add_up(engine, monkeypatch):
    for _ in range(4):
        users.authenticate(engine, "street", "nope-nope-1")
    _shift_clock(monkeypatch, timedelta(minutes=16))
    result = users.authenticate(engine, "street", "nope-nope-1")
    assert result.reason == "bad_credentials" and _row(engine, "street").failed_logins == 1


def test_deactivated_user_is_refused_and_loses_tokens(engine):
    admin = users.actor_for(engine, "admin")
    issued = clock.utcnow()
    target = users.actor_for(engine, "evaluator")
    assert users.token_valid(engine, "evaluator", issued)
    users.set_active(engine, actor=admin, user_id=target.user_id, active=False)
    assert users.authenticate(engine, "evaluator", "Evaluator@2026").reason == "inactive"
    assert not users.token_valid(engine, "evaluator", issued)
    assert users.actor_for(engine, "evaluator") is None


def test_cookie_revocation_by_logout_password_change_and_reset(engine):
    before = clock.utcnow()
    assert users.token_valid(engine, "leader", before)
    cutoff = users.revoke_tokens(engine, "leader")
    assert not users.token_valid(engine, "leader", before)
    assert users.token_valid(engine, "leader", cutoff)

    leader = users.actor_for(engine, "leader")
    cutoff2 = users.change_own_password(engine, actor=leader, old_password="Leader@2026", new_password="Newpass123")
    assert not users.token_valid(engine, "leader", cutoff)
    assert users.authenticate(engine, "leader", "Newpass123").ok
    assert not users.authenticate(engine, "leader", "Leader@2026").ok

    admin = users.actor_for(engine, "admin")
    users.reset_password(engine, actor=admin, user_id=leader.user_id, new_password="Reset2026x")
    assert not users.token_valid(engine, "leader", cutoff2)
    assert users.authenticate(engine, "leader", "Reset2026x").ok


def test_locked_user_cookie_is_refused(engine):
    issued = clock.utcnow()
    for _ in range(5):
        users.authenticate(engine, "leader", "bad-password-1")
    assert not users.token_valid(engine, "leader", issued)


def test_create_user_validates_and_names_the_field(engine):
    admin = users.actor_for(engine, "admin")
    scope = _unit_id(engine, "510104")
    good = {"username": "wang.li", "display_name": "王力", "password": "Passw0rd!", "role": "street", "scope_id": scope}
    with pytest.raises(InvalidInput) as bad_name:
        users.create_user(engine, actor=admin, data={**good, "username": "王小力"})
    assert bad_name.value.field == "username" and bad_name.value.code == "rule.pattern"
    with pytest.raises(InvalidInput) as weak:
        users.create_user(engine, actor=admin, data={**good, "password": "short"})
    assert weak.value.field == "password" and weak.value.code == "rule.password"
    with pytest.raises(InvalidInput) as role:
        users.create_user(engine, actor=admin, data={**good, "role": "superuser"})
    assert role.value.field == "role" and role.value.code == "rule.choice"
    created = users.create_user(engine, actor=admin, data=good)
    assert created.username == "wang.li" and created.role == "street"
    with pytest.raises(DomainError) as taken:
        users.create_user(engine, actor=admin, data=good)
    assert taken.value.code == "error.username_taken" and taken.value.field == "username"
    assert users.authenticate(engine, "wang.li", "Passw0rd!").ok


@pytest.mark.reads_only
def test_only_admins_write_users(engine):
    leader = users.actor_for(engine, "leader")
    street = users.actor_for(engine, "street")
    data = {"username": "x.user", "display_name": "X", "password": "Passw0rd1", "role": "leader",
            "scope_id": _unit_id(engine, "510104")}
    for actor in (leader, street, users.actor_for(engine, "evaluator")):
        with pytest.raises(PermissionDenied):
            users.create_user(engine, actor=actor, data=data)
        with pytest.raises(PermissionDenied):
            users.reset_password(engine, actor=actor, user_id=leader.user_id, new_password="Passw0rd9")
        with pytest.raises(PermissionDenied):
            users.set_active(engine, actor=actor, user_id=leader.user_id, active=False)
        with pytest.raises(PermissionDenied):
            audit.search(engine, actor=actor)


def test_admin_scope_is_enforced_in_the_db_layer(engine):
    root_admin = users.actor_for(engine, "admin")
    users.create_user(engine, actor=root_admin, data={
        "username": "jj.admin", "display_name": "锦江管理员", "password": "Passw0rd1", "role": "admin",
        "scope_id": _unit_id(engine, "510104")})
    jj_admin = users.actor_for(engine, "jj.admin")
    with pytest.raises(PermissionDenied):
        users.create_user(engine, actor=jj_admin, data={
            "username": "ly.user", "display_name": "绿园用户", "password": "Passw0rd1", "role": "street",
            "scope_id": _unit_id(engine, "220106001")})
    listed = set(users.list_users(engine, actor=jj_admin)["username"])
    assert "admin" not in listed and {"leader", "street", "jj.admin"} <= listed


def test_a_refused_write_leaves_no_row_and_no_audit(engine):
    admin = users.actor_for(engine, "admin")

    def counts():
        with reading(engine) as s:
            return (s.execute(select(func.count()).select_from(AppUser)).scalar_one(),
                    s.execute(select(func.count()).select_from(AuditLog)).scalar_one())

    before = counts()
    with pytest.raises(DomainError):
        users.create_user(engine, actor=admin, data={"username": "leader", "display_name": "dup",
                                                     "password": "Passw0rd1", "role": "leader", "scope_id": 1})
    assert counts() == before
    users.create_user(engine, actor=admin, data={"username": "new.one", "display_name": "新用户",
                                                 "password": "Passw0rd1", "role": "leader", "scope_id": 1})
    after = counts()
    assert after == (before[0] + 1, before[1] + 1)
    row = audit.search(engine, actor=admin, action="user_create").iloc[0]
    assert row["username"] == "admin" and '"new.one"' in row["after"]


def test_change_password_checks_old_and_rule(engine):
    leader = users.actor_for(engine, "leader")
    with pytest.raises(DomainError) as old:
        users.change_own_password(engine, actor=leader, old_password="nope", new_password="Another123")
    assert old.value.field == "old_password"
    with pytest.raises(InvalidInput) as weak:
        users.change_own_password(engine, actor=leader, old_password="Leader@2026", new_password="abcdefgh")
    assert weak.value.code == "rule.password"


@pytest.mark.reads_only
def test_admin_cannot_deactivate_self(engine):
    admin = users.actor_for(engine, "admin")
    with pytest.raises(DomainError) as err:
        users.set_active(engine, actor=admin, user_id=admin.user_id, active=False)
    assert err.value.code == "error.cannot_deactivate_self"


def test_audit_search_filters(engine):
    admin = users.actor_for(engine, "admin")
    users.authenticate(engine, "leader", "Leader@2026")
    users.authenticate(engine, "street", "bad-pass-99")
    assert set(audit.search(engine, actor=admin, username="leader")["action"]) == {"login"}
    failed = audit.search(engine, actor=admin, action="login_failed")
    assert list(failed["username"]) == ["street"]
    today = clock.today()
    todays = audit.search(engine, actor=admin, since=today, until=today)
    assert {("leader", "login"), ("street", "login_failed")} <= set(zip(todays["username"], todays["action"]))
    yesterday = audit.search(engine, actor=admin, until=today - timedelta(days=1))
    assert not set(yesterday["username"]) & {"leader", "street"}
