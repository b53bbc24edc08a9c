"""Cached reads of the 社区基金 area (store.url() first); its writes clear "funds"."""

from __future__ import annotations

import pandas as pd

from components import store
from components.caching import cached
from db.access import Actor
from db.funds import reads, round_reads
from db.funds.reads import FundSummary


@cached("funds")
def funds(url: str, actor: Actor, street_id: int | None, search: str | None) -> pd.DataFrame:
    return reads.list_funds(store.engine_for(url), actor=actor, street_id=street_id, search=search)


@cached("funds")
def summary(url: str, actor: Actor, fund_id: int | None, street_id: int | None) -> FundSummary:
    return reads.summary(store.engine_for(url), actor=actor, fund_id=fund_id, street_id=street_id)


@cached("funds")
def by_month(url: str, actor: Actor, fund_id: int | None, street_id: int | None) -> pd.DataFrame:
    return reads.by_month(store.engine_for(url), actor=actor, fund_id=fund_id, street_id=street_id)


@cached("funds")
def ledger(url: str, actor: Actor, fund_id: int) -> pd.DataFrame:
    return reads.ledger(store.engine_for(url), actor=actor, fund_id=fund_id)


@cached("funds", "community")
def grantable_projects(url: str, actor: Actor, fund_id: int) -> pd.DataFrame:
    return reads.grantable_projects(store.engine_for(url), actor=actor, fund_id=fund_id)


@cached("funds")
def units_without_fund(url: str, actor: Actor) -> pd.DataFrame:
    return reads.units_without_fund(store.engine_for(url), actor=actor)


# --- 微创投 (db/funds/round_reads.py); the pool's sources move fund ledgers, so one area: "funds" ---------

@cached("funds")
def rounds(url: str, actor: Actor) -> pd.DataFrame:
    return round_reads.list_rounds(store.engine_for(url), actor=actor)


@cached("funds", "scorecards")
def applications(url: str, actor: Actor, round_id: int) -> pd.DataFrame:
    return round_reads.applications(store.engine_for(url), actor=actor, round_id=round_id)


@cached("funds")
def round_sources(url: str, actor: Actor, round_id: int) -> pd.DataFrame:
    return round_reads.sources(store.engine_for(url), actor=actor, round_id=round_id)


@cached("funds")
def round_activities(url: str, actor: Actor, round_id: int) -> pd.DataFrame:
    return round_reads.activities(store.engine_for(url), actor=actor, round_id=round_id)


@cached("funds")
def round_disbursements(url: str, actor: Actor, round_id: int) -> pd.DataFrame:
    return round_reads.disbursements(store.engine_for(url), actor=actor, round_id=round_id)


@cached("funds")
def round_units(url: str, actor: Actor) -> pd.DataFrame:
    return round_reads.round_units(store.engine_for(url), actor=actor)


@cached("funds")
def source_funds(url: str, actor: Actor, round_id: int) -> pd.DataFrame:
    return round_reads.source_funds(store.engine_for(url), actor=actor, round_id=round_id)


@cached("funds", "pipeline")  # the register's organizations
def application_choices(url: str, actor: Actor, round_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return round_reads.application_choices(store.engine_for(url), actor=actor, round_id=round_id)
