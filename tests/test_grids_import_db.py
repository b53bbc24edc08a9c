"""Importing a month of grid reports: every row checked, errors by row/column/rule, all or nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from db import users
from db.engine import reading
from db.errors import DomainError
from db.grids import imports as grid_import
from db.grids import reports as grid_reports
from db.grids import rules as grid_periods
from db.grids.rules import current_month, last_due_month
from db.models import AuditLog, OrgUnit
from db.models.grids import GridReport, Indicator, IndicatorValue
from factories.records import count_rows, filled_template, set_today, street_grids

pytestmark = pytest.mark.calendar  # date-sensitive: CI runs these again at awkward instants


def test_import_rejects_a_file_with_one_bad_row_and_writes_nothing(engine):
    street = users.actor_for(engine, "street")
    month = current_month()
    frame = filled_template(engine, street, month).astype(object)
    assert len(frame) == len(street_grids(engine)) and list(frame.columns[:2]) == ["网格代码", "网格名称"]
    frame.loc[5, "服务居民人次"] = "一百"
    data = frame.to_csv(index=False).encode("utf-8-sig")
    before = (count_rows(engine, GridReport), count_rows(engine, IndicatorValue))
    with pytest.raises(grid_import.ImportRejected) as err:
        grid_import.import_month(engine, actor=street, period=month, data=data, filename="十月.csv")
    assert [(p.row, p.column, p.rule) for p in err.value.problems] == [(7, "服务居民人次", "rule.integer")]
    assert (count_rows(engine, GridReport), count_rows(engine, IndicatorValue)) == before
    frame.loc[5, "服务居民人次"] = 120
    result = grid_import.import_month(engine, actor=street, period=month,
                                      data=frame.to_csv(index=False).encode("utf-8-sig"), filename="十月.csv")
    assert result.rows == result.created == len(frame) and result.updated == 0
    assert count_rows(engine, GridReport, GridReport.period == month) == len(frame)
    assert count_rows(engine, AuditLog, AuditLog.action == "grid_import") == 1


def test_import_error_report_names_row_column_and_rule(engine):
    street = users.actor_for(engine, "street")
    month = current_month()
    frame = filled_template(engine, street, month, lang="en").astype(object)
    other_street_grid = street_grids(engine, "220106001")[0].code
    frame.loc[0, "Activities held"] = -2
    frame.loc[1, "Problems solved"] = 999
    frame.loc[2, "Grid code"] = other_street_grid
    frame.loc[3, "Grid code"] = frame.loc[4, "Grid code"]
    frame.loc[6, "Satisfied respondents"] = ""
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    with pytest.raises(grid_import.ImportRejected) as err:
        grid_import.import_month(engine, actor=street, period=month, data=buffer.getvalue(), filename="may.xlsx")
    found = sorted((p.row, p.column, p.rule) for p in err.value.problems)
    assert found == [
        (2, "Activities held", "rule.ge"),
        (3, "Problems solved", "grid.rule.solved_le_open"),
        (4, "Grid code", "grid.rule.unknown_grid"),
        (6, "Grid code", "grid.rule.duplicate_grid"),
        (8, "Satisfied respondents", "rule.required"),
    ]
    assert count_rows(engine, GridReport, GridReport.period == month) == 0
    missing = frame.drop(columns=["Household visits"]).to_csv(index=False).encode()
    with pytest.raises(grid_import.ImportRejected) as err:
        grid_import.import_month(engine, actor=street, period=month, data=missing, filename="x.csv")
    assert [(p.row, p.field, p.rule) for p in err.value.problems] == [(1, "visits", "grid.rule.missing_column")]
    with pytest.raises(DomainError) as unreadable:
        grid_import.import_month(engine, actor=street, period=month, data=b"\x00\x01garbage", filename="x.xlsx")
    assert unreadable.value.code == "grid.import.unreadable"


def test_import_respects_the_lock_and_updates_after_reopen(engine, monkeypatch):
    street, admin = users.actor_for(engine, "street"), users.actor_for(engine, "admin")
    month = last_due_month()
    set_today(monkeypatch, grid_periods.due_date(month) + timedelta(days=1))
    frame = grid_import.template(engine, actor=street, period=month)
    reported = frame[frame["开展活动数"].notna()].head(1).reset_index(drop=True)
    reported.loc[0, "开展活动数"] = int(reported.loc[0, "开展活动数"]) + 1
    data = reported.to_csv(index=False).encode("utf-8-sig")
    with pytest.raises(grid_import.ImportRejected) as err:
        grid_import.import_month(engine, actor=street, period=month, data=data, filename="a.csv")
    assert [(p.row, p.field, p.rule) for p in err.value.problems] == [(2, "period", "grid.error.locked")]
    with reading(engine) as s:
        grid_id = s.execute(select(OrgUnit.id).where(OrgUnit.code == reported.loc[0, "网格代码"])).scalar_one()
    grid_reports.reopen(engine, actor=admin, grid_id=grid_id, period=month, reason="按街道申请更正")
    result = grid_import.import_month(engine, actor=street, period=month, data=data, filename="a.csv")
    assert (result.rows, result.updated, result.created) == (1, 1, 0)
    with reading(engine) as s:
        value = s.execute(select(IndicatorValue.value).where(IndicatorValue.grid_id == grid_id,
                                                             IndicatorValue.period == month,
                                                             IndicatorValue.code == "activities")).scalar_one()
    assert value == reported.loc[0, "开展活动数"]
    assert count_rows(engine, Indicator) == 14


def test_the_downloaded_excel_template_imports_back(engine):
    from components import exports

    street = users.actor_for(engine, "street")
    month = current_month()
    frame = filled_template(engine, street, month, lang="en")
    data = exports.excel_bytes({"grid reports": frame})
    result = grid_import.import_month(engine, actor=street, period=month, data=data, filename="template.xlsx")
    assert result.rows == len(frame) == len(street_grids(engine))
    again = grid_import.template(engine, actor=street, period=month, lang="zh")
    assert again["开展活动数"].notna().all()  # the template now carries the reported values
