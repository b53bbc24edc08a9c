"""Cached reads of the pipeline area. Each takes store.url() first so an entry never serves another
database, and `today` so overdue figures turn over at midnight; writes call clear()."""

from __future__ import annotations

from datetime import date

import pandas as pd

from components import store
from components.caching import cached
from db import org_units
from db.access import Actor
from db.pipeline import catalogue, compliance, projects, social_orgs
from db.pipeline.projects import ProjectFilter
from db.pipeline.social_orgs import SocialOrgFilter


@cached("pipeline")
def options(url: str, actor: Actor) -> projects.FilterOptions:
    return projects.filter_options(store.engine_for(url), actor=actor)


@cached("pipeline")
def summary(url: str, actor: Actor, filters: ProjectFilter, today: date) -> projects.PipelineSummary:
    return projects.summary(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def by_stage(url: str, actor: Actor, filters: ProjectFilter, today: date) -> pd.DataFrame:
    return projects.by_stage(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def by_domain(url: str, actor: Actor, filters: ProjectFilter, today: date) -> pd.DataFrame:
    return projects.by_domain(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def by_street(url: str, actor: Actor, filters: ProjectFilter, today: date) -> pd.DataFrame:
    return projects.by_street(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def project_list(url: str, actor: Actor, filters: ProjectFilter, today: date) -> pd.DataFrame:
    return projects.list_projects(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def project_page(url: str, actor: Actor, filters: ProjectFilter, today: date, page: int, rows: int) -> pd.DataFrame:
    """The `page`-th `rows` of the filtered list (1-based), read with LIMIT/OFFSET."""
    return projects.list_projects(store.engine_for(url), actor=actor, filters=filters, today=today, limit=rows,
                                  offset=(page - 1) * rows)


@cached("pipeline")
def project_choices(url: str, actor: Actor) -> pd.DataFrame:
    return projects.project_choices(store.engine_for(url), actor=actor)


@cached("pipeline")
def recent_projects(url: str, actor: Actor) -> pd.DataFrame:
    return projects.recent_projects(store.engine_for(url), actor=actor)


@cached("pipeline")
def compliance_failures(url: str, actor: Actor, filters: ProjectFilter, today: date) -> pd.DataFrame:
    return compliance.failures(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def compliance_counts(url: str, actor: Actor, filters: ProjectFilter, today: date) -> dict:
    return compliance.failure_counts(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def catalogue_items(url: str, actor: Actor, filters: ProjectFilter, today: date) -> pd.DataFrame:
    return catalogue.items(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def catalogue_outside(url: str, actor: Actor, filters: ProjectFilter, today: date) -> pd.DataFrame:
    return catalogue.outside(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def catalogue_choices(url: str) -> pd.DataFrame:
    return catalogue.choices(store.engine_for(url))


@cached("pipeline")
def org_list(url: str, actor: Actor, filters: SocialOrgFilter, today: date, limit: int | None = None) -> pd.DataFrame:
    return social_orgs.list_orgs(store.engine_for(url), actor=actor, filters=filters, today=today, limit=limit)


@cached("pipeline")
def org_counts(url: str, actor: Actor, filters: SocialOrgFilter, today: date) -> social_orgs.OrgCounts:
    return social_orgs.org_counts(store.engine_for(url), actor=actor, filters=filters, today=today)


@cached("pipeline")
def org_counts_by(url: str, actor: Actor, by: str, filters: SocialOrgFilter, today: date) -> pd.DataFrame:
    return social_orgs.counts_by(store.engine_for(url), actor=actor, by=by, filters=filters, today=today)


@cached("pipeline")
def contractor_choices(url: str, actor: Actor, today: date, keep: int | None = None) -> pd.DataFrame:
    return social_orgs.contractor_choices(store.engine_for(url), actor=actor, today=today, keep=keep)


@cached("org_units")
def units(url: str, actor: Actor, levels: tuple[str, ...]) -> pd.DataFrame:
    return org_units.units_in_scope(store.engine_for(url), actor=actor, levels=levels)
