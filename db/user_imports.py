"""Staff accounts from a spreadsheet (用户管理 → 批量导入): all or nothing, by row, column and rule. A file
never carries a password: each new account gets a generated one, returned once for the admin to hand
over, and stored only as its bcrypt hash."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.engine import Engine

from db import audit, clock, passwords
from db.access import Actor, require, unit_in_scope
from db.engine import transaction
from db.errors import DomainError
from db.models import AppUser, OrgUnit
from db.spreadsheets import FIRST_DATA_ROW, ImportRejected, RowProblems, cell, data_rows, match_columns, read_table
from db.users import UserCreate, public_user, scope_problem
from db.validation import InvalidInput, validate

USER_HEADINGS = {"username": ("username", "用户名", "Username"), "display_name": ("display_name", "姓名", "Name"),
                 "role": ("role", "角色", "Role"), "scope_code": ("scope_code", "管辖单位代码", "Scope code")}
ROLE_WORDS = {"admin": "管理员", "leader": "区领导", "evaluator": "第三方评估员", "street": "街道/网格人员",
              "community": "社区工作人员"}
PASSWORD_COLUMNS = ("password", "密码", "初始密码")


class ImportedAccount(BaseModel):
    username: str
    display_name: str
    role: str
    password: str  # generated, shown to the admin once and stored only as its hash


def generated_password() -> str:
    """12 characters from letters and digits (never 0/O/1/l/I, so it can be read out), with both kinds."""
    import secrets

    letters, digits = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ", "23456789"
    while True:
        word = "".join(secrets.choice(letters + digits) for _ in range(12))
        if any(c in digits for c in word) and any(c in letters for c in word):
            return word


def user_template(lang: str = "zh") -> pd.DataFrame:
    pick = 1 if lang == "zh" else 2
    rows = [("jj_leader2", "锦江区 分管副区长", "区领导", "510104"),
            ("chunxi_staff", "春熙路街道 网格办", "街道/网格人员", "510104001")]
    return pd.DataFrame(rows, columns=[names[pick] for names in USER_HEADINGS.values()])


def import_users(engine: Engine, *, actor: Actor, data: bytes, filename: str) -> list[ImportedAccount]:
    """Open an account for each row, all in one transaction or none, every problem by row, column and rule.
    A file never carries passwords (one with such a column is refused): each new account gets a generated
    password, returned here once for the admin to hand over, and stored only as its hash."""


    require(actor, "system.users")
    frame = read_table(data, filename)
    if any(c.strip().casefold() in PASSWORD_COLUMNS for c in frame.columns):
        raise DomainError("users.import.no_passwords", field="file")
    columns, problems = match_columns(frame, USER_HEADINGS)
    if problems:
        raise ImportRejected(problems)
    frame = data_rows(frame, columns)
    by_word = {word: role for role, word in ROLE_WORDS.items()}
    rows = []
    for index, record in zip(frame.index, frame.to_dict("records")):
        values = {field: cell(record.get(column)) for field, column in columns.items()}
        values["role"] = by_word.get(values["role"], values["role"])
        values["username"] = values["username"].lower()  # as the sign-in form reads it
        rows.append((int(index) + FIRST_DATA_ROW, values))
    passwords_for = [generated_password() for _ in rows]
    with ThreadPoolExecutor(max_workers=4) as pool:  # bcrypt releases the GIL: hash side by side
        hashes = list(pool.map(passwords.hash_password, passwords_for))
    now, made, seen = clock.utcnow(), [], {}
    problems = RowProblems(columns, "username")
    with transaction(engine) as session:
        for (row, values), password, password_hash in zip(rows, passwords_for, hashes):
            scope = session.execute(select(OrgUnit).where(OrgUnit.code == values["scope_code"])).scalar_one_or_none()
            try:
                # an unknown scope is reported below, by its code: validate the rest against a stand-in id
                payload = validate(UserCreate, {**values, "password": password, "scope_id": scope.id if scope else 1})
            except InvalidInput as err:
                problems.add_error(row, err)
                continue
            username = payload.username
            if scope is None or not unit_in_scope(actor, scope) or not scope.active:
                problems.add(row, "scope_code", "org.rule.unknown_parent", unit_code=values["scope_code"])
            elif scope_problem(payload.role, scope.level):
                problems.add(row, "scope_code", scope_problem(payload.role, scope.level))
            elif username in seen:
                problems.add(row, "username", "org.rule.duplicate_row", unit_code=username, first_row=seen[username])
            elif session.execute(select(AppUser.id).where(AppUser.username == username)).first():
                problems.add(row, "username", "error.username_taken", username=username)
            else:
                seen[username] = row
                user = AppUser(username=username, display_name=payload.display_name, password_hash=password_hash,
                               role=payload.role, scope_id=scope.id, active=True, tokens_valid_after=now,
                               created_at=now)
                session.add(user)
                session.flush()
                audit.record(session, actor=actor, action="user_create", entity="app_user", entity_id=user.id,
                             after=public_user(user).model_dump())
                made.append(ImportedAccount(username=username, display_name=payload.display_name, role=payload.role,
                                            password=password))
        problems.raise_any()
    return made
