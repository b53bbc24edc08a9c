"""The org-unit registry: admins add, edit, deactivate, import and export units; every change audited,
an import all or nothing with its problems by row, column and rule, and the same rows as the form."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import func, select

from components.exports import excel_bytes
from db import grid_roster, org_units, unit_registry, users
from db.engine import reading
from db.errors import DomainError, PermissionDenied
from db.models import AuditLog, OrgUnit
from db.spreadsheets import ImportRejected
from db.validation import InvalidInput
from factories.app import signed_in

STREET = {"code": "510104099", "name": "  新设街道 ", "level": "street", "parent_code": "510104", "kind": "street"}


def _admin(engine):
    return users.actor_for(engine, "admin")


def _unit(engine, code):
    with reading(engine) as s:
        return s.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one_or_none()


def _units(engine) -> int:
    with reading(engine) as s:
        return s.execute(select(func.count()).select_from(OrgUnit)).scalar_one()


def _csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


def test_a_unit_is_added_under_its_parent_with_its_ancestors_and_audited(engine):
    admin = _admin(engine)
    street = unit_registry.create_unit(engine, actor=admin, data=STREET)
    community = unit_registry.create_unit(engine, actor=admin, data={
        "code": "510104099001", "name": "新设社区", "level": "community", "parent_code": "510104099",
        "kind": "传统老旧型", "households": "1,200", "population": 3100})
    grid = unit_registry.create_unit(engine, actor=admin, data={
        "code": "510104099001001", "name": "新设社区第1网格", "level": "grid", "parent_code": "510104099001"})
    district = _unit(engine, "510104")
    assert street.name == "新设街道" and street.street_id == street.id and street.district_id == district.id
    assert (community.street_id, community.community_id, community.households) == (street.id, community.id, 1200)
    assert (grid.district_id, grid.street_id, grid.community_id) == (district.id, street.id, community.id)
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action).where(AuditLog.entity == "org_unit")).scalars().all()
    assert actions.count("unit_create") == 3
    leader = users.actor_for(engine, "leader")  # sees it at once, in scope
    assert "510104099" in set(org_units.units_in_scope(engine, actor=leader, levels=("street",))["code"])


@pytest.mark.parametrize("changes,field,code", [
    ({"code": "510104001"}, "code", "org.rule.code_taken"),
    ({"code": "51-01"}, "code", "rule.pattern"),
    ({"parent_code": "510104001"}, "parent_code", "org.rule.parent_level"),
    ({"parent_code": "999999"}, "parent_code", "org.rule.unknown_parent"),
    ({"kind": "村"}, "kind", "org.rule.kind"),
    ({"kind": None}, "kind", "org.rule.kind"),
    ({"name": "  "}, "name", "rule.min_length"),
    ({"level": "province"}, "level", "rule.choice"),
    ({"households": "1e308"}, "households", "rule.le"),
])
def test_each_rule_refuses_naming_the_field_and_writes_nothing(refusing_engine, changes, field, code):
    engine = refusing_engine  # every case is refused: one shared database
    before = _units(engine)
    with pytest.raises((InvalidInput, DomainError)) as err:
        unit_registry.create_unit(engine, actor=_admin(engine), data={**STREET, **changes})
    assert (err.value.field, err.value.code) == (field, code)
    assert _units(engine) == before


def test_only_admins_keep_the_registry_and_a_street_cannot_reach_past_its_scope(refusing_engine):
    engine = refusing_engine
    for role in ("leader", "street", "evaluator"):
        with pytest.raises(PermissionDenied):
            unit_registry.create_unit(engine, actor=users.actor_for(engine, role), data=STREET)


def test_edit_is_audited_with_what_changed_and_deactivation_keeps_the_history(engine):
    admin = _admin(engine)
    grid = _unit(engine, "510104001001001")
    saved = unit_registry.update_unit(engine, actor=admin, unit_id=grid.id, data={
        "name": "改名后的网格", "households": 512, "population": grid.population})
    assert saved.name == "改名后的网格" and saved.households == 512
    with reading(engine) as s:
        row = s.execute(select(AuditLog).where(AuditLog.action == "unit_update")).scalar_one()
    assert "改名后的网格" in row.after and "512" in row.after and "population" not in row.after
    community = _unit(engine, "510104001001")
    with pytest.raises(DomainError) as err:
        unit_registry.set_unit_active(engine, actor=admin, unit_id=community.id, active=False)
    assert err.value.code == "org.rule.active_children"
    unit_registry.set_unit_active(engine, actor=admin, unit_id=grid.id, active=False)
    pickers = org_units.units_in_scope(engine, actor=admin, levels=("grid",))
    assert grid.code not in set(pickers["code"]) and _unit(engine, grid.code) is not None  # kept, not listed
    unit_registry.set_unit_active(engine, actor=admin, unit_id=grid.id, active=True)
    assert grid.code in set(org_units.units_in_scope(engine, actor=admin, levels=("grid",))["code"])
    with pytest.raises(DomainError):
        unit_registry.update_unit(engine, actor=admin, unit_id=_unit(engine, "000000").id, data={"name": "x"})


NEW_TREE = [  # children before their parents on purpose: the import orders them
    {"单位代码": "990001001001001", "单位名称": "新社区第1网格", "层级": "网格", "上级单位代码": "990001001001",
     "户数": "420", "人口": "1100"},
    {"单位代码": "990001001001", "单位名称": "新社区", "层级": "社区/村", "上级单位代码": "990001001", "类型": "传统老旧型"},
    {"单位代码": "990001001", "单位名称": "新镇", "层级": "街道/镇", "上级单位代码": "990001", "类型": "镇", "试点街道": "是"},
    {"单位代码": "990001", "单位名称": "新区", "层级": "区", "上级单位代码": "000000"},
]


def test_an_import_adds_a_tree_in_one_go_and_the_rows_are_the_forms(engine):
    admin = _admin(engine)
    done = unit_registry.import_units(engine, actor=admin, data=_csv(NEW_TREE), filename="units.csv")
    assert (done.rows, done.created, done.updated) == (4, 4, 0)
    town, grid = _unit(engine, "990001001"), _unit(engine, "990001001001001")
    assert (town.kind, town.pilot, grid.households, grid.street_id) == ("town", True, 420, town.id)
    by_form = unit_registry.create_unit(engine, actor=admin, data={
        "code": "990001001001002", "name": "新社区第2网格", "level": "grid", "parent_code": "990001001001",
        "households": 420, "population": 1100})
    imported = org_units.get_unit(engine, actor=admin, code="990001001001001")
    keep = ("level", "parent_id", "district_id", "street_id", "community_id", "kind", "pilot", "households",
            "population", "active")
    assert {k: getattr(imported, k) for k in keep} == {k: getattr(by_form, k) for k in keep}
    again = unit_registry.import_units(engine, actor=admin, data=_csv(NEW_TREE), filename="units.csv")
    assert (again.created, again.updated) == (0, 4) and _unit(engine, "990001").name == "新区"


def test_a_bad_row_refuses_the_whole_file_naming_row_column_and_rule(engine):
    admin = _admin(engine)
    before = _units(engine)
    rows = [dict(r) for r in NEW_TREE]
    rows[1]["类型"] = "别墅区"  # row 3 of the sheet
    rows.append({"单位代码": "990001", "单位名称": "重复", "层级": "区", "上级单位代码": "000000"})  # row 6
    rows.append({"单位代码": "510104001", "单位名称": "春熙路", "层级": "街道/镇", "上级单位代码": "220106", "类型": "街道"})
    with pytest.raises(ImportRejected) as err:
        unit_registry.import_units(engine, actor=admin, data=_csv(rows), filename="units.csv")
    found = {(p.row, p.column, p.rule) for p in err.value.problems}
    assert (3, "类型", "org.rule.kind") in found
    assert (6, "单位代码", "org.rule.duplicate_row") in found
    assert (7, "上级单位代码", "org.rule.import_move") in found
    assert _units(engine) == before and _unit(engine, "990001") is None  # nothing written, not even the good rows


def test_the_export_imports_back_unchanged_and_a_missing_column_is_named(engine):
    admin = _admin(engine)
    sheet = unit_registry.unit_sheet(engine, actor=admin)
    assert len(sheet) == _units(engine) - 1 and list(sheet.columns)[:4] == ["单位代码", "单位名称", "层级", "上级单位代码"]
    done = unit_registry.import_units(engine, actor=admin, data=excel_bytes({"units": sheet}), filename="units.xlsx")
    assert done.created == 0 and done.updated == len(sheet)
    with reading(engine) as s:
        changed = s.execute(select(func.count()).where(AuditLog.action == "unit_update")).scalar_one()
    assert changed == 0  # the same values: nothing to record
    with pytest.raises(ImportRejected) as err:
        unit_registry.import_units(engine, actor=admin, data=_csv([{"单位代码": "1", "单位名称": "x"}]), filename="u.csv")
    assert {p.params.get("heading") for p in err.value.problems} == {"层级", "上级单位代码"}
    template = pd.read_excel(io.BytesIO(excel_bytes({"t": unit_registry.unit_sheet(engine, actor=admin, template=True)})))
    assert list(template["层级"]) == ["区", "街道/镇", "社区/村", "网格"]


def test_admin_adds_a_street_on_the_page_and_a_leader_sees_no_registry(app_db):
    at = signed_in("admin")
    at.switch_page("pages/org_units.py")
    at.query_params["unit"] = "510104"
    at.run()
    at.text_input(key="org_add_code").input("510104098")
    at.text_input(key="org_add_name").input("<i>页面新设街道</i>")
    at.button(key="FormSubmitter:org_add-新增单位").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已新增" in s.value for s in at.success)
    assert _unit(app_db, "510104098").name == "<i>页面新设街道</i>"
    at.text_input(key="org_add_code").input("510104098")
    at.button(key="FormSubmitter:org_add-新增单位").click().run()
    assert any("已被使用" in e.value for e in at.error)
    leader = signed_in("leader")
    leader.switch_page("pages/org_units.py").run()
    assert not any(w.key == "org_add_code" for w in leader.text_input) and not leader.exception


# --- the grid roster ---------------------------------------------------------------------------------

GRID = "510104001001001"  # in the street account's street


def test_the_roster_keeps_one_leader_per_grid_and_phones_are_masked_but_for_admins(engine):
    admin, street = _admin(engine), users.actor_for(engine, "street")
    grid = org_units.get_unit(engine, actor=admin, code=GRID)
    members = org_units.level_counts(engine, actor=admin, unit=grid)["staff_member"]
    with pytest.raises(DomainError) as err:
        grid_roster.add_staff(engine, actor=admin, grid_id=grid.id, data={"role": "leader", "name": "第二位网格长"})
    assert (err.value.field, err.value.code) == ("role", "org.rule.one_leader")
    with pytest.raises(InvalidInput) as err:
        grid_roster.add_staff(engine, actor=admin, grid_id=grid.id, data={"role": "member", "name": "王", "phone": "12345"})
    assert (err.value.field, err.value.code) == ("phone", "rule.pattern")
    with pytest.raises(PermissionDenied):
        grid_roster.add_staff(engine, actor=street, grid_id=grid.id, data={"role": "member", "name": "王"})
    staff_id = grid_roster.add_staff(engine, actor=admin, grid_id=grid.id, data={
        "role": "member", "name": " 王小红 ", "duty": "楼栋长", "phone": "138 0013 8000"})
    shown = org_units.roster(engine, actor=admin, grid=grid).set_index("id")
    assert shown.loc[staff_id, "phone"] == "13800138000" and shown.loc[staff_id, "name"] == "王小红"
    masked = org_units.roster(engine, actor=street, grid=grid).set_index("id")
    assert masked.loc[staff_id, "phone"] == "138****8000"
    assert org_units.level_counts(engine, actor=admin, unit=grid)["staff_member"] == members + 1
    grid_roster.set_staff_active(engine, actor=admin, staff_id=staff_id, active=False)
    assert staff_id not in set(org_units.roster(engine, actor=admin, grid=grid)["id"])
    assert org_units.level_counts(engine, actor=admin, unit=grid)["staff_member"] == members
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action).where(AuditLog.entity == "grid_staff")).scalars().all()
    assert actions == ["staff_add", "staff_deactivate"]


def test_a_roster_import_is_all_or_nothing_and_updates_who_is_already_there(engine):
    admin = _admin(engine)
    rows = [{"网格代码": GRID, "岗位": "网格员", "姓名": "李新", "职责": "专职网格员", "联系电话": "13900001111"},
            {"网格代码": "510104001001002", "岗位": "网格长", "姓名": "多出的网格长"}]
    with pytest.raises(ImportRejected) as err:
        grid_roster.import_roster(engine, actor=admin, data=_csv(rows), filename="roster.csv")
    assert [(p.row, p.column, p.rule) for p in err.value.problems] == [(3, "岗位", "org.rule.one_leader")]
    grid = org_units.get_unit(engine, actor=admin, code=GRID)
    assert "李新" not in set(org_units.roster(engine, actor=admin, grid=grid)["name"])
    done = grid_roster.import_roster(engine, actor=admin, data=_csv(rows[:1]), filename="roster.csv")
    assert (done.created, done.updated) == (1, 0)
    rows[0]["联系电话"] = "028-86661234"
    done = grid_roster.import_roster(engine, actor=admin, data=_csv(rows[:1]), filename="roster.csv")
    assert (done.created, done.updated) == (0, 1)
    sheet = grid_roster.roster_sheet(engine, actor=admin)
    assert "028-86661234" in set(sheet["联系电话"]) and set(sheet["岗位"]) == {"网格长", "网格员"}


def test_the_import_on_the_page_reports_a_bad_file_and_then_imports_a_good_one(app_db):
    at = signed_in("admin")
    at.switch_page("pages/org_units.py").run()
    bad = [dict(row) for row in NEW_TREE]
    bad[1]["类型"] = "别墅区"
    uploader = next(u for u in at.get("file_uploader") if u.key == "org_import_file")
    uploader.upload("units.csv", _csv(bad), "text/csv")
    at.run()
    at.button(key="org_import_button").click().run()
    assert not at.exception and any("未导入" in e.value for e in at.error)
    report = at.dataframe[-1].value
    assert list(report.iloc[0])[:2] == [3, "类型"] and _unit(app_db, "990001") is None
    uploader = next(u for u in at.get("file_uploader") if u.key == "org_import_file")
    uploader.upload("units.csv", _csv(NEW_TREE), "text/csv")
    at.run()
    at.button(key="org_import_button").click().run()
    assert not at.exception and any("新增 4 个单位" in s.value for s in at.success)
    assert _unit(app_db, "990001001001001") is not None
