"""What the register keeps of an organization beside its ratings: the signed 承诺书 and 责任书 (with an
optional scanned copy), which make "一社一承诺书一责任书" coverage a count of documents, and the annual
inspection (年检) of each year, with the simplified procedure open only to a valid rating of 3A or better."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models.pipeline import OrgInspection, OrgLetter, SocialOrg
from db.pipeline import rules
from db.pipeline.social_orgs import org_visible
from db.validation import BlankIsNone, Day, rule, validate

LETTER_KINDS = ("commitment", "responsibility")
INSPECTION_RESULTS = ("passed", "basically_passed", "failed")
SCAN_MAX_BYTES = 5 * 1024 * 1024
# what a scanned copy may be, by its first bytes (the name and the browser's type can say anything)
SCAN_TYPES = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


def _not_future(value: date) -> date:
    if value > clock.today():
        raise rule("rule.pipe.not_future")
    return value


# a day within the accepted range, today at the latest
PastDay = Annotated[Day, AfterValidator(_not_future)]


class LetterCreate(BaseModel):
    kind: Literal[LETTER_KINDS]
    signed_on: PastDay


class InspectionCreate(BaseModel):
    year: int = Field(ge=2000, le=2100)
    result: Literal[INSPECTION_RESULTS]
    simplified: bool = False
    inspected_on: PastDay
    note: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=200)


def scan_type(data: bytes) -> str:
    """pdf, png or jpeg, read from the file's first bytes; anything else, or too big, is refused."""
    if len(data) > SCAN_MAX_BYTES:
        raise DomainError("rule.pipe.scan_size", field="scan", mb=SCAN_MAX_BYTES // (1024 * 1024))
    for magic, kind in SCAN_TYPES.items():
        if data.startswith(magic):
            return kind
    raise DomainError("rule.pipe.scan_type", field="scan")


def _org_for_write(session, actor: Actor, org_id: int) -> SocialOrg:
    org = session.execute(select(SocialOrg).where(SocialOrg.id == org_id).with_for_update()).scalar_one_or_none()
    if org is None:
        raise NotFound("error.not_found", entity="social_org")
    require_unit_in_scope(session, actor, org.street_id or org.district_id)
    return org


def record_letter(engine: Engine, *, actor: Actor, org_id: int, data: dict, scan: bytes | None = None) -> int:
    """A signed letter; the organization's coverage flag for that kind follows it. Returns the letter's id."""
    require(actor, "pipeline.write")
    payload = validate(LetterCreate, data)
    kind_of_scan = scan_type(scan) if scan else None
    try:
        with transaction(engine) as session:
            org = _org_for_write(session, actor, org_id)
            letter = OrgLetter(org_id=org.id, kind=payload.kind, signed_on=payload.signed_on, scan=scan or None,
                               scan_type=kind_of_scan, recorded_by=actor.username)
            session.add(letter)
            setattr(org, f"{payload.kind}_letter", True)
            session.flush()
            audit.record(session, actor=actor, action="org_letter_create", entity="social_org", entity_id=org.id,
                         after={**payload.model_dump(), "scan": kind_of_scan})
            return letter.id
    except IntegrityError:
        raise DomainError("pipe.error.letter_exists", field="signed_on", day=payload.signed_on.isoformat()) from None


def record_inspection(engine: Engine, *, actor: Actor, org_id: int, data: dict) -> int:
    """The year's 年检 result; the simplified procedure only with a rating of rules.MIN_GRADE or better that is
    valid on the day of the inspection."""
    require(actor, "pipeline.write")
    payload = validate(InspectionCreate, data)
    if not payload.year <= payload.inspected_on.year <= payload.year + 1:
        raise DomainError("pipe.error.inspection_day", field="inspected_on", year=payload.year)
    try:
        with transaction(engine) as session:
            org = _org_for_write(session, actor, org_id)
            valid = (org.grade or 0) >= rules.MIN_GRADE and org.grade_valid_until and \
                org.grade_valid_until >= payload.inspected_on
            if payload.simplified and not valid:
                raise DomainError("pipe.error.simplified_needs_grade", field="simplified", min_grade=rules.MIN_GRADE)
            row = OrgInspection(org_id=org.id, recorded_by=actor.username, **payload.model_dump())
            session.add(row)
            session.flush()
            audit.record(session, actor=actor, action="org_inspection_create", entity="social_org", entity_id=org.id,
                         after=payload.model_dump())
            return row.id
    except IntegrityError:
        raise DomainError("pipe.error.inspection_exists", field="year", year=payload.year) from None


def _visible_org(session, actor: Actor, org_id: int) -> SocialOrg:
    require(actor, "pipeline.read")
    org = session.get(SocialOrg, org_id)
    if org is None or not org_visible(actor, org):
        raise NotFound("error.not_found", entity="social_org")
    return org


def letters(engine: Engine, *, actor: Actor, org_id: int) -> pd.DataFrame:
    columns = ["id", "kind", "signed_on", "scan_type", "recorded_by"]
    with reading(engine) as session:
        _visible_org(session, actor, org_id)
        rows = session.execute(select(*(getattr(OrgLetter, c) for c in columns)).where(OrgLetter.org_id == org_id)
                               .order_by(OrgLetter.signed_on.desc())).mappings().all()
    return pd.DataFrame(rows, columns=columns)


def letter_scan(engine: Engine, *, actor: Actor, letter_id: int) -> tuple[bytes, str]:
    with reading(engine) as session:
        letter = session.get(OrgLetter, letter_id)
        if letter is None or letter.scan is None:
            raise NotFound("error.not_found", entity="org_letter")
        _visible_org(session, actor, letter.org_id)
        return bytes(letter.scan), letter.scan_type


def inspections(engine: Engine, *, actor: Actor, org_id: int) -> pd.DataFrame:
    columns = ["year", "result", "simplified", "inspected_on", "note", "recorded_by"]
    with reading(engine) as session:
        _visible_org(session, actor, org_id)
        rows = session.execute(select(*(getattr(OrgInspection, c) for c in columns))
                               .where(OrgInspection.org_id == org_id).order_by(OrgInspection.year.desc())
                               ).mappings().all()
    return pd.DataFrame(rows, columns=columns)
