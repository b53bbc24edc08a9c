"""Social organizations (the 社会组织 list): lists and counts within the actor's scope, ratings and eligibility,
and the registry admins keep (add, edit, import, export)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import String, and_, case, cast, false, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import audit, clock
from db.access import Actor, require, require_unit_in_scope, unit_in_scope
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.pipeline import OrgRating, Project, SocialOrg
from db.pipeline import rules
from db.spreadsheets import FIRST_DATA_ROW, ImportRejected, RowProblems, cell, data_rows, match_columns, read_table
from db.validation import BlankIsNone, Day, InvalidInput, OneLine, Stripped, rule, validate

# rating status -> may the organization be contracted (at or above the threshold and still valid)
STATUSES = ("ok", "low", "expired", "missing")


def rating_status(today: date, org=SocialOrg):
    """SQL: the rating status of an organization row — ok, low, expired or missing. The one definition
    the tender rule, the organizations page and the compliance checks all use."""
    return case(
        (org.grade.is_(None), "missing"),
        (org.grade_valid_until < today, "expired"),
        (org.grade < rules.MIN_GRADE, "low"),
        else_="ok",
    )


def grade_bucket(today: date, org=SocialOrg):
    """SQL: the grade as counted on the organizations page: 5A..1A, expired, or unrated."""
    return case(
        (org.grade.is_(None), "unrated"),
        (org.grade_valid_until < today, "expired"),
        else_=cast(org.grade, String) + "A",
    )


def org_scope(actor: Actor):
    """SQL condition: the organization is registered or filed within the actor's scope."""
    level = actor.scope_level
    if level == "root":
        return true()
    if level == "district":
        return SocialOrg.district_id == actor.scope_id
    if level == "street":
        return SocialOrg.street_id == actor.scope_id
    return false()  # community and grid staff do not manage organizations


@dataclass(frozen=True)
class SocialOrgFilter:
    district_id: Optional[int] = None
    street_id: Optional[int] = None
    kind: Optional[str] = None
    registration: Optional[str] = None
    domain: Optional[str] = None
    grade: Optional[str] = None  # "5".."1", "unrated", "expired" or "eligible"
    search: Optional[str] = None


def _conditions(actor: Actor, filters: SocialOrgFilter, today: date) -> list:
    require(actor, "pipeline.read")
    conds = [org_scope(actor)]
    if filters.district_id:
        conds.append(SocialOrg.district_id == filters.district_id)
    if filters.street_id:
        conds.append(SocialOrg.street_id == filters.street_id)
    for column in ("kind", "registration", "domain"):
        value = getattr(filters, column)
        if value:
            conds.append(getattr(SocialOrg, column) == value)
    if filters.grade == "eligible":
        conds.append(rating_status(today) == "ok")
    elif filters.grade in ("unrated", "expired"):
        conds.append(grade_bucket(today) == filters.grade)
    elif filters.grade and filters.grade.isdigit():
        conds.append(and_(SocialOrg.grade == int(filters.grade), SocialOrg.grade_valid_until >= today))
    if filters.search and filters.search.strip():
        text = filters.search.strip()
        conds.append(or_(SocialOrg.name.contains(text, autoescape=True),
                         SocialOrg.code.icontains(text, autoescape=True)))
    return conds


LIST_COLUMNS = ["id", "code", "name", "kind", "registration", "domain", "district_name", "street_name", "founded_on",
                "grade", "rated_on", "grade_valid_until", "rating_status", "commitment_letter",
                "responsibility_letter", "party_org", "incubated", "projects"]


def list_orgs(engine: Engine, *, actor: Actor, filters: SocialOrgFilter = SocialOrgFilter(), today: date | None = None
              ) -> pd.DataFrame:
    today = today or clock.today()
    district, street = aliased(OrgUnit), aliased(OrgUnit)
    projects = (select(Project.contractor_org_id.label("org_id"), func.count().label("projects"))
                .where(Project.contractor_org_id.is_not(None)).group_by(Project.contractor_org_id).subquery())
    query = (
        select(SocialOrg.id, SocialOrg.code, SocialOrg.name, SocialOrg.kind, SocialOrg.registration,
               SocialOrg.domain, district.name.label("district_name"), street.name.label("street_name"),
               SocialOrg.founded_on, SocialOrg.grade, SocialOrg.rated_on, SocialOrg.grade_valid_until,
               rating_status(today).label("rating_status"), SocialOrg.commitment_letter,
               SocialOrg.responsibility_letter, SocialOrg.party_org, SocialOrg.incubated,
               func.coalesce(projects.c.projects, 0).label("projects"))
        .join(district, district.id == SocialOrg.district_id)
        .outerjoin(street, street.id == SocialOrg.street_id)
        .outerjoin(projects, projects.c.org_id == SocialOrg.id)
        .where(*_conditions(actor, filters, today))
        .order_by(SocialOrg.registration, SocialOrg.kind, SocialOrg.name)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=LIST_COLUMNS)


class OrgCounts(BaseModel):
    total: int
    registered: int
    filed: int
    eligible: int
    commitment: int
    responsibility: int
    both_letters: int
    party_branch: int
    party_group: int
    incubated: int


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def org_counts(engine: Engine, *, actor: Actor, filters: SocialOrgFilter = SocialOrgFilter(), today: date | None = None
               ) -> OrgCounts:
    """Headline counts and the letters' coverage, in one aggregate query."""
    today = today or clock.today()
    query = select(
        func.count().label("total"),
        _count_if(SocialOrg.registration == "registered").label("registered"),
        _count_if(SocialOrg.registration == "filed").label("filed"),
        _count_if(rating_status(today) == "ok").label("eligible"),
        _count_if(SocialOrg.commitment_letter).label("commitment"),
        _count_if(SocialOrg.responsibility_letter).label("responsibility"),
        _count_if(and_(SocialOrg.commitment_letter, SocialOrg.responsibility_letter)).label("both_letters"),
        _count_if(SocialOrg.party_org == "branch").label("party_branch"),
        _count_if(SocialOrg.party_org == "group").label("party_group"),
        _count_if(SocialOrg.incubated).label("incubated"),
    ).where(*_conditions(actor, filters, today))
    with engine.connect() as conn:
        return OrgCounts(**conn.execute(query).mappings().one())


def counts_by(engine: Engine, *, actor: Actor, by: str, filters: SocialOrgFilter = SocialOrgFilter(),
              today: date | None = None) -> pd.DataFrame:
    """Organizations per kind, registration track, grade bucket or street: columns key, orgs."""
    today = today or clock.today()
    if by == "grade":
        key = grade_bucket(today)
    elif by in ("kind", "registration", "domain"):
        key = getattr(SocialOrg, by)
    else:
        raise ValueError(by)
    query = (select(key.label("key"), func.count().label("orgs"))
             .where(*_conditions(actor, filters, today)).group_by(key).order_by(key))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["key", "orgs"])


class SocialOrgPublic(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    registration: str
    domain: str
    district_id: int
    street_id: Optional[int]
    grade: Optional[int]
    rated_on: Optional[date]
    grade_valid_until: Optional[date]
    rating_status: str


def get_org(engine: Engine, *, actor: Actor, org_id: int, today: date | None = None) -> SocialOrgPublic:
    today = today or clock.today()
    require(actor, "pipeline.read")
    query = select(SocialOrg, rating_status(today)).where(SocialOrg.id == org_id)
    with reading(engine) as session:
        row = session.execute(query).first()
        if row is None or not _org_visible(actor, row[0]):
            raise NotFound("error.not_found", entity="social_org")
        return _public(row[0], row[1])


def _org_visible(actor: Actor, org: SocialOrg) -> bool:
    return {"root": True, "district": org.district_id == actor.scope_id,
            "street": org.street_id == actor.scope_id}.get(actor.scope_level, False)


def _public(org: SocialOrg, status: str) -> SocialOrgPublic:
    return SocialOrgPublic.model_validate({**org.model_dump(), "rating_status": status})


def rating_history(engine: Engine, *, actor: Actor, org_id: int) -> pd.DataFrame:
    get_org(engine, actor=actor, org_id=org_id)  # role and scope
    query = (select(OrgRating.grade, OrgRating.score, OrgRating.rated_on, OrgRating.valid_until,
                    OrgRating.recorded_by, OrgRating.note)
             .where(OrgRating.org_id == org_id).order_by(OrgRating.rated_on.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["grade", "score", "rated_on", "valid_until", "recorded_by", "note"])


def contractor_choices(engine: Engine, *, actor: Actor, today: date | None = None) -> pd.DataFrame:
    """Registered organizations an admin may pick as contractor (any district: Lüyuan lets outside
    organizations compete), with their rating status so the form can warn before the tender rule does."""
    require(actor, "pipeline.read")
    today = today or clock.today()
    query = (select(SocialOrg.id, SocialOrg.name, SocialOrg.grade, SocialOrg.grade_valid_until,
                    rating_status(today).label("rating_status"))
             .where(SocialOrg.registration == "registered").order_by(SocialOrg.name))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["id", "name", "grade", "grade_valid_until", "rating_status"])


class RatingCreate(BaseModel):
    grade: int = Field(ge=1, le=5)
    score: Optional[int] = Field(default=None, ge=0, le=1000)
    rated_on: Day
    note: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=200)

    @field_validator("rated_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > clock.today():
            raise rule("rule.pipe.not_future")
        return value


def record_rating(engine: Engine, *, actor: Actor, org_id: int, data: dict | RatingCreate) -> SocialOrgPublic:
    """Admin records an assessment result; it becomes the current rating unless a newer one exists."""
    require(actor, "pipeline.write")
    payload = validate(RatingCreate, data if isinstance(data, dict) else data.model_dump())
    valid_until = rules.rating_valid_until(payload.rated_on)
    with transaction(engine) as session:
        org = session.execute(select(SocialOrg).where(SocialOrg.id == org_id).with_for_update()).scalar_one_or_none()
        if org is None:
            raise NotFound("error.not_found", entity="social_org")
        require_unit_in_scope(session, actor, org.street_id or org.district_id)
        duplicate = session.execute(select(OrgRating.id).where(
            OrgRating.org_id == org_id, OrgRating.rated_on == payload.rated_on)).first()
        if duplicate:
            raise DomainError("pipe.error.rating_exists", field="rated_on", day=payload.rated_on.isoformat())
        before = {"grade": org.grade, "rated_on": org.rated_on, "valid_until": org.grade_valid_until}
        rating = OrgRating(org_id=org_id, grade=payload.grade, score=payload.score, rated_on=payload.rated_on,
                           valid_until=valid_until, recorded_by=actor.username, note=payload.note)
        session.add(rating)
        if org.rated_on is None or payload.rated_on >= org.rated_on:
            org.grade, org.rated_on, org.grade_valid_until = payload.grade, payload.rated_on, valid_until
        session.flush()
        audit.record(session, actor=actor, action="org_rating_create", entity="social_org", entity_id=org.id,
                     before=before, after={**payload.model_dump(), "valid_until": valid_until})
        status = session.execute(select(rating_status(clock.today())).where(SocialOrg.id == org_id)).scalar_one()
        return _public(org, status)


# --- the registry: admins add, edit, import and export organizations --------------------------------

class SocialOrgFields(BaseModel):
    """An organization as an admin enters it (ratings are recorded apart, as history: record_rating)."""

    name: Annotated[str, OneLine, Stripped] = Field(min_length=2, max_length=120)
    kind: Literal[rules.ORG_KINDS]
    registration: Literal[rules.REGISTRATIONS]
    domain: Literal[rules.DOMAINS]
    founded_on: Optional[Day] = None
    party_org: Literal[rules.PARTY_ORGS] = "none"
    incubated: bool = False
    commitment_letter: bool = False
    responsibility_letter: bool = False


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
                                          "founded_on", "party_org", "incubated", "commitment_letter",
                                          "responsibility_letter")}


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
        return _public(org, status)


def update_org(engine: Engine, *, actor: Actor, org_id: int, data: dict) -> SocialOrgPublic:
    """Name, kind, track, domain, founding, party organization, incubation and letters; the code and the
    place stay (a move is a new registration)."""
    require(actor, "pipeline.write")
    fields = validate(SocialOrgFields, data)
    with transaction(engine) as session:
        org = session.get(SocialOrg, org_id)
        if org is None or not _org_visible(actor, org):
            raise NotFound("error.not_found", entity="social_org")
        _edit_org(session, actor, org, fields)
        status = session.execute(select(rating_status(clock.today())).where(SocialOrg.id == org.id)).scalar_one()
        return _public(org, status)


ORG_HEADINGS = {"code": ("code", "统一社会信用代码/备案号", "Credit code / filing no."),
                "name": ("name", "组织名称", "Name"), "kind": ("kind", "组织类型", "Kind"),
                "registration": ("registration", "登记/备案", "Registered / filed"),
                "domain": ("domain", "服务领域", "Domain"), "unit_code": ("unit_code", "所属区/街道代码", "District / street code"),
                "founded_on": ("founded_on", "成立日期", "Founded"), "party_org": ("party_org", "党组织", "Party organization"),
                "incubated": ("incubated", "孵化出壳", "Incubated"),
                "commitment_letter": ("commitment_letter", "承诺书", "Commitment letter"),
                "responsibility_letter": ("responsibility_letter", "责任书", "Responsibility letter")}
ORG_WORDS = {"kind": {"private_non_enterprise": "民办非企业单位", "social_group": "社会团体", "foundation": "基金会",
                      "community": "社区社会组织"},
             "registration": {"registered": "登记", "filed": "备案"},
             "domain": {"elderly_health": "养老医疗", "governance": "社区治理", "culture_education": "文化教育",
                        "volunteer": "志愿者服务", "charity": "慈善救助", "environment": "环境保护"},
             "party_org": {"branch": "党支部", "group": "党小组", "none": "未建立"}}
_YES = {"1", "是", "有", "yes", "y", "true", "√"}


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
            record["founded_on"] = record["founded_on"].isoformat() if record["founded_on"] else ""
            rows.append(record)
    pick = 1 if lang == "zh" else 2
    frame = pd.DataFrame(rows, columns=list(ORG_HEADINGS))
    return frame.rename(columns={field: names[pick] for field, names in ORG_HEADINGS.items()})


def import_orgs(engine: Engine, *, actor: Actor, data: bytes, filename: str) -> dict[str, int]:
    """Add the file's new organizations and update the known ones (by code), in one transaction or not at
    all, every problem by row, column and rule."""
    require(actor, "pipeline.write")
    frame = read_table(data, filename)
    optional = {"founded_on", "party_org", "incubated", "commitment_letter", "responsibility_letter"}
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
            code = values.get("code", "").upper()
            if code in seen:
                problems.add(row, "code", "org.rule.duplicate_row", unit_code=code, first_row=seen[code])
                continue
            seen[code] = row
            try:
                known = session.execute(select(SocialOrg).where(SocialOrg.code == code)).scalar_one_or_none()
                with session.begin_nested():  # a refused row leaves no trace in the file's transaction
                    if known is None:
                        _add_org(session, actor, validate(SocialOrgCreate, values))
                        counts["created"] += 1
                    elif not _org_visible(actor, known):
                        raise DomainError("pipe.error.org_code_taken", field="code", org_code=code)
                    else:
                        counts["updated"] += _edit_org(session, actor, known, validate(SocialOrgFields, values))
            except DomainError as err:
                problems.add_error(row, err)
        problems.raise_any()
        audit.record(session, actor=actor, action="org_import", entity="social_org", entity_id=None,
                     after={"file": filename[:100], **counts})
    return counts
