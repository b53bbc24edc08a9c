"""The supervisor pool's Excel import: new supervisors for a district's pool, all or nothing, every bad row named
by row, column and rule; a row of the pool's own export (its 编号 already in the pool) reads back unchanged."""

import pandas as pd
import pytest
from sqlalchemy import func, select

from components import exports
from db.engine import reading
from db.models.supervisors import Supervisor
from db.spreadsheets import ImportRejected
from db.supervisors import imports
from factories.records import admin_actor, district_id

HEAD = ["编号", "姓名/机构", "类别", "工作单位", "专业领域", "资质", "资质有效期至", "说明"]


def _xlsx(rows):
    """As the pool page's download writes it: a title row above the headings, repeated on every printed page."""
    return exports.excel_bytes({"监督员资源库": pd.DataFrame(rows, columns=HEAD)}, title="监督员资源库 · 锦江区")


def _pool(engine):
    with reading(engine) as s:
        return s.execute(select(func.count()).select_from(Supervisor)).scalar_one()


def test_a_pool_file_imports_whole_or_not_at_all(engine):
    admin, district = admin_actor(engine), district_id(engine)
    before = _pool(engine)
    with reading(engine) as s:
        known = s.execute(select(Supervisor.code).where(Supervisor.district_id == district).limit(1)).scalar_one()
    good = ["", "王晓明", "个人", "锦江区评估中心", "养老、社会工作", "高级社会工作师", "2028-06-30", ""]
    bad = [good,
           ["", "某会计师事务所", "机构", "", "财务审计，园艺", "会计师事务所执业证书", "2027-12-31", ""],
           ["", "李", "个人", "", "儿童", "社工证", "不是日期", ""],
           ["510104-9999", "不存在", "个人", "", "儿童", "社工证", "2027-01-01", ""]]
    with pytest.raises(ImportRejected) as err:
        imports.import_supervisors(engine, actor=admin, district_id=district, data=_xlsx(bad), filename="pool.xlsx")
    found = {(p.row, p.column, p.rule) for p in err.value.problems}
    assert (4, "专业领域", "rule.choice") in found and (6, "编号", "sup.import.unknown_code") in found
    assert {(p.row, p.column) for p in err.value.problems} >= {(5, "姓名/机构"), (5, "资质有效期至")}
    assert all(p.row != 3 for p in err.value.problems) and _pool(engine) == before  # nothing half-written

    rows = [good, ["", "某会计师事务所", "机构", "", "财务审计", "会计师事务所执业证书", "2027-12-31", "年检"],
            [known, "（导出的一行）", "个人", "", "养老", "资质", "2027-01-01", ""]]
    counts = imports.import_supervisors(engine, actor=admin, district_id=district, data=_xlsx(rows),
                                        filename="pool.xlsx")
    assert (counts.created, counts.rows) == (2, 3) and _pool(engine) == before + 2
    with reading(engine) as s:
        agency = s.execute(select(Supervisor).where(Supervisor.name == "某会计师事务所")).scalar_one()
    assert agency.kind == "agency" and agency.code.startswith("510104-") and agency.note == "年检"
