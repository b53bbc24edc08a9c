"""The social-organization register admins keep: add and edit organizations (the 统一社会信用代码 checked
by its GB 32100 check character, db.pipeline.rules), deactivate a deregistered one (已注销) and bring it
back, each with a reason (never a delete: projects, ratings and letters point at it), and the register as
a spreadsheet (an export that imports back unchanged; an import all or nothing, by row, column and rule).
Ratings are recorded one by one as history (db.pipeline.social_orgs.record_rating)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require, unit_in_scope
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.pipeline import SocialOrg
from db.pipeline import rules
from db.pipeline.social_orgs import SocialOrgPublic, org_scope, org_visible, public_org, rating_status
from db.spreadsheets import FIRST_DATA_ROW, ImportRejected, RowProblems, cell, data_rows, match_columns, read_table
from db.validation import BlankIsNone, Day, InvalidInput, OneLine, Stripped, rule, validate


class SocialOrgFields(BaseModel):
    """An organization as an admin enters it (ratings are recorded apart, as history: record_rating)."""

    name: Annotated[str, OneLine, Stripped] = Field(min_length=2, max_length=120)
    kind: Literal[rules.ORG_KINDS]
    registration: Literal[rules.REGISTRATIONS]
    domain: Literal[rules.DOMAINS]
    founded_on: Optional[Day] = None
    party_org: Literal[rules.PARTY_ORGS] = "none"
    authority: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, max_length=60)
    incubated: bool = False
    incubation_base: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, max_length=80)
    incubated_on: Optional[Day] = None
    graduated_on: Optional[Day] = None
    commitment_letter: bool = False
    responsibility_letter: bool = False

    @field_validator("graduated_on")
    @classmethod
    def _after_entering(cls, value: date | None, info: ValidationInfo) -> date | None:
        entered = info.data.get("incubated_on")
        if value and entered and value < entered:
            raise rule("rule.pipe.graduated_after")
        return value

    @model_validator(mode="after")
    def _incubated(self) -> "SocialOrgFields":
        """An organization with an incubation base or a graduation day was incubated."""
        self.incubated = self.incubated or bool(self.graduated_on or self.incubation_base)
        return self


class SocialOrgCreate(SocialOrgFields):
    code: Annotated[str, Stripped] = Field(min_length=4, max_length=32)
    unit_code: Annotated[str, Stripped] = Field(min_length=1, max_length=32)  # its district or street


def _check_code(payload: SocialOrgCreate) -> str:
    """A registered organization's 统一社会信用代码 must pass its check character and say its kind; a filed
    one may carry a filing number instead."""
    code = payload.code.upper()
    looks_like_credit = len(code) == 18
    if payload.registration == "registered" or looks_like_credit:
        problem = rules.credit_code_problem(code)
        if problem:
            raise InvalidInput([("code", problem, {})])
        wanted = rules.CREDIT_CODE_KIND.get(payload.kind)
        if payload.registration == "registered" and wanted and code[:2] != wanted:
            raise InvalidInput([("code", "rule.pipe.credit_code_kind", {"prefix": wanted})])
        return code
    if not re.match(rules.FILING_NUMBER, code):
        raise InvalidInput([("code", "rule.pattern", {})])
    return code


def _place(session, actor: Actor, unit_code: str) -> tuple[int, int | None]:
    unit = session.execute(select(OrgUnit).where(OrgUnit.code == unit_code)).scalar_one_or_none()
    if unit is None or unit.level not in ("district", "street") or not unit_in_scope(actor, unit) or not unit.active:
        raise DomainError("org.rule.unknown_parent", field="unit_code", unit_code=unit_code)
    return unit.district_id, unit.street_id


def _org_record(org: SocialOrg) -> dict:
    return {c: getattr(org, c) for c in ("code", "name", "kind", "registration", "domain", "district_id", "street_id",
                                          "founded_on", "party_org", "authority", "incubated", "incubation_base",
                                          "incubated_on", "graduated_on", "commitment_letter", "responsibility_letter",
                                          "active")}


def _add_org(session, actor: Actor, payload: SocialOrgCreate) -> SocialOrg:
    code = _check_code(payload)
    if session.execute(select(SocialOrg.id).where(SocialOrg.code == code)).first():
        raise DomainError("pipe.error.org_code_taken", field="code", org_code=code)
    district_id, street_id = _place(session, actor, payload.unit_code)
    org = SocialOrg(code=code, district_id=district_id, street_id=street_id,
                    **payload.model_dump(exclude={"code", "unit_code"}))
    session.add(org)
    session.flush()
    audit.record(session, actor=actor, action="org_create", entity="social_org", entity_id=org.id,
                 after=_org_record(org))
    return org


def _edit_org(session, actor: Actor, org: SocialOrg, fields: SocialOrgFields) -> bool:
    """Apply the fields; True when anything changed (audited as what changed)."""
    before = _org_record(org)
    for name, value in fields.model_dump().items():
        setattr(org, name, value)
    session.flush()
    return audit.record_change(session, actor=actor, action="org_update", entity="social_org", entity_id=org.id,
                               before=before, after=_org_record(org))


def create_org(engine: Engine, *, actor: Actor, data: dict) -> SocialOrgPublic:
    require(actor, "pipeline.write")
    payload = validate(SocialOrgCreate, data)
    with transaction(engine) as session:
        org = _add_org(session, actor, payload)
        status = session.execute(select(rating_status(clock.today())).where(SocialOrg.id == org.id)).scalar_one()
        return public_org(org, status)


def update_org(engine: Engine, *, actor: Actor, org_id: int, data: dict) -> SocialOrgPublic:
    """Name, kind, track, domain, founding, party organization, incubation and letters; the code and the
    place stay (a move is a new registration)."""
    require(actor, "pipeline.write")
    fields = validate(SocialOrgFields, data)
    with transaction(engine) as session:
        org = session.get(SocialOrg, org_id)
        if org is None or not org_visible(actor, org):
            raise NotFound("error.not_found", entity="social_org")
        _edit_org(session, actor, org, fields)
        status = session.execute(select(rating_status(clock.today())).where(SocialOrg.id == org.id)).scalar_one()
        return public_org(org, status)


def org_fields(engine: Engine, *, actor: Actor, org_id: int) -> dict:
    """What the edit form starts from: the organization's editable fields as update_org takes them."""
    require(actor, "pipeline.write")
    with reading(engine) as session:
        org = session.get(SocialOrg, org_id)
        if org is None or not org_visible(actor, org):
            raise NotFound("error.not_found", entity="social_org")
        return {name: getattr(org, name) for name in SocialOrgFields.model_fields}


class StatusChange(BaseModel):
    reason: Annotated[str, OneLine, Stripped] = Field(min_length=2, max_length=200)


def set_org_active(engine: Engine, *, actor: Actor, org_id: int, active: bool, reason: str) -> SocialOrgPublic:
    """Deactivate a deregistered organization (已注销) or bring it back, with the reason in the audit log. A
    deactivated one is no longer offered as a contractor; its projects, ratings and letters stay as they are."""
    require(actor, "pipeline.write")
    payload = validate(StatusChange, {"reason": reason})
    with transaction(engine) as session:
        org = session.execute(select(SocialOrg).where(SocialOrg.id == org_id).with_for_update()).scalar_one_or_none()
        if org is None or not org_visible(actor, org):
            raise NotFound("error.not_found", entity="social_org")
        if org.active == active:  # someone else did it first, or a stale page
            raise DomainError("pipe.error.org_status_same", name=org.name)
        org.active = active
        session.flush()
        audit.record(session, actor=actor, action="org_activate" if active else "org_deactivate", entity="social_org",
                     entity_id=org.id, before={"active": not active}, after={"active": active, "reason": payload.reason})
        status = session.execute(select(rating_status(clock.today())).where(SocialOrg.id == org.id)).scalar_one()
        return public_org(org, status)


ORG_HEADINGS = {"code": ("code", "统一社会信用代码/备案号", "Credit code / filing no."),
                "name": ("name", "组织名称", "Name"), "kind": ("kind", "组织类型", "Kind"),
                "registration": ("registration", "登记/备案", "Registered / filed"),
                "domain": ("domain", "服务领域", "Domain"),
                "unit_code": ("unit_code", "所属区/街道代码", "District / street code"),
                "founded_on": ("founded_on", "成立日期", "Founded"),
                "party_org": ("party_org", "党组织", "Party organization"),
                "authority": ("authority", "登记管理机关", "Authority"),
                "incubated": ("incubated", "孵化出壳", "Incubated"),
                "incubation_base": ("incubation_base", "孵化基地", "Incubation base"),
                "incubated_on": ("incubated_on", "入驻孵化日期", "Entered the base"),
                "graduated_on": ("graduated_on", "出壳日期", "Graduated"),
                "commitment_letter": ("commitment_letter", "承诺书", "Commitment letter"),
                "responsibility_letter": ("responsibility_letter", "责任书", "Responsibility letter"),
                "active": ("active", "状态", "Status")}
ORG_WORDS = {"kind": {"private_non_enterprise": "民办非企业单位", "social_group": "社会团体", "foundation": "基金会",
                      "community": "社区社会组织"},
             "registration": {"registered": "登记", "filed": "备案"},
             "domain": {"elderly_health": "养老医疗", "governance": "社区治理", "culture_education": "文化教育",
                        "volunteer": "志愿者服务", "charity": "慈善救助", "environment": "环境保护"},
             "party_org": {"branch": "党支部", "joint": "联合党支部", "group": "党小组", "none": "未建立"}}
_YES = {"1", "是", "有", "yes", "y", "true", "√"}
# the status column: shown as 在册 / 已注销; an import reads it but never changes it (that needs a reason)
STATUS_WORDS = {True: "在册", False: "已注销"}
_STATUS_BY_WORD = {"在册": True, "active": True, "已注销": False, "inactive": False}


def org_sheet(engine: Engine, *, actor: Actor, lang: str = "zh") -> pd.DataFrame:
    """The actor's organizations as the import reads them: an export that imports back unchanged."""
    require(actor, "pipeline.write")
    district, street = OrgUnit.__table__.alias("d"), OrgUnit.__table__.alias("s")
    query = (select(SocialOrg, district.c.code.label("district_code"), street.c.code.label("street_code"))
             .join(district, district.c.id == SocialOrg.district_id)
             .outerjoin(street, street.c.id == SocialOrg.street_id)
             .where(org_scope(actor)).order_by(SocialOrg.code))
    rows = []
    with reading(engine) as session:
        for org, district_code, street_code in session.execute(query):
            record = _org_record(org)
            record["unit_code"] = street_code or district_code
            for field, words in ORG_WORDS.items():
                record[field] = words.get(record[field], record[field])
            for field in ("incubated", "commitment_letter", "responsibility_letter"):
                record[field] = "是" if record[field] else "否"
            for field in ("founded_on", "incubated_on", "graduated_on"):
                record[field] = record[field].isoformat() if record[field] else ""
            for field in ("authority", "incubation_base"):
                record[field] = record[field] or ""
            record["active"] = STATUS_WORDS[bool(record["active"])]
            rows.append(record)
    pick = 1 if lang == "zh" else 2
    frame = pd.DataFrame(rows, columns=list(ORG_HEADINGS))
    return frame.rename(columns={field: names[pick] for field, names in ORG_HEADINGS.items()})


def _check_status(word: str | None, known: SocialOrg | None) -> None:
    """A file's status must be what the register says (a new organization: 在册): deactivating or reactivating
    takes a reason, given on the page (set_org_active), never by editing a cell."""
    if word is None:
        return
    wanted = _STATUS_BY_WORD.get(word.lower())
    if wanted is None:
        raise DomainError("rule.choice", field="active")
    if wanted != (known.active if known is not None else True):
        raise DomainError("rule.pipe.org_status_import", field="active", status=word)


def import_orgs(engine: Engine, *, actor: Actor, data: bytes, filename: str) -> dict[str, int]:
    """Add the file's new organizations and update the known ones (by code), in one transaction or not at
    all, every problem by row, column and rule."""
    require(actor, "pipeline.write")
    frame = read_table(data, filename)
    optional = {"founded_on", "party_org", "authority", "incubated", "incubation_base", "incubated_on",
                "graduated_on", "commitment_letter", "responsibility_letter", "active"}
    columns, problems = match_columns(frame, ORG_HEADINGS, optional=optional)
    if problems:
        raise ImportRejected(problems)
    frame = data_rows(frame, columns)
    counts, seen = {"rows": len(frame), "created": 0, "updated": 0}, {}
    problems = RowProblems(columns, "code")
    with transaction(engine) as session:
        for index, record in zip(frame.index, frame.to_dict("records")):
            row = int(index) + FIRST_DATA_ROW
            values = {field: cell(record.get(column)) for field, column in columns.items()}
            for field, words in ORG_WORDS.items():
                if field in values:
                    by_word = {word: code for code, word in words.items()}
                    values[field] = by_word.get(values[field], values[field]) or None
            for field in ("incubated", "commitment_letter", "responsibility_letter"):
                values[field] = values.get(field, "").lower() in _YES
            values = {k: v for k, v in values.items() if v not in ("", None)}
            status = values.pop("active", None)
            code = values.get("code", "").upper()
            if code in seen:
                problems.add(row, "code", "org.rule.duplicate_row", unit_code=code, first_row=seen[code])
                continue
            seen[code] = row
            try:
                known = session.execute(select(SocialOrg).where(SocialOrg.code == code)).scalar_one_or_none()
                if known is not None and not org_visible(actor, known):
                    raise DomainError("pipe.error.org_code_taken", field="code", org_code=code)
                try:
                    _check_status(status, known)
                except DomainError as err:  # reported beside the row's other problems
                    problems.add_error(row, err)
                with session.begin_nested():  # a refused row leaves no trace in the file's transaction
                    if known is None:
                        _add_org(session, actor, validate(SocialOrgCreate, values))
                        counts["created"] += 1
                    else:
                        counts["updated"] += _edit_org(session, actor, known, validate(SocialOrgFields, values))
            except DomainError as err:
                problems.add_error(row, err)
        problems.raise_any()
        audit.record(session, actor=actor, action="org_import", entity="social_org", entity_id=None,
                     after={"file": filename[:100], **counts})
    return counts
