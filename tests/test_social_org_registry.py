"""The social-organization register: 统一社会信用代码 checked by its check character (GB 32100), added and
edited by admins with every change audited, and an import that is all or nothing, by row, column and rule."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from components.exports import excel_bytes
from db import clock, users
from db.engine import reading
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import AuditLog
from db.models.pipeline import SocialOrg
from db.pipeline import org_records, org_registry, rules, social_orgs
from db.spreadsheets import ImportRejected
from db.validation import InvalidInput
from factories.app import signed_in


def _credit(first17: str) -> str:
    return first17 + rules.credit_check_char(first17)


GROUP = {"name": "锦江区社区营造促进会", "code": _credit("51510104MJ0000012"), "kind": "social_group",
         "registration": "registered", "domain": "governance", "unit_code": "510104", "party_org": "branch"}


def _orgs(engine) -> int:
    with reading(engine) as s:
        return s.execute(select(func.count()).select_from(SocialOrg)).scalar_one()


def test_the_check_character_follows_gb_32100():
    assert rules.credit_code_problem("91350100M000100Y43") is None  # a published example
    assert rules.credit_code_problem("91350100M000100Y42") == "rule.pipe.credit_code_check"
    assert rules.credit_code_problem("91350100M000100Y4") == "rule.pipe.credit_code_form"
    assert rules.credit_code_problem("91350100M000100YI3") == "rule.pipe.credit_code_form"  # I is never used


def test_an_admin_adds_and_edits_an_organization_audited(engine):
    admin = users.actor_for(engine, "admin")
    made = org_registry.create_org(engine, actor=admin, data={**GROUP, "code": GROUP["code"].lower()})
    assert made.code == GROUP["code"] and made.name == GROUP["name"]
    filed = org_registry.create_org(engine, actor=admin, data={
        "name": "和平社区睦邻互助队", "code": "BA-510104-2026-01", "kind": "community", "registration": "filed",
        "domain": "volunteer", "unit_code": "510104001"})
    assert filed.code == "BA-510104-2026-01"
    org_registry.update_org(engine, actor=admin, org_id=made.id, data={**GROUP, "commitment_letter": True})
    with reading(engine) as s:
        rows = s.execute(select(AuditLog.action, AuditLog.after).where(AuditLog.entity == "social_org",
                                                                      AuditLog.entity_id == str(made.id))).all()
    assert [a for a, _ in rows] == ["org_create", "org_update"] and "commitment_letter" in rows[1][1]


@pytest.mark.parametrize("changes,field,code", [
    ({"code": GROUP["code"][:-1] + ("0" if GROUP["code"][-1] != "0" else "1")}, "code", "rule.pipe.credit_code_check"),
    ({"code": "12345"}, "code", "rule.pipe.credit_code_form"),
    ({"code": _credit("52510104MJ0000012")}, "code", "rule.pipe.credit_code_kind"),
    ({"kind": "company"}, "kind", "rule.choice"),
    ({"unit_code": "999999"}, "unit_code", "org.rule.unknown_parent"),
    ({"name": " "}, "name", "rule.min_length"),
    ({"founded_on": "1899-01-01"}, "founded_on", "rule.date_range"),
])
def test_each_rule_refuses_naming_the_field(refusing_engine, changes, field, code):
    engine = refusing_engine  # every case is refused: one shared database
    before = _orgs(engine)
    with pytest.raises((InvalidInput, DomainError)) as err:
        org_registry.create_org(engine, actor=users.actor_for(engine, "admin"), data={**GROUP, **changes})
    assert (err.value.field, err.value.code) == (field, code)
    assert _orgs(engine) == before


def test_only_admins_keep_the_register(refusing_engine):
    for role in ("leader", "street"):
        with pytest.raises(PermissionDenied):
            org_registry.create_org(refusing_engine, actor=users.actor_for(refusing_engine, role), data=GROUP)


def test_the_import_is_all_or_nothing_and_the_export_imports_back(engine):
    admin = users.actor_for(engine, "admin")
    rows = [{"统一社会信用代码/备案号": GROUP["code"], "组织名称": GROUP["name"], "组织类型": "社会团体",
             "登记/备案": "登记", "服务领域": "社区治理", "所属区/街道代码": "510104", "党组织": "党支部", "承诺书": "是"},
            {"统一社会信用代码/备案号": "91350100M000100Y42", "组织名称": "错码组织", "组织类型": "社会团体",
             "登记/备案": "登记", "服务领域": "社区治理", "所属区/街道代码": "510104"}]
    before = _orgs(engine)
    with pytest.raises(ImportRejected) as err:
        org_registry.import_orgs(engine, actor=admin, data=pd.DataFrame(rows).to_csv(index=False).encode(),
                                filename="orgs.csv")
    assert [(p.row, p.column, p.rule) for p in err.value.problems] == [
        (3, "统一社会信用代码/备案号", "rule.pipe.credit_code_check")]
    assert _orgs(engine) == before
    done = org_registry.import_orgs(engine, actor=admin, data=pd.DataFrame(rows[:1]).to_csv(index=False).encode(),
                                   filename="orgs.csv")
    assert (done["created"], done["updated"]) == (1, 0)
    sheet = org_registry.org_sheet(engine, actor=admin)
    ours = sheet[sheet["统一社会信用代码/备案号"] == GROUP["code"]]
    done = org_registry.import_orgs(engine, actor=admin, data=excel_bytes({"orgs": ours}), filename="orgs.xlsx")
    assert (done["created"], done["updated"]) == (0, 0)  # the export reads back as the same rows
    made = social_orgs.list_orgs(engine, actor=admin, filters=social_orgs.SocialOrgFilter(search=GROUP["code"]))
    assert list(made["party_org"]) == ["branch"] and bool(made["commitment_letter"].iloc[0])


def test_admin_adds_an_organization_on_the_page(app_db):
    at = signed_in("admin")
    at.switch_page("pages/social_orgs.py").run()
    at.text_input(key="org_add_name").input("<b>页面新增组织</b>")
    at.text_input(key="org_add_code").input("BA-TEST-0001")
    at.selectbox(key="org_add_kind").select("community")
    at.selectbox(key="org_add_track").select("filed")
    at.button(key="FormSubmitter:pipe_org_add-新增组织").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已新增" in s.value for s in at.success)
    with reading(app_db) as s:
        assert s.execute(select(SocialOrg.name).where(SocialOrg.code == "BA-TEST-0001")).scalar_one() == "<b>页面新增组织</b>"
    leader = signed_in("leader")
    leader.switch_page("pages/social_orgs.py").run()
    assert not any(w.key == "org_add_name" for w in leader.text_input)


# --- letters and annual inspections ------------------------------------------------------------------

PDF = b"%PDF-1.4\n% a scanned letter\n"


def _org(engine, *, rated: bool):
    """A registered organization of 锦江区 with (or without) a valid rating of 3A or better."""
    today = clock.today()
    with reading(engine) as s:
        query = select(SocialOrg).where(SocialOrg.registration == "registered", SocialOrg.district_id == _district(s))
        query = query.where(SocialOrg.grade >= 3, SocialOrg.grade_valid_until >= today) if rated else query.where(
            SocialOrg.grade.is_(None))
        return s.execute(query.order_by(SocialOrg.id)).scalars().first()


def _district(session):
    from db.models import OrgUnit

    return session.execute(select(OrgUnit.id).where(OrgUnit.code == "510104")).scalar_one()


def test_a_signed_letter_is_a_record_with_its_scan_and_the_coverage_follows(engine):
    admin = users.actor_for(engine, "admin")
    org = _org(engine, rated=False) or _org(engine, rated=True)
    letter_id = org_records.record_letter(engine, actor=admin, org_id=org.id,
                                          data={"kind": "responsibility", "signed_on": clock.today()}, scan=PDF)
    listed = org_records.letters(engine, actor=admin, org_id=org.id)
    assert list(listed["kind"]) == ["responsibility"] and list(listed["scan_type"]) == ["pdf"]
    assert org_records.letter_scan(engine, actor=admin, letter_id=letter_id) == (PDF, "pdf")
    with reading(engine) as s:
        assert s.get(SocialOrg, org.id).responsibility_letter is True
    with pytest.raises(DomainError) as err:
        org_records.record_letter(engine, actor=admin, org_id=org.id,
                                  data={"kind": "responsibility", "signed_on": clock.today()})
    assert err.value.code == "pipe.error.letter_exists"
    for scan, code in ((b"<script>alert(1)</script>", "rule.pipe.scan_type"),
                       (b"%PDF-" + b"0" * org_records.SCAN_MAX_BYTES, "rule.pipe.scan_size")):
        with pytest.raises(DomainError) as err:
            org_records.record_letter(engine, actor=admin, org_id=org.id,
                                      data={"kind": "commitment", "signed_on": clock.today()}, scan=scan)
        assert (err.value.field, err.value.code) == ("scan", code)
    with pytest.raises(InvalidInput) as err:
        org_records.record_letter(engine, actor=admin, org_id=org.id,
                                  data={"kind": "commitment", "signed_on": clock.today() + timedelta(days=1)})
    assert (err.value.field, err.value.code) == ("signed_on", "rule.pipe.not_future")
    with pytest.raises(PermissionDenied):
        org_records.record_letter(engine, actor=users.actor_for(engine, "leader"), org_id=org.id,
                                  data={"kind": "commitment", "signed_on": clock.today()})


def test_an_annual_inspection_per_year_and_the_simplified_procedure_needs_a_valid_3a(engine):
    admin = users.actor_for(engine, "admin")
    year, day = clock.today().year - 1, clock.today()
    unrated, rated = _org(engine, rated=False), _org(engine, rated=True)
    with pytest.raises(DomainError) as err:
        org_records.record_inspection(engine, actor=admin, org_id=unrated.id, data={
            "year": year, "result": "passed", "simplified": True, "inspected_on": day})
    assert (err.value.field, err.value.code) == ("simplified", "pipe.error.simplified_needs_grade")
    org_records.record_inspection(engine, actor=admin, org_id=rated.id, data={
        "year": year, "result": "passed", "simplified": True, "inspected_on": day, "note": " 材料齐全 "})
    shown = org_records.inspections(engine, actor=admin, org_id=rated.id)
    assert (list(shown["year"]), list(shown["simplified"]), list(shown["note"])) == ([year], [True], ["材料齐全"])
    with pytest.raises(DomainError) as err:
        org_records.record_inspection(engine, actor=admin, org_id=rated.id, data={
            "year": year, "result": "failed", "inspected_on": day})
    assert (err.value.field, err.value.code) == ("year", "pipe.error.inspection_exists")
    with pytest.raises(DomainError) as err:
        org_records.record_inspection(engine, actor=admin, org_id=unrated.id, data={
            "year": year - 3, "result": "failed", "inspected_on": day})
    assert (err.value.field, err.value.code) == ("inspected_on", "pipe.error.inspection_day")
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action).where(AuditLog.entity_id == str(rated.id),
                                                          AuditLog.action.like("org_inspection%"))).scalars().all()
    assert actions == ["org_inspection_create"]


def test_admin_records_a_letter_and_an_inspection_on_the_page(app_db):
    org = _org(app_db, rated=True)
    at = signed_in("admin")
    at.switch_page("pages/social_orgs.py").run()
    at.text_input(key="pipe_org_search").input(org.code).run()
    at.selectbox(key="pipe_org_pick").select(org.id).run()
    at.selectbox(key="pipe_letter_kind").select("commitment")
    at.button(key="FormSubmitter:pipe_letter-录入签署的文书").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("自律与诚信建设承诺书" in s.value for s in at.success)
    at.selectbox(key="pipe_org_pick").select(org.id).run()
    at.checkbox(key="pipe_inspection_simplified").check()
    at.button(key="FormSubmitter:pipe_inspection-录入年检结果").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(org_records.inspections(app_db, actor=users.actor_for(app_db, "admin"), org_id=org.id)) == 1


def test_authority_incubation_and_a_joint_party_branch_are_kept_and_read_back(engine):
    admin = users.actor_for(engine, "admin")
    data = {**GROUP, "code": _credit("51510104MJ0000020"), "name": "春熙孵化社工服务中心", "party_org": "joint",
            "authority": "锦江区民政局", "incubation_base": " 锦江区社会组织孵化基地 ", "incubated_on": "2023-03-01",
            "graduated_on": "2024-06-30"}
    with pytest.raises(InvalidInput) as err:
        org_registry.create_org(engine, actor=admin, data={**data, "graduated_on": "2023-01-01"})
    assert (err.value.field, err.value.code) == ("graduated_on", "rule.pipe.graduated_after")
    made = org_registry.create_org(engine, actor=admin, data=data)
    with reading(engine) as s:
        row = s.get(SocialOrg, made.id)
    assert (row.party_org, row.authority, row.incubation_base, row.incubated) == (
        "joint", "锦江区民政局", "锦江区社会组织孵化基地", True)  # a base means it was incubated
    sheet = org_registry.org_sheet(engine, actor=admin)
    ours = sheet[sheet["统一社会信用代码/备案号"] == data["code"]]
    assert list(ours[["党组织", "孵化基地", "出壳日期"]].iloc[0]) == ["联合党支部", "锦江区社会组织孵化基地", "2024-06-30"]
    done = org_registry.import_orgs(engine, actor=admin, data=excel_bytes({"orgs": ours}), filename="orgs.xlsx")
    assert (done["created"], done["updated"]) == (0, 0)


# --- deactivating a deregistered organization (已注销) -----------------------------------------------

def _contractor(engine) -> tuple[SocialOrg, str]:
    """A registered organization of 锦江区 that is some project's contractor, and that project's code."""
    from db.models.pipeline import Project

    with reading(engine) as s:
        return s.execute(select(SocialOrg, Project.code).join(Project, Project.contractor_org_id == SocialOrg.id)
                         .where(SocialOrg.registration == "registered", SocialOrg.district_id == _district(s))
                         .order_by(SocialOrg.id, Project.code)).first()


def test_a_deregistered_organization_is_deactivated_never_deleted_and_leaves_the_pickers(engine):
    from db.pipeline import projects
    from db.pipeline import writes as project_writes

    admin = users.actor_for(engine, "admin")
    org, code = _contractor(engine)
    before = _orgs(engine)
    saved = org_registry.set_org_active(engine, actor=admin, org_id=org.id, active=False, reason=" 已注销登记 ")
    assert saved.active is False and _orgs(engine) == before  # kept, only marked
    with reading(engine) as s:
        row = s.execute(select(AuditLog).where(AuditLog.action == "org_deactivate")).scalar_one()
    assert row.entity_id == str(org.id) and "已注销登记" in row.after

    listed = {status: set(social_orgs.list_orgs(engine, actor=admin, filters=social_orgs.SocialOrgFilter(
        search=org.code, status=status))["id"]) for status in (None, "active", "inactive")}
    assert listed == {None: {org.id}, "active": set(), "inactive": {org.id}}
    assert org.id not in set(social_orgs.contractor_choices(engine, actor=admin)["id"])
    assert org.id in set(social_orgs.contractor_choices(engine, actor=admin, keep=org.id)["id"])

    project = projects.get_project(engine, actor=admin, code=code)  # an old project keeps it through an edit
    project_writes.update_project(engine, actor=admin, code=code, data={**project.form_values(), "title": "续签"})
    assert projects.get_project(engine, actor=admin, code=code).contractor_org_id == org.id
    with pytest.raises(DomainError) as err:  # but no new project takes it
        project_writes.create_project(engine, actor=admin, data={**project.form_values(), "contractor_org_id": org.id})
    assert (err.value.field, err.value.code) == ("contractor_org_id", "pipe.error.contractor_inactive")

    sheet = org_registry.org_sheet(engine, actor=admin)
    ours = sheet[sheet["统一社会信用代码/备案号"] == org.code]
    assert list(ours["状态"]) == ["已注销"]
    done = org_registry.import_orgs(engine, actor=admin, data=excel_bytes({"orgs": ours}), filename="orgs.xlsx")
    assert (done["created"], done["updated"]) == (0, 0)  # the export reads back unchanged
    with pytest.raises(ImportRejected) as rejected:  # an import never changes the status: that needs a reason
        org_registry.import_orgs(engine, actor=admin, data=excel_bytes({"orgs": ours.assign(状态="在册")}),
                                 filename="orgs.xlsx")
    assert [(p.row, p.column, p.rule) for p in rejected.value.problems] == [(2, "状态", "rule.pipe.org_status_import")]

    with pytest.raises(DomainError) as err:
        org_registry.set_org_active(engine, actor=admin, org_id=org.id, active=False, reason="再次注销")
    assert err.value.code == "pipe.error.org_status_same"
    assert org_registry.set_org_active(engine, actor=admin, org_id=org.id, active=True, reason="撤销注销").active


def test_deactivating_needs_an_admin_in_scope_and_a_reason(refusing_engine):
    engine = refusing_engine  # every case is refused: one shared database
    admin = users.actor_for(engine, "admin")
    org, _ = _contractor(engine)
    with reading(engine) as s:
        elsewhere = s.execute(select(SocialOrg.id).where(SocialOrg.district_id != _district(s))).scalars().first()
        district = _district(s)
    in_jinjiang = dataclasses.replace(admin, scope_id=district, scope_level="district", scope_name="锦江区")
    cases = [(admin, org.id, " ", InvalidInput, "rule.min_length"),
             (admin, org.id, None, InvalidInput, "rule.required"),
             (users.actor_for(engine, "leader"), org.id, "已注销登记", PermissionDenied, "error.forbidden_role"),
             (in_jinjiang, elsewhere, "已注销登记", NotFound, "error.not_found")]
    for actor, org_id, reason, error, code in cases:
        with pytest.raises(error) as err:
            org_registry.set_org_active(engine, actor=actor, org_id=org_id, active=False, reason=reason)
        assert err.value.code == code
    with reading(engine) as s:
        assert s.execute(select(func.count()).where(SocialOrg.active.is_(False))).scalar_one() == 0


def test_admin_deactivates_an_organization_on_the_page_and_finds_it_under_deregistered(app_db):
    org, _ = _contractor(app_db)
    at = signed_in("admin")
    at.switch_page("pages/social_orgs.py").run()
    at.text_input(key="pipe_org_search").input(org.code).run()
    at.selectbox(key="pipe_org_pick").select(org.id).run()
    # the edit form starts from the organization's own values; a broken rule names the field, a fix saves
    assert at.text_input(key=f"org_edit_{org.id}_name").value == org.name
    assert at.selectbox(key=f"org_edit_{org.id}_kind").value == org.kind
    at.text_input(key=f"org_edit_{org.id}_name").input("甲")
    at.button(key=f"FormSubmitter:pipe_org_edit_{org.id}-保存修改").click().run()
    assert not at.exception and any("组织名称" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key=f"org_edit_{org.id}_name").input("锦江区<i>更名</i>社工服务中心")
    at.text_input(key=f"org_edit_{org.id}_authority").input("锦江区民政局")
    at.button(key=f"FormSubmitter:pipe_org_edit_{org.id}-保存修改").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with reading(app_db) as s:
        saved = s.get(SocialOrg, org.id)
        assert (saved.name, saved.authority, saved.code) == ("锦江区<i>更名</i>社工服务中心", "锦江区民政局", org.code)
        changes = s.execute(select(AuditLog).where(AuditLog.action == "org_update",
                                                   AuditLog.entity_id == str(org.id))).scalars().all()
    assert len(changes) == 1 and "更名" in changes[0].after and "kind" not in changes[0].after  # only what changed
    at.button(key="FormSubmitter:pipe_org_status_form-注销（停用）").click().run()
    assert not at.exception and any("理由" in e.value for e in at.error)  # no reason: refused, named
    at.text_input(key="pipe_org_status_reason").input("已注销登记")
    at.button(key="FormSubmitter:pipe_org_status_form-注销（停用）").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已注销" in s.value for s in at.success)
    assert not _listed(at)  # the default view is of active organizations
    at.selectbox(key="pipe_org_status").select("inactive").run()
    assert _listed(at) == [(org.code, "已注销")]


def _listed(at) -> list[tuple]:
    tables = [d.value for d in at.dataframe if "统一社会信用代码/备案号" in d.value.columns and "状态" in d.value.columns]
    return [tuple(row) for table in tables for row in table[["统一社会信用代码/备案号", "状态"]].itertuples(index=False)]
