"""An adopted proposal becomes a project, with its funding source and amount: either it enters the pipeline as a
purchased-service project at 需求摸排 (created through the pipeline's own registration, linked both ways), or
the community carries it out itself as a 居民自治项目 through three stages. One transaction per write, audited."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.engine import Engine

from db import audit, clock
from db.access import Actor, require
from db.community import rules
from db.community.proposals import ProposalDetail, get_proposal, locked
from db.engine import transaction
from db.errors import DomainError
from db.models import OrgUnit
from db.models.community import CommunityProject, Proposal
from db.pipeline import writes as pipeline_writes
from db.validation import Money, validate


class FundingInput(BaseModel):
    route: Literal[rules.ROUTES]  # type: ignore[valid-type]
    funding_source: Literal[rules.FUNDING_SOURCES]  # type: ignore[valid-type]
    funding_amount: Money = Field(gt=0)


def _pipeline_payload(proposal: Proposal, community: OrgUnit, amount: int) -> pipeline_writes.ProjectCreate:
    """The purchased-service project a proposal enters the pipeline as: its own title and text, the community
    as buyer and place, the amount as budget, the theme's domain; outside the catalogue until an admin files it."""
    year = clock.today().year
    summary = f"{proposal.problem}\n\n{proposal.suggestion}"[:2000]
    return validate(pipeline_writes.ProjectCreate, {
        "title": proposal.title, "summary": summary, "domain": rules.THEME_DOMAIN[proposal.theme],
        "batch": rules.PIPELINE_BATCH.format(year=year), "year": year, "buyer": community.name,
        "org_unit_id": community.id, "off_catalogue_service": rules.PIPELINE_SERVICE, "budget": amount})


def fund(engine: Engine, *, actor: Actor, proposal_id: int, data: dict) -> ProposalDetail:
    """Carry an adopted proposal out: into the pipeline (route "pipeline") or by the community (route "community")."""
    require(actor, "community.projects")
    payload = validate(FundingInput, data)
    now = clock.utcnow()
    with transaction(engine) as session:
        proposal = locked(session, actor, proposal_id)
        if proposal.state != rules.ADOPTED:
            raise DomainError(f"cm.error.state_{proposal.state}")
        if proposal.route is not None:
            raise DomainError("cm.error.already_funded")
        if payload.route == "pipeline":
            community = session.get(OrgUnit, proposal.community_id)
            project = pipeline_writes.add_project(session, actor=actor,
                                                  payload=_pipeline_payload(proposal, community, payload.funding_amount))
            proposal.project_id = project.id
        else:
            session.add(CommunityProject(proposal_id=proposal.id, community_id=proposal.community_id,
                                         street_id=proposal.street_id, district_id=proposal.district_id,
                                         stage=rules.PROJECT_STAGES[0], created_at=now, updated_at=now))
        proposal.route, proposal.funding_source, proposal.funding_amount = (payload.route, payload.funding_source,
                                                                            payload.funding_amount)
        proposal.funded_at = now
        audit.record(session, actor=actor, action="proposal_fund", entity="proposal", entity_id=proposal.id,
                     after={**payload.model_dump(), "project_id": proposal.project_id})
    return get_proposal(engine, actor=actor, proposal_id=proposal_id)


def advance(engine: Engine, *, actor: Actor, proposal_id: int, expected_stage: str | None = None) -> ProposalDetail:
    """Move the community's own project one stage on (planned → in progress → done), noting the days."""
    require(actor, "community.projects")
    today = clock.today()
    with transaction(engine) as session:
        proposal_id = locked(session, actor, proposal_id).id  # scope, and one move at a time
        project = session.execute(select(CommunityProject).where(CommunityProject.proposal_id == proposal_id)
                                  ).scalar_one_or_none()
        if project is None:
            raise DomainError("cm.error.no_community_project")
        if expected_stage is not None and project.stage != expected_stage:  # someone moved it since the page drew
            raise DomainError("cm.error.stage_changed")
        before = project.stage
        project.stage = rules.next_project_stage(project.stage)
        if project.stage == "in_progress":
            project.started_on = today
        if project.stage == "done":
            project.started_on = project.started_on or today
            project.done_on = today
        project.updated_at = clock.utcnow()
        audit.record(session, actor=actor, action="community_project_advance", entity="proposal",
                     entity_id=proposal_id, before={"stage": before}, after={"stage": project.stage})
    return get_proposal(engine, actor=actor, proposal_id=proposal_id)
