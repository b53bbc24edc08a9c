"""Accounts: login with a lockout kept in the database, cookie validity, and admin user management."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from db import audit, clock, passwords
from db.access import Actor, require, require_unit_in_scope, scope_condition
from db.engine import reading, transaction
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import AppUser, OrgUnit, SeedMark
from db.models.users import ROLES
from db.validation import Stripped, rule, validate

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
USERNAME_PATTERN = r"^[a-z][a-z0-9_.-]{2,39}$"


def _check_password_rule(value: str) -> str:
    if len(value) < 8 or not re.search(r"[A-Za-z]", value) or not re.search(r"\d", value):
        raise rule("rule.password")
    if len(value.encode("utf-8")) > passwords.MAX_BYTES:
        raise rule("rule.max_length", max_length=passwords.MAX_BYTES)
    return value


class UserCreate(BaseModel):
    username: Annotated[str, Stripped] = Field(min_length=3, max_length=40, pattern=USERNAME_PATTERN)
    display_name: Annotated[str, Stripped] = Field(min_length=1, max_length=60)
    password: str
    role: Literal[ROLES]  # type: ignore[valid-type]
    scope_id: int = Field(gt=0)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return _check_password_rule(value)


def scope_problem(role: str, level: str) -> str | None:
    """The rule a role's scope breaks, if any: community staff work for one community (社区/居委会)."""
    if role == "community" and level != "community":
        return "users.error.community_scope"
    return None


class PasswordInput(BaseModel):
    password: str

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return _check_password_rule(value)


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    scope_id: int
    active: bool


@dataclass(frozen=True)
class LoginResult:
    """`reason` is for the audit trail and tests only: the UI shows one sentence for every refusal,
    since a different message for a locked or deactivated account reveals that the account exists."""

    ok: bool
    reason: Literal["ok", "bad_credentials", "locked", "inactive"]


def public_user(user: AppUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


def actor_for(engine: Engine, username: str) -> Actor | None:
    """The Actor for an active user, or None; the shell builds it once per script run."""
    with reading(engine) as session:
        row = session.execute(
            select(AppUser, OrgUnit.level, OrgUnit.name)
            .join(OrgUnit, OrgUnit.id == AppUser.scope_id)
            .where(AppUser.username == username, AppUser.active == True)  # noqa: E712
        ).first()
    if row is None:
        return None
    user, level, scope_name = row
    return Actor(user.id, user.username, user.display_name, user.role, user.scope_id, level, scope_name)


def _claim_attempt(session, username: str, now: datetime):
    """Take one of the window's MAX_FAILURES attempt slots in a single UPDATE, before any password is
    checked: the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) makes concurrent
    claims queue, and each re-reads the count, so no more than MAX_FAILURES passwords are checked per
    window whatever the number of threads or app instances. A read-then-write counter lost increments.
    Returns (id, hash, active, slot, window start), or None: unknown, locked, or every slot taken."""
    window_type = AppUser.__table__.c.failed_window_start.type
    fresh = or_(AppUser.failed_window_start.is_(None), AppUser.failed_window_start <= now - FAILURE_WINDOW)
    row = session.execute(
        update(AppUser)
        .where(AppUser.username == username,
               or_(AppUser.locked_until.is_(None), AppUser.locked_until <= now),
               or_(fresh, AppUser.failed_logins < MAX_FAILURES))
        .values(failed_logins=case((fresh, 1), else_=AppUser.failed_logins + 1),
                failed_window_start=case((fresh, literal(now, window_type)), else_=AppUser.failed_window_start))
        .returning(AppUser.id, AppUser.password_hash, AppUser.active, AppUser.failed_logins,
                   AppUser.failed_window_start)
        .execution_options(synchronize_session=False)
    ).first()
    return tuple(row) if row else None


def authenticate(engine: Engine, username: str, password: str) -> LoginResult:
    """Check a password. Five wrong ones within 15 minutes lock the account for 15 minutes; a success
    gives back only its own slot, so at most five wrong passwords are checked per window.

    Every refusal costs one bcrypt check at the same cost as a real hash, and the caller shows one
    message for all of them: unknown, wrong, locked and deactivated look alike in words and in time."""
    username = (username or "").strip().lower()
    password = password or ""
    now = clock.utcnow()
    with transaction(engine) as session:  # committed before the slow check, so others see the slot
        claim = _claim_attempt(session, username, now)
        if claim is None:
            stored = session.execute(select(AppUser.password_hash).where(AppUser.username == username)).scalar()
    if claim is None:
        passwords.dummy_check(passwords.cost_of(stored))
        return LoginResult(False, "bad_credentials" if stored is None else "locked")
    user_id, hashed, active, slot, window_start = claim
    good = passwords.verify(password, hashed)
    with transaction(engine) as session:
        if good and active:
            return _signed_in(session, user_id, username, window_start, now)
        reason = "inactive" if good else "bad_credentials"  # a right password on a deactivated account still counts
        audit.record(session, actor=None, username=username, action="login_failed", entity="app_user",
                     entity_id=user_id, after={"failures": slot, "reason": reason})
        if slot >= MAX_FAILURES:
            locked_until = now + LOCK_DURATION
            session.execute(update(AppUser).where(AppUser.id == user_id)
                            .values(locked_until=locked_until, failed_logins=0, failed_window_start=None)
                            .execution_options(synchronize_session=False))
            audit.record(session, actor=None, username=username, action="lock", entity="app_user",
                         entity_id=user_id, after={"locked_until": locked_until})
    return LoginResult(False, reason)


def _signed_in(session, user_id: int, username: str, window_start: datetime, now: datetime) -> LoginResult:
    """Give back this attempt's slot (only if its window is still the current one) unless the account
    was locked while the password was being checked: a locked account never signs in."""
    # FOR UPDATE: a concurrent lock either committed before this read or waits for this commit
    locked_until = session.execute(
        select(AppUser.locked_until).where(AppUser.id == user_id).with_for_update()).scalar()
    if locked_until and locked_until > now:
        return LoginResult(False, "locked")
    left = AppUser.failed_logins - 1
    session.execute(
        update(AppUser)
        .where(AppUser.id == user_id, AppUser.failed_window_start == window_start, AppUser.failed_logins > 0)
        .values(failed_logins=left, failed_window_start=case((left > 0, AppUser.failed_window_start), else_=None))
        .execution_options(synchronize_session=False))
    audit.record(session, actor=None, username=username, action="login", entity="app_user", entity_id=user_id)
    return LoginResult(True, "ok")


def sso_sign_in(engine: Engine, claim_value: object, issued_at: datetime) -> Actor:
    """A person the identity platform vouched for (统一身份认证), matched to a user row by the configured claim:
    the row, not the platform, decides role and scope. Refused with a message (DomainError) when the claim is
    missing, no user has it as username, the user is deactivated or locked, or the sign-in was issued before the
    user's revocation cut-off (signed out, password changed, revoked by an admin). Unlike the password form the
    message may say which: the platform has already proved who is asking, so nothing leaks to a guesser.
    Every attempt is audited."""
    username = claim_value.strip().lower() if isinstance(claim_value, str) else ""
    now = clock.utcnow()
    with transaction(engine) as session:
        user = (session.execute(select(AppUser).where(AppUser.username == username)).scalar_one_or_none()
                if username else None)
        if user is None:
            reason, key = "unknown", "auth.sso.unknown"
        elif not user.active:
            reason, key = "inactive", "auth.sso.inactive"
        elif user.locked_until and user.locked_until > now:
            reason, key = "locked", "auth.sso.inactive"
        elif issued_at < user.tokens_valid_after:
            reason, key = "revoked", "auth.session_ended"
        else:
            audit.record(session, actor=None, username=username, action="sso_login", entity="app_user",
                         entity_id=user.id)
            reason = key = None
        if key is not None:
            audit.record(session, actor=None, username=username[:40] or None, action="sso_refused",
                         entity="app_user", entity_id=user.id if user else None, after={"reason": reason})
    if key is not None:
        raise DomainError(key, name=username or "?")
    return actor_for(engine, username)


def token_valid(engine: Engine, username: str, issued_at: datetime) -> bool:
    """A cookie (or a live session) counts only for an active, unlocked user, issued after revocation."""
    now = clock.utcnow()
    with reading(engine) as session:
        user = session.execute(select(AppUser).where(AppUser.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        return False
    if user.locked_until and user.locked_until > now:
        return False
    return issued_at >= user.tokens_valid_after


def credentials_entry(engine: Engine, username: str) -> dict:
    """The authenticator's credentials dict, holding just the one user it will sign in or out."""
    with reading(engine) as session:
        user = session.execute(select(AppUser).where(AppUser.username == username)).scalar_one_or_none()
    if user is None:
        return {"usernames": {}}
    return {"usernames": {user.username: {
        "name": user.display_name, "first_name": user.display_name, "last_name": "",
        "email": f"{user.username}@localhost", "password": user.password_hash, "roles": [user.role],
    }}}


def revoke_tokens(engine: Engine, username: str, *, action: str = "logout") -> datetime:
    """Make every cookie issued until now useless (logout); returns the new cut-off."""
    now = clock.utcnow()
    with transaction(engine) as session:
        user = session.execute(select(AppUser).where(AppUser.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFound("error.not_found", entity="app_user")
        user.tokens_valid_after = now
        audit.record(session, actor=None, username=username, action=action, entity="app_user", entity_id=user.id)
    return now


def create_user(engine: Engine, *, actor: Actor, data: dict | UserCreate) -> UserPublic:
    require(actor, "system.users")
    payload = validate(UserCreate, data if isinstance(data, dict) else data.model_dump())
    payload.username = payload.username.lower()
    now = clock.utcnow()
    with transaction(engine) as session:
        unit = require_unit_in_scope(session, actor, payload.scope_id)
        problem = scope_problem(payload.role, unit.level)
        if problem:
            raise DomainError(problem, field="scope_id")
        exists = session.execute(select(AppUser.id).where(AppUser.username == payload.username)).first()
        if exists:
            raise DomainError("error.username_taken", field="username", username=payload.username)
        user = AppUser(
            username=payload.username, display_name=payload.display_name,
            password_hash=passwords.hash_password(payload.password), role=payload.role,
            scope_id=payload.scope_id, active=True, tokens_valid_after=now, created_at=now,
        )
        session.add(user)
        session.flush()
        result = public_user(user)
        audit.record(session, actor=actor, action="user_create", entity="app_user", entity_id=user.id,
                     after=result.model_dump())
    return result


def _user_in_scope(session, actor: Actor, user_id: int) -> AppUser:
    user = session.get(AppUser, user_id)
    if user is None:
        raise NotFound("error.not_found", entity="app_user")
    require_unit_in_scope(session, actor, user.scope_id)
    return user


def set_active(engine: Engine, *, actor: Actor, user_id: int, active: bool) -> UserPublic:
    require(actor, "system.users")
    if user_id == actor.user_id and not active:
        raise DomainError("error.cannot_deactivate_self")
    with transaction(engine) as session:
        user = _user_in_scope(session, actor, user_id)
        before = public_user(user).model_dump()
        user.active = active
        if not active:
            user.tokens_valid_after = clock.utcnow()
        result = public_user(user)
        audit.record(session, actor=actor, action="user_activate" if active else "user_deactivate",
                     entity="app_user", entity_id=user.id, before=before, after=result.model_dump())
    return result


def reset_password(engine: Engine, *, actor: Actor, user_id: int, new_password: str) -> None:
    """Admin sets a new password; the user's earlier cookies stop working and any lock is lifted."""
    require(actor, "system.users")
    payload = validate(PasswordInput, {"password": new_password})
    with transaction(engine) as session:
        user = _user_in_scope(session, actor, user_id)
        user.password_hash = passwords.hash_password(payload.password)
        user.tokens_valid_after = clock.utcnow()
        user.failed_logins, user.failed_window_start, user.locked_until = 0, None, None
        audit.record(session, actor=actor, action="password_reset", entity="app_user", entity_id=user.id)


def change_own_password(engine: Engine, *, actor: Actor, old_password: str, new_password: str) -> datetime:
    """Any signed-in user; returns the new cut-off so the caller can re-issue its own cookie after it."""
    payload = validate(PasswordInput, {"password": new_password})
    with transaction(engine) as session:
        user = session.get(AppUser, actor.user_id)
        if user is None or not user.active:
            raise PermissionDenied("error.forbidden_role", role=actor.role)
        if not passwords.verify(old_password or "", user.password_hash):
            raise DomainError("error.old_password_wrong", field="old_password")
        if old_password == new_password:
            raise DomainError("error.password_unchanged", field="new_password")
        user.password_hash = passwords.hash_password(payload.password)
        cutoff = clock.utcnow()
        user.tokens_valid_after = cutoff
        audit.record(session, actor=actor, action="password_change", entity="app_user", entity_id=user.id)
    return cutoff


def list_users(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    require(actor, "system.users")
    now = clock.utcnow()
    query = (
        select(AppUser.id, AppUser.username, AppUser.display_name, AppUser.role, AppUser.scope_id,
               OrgUnit.name.label("scope_name"), AppUser.active, AppUser.locked_until, AppUser.created_at)
        .join(OrgUnit, OrgUnit.id == AppUser.scope_id)
        .where(scope_condition(actor))
        .order_by(AppUser.role, AppUser.username)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(),
                             columns=["id", "username", "display_name", "role", "scope_id", "scope_name",
                                      "active", "locked_until", "created_at"])
    frame["locked"] = frame["locked_until"].apply(lambda v: bool(v is not None and pd.notna(v) and v > now))
    return frame


def unlock(engine: Engine, *, actor: Actor, user_id: int) -> None:
    require(actor, "system.users")
    with transaction(engine) as session:
        user = _user_in_scope(session, actor, user_id)
        session.execute(update(AppUser).where(AppUser.id == user.id)
                        .values(locked_until=None, failed_logins=0, failed_window_start=None))
        audit.record(session, actor=actor, action="user_unlock", entity="app_user", entity_id=user.id)


# --- the first administrator of an empty install ---------------------------------------------------

FIRST_ADMIN_MARK = "first_admin"  # a SeedMark row: two first-start forms sent at once make one admin


class FirstAdmin(BaseModel):
    username: Annotated[str, Stripped] = Field(min_length=3, max_length=40, pattern=USERNAME_PATTERN)
    display_name: Annotated[str, Stripped] = Field(min_length=1, max_length=60)
    password: str

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return _check_password_rule(value)


def has_users(engine: Engine) -> bool:
    with reading(engine) as session:
        return session.execute(select(AppUser.id).limit(1)).first() is not None


def create_first_admin(engine: Engine, data: dict) -> UserPublic:
    """The first account of an empty install: an administrator over the whole tree (the root unit).
    Refused once any account exists, so the first-start form and the command work exactly once."""
    payload = validate(FirstAdmin, data)
    now = clock.utcnow()
    try:
        with transaction(engine) as session:
            if session.execute(select(AppUser.id).limit(1)).first() is not None:
                raise DomainError("error.first_admin_exists")
            root = session.execute(select(OrgUnit.id).where(OrgUnit.level == "root")).scalar_one_or_none()
            if root is None:
                raise DomainError("error.no_root_unit")
            session.add(SeedMark(part=FIRST_ADMIN_MARK, loaded_at=now))
            user = AppUser(username=payload.username.lower(), display_name=payload.display_name,
                           password_hash=passwords.hash_password(payload.password), role="admin", scope_id=root,
                           active=True, tokens_valid_after=now, created_at=now)
            session.add(user)
            session.flush()
            result = public_user(user)
            audit.record(session, actor=None, username=user.username, action="first_admin", entity="app_user",
                         entity_id=user.id, after=result.model_dump())
    except IntegrityError:  # another first start made its admin in the meantime
        raise DomainError("error.first_admin_exists") from None
    return result


def _create_admin_command(args) -> int:
    """`python -m db.users create-admin`: the password is read from the terminal (twice), never from an
    argument, so it stays out of the shell history and the process list."""
    import getpass

    from db.engine import make_engine

    password = getpass.getpass("Password / 密码: ")
    if password != getpass.getpass("Again / 再次输入: "):
        print("refused: the two passwords differ / 两次输入的密码不一致", file=sys.stderr)
        return 1
    try:
        user = create_first_admin(make_engine(), {"username": args.username, "display_name": args.display_name,
                                                  "password": password})
    except DomainError as err:
        print(f"refused: {err}", file=sys.stderr)
        return 1
    print(f"created administrator {user.username} (id {user.id}); sign in at the app's address")
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m db.users", description="Accounts from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="the first administrator of an empty install")
    create.add_argument("--username", required=True, help="lower-case letters, digits, . _ -; 3–40 characters")
    create.add_argument("--display-name", required=True, help="the name shown in the app, e.g. 区民政局管理员")
    args = parser.parse_args(argv)
    return _create_admin_command(args)


if __name__ == "__main__":
    raise SystemExit(main())
