"""Moving a unit (db.unit_registry.move_unit): a street to another district, a community to another street, a
grid to another community. The unit keeps its code and its own records; projects stay with the street that
registered them; grid figures count on the new tree (the roll-ups equal a rebuild from scratch); the move is
recorded and audited; every refusal names its rule and leaves nothing behind."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from db import org_units, unit_registry, users
from db.engine import reading, transaction
from db.errors import DomainError, NotFound, PermissionDenied
from db.grids import rollups
from db.models import AuditLog, OrgUnit, UnitMove
from db.models.grids import GridReportRollup, GridStreetReportRollup, GridStreetValueRollup, GridValueRollup
from db.models.pipeline import Project, SocialOrg
from db.pipeline import projects
from db.pipeline import writes as project_writes
from db.spreadsheets import ImportRejected
from db.validation import InvalidInput
from factories.app import signed_in

REASON = "区划调整"
ROLLUPS = (GridValueRollup, GridReportRollup, GridStreetValueRollup, GridStreetReportRollup)


def _unit(engine, code) -> OrgUnit:
    with reading(engine) as s:
        return s.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one()


def _rollups(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {m.__tablename__: sorted(tuple(r) for r in conn.execute(select(m.__table__))) for m in ROLLUPS}


def _street_total(engine, street_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.coalesce(func.sum(GridStreetReportRollup.reports), 0))
                            .where(GridStreetReportRollup.street_id == street_id)).scalar_one()


def _tree(engine) -> list[tuple]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id, parent_id, district_id, street_id, community_id, sort_order "
                                      "FROM org_unit ORDER BY id")))


def _count(engine, model, *where) -> int:
    with reading(engine) as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _same_as_a_rebuild(engine) -> None:
    """The roll-ups a move left behind are those a rebuild from the base tables gives."""
    kept = _rollups(engine)
    with transaction(engine) as session:
        rollups.rebuild(session)
    assert _rollups(engine) == kept


def test_a_community_moves_to_another_street_and_keeps_its_history(engine):
    admin = users.actor_for(engine, "admin")
    community, old, new = _unit(engine, "510104001001"), _unit(engine, "510104001"), _unit(engine, "510104002")
    with reading(engine) as s:
        registered = s.execute(select(Project.code).where(Project.community_id == community.id)).scalars().all()
        sent = s.execute(select(func.sum(GridReportRollup.reports))
                         .where(GridReportRollup.community_id == community.id)).scalar_one()
    before = {street.id: _street_total(engine, street.id) for street in (old, new)}
    assert registered and sent

    moved = unit_registry.move_unit(engine, actor=admin, unit_id=community.id,
                                    data={"parent_code": " 510104002 ", "reason": " 区划调整：\n并入书院街 "})
    assert (moved.code, moved.parent_id, moved.street_id, moved.district_id) == (
        community.code, new.id, new.id, old.district_id)
    with reading(engine) as s:
        grids = s.execute(select(OrgUnit.street_id).where(OrgUnit.community_id == community.id,
                                                          OrgUnit.level == "grid")).scalars().all()
        streets_of_projects = set(s.execute(select(Project.street_id).where(Project.code.in_(registered))).scalars())
    assert grids and set(grids) == {new.id}
    assert streets_of_projects == {old.id}  # registered under the old street: they stay with their buyer
    # the grid figures follow the community, every month of them, and match a rebuild
    assert _street_total(engine, old.id) == before[old.id] - sent
    assert _street_total(engine, new.id) == before[new.id] + sent

    shown = org_units.moves(engine, actor=users.actor_for(engine, "leader"), unit=moved)
    assert list(shown[["from_code", "to_code", "username", "reason"]].iloc[0]) == [
        old.code, new.code, "admin", "区划调整： 并入书院街"]
    with reading(engine) as s:
        audited = s.execute(select(AuditLog).where(AuditLog.action == "unit_move")).scalar_one()
    assert audited.entity_id == str(community.id) and "510104001" in audited.before and "510104002" in audited.after

    street_staff = users.actor_for(engine, "street")  # 春熙路 no longer holds it
    with pytest.raises(NotFound):
        org_units.get_unit(engine, actor=street_staff, code=community.code)
    # an edit that keeps the place keeps the project's street; the import never moves a unit back
    project = projects.get_project(engine, actor=admin, code=registered[0])
    project_writes.update_project(engine, actor=admin, code=project.code,
                                  data={**project.form_values(), "title": project.title + "（续）"})
    assert projects.get_project(engine, actor=admin, code=project.code).street_id == old.id
    row = {"单位代码": community.code, "单位名称": community.name, "层级": "社区/村", "上级单位代码": old.code}
    with pytest.raises(ImportRejected) as err:
        unit_registry.import_units(engine, actor=admin, data=pd.DataFrame([row]).to_csv(index=False).encode(),
                                   filename="units.csv")
    assert [(p.row, p.rule) for p in err.value.problems] == [(2, "org.rule.import_move")]


def test_a_street_and_a_grid_move_after_a_refused_and_a_failed_move_left_nothing(engine, monkeypatch):
    admin = users.actor_for(engine, "admin")
    closed = unit_registry.create_unit(engine, actor=admin, data={
        "code": "510104099", "name": "撤销街道", "level": "street", "parent_code": "510104", "kind": "street"})
    unit_registry.set_unit_active(engine, actor=admin, unit_id=closed.id, active=False)
    community = _unit(engine, "510104001001")
    with pytest.raises(DomainError) as err:
        unit_registry.move_unit(engine, actor=admin, unit_id=community.id,
                                data={"parent_code": closed.code, "reason": REASON})
    assert (err.value.code, err.value.field) == ("org.rule.parent_inactive", "parent_code")
    tree, audited = _tree(engine), _count(engine, AuditLog)
    with monkeypatch.context() as patch:  # fails after the tree and the move row are written
        patch.setattr(rollups, "rehome", lambda *args, **kwargs: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            unit_registry.move_unit(engine, actor=admin, unit_id=community.id,
                                    data={"parent_code": "510104002", "reason": REASON})
    assert _tree(engine) == tree and _count(engine, UnitMove) == 0 and _count(engine, AuditLog) == audited

    # a street takes its units and the organizations placed at it to another district
    home, target = _unit(engine, "510104"), _unit(engine, "220106")
    with reading(engine) as s:  # the street of 锦江区 with the most organizations placed at it
        street = s.get(OrgUnit, s.execute(
            select(SocialOrg.street_id).where(SocialOrg.district_id == home.id, SocialOrg.street_id.is_not(None))
            .group_by(SocialOrg.street_id).order_by(func.count().desc(), SocialOrg.street_id)).scalars().first())
    below, placed = _count(engine, OrgUnit, OrgUnit.street_id == street.id), _count(
        engine, SocialOrg, SocialOrg.street_id == street.id)
    assert placed
    unit_registry.move_unit(engine, actor=admin, unit_id=street.id, data={"parent_code": "220106", "reason": "托管"})
    assert _count(engine, OrgUnit, OrgUnit.street_id == street.id, OrgUnit.district_id == target.id) == below
    assert _count(engine, SocialOrg, SocialOrg.street_id == street.id, SocialOrg.district_id == target.id) == placed

    grid, community = _unit(engine, "510104001001001"), _unit(engine, "510104001002")
    unit_registry.move_unit(engine, actor=admin, unit_id=grid.id, data={"parent_code": community.code, "reason": "划片"})
    assert (_unit(engine, grid.code).community_id, _unit(engine, grid.code).street_id) == (community.id,
                                                                                          community.street_id)
    _same_as_a_rebuild(engine)
    assert _count(engine, UnitMove) == 2


def _scoped(engine, role: str, code: str):
    """The demo account of `role` as if its scope were the unit `code` (the same user id, for the audit)."""
    unit = _unit(engine, code)
    return dataclasses.replace(users.actor_for(engine, role), scope_id=unit.id, scope_level=unit.level,
                               scope_name=unit.name)


@pytest.mark.parametrize("who,unit,data,error,code,field", [
    ("admin@510104", "510104001", {"parent_code": "220106"}, DomainError, "org.rule.unknown_parent", "parent_code"),
    ("admin@510104", "220106001", {"parent_code": "510104"}, PermissionDenied, "error.out_of_scope", None),
    ("admin@510104001", "510104001", {"parent_code": "510104"}, PermissionDenied, "error.out_of_scope", None),
    ("admin", "510104001001", {"parent_code": "510104"}, DomainError, "org.rule.parent_level", "parent_code"),
    ("admin", "510104001001", {"parent_code": "510104001001"}, DomainError, "org.rule.move_under_itself",
     "parent_code"),
    ("admin", "510104001001", {"parent_code": "510104001"}, DomainError, "org.rule.move_same", "parent_code"),
    ("admin", "510104", {"parent_code": "000000"}, DomainError, "org.rule.move_level", None),
    ("admin", "510104001001", {"parent_code": "999999"}, DomainError, "org.rule.unknown_parent", "parent_code"),
    ("admin", "510104001001", {"parent_code": "510104002", "reason": " "}, InvalidInput, "rule.min_length", "reason"),
    ("admin", "510104001001", {"parent_code": "510104002", "reason": None}, InvalidInput, "rule.required", "reason"),
    ("admin", "510104001001", {"parent_code": None}, InvalidInput, "rule.required", "parent_code"),
    ("leader", "510104001001", {"parent_code": "510104002"}, PermissionDenied, "error.forbidden_role", None),
])
def test_each_refusal_names_its_rule_and_writes_nothing(refusing_engine, who, unit, data, error, code, field):
    engine = refusing_engine  # every case is refused: one shared database
    role, _, scope = who.partition("@")
    actor = _scoped(engine, role, scope) if scope else users.actor_for(engine, role)
    tree, audited = _tree(engine), _count(engine, AuditLog)
    with pytest.raises(error) as err:
        unit_registry.move_unit(engine, actor=actor, unit_id=_unit(engine, unit).id, data={"reason": REASON, **data})
    assert (err.value.code, err.value.field) == (code, field)
    assert _tree(engine) == tree and _count(engine, UnitMove) == 0 and _count(engine, AuditLog) == audited


def test_admin_moves_a_community_on_the_page_and_a_refusal_says_why(app_db):
    at = signed_in("admin")
    at.switch_page("pages/org_units.py")
    at.query_params["unit"] = "510104001001"
    at.run()
    at.selectbox(key="org_move_parent").select("510104002")
    at.button(key="FormSubmitter:org_move_" + str(_unit(app_db, "510104001001").id) + "-移动").click().run()
    assert not at.exception and any("移动原因" in e.value for e in at.error)  # no reason: named, nothing moved
    assert _unit(app_db, "510104001001").parent_id == _unit(app_db, "510104001").id
    at.selectbox(key="org_move_parent").select("510104002")
    at.text_input(key="org_move_reason").input("<b>区划调整</b>")
    at.button(key="FormSubmitter:org_move_" + str(_unit(app_db, "510104001001").id) + "-移动").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已将" in s.value for s in at.success)
    assert _unit(app_db, "510104001001").parent_id == _unit(app_db, "510104002").id
    moves = next(d for d in at.dataframe if "原因" in d.value.columns).value
    assert list(moves["原因"]) == ["<b>区划调整</b>"]  # shown as text, in a table


def test_a_moving_communitys_social_worker_joins_a_station_of_the_new_street_or_the_move_is_refused(engine):
    """五社联动: the worker serving a community follows it, so their station must follow too — a station of the new
    street takes them in the move's transaction (audited); with none there the move is refused naming the station and
    nothing is written; a worker who had left keeps the station they worked at and comes back only to one of their
    street."""
    from db import clock
    from db.linkage import registry
    from db.models.linkage import SocialWorker

    admin = users.actor_for(engine, "admin")
    community, new = _unit(engine, "510104001001"), _unit(engine, "510104002")
    today = clock.today().isoformat()
    station = {"operator": "锦江区社工服务中心", "opened_on": today}
    old = registry.create_station(engine, actor=admin, data={**station, "name": "春熙路街道社工站",
                                                             "unit_id": community.street_id}).id
    worker = {"unit_id": community.id, "station_id": old, "qualification": "assistant", "joined_on": today}
    serving = registry.create_worker(engine, actor=admin, data={**worker, "name": "李娜"}).id
    left = registry.create_worker(engine, actor=admin, data={**worker, "name": "王芳"}).id
    registry.set_active(engine, actor=admin, kind="worker", row_id=left, active=False)
    tree, audited = _tree(engine), _count(engine, AuditLog)
    with pytest.raises(DomainError) as err:
        unit_registry.move_unit(engine, actor=admin, unit_id=community.id,
                                data={"parent_code": new.code, "reason": REASON})
    assert (err.value.code, err.value.field) == ("lk.error.move_station", "parent_code")
    assert err.value.params == {"station": "春熙路街道社工站", "count": 1, "street": "书院街街道"}
    assert _tree(engine) == tree and _count(engine, UnitMove) == 0 and _count(engine, AuditLog) == audited

    joined = registry.create_station(engine, actor=admin, data={**station, "name": "书院街街道社工站",
                                                                "unit_id": new.id}).id
    unit_registry.move_unit(engine, actor=admin, unit_id=community.id, data={"parent_code": new.code, "reason": REASON})
    with reading(engine) as s:
        assert (s.get(SocialWorker, serving).station_id, s.get(SocialWorker, serving).street_id) == (joined, new.id)
        assert (s.get(SocialWorker, left).station_id, s.get(SocialWorker, left).street_id) == (old, new.id)
        logged = s.execute(select(AuditLog).where(AuditLog.action == "lk_worker_station")).scalar_one()
    assert logged.entity_id == str(serving) and str(old) in logged.before and str(joined) in logged.after
    with pytest.raises(DomainError) as err:
        registry.set_active(engine, actor=admin, kind="worker", row_id=left, active=True)
    assert (err.value.code, err.value.params["station"]) == ("lk.error.other_street", "春熙路街道社工站")


def test_a_moving_communitys_fund_ledger_and_microgrant_applications_follow_it(engine):
    """社区基金 and 微创投 belong to the community: after a move its fund, every ledger entry and the applications
    delivered there carry the new street and district (the scope the staff now covering it read by), and the
    balance is unchanged."""
    from db import clock
    from db.funds import funds, ledger
    from db.models.funds import CommunityFund, FundEntry, GrantApplication

    admin = users.actor_for(engine, "admin")
    community, new = _unit(engine, "510104001001"), _unit(engine, "510104002")
    with reading(engine) as s:
        fund_id = s.execute(select(CommunityFund.id).where(CommunityFund.unit_id == community.id)).scalar_one_or_none()
    if fund_id is None:
        fund_id = funds.create_fund(engine, actor=admin, data={
            "unit_id": community.id, "name": "紫荆社区基金", "custodian": "成都市慈善总会",
            "founded_on": (clock.today() - pd.Timedelta(days=30)).date().isoformat()}).id
    ledger.record_donation(engine, actor=admin, fund_id=fund_id, data={
        "amount": 5000, "entry_on": clock.today().isoformat(), "donor_kind": "resident", "anonymous": True})
    with transaction(engine) as s:  # an application delivered in the community (the demo has its rounds in 番禺)
        other = s.execute(select(GrantApplication).limit(1)).scalar_one()
        other.unit_id, other.community_id, other.street_id = community.id, community.id, community.street_id
        other.district_id, application_id = community.district_id, other.id
    with reading(engine) as s:
        balance = s.get(CommunityFund, fund_id).balance
    unit_registry.move_unit(engine, actor=admin, unit_id=community.id, data={"parent_code": new.code, "reason": REASON})
    with reading(engine) as s:
        fund = s.get(CommunityFund, fund_id)
        entries = s.execute(select(FundEntry.street_id, FundEntry.district_id)
                            .where(FundEntry.fund_id == fund_id)).all()
        application = s.get(GrantApplication, application_id)
    assert (fund.street_id, fund.district_id, fund.balance) == (new.id, new.district_id, balance)
    assert entries and set(entries) == {(new.id, new.district_id)}
    assert (application.street_id, application.district_id) == (new.id, new.district_id)
