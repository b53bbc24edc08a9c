"""The one audit helper every write uses, and the audit-log query."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import clock
from db.access import Actor, require
from db.models import AuditLog


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: Any = None,
    before: Any = None,
    after: Any = None,
    username: str | None = None,
) -> None:
    """Add an audit row to the caller's transaction, so the change and its record commit together."""
    session.add(
        AuditLog(
            at=clock.utcnow(),
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else (username or "-"),
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=_dump(before),
            after=_dump(after),
        )
    )


def record_change(session: Session, *, actor: Actor | None, action: str, entity: str, entity_id: Any,
                  before: dict, after: dict) -> bool:
    """Audit an edit as what changed (each field's before and after); nothing when nothing did."""
    changed = [key for key in after if before.get(key) != after[key]]
    if changed:
        record(session, actor=actor, action=action, entity=entity, entity_id=entity_id,
               before={key: before.get(key) for key in changed}, after={key: after[key] for key in changed})
    return bool(changed)


def search(
    engine: Engine,
    *,
    actor: Actor,
    username: str | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Newest first; only admins read the log. Dates are inclusive local calendar days."""
    require(actor, "system.audit")
    query = select(
        AuditLog.id, AuditLog.at, AuditLog.username, AuditLog.action, AuditLog.entity,
        AuditLog.entity_id, AuditLog.before, AuditLog.after,
    )
    if username:
        query = query.where(AuditLog.username == username.strip())
    if action:
        query = query.where(AuditLog.action == action)
    if since:
        query = query.where(AuditLog.at >= clock.local_day_start(since))
    if until:
        query = query.where(AuditLog.at < clock.local_day_start(until + timedelta(days=1)))
    query = query.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["id", "at", "username", "action", "entity", "entity_id", "before", "after"])


def latest_id(engine: Engine, *, actor: Actor) -> int:
    """The newest row's id (0 when empty): one index lookup, so a cached read of the log can tell it is stale."""
    require(actor, "system.audit")
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(AuditLog.id), 0))).scalar_one())


def distinct_actions(engine: Engine, *, actor: Actor) -> list[str]:
    require(actor, "system.audit")
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog.action).distinct().order_by(AuditLog.action)).scalars())
