"""The pipeline at the db layer: demo figures, scope, every rule's rejection (naming the field), stage
moves with their history and audit rows, ratings, compliance checks and the catalogue."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from components.texts import translate
from db import audit, clock, users
from db.engine import reading
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import AuditLog, OrgUnit
from db.models.pipeline import OrgRating, Project, SocialOrg, StageEvent
from db.overview.reads import money_by
from db.pipeline import catalogue, compliance, projects, rules, social_orgs
from db.pipeline import writes as project_writes
from db.pipeline.projects import ProjectFilter
from db.validation import DATE_MAX, DATE_MIN, MONEY_MAX, InvalidInput

pytestmark = pytest.mark.calendar("year", "leap")  # this area's dates turn on days, months and years (the turn of a
# year is also a day's and a month's), never on the grid reports' due day: those instants add nothing here


def _actor(engine, name):
    return users.actor_for(engine, name)


def _unit(engine, code):
    with reading(engine) as s:
        return s.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one()


def _org(engine, status, district="510104"):
    """A registered organization of the district whose rating status (today) is `status`."""
    with reading(engine) as s:
        query = (select(SocialOrg.id, SocialOrg.name).join(OrgUnit, OrgUnit.id == SocialOrg.district_id)
                 .where(OrgUnit.code == district, SocialOrg.registration == "registered",
                        social_orgs.rating_status(clock.today()) == status).order_by(SocialOrg.id))
        return s.execute(query).first()


def _project(engine, **where):
    with reading(engine) as s:
        query = select(Project).where(*[getattr(Project, k) == v for k, v in where.items()]).order_by(Project.code)
        return s.execute(query).scalars().first()


def _shift_clock(monkeypatch, days):
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(days=days))


def _valid_data(engine, **changes):
    data = {"title": "春熙路街道社区书院运营项目", "domain": "culture_education", "batch": "2026年项目发布会",
            "year": clock.today().year, "buyer": "春熙路街道办事处", "org_unit_id": _unit(engine, "510104001").id,
            "catalogue_item_id": 7, "off_catalogue_service": None, "contractor_org_id": None, "budget": 300_000,
            "contract_amount": None, "personnel_cost": 150_000, "management_fee": 30_000, "disbursed": 0,
            "started_on": None, "ended_on": None, "target_beneficiaries": 500, "actual_beneficiaries": None}
    data.update(changes)
    return data


def _message(err: DomainError) -> str:
    return translate(err.code, "zh", field=translate(f"pipe.field.{err.field}", "zh"), **err.params)


# ---------------------------------------------------------------- demo data


@pytest.mark.reads_only
def test_jinjiang_2019_release_and_2010_pilot_match_the_seeds(engine):
    leader = _actor(engine, "leader")
    release = projects.summary(engine, actor=leader, filters=ProjectFilter(year=2019, batch="2019年项目发布会"))
    assert (release.projects, release.budget) == (260, 97_300_000)
    domains = projects.by_domain(engine, actor=leader, filters=ProjectFilter(year=2019))
    assert sorted(domains["domain"]) == sorted(rules.DOMAINS) and domains["projects"].sum() == 260
    pilot = projects.summary(engine, actor=leader, filters=ProjectFilter(year=2010))
    assert (pilot.projects, pilot.budget) == (45, 16_630_000)
    with reading(engine) as s:
        streets = s.execute(select(OrgUnit.pilot).join(Project, Project.street_id == OrgUnit.id)
                            .where(Project.year == 2010).distinct()).scalars().all()
    assert streets == [True]


@pytest.mark.reads_only
def test_current_year_spans_every_stage_with_histories_and_overdue_projects(engine):
    admin = _actor(engine, "admin")
    year = clock.today().year
    stages = projects.by_stage(engine, actor=admin, filters=ProjectFilter(year=year))
    counts = dict(zip(stages["stage"], stages["projects"]))
    assert all(counts[stage] > 0 for stage in rules.STAGES), counts
    assert projects.summary(engine, actor=admin, filters=ProjectFilter(year=year)).overdue > 0
    with reading(engine) as s:
        without_history = s.execute(select(func.count()).select_from(Project).where(
            ~Project.id.in_(select(StageEvent.project_id).where(StageEvent.kind == "create")))).scalar_one()
        later = s.execute(select(func.count()).select_from(Project).where(
            Project.stage_due.is_not(None), Project.stage_due < clock.today())).scalar_one()
    assert without_history == 0 and later > 0


@pytest.mark.reads_only
def test_organization_counts_follow_the_seeds(engine):
    admin = _actor(engine, "admin")
    jinjiang, luyuan = _unit(engine, "510104"), _unit(engine, "220106")
    jj = social_orgs.org_counts(engine, actor=admin, filters=social_orgs.SocialOrgFilter(district_id=jinjiang.id))
    assert (jj.registered, jj.filed) == (230, 149)
    kinds = social_orgs.counts_by(engine, actor=admin, by="kind", filters=social_orgs.SocialOrgFilter(district_id=luyuan.id))
    assert dict(zip(kinds["key"], kinds["orgs"])) == {"private_non_enterprise": 118, "social_group": 39, "community": 130}
    grades = dict(zip(*social_orgs.counts_by(engine, actor=admin, by="grade").to_dict("list").values()))
    assert 0 < grades["5A"] < grades["3A"] and grades["unrated"] > 0 and grades["expired"] > 0
    assert 0 < jj.commitment <= jj.total and jj.both_letters <= min(jj.commitment, jj.responsibility)


# ---------------------------------------------------------------- reading and scope


@pytest.mark.reads_only
def test_street_staff_see_only_their_street_and_evaluators_nothing(engine):
    street = _actor(engine, "street")
    frame = projects.list_projects(engine, actor=street)
    assert len(frame) > 0 and set(frame["street_name"]) == {"春熙路街道"}
    assert projects.summary(engine, actor=street).projects == len(frame)
    elsewhere = _project(engine, street_id=_unit(engine, "510104002").id)
    with pytest.raises(NotFound):
        projects.get_project(engine, actor=street, code=elsewhere.code)
    evaluator = _actor(engine, "evaluator")
    for read in (projects.summary, projects.list_projects, compliance.failures, social_orgs.list_orgs):
        with pytest.raises(PermissionDenied):
            read(engine, actor=evaluator)


@pytest.mark.reads_only
def test_aggregates_agree_with_the_list(engine):
    leader = _actor(engine, "leader")
    filters = ProjectFilter(year=clock.today().year, domain="governance")
    frame = projects.list_projects(engine, actor=leader, filters=filters)
    figures = projects.summary(engine, actor=leader, filters=filters)
    assert figures.projects == len(frame) and figures.budget == frame["budget"].sum()
    assert figures.overdue == frame["overdue"].sum()
    assert projects.by_street(engine, actor=leader, filters=filters)["budget"].sum() == figures.budget
    overdue = projects.list_projects(engine, actor=leader, filters=ProjectFilter(overdue_only=True))
    assert len(overdue) and overdue["overdue"].all() and (overdue["days_late"] > 0).all()
    # overdue projects by street (all years): each street's count and budget is the list's, and adds up
    streets = projects.by_street(engine, actor=leader).set_index("street_id")
    late = overdue.groupby("street_id").agg(n=("code", "size"), budget=("budget", "sum"))
    assert streets["overdue"].sum() == len(overdue) == projects.summary(engine, actor=leader).overdue
    assert {k: int(v) for k, v in streets.loc[streets["overdue"] > 0, "overdue"].items()} == late["n"].to_dict()
    assert streets.loc[late.index, "overdue_budget"].tolist() == late["budget"].tolist()
    found = projects.list_projects(engine, actor=leader, filters=ProjectFilter(search=frame["title"].iloc[0][:6]))
    assert frame["code"].iloc[0] in set(found["code"])


# ---------------------------------------------------------------- register and edit: rules


@pytest.mark.timeless
@pytest.mark.parametrize("changes,field,code", [
    ({"budget": 0}, "budget", "rule.gt"),
    ({"budget": 300_000.5}, "budget", "rule.whole_yuan"),
    ({"management_fee": "1200.50"}, "management_fee", "rule.whole_yuan"),
    ({"started_on": date(2026, 5, 1), "ended_on": date(2026, 4, 30)}, "ended_on", "rule.pipe.end_after_start"),
    ({"personnel_cost": 180_001}, "personnel_cost", "rule.pipe.personnel_cap"),
    ({"management_fee": 45_001}, "management_fee", "rule.pipe.management_cap"),
    ({"contract_amount": 200_000, "disbursed": 200_001}, "disbursed", "rule.pipe.disbursed_over_contract"),
    ({"disbursed": 1}, "disbursed", "rule.pipe.disbursed_over_contract"),
    ({"contract_amount": 300_001}, "contract_amount", "rule.pipe.contract_over_budget"),
    ({"catalogue_item_id": None}, "off_catalogue_service", "rule.pipe.catalogue_or_service"),
    ({"domain": "sports"}, "domain", "rule.choice"),
])
def test_each_rule_refuses_and_names_the_field(refusing_engine, changes, field, code):
    engine = refusing_engine  # every case is refused: one shared database
    admin = _actor(engine, "admin")
    with pytest.raises(InvalidInput) as err:
        project_writes.create_project(engine, actor=admin, data=_valid_data(engine, **changes))
    assert (err.value.field, err.value.code) == (field, code)
    assert translate(f"pipe.field.{field}", "zh") in _message(err.value)



# ---------------------------------------------------------------- amounts, counts and dates: bounds


def _project_count(engine):
    with reading(engine) as s:
        return s.execute(select(func.count()).select_from(Project)).scalar_one()


@pytest.mark.timeless
@pytest.mark.parametrize("field", project_writes.MONEY)
@pytest.mark.parametrize("value,code", [
    ("1e308", "rule.money_max"), ("1e309", "rule.money_max"), (2 ** 63, "rule.money_max"), (2 ** 70, "rule.money_max"),
    (10 ** 18, "rule.money_max"), (MONEY_MAX + 1, "rule.money_max"), (float("inf"), "rule.money_max"),
    ("NaN", "rule.number"), (float("nan"), "rule.number"), ("一百万", "rule.number"), ("-inf", "rule.ge"),
    ("1e-3", "rule.whole_yuan"), (True, "rule.integer"),
])
def test_every_amount_is_bounded_and_bad_numbers_get_their_own_reason(refusing_engine, field, value, code):
    """'1e308', 2^63 and up, 10^18, NaN and infinities: a DomainError naming the field, never OverflowError."""
    engine = refusing_engine  # every case is refused: one shared database
    admin = _actor(engine, "admin")
    before = _project_count(engine)
    with pytest.raises(InvalidInput) as err:
        project_writes.create_project(engine, actor=admin, data=_valid_data(engine, **{field: value}))
    assert (err.value.field, err.value.code) == (field, code)
    message = _message(err.value)
    assert translate(f"pipe.field.{field}", "zh") in message
    if code == "rule.money_max":
        assert "不能超过 100 亿元" in message
        assert "10,000,000,000 yuan" in translate(err.value.code, "en", field=field, **err.value.params)
    assert _project_count(engine) == before


def test_amounts_up_to_the_bound_are_kept_and_every_total_still_adds_up(engine):
    """The largest projects allowed fit the columns on both backends; the pipeline's, the overview's and the
    compliance list's totals and cap checks run over them (int4 * 100 overflowed on PostgreSQL)."""
    admin, leader = _actor(engine, "admin"), _actor(engine, "leader")
    year = clock.today().year
    filters = ProjectFilter(year=year)
    start = projects.summary(engine, actor=leader, filters=filters)
    big = {"budget": f"{MONEY_MAX:,}", "contract_amount": MONEY_MAX, "disbursed": MONEY_MAX,
           "personnel_cost": MONEY_MAX * rules.PERSONNEL_CAP_PERCENT // 100, "management_fee": "150000000"}
    codes = [project_writes.create_project(engine, actor=admin, data=_valid_data(engine, **big)).code for _ in range(3)]
    assert projects.get_project(engine, actor=admin, code=codes[0]).budget == MONEY_MAX
    after = projects.summary(engine, actor=leader, filters=filters)
    assert after.budget == start.budget + 3 * MONEY_MAX and after.disbursed == start.disbursed + 3 * MONEY_MAX
    assert projects.by_stage(engine, actor=leader, filters=filters)["budget"].sum() == after.budget
    assert money_by(engine, actor=leader, year=year, by="domain")["budget"].sum() == after.budget
    checks = {c.check: c.reason for c in compliance.project_checks(engine, actor=admin, code=codes[0])}
    assert checks["personnel_share"] == "ok" and checks["management_fee"] == "ok"
    flagged = compliance.failures(engine, actor=admin, filters=filters, check="personnel_share")
    assert not set(codes) & set(flagged["code"])


@pytest.mark.timeless
@pytest.mark.parametrize("changes,field", [
    ({"target_beneficiaries": "1e308"}, "target_beneficiaries"),
    ({"actual_beneficiaries": 2 ** 63}, "actual_beneficiaries"),
    ({"target_beneficiaries": float("nan")}, "target_beneficiaries"),
])
def test_counts_of_people_are_bounded_too(refusing_engine, changes, field):
    engine = refusing_engine  # every case is refused: one shared database
    with pytest.raises(InvalidInput) as err:
        project_writes.create_project(engine, actor=_actor(engine, "admin"), data=_valid_data(engine, **changes))
    assert err.value.field == field and err.value.code in ("rule.le", "rule.number")


@pytest.mark.parametrize("changes,field", [
    ({"started_on": date(1900, 1, 1)}, "started_on"),
    ({"started_on": date(3000, 1, 1)}, "started_on"),
    ({"ended_on": date(9999, 12, 31)}, "ended_on"),
    ({"ended_on": "1999-12-31"}, "ended_on"),
])
def test_project_dates_lie_in_the_sensible_range(refusing_engine, changes, field):
    engine = refusing_engine  # every case is refused: one shared database
    with pytest.raises(InvalidInput) as err:
        project_writes.create_project(engine, actor=_actor(engine, "admin"), data=_valid_data(engine, **changes))
    assert (err.value.field, err.value.code) == (field, "rule.date_range")
    assert DATE_MIN.isoformat() in _message(err.value) and DATE_MAX.isoformat() in _message(err.value)


def test_a_project_may_end_on_the_day_it_starts_but_not_before(engine):
    admin = _actor(engine, "admin")
    day = clock.today()
    one_day = project_writes.create_project(engine, actor=admin, data=_valid_data(engine, started_on=day, ended_on=day))
    assert one_day.started_on == one_day.ended_on == day
    with pytest.raises(InvalidInput) as err:
        project_writes.create_project(engine, actor=admin, data=_valid_data(
            engine, started_on=day, ended_on=day - timedelta(days=1)))
    assert err.value.field == "ended_on" and "开始日期" in _message(err.value)

def test_caps_sit_exactly_at_the_limit_and_follow_the_settings(engine, monkeypatch):
    admin = _actor(engine, "admin")
    ok = project_writes.create_project(engine, actor=admin, data=_valid_data(
        engine, personnel_cost=180_000, management_fee=45_000, contract_amount=300_000, disbursed=300_000))
    assert ok.personnel_cost == 180_000
    monkeypatch.setattr(rules, "PERSONNEL_CAP_PERCENT", 50)
    with pytest.raises(InvalidInput) as err:
        project_writes.create_project(engine, actor=admin, data=_valid_data(engine, personnel_cost=150_001))
    assert err.value.field == "personnel_cost" and err.value.params["cap"] == 50


def test_create_writes_project_event_and_audit_together_or_nothing(engine):
    admin = _actor(engine, "admin")

    def counts():
        with reading(engine) as s:
            return tuple(s.execute(select(func.count()).select_from(t)).scalar_one()
                         for t in (Project, StageEvent, AuditLog))

    before = counts()
    with pytest.raises(DomainError):
        project_writes.create_project(engine, actor=admin, data=_valid_data(engine, org_unit_id=_unit(engine, "510104").id))
    with pytest.raises(DomainError) as unknown:
        project_writes.create_project(engine, actor=admin, data=_valid_data(engine, contractor_org_id=999_999))
    assert unknown.value.field == "contractor_org_id"
    assert counts() == before
    created = project_writes.create_project(engine, actor=admin, data=_valid_data(engine))
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert created.code.startswith(f"510104-{clock.today().year}-") and created.stage == "needs_survey"
    assert created.street_name == "春熙路街道" and created.stage_due == clock.today() + timedelta(days=30)
    history = projects.timeline(engine, actor=admin, project_id=created.id)
    assert list(history["kind"]) == ["create"] and history["username"].iloc[0] == "admin"


@pytest.mark.reads_only
def test_only_admins_write(engine):
    target = _project(engine, stage="needs_survey")
    for name in ("leader", "street", "evaluator"):
        actor = _actor(engine, name)
        with pytest.raises(PermissionDenied):
            project_writes.create_project(engine, actor=actor, data=_valid_data(engine))
        with pytest.raises(PermissionDenied):
            project_writes.advance(engine, actor=actor, code=target.code)
        with pytest.raises(PermissionDenied):
            project_writes.terminate(engine, actor=actor, code=target.code, reason="不再需要此项目")
        with pytest.raises(PermissionDenied):
            social_orgs.record_rating(engine, actor=actor, org_id=1, data={"grade": 3, "rated_on": clock.today()})


def test_edit_records_what_changed_and_refuses_a_broken_rule(engine):
    admin = _actor(engine, "admin")
    project = projects.get_project(engine, actor=admin, code=_project(engine, stage="implementation").code)
    values = project.form_values()
    with pytest.raises(InvalidInput) as err:
        project_writes.update_project(engine, actor=admin, code=project.code,
                                      data={**values, "disbursed": (values["contract_amount"] or 0) + 1})
    assert err.value.field == "disbursed"
    saved = project_writes.update_project(engine, actor=admin, code=project.code,
                                          data={**values, "actual_beneficiaries": 321})
    assert saved.actual_beneficiaries == 321 and saved.stage == project.stage
    event = projects.timeline(engine, actor=admin, project_id=project.id).iloc[0]
    assert event["kind"] == "edit" and event["note"] == "actual_beneficiaries"
    row = audit.search(engine, actor=admin, action="project_update").iloc[0]
    assert row["entity_id"] == project.code and "321" in row["after"]
    with pytest.raises(DomainError) as same:
        project_writes.update_project(engine, actor=admin, code=project.code, data=saved.form_values())
    assert same.value.code == "pipe.error.nothing_changed"


# ---------------------------------------------------------------- stage moves


def test_advance_one_stage_with_event_and_audit(engine):
    admin = _actor(engine, "admin")
    target = _project(engine, stage="needs_survey")
    moved = project_writes.advance(engine, actor=admin, code=target.code, note="需求调研报告已通过评审",
                                   expected_stage="needs_survey")
    assert moved.stage == "goal_setting" and moved.stage_entered_on == clock.today()
    assert moved.stage_due == clock.today() + timedelta(days=rules.STAGE_LIMIT_DAYS["goal_setting"])
    event = projects.timeline(engine, actor=admin, project_id=target.id).iloc[0]
    assert (event["kind"], event["from_stage"], event["to_stage"], event["note"]) == (
        "advance", "needs_survey", "goal_setting", "需求调研报告已通过评审")
    assert audit.search(engine, actor=admin, action="project_advance").iloc[0]["entity_id"] == target.code
    with pytest.raises(DomainError) as stale:
        project_writes.advance(engine, actor=admin, code=target.code, expected_stage="needs_survey")
    assert stale.value.code == "pipe.error.stage_changed"



def test_a_stage_note_over_500_characters_is_refused_not_cut(engine):
    admin = _actor(engine, "admin")
    target = _project(engine, stage="needs_survey")
    with pytest.raises(InvalidInput) as err:
        project_writes.advance(engine, actor=admin, code=target.code, note="说" * 501)
    assert (err.value.field, err.value.code, err.value.params) == ("note", "rule.max_length", {"max_length": 500})
    assert "备注" in _message(err.value) and "500" in _message(err.value)
    assert _project(engine, code=target.code).stage == "needs_survey"
    moved = project_writes.advance(engine, actor=admin, code=target.code, note="  " + "说" * 500 + " ")
    assert moved.stage == "goal_setting"
    assert projects.timeline(engine, actor=admin, project_id=target.id).iloc[0]["note"] == "说" * 500

def _tender_with(engine, status):
    """A tender-stage project whose contractor now has rating `status` and a contract amount."""
    admin = _actor(engine, "admin")
    project = projects.get_project(engine, actor=admin, code=_project(engine, stage="tender").code)
    org = _org(engine, status)
    values = {**project.form_values(), "contractor_org_id": org.id,
              "contract_amount": project.contract_amount or project.budget}
    if values != project.form_values():
        project_writes.update_project(engine, actor=admin, code=project.code, data=values)
    return project.code, org


@pytest.mark.parametrize("status", ["low", "missing"])
def test_tender_refuses_a_contractor_below_3a_unless_an_exception_is_recorded(engine, status):
    admin = _actor(engine, "admin")
    code, org = _tender_with(engine, status)
    with pytest.raises(DomainError) as refused:
        project_writes.advance(engine, actor=admin, code=code)
    assert refused.value.code == f"pipe.error.rating_{status}" and refused.value.field == "contractor_org_id"
    assert org.name in _message(refused.value) and "承接组织" in _message(refused.value)
    with pytest.raises(DomainError) as vague:
        project_writes.advance(engine, actor=admin, code=code, exception_reason="同意")
    assert vague.value.field == "exception_reason"
    assert projects.get_project(engine, actor=admin, code=code).stage == "tender"
    moved = project_writes.advance(engine, actor=admin, code=code, exception_reason="区内唯一具备该服务能力的组织")
    assert moved.stage == "implementation" and moved.rating_exception == "区内唯一具备该服务能力的组织"
    assert "区内唯一" in projects.timeline(engine, actor=admin, project_id=moved.id).iloc[0]["note"]
    assert audit.search(engine, actor=admin, action="project_rating_exception").iloc[0]["entity_id"] == code
    checks = {c.check: c for c in compliance.project_checks(engine, actor=admin, code=code)}
    assert checks["contractor_rating"].status == "exception"


def test_tender_accepts_a_valid_3a_contractor_and_refuses_it_once_expired(engine, monkeypatch):
    admin = _actor(engine, "admin")
    code, org = _tender_with(engine, "ok")
    with reading(engine) as s:
        valid_until = s.get(SocialOrg, org.id).grade_valid_until
    _shift_clock(monkeypatch, (valid_until - clock.today()).days + 1)
    with pytest.raises(DomainError) as expired:
        project_writes.advance(engine, actor=admin, code=code)
    assert expired.value.code == "pipe.error.rating_expired" and expired.value.params["valid_until"] == str(valid_until)
    monkeypatch.undo()
    moved = project_writes.advance(engine, actor=admin, code=code)
    assert moved.stage == "implementation" and moved.rating_exception is None and moved.started_on == clock.today()


def test_tender_needs_a_contractor_and_a_contract_amount(engine):
    admin = _actor(engine, "admin")
    project = projects.get_project(engine, actor=admin, code=_project(engine, stage="tender").code)
    values = {**project.form_values(), "contractor_org_id": None, "contract_amount": None, "disbursed": 0}
    if values != project.form_values():  # on some demo days the first tender project has neither yet
        project_writes.update_project(engine, actor=admin, code=project.code, data=values)
    with pytest.raises(DomainError) as none:
        project_writes.advance(engine, actor=admin, code=project.code, exception_reason="任何理由都不能代替承接组织")
    assert none.value.code == "pipe.error.contractor_required" and none.value.field == "contractor_org_id"
    project_writes.update_project(engine, actor=admin, code=project.code,
                                  data={**values, "contractor_org_id": _org(engine, "ok").id})
    with pytest.raises(DomainError) as amount:
        project_writes.advance(engine, actor=admin, code=project.code)
    assert amount.value.field == "contract_amount"


def test_move_back_and_terminate_need_a_reason(engine):
    admin = _actor(engine, "admin")
    target = _project(engine, stage="evaluation")
    with pytest.raises(DomainError) as missing:
        project_writes.move_back(engine, actor=admin, code=target.code, reason="  ")
    assert missing.value.field == "reason" and missing.value.code == "rule.min_length"
    back = project_writes.move_back(engine, actor=admin, code=target.code, reason="服务记录不全，退回补充实施")
    assert back.stage == "implementation"
    first = _project(engine, stage="needs_survey")
    with pytest.raises(DomainError) as cannot:
        project_writes.move_back(engine, actor=admin, code=first.code, reason="没有上一阶段可退")
    assert cannot.value.code == "pipe.error.cannot_move_back"
    with pytest.raises(DomainError):
        project_writes.terminate(engine, actor=admin, code=first.code, reason="")
    stopped = project_writes.terminate(engine, actor=admin, code=first.code, reason="居民需求已由其他项目覆盖")
    assert stopped.stage == "terminated" and stopped.stage_due is None
    assert stopped.termination_reason == "居民需求已由其他项目覆盖"
    with pytest.raises(DomainError) as done:
        project_writes.advance(engine, actor=admin, code=first.code)
    assert done.value.code == "pipe.error.cannot_advance"
    kinds = list(projects.timeline(engine, actor=admin, project_id=first.id)["kind"])
    assert kinds[0] == "terminate"


def test_follow_up_closes_and_a_closed_project_can_be_reopened(engine):
    admin = _actor(engine, "admin")
    target = _project(engine, stage="follow_up")
    closed = project_writes.advance(engine, actor=admin, code=target.code)
    assert closed.stage == "closed" and closed.stage_due is None and not closed.overdue
    reopened = project_writes.move_back(engine, actor=admin, code=target.code, reason="回访发现问题，继续跟踪")
    assert reopened.stage == "follow_up" and reopened.stage_due is not None


@pytest.mark.reads_only
def test_a_project_becomes_overdue_when_its_stage_limit_passes(engine, monkeypatch):
    admin = _actor(engine, "admin")
    with reading(engine) as s:
        target = s.execute(select(Project).where(Project.stage == "goal_setting", Project.stage_due > clock.today())
                           .order_by(Project.code)).scalars().first()
    before = projects.summary(engine, actor=admin).overdue
    _shift_clock(monkeypatch, (target.stage_due - clock.today()).days + 3)
    late = projects.get_project(engine, actor=admin, code=target.code)
    assert late.overdue and late.days_late == 3
    assert projects.summary(engine, actor=admin).overdue > before
    listed = compliance.failures(engine, actor=admin, check="stage_overdue")
    row = listed[listed["code"] == target.code].iloc[0]
    assert row["days_late"] == 3 and row["status"] == "fail"


# ---------------------------------------------------------------- compliance, catalogue, ratings


@pytest.mark.reads_only
def test_compliance_list_and_detail_share_one_set_of_checks(engine):
    admin = _actor(engine, "admin")
    listed = compliance.failures(engine, actor=admin)
    counts = compliance.failure_counts(engine, actor=admin)
    for check in ("stage_overdue", "contractor_rating", "personnel_share", "management_fee", "disbursed_contract",
                  "catalogue"):
        failing = listed[(listed["check"] == check) & (listed["status"] == "fail")]
        assert len(failing) == counts[check]["fail"] > 0, check
        sample = failing.iloc[0]
        detail = {c.check: c for c in compliance.project_checks(engine, actor=admin, code=sample["code"])}
        assert detail[check].status == "fail" and detail[check].reason == sample["reason"]
    reasons = set(listed.loc[listed["check"] == "contractor_rating", "reason"])
    assert {"expired", "exception"} <= reasons
    # the overview asks for this one check alone, counted over the contracted stages only
    assert compliance.failure_counts(engine, actor=admin, checks=("contractor_rating",)) == {
        "contractor_rating": counts["contractor_rating"]}
    street = _actor(engine, "street")
    assert set(compliance.failures(engine, actor=street)["street_name"]) <= {"春熙路街道"}


@pytest.mark.reads_only
def test_every_project_names_a_catalogue_item_or_is_flagged(engine):
    admin = _actor(engine, "admin")
    items = catalogue.items(engine, actor=admin)
    assert items["category_code"].nunique() == 5 and len(items) >= 30
    outside = catalogue.outside(engine, actor=admin)
    assert len(outside) >= 3 and outside["off_catalogue_service"].notna().all()
    total = projects.summary(engine, actor=admin).projects
    assert items["projects"].sum() + len(outside) == total


def test_recording_a_rating_validates_and_updates_eligibility(engine):
    admin = _actor(engine, "admin")
    org = _org(engine, "low")
    with pytest.raises(InvalidInput) as grade:
        social_orgs.record_rating(engine, actor=admin, org_id=org.id, data={"grade": 6, "rated_on": clock.today()})
    assert grade.value.field == "grade"
    with pytest.raises(InvalidInput) as future:
        social_orgs.record_rating(engine, actor=admin, org_id=org.id,
                                  data={"grade": 4, "rated_on": clock.today() + timedelta(days=1)})
    assert future.value.field == "rated_on" and future.value.code == "rule.pipe.not_future"
    for ancient in (date(1900, 1, 1), "1999-12-31"):
        with pytest.raises(InvalidInput) as old:
            social_orgs.record_rating(engine, actor=admin, org_id=org.id, data={"grade": 4, "rated_on": ancient})
        assert (old.value.field, old.value.code) == ("rated_on", "rule.date_range")
    saved = social_orgs.record_rating(engine, actor=admin, org_id=org.id,
                                      data={"grade": 4, "score": 880, "rated_on": clock.today(), "note": "复评"})
    assert saved.grade == 4 and saved.rating_status == "ok"
    assert saved.grade_valid_until == rules.rating_valid_until(clock.today())
    older = social_orgs.record_rating(engine, actor=admin, org_id=org.id,
                                      data={"grade": 1, "rated_on": clock.today() - timedelta(days=400)})
    assert older.grade == 4, "an older assessment does not replace the current rating"
    history = social_orgs.rating_history(engine, actor=admin, org_id=org.id)
    assert list(history["grade"])[:1] == [4] and len(history) >= 3
    with pytest.raises(DomainError) as twice:
        social_orgs.record_rating(engine, actor=admin, org_id=org.id, data={"grade": 5, "rated_on": clock.today()})
    assert twice.value.field == "rated_on"
    with reading(engine) as s:
        assert s.execute(select(func.count()).select_from(OrgRating).where(OrgRating.org_id == org.id)).scalar_one() \
            == len(history)
    assert audit.search(engine, actor=admin, action="org_rating_create")["entity_id"].tolist().count(str(org.id)) == 2


@pytest.mark.reads_only
def test_street_staff_see_only_organizations_of_their_street(engine):
    street = _actor(engine, "street")
    frame = social_orgs.list_orgs(engine, actor=street)
    assert len(frame) and set(frame["street_name"]) == {"春熙路街道"}
    other = social_orgs.list_orgs(engine, actor=_actor(engine, "admin"),
                                  filters=social_orgs.SocialOrgFilter(street_id=_unit(engine, "510104002").id))
    with pytest.raises(NotFound):
        social_orgs.get_org(engine, actor=street, org_id=int(other["id"].iloc[0]))


@pytest.mark.reads_only
def test_the_organization_list_is_read_as_its_first_rows_and_counted_apart(engine):
    """The page reads the first 200 organizations and counts them with org_counts: the same rows as the head of the
    whole list, and the same number."""
    import pandas as pd

    admin = _actor(engine, "admin")
    for filters in (social_orgs.SocialOrgFilter(), social_orgs.SocialOrgFilter(registration="filed"),
                    social_orgs.SocialOrgFilter(status=None, search="社")):
        whole = social_orgs.list_orgs(engine, actor=admin, filters=filters)
        first = social_orgs.list_orgs(engine, actor=admin, filters=filters, limit=50)
        assert social_orgs.org_counts(engine, actor=admin, filters=filters).total == len(whole) > 50
        # an empty value as such: a nullable integer column whose first rows are all empty comes back as objects
        # (None), the whole list's as floats (NaN); on 29 February 2028 no organization in the first rows is rated
        pd.testing.assert_frame_equal(_empty_as_none(first), _empty_as_none(whole.head(50)))

def _empty_as_none(frame):
    return frame.astype(object).where(frame.notna(), None)


def test_the_project_list_is_read_a_page_at_a_time(refusing_engine):
    """limit and offset page the same ordered list the downloads read whole."""
    leader = users.actor_for(refusing_engine, "leader")
    filters = ProjectFilter(year=2019)
    every = projects.list_projects(refusing_engine, actor=leader, filters=filters)
    pages = [projects.list_projects(refusing_engine, actor=leader, filters=filters, limit=100, offset=offset)
             for offset in (0, 100, 200)]
    assert [len(page) for page in pages] == [100, 100, 60]
    assert [code for page in pages for code in page["code"]] == list(every["code"])


def test_the_audit_logs_newest_id_keys_its_cached_read(refusing_engine):
    """The audit page's cache key: the newest row's id, for admins only."""
    admin, leader = users.actor_for(refusing_engine, "admin"), users.actor_for(refusing_engine, "leader")
    newest = audit.search(refusing_engine, actor=admin, limit=1)
    assert audit.latest_id(refusing_engine, actor=admin) == int(newest["id"].iloc[0]) > 0
    with pytest.raises(PermissionDenied):
        audit.latest_id(refusing_engine, actor=leader)
