"""五社联动 in the db layer, on the seeded demo (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set): 番禺区's
dashboard reproduces seed 003's linkage totals, each derived from rows; the registries' writes check role and scope,
name the bad field, write nothing on a refusal and are audited; a write moves the figures it should; the special
fund's 3A+ rewards follow the rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import clock, unit_registry, users
from db.engine import reading
from db.errors import DomainError, NotFound, PermissionDenied
from db.funds import ledger, rewards, rounds
from db.funds import rules as fund_rules
from db.linkage import dashboard, reads, registry
from db.linkage import overview as linkage_overview
from db.models import AuditLog, OrgUnit
from db.models.funds import CommunityFund, FundEntry, GrantApplication, GrantRound
from db.models.linkage import CommunityEnterprise, LinkageActivity, SocialWorker, SocialWorkStation
from db.overview import headline
from factories.records import community_id, count_rows, district_id

pytestmark = pytest.mark.db

SEED_003 = {"streets": 16, "communities": 275, "communities_total": 275, "orgs_incubated": 1_825,
            "enterprises": 983, "projects_funded": 57, "microgrant_funded": 71, "activities": 4_553,
            "problems_solved": 2_689, "people_served": 290_000}


def _refused(call, code: str, field: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as err:
        call()
    assert err.value.code == code, err.value
    if field is not None:
        assert err.value.field == field, err.value
    return err.value


def test_the_panyu_dashboard_reproduces_seed_003s_linkage(refusing_engine):
    engine = refusing_engine
    panyu = users.actor_for(engine, "panyu")
    shown = dashboard.figures(engine, actor=panyu)
    assert {k: getattr(shown, k) for k in SEED_003} == SEED_003
    assert shown.raised >= 20_000_000 and shown.raised_funds == 8_000_000  # 2,000万元+: 800万 through the funds
    assert (shown.stations, shown.workers) == (16, 16 * 3 + 275)
    rows = dashboard.by_unit(engine, actor=panyu)
    assert len(rows) == 16 and rows["in_linkage"].sum() == 275 and rows["orgs"].sum() == 1_825
    assert (rows["activities"].sum(), rows["people_served"].sum(), rows["raised"].sum()) == (
        4_553, 290_000, shown.raised)
    # one street, then one of its communities: the parts add up to no more than the whole
    street = int(rows.iloc[0]["unit_id"])
    part = dashboard.figures(engine, actor=panyu, unit_id=street)
    assert (part.streets, part.communities, part.activities) == (1, rows.iloc[0]["in_linkage"],
                                                                  rows.iloc[0]["activities"])
    communities = dashboard.by_unit(engine, actor=panyu, unit_id=street)
    assert communities["activities"].sum() <= part.activities and communities["orgs"].isna().all()
    one = dashboard.figures(engine, actor=panyu, unit_id=int(communities.iloc[0]["unit_id"]))
    assert one.communities == 1 and one.orgs_by_street and one.orgs_incubated == part.orgs_incubated
    # this year alone: registries as they stand, money and activities of the year
    year = dashboard.figures(engine, actor=panyu, year=clock.today().year)
    assert year.enterprises == 983 and 0 < year.activities < 4_553 and year.raised < shown.raised
    months = dashboard.by_month(engine, actor=panyu, year=clock.today().year)
    assert months["activities"].sum() == year.activities and months["month"].is_monotonic_increasing
    # 锦江区's leader sees none of it; an out-of-district street of 番禺 is refused; the evaluator reads nothing
    leader = dashboard.figures(engine, actor=users.actor_for(engine, "leader"))
    assert (leader.stations, leader.enterprises, leader.activities) == (0, 0, 0) and leader.orgs_incubated < 1_825
    with pytest.raises(PermissionDenied):
        dashboard.figures(engine, actor=users.actor_for(engine, "leader"), unit_id=street)
    with pytest.raises(PermissionDenied):
        dashboard.figures(engine, actor=users.actor_for(engine, "evaluator"))
    # the special fund's 3A+ rewards: the rule applied to each organization's rating in force on the reward day
    summary, listed = rewards.rewards(engine, actor=panyu, year=clock.today().year)
    assert summary.organizations == len(listed) > 0 and summary.total == listed["reward"].sum() <= summary.fund
    assert (listed["grade"] >= 3).all() and (listed["valid_until"] >= summary.day).all()
    assert all(r == fund_rules.reward_for(g) for g, r in zip(listed["grade"], listed["reward"]))
    assert summary.by_grade == {g: int((listed["grade"] == g).sum()) for g in (3, 4, 5)}
    assert fund_rules.reward_for(2) == 0 and fund_rules.reward_for(None) == 0
    assert rewards.rewards(engine, actor=users.actor_for(engine, "leader"), year=clock.today().year)[0].total >= 0


def test_the_registry_lists_read_their_first_rows_and_count_them_all(refusing_engine):
    """The page draws the first rows (a LIMIT) and says how many there are: both must agree with the full lists."""
    engine, year = refusing_engine, clock.today().year
    panyu = users.actor_for(engine, "panyu")
    sizes = reads.sizes(engine, actor=panyu, year=year)
    for kind, read in (("stations", lambda **k: reads.stations(engine, actor=panyu, **k)),
                       ("workers", lambda **k: reads.workers(engine, actor=panyu, **k)),
                       ("enterprises", lambda **k: reads.enterprises(engine, actor=panyu, **k)),
                       ("activities", lambda **k: reads.activities(engine, actor=panyu, year=year, **k))):
        every = read()
        assert sizes[kind] == len(every) > 10, kind
        assert read(limit=10).equals(every.head(10)), kind


def test_the_rows_to_mark_as_left_are_the_places_first_found_by_a_part_of_their_name(refusing_engine):
    """退出或恢复's picker: the first rows of a kind at the place, as the lists order them; a part of a name narrows
    them (typed % and _ are letters); another street's rows stay out of a street's staff's reach."""
    engine = refusing_engine
    admin, panyu, street = (users.actor_for(engine, u) for u in ("admin", "panyu", "street"))
    shiqiao = district_id(engine, "440113001")
    every = reads.enterprises(engine, actor=panyu, unit_id=shiqiao)
    first = reads.switchable(engine, actor=admin, kind="enterprise", unit_id=shiqiao, limit=5)
    assert len(every) > 5 and first["id"].tolist() == every["id"].head(5).tolist()
    assert list(first.columns) == ["id", "name", "unit_id", "unit", "street", "active"]
    name = every["name"].iloc[7]
    found = reads.switchable(engine, actor=panyu, kind="enterprise", named=f" {name[1:-1]} ")
    assert name in found["name"].tolist() and all(name[1:-1] in n for n in found["name"])
    assert reads.switchable(engine, actor=admin, kind="worker", named="%").empty
    assert reads.switchable(engine, actor=admin, kind="station", named="_").empty
    assert reads.switchable(engine, actor=street, kind="enterprise", named=name[1:-1]).empty  # 番禺区's, not theirs
    with pytest.raises(PermissionDenied):
        reads.switchable(engine, actor=street, kind="enterprise", unit_id=shiqiao)
    _refused(lambda: reads.switchable(engine, actor=admin, kind="grid"), "rule.choice", "kind")


def test_registry_writes_check_scope_name_the_field_and_move_the_figures(engine):
    admin, street = users.actor_for(engine, "admin"), users.actor_for(engine, "street")
    community, leader = users.actor_for(engine, "community"), users.actor_for(engine, "leader")
    today = clock.today().isoformat()
    with reading(engine) as s:
        home = s.get(OrgUnit, community_id(engine))
        other_street = s.execute(select(OrgUnit.id).where(OrgUnit.level == "street",
                                                          OrgUnit.district_id == district_id(engine),
                                                          OrgUnit.id != home.street_id)).scalars().first()
    before = dashboard.figures(engine, actor=street)
    # refusals, each naming its field, writing nothing
    rows = count_rows(engine, SocialWorkStation)
    _refused(lambda: registry.create_station(engine, actor=street, data={
        "name": "春", "unit_id": home.street_id, "operator": "春熙路社工服务中心", "opened_on": today}),
        "rule.min_length", "name")
    _refused(lambda: registry.create_station(engine, actor=admin, data={
        "name": "春熙路街道社工站", "unit_id": district_id(engine), "operator": "春熙路社工服务中心",
        "opened_on": today}), "lk.error.unit_level", "unit_id")
    _refused(lambda: registry.create_station(engine, actor=street, data={
        "name": "春熙路街道社工站", "unit_id": home.street_id, "operator": "春熙路社工服务中心",
        "opened_on": (clock.today() + timedelta(days=1)).isoformat()}), "lk.error.future_day", "opened_on")
    with pytest.raises(PermissionDenied):
        registry.create_station(engine, actor=street, data={"name": "别的街道社工站", "unit_id": other_street,
                                                            "operator": "某社工机构", "opened_on": today})
    with pytest.raises(PermissionDenied):
        registry.create_station(engine, actor=leader, data={"name": "春熙路街道社工站", "unit_id": home.street_id,
                                                            "operator": "某社工机构", "opened_on": today})
    assert count_rows(engine, SocialWorkStation) == rows
    # the street's station, a worker for the community, an enterprise and an activity there
    station = registry.create_station(engine, actor=street, data={
        "name": " 春熙路街道社工站 ", "unit_id": home.street_id, "operator": "春熙路社工服务中心", "opened_on": today}).id
    with pytest.raises(NotFound):  # the street's station lies outside a community worker's scope
        registry.create_worker(engine, actor=community, data={"name": "李娜", "station_id": station,
                                                              "unit_id": home.id, "qualification": "assistant",
                                                              "joined_on": today})
    _refused(lambda: registry.create_worker(engine, actor=admin, data={
        "name": "李娜", "station_id": station, "unit_id": other_street, "qualification": "assistant",
        "joined_on": today}), "lk.error.other_street", "unit_id")
    _refused(lambda: registry.create_worker(engine, actor=street, data={
        "name": "李娜", "station_id": station, "unit_id": home.id, "qualification": "master", "joined_on": today}),
        "rule.choice", "qualification")
    registry.create_worker(engine, actor=street, data={"name": "李娜", "station_id": station, "unit_id": home.id,
                                                       "qualification": "assistant", "joined_on": today})
    _refused(lambda: registry.create_enterprise(engine, actor=community, data={
        "name": "紫荆物业", "unit_id": home.id, "contribution_kind": "money", "contribution": "活动经费",
        "value": -5, "engaged_on": today}), "rule.ge", "value")
    firm = registry.create_enterprise(engine, actor=community, data={
        "name": "紫荆物业管理有限公司", "unit_id": home.id, "contribution_kind": "venue", "contribution": "提供活动场地",
        "value": 30_000, "engaged_on": today}).id
    registry.record_activity(engine, actor=community, data={
        "title": "邻里议事会", "organizer": "committee", "unit_id": home.id, "held_on": today, "participants": 30,
        "people_served": 45, "problems_solved": 2})
    after = dashboard.figures(engine, actor=street)
    assert (after.stations, after.workers, after.enterprises) == (before.stations + 1, before.workers + 1,
                                                                  before.enterprises + 1)
    assert after.raised == before.raised + 30_000 and after.raised_enterprises == before.raised_enterprises + 30_000
    assert (after.activities, after.problems_solved, after.people_served) == (
        before.activities + 1, before.problems_solved + 2, before.people_served + 45)
    assert after.communities >= before.communities  # 紫荆: its fund, its street's organizations, now social work too
    assert list(reads.stations(engine, actor=street)["name"]) == ["春熙路街道社工站"]  # typed spaces trimmed
    # leaving the linkage: the row stays, the figures drop; out of scope reads as not found
    registry.set_active(engine, actor=community, kind="enterprise", row_id=firm, active=False)
    assert dashboard.figures(engine, actor=street).enterprises == before.enterprises
    with pytest.raises(NotFound):
        registry.set_active(engine, actor=community, kind="station", row_id=station, active=False)
    with pytest.raises(PermissionDenied):
        registry.set_active(engine, actor=leader, kind="enterprise", row_id=firm, active=True)
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(5)).scalars().all()[::-1]
    assert actions == ["lk_station", "lk_worker", "lk_enterprise", "lk_activity", "lk_enterprise_active"]
    # 紫荆社区 moves to another street: its enterprise and activity go with it, the street's station stays, its worker
    # joins the new street's station (tests/test_unit_moves.py: refused while that street has none)
    with reading(engine) as s:
        shuyuan = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104002")).scalar_one()
    joined = registry.create_station(engine, actor=admin, data={
        "name": "书院街街道社工站", "unit_id": shuyuan, "operator": "书院街社工服务中心", "opened_on": today}).id
    unit_registry.move_unit(engine, actor=admin, unit_id=home.id, data={"parent_code": "510104002",
                                                                       "reason": "区划调整：并入书院街"})
    with reading(engine) as s:
        moved = {s.get(CommunityEnterprise, firm).street_id, *s.execute(select(LinkageActivity.street_id).where(
            LinkageActivity.community_id == home.id)).scalars(), s.execute(select(SocialWorker.street_id).where(
                SocialWorker.community_id == home.id)).scalar_one()}
        assert moved == {s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104002")).scalar_one()}
        assert s.get(SocialWorkStation, station).street_id == home.street_id
        assert s.execute(select(SocialWorker.station_id).where(SocialWorker.community_id == home.id)).scalar_one() == joined
    assert dashboard.figures(engine, actor=street).activities == before.activities


def test_the_overview_card_and_its_two_alerts_follow_the_rows(engine):
    """The headline card is the dashboard's figures; a round past its window with pool not awarded is flagged until
    it is closed; a fund with no donation this year is flagged until one comes; both scoped like the other alerts."""
    today, year = clock.today(), clock.today().year
    panyu, admin = users.actor_for(engine, "panyu"), users.actor_for(engine, "admin")
    ov = headline.overview(engine, actor=panyu, year=year, today=today)
    alerts = {a.kind: a for a in ov.alerts}
    with reading(engine) as s:
        (round_id, pool), = s.execute(select(GrantRound.id, GrantRound.pool)).all()
        donated = set(s.execute(select(FundEntry.fund_id).where(
            FundEntry.kind == "donation", FundEntry.entry_on >= today.replace(month=1, day=1),
            FundEntry.district_id == panyu.scope_id)).scalars())
        funds = s.execute(select(CommunityFund.id).where(CommunityFund.district_id == panyu.scope_id)
                          .order_by(CommunityFund.id)).scalars().all()
    quiet = [f for f in funds if f not in donated]
    assert alerts["round_closing"].count == 1 and alerts["round_closing"].params == {"round": round_id}
    with reading(engine) as s:
        awarded = s.execute(select(func.sum(GrantApplication.awarded))).scalar_one()
    assert ov.linkage.uncommitted == pool - awarded > 0
    assert alerts["fund_quiet"].count == len(quiet) > 0
    assert ov.linkage.year == dashboard.figures(engine, actor=panyu, year=year)
    assert ov.linkage.last_year == dashboard.figures(engine, actor=panyu, year=year - 1)
    # 锦江区's leader: no round of theirs; their own quiet funds only
    mine = {a.kind: a.count for a in headline.overview(engine, actor=users.actor_for(engine, "leader"), year=year,
                                                       today=today).alerts}
    assert "round_closing" not in mine and mine.get("fund_quiet", 0) <= 20
    # a donation to a quiet fund, and the round's closing report, clear what they should
    ledger.record_donation(engine, actor=admin, fund_id=quiet[0], data={
        "amount": 500, "entry_on": today.isoformat(), "donor_kind": "resident", "anonymous": True})
    rounds.close_round(engine, actor=admin, round_id=round_id, data={"closing_report": "本轮微创投已全部结项，剩余资金转入下一轮。"})
    closing, first, left, still_quiet = linkage_overview.alert_facts(engine, actor=panyu, today=today)
    assert (closing, first, left, still_quiet) == (0, None, 0, len(quiet) - 1)
    # a round still open, its window ending in three days, nothing awarded: flagged before its window ends
    new = rounds.create_round(engine, actor=admin, data={
        "name": "番禺区社区微创投（第二轮）", "unit_id": panyu.scope_id, "opens_on": (today - timedelta(days=20)).isoformat(),
        "closes_on": (today + timedelta(days=3)).isoformat(), "cap": 20_000, "cofund_pct": 20,
        "registrations": ["filed"], "org_kinds": ["community"]}).id
    rounds.add_source(engine, actor=admin, round_id=new, data={"kind": "special", "amount": 100_000,
                                                               "added_on": today.isoformat()})
    assert linkage_overview.alert_facts(engine, actor=panyu, today=today)[:3] == (1, new, 100_000)
    assert linkage_overview.alert_facts(engine, actor=panyu, today=today - timedelta(days=30))[0] == 0
