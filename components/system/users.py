"""The admin's user page: the account list, a create form, and actions on one account."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import exports, formatting, store, tables
from components.i18n import lang, t
from components.writes import attempt, import_file, show_flash
from db import org_units, user_imports, users
from db.access import Actor
from db.models.users import ROLES

LIST_HEADINGS = {"username": "col.username", "display_name": "col.display_name", "role_label": "col.role",
                 "scope_name": "col.scope", "active_label": "col.active", "locked_label": "col.locked",
                 "created": "col.created_at"}
FLASH = "users_flash"


def render(actor: Actor) -> None:
    engine = store.engine()
    st.title(t("users.title"))
    st.caption(t("users.caption"))
    show_flash(FLASH)

    frame = users.list_users(engine, actor=actor)
    yes, no = t("common.yes"), t("common.no")
    frame["role_label"] = frame["role"].map(lambda r: t(f"role.{r}"))
    frame["active_label"] = frame["active"].map(lambda v: yes if v else no)
    frame["locked_label"] = frame["locked"].map(lambda v: yes if v else no)
    frame["created"] = frame["created_at"].map(lambda v: formatting.moment(v, lang()))
    st.subheader(t("users.list"))
    st.dataframe(tables.labelled(frame, LIST_HEADINGS), hide_index=True, width="stretch")

    create_tab, manage_tab, import_tab = st.tabs([t("users.create"), t("users.manage"), t("users.import.tab")])
    with create_tab:
        _create_form(actor)
    with manage_tab:
        _manage(actor, frame)
    with import_tab:
        _import(actor)


def _create_form(actor: Actor) -> None:
    # community staff are scoped to a community (社区/居委会), the others to a street or above
    units = org_units.units_in_scope(store.engine(), actor=actor, levels=("root", "district", "street", "community"))
    names = dict(zip(units["id"], units["name"]))
    with st.form("user_create", clear_on_submit=False):
        username = st.text_input(t("field.username"), key="new_username", max_chars=40)
        display_name = st.text_input(t("field.display_name"), key="new_display_name", max_chars=60)
        role_labels = {r: t(f"role.{r}") for r in ROLES}
        role = st.selectbox(t("field.role"), ROLES, format_func=role_labels.get, key="new_role",
                            placeholder=t("common.choose"))
        scope_id = st.selectbox(t("field.scope_id"), list(units["id"]), format_func=names.get, key="new_scope",
                                placeholder=t("common.choose"))
        password = st.text_input(t("field.password"), type="password", key="new_password")
        submitted = st.form_submit_button(t("users.create"), type="primary")
    if submitted:
        data = {"username": username, "display_name": display_name, "password": password, "role": role,
                "scope_id": int(scope_id) if scope_id is not None else None}
        attempt(lambda: users.create_user(store.engine(), actor=actor, data=data), area="users",
                flash_key=FLASH, done=lambda created: t("users.created", username=created.username))


def _manage(actor: Actor, frame) -> None:
    if frame.empty:
        st.info(t("common.no_rows"))
        return
    labels = {int(row.id): f"{row.username} · {row.display_name}" for row in frame.itertuples()}
    user_id = st.selectbox(t("users.pick"), list(labels), format_func=labels.get, key="manage_user",
                           placeholder=t("common.choose"))
    row = frame[frame["id"] == user_id].iloc[0]
    engine = store.engine()
    left, middle, right = st.columns(3)
    done = _done_for(row["username"])
    if row["active"]:
        if left.button(t("users.deactivate"), key="deactivate_user", icon=":material/block:"):
            attempt(lambda: users.set_active(engine, actor=actor, user_id=user_id, active=False), area="users",
                    flash_key=FLASH, done=done("users.deactivated"))
    elif left.button(t("users.activate"), key="activate_user", icon=":material/check_circle:"):
        attempt(lambda: users.set_active(engine, actor=actor, user_id=user_id, active=True), area="users",
                flash_key=FLASH, done=done("users.activated"))
    if row["locked"] and middle.button(t("users.unlock"), key="unlock_user", icon=":material/lock_open:"):
        attempt(lambda: users.unlock(engine, actor=actor, user_id=user_id), area="users", flash_key=FLASH,
                done=done("users.unlocked"))
    with right.form("reset_password", clear_on_submit=True):
        new_password = st.text_input(t("users.new_password"), type="password", key="reset_new_password")
        reset = st.form_submit_button(t("users.reset"))
    if reset:
        attempt(lambda: users.reset_password(engine, actor=actor, user_id=user_id, new_password=new_password),
                area="users", flash_key=FLASH, done=done("users.reset_done"), field_prefix="field.new_")


def _done_for(username: str):
    """The success note of an action on `username`'s account, by its message key."""
    return lambda key: t(key, username=username)


def _template_builder(actor: Actor):
    """Built when the button is clicked: bind what it needs now."""
    lg, name = lang(), t("users.import.template_name")
    title = tables.file_title(name, actor)
    return lambda: exports.excel_bytes({name: user_imports.user_template(lg)}, title=title)


def _import(actor: Actor) -> None:
    """Staff accounts from a file that holds no password: each new account's generated password is shown
    here once, with a download, for the admin to hand over."""
    st.caption(t("users.import.caption"))
    tables.download_button(st, t("users.import.template"), data=_template_builder(actor),
                           file_name=f"{t('users.import.template_name')}.xlsx", mime=exports.XLSX_MIME,
                           key="users_template", icon=":material/download:")
    made = import_file(lambda data, name: user_imports.import_users(store.engine(), actor=actor, data=data,
                                                                    filename=name),
                       key="users_import", area="users", field_prefix="field.", working=t("users.import.working"))
    if made is not None:
        frame = pd.DataFrame([m.model_dump() for m in made])
        frame["role"] = frame["role"].map(lambda r: t(f"role.{r}"))
        shown = tables.labelled(frame, {"username": "col.username", "display_name": "col.display_name",
                                        "role": "col.role", "password": "users.import.password"})
        st.success(t("users.import.done", count=len(made)))
        st.warning(t("users.import.once"))
        st.dataframe(shown, hide_index=True, width="stretch")
        passwords = tables.file_title(t("users.import.passwords_name"), actor)
        tables.download_button(st, t("users.import.download"),
                               data=exports.excel_bytes({t("users.import.tab"): shown}, title=passwords),
                               file_name=f"{t('users.import.passwords_name')}.xlsx", mime=exports.XLSX_MIME,
                               key="users_passwords", icon=":material/download:")
