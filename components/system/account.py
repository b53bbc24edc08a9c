"""The signed-in user's own account: who and where they are, and a password change."""

from __future__ import annotations

import streamlit as st

from components import auth, store
from components.i18n import error_text, t
from components.writes import attempt, show_flash
from db import users
from db.access import Actor


def render(actor: Actor) -> None:
    st.title(t("account.title"))
    show_flash("account_flash")
    st.subheader(t("account.profile"))
    st.text(f"{t('col.username')}: {actor.username}\n{t('col.display_name')}: {actor.display_name}\n"
            f"{t('col.role')}: {t('role.' + actor.role)}\n{t('col.scope')}: {actor.scope_name}")
    st.subheader(t("account.change_password"))
    with st.form("change_password", clear_on_submit=True):
        old = st.text_input(t("field.old_password"), type="password", key="old_password")
        new = st.text_input(t("field.new_password"), type="password", key="new_password_1")
        repeat = st.text_input(t("field.confirm_password"), type="password", key="new_password_2")
        submitted = st.form_submit_button(t("account.change_password"), type="primary")
    if not submitted:
        return
    if new != repeat:
        st.error(t("error.password_mismatch"))
        return
    engine = store.engine()
    # the session and this browser's cookie move to the new cut-off before the rerun (auth writes the cookie)
    attempt(lambda: users.change_own_password(engine, actor=actor, old_password=old, new_password=new),
            area="users", flash_key="account_flash", done=t("account.changed"),
            explain=lambda err: error_text(err, field_prefix="field.new_" if err.field == "password" else "field."),
            before_rerun=lambda cutoff: auth.reissue_cookie(actor, cutoff))
