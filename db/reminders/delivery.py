"""A daily digest of unread notifications outside the app, off by default (APP_DIGEST_DELIVERY=off).

`command`: the district's SMS program, the same hook as vote codes (APP_DIGEST_COMMAND, else VOTE_CODE_COMMAND),
run without a shell with two lines on its standard input: the number (E.164) and the text. `smtp`: an e-mail
through APP_SMTP_HOST (APP_SMTP_PORT, APP_SMTP_FROM, APP_SMTP_USER / APP_SMTP_PASSWORD, APP_SMTP_STARTTLS).

A user chooses their own contact (set_contact). Each run makes one digest row per user and day that has unread
notifications (a unique key: made once), then sends every row not yet sent: a row is claimed by a conditional
UPDATE (so two runs never send it twice), sent outside any transaction, and marked sent, or failed with the
error (logged, never the address). A failed row is tried again by the next run, MAX_ATTEMPTS times in all.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import smtplib
import subprocess
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Annotated, Callable, Literal

from pydantic import BaseModel
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require
from db.engine import reading, transaction
from db.errors import DomainError
from db.models.reminders import Notification, NotificationContact, NotificationDigest
from db.validation import Stripped, validate
from db.voting import codes as vote_codes
from db.voting.delivery import COMMAND_ENV, COMMAND_TIMEOUT_S

_log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
MODES = ("off", "command", "smtp")
EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def mode() -> str:
    """APP_DIGEST_DELIVERY; an unknown value is refused rather than guessed."""
    value = os.environ.get("APP_DIGEST_DELIVERY", "off").strip().lower() or "off"
    if value not in MODES:
        raise DomainError("notice.error.digest_config")
    return value


def _command() -> list[str]:
    raw = os.environ.get("APP_DIGEST_COMMAND", "").strip() or os.environ.get(COMMAND_ENV, "").strip()
    if not raw:
        raise DomainError("notice.error.digest_config")
    return shlex.split(raw)


# --- the user's own contact ----------------------------------------------------------------------------

class ContactInput(BaseModel):
    channel: Literal["", "sms", "email"] = ""
    address: Annotated[str, Stripped] = ""


def set_contact(engine: Engine, *, actor: Actor, data: dict) -> str:
    """The signed-in user's own digest contact (a blank channel removes it); returns the channel."""
    require(actor, "system.signed_in")
    payload = validate(ContactInput, data)
    address = payload.address
    if payload.channel == "sms":
        address = vote_codes.normalise_number(address)  # E.164, the vote's rules and messages
    elif payload.channel == "email" and (len(address) > 120 or not EMAIL.fullmatch(address)):
        raise DomainError("notice.error.email", field="address")
    with transaction(engine) as session:
        session.execute(delete(NotificationContact).where(NotificationContact.user_id == actor.user_id))
        if payload.channel:
            session.add(NotificationContact(user_id=actor.user_id, channel=payload.channel, address=address,
                                            updated_at=clock.utcnow()))
        audit.record(session, actor=actor, action="notice_contact", entity="app_user", entity_id=actor.user_id,
                     after={"channel": payload.channel or None})  # the address stays out of the log
    return payload.channel


def contact(engine: Engine, *, actor: Actor) -> tuple[str, str]:
    with reading(engine) as session:
        row = session.get(NotificationContact, actor.user_id)
        return (row.channel, row.address) if row else ("", "")


# --- making and sending the digests ------------------------------------------------------------------

@dataclass(frozen=True)
class Digest:
    id: int
    channel: str
    address: str
    unread: int
    kinds: dict


def make_digests(engine: Engine, *, today: date) -> int:
    """One digest per user with a contact and unread notifications, once a day (ON CONFLICT DO NOTHING)."""
    with engine.connect() as conn:
        counts = conn.execute(
            select(Notification.user_id, Notification.kind, func.count())
            .join(NotificationContact, NotificationContact.user_id == Notification.user_id)
            .where(Notification.read_at.is_(None)).group_by(Notification.user_id, Notification.kind)).all()
        contacts = {row.user_id: row for row in conn.execute(select(NotificationContact)).all()}
    kinds: dict[int, dict[str, int]] = {}
    for user_id, kind, n in counts:
        kinds.setdefault(user_id, {})[kind] = int(n)
    if not kinds:
        return 0
    now = clock.utcnow()
    rows = [{"user_id": u, "day": today, "channel": contacts[u].channel, "address": contacts[u].address,
             "unread": sum(k.values()), "kinds": json.dumps(k, sort_keys=True), "state": "pending", "attempts": 0,
             "created_at": now} for u, k in sorted(kinds.items())]
    with transaction(engine) as session:
        made = session.execute(vote_codes.dialect_insert(session, NotificationDigest)
                               .on_conflict_do_nothing(index_elements=["user_id", "day"])
                               .returning(NotificationDigest.id), rows).all()
    return len(made)


def _claim(engine: Engine, row_id: int, attempts: int) -> bool:
    with transaction(engine) as session:
        return session.execute(update(NotificationDigest).where(
            NotificationDigest.id == row_id, NotificationDigest.attempts == attempts,
            NotificationDigest.state.in_(("pending", "failed"))).values(attempts=attempts + 1)).rowcount == 1


def _send(how: str, digest: Digest, subject: str, body: str) -> None:
    if how == "command":
        subprocess.run(_command(), shell=False, check=True, timeout=COMMAND_TIMEOUT_S, capture_output=True,
                       input=f"{digest.address}\n{body}\n", text=True)
        return
    message = EmailMessage()
    message["From"] = os.environ.get("APP_SMTP_FROM", "").strip() or "cpme@localhost"
    message["To"], message["Subject"] = digest.address, subject
    message.set_content(body)
    host = os.environ.get("APP_SMTP_HOST", "").strip()
    if not host:
        raise DomainError("notice.error.digest_config")
    with smtplib.SMTP(host, int(os.environ.get("APP_SMTP_PORT", "25")), timeout=COMMAND_TIMEOUT_S) as smtp:
        if os.environ.get("APP_SMTP_STARTTLS", "").strip() in ("1", "true", "yes"):
            smtp.starttls()
        if os.environ.get("APP_SMTP_USER"):
            smtp.login(os.environ["APP_SMTP_USER"], os.environ.get("APP_SMTP_PASSWORD", ""))
        smtp.send_message(message)


def send_digests(engine: Engine, *, text: Callable[[Digest], tuple[str, str]]) -> dict[str, int]:
    """Send every digest not yet sent whose channel the configured delivery serves (command: sms, smtp: email),
    worded by `text` (subject, body); failures are logged, kept with their error and retried by the next run."""
    how = mode()
    done = {"sent": 0, "failed": 0}
    if how == "off":
        return done
    channel = "sms" if how == "command" else "email"
    with engine.connect() as conn:
        waiting = conn.execute(select(NotificationDigest).where(
            NotificationDigest.state.in_(("pending", "failed")), NotificationDigest.channel == channel,
            NotificationDigest.attempts < MAX_ATTEMPTS).order_by(NotificationDigest.id)).all()
    for row in waiting:
        if not _claim(engine, row.id, row.attempts):
            continue  # another run has it
        digest = Digest(row.id, row.channel, row.address, row.unread, json.loads(row.kinds))
        error = None
        try:
            _send(how, digest, *text(digest))
        except (OSError, subprocess.SubprocessError, smtplib.SMTPException, DomainError) as exc:
            status = getattr(exc, "returncode", None) or getattr(exc, "smtp_code", None)
            error = f"{type(exc).__name__}{f' ({status})' if status else ''}"
            _log.warning("digest %s delivery failed (attempt %s of %s): %s", row.id, row.attempts + 1, MAX_ATTEMPTS,
                         error)
        with transaction(engine) as session:
            session.execute(update(NotificationDigest).where(NotificationDigest.id == row.id).values(
                state="failed" if error else "sent", last_error=error, sent_at=None if error else clock.utcnow()))
        done["failed" if error else "sent"] += 1
    return done
