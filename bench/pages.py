"""Page timings: every page of components/registry.py opened by its most-privileged viewer with
representative query parameters, run cold (st.cache_data cleared; the cached engine kept) and warm
(the median of reruns, bench/timing.py). During one cold run every SQL statement the page issues is
captured at the cursor, so bench/raw.py can replay exactly that SQL without the app around it."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from bench.timing import warm_page_ms
from components.registry import PAGES

# the most-privileged role that may open each page (admin: the whole city, so the largest data)
PREFERRED = ("admin", "leader", "street", "evaluator")


@dataclass
class PageCase:
    name: str  # registry key, or key@variant
    path: str
    role: str | None
    query: dict[str, str] = field(default_factory=dict)


def _role(key: str) -> str | None:
    roles = PAGES[key].roles
    return None if roles is None else next(r for r in PREFERRED if r in roles)


def representative_queries(engine: Engine) -> dict[str, dict[str, str]]:
    """Query parameters a leader would bring to each page, read from the data itself."""
    from db.grids.rules import last_complete_month
    from db.models import OrgUnit
    from db.models.community import CommunityProject, Proposal
    from db.models.funds import GrantApplication
    from db.models.pipeline import Project
    from db.models.voting import Campaign

    with engine.connect() as conn:
        years = [y for (y,) in conn.execute(select(Project.year).group_by(Project.year).order_by(Project.year))]
        year = 2019 if 2019 in years else (years[-2] if len(years) > 1 else years[-1])
        project = conn.execute(select(func.min(Project.code)).where(Project.year == year)).scalar_one()
        published = conn.execute(select(func.min(Campaign.id)).where(Campaign.status == "published")).scalar_one()
        opened = conn.execute(select(func.min(Campaign.id)).where(Campaign.status == "open")).scalar_one()
        # 社区营造: the community with most proposals (its public board), a project carried out (to rate)
        busiest = conn.execute(select(OrgUnit.code).join(Proposal, Proposal.community_id == OrgUnit.id)
                               .group_by(OrgUnit.code).order_by(func.count().desc(), OrgUnit.code).limit(1)
                               ).scalar_one_or_none()
        done = conn.execute(select(func.min(CommunityProject.proposal_id)).where(CommunityProject.stage == "done")
                            ).scalar_one()
        # 微创投: the round with most applications (the page's own default is the newest round)
        largest = conn.execute(select(GrantApplication.round_id).group_by(GrantApplication.round_id)
                               .order_by(func.count().desc(), GrantApplication.round_id).limit(1)).scalar_one_or_none()
    grid_year = last_complete_month()[:4]
    return {
        "projects": {"year": str(year)},
        "project_detail": {"project": project},
        "compliance": {"year": str(year)},
        "catalogue": {"year": str(year)},
        "grid_dashboard": {"unit": "000000", "period": grid_year},
        "grid_dashboard@district": {"unit": "510104", "period": grid_year},
        "vote_review": {"c": str(published)} if published else {},
        "vote": {"c": str(opened)} if opened else {},
        "community_board": {"community": busiest} if busiest else {},
        "rate": {"proposal": str(done)} if done else {},
        # the staff pages for the whole scope (the page's own default) and narrowed to the busiest community
        "proposals@community": {"community": busiest} if busiest else {},
        "council@community": {"community": busiest} if busiest else {},
        "community_dashboard@district": {"unit": "510104"},
        "microgrants@largest": {"round": str(largest)} if largest else {},
    }


def cases(engine: Engine, selected: list[str] | None = None) -> list[PageCase]:
    queries = representative_queries(engine)
    out = []
    for key, spec in PAGES.items():
        for name in [key] + [n for n in queries if n.startswith(key + "@")]:
            if not selected or name in selected or name.split("@")[0] in selected:
                out.append(PageCase(name, spec.path, _role(key), queries.get(name, {})))
    return out


class SqlCapture:
    """Every statement run through any engine while `on`: (statement, parameters, executemany)."""

    def __init__(self):
        self.on, self.statements = False, []
        event.listen(Engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters, executemany))

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._before)


def _open(case: PageCase):
    from factories.app import new_app, signed_in

    at = signed_in(case.role) if case.role else new_app().run()
    if case.query:
        at.query_params.update(case.query)
    at.switch_page(case.path).run()
    assert not at.exception, f"{case.name}: {at.exception}"
    return at


def time_page(case: PageCase, capture: SqlCapture, *, colds: int = 3, warm_runs: int = 10) -> dict:
    """First run, cold reruns (caches cleared before each) and warm reruns of one page."""
    import streamlit as st

    started = time.perf_counter()
    at = _open(case)
    first = (time.perf_counter() - started) * 1000
    cold = []
    for index in range(colds):
        st.cache_data.clear()
        capture.statements, capture.on = [], index == 0
        started = time.perf_counter()
        at.run()
        cold.append((time.perf_counter() - started) * 1000)
        capture.on = False
        assert not at.exception, f"{case.name}: {at.exception}"
        if index == 0:
            statements = list(capture.statements)
    warm = warm_page_ms(at, warm_runs)
    return {"page": case.name, "role": case.role, "query": case.query, "first_ms": first,
            "cold_ms": statistics.median(cold), "cold_runs_ms": cold, "warm_ms": warm, "statements": statements}


def run_pages(page_cases: list[PageCase], *, colds: int, warm_runs: int,
              report: Callable[[dict], None] | None = None) -> list[dict]:
    capture = SqlCapture()
    results = []
    try:
        for case in page_cases:
            result = time_page(case, capture, colds=colds, warm_runs=warm_runs)
            results.append(result)
            if report:
                report(result)
    finally:
        capture.close()
    return results
