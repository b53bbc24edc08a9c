"""Staff accounts imported from a file that never holds a password: all or nothing, problems by row,
column and rule, each new account with a generated password returned once and stored only as a hash."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from db import user_imports, users
from db.engine import reading
from db.errors import DomainError, PermissionDenied
from db.models import AppUser, AuditLog
from db.spreadsheets import ImportRejected

ROWS = [{"用户名": "jj_deputy", "姓名": "锦江区 分管副区长", "角色": "区领导", "管辖单位代码": "510104"},
        {"用户名": "Chunxi_Grid", "姓名": "春熙路 网格办", "角色": "street", "管辖单位代码": "510104001"}]


def _csv(rows) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


def _accounts(engine) -> int:
    with reading(engine) as s:
        return s.execute(select(func.count()).select_from(AppUser)).scalar_one()


def test_imported_accounts_sign_in_with_their_generated_passwords_shown_once(engine):
    admin = users.actor_for(engine, "admin")
    made = user_imports.import_users(engine, actor=admin, data=_csv(ROWS), filename="staff.csv")
    assert [(m.username, m.role) for m in made] == [("jj_deputy", "leader"), ("chunxi_grid", "street")]
    for account in made:
        assert len(account.password) == 12 and users.authenticate(engine, account.username, account.password).ok
    with reading(engine) as s:
        stored = s.execute(select(AppUser.password_hash).where(AppUser.username == "jj_deputy")).scalar_one()
        audited = s.execute(select(func.count()).where(AuditLog.action == "user_create")).scalar_one()
    assert made[0].password not in stored and audited == 2
    assert users.actor_for(engine, "chunxi_grid").scope_level == "street"


def test_a_bad_row_refuses_the_file_and_names_row_column_and_rule(engine):
    admin = users.actor_for(engine, "admin")
    before = _accounts(engine)
    rows = ROWS + [{"用户名": "admin", "姓名": "重名", "角色": "管理员", "管辖单位代码": "000000"},        # row 4
                   {"用户名": "x", "姓名": "太短", "角色": "区领导", "管辖单位代码": "510104"},             # row 5
                   {"用户名": "new_one", "姓名": "角色不对", "角色": "局长", "管辖单位代码": "510104"},      # row 6
                   {"用户名": "new_two", "姓名": "单位不存在", "角色": "区领导", "管辖单位代码": "999"},    # row 7
                   {"用户名": "jj_deputy", "姓名": "文件内重复", "角色": "区领导", "管辖单位代码": "510104"}]  # row 8
    with pytest.raises(ImportRejected) as err:
        user_imports.import_users(engine, actor=admin, data=_csv(rows), filename="staff.csv")
    found = {(p.row, p.column, p.rule) for p in err.value.problems}
    assert found == {(4, "用户名", "error.username_taken"), (5, "用户名", "rule.min_length"), (6, "角色", "rule.choice"),
                     (7, "管辖单位代码", "org.rule.unknown_parent"), (8, "用户名", "org.rule.duplicate_row")}
    assert _accounts(engine) == before


def test_a_file_with_passwords_or_from_a_non_admin_is_refused(refusing_engine):
    engine = refusing_engine
    admin = users.actor_for(engine, "admin")
    with pytest.raises(DomainError) as err:
        user_imports.import_users(engine, actor=admin, data=_csv([{**ROWS[0], "密码": "Secret@2026"}]), filename="s.csv")
    assert err.value.code == "users.import.no_passwords"
    with pytest.raises(PermissionDenied):
        user_imports.import_users(engine, actor=users.actor_for(engine, "leader"), data=_csv(ROWS), filename="s.csv")
    template = user_imports.user_template()
    assert list(template.columns) == ["用户名", "姓名", "角色", "管辖单位代码"]
