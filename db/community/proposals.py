"""Residents' proposals: the one public write (a verified resident submits, within the day's limit, and gets a
tracking code), the query every list of proposals is built on (with the council's latest decision and the
project that carries it out), and the staff's reads within their scope. Triage, councils and adoption write
the rest (db/community/triage.py, councils.py, adoption.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import audit, clock
from db.access import Actor, require
from db.community import photos as community_photos
from db.community import rules, scope, verification
from db.engine import reading, transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.community import CommunityProject, CouncilItem, CouncilMeeting, Proposal, ProposalQuota
from db.models.pipeline import Project
from db.validation import OneLine, OptionalMoney, RowId, Stripped, rule, validate
from db.voting.codes import dialect_insert

PUBLIC_USERNAME = "public"  # who the audit log names for a resident's submission (no account, no number)


class ProposalCreate(BaseModel):
    """What a resident types; the text is kept as typed (line breaks included) and only ever shown as text."""

    community_id: RowId
    theme: Literal[rules.THEMES]  # type: ignore[valid-type]
    title: Annotated[str, OneLine] = Field(min_length=rules.TITLE_LENGTH[0], max_length=rules.TITLE_LENGTH[1])
    problem: Annotated[str, Stripped] = Field(min_length=rules.TEXT_LENGTH[0], max_length=rules.TEXT_LENGTH[1])
    suggestion: Annotated[str, Stripped] = Field(min_length=rules.TEXT_LENGTH[0], max_length=rules.TEXT_LENGTH[1])
    estimate: OptionalMoney = None

    @field_validator("theme", mode="before")
    @classmethod
    def _theme_picked(cls, value):
        if value is None or value == "":  # nothing picked in the box: "required", not "not an allowed value"
            raise rule("rule.required")
        return value

    @field_validator("estimate")
    @classmethod
    def _estimate(cls, value):
        if value is not None and value > rules.ESTIMATE_MAX:
            raise rule("rule.le", le=rules.ESTIMATE_MAX)
        return value


@dataclass(frozen=True)
class Receipt:
    proposal_id: int
    code: str  # the tracking code: shown to the resident once, on the page that submitted it
    left_today: int


def _take_quota(session, key: bytes, day: date, limit: int) -> int:
    """One of the day's proposals for this number, by a conditional upsert (no SELECT first: two tabs
    submitting at once cannot both take the last one); the number used, or the limit's refusal."""
    statement = dialect_insert(session, ProposalQuota).values(voter_key=key, day=day, used=1).on_conflict_do_update(
        index_elements=["voter_key", "day"], set_={"used": ProposalQuota.used + 1}, where=ProposalQuota.used < limit,
    ).returning(ProposalQuota.used)
    used = session.execute(statement).scalar_one_or_none()
    if used is None:
        raise DomainError("cm.error.daily_limit", limit=limit)
    return used


def _unused_code(session) -> str:
    while True:  # 50 random bits: a second round is already a one-in-a-billion event
        code = rules.new_tracking_code()
        if session.execute(select(Proposal.id).where(Proposal.code == code)).first() is None:
            return code


def submit_proposal(engine: Engine, *, ticket: str | None, data: dict, photos: list[bytes] | None = None) -> Receipt:
    """A verified resident's proposal for a community, within the day's limit per number, with up to three
    photos (re-encoded: db/community/photos.py)."""
    payload = validate(ProposalCreate, data)
    clean = community_photos.reencode_all(photos)
    now, today, limit = clock.utcnow(), clock.today(), rules.proposals_per_day()
    with transaction(engine) as session:
        key = verification.resident_key(session, ticket, now)
        unit = session.get(OrgUnit, payload.community_id)
        if unit is None or unit.level != "community" or not unit.active:
            raise DomainError("cm.error.not_a_community", field="community_id")
        used = _take_quota(session, key, today, limit)
        proposal = Proposal(**payload.model_dump(), code=_unused_code(session), street_id=unit.street_id,
                            district_id=unit.district_id, proposer_key=key, submitted_at=now, submitted_on=today,
                            state=rules.SUBMITTED, state_changed_at=now)
        session.add(proposal)
        session.flush()
        session.add_all(community_photos.rows(proposal.id, clean))
        audit.record(session, actor=None, username=PUBLIC_USERNAME, action="proposal_submit", entity="proposal",
                     entity_id=proposal.id, after={**payload.model_dump(include={"community_id", "theme", "title"}),
                                                   **({"photos": len(clean)} if clean else {})})
        receipt = Receipt(proposal.id, proposal.code, limit - used)
    return receipt


def locked(session, actor: Actor, proposal_id: int) -> Proposal:
    """The proposal row, locked for the caller's write; out of the actor's scope reads as not found."""
    proposal_id = scope.row_id(proposal_id, "proposal")
    proposal = session.execute(select(Proposal).where(Proposal.id == proposal_id).with_for_update()).scalar_one_or_none()
    if proposal is None or not scope.holds(actor, proposal):
        raise NotFound("error.not_found", entity="proposal")
    return proposal


# --- the rows every list is built on ----------------------------------------------------------------------

def _latest_decisions():
    """Per proposal, its newest decided agenda item (a deferred proposal may be decided again later)."""
    return (select(CouncilItem.proposal_id, func.max(CouncilItem.id).label("item_id"))
            .where(CouncilItem.outcome.is_not(None)).group_by(CouncilItem.proposal_id).subquery())


# The public columns: no tracking code, no proposer key. Staff lists add the code.
ROW_COLUMNS = ["id", "submitted_on", "community_id", "community", "street", "theme", "title", "problem", "suggestion",
               "estimate", "state", "answer", "answered_at", "merged_into_id", "meeting_id", "held_on", "outcome",
               "votes_for", "votes_against", "votes_abstain", "route", "funding_source", "funding_amount",
               "project_code", "pipeline_stage", "disbursed", "community_stage", "carried_out"]


def carried_out_condition(project_stage, community_stage):
    """SQL: the proposal's project is done (the community's own) or past implementation (the pipeline's)."""
    return or_(community_stage == "done", project_stage.in_(rules.PIPELINE_CARRIED_OUT))


def rows_query(*extra):
    """SELECT of ROW_COLUMNS (+ `extra`) from proposals with their place, latest decision and project."""
    community, street = aliased(OrgUnit), aliased(OrgUnit)
    item, meeting = aliased(CouncilItem), aliased(CouncilMeeting)
    # the newest decided agenda item, looked up per proposal by its index: a list of the newest 200 of a city's
    # 50,000 proposals no longer groups every agenda item first
    decided = aliased(CouncilItem)
    latest = (select(func.max(decided.id)).where(decided.proposal_id == Proposal.id, decided.outcome.is_not(None))
              .correlate(Proposal).scalar_subquery())
    done = carried_out_condition(Project.stage, CommunityProject.stage)
    return (
        select(Proposal.id, Proposal.submitted_on, Proposal.community_id, community.name.label("community"),
               street.name.label("street"), Proposal.theme, Proposal.title, Proposal.problem, Proposal.suggestion,
               Proposal.estimate, Proposal.state, Proposal.answer, Proposal.answered_at, Proposal.merged_into_id,
               meeting.id.label("meeting_id"), meeting.held_on, item.outcome, item.votes_for, item.votes_against,
               item.votes_abstain, Proposal.route, Proposal.funding_source, Proposal.funding_amount,
               Project.code.label("project_code"), Project.stage.label("pipeline_stage"), Project.disbursed,
               CommunityProject.stage.label("community_stage"),
               case((done, True), else_=False).label("carried_out"), *extra)
        .join(community, community.id == Proposal.community_id)
        .join(street, street.id == Proposal.street_id)
        .outerjoin(item, item.id == latest)
        .outerjoin(meeting, meeting.id == item.meeting_id)
        .outerjoin(Project, Project.id == Proposal.project_id)
        .outerjoin(CommunityProject, CommunityProject.proposal_id == Proposal.id)
    )


def frame(conn, query, columns: list[str]) -> pd.DataFrame:
    # plain tuples: pandas building a frame from a city's 50,000 mappings cost twice the query
    result = pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=columns)
    result["carried_out"] = result["carried_out"].astype(bool)
    return result


def year_condition(year: int | None):
    if year is None:
        return None
    return and_(Proposal.submitted_on >= date(year, 1, 1), Proposal.submitted_on < date(year + 1, 1, 1))


# --- staff reads ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProposalFilter:
    """The staff list's filters, each optional. Frozen so cached readers can key on it."""

    community_id: Optional[int] = None
    state: Optional[str] = None
    theme: Optional[str] = None
    year: Optional[int] = None
    search: Optional[str] = None  # a title's words or a tracking code


def _conditions(actor: Actor, filters: ProposalFilter, with_state: bool = True) -> list:
    require(actor, "community.read")
    conds = [scope.condition(actor, Proposal)]
    if filters.community_id:
        conds.append(Proposal.community_id == filters.community_id)
    if with_state and filters.state:
        conds.append(Proposal.state == filters.state)
    if filters.theme:
        conds.append(Proposal.theme == filters.theme)
    if filters.year:
        conds.append(year_condition(filters.year))
    if filters.search and filters.search.strip():
        text = filters.search.strip()
        code = rules.read_tracking_code(text)
        conds.append(or_(Proposal.title.contains(text, autoescape=True), Proposal.code == (code or text)))
    return conds


STAFF_COLUMNS = ["code"] + ROW_COLUMNS


def list_proposals(engine: Engine, *, actor: Actor, filters: ProposalFilter = ProposalFilter(),
                   limit: int | None = None) -> pd.DataFrame:
    """Proposals in the actor's scope matching the filters, newest first, with their tracking codes; the newest
    `limit` of them when given (a city's 50,000 are read whole only for a download)."""
    query = (rows_query(Proposal.code).where(*_conditions(actor, filters))
             .order_by(Proposal.submitted_on.desc(), Proposal.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        result = frame(conn, query, ROW_COLUMNS + ["code"])
    return result[STAFF_COLUMNS]


def count_proposals(engine: Engine, *, actor: Actor, filters: ProposalFilter = ProposalFilter()) -> int:
    """How many proposals list_proposals would return without a limit."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Proposal).where(*_conditions(actor, filters)))
                   .scalar_one())


class ProposalSummary(BaseModel):
    """Counts by state, those carried out, and the money committed to those funded (whole yuan)."""

    by_state: dict[str, int]
    total: int
    carried_out: int
    funded: int
    funded_amount: int


def summary(engine: Engine, *, actor: Actor, filters: ProposalFilter = ProposalFilter()) -> ProposalSummary:
    """The headline figures of the filtered proposals (whatever the state filter: it picks rows, not figures)."""
    return summarise(engine, _conditions(actor, filters, with_state=False))


def summarise(engine: Engine, conds: list) -> ProposalSummary:
    """Counts by state, carried out and funded, and the money, of the proposals matching `conds`."""
    done = carried_out_condition(Project.stage, CommunityProject.stage)
    with engine.connect() as conn:
        states = dict(conn.execute(select(Proposal.state, func.count()).where(*conds).group_by(Proposal.state)).all())
        row = conn.execute(
            select(func.coalesce(func.sum(case((done, 1), else_=0)), 0).label("carried_out"),
                   func.count(Proposal.route).label("funded"),
                   func.coalesce(func.sum(Proposal.funding_amount), 0).label("amount"))
            .select_from(Proposal)
            .outerjoin(Project, Project.id == Proposal.project_id)
            .outerjoin(CommunityProject, CommunityProject.proposal_id == Proposal.id)
            .where(*conds)).one()
    by_state = {state: int(states.get(state, 0)) for state in rules.STATES}
    return ProposalSummary(by_state=by_state, total=sum(by_state.values()), carried_out=int(row.carried_out),
                           funded=int(row.funded), funded_amount=int(row.amount))


def communities(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """id, code, name and street of the active communities in the actor's scope (for pickers)."""
    require(actor, "community.read")
    street = aliased(OrgUnit)
    query = (select(OrgUnit.id, OrgUnit.code, OrgUnit.name, street.name.label("street"))
             .join(street, street.id == OrgUnit.street_id)
             .where(scope.condition(actor, OrgUnit), OrgUnit.level == "community", OrgUnit.active.is_(True))
             .order_by(OrgUnit.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "code", "name", "street"])


def years(engine: Engine, *, actor: Actor) -> list[int]:
    """The years with proposals in the actor's scope, newest first."""
    require(actor, "community.read")
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(Proposal.submitted_on), func.max(Proposal.submitted_on))
                                   .where(scope.condition(actor, Proposal))).one()
    return list(range(last.year, first.year - 1, -1)) if first else []


class ProposalDetail(BaseModel):
    """One proposal as staff see it: what the resident wrote, where it stands, and what came of it."""

    id: int
    code: str
    community_id: int
    community: str
    street: str
    theme: str
    title: str
    problem: str
    suggestion: str
    estimate: Optional[int]
    submitted_on: date
    state: str
    answer: Optional[str]
    answered_at: Optional[datetime]
    merged_into_id: Optional[int]
    route: Optional[str]
    funding_source: Optional[str]
    funding_amount: Optional[int]
    project_code: Optional[str]
    pipeline_stage: Optional[str]
    community_stage: Optional[str]
    carried_out: bool


def get_proposal(engine: Engine, *, actor: Actor, proposal_id: int) -> ProposalDetail:
    require(actor, "community.read")
    proposal_id = scope.row_id(proposal_id, "proposal")
    query = rows_query(Proposal.code).where(Proposal.id == proposal_id, scope.condition(actor, Proposal))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound("error.not_found", entity="proposal")
    return ProposalDetail.model_validate(dict(row))


DECISION_COLUMNS = ["meeting_id", "held_on", "place", "outcome", "votes_for", "votes_against", "votes_abstain", "note"]


def decisions_of(conn, proposal_id: int) -> pd.DataFrame:
    """Every council decision on a proposal, oldest first (public: decisions are published with their votes)."""
    query = (select(CouncilMeeting.id.label("meeting_id"), CouncilMeeting.held_on, CouncilMeeting.place,
                    CouncilItem.outcome, CouncilItem.votes_for, CouncilItem.votes_against, CouncilItem.votes_abstain,
                    CouncilItem.note)
             .join(CouncilMeeting, CouncilMeeting.id == CouncilItem.meeting_id)
             .where(CouncilItem.proposal_id == proposal_id, CouncilItem.outcome.is_not(None))
             .order_by(CouncilMeeting.held_on, CouncilItem.id))
    return pd.DataFrame(conn.execute(query).mappings().all(), columns=DECISION_COLUMNS)


def decisions(engine: Engine, *, actor: Actor, proposal_id: int) -> pd.DataFrame:
    get_proposal(engine, actor=actor, proposal_id=proposal_id)  # in scope, or not found
    with engine.connect() as conn:
        return decisions_of(conn, proposal_id)


def merge_targets(engine: Engine, *, actor: Actor, proposal_id: int) -> pd.DataFrame:
    """The proposals of the same community a duplicate may be merged into (id, title, state), newest first."""
    detail = get_proposal(engine, actor=actor, proposal_id=proposal_id)
    query = (select(Proposal.id, Proposal.title, Proposal.state, Proposal.submitted_on)
             .where(Proposal.community_id == detail.community_id, Proposal.id != proposal_id,
                    Proposal.state.in_(rules.MERGE_TARGETS), scope.condition(actor, Proposal))
             .order_by(Proposal.submitted_on.desc(), Proposal.id.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "title", "state", "submitted_on"])


class ProposalLink(BaseModel):
    """The proposal a pipeline project came from, for the project's detail page."""

    id: int
    title: str
    community: str
    submitted_on: date
    funding_source: Optional[str]
    funding_amount: Optional[int]
    held_on: Optional[date]
    votes_for: Optional[int]
    votes_against: Optional[int]
    votes_abstain: Optional[int]


def proposal_for_project(engine: Engine, *, actor: Actor, project_id: int) -> ProposalLink | None:
    """The residents' proposal behind a pipeline project, if it came from one and lies in the actor's scope."""
    require(actor, "community.read")
    project_id = scope.row_id(project_id, "project")
    base = rows_query().where(Proposal.project_id == project_id, scope.condition(actor, Proposal)).subquery()
    query = select(base.c.id, base.c.title, base.c.community, base.c.submitted_on, base.c.funding_source,
                   base.c.funding_amount, base.c.held_on, base.c.votes_for, base.c.votes_against, base.c.votes_abstain)
    with reading(engine) as session:
        row = session.execute(query).mappings().first()
    return ProposalLink.model_validate(dict(row)) if row else None
