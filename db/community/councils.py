"""The community council (议事会): a meeting recorded after it was held (date, place, who took part by kind,
minutes, the agenda of proposals sent to it) and its decision on each agenda item (adopted / not adopted /
deferred, with votes for, against and abstaining). A meeting below the quorum decides nothing; adoption needs
a majority (COUNCIL_QUORUM, COUNCIL_MAJORITY_OF in db/community/rules.py). Writes check role and scope and
are audited, each in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from functools import reduce
from operator import add
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from db import audit, clock
from db.access import Actor, require
from db.community import rules, scope
from db.community.proposals import ProposalDetail, get_proposal, locked
from db.engine import transaction
from db.errors import DomainError, NotFound
from db.models import OrgUnit
from db.models.community import CouncilItem, CouncilMeeting, Proposal
from db.validation import BlankIsNone, Day, OneLine, RowId, Stripped, rule, validate

Participants = Annotated[int, Field(ge=0, le=rules.PARTICIPANTS_MAX)]
Votes = Annotated[int, Field(ge=0, le=rules.PARTICIPANTS_MAX * len(rules.PARTICIPANTS))]


class MeetingCreate(BaseModel):
    community_id: RowId
    held_on: Day
    place: Annotated[str, OneLine] = Field(min_length=rules.PLACE_LENGTH[0], max_length=rules.PLACE_LENGTH[1])
    residents: Participants = 0
    committee: Participants = 0
    social_orgs: Participants = 0
    units: Participants = 0
    grid_council: Participants = 0
    minutes: Annotated[str, Stripped] = Field(min_length=rules.MINUTES_LENGTH[0], max_length=rules.MINUTES_LENGTH[1])
    agenda: list[RowId] = Field(default_factory=list)

    @field_validator("held_on")
    @classmethod
    def _held(cls, value: date) -> date:
        if value > clock.today():  # recorded after it was held
            raise rule("rule.cm.meeting_not_future")
        return value


class DecisionInput(BaseModel):
    outcome: Literal[rules.OUTCOMES]  # type: ignore[valid-type]
    votes_for: Votes = 0
    votes_against: Votes = 0
    votes_abstain: Votes = 0
    note: Annotated[Optional[str], BlankIsNone] = Field(default=None, max_length=rules.NOTE_MAX)


def participants_total(meeting) -> int:
    return sum(getattr(meeting, kind) for kind in rules.PARTICIPANTS)


def _quorum(count: int) -> None:
    quorum = rules.council_quorum()
    if count < quorum:
        raise DomainError("cm.error.no_quorum", field="participants", present=count, quorum=quorum)


def _pending():
    """Agenda items still waiting for a decision: a proposal may wait on one meeting only."""
    return CouncilItem.outcome.is_(None)


def create_meeting(engine: Engine, *, actor: Actor, data: dict) -> int:
    """Record a held meeting with its participants, minutes and agenda; returns its id."""
    require(actor, "community.council")
    payload = validate(MeetingCreate, data)
    agenda = list(dict.fromkeys(payload.agenda))
    if not agenda:
        raise DomainError("cm.error.agenda_empty", field="agenda")
    if len(agenda) > rules.AGENDA_MAX:
        raise DomainError("cm.error.agenda_long", field="agenda", most=rules.AGENDA_MAX)
    _quorum(participants_total(payload))
    with transaction(engine) as session:
        unit = scope.require_community(session, actor, payload.community_id)
        rows = {p.id: p for p in session.execute(select(Proposal).where(Proposal.id.in_(agenda))
                                                 .with_for_update()).scalars()}
        for proposal_id in agenda:
            proposal = rows.get(proposal_id)
            if proposal is None or proposal.community_id != unit.id:
                raise DomainError("cm.error.agenda_other_community", field="agenda")
            if proposal.state not in rules.ON_AGENDA:
                raise DomainError("cm.error.agenda_state", field="agenda", title=proposal.title)
        waiting = session.execute(select(Proposal.title).join(CouncilItem, CouncilItem.proposal_id == Proposal.id)
                                  .where(CouncilItem.proposal_id.in_(agenda), _pending()).limit(1)).scalar_one_or_none()
        if waiting is not None:
            raise DomainError("cm.error.agenda_pending", field="agenda", title=waiting)
        fields = payload.model_dump(exclude={"agenda"})
        meeting = CouncilMeeting(**fields, street_id=unit.street_id, district_id=unit.district_id,
                                 recorded_by=actor.user_id, recorded_at=clock.utcnow())
        session.add(meeting)
        session.flush()
        session.add_all([CouncilItem(meeting_id=meeting.id, proposal_id=proposal_id, position=index)
                         for index, proposal_id in enumerate(agenda, start=1)])
        audit.record(session, actor=actor, action="council_meeting", entity="council_meeting", entity_id=meeting.id,
                     after={**{k: v for k, v in fields.items() if k != "minutes"}, "agenda": agenda})
        meeting_id = meeting.id
    return meeting_id


def record_decision(engine: Engine, *, actor: Actor, meeting_id: int, proposal_id: int,
                    data: dict) -> ProposalDetail:
    """The meeting's decision on one agenda item, with its votes; the proposal moves to the outcome."""
    require(actor, "community.council")
    payload = validate(DecisionInput, data)
    meeting_id, proposal_id = scope.row_id(meeting_id, "council_meeting"), scope.row_id(proposal_id, "proposal")
    with transaction(engine) as session:
        meeting = session.execute(select(CouncilMeeting).where(CouncilMeeting.id == meeting_id)
                                  .with_for_update()).scalar_one_or_none()
        if meeting is None or not scope.holds(actor, meeting):
            raise NotFound("error.not_found", entity="council_meeting")
        item = session.execute(select(CouncilItem).where(CouncilItem.meeting_id == meeting_id,
                                                         CouncilItem.proposal_id == proposal_id)
                               .with_for_update()).scalar_one_or_none()
        if item is None:
            raise DomainError("cm.error.not_on_agenda", field="proposal_id")
        if item.outcome is not None:
            raise DomainError("cm.error.already_decided", field="proposal_id")
        count = participants_total(meeting)
        _quorum(count)
        _check_votes(payload, count)
        proposal = locked(session, actor, proposal_id)
        before = proposal.state
        proposal.state = rules.next_state(proposal.state, payload.outcome)
        now = clock.utcnow()
        proposal.state_changed_at = now
        for field in ("outcome", "votes_for", "votes_against", "votes_abstain", "note"):
            setattr(item, field, getattr(payload, field))
        item.decided_at, item.decided_by = now, actor.user_id
        audit.record(session, actor=actor, action="council_decision", entity="proposal", entity_id=proposal_id,
                     before={"state": before}, after={"meeting_id": meeting_id, **payload.model_dump()})
    return get_proposal(engine, actor=actor, proposal_id=proposal_id)


def _check_votes(payload: DecisionInput, count: int) -> None:
    cast = payload.votes_for + payload.votes_against + payload.votes_abstain
    if cast > count:
        raise DomainError("cm.error.votes_over_participants", field="votes_for", cast=cast, present=count)
    carried = rules.majority_met(payload.votes_for, payload.votes_against, payload.votes_abstain, count)
    if payload.outcome == rules.ADOPTED and not carried:
        needed = rules.majority_needed(payload.votes_against, payload.votes_abstain, count)
        raise DomainError(f"cm.error.no_majority_{rules.majority_base()}", field="votes_for",
                          votes=payload.votes_for, needed=needed)
    if payload.outcome == rules.NOT_ADOPTED and cast == 0:
        raise DomainError("cm.error.votes_required", field="votes_for")
    if payload.outcome == rules.NOT_ADOPTED and carried:
        raise DomainError("cm.error.majority_adopts", field="outcome")


# --- reads ------------------------------------------------------------------------------------------------

MEETING_COLUMNS = ["id", "held_on", "community_id", "community", "street", "place", *rules.PARTICIPANTS, "present",
                   "items", "decided", "adopted"]


def _meeting_conditions(actor: Actor, community_id: int | None, year: int | None) -> list:
    require(actor, "community.read")
    conds = [scope.condition(actor, CouncilMeeting)]
    if community_id:
        conds.append(CouncilMeeting.community_id == community_id)
    if year:
        conds.append(and_(CouncilMeeting.held_on >= date(year, 1, 1), CouncilMeeting.held_on < date(year + 1, 1, 1)))
    return conds


def list_meetings(engine: Engine, *, actor: Actor, community_id: int | None = None,
                  year: int | None = None, limit: int | None = None) -> pd.DataFrame:
    """Meetings in the actor's scope, newest first, with their agenda's size and how much of it is decided; the
    newest `limit` when given."""
    community, street = aliased(OrgUnit), aliased(OrgUnit)
    conds = _meeting_conditions(actor, community_id, year)
    newest = (CouncilMeeting.held_on.desc(), CouncilMeeting.id.desc())
    items = select(CouncilItem.meeting_id, func.count().label("agenda"),
                   func.count(CouncilItem.outcome).label("decided"),
                   func.sum(case((CouncilItem.outcome == rules.ADOPTED, 1), else_=0)).label("adopted"))
    if limit is not None:  # the agendas of the meetings listed only (a city's 41,000 items were grouped for 200)
        listed = select(CouncilMeeting.id).where(*conds).order_by(*newest).limit(limit)
        items = items.where(CouncilItem.meeting_id.in_(listed))
    items = items.group_by(CouncilItem.meeting_id).subquery()
    query = (select(CouncilMeeting.id, CouncilMeeting.held_on, CouncilMeeting.community_id,
                    community.name.label("community"), street.name.label("street"), CouncilMeeting.place,
                    *(getattr(CouncilMeeting, kind) for kind in rules.PARTICIPANTS),
                    reduce(add, (getattr(CouncilMeeting, kind) for kind in rules.PARTICIPANTS)).label("present"),
                    func.coalesce(items.c.agenda, 0).label("items"), func.coalesce(items.c.decided, 0).label("decided"),
                    func.coalesce(items.c.adopted, 0).label("adopted"))
             .join(community, community.id == CouncilMeeting.community_id)
             .join(street, street.id == CouncilMeeting.street_id)
             .outerjoin(items, items.c.meeting_id == CouncilMeeting.id)
             .where(*conds)
             .order_by(*newest))
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=MEETING_COLUMNS)


def count_meetings(engine: Engine, *, actor: Actor, community_id: int | None = None, year: int | None = None) -> int:
    """How many meetings list_meetings would return without a limit."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(CouncilMeeting)
                                .where(*_meeting_conditions(actor, community_id, year))).scalar_one())


class MeetingDetail(BaseModel):
    id: int
    community_id: int
    community: str
    held_on: date
    place: str
    residents: int
    committee: int
    social_orgs: int
    units: int
    grid_council: int
    minutes: str
    recorded_at: datetime

    @property
    def present(self) -> int:
        return participants_total(self)


ITEM_COLUMNS = ["proposal_id", "position", "title", "theme", "state", "outcome", "votes_for", "votes_against",
                "votes_abstain", "note"]


def get_meeting(engine: Engine, *, actor: Actor, meeting_id: int) -> tuple[MeetingDetail, pd.DataFrame]:
    """A meeting and its agenda in order, each item with its decision (if made)."""
    require(actor, "community.read")
    meeting_id = scope.row_id(meeting_id, "council_meeting")
    community = aliased(OrgUnit)
    with engine.connect() as conn:
        row = conn.execute(
            select(CouncilMeeting.id, CouncilMeeting.community_id, community.name.label("community"),
                   CouncilMeeting.held_on, CouncilMeeting.place, *(getattr(CouncilMeeting, k) for k in rules.PARTICIPANTS),
                   CouncilMeeting.minutes, CouncilMeeting.recorded_at)
            .join(community, community.id == CouncilMeeting.community_id)
            .where(CouncilMeeting.id == meeting_id, scope.condition(actor, CouncilMeeting))).mappings().first()
        if row is None:
            raise NotFound("error.not_found", entity="council_meeting")
        items = pd.DataFrame(conn.execute(
            select(CouncilItem.proposal_id, CouncilItem.position, Proposal.title, Proposal.theme, Proposal.state,
                   CouncilItem.outcome, CouncilItem.votes_for, CouncilItem.votes_against, CouncilItem.votes_abstain,
                   CouncilItem.note)
            .join(Proposal, Proposal.id == CouncilItem.proposal_id)
            .where(CouncilItem.meeting_id == meeting_id).order_by(CouncilItem.position)).mappings().all(),
            columns=ITEM_COLUMNS)
    return MeetingDetail.model_validate(dict(row)), items


def agenda_candidates(engine: Engine, *, actor: Actor, community_id: int) -> pd.DataFrame:
    """Proposals of a community that may go on a new agenda: sent to the council or deferred, and not already
    waiting on another meeting."""
    require(actor, "community.read")
    community_id = scope.row_id(community_id, "org_unit")
    waiting = select(CouncilItem.proposal_id).where(_pending())
    query = (select(Proposal.id, Proposal.title, Proposal.state, Proposal.submitted_on)
             .where(Proposal.community_id == community_id, Proposal.state.in_(rules.ON_AGENDA),
                    Proposal.id.not_in(waiting), scope.condition(actor, Proposal))
             .order_by(Proposal.submitted_on, Proposal.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "title", "state", "submitted_on"])
