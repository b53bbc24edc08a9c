"""The city generator at a tiny scale: deterministic, the right shape, and what the app's db functions
read from it agrees with direct counts and with the rules the write paths apply."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from sqlalchemy import case, func, select, text
from sqlmodel import SQLModel

from bench.citygen import generate, to_url
from db import org_units, users
from db.engine import make_engine
from db.grids import indicators as grid_indicators
from db.grids.rules import last_complete_month, parse_period
from db.models.grids import IndicatorValue
from db.models.pipeline import OrgRating, Project, SocialOrg
from db.models.scorecards import Assignment, Evaluation, Score
from db.models.voting import Vote, VoteQuota
from db.pipeline import projects
from db.scorecards import results as eval_results
from db.voting import review as vote_review
from factories.databases import PG_URL, empty_pg_database

SCALE = 0.005


def _digest(url: str) -> str:
    """A hash of every row of every table, each table read in primary-key order."""
    engine = make_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    path = tmp_path_factory.mktemp("city") / "city.db"
    generate(to_url(str(path)), seed=7, scale=SCALE, quiet=True)
    return to_url(str(path))


def test_same_seed_same_content_other_seed_other_content(city, tmp_path):
    again, other = tmp_path / "again.db", tmp_path / "other.db"
    generate(to_url(str(again)), seed=7, scale=SCALE, quiet=True)
    generate(to_url(str(other)), seed=8, scale=SCALE, quiet=True)
    assert _digest(city) == _digest(to_url(str(again)))
    assert _digest(city) != _digest(to_url(str(other)))


def _shape(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
        shape = {
            "districts": count("SELECT COUNT(*) FROM org_unit WHERE level = 'district'"),
            "grids": count("SELECT COUNT(*) FROM org_unit WHERE level = 'grid'"),
            "months": count("SELECT COUNT(DISTINCT period) FROM grid_report"),
            "projects": count("SELECT COUNT(*) FROM project"),
            # the projects' scorecards (the 微创投 reviews' are the microgrants part's, checked on their own)
            "scorecards": count("SELECT COUNT(*) FROM assignment a JOIN evaluation e ON e.id = a.evaluation_id "
                                "WHERE e.project_id IS NOT NULL"),
            "votes": count("SELECT COUNT(*) FROM vote"),
            "reports": count("SELECT COUNT(*) FROM grid_report"),
            "values": count("SELECT COUNT(*) FROM indicator_value"),
        }
    engine.dispose()
    return shape


def test_shape_follows_the_scale(city, tmp_path):
    small = _shape(city)
    assert small["districts"] == 12 and small["months"] == 24
    assert 0.6 * 15_000 * SCALE <= small["grids"] <= 1.4 * 15_000 * SCALE
    assert abs(small["projects"] - 30_000 * SCALE) < 12  # whole projects per district
    assert abs(small["scorecards"] - 90_000 * SCALE) <= 10
    assert 0.85 * 2_000_000 * SCALE <= small["votes"] <= 1.15 * 2_000_000 * SCALE
    # every grid reports nearly every month, ten entered values per report
    assert small["reports"] >= 0.9 * small["grids"] * 24 and small["values"] == 10 * small["reports"]
    bigger = tmp_path / "bigger.db"
    generate(to_url(str(bigger)), seed=7, scale=2 * SCALE, quiet=True)
    large = _shape(to_url(str(bigger)))
    assert large["districts"] == 12 and large["months"] == 24
    for key in ("grids", "projects", "scorecards", "votes"):
        assert 1.6 <= large[key] / small[key] <= 2.4, (key, small[key], large[key])


def test_app_reads_agree_with_direct_counts(city):
    engine = make_engine(city)
    admin = users.actor_for(engine, "admin")
    with engine.connect() as conn:
        scalar = lambda q: conn.execute(q).scalar_one()  # noqa: E731
        summary = projects.summary(engine, actor=admin)
        assert summary.projects == scalar(select(func.count()).select_from(Project))
        assert summary.budget == scalar(select(func.sum(Project.budget)))
        stages = projects.by_stage(engine, actor=admin)
        assert int(stages["projects"].sum()) == summary.projects and int(stages["budget"].sum()) == summary.budget

        results = eval_results.summary(engine, actor=admin)
        assert results.completed == scalar(select(func.count()).where(Evaluation.status == "completed",
                                                                      Evaluation.project_id.is_not(None)))

        root = org_units.scope_unit(engine, actor=admin)
        period = parse_period(last_complete_month()[:4])
        grid = grid_indicators.unit_summary(engine, actor=admin, unit=root, period=period)
        direct = scalar(select(func.sum(IndicatorValue.value)).where(
            IndicatorValue.code == "served", IndicatorValue.period.between(period.first, period.last)))
        assert int(grid["served"]) == direct

        campaign = conn.execute(text("SELECT MIN(id) FROM campaign WHERE status = 'published'")).scalar_one()
        votes = vote_review.summary(engine, actor=admin, campaign_id=campaign)
        assert votes["valid"] == scalar(select(func.count()).where(Vote.campaign_id == campaign, Vote.status == "valid"))
        assert votes["void"] > 0  # the farm burst, voided with a reason
    engine.dispose()


def test_derived_columns_hold_what_the_write_paths_store(city):
    engine = make_engine(city)
    with engine.connect() as conn:
        # a submitted scorecard's stored total is the sum of its scores
        totals = dict(conn.execute(select(Score.assignment_id, func.round(func.sum(Score.points), 1))
                                   .group_by(Score.assignment_id)).all())
        for assignment_id, total in conn.execute(select(Assignment.id, Assignment.total)
                                                 .where(Assignment.status == "submitted")):
            assert abs(total - totals[assignment_id]) < 1e-6
        # an organization carries its newest rating
        newest = {}
        for org_id, grade, rated_on in conn.execute(select(OrgRating.org_id, OrgRating.grade, OrgRating.rated_on)
                                                    .order_by(OrgRating.rated_on)):
            newest[org_id] = (grade, rated_on)
        for org_id, grade, rated_on in conn.execute(select(SocialOrg.id, SocialOrg.grade, SocialOrg.rated_on)):
            assert newest.get(org_id, (None, None)) == (grade, rated_on)
        # the daily quota counter of a voter equals the votes they cast that day
        cast = Counter((c, k, d) for c, k, d in conn.execute(select(Vote.campaign_id, Vote.voter_key, Vote.day)))
        quotas = {(c, k, d): used for c, k, d, used in conn.execute(
            select(VoteQuota.campaign_id, VoteQuota.voter_key, VoteQuota.day, VoteQuota.used))}
        assert quotas == dict(cast)
        # the stored outlier flags are the rule's flags, series by series
        series: dict[tuple, list] = {}
        for grid_id, code, period, value, flagged in conn.execute(select(
                IndicatorValue.grid_id, IndicatorValue.code, IndicatorValue.period, IndicatorValue.value,
                IndicatorValue.outlier)):
            series.setdefault((grid_id, code), []).append((period, value, flagged))
        for rows in series.values():
            expected = grid_indicators.flagged_months([(p, v) for p, v, _ in rows])
            assert {p for p, _, f in rows if f} == expected
        assert any(f for rows in series.values() for _, _, f in rows)
    engine.dispose()


def test_summary_tables_equal_a_recount_after_writes(engine):
    """The roll-ups and stored panel results (kept by the writes) equal a recount from the base rows,
    after a grid report and a reopened scorecard went through the app's write functions."""
    from db.grids import reports as grid_reports
    from db.grids.rules import current_month
    from db.models import OrgUnit
    from db.models.grids import GridStreetValueRollup, GridValueRollup
    from db.scorecards import evaluations, rules

    admin = users.actor_for(engine, "admin")
    with engine.connect() as conn:
        grid_id = conn.execute(select(func.min(OrgUnit.id)).where(OrgUnit.level == "grid")).scalar_one()
        submitted = conn.execute(select(func.min(Assignment.id)).where(Assignment.status == "submitted")).scalar_one()
    values = {code: 5 for code in grid_reports.ENTERED}
    grid_reports.submit_report(engine, actor=admin, grid_id=grid_id, period=current_month(), values=values,
                               confirm_outliers=True)
    evaluations.reopen(engine, actor=admin, assignment_id=submitted, reason="复核后重新打分")
    with engine.connect() as conn:
        stored = {(c, p, k): t for c, p, k, t in conn.execute(select(
            GridValueRollup.community_id, GridValueRollup.period, GridValueRollup.code, GridValueRollup.total))}
        recount = {(c, p, k): t for c, p, k, t in conn.execute(
            select(OrgUnit.community_id, IndicatorValue.period, IndicatorValue.code, func.sum(IndicatorValue.value))
            .join(OrgUnit, OrgUnit.id == IndicatorValue.grid_id)
            .group_by(OrgUnit.community_id, IndicatorValue.period, IndicatorValue.code))}
        assert stored == recount and any(p == current_month() for _, p, _ in stored)
        streets = {(s, p, k): t for s, p, k, t in conn.execute(select(
            GridStreetValueRollup.street_id, GridStreetValueRollup.period, GridStreetValueRollup.code,
            GridStreetValueRollup.total))}
        street_recount = {(s, p, k): t for s, p, k, t in conn.execute(
            select(OrgUnit.street_id, IndicatorValue.period, IndicatorValue.code, func.sum(IndicatorValue.value))
            .join(OrgUnit, OrgUnit.id == IndicatorValue.grid_id)
            .group_by(OrgUnit.street_id, IndicatorValue.period, IndicatorValue.code))}
        assert streets == street_recount
        totals: dict[int, list[float]] = {}
        for evaluation_id, total in conn.execute(select(Assignment.evaluation_id, Assignment.total)
                                                 .where(Assignment.status == "submitted")):
            totals.setdefault(evaluation_id, []).append(total)
        for evaluation_id, count, result in conn.execute(select(Evaluation.id, Evaluation.scorecards, Evaluation.result)):
            assert count == len(totals.get(evaluation_id, []))
            expected = rules.panel_result(totals.get(evaluation_id, []))
            assert (result is None and expected is None) or abs(result - expected) < 1e-9


def test_the_citys_funds_and_linkage_read_as_the_app_reads_them(city):
    """Each fund's balance is what its ledger leaves; the 五社联动 figures at the root count the generated rows."""
    from db.linkage import dashboard
    from db.models.funds import CommunityFund, FundEntry, GrantActivity
    from db.models.linkage import LinkageActivity, SocialWorker

    engine = make_engine(city)
    admin = users.actor_for(engine, "admin")
    with engine.connect() as conn:
        ledger = dict(conn.execute(select(FundEntry.fund_id, func.sum(
            case((FundEntry.side == "in", FundEntry.amount), else_=-FundEntry.amount))).group_by(FundEntry.fund_id)).all())
        balances = dict(conn.execute(select(CommunityFund.id, CommunityFund.balance)).all())
        assert balances and all(ledger.get(i, 0) == b >= 0 for i, b in balances.items())
        shown = dashboard.figures(engine, actor=admin)
        assert shown.workers == conn.execute(select(func.count()).select_from(SocialWorker)).scalar_one() > 0
        assert shown.activities == conn.execute(select(func.count()).select_from(LinkageActivity)).scalar_one() + \
            conn.execute(select(func.count()).select_from(GrantActivity)).scalar_one()  # the rounds' projects' too
        assert shown.streets == conn.execute(text("SELECT COUNT(*) FROM org_unit WHERE level = 'street'")).scalar_one()
    engine.dispose()


def test_community_building_in_every_district_agrees_with_the_apps_reads(city):
    """社区营造 at city scale: proposals, meetings, decisions, projects and ratings in every district; the dashboard
    reads what a direct count finds, and every rating is by a number the rating rules let rate."""
    from db.community import dashboard, public, rules
    from db.models.community import CouncilItem, CouncilMeeting, Proposal, ProposalRating, ResidentDeclaration

    engine = make_engine(city)
    admin = users.actor_for(engine, "admin")
    with engine.connect() as conn:
        scalar = lambda q: conn.execute(q).scalar_one()  # noqa: E731
        per_district = dict(conn.execute(select(Proposal.district_id, func.count()).group_by(Proposal.district_id)).all())
        assert len(per_district) == 12 and min(per_district.values()) >= 4_200 * SCALE
        assert scalar(select(func.count()).select_from(CouncilMeeting)) > 0
        outcomes = set(conn.execute(select(CouncilItem.outcome).distinct()).scalars())
        assert {rules.ADOPTED, rules.NOT_ADOPTED} <= outcomes
        view = dashboard.dashboard(engine, actor=admin)
        assert view.funnel["collected"] == scalar(select(func.count()).select_from(Proposal))
        assert view.funnel["evaluated"] == scalar(select(func.count(func.distinct(ProposalRating.proposal_id))))
        assert view.funnel["carried_out"] >= view.funnel["evaluated"] > 0
        proposed = select(Proposal.id).where(Proposal.proposer_key == ProposalRating.voter_key,
                                             Proposal.community_id == ProposalRating.community_id).exists()
        lives = select(ResidentDeclaration.voter_key).where(
            ResidentDeclaration.voter_key == ProposalRating.voter_key,
            ResidentDeclaration.community_id == ProposalRating.community_id).exists()
        assert scalar(select(func.count()).select_from(ProposalRating).where(
            ~((ProposalRating.basis == rules.PROPOSER) & proposed)
            & ~((ProposalRating.basis == rules.RESIDENT) & lives))) == 0
        merged = conn.execute(select(Proposal.id, Proposal.merged_into_id, Proposal.community_id)
                              .where(Proposal.state == rules.MERGED)).all()
        into = dict(conn.execute(select(Proposal.id, Proposal.community_id)).all())
        assert all(into[target] == community for _, target, community in merged)
        busiest = conn.execute(select(Proposal.community_id).group_by(Proposal.community_id)
                               .order_by(func.count().desc()).limit(1)).scalar_one()
    assert not public.board(engine, community_id=busiest).empty
    engine.dispose()


def test_microgrant_rounds_are_reviewed_decided_and_paid_as_the_app_would(city):
    """微创投 in every district, in seed 003's proportions: every decision follows a completed review on the scorecard
    tables, the best results funded, awards and payments within the pool, the pool never below zero and filled by its
    sources; the app's own reads return the rows."""
    from bench.city_microgrants import seed_communities, sizes
    from db.funds import round_reads
    from db.funds import rules as fund_rules
    from db.models import AuditLog
    from db.models.funds import GrantActivity, GrantApplication, GrantDisbursement, GrantRound, GrantSource

    assert seed_communities() == 60 and sizes(60, 60) == {"pool": 1_150_000, "applications": 112, "funded": 71,
                                                          "activities": 196}
    engine = make_engine(city)
    admin = users.actor_for(engine, "admin")
    with engine.connect() as conn:
        scalar = lambda q: conn.execute(q).scalar_one()  # noqa: E731
        rounds = conn.execute(select(GrantRound)).all()
        assert len({r.district_id for r in rounds}) == 12
        sources = dict(conn.execute(select(GrantSource.round_id, func.sum(GrantSource.amount))
                                    .group_by(GrantSource.round_id)).all())
        paid = dict(conn.execute(select(GrantDisbursement.round_id, func.sum(GrantDisbursement.amount))
                                 .group_by(GrantDisbursement.round_id)).all())
        for r in rounds:
            assert sources[r.id] == r.pool and r.pool_balance == r.pool - paid.get(r.id, 0) >= 0
        apps = conn.execute(select(GrantApplication.id, GrantApplication.round_id, GrantApplication.status,
                                   GrantApplication.awarded, GrantApplication.disbursed, GrantApplication.decision_reason,
                                   Evaluation.status.label("review"), Evaluation.result)
                            .outerjoin(Evaluation, Evaluation.application_id == GrantApplication.id)).all()
        funded_states = (fund_rules.FUNDED, fund_rules.CLOSED)
        assert all(a.review == "completed" and a.result is not None for a in apps)
        assert all(a.decision_reason for a in apps if a.status == fund_rules.NOT_FUNDED)
        assert all(0 <= a.disbursed <= a.awarded for a in apps)
        for r in rounds:
            mine = [a for a in apps if a.round_id == r.id]
            funded = [a for a in mine if a.status in funded_states]
            others = [a for a in mine if a.status == fund_rules.NOT_FUNDED]
            assert 0 < len(funded) <= len(mine) and sum(a.awarded for a in funded) <= r.pool
            assert not others or min(a.result for a in funded) >= max(a.result for a in others)
        # each review's panel: every evaluator declared; the recused scored nothing; someone submitted
        reviews = select(Evaluation.id).where(Evaluation.application_id.is_not(None))
        assert scalar(select(func.count()).where(Assignment.evaluation_id.in_(reviews),
                                                 Assignment.coi_declared_at.is_(None))) == 0
        assert scalar(select(func.count()).select_from(Score).join(Assignment, Assignment.id == Score.assignment_id)
                      .where(Assignment.status == "recused")) == 0
        assert scalar(select(func.count()).where(AuditLog.action == "mg_decide")) == len(apps)
        activities = scalar(select(func.count()).select_from(GrantActivity))
    shown = round_reads.list_rounds(engine, actor=admin)
    assert len(shown) == len(rounds) and int(shown["applications"].sum()) == len(apps)
    assert int(shown["funded"].sum()) == sum(a.status in funded_states for a in apps)
    assert int(shown["activities"].sum()) == activities >= int(shown["funded"].sum())
    first = round_reads.applications(engine, actor=admin, round_id=int(shown["id"].iloc[0]))
    assert len(first) == int(shown["applications"].iloc[0]) and set(first["review_status"]) == {"completed"}
    engine.dispose()


def test_the_same_city_is_written_on_postgresql(city):
    """The generator's PostgreSQL path (COPY, typed columns) writes what its SQLite path writes: every table has
    the same number of rows and the same totals of its money columns. (A pool computed as a float once went
    into COPY as "575000.0", which PostgreSQL refuses for a BIGINT column.)"""
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL not set")
    with empty_pg_database("cpme_city") as url:
        generate(url, seed=7, scale=SCALE, quiet=True)
        assert _table_figures(url) == _table_figures(city)


def _table_figures(url: str) -> dict[str, tuple]:
    engine = make_engine(url)
    figures = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            money = [c for c in ("pool", "pool_balance", "amount", "budget", "awarded") if c in table.columns]
            columns = [func.count()] + [func.coalesce(func.sum(table.columns[c]), 0) for c in money]
            figures[table.name] = tuple(int(v) for v in conn.execute(select(*columns).select_from(table)).one())
    engine.dispose()
    return figures


@pytest.mark.parametrize("communities", [1, 7, 60, 333])
def test_a_rounds_sizes_are_whole_numbers(communities):
    """What goes into BIGINT columns is an int at every size, below the cap and above it (PostgreSQL's COPY
    refuses "575000.0"; a tiny city stays below the cap, so the test above cannot see it)."""
    from bench.city_microgrants import sizes

    got = sizes(communities, 60)
    assert all(type(value) is int for value in got.values()), got
