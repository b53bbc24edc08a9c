"""The one call every page starts with: page config, language, sign-in, role guard, menu."""

from __future__ import annotations

import streamlit as st

from components import auth, i18n, store
from components.i18n import t
from components.safe_text import md_escape
from components.registry import PAGES, pages_for
from components.texts import LANGS
from db.access import Actor


def page(key: str) -> Actor | None:
    """Set up the page `key` (see components/registry.py); stops the script unless the viewer may see it."""
    spec = PAGES[key]
    i18n.init_language()
    st.set_page_config(page_title=f"{t(spec.title)} · {t('app.name')}", page_icon="🏘️", layout="wide")
    engine = store.engine()
    # Public pages never touch sign-in: no authenticator, no cookie component, no staff state.
    actor = auth.current_actor(engine) if spec.roles is not None else None
    menu = st.sidebar.container()
    _language_switch()
    if spec.roles is not None:
        if actor is None:
            st.title(t("app.name"))
            actor = auth.login_form(engine)
            if actor is None:
                _public_links()
                _menu(menu, None)
                st.stop()
        if actor.role not in spec.roles:
            _menu(menu, actor)
            st.error(t("auth.denied"))
            st.stop()
    _menu(menu, actor)
    return actor


def _language_switch() -> None:
    current = i18n.lang()
    st.session_state["lang_choice"] = current
    st.sidebar.radio(
        t("lang.label"), LANGS, key="lang_choice", horizontal=True,
        format_func={code: t(f"lang.{code}") for code in LANGS}.get,
        on_change=lambda: i18n.set_language(st.session_state["lang_choice"]),
    )


def _menu(container, actor: Actor | None) -> None:
    with container:
        st.markdown(f"### {t('app.name')}")
        for spec in pages_for(actor.role if actor else None):
            if spec.roles is not None:  # public pages are listed under 公众入口 below
                st.page_link(spec.path, label=t(spec.title), icon=spec.icon)
        public = [spec for spec in PAGES.values() if spec.roles is None]
        if public:
            st.caption(t("menu.public"))
            for spec in public:
                st.page_link(spec.path, label=t(spec.title), icon=spec.icon)
        if actor:
            st.divider()
            st.caption(t("auth.signed_in_as", name=md_escape(actor.display_name), role=t(f"role.{actor.role}")))
            st.caption(t("auth.scope", scope=md_escape(actor.scope_name)))
            st.button(t("auth.logout"), key="logout_button", on_click=auth.on_logout, icon=":material/logout:")


def _public_links() -> None:
    for spec in PAGES.values():
        if spec.roles is None:
            st.page_link(spec.path, label=t(spec.title), icon=spec.icon)
