"""Hostile input at every form's and import's db entry point (hypothesis): random unicode, very long
strings, control characters, NUL bytes, markup, SQL fragments, numbers as text, NaN and infinities,
huge and negative integers, None, wrong types. Each call either succeeds or raises DomainError (the
UI turns it into a message naming the field); never another exception. When it refuses, the
database is exactly as before: no half-write. On SQLite and, when TEST_POSTGRES_URL is set, PostgreSQL
(which refuses NUL in text and numbers beyond its column types, where SQLite would not)."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from db import clock, users
from db.community import adoption, councils, proposals, triage
from db.engine import make_engine, reading
from db.errors import DomainError
from db.grids import imports as grid_import
from db.grids import reports as grid_reports
from db.grids.rules import current_month
from db.models import OrgUnit
from db.models.pipeline import Project, SocialOrg
from db.models.scorecards import Assignment, Rectification, ScoreTemplate
from db.pipeline import social_orgs
from db.pipeline import writes as project_writes
from db.scorecards import entry as scorecard_entry
from db.scorecards import evaluations, rectifications
from db.scorecards import templates as eval_templates
from db.voting import ballot as vote_ballot
from db.voting import campaigns as voting
from db.voting import codes as vote_codes
from db.voting import review as vote_review
from factories.databases import BACKENDS, database
from factories.records import community_id, make_campaign, proposals_in, resident_ticket

EXAMPLES = settings(max_examples=10, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])

NASTY = [
    "", " ", "\x00", "a\x00b", "\x00" * 10, "\r\n\t\x0b\x0c", "\x1b[31m红\x1b[0m", "\u202e\u200b\ufeff\u2060", "🙂" * 50,
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[点我](javascript:alert(1))", "**粗** _斜_ `码`",
    "'; DROP TABLE app_user; --", "\" OR 1=1 --", "1; SELECT pg_sleep(10)", "%s %(x)s {0} {x}", "\\", "../../etc/passwd",
    "NaN", "inf", "-inf", "1e309", "-0", "0x1F", "１２３", "٣", "1,000", "12.0", " 7 ", "3.5", "-1", "9" * 40,
    "2026-02-30", "2026-13", "0000-00", "9999-12", "２０２６-０５", "２０２６-０５-０１", "+86 138 0013 8000",
    "13800138000\x00", "null", "None", "true",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.builds(lambda char, n: char * n, st.sampled_from(["长", "a", "\x00", "<"]), st.integers(1000, 100_000)),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(alphabet=st.sampled_from("\x00\x01\x7f\x1b\r\n\t <>&'\";-*_[]()#!|`\\%中文\u0301\u202e"), max_size=40),
)
NUMBER = st.one_of(
    st.integers(min_value=-10, max_value=200),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.sampled_from([2 ** 31 - 1, 2 ** 31, 2 ** 63 - 1, 2 ** 63, -(2 ** 63) - 1, 10 ** 30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("1e400"), Decimal("-Infinity"), Decimal("NaN"), Decimal("0.1")]),
)
WEIRD = st.one_of(st.none(), st.booleans(), st.lists(st.integers(), max_size=3), st.just({}), st.binary(max_size=20),
                  st.dates(), st.datetimes())
ANY = st.one_of(TEXT, NUMBER, WEIRD)


def hostile(valid: dict, extra: st.SearchStrategy = ANY) -> st.SearchStrategy:
    """A valid form with any of its fields replaced by something hostile, dropped, or an extra key.
    (The pages always pass a dict: the hostility is in the values, as a browser can send them.)"""
    fields = {key: st.one_of(st.just(value), extra, st.just(_DROP)) for key, value in valid.items()}
    forms = st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not _DROP})
    with_junk = st.tuples(forms, st.dictionaries(TEXT, ANY, max_size=2)).map(lambda p: {**p[1], **p[0]})
    return st.one_of(forms, with_junk)


_DROP = object()


# --- the database: one seeded copy per backend for the module ---------------------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def world(request):
    with database(request, request.param) as url:
        engine = make_engine(url)
        yield _World(engine)
        engine.dispose()


class _World:
    """The seeded copy, its actors, and a valid target for every form."""

    def __init__(self, engine):
        self.engine = e = engine
        self.admin, self.street = users.actor_for(e, "admin"), users.actor_for(e, "street")
        self.evaluator = users.actor_for(e, "evaluator")
        with reading(e) as s:
            self.district = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104")).scalar_one()
            self.grid = s.execute(select(OrgUnit.id).where(OrgUnit.level == "grid", OrgUnit.street_id == self.street.scope_id)
                                  .order_by(OrgUnit.code)).scalars().first()
            self.project = s.execute(select(Project).where(Project.stage == "needs_survey").order_by(Project.id)).scalars().first() \
                or s.execute(select(Project).order_by(Project.id)).scalars().first()
            self.org = s.execute(select(SocialOrg.id).order_by(SocialOrg.id)).scalars().first()
            self.template = s.execute(select(ScoreTemplate).order_by(ScoreTemplate.version.desc())).scalars().first()
            self.rectification = s.execute(select(Rectification.id).where(Rectification.status == "open")).scalars().first()
            self.evaluation = s.execute(select(Assignment.evaluation_id)).scalars().first()
        self.project_form = {k: getattr(self.project, k) for k in project_writes.ProjectCreate.model_fields}
        # an evaluation of our own for the scorecard: the evaluator's assignment, declared, empty
        with reading(e) as s:
            # (an evaluation of a 微创投 application has no project: NOT IN with a NULL would match nothing)
            used = set(s.execute(select(text("project_id")).select_from(text("evaluation"))).scalars()) - {None}
            fresh = s.execute(select(Project.id).where(Project.id.notin_(used)).order_by(Project.id)).scalars().first()
        created = evaluations.create_evaluation(e, actor=self.admin, data={
            "project_id": fresh, "template_id": self.template.id, "agency": "测试评估机构",
            "due_on": clock.today() + timedelta(days=30), "evaluator_ids": [self.evaluator.user_id],
            "assign_reason": "测试：手动指派"})
        with reading(e) as s:
            self.assignment = s.execute(select(Assignment.id).where(Assignment.evaluation_id == created.id)).scalar_one()
        scorecard_entry.declare(e, actor=self.evaluator, assignment_id=self.assignment, conflict=False)
        template = eval_templates.get_template(e, actor=self.admin, template_id=self.template.id)
        self.indicators = [i.id for i in template.indicators]
        self.template_form = {"code": self.template.code, "round": self.template.round, "name": "测试模板",
                              "name_en": "Test template", "indicators": [
                                  {"code": f"T{n}", "group": "process", "name": f"指标{n}", "name_en": f"Item {n}",
                                   "max_points": 25} for n in range(4)]}
        self.draft_campaign, self.draft_cases = make_campaign(e, cases=2, open_=False)
        self.open_campaign, self.open_cases = make_campaign(e, cases=3)
        now = clock.utcnow()
        self.campaign_form = {"title": "测试评选活动", "year": clock.today().year, "org_unit_id": self.district,
                              "opens_at": now + timedelta(days=1), "closes_at": now + timedelta(days=5),
                              "per_voter_per_day": 3, "per_case_per_day": 1}
        self.closed_campaign, closed_cases = make_campaign(e, cases=2)
        voting.close_campaign(e, actor=self.admin, campaign_id=self.closed_campaign)
        self.void_form = {"case_id": closed_cases[0], "kind": "burst", "day": str(clock.today()), "hour": 3,
                          "reason": "同一时段异常集中"}
        self.phone_seq = 0
        # 社区营造: 紫荆社区's staff, a resident's ticket, and a proposal at each step a form acts on
        self.community_staff, self.community = users.actor_for(e, "community"), community_id(e)
        self.resident = resident_ticket(e, "13900139099")
        self.submitted, self.waiting = proposals_in(e, "submitted")[0], proposals_in(e, "to_council")[:2]
        self.adopted = proposals_in(e, "adopted")[0]
        self.meeting_form = {"community_id": self.community, "held_on": clock.today(), "place": "议事厅",
                             "residents": 9, "committee": 3, "social_orgs": 1, "units": 1, "grid_council": 2,
                             "minutes": "会议逐项审议居民提案并举手表决。", "agenda": self.waiting}

    def snapshot(self) -> tuple:
        """Row counts of every table, and a digest of the rows the forms here can change."""
        tables = SQLModel.metadata.sorted_tables
        by_name = {t.name: t for t in tables}
        watched = [(by_name[name], None) for name in _SMALL] + [
            (by_name["project"], by_name["project"].c.id == self.project.id),
            (by_name["evaluation"], by_name["evaluation"].c.id == self.evaluation),
            (by_name["assignment"], by_name["assignment"].c.id == self.assignment),
            (by_name["score"], by_name["score"].c.assignment_id == self.assignment),
            (by_name["grid_report"], by_name["grid_report"].c.grid_id == self.grid),
            (by_name["indicator_value"], by_name["indicator_value"].c.grid_id == self.grid),
            (by_name["proposal"], by_name["proposal"].c.community_id == self.community),
            (by_name["council_meeting"], by_name["council_meeting"].c.community_id == self.community),
        ]
        with self.engine.connect() as conn:
            counts = conn.execute(select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables])).one()
            digest = hashlib.sha256()
            for table, where in watched:
                query = select(table).order_by(*table.primary_key.columns)
                for row in conn.execute(query if where is None else query.where(where)):
                    digest.update(repr(tuple(row)).encode())
        return tuple(counts), digest.hexdigest()


_SMALL = ("app_user", "campaign", "vote_case", "score_template", "template_indicator", "rectification", "org_rating",
          "vote_quota", "vote_challenge", "vote_throttle")


# Refusals that write on purpose: a wrong vote code counts as one of its five tries.
COUNTED_REFUSALS = {"vote.error.code_wrong", "vote.error.code_locked"}


def refused_cleanly(world: _World, call) -> None:
    """The property: success, or a DomainError with the database untouched."""
    before = world.snapshot()
    try:
        call()
    except DomainError as err:
        assert isinstance(err.code, str) and err.code
        if err.code not in COUNTED_REFUSALS:
            assert world.snapshot() == before, f"{err.code}: refused, but the database changed"


# --- forms ------------------------------------------------------------------------------------------

@EXAMPLES
@given(data=st.data())
def test_user_forms(world, data):
    form = data.draw(hostile({"username": "zhang_san", "display_name": "张三", "password": "Abcdef@2026x",
                              "role": "street", "scope_id": world.street.scope_id}))
    refused_cleanly(world, lambda: users.create_user(world.engine, actor=world.admin, data=form))
    password = data.draw(st.one_of(TEXT, st.none()))
    refused_cleanly(world, lambda: users.reset_password(world.engine, actor=world.admin, user_id=world.street.user_id,
                                                        new_password=password))


@EXAMPLES
@given(data=st.data())
def test_project_forms(world, data):
    form = data.draw(hostile(world.project_form))
    refused_cleanly(world, lambda: project_writes.create_project(world.engine, actor=world.admin, data=form))
    edit = data.draw(hostile(world.project_form))
    code = data.draw(st.one_of(st.just(world.project.code), TEXT))
    refused_cleanly(world, lambda: project_writes.update_project(world.engine, actor=world.admin, code=code, data=edit))
    reason = data.draw(st.one_of(TEXT, st.none()))
    refused_cleanly(world, lambda: project_writes.move_back(world.engine, actor=world.admin, code=code, reason=reason))


@EXAMPLES
@given(data=st.data())
def test_social_org_rating(world, data):
    form = data.draw(hostile({"grade": 4, "score": 880, "rated_on": clock.today() - timedelta(days=3), "note": "年检"}))
    refused_cleanly(world, lambda: social_orgs.record_rating(world.engine, actor=world.admin, org_id=world.org, data=form))


@EXAMPLES
@given(data=st.data())
def test_template_forms(world, data):
    indicator = data.draw(hostile(world.template_form["indicators"][0]))
    form = data.draw(hostile({**world.template_form, "code": "hostile-tpl"}))
    if isinstance(form, dict) and data.draw(st.booleans()):
        form["indicators"] = [indicator] + world.template_form["indicators"][1:]
    refused_cleanly(world, lambda: eval_templates.create_template(world.engine, actor=world.admin, data=form))


@EXAMPLES
@given(data=st.data())
def test_evaluation_and_scorecard_forms(world, data):
    form = data.draw(hostile({"project_id": world.project.id, "template_id": world.template.id, "agency": "某评估机构",
                              "due_on": clock.today() + timedelta(days=9), "evaluator_ids": [world.evaluator.user_id],
                              "assign_reason": "测试：手动指派"}))
    refused_cleanly(world, lambda: evaluations.create_evaluation(world.engine, actor=world.admin, data=form))
    report = data.draw(hostile({"summary": "总体良好", "conclusion": "合格", "findings": "台账不全", "recommendations": "补齐"}))
    refused_cleanly(world, lambda: evaluations.update_report(world.engine, actor=world.admin,
                                                             evaluation_id=world.evaluation, data=report))
    key = st.one_of(st.sampled_from(world.indicators), TEXT, NUMBER)
    entry = st.one_of(hostile({"points": 10, "comment": "记录完整"}), ANY)
    scores = data.draw(st.dictionaries(key, entry, max_size=4))
    refused_cleanly(world, lambda: scorecard_entry.save_scores(world.engine, actor=world.evaluator,
                                                           assignment_id=world.assignment, scores=scores))
    reason = data.draw(st.one_of(TEXT, st.none()))
    refused_cleanly(world, lambda: evaluations.reopen(world.engine, actor=world.admin, assignment_id=world.assignment,
                                                      reason=reason))


@EXAMPLES
@given(data=st.data())
def test_rectification_forms(world, data):
    item = hostile({"finding": "台账资料不完整", "owner": "项目负责人", "due_on": clock.today() + timedelta(days=20)})
    items = data.draw(st.lists(item, max_size=3))
    refused_cleanly(world, lambda: rectifications.create_items(world.engine, actor=world.admin,
                                                               evaluation_id=world.evaluation, items=items))
    evidence = data.draw(st.one_of(TEXT, st.none()))
    closed_on = data.draw(st.one_of(st.none(), st.dates(), TEXT))
    if world.rectification:
        refused_cleanly(world, lambda: rectifications.close_item(world.engine, actor=world.admin,
                                                                 item_id=world.rectification, evidence=evidence,
                                                                 closed_on=closed_on))


@EXAMPLES
@given(data=st.data())
def test_vote_admin_forms(world, data):
    form = data.draw(hostile(world.campaign_form))
    refused_cleanly(world, lambda: voting.create_campaign(world.engine, actor=world.admin, data=form))
    edit = data.draw(hostile(world.campaign_form))
    refused_cleanly(world, lambda: voting.update_campaign(world.engine, actor=world.admin,
                                                          campaign_id=world.draft_campaign, data=edit))
    case = data.draw(hostile({"title": "某案例", "organization": "某服务中心", "theme": "education", "summary": "简介"}))
    refused_cleanly(world, lambda: voting.update_case(world.engine, actor=world.admin, case_id=world.draft_cases[0],
                                                      data=case))
    score = data.draw(ANY)
    refused_cleanly(world, lambda: voting.set_expert_score(world.engine, actor=world.admin,
                                                           case_id=world.draft_cases[1], score=score))
    void = data.draw(hostile(world.void_form))
    refused_cleanly(world, lambda: vote_review.void_votes(world.engine, actor=world.admin,
                                                          campaign_id=world.closed_campaign, data=void))


@EXAMPLES
@given(data=st.data())
def test_public_vote_inputs(world, data):
    world.phone_seq += 1
    phone = data.draw(st.one_of(TEXT, st.just(f"1360000{world.phone_seq:04d}"), st.none()))
    address = data.draw(st.one_of(TEXT, st.none(), st.just(f"10.7.{world.phone_seq % 250}.1")))
    refused_cleanly(world, lambda: vote_codes.request_code(world.engine, campaign_id=world.open_campaign, phone=phone,
                                                           client_address=address))
    code = data.draw(st.one_of(TEXT, st.none(), st.text(alphabet="0123456789٠١٢３", min_size=6, max_size=6)))
    refused_cleanly(world, lambda: vote_codes.verify_code(world.engine, campaign_id=world.open_campaign, phone=phone,
                                                          code=code))
    ticket = data.draw(st.one_of(TEXT, st.none()))
    picks = data.draw(st.lists(st.one_of(st.sampled_from(world.open_cases), ANY), max_size=60))
    refused_cleanly(world, lambda: vote_ballot.cast_votes(world.engine, ticket=ticket, case_ids=picks, client_address=address))


@settings(EXAMPLES, max_examples=5)  # six entry points a draw: fewer draws keep its time near the others'
@given(data=st.data())
def test_community_forms(world, data):
    e, staff = world.engine, world.community_staff
    form = data.draw(hostile({"community_id": world.community, "theme": "elderly", "title": "楼道加装扶手",
                              "problem": "老楼没有扶手，老人上下楼很吃力。", "suggestion": "在楼道两侧加装扶手。",
                              "estimate": 12000}))
    ticket = data.draw(st.one_of(st.just(world.resident), TEXT, st.none()))
    refused_cleanly(world, lambda: proposals.submit_proposal(e, ticket=ticket, data=form))
    answer, into = data.draw(st.one_of(TEXT, st.none())), data.draw(st.one_of(st.just(world.waiting[0]), ANY))
    proposal = data.draw(st.one_of(st.just(world.submitted), ANY))
    refused_cleanly(world, lambda: triage.merge(e, actor=staff, proposal_id=proposal, into_id=into, answer=answer))
    refused_cleanly(world, lambda: triage.decline(e, actor=staff, proposal_id=world.submitted, answer=answer))
    meeting = data.draw(hostile(world.meeting_form))
    refused_cleanly(world, lambda: councils.create_meeting(e, actor=staff, data=meeting))
    decision = data.draw(hostile({"outcome": "adopted", "votes_for": 9, "votes_against": 3, "votes_abstain": 2,
                                  "note": "表决通过"}))
    meeting_id = data.draw(st.one_of(st.integers(-3, 3000), TEXT))
    refused_cleanly(world, lambda: councils.record_decision(e, actor=staff, meeting_id=meeting_id,
                                                            proposal_id=world.waiting[0], data=decision))
    funding = data.draw(hostile({"route": "community", "funding_source": "guarantee_fund", "funding_amount": 20000}))
    refused_cleanly(world, lambda: adoption.fund(e, actor=staff, proposal_id=world.adopted, data=funding))


# --- grid reports: the form and the import --------------------------------------------------------------

GRID_FORM = {"activities": 3, "served": 120, "visits": 40, "volunteers": 8, "funds": 2000, "problems_carried": 2,
             "problems_reported": 6, "problems_solved": 5, "respondents": 30, "satisfied": 27}


@EXAMPLES
@given(data=st.data())
def test_grid_report_form(world, data):
    values = data.draw(hostile(GRID_FORM, extra=st.one_of(NUMBER, TEXT, st.none())))
    period = data.draw(st.one_of(st.just(current_month()), TEXT))
    refused_cleanly(world, lambda: grid_reports.submit_report(world.engine, actor=world.street, grid_id=world.grid,
                                                              period=period, values=values, confirm_outliers=True))
    reason = data.draw(st.one_of(TEXT, st.none()))
    refused_cleanly(world, lambda: grid_reports.reopen(world.engine, actor=world.admin, grid_id=world.grid,
                                                       period=period, reason=reason))


def _sheet(world, cells: list[list]) -> pd.DataFrame:
    frame = grid_import.template(world.engine, actor=world.street, period=current_month()).head(3).astype(object)
    for row, values in zip(range(len(frame)), cells):
        for column, value in zip(frame.columns[2:], values):
            frame.iat[row, list(frame.columns).index(column)] = value
    return frame


@EXAMPLES
@given(data=st.data())
def test_grid_import(world, data):
    cells = data.draw(st.lists(st.lists(st.one_of(NUMBER, TEXT, st.none()), max_size=10), max_size=3))
    frame = _sheet(world, cells)
    if data.draw(st.booleans()):
        frame.columns = [data.draw(st.one_of(st.just(c), TEXT)) for c in frame.columns]
    kind = data.draw(st.sampled_from(["csv", "xlsx", "bytes", "truncated"]))
    if kind == "xlsx":
        buffer = io.BytesIO()
        try:
            frame.to_excel(buffer, index=False)
        except Exception:  # openpyxl refuses some characters: then the file is just bytes
            buffer = io.BytesIO(frame.to_csv(index=False).encode("utf-8", "surrogatepass"))
        payload, name = buffer.getvalue(), "月报.xlsx"
    else:
        payload = frame.to_csv(index=False).encode("utf-8", "surrogatepass")
        name = data.draw(st.sampled_from(["月报.csv", "x.XLSX", "无扩展名", "a.xlsm"]))
        if kind == "bytes":
            payload = data.draw(st.binary(max_size=2000))
        elif kind == "truncated":
            payload = payload[: data.draw(st.integers(0, len(payload)))]
    period = data.draw(st.one_of(st.just(current_month()), TEXT))
    refused_cleanly(world, lambda: grid_import.import_month(world.engine, actor=world.street, period=period,
                                                            data=payload, filename=name, confirm_outliers=True))


def test_accepted_periods_are_plain_ascii_months(world):
    """Full-width or Arabic-Indic digits pass str.isdigit(): such a "month" must be refused, not stored."""
    for period in ("２０２６-０５", "٢٠٢٦-٠٥"):
        with pytest.raises(DomainError):
            grid_reports.month_text(period)
