"""Cached readers of the leadership overview (url first, so an entry never serves another database)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from components import caching, store
from components.caching import cached
from components.overview import briefing
from db.access import Actor
from db.overview import headline as overview

# the headline figures and alerts are built from every area's rows: a write in any of them clears these
caching.depends("overview", "pipeline", "scorecards", "voting", "grids", "community", "funds", "linkage")


@cached("overview", ttl=300, max_entries=64, per_scope=True)
def overview_of(url: str, actor: Actor, year: int, today: date) -> overview.Overview:
    return overview.overview(store.engine_for(url), actor=actor, year=year, today=today)


@cached("org_units", ttl=300, per_scope=True)
def scope_choices(url: str, actor: Actor) -> pd.DataFrame:
    return overview.scope_choices(store.engine_for(url), actor=actor)


@cached("overview.years", ttl=300, per_scope=True)
def years(url: str, actor: Actor) -> list[int]:
    return overview.years(store.engine_for(url), actor=actor)


@cached("overview", ttl=300, max_entries=64, per_scope=True)
def shown(url: str, actor: Actor, year: int, today: date, lang: str) -> dict:
    """What the page draws, built once per scope, year and language: Altair's validation and the
    labelled frames cost more than the queries, so warm reruns only send these to the browser."""
    ov = overview_of(url, actor, year, today)
    charts = {"domain": briefing.money_chart(ov, "domain", lang), "street": briefing.money_chart(ov, "street", lang),
              "grades": briefing.grade_chart(ov, lang)}
    return {
        "headlines": {h.key: h for h in briefing.headlines(ov, lang)},
        "compare": briefing.headline_table(ov, lang),
        # the same dicts unvalidated: the schema check cost 30-60 ms per cold run, and the builders' specs
        # pass the schema in test_overview's word briefing test
        "specs": {name: chart.to_dict(validate=False) for name, chart in charts.items() if chart is not None},
        "money_domain": briefing.money_table(ov.by_domain, "domain", lang),
        "money_street": briefing.money_table(ov.by_street, "street", lang),
        "stages": briefing.stage_table(ov, lang),
        "contractors": briefing.contractor_table(ov, lang),
        "failed": briefing.failed_table(ov, lang),
        "reporting": briefing.reporting_table(ov, lang) if briefing.has_grid_data(ov) else None,
        "weakest": briefing.weakest_table(ov, lang) if briefing.has_grid_data(ov) else None,
        "vote": briefing.vote_rows(ov, lang),
    }
