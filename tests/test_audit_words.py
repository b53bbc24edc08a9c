"""The audit log read by a person: what changed in words (field: before → after), tables by their names."""

from components.system import audit_log
from factories.app import opened_as


def test_a_change_is_worded_with_field_labels_not_json():
    zh = audit_log.change_text('{"budget": 200000, "status": null}', '{"budget": 250000, "status": "active"}', "zh")
    assert "{" not in zh and "预算" in zh and "200000 → 250000" in zh and "— → active" in zh
    en = audit_log.change_text('{"budget": 200000}', '{"budget": 250000}', "en")
    assert "udget" in en and not en.startswith("budget") and en.endswith(": 200000 → 250000")
    created = audit_log.change_text(None, '{"active": true, "candidates": ' + str(list(range(40))) + "}", "zh")
    assert created.startswith("新建：") and "是" in created and "40 项" in created
    assert audit_log.change_text(None, None, "zh") == "—"
    assert audit_log.change_text('{"a": 1}', '{"a": 1}', "en") == "No field changed"
    assert audit_log.entity_label("supervisor_draw", "zh") == "监督员抽取"
    assert audit_log.entity_label("no_such_table", "en") == "no_such_table"


def test_the_audit_page_shows_words_and_chinese_names(app_db):
    at = opened_as("admin", "pages/audit_log.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert "变更内容" in table.columns and "修改前" not in table.columns
    assert not table["变更内容"].str.startswith("{").any()
    assert "app_user" not in set(table["对象"]) and "None" not in set(table["变更内容"])
