"""Scorecard templates: indicators in four groups summing to 100 points; a template that any score uses
is locked, and a change to it is saved as the next version."""

from __future__ import annotations

from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import case, delete, exists, func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import audit, clock
from db.access import Actor, require
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models.scorecards import Assignment, Evaluation, Score, ScoreTemplate, TemplateIndicator
from db.scorecards import rules
from db.validation import InvalidInput, NoneIsBlank, Stripped, validate


class IndicatorCreate(BaseModel):
    code: Annotated[str, Stripped] = Field(min_length=1, max_length=8, pattern=r"^[A-Za-z0-9._-]+$")
    group: Literal["decision", "process", "output", "outcome"]
    name: Annotated[str, Stripped] = Field(min_length=1, max_length=60)
    name_en: Annotated[str, Stripped] = Field(min_length=1, max_length=100)
    max_points: int = Field(gt=0, le=rules.TEMPLATE_TOTAL)
    guidance: Annotated[str, NoneIsBlank] = Field(default="", max_length=1000)
    guidance_en: Annotated[str, NoneIsBlank] = Field(default="", max_length=1000)


class TemplateCreate(BaseModel):
    code: Annotated[str, Stripped] = Field(min_length=2, max_length=32, pattern=r"^[a-z][a-z0-9_-]+$")
    round: Literal["pre", "mid", "post"]
    name: Annotated[str, Stripped] = Field(min_length=1, max_length=80)
    name_en: Annotated[str, Stripped] = Field(min_length=1, max_length=120)


class IndicatorPublic(BaseModel):
    id: int
    code: str
    group: str
    name: str
    name_en: str
    max_points: int
    guidance: str
    guidance_en: str


class TemplatePublic(BaseModel):
    id: int
    code: str
    round: str
    name: str
    name_en: str
    version: int
    locked: bool
    latest: bool
    indicators: list[IndicatorPublic]

    @property
    def total(self) -> int:
        return sum(i.max_points for i in self.indicators)


def _validated(data: dict) -> tuple[TemplateCreate, list[IndicatorCreate]]:
    """The head and indicators of `data`; an indicator's problem names the indicator, and the points
    must add up to exactly TEMPLATE_TOTAL."""
    head = validate(TemplateCreate, {k: data.get(k) for k in ("code", "round", "name", "name_en")})
    raw = data.get("indicators") or []
    if not raw:
        raise DomainError("eval.error.no_indicators", field="indicators")
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise DomainError("rule.invalid", field="indicators")
    indicators, problems = [], []
    for position, item in enumerate(raw, start=1):
        label = str(item.get("code") or f"#{position}") + (f" {item.get('name')}" if item.get("name") else "")
        try:
            indicators.append(validate(IndicatorCreate, item))
        except InvalidInput as err:
            problems += [(field, code, {**params, "indicator": label}) for field, code, params in err.problems]
    if problems:
        raise InvalidInput(problems)
    seen = set()
    for indicator in indicators:
        if indicator.code in seen:
            raise DomainError("eval.error.duplicate_indicator", field="code", indicator=indicator.code)
        seen.add(indicator.code)
    total = sum(i.max_points for i in indicators)
    if total != rules.TEMPLATE_TOTAL:
        raise DomainError("eval.error.sum_not_100", field="max_points", total=total, required=rules.TEMPLATE_TOTAL)
    return head, indicators


def _insert_indicators(session: Session, template_id: int, indicators: list[IndicatorCreate]) -> None:
    order = {group: index for index, group in enumerate(rules.GROUPS)}
    ranked = sorted(enumerate(indicators), key=lambda pair: (order[pair[1].group], pair[0]))
    session.execute(insert(TemplateIndicator), [
        {"template_id": template_id, "sort_order": sort, **indicator.model_dump()}
        for sort, (_, indicator) in enumerate(ranked, start=1)
    ])


def _used(session: Session, template_id: int) -> bool:
    used = exists().where(Score.assignment_id == Assignment.id, Assignment.evaluation_id == Evaluation.id,
                          Evaluation.template_id == template_id)
    return bool(session.execute(select(used)).scalar())


def _summary(template: ScoreTemplate, indicators: list[IndicatorCreate]) -> dict:
    return {"code": template.code, "version": template.version, "round": template.round, "name": template.name,
            "points": {i.code: i.max_points for i in indicators}}


def create_template(engine: Engine, *, actor: Actor, data: dict) -> TemplatePublic:
    require(actor, "scorecards.manage")
    head, indicators = _validated(data)
    with transaction(engine) as session:
        if session.execute(select(ScoreTemplate.id).where(ScoreTemplate.code == head.code)).first():
            raise DomainError("eval.error.template_code_taken", field="code", template_code=head.code)
        template = ScoreTemplate(**head.model_dump(), version=1, locked=False, created_at=clock.utcnow(),
                                 created_by=actor.username)
        session.add(template)
        session.flush()
        _insert_indicators(session, template.id, indicators)
        audit.record(session, actor=actor, action="template_create", entity="score_template", entity_id=template.id,
                     after=_summary(template, indicators))
        template_id = template.id
    return get_template(engine, actor=actor, template_id=template_id)


def update_template(engine: Engine, *, actor: Actor, template_id: int, data: dict) -> TemplatePublic:
    """Edit a template in place; refused once any score uses it (use revise_template for a new version)."""
    require(actor, "scorecards.manage")
    head, indicators = _validated(data)
    with transaction(engine) as session:
        template = session.get(ScoreTemplate, template_id)
        if template is None:
            raise NotFound("error.not_found", entity="score_template")
        if template.locked or _used(session, template_id):
            raise DomainError("eval.error.template_locked", name=template.name, version=template.version)
        if head.code != template.code or head.round != template.round:
            raise DomainError("eval.error.template_identity", field="code", template_code=template.code)
        before = {"name": template.name, "indicators": _indicator_points(session, template_id)}
        template.name, template.name_en = head.name, head.name_en
        session.execute(delete(TemplateIndicator).where(TemplateIndicator.template_id == template_id))
        _insert_indicators(session, template_id, indicators)
        audit.record(session, actor=actor, action="template_update", entity="score_template", entity_id=template_id,
                     before=before, after=_summary(template, indicators))
    return get_template(engine, actor=actor, template_id=template_id)


def new_version(engine: Engine, *, actor: Actor, template_id: int, data: dict) -> TemplatePublic:
    """Save `data` as the next version of the template's family; earlier versions stay as they were."""
    require(actor, "scorecards.manage")
    head, indicators = _validated(data)
    with transaction(engine) as session:
        base = session.get(ScoreTemplate, template_id)
        if base is None:
            raise NotFound("error.not_found", entity="score_template")
        if head.code != base.code or head.round != base.round:
            raise DomainError("eval.error.template_identity", field="code", template_code=base.code)
        version = session.execute(select(func.max(ScoreTemplate.version))
                                  .where(ScoreTemplate.code == base.code)).scalar_one() + 1
        template = ScoreTemplate(code=base.code, round=base.round, name=head.name, name_en=head.name_en,
                                 version=version, locked=False, created_at=clock.utcnow(), created_by=actor.username)
        session.add(template)
        session.flush()
        _insert_indicators(session, template.id, indicators)
        audit.record(session, actor=actor, action="template_version", entity="score_template", entity_id=template.id,
                     before={"from_id": base.id, "version": base.version}, after=_summary(template, indicators))
        new_id = template.id
    return get_template(engine, actor=actor, template_id=new_id)


def revise_template(engine: Engine, *, actor: Actor, template_id: int, data: dict) -> TemplatePublic:
    """What the editor's save does: in place while unused, otherwise as a new version."""
    with reading(engine) as session:
        template = session.get(ScoreTemplate, template_id)
        locked = template is not None and (template.locked or _used(session, template_id))
    if locked:
        return new_version(engine, actor=actor, template_id=template_id, data=data)
    return update_template(engine, actor=actor, template_id=template_id, data=data)


def lock(session: Session, template_id: int) -> None:
    """Called inside the transaction that writes the first score against the template."""
    template = session.get(ScoreTemplate, template_id)
    if template is not None and not template.locked:
        template.locked = True


def _indicator_points(session: Session, template_id: int) -> dict[str, int]:
    return dict(session.execute(select(TemplateIndicator.code, TemplateIndicator.max_points)
                                .where(TemplateIndicator.template_id == template_id)).all())


def get_template(engine: Engine, *, actor: Actor, template_id: int) -> TemplatePublic:
    require(actor, "scorecards.templates")
    with reading(engine) as session:
        template = session.get(ScoreTemplate, template_id)
        if template is None:
            raise NotFound("error.not_found", entity="score_template")
        latest = session.execute(select(func.max(ScoreTemplate.version))
                                 .where(ScoreTemplate.code == template.code)).scalar_one()
        rows = session.execute(select(TemplateIndicator).where(TemplateIndicator.template_id == template_id)
                               .order_by(TemplateIndicator.sort_order, TemplateIndicator.id)).scalars().all()
        return TemplatePublic(
            id=template.id, code=template.code, round=template.round, name=template.name, name_en=template.name_en,
            version=template.version, locked=template.locked, latest=template.version == latest,
            indicators=[IndicatorPublic.model_validate(row, from_attributes=True) for row in rows])


LIST_COLUMNS = ["id", "code", "round", "name", "name_en", "version", "locked", "latest", "indicators", "points",
                "evaluations", "created_at", "created_by"]


def list_templates(engine: Engine, *, actor: Actor, latest_only: bool = False) -> pd.DataFrame:
    """Every template version with its indicator count, points and how many evaluations use it."""
    require(actor, "scorecards.results")
    points = (select(TemplateIndicator.template_id, func.count().label("indicators"),
                     func.sum(TemplateIndicator.max_points).label("points"))
              .group_by(TemplateIndicator.template_id).subquery())
    used = (select(Evaluation.template_id, func.count().label("evaluations"))
            .group_by(Evaluation.template_id).subquery())
    latest = (select(ScoreTemplate.code, func.max(ScoreTemplate.version).label("latest_version"))
              .group_by(ScoreTemplate.code).subquery())
    query = (
        select(ScoreTemplate.id, ScoreTemplate.code, ScoreTemplate.round, ScoreTemplate.name, ScoreTemplate.name_en,
               ScoreTemplate.version, ScoreTemplate.locked,
               (ScoreTemplate.version == latest.c.latest_version).label("latest"),
               func.coalesce(points.c.indicators, 0).label("indicators"),
               func.coalesce(points.c.points, 0).label("points"),
               func.coalesce(used.c.evaluations, 0).label("evaluations"),
               ScoreTemplate.created_at, ScoreTemplate.created_by)
        .join(latest, latest.c.code == ScoreTemplate.code)
        .outerjoin(points, points.c.template_id == ScoreTemplate.id)
        .outerjoin(used, used.c.template_id == ScoreTemplate.id)
        .order_by(case(*[(ScoreTemplate.round == r, i) for i, r in enumerate(rules.ROUNDS)], else_=9),
                  ScoreTemplate.code, ScoreTemplate.version.desc())
    )
    if latest_only:
        query = query.where(ScoreTemplate.version == latest.c.latest_version)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=LIST_COLUMNS)
    frame["latest"] = frame["latest"].astype(bool)
    frame["locked"] = frame["locked"].astype(bool)
    return frame
