"""Drawing a panel of supervisors for an evaluation, an annual inspection (年检) or an enforcement check (执法检查).

A draw reads the district's pool on the day, decides for every supervisor whether they may be drawn
(rules.exclusion: active, qualified on the day, a specialty the subject needs, not of the contractor's own
agency, not engaged by the contractor within rules.conflict_years(), no declared conflict with it; for an
evaluation also an evaluator account covering the project and not on the panel already), counts the candidates'
engagements of the last rules.WORKLOAD_MONTHS, and draws by rules.draw_panel with a fresh seed. The row keeps
the seed, every candidate with their load, everyone excluded with the reason and the result, so the panel can be
drawn again from the row alone (check); it is audited with who drew and when. A draw for an evaluation puts the
panel on it as assignments naming the draw. A redraw needs a reason, supersedes the draw (kept as it was) and
takes its evaluators off the evaluation, unless one of them has started scoring.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import AppUser, OrgUnit
from db.models.pipeline import Project, SocialOrg
from db.models.scorecards import Assignment, Evaluation
from db.models.supervisors import Supervisor, SupervisorDraw, SupervisorDrawMember, SupervisorSpecialty, SupervisorTie
from db.pipeline.projects import project_scope
from db.scorecards import evaluations as scorecard_evaluations
from db.supervisors import rules
from db.supervisors.pool import covers_district, pool_scope
from db.validation import BlankIsNone, InvalidInput, OneLine, RowId, Stripped, validate

Specialty = Literal[rules.SPECIALTIES]


class DrawInput(BaseModel):
    purpose: Literal[rules.PURPOSES]
    evaluation_id: Optional[RowId] = None
    org_id: Optional[RowId] = None
    year: Optional[int] = Field(default=None, ge=2000, le=2100)
    reference: Annotated[Optional[str], BlankIsNone, OneLine] = Field(default=None, max_length=60)
    size: int = Field(default=rules.DEFAULT_PANEL, ge=1, le=rules.MAX_PANEL)
    specialties: list[Specialty] = Field(default_factory=list)  # empty: rules.wanted_specialties

    @field_validator("specialties")
    @classmethod
    def _in_order(cls, value: list[str]) -> list[str]:
        return [code for code in rules.SPECIALTIES if code in value]

    @model_validator(mode="after")
    def _subject(self) -> "DrawInput":
        needed = {"evaluation": ("evaluation_id",), "inspection": ("org_id", "year"),
                  "enforcement": ("org_id", "reference")}[self.purpose]
        for field in needed:
            if getattr(self, field) is None:
                raise InvalidInput([(field, "rule.required", {})])
        return self


class RedrawInput(BaseModel):
    reason: Annotated[str, OneLine, Stripped] = Field(min_length=rules.MIN_REASON_LENGTH, max_length=500)
    set_aside: list[RowId] = Field(default_factory=list, max_length=rules.MAX_PANEL)


class DrawPublic(BaseModel):
    id: int
    purpose: str
    subject: str
    district_id: int
    evaluation_id: Optional[int]
    org_id: Optional[int]
    org_name: Optional[str]
    project_code: Optional[str]
    project_title: Optional[str]
    year: Optional[int]
    reference: Optional[str]
    size: int
    specialties: list[str]
    drawn_on: date
    seed: int
    conflict_years: int
    candidates: list[tuple[int, int]]  # (supervisor id, engagements in the workload window), in id order
    excluded: list[tuple[int, str]]  # (supervisor id, reason)
    members: list[int]  # in the order drawn
    names: dict[int, str]  # every supervisor the draw names
    status: str
    replaces_id: Optional[int]
    reason: Optional[str]
    drawn_at: datetime
    username: str

    @property
    def reproduces(self) -> bool:
        """Drawing again from the recorded candidates, size and seed gives the recorded panel."""
        return rules.draw_panel(self.candidates, self.size, self.seed) == self.members


# --- the subject: what the panel is for ------------------------------------------------------------

class _Subject:
    """What a draw is for, resolved inside the write: district, contractor, domain, and the evaluation."""

    def __init__(self, session: Session, actor: Actor, payload: DrawInput):
        self.evaluation: Evaluation | None = None
        self.project: Project | None = None
        if payload.purpose == "evaluation":
            self.evaluation, self.project = scorecard_evaluations.evaluation_in_scope(
                session, actor, payload.evaluation_id)
            if self.evaluation.status != "open":
                raise DomainError("sup.error.evaluation_closed", field="evaluation_id")
            self.district_id = self.project.district_id
            self.contractor_id, self.domain = self.project.contractor_org_id, self.project.domain
        else:
            org = session.get(SocialOrg, payload.org_id)
            if org is None or not covers_district(actor, org.district_id):
                raise NotFound("error.not_found", entity="social_org")
            self.district_id, self.contractor_id, self.domain = org.district_id, org.id, org.domain
        if not covers_district(actor, self.district_id):
            raise NotFound("error.not_found", entity="supervisor_draw")
        self.key = rules.subject_key(payload.purpose, evaluation_id=payload.evaluation_id, org_id=payload.org_id,
                                     year=payload.year, reference=payload.reference)


def _accounts_covering(session: Session, project: Project) -> set[int]:
    """Evaluator accounts that may score the project (active, their scope covering it)."""
    covers = or_(OrgUnit.level == "root",
                 and_(OrgUnit.level == "district", OrgUnit.id == project.district_id),
                 and_(OrgUnit.level == "street", OrgUnit.id == project.street_id),
                 and_(OrgUnit.level == "community", OrgUnit.id == project.community_id))
    return set(session.execute(select(AppUser.id).join(OrgUnit, OrgUnit.id == AppUser.scope_id)
                               .where(AppUser.role == "evaluator", AppUser.active == True, covers)  # noqa: E712
                               ).scalars())


def _people(session: Session, subject: _Subject) -> list[rules.Person]:
    """The district's pool as the rule reads it, with each one's ties to the contractor."""
    rows = session.execute(select(Supervisor.id, Supervisor.active, Supervisor.qualified_until,
                                  Supervisor.agency_org_id, Supervisor.user_id)
                           .where(Supervisor.district_id == subject.district_id).order_by(Supervisor.id)).all()
    specialties: dict[int, set[str]] = {}
    for supervisor_id, code in session.execute(
            select(SupervisorSpecialty.supervisor_id, SupervisorSpecialty.code)
            .join(Supervisor, Supervisor.id == SupervisorSpecialty.supervisor_id)
            .where(Supervisor.district_id == subject.district_id)):
        specialties.setdefault(supervisor_id, set()).add(code)
    ties: dict[int, list[rules.Tie]] = {}
    if subject.contractor_id is not None:
        for supervisor_id, kind, ended_on in session.execute(
                select(SupervisorTie.supervisor_id, SupervisorTie.kind, SupervisorTie.ended_on)
                .where(SupervisorTie.org_id == subject.contractor_id)):
            ties.setdefault(supervisor_id, []).append(rules.Tie(subject.contractor_id, kind, ended_on))
    accounts = _accounts_covering(session, subject.project) if subject.project is not None else None
    return [rules.Person(id=r.id, active=r.active, qualified_until=r.qualified_until,
                         specialties=frozenset(specialties.get(r.id, ())), agency_org_id=r.agency_org_id,
                         # an account that may not score this project counts as none
                         user_id=r.user_id if accounts is None or r.user_id in accounts else None,
                         ties=tuple(ties.get(r.id, ())))
            for r in rows]


def _loads(session: Session, district_id: int, day: date) -> dict[int, int]:
    """Engagements (members of current draws) of each supervisor of the pool since rules.workload_since(day)."""
    query = (select(SupervisorDrawMember.supervisor_id, func.count())
             .join(SupervisorDraw, SupervisorDraw.id == SupervisorDrawMember.draw_id)
             .where(SupervisorDraw.district_id == district_id, SupervisorDraw.status == "current",
                    SupervisorDraw.drawn_on > rules.workload_since(day), SupervisorDraw.drawn_on <= day)
             .group_by(SupervisorDrawMember.supervisor_id))
    return dict(session.execute(query).all())


def _draw(session: Session, actor: Actor, payload: DrawInput, subject: _Subject, *, replaces: SupervisorDraw | None,
          reason: str | None, set_aside: frozenset[int], day: date | None = None, seed: int | None = None
          ) -> SupervisorDraw:
    """The draw itself. `day` and `seed` are for the demo's history only (seed_data): a page never chooses a seed."""
    drawn_at = clock.utcnow() if day is None else clock.local_day_start(day) + timedelta(hours=10)
    day = day or clock.today()
    wanted = payload.specialties or list(rules.wanted_specialties(payload.purpose, subject.domain))
    on_panel = frozenset()
    if subject.evaluation is not None:
        on_panel = frozenset(session.execute(select(Assignment.evaluator_id)
                                             .where(Assignment.evaluation_id == subject.evaluation.id)).scalars())
    rule_subject = rules.Subject(day=day, contractor_id=subject.contractor_id, specialties=frozenset(wanted),
                                 conflict_years=rules.conflict_years(), needs_account=subject.evaluation is not None,
                                 on_panel=on_panel, set_aside=set_aside)
    loads = _loads(session, subject.district_id, day)
    candidates, excluded = [], []
    for person in _people(session, subject):
        why = rules.exclusion(person, rule_subject)
        if why is None:
            candidates.append((person.id, int(loads.get(person.id, 0))))
        else:
            excluded.append((person.id, why))
    if len(candidates) < payload.size:
        raise DomainError("sup.error.too_few", field="size", found=len(candidates), size=payload.size)
    seed = seed or rules.new_seed()
    members = rules.draw_panel(candidates, payload.size, seed)
    row = SupervisorDraw(purpose=payload.purpose, subject=subject.key, district_id=subject.district_id,
                         evaluation_id=payload.evaluation_id,
                         org_id=subject.contractor_id if payload.purpose != "evaluation" else None,
                         year=payload.year, reference=payload.reference, size=payload.size,
                         specialties=",".join(wanted), drawn_on=day, seed=seed,
                         conflict_years=rule_subject.conflict_years,
                         candidates=json.dumps(candidates), excluded=json.dumps(excluded), status="current",
                         replaces_id=replaces.id if replaces else None, reason=reason, drawn_at=drawn_at,
                         user_id=actor.user_id, username=actor.username)
    session.add(row)
    session.flush()
    session.add_all([SupervisorDrawMember(draw_id=row.id, supervisor_id=supervisor_id, position=position)
                     for position, supervisor_id in enumerate(members, start=1)])
    session.flush()
    if subject.evaluation is not None:
        users = dict(session.execute(select(Supervisor.id, Supervisor.user_id).where(Supervisor.id.in_(members))).all())
        scorecard_evaluations.add_assignments(session, subject.evaluation.id, subject.project,
                                              [users[i] for i in members], draw_id=row.id)
    audit.record(session, actor=actor, action="supervisor_redraw" if replaces else "supervisor_draw",
                 entity="supervisor_draw", entity_id=row.id,
                 before={"draw": replaces.id, "members": _members(session, replaces.id)} if replaces else None,
                 after={"purpose": row.purpose, "subject": row.subject, "drawn_on": day, "size": row.size,
                        "specialties": wanted, "seed": seed, "conflict_years": row.conflict_years,
                        "candidates": candidates, "excluded": excluded, "members": members, "reason": reason})
    return row


def _members(session: Session, draw_id: int) -> list[int]:
    return list(session.execute(select(SupervisorDrawMember.supervisor_id)
                                .where(SupervisorDrawMember.draw_id == draw_id)
                                .order_by(SupervisorDrawMember.position)).scalars())


def _unique_current(write):
    """Two draws for one subject at once: the partial unique index lets one through, the other is told."""
    try:
        return write()
    except IntegrityError:
        raise DomainError("sup.error.draw_exists") from None


def draw(engine: Engine, *, actor: Actor, data: dict) -> DrawPublic:
    """Draw a panel for a subject that has no current draw (a redraw replaces one: redraw)."""
    require(actor, "supervisors.manage")
    payload = validate(DrawInput, data)

    def write() -> int:
        with transaction(engine) as session:
            subject = _Subject(session, actor, payload)
            current = session.execute(select(SupervisorDraw.id).where(SupervisorDraw.subject == subject.key,
                                                                      SupervisorDraw.status == "current")).scalar()
            if current is not None:
                raise DomainError("sup.error.draw_exists", draw=current)
            return _draw(session, actor, payload, subject, replaces=None, reason=None, set_aside=frozenset()).id

    return get_draw(engine, actor=actor, draw_id=_unique_current(write))


def redraw(engine: Engine, *, actor: Actor, draw_id: int, reason: str,
           set_aside: list[int] | None = None) -> DrawPublic:
    """Draw the subject's panel again, saying why (and whom to leave out); the earlier draw is kept, superseded."""
    require(actor, "supervisors.manage")
    payload = validate(RedrawInput, {"reason": reason, "set_aside": set_aside or []})

    def write() -> int:
        with transaction(engine) as session:
            earlier = session.execute(select(SupervisorDraw).where(SupervisorDraw.id == draw_id)
                                      .with_for_update()).scalar_one_or_none()
            if earlier is None or not covers_district(actor, earlier.district_id):
                raise NotFound("error.not_found", entity="supervisor_draw")
            if earlier.status != "current":
                raise DomainError("sup.error.superseded", draw=earlier.id)
            data = DrawInput(purpose=earlier.purpose, evaluation_id=earlier.evaluation_id, org_id=earlier.org_id,
                             year=earlier.year, reference=earlier.reference, size=earlier.size,
                             specialties=earlier.specialties.split(","))
            subject = _Subject(session, actor, data)
            if subject.evaluation is not None:
                scorecard_evaluations.remove_drawn(session, subject.evaluation.id, earlier.id)
            earlier.status = "superseded"
            session.flush()  # frees the subject's one current draw for the new one
            return _draw(session, actor, data, subject, replaces=earlier, reason=payload.reason,
                         set_aside=frozenset(payload.set_aside)).id

    return get_draw(engine, actor=actor, draw_id=_unique_current(write))


# --- reads ------------------------------------------------------------------------------------------

def get_draw(engine: Engine, *, actor: Actor, draw_id: int) -> DrawPublic:
    require(actor, "supervisors.read")
    with reading(engine) as session:
        row = session.execute(select(SupervisorDraw, SocialOrg.name, Project.code, Project.title)
                              .outerjoin(Evaluation, Evaluation.id == SupervisorDraw.evaluation_id)
                              .outerjoin(Project, Project.id == Evaluation.project_id)
                              .outerjoin(SocialOrg, SocialOrg.id == func.coalesce(SupervisorDraw.org_id,
                                                                                   Project.contractor_org_id))
                              .where(SupervisorDraw.id == draw_id)).first()
        if row is None or not covers_district(actor, row[0].district_id):
            raise NotFound("error.not_found", entity="supervisor_draw")
        found, org_name, project_code, project_title = row
        candidates = [tuple(pair) for pair in json.loads(found.candidates)]
        excluded = [tuple(pair) for pair in json.loads(found.excluded)]
        members = _members(session, found.id)
        ids = {i for i, _ in candidates} | {i for i, _ in excluded} | set(members)
        names = dict(session.execute(select(Supervisor.id, Supervisor.name).where(Supervisor.id.in_(ids))).all())
    return DrawPublic(**found.model_dump(exclude={"candidates", "excluded", "specialties", "user_id"}),
                      specialties=found.specialties.split(","), candidates=candidates, excluded=excluded,
                      members=members, names=names, org_name=org_name, project_code=project_code,
                      project_title=project_title)


DRAW_COLUMNS = ["id", "purpose", "subject", "evaluation_id", "project_code", "project_title", "org_name", "year",
                "reference", "size", "drawn_on", "status", "replaces_id", "reason", "drawn_at", "username", "members"]


def list_draws(engine: Engine, *, actor: Actor, evaluation_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """Draws in scope, newest first, with their members' names (comma-separated, in the order drawn)."""
    require(actor, "supervisors.read")
    query = (select(SupervisorDraw.id, SupervisorDraw.purpose, SupervisorDraw.subject, SupervisorDraw.evaluation_id,
                    Project.code.label("project_code"), Project.title.label("project_title"),
                    SocialOrg.name.label("org_name"), SupervisorDraw.year, SupervisorDraw.reference,
                    SupervisorDraw.size, SupervisorDraw.drawn_on, SupervisorDraw.status, SupervisorDraw.replaces_id,
                    SupervisorDraw.reason, SupervisorDraw.drawn_at, SupervisorDraw.username)
             .outerjoin(Evaluation, Evaluation.id == SupervisorDraw.evaluation_id)
             .outerjoin(Project, Project.id == Evaluation.project_id)
             .outerjoin(SocialOrg, SocialOrg.id == func.coalesce(SupervisorDraw.org_id, Project.contractor_org_id))
             .where(pool_scope(actor, SupervisorDraw))
             .order_by(SupervisorDraw.drawn_at.desc(), SupervisorDraw.id.desc()).limit(limit))
    if evaluation_id is not None:
        query = query.where(SupervisorDraw.evaluation_id == evaluation_id)
    with reading(engine) as session:
        rows = session.execute(query).mappings().all()
        names: dict[int, list[str]] = {}
        for draw_id, name in session.execute(
                select(SupervisorDrawMember.draw_id, Supervisor.name)
                .join(Supervisor, Supervisor.id == SupervisorDrawMember.supervisor_id)
                .where(SupervisorDrawMember.draw_id.in_([r["id"] for r in rows]))
                .order_by(SupervisorDrawMember.draw_id, SupervisorDrawMember.position)):
            names.setdefault(draw_id, []).append(name)
    return pd.DataFrame([{**r, "members": "、".join(names.get(r["id"], []))} for r in rows], columns=DRAW_COLUMNS)


SUBJECT_COLUMNS = ["id", "project_code", "project_title", "round", "due_on", "district_id", "domain", "drawn"]


def open_evaluations(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """Open evaluations in scope a panel can be drawn for, and whether one is drawn (the current draw's id)."""
    require(actor, "supervisors.manage")
    current = (select(SupervisorDraw.evaluation_id, SupervisorDraw.id)
               .where(SupervisorDraw.status == "current", SupervisorDraw.evaluation_id.is_not(None)).subquery())
    query = (select(Evaluation.id, Project.code.label("project_code"), Project.title.label("project_title"),
                    Evaluation.round, Evaluation.due_on, Project.district_id, Project.domain,
                    current.c.id.label("drawn"))
             .join(Project, Project.id == Evaluation.project_id)
             .outerjoin(current, current.c.evaluation_id == Evaluation.id)
             .where(project_scope(actor), Evaluation.status == "open")
             .order_by(Evaluation.due_on, Evaluation.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=SUBJECT_COLUMNS)
