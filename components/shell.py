"""The one call every page starts with: page config, language, sign-in, role guard, menu."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from components import auth, i18n, sso, store, url_state, viewer
from components.i18n import t
from components.registry import PAGES, pages_for
from components.reminders import daily as reminders
from components.safe_text import md_escape
from components.texts import LANGS
from db import org_units, users
from db.access import Actor
from db.errors import NotFound
from db.overview import headline as overview

# the tab's icon: our own PNG (社 on the theme's blue, drawn once with Noto Sans CJK) rather than an
# emoji, which each browser draws from its own emoji font, if at all
ICON = Path(__file__).resolve().parent / "icon.png"
SCOPE_PARAM = "scope"  # ?scope=<unit code>: a leader or admin looks at one district or street
_BASE_ACTOR = "_base_actor"


def page(key: str) -> Actor | None:
    """Set up the page `key` (see components/registry.py); stops the script unless the viewer may see it."""
    spec = PAGES[key]
    i18n.init_language()
    st.set_page_config(page_title=f"{t(spec.title)} · {t('app.name')}", page_icon=ICON, layout="wide")
    st.html(page_style())
    engine = store.engine()
    sso.configure()  # before anything reads st.user: the [auth] section st.login needs, from APP_OIDC_*
    # Public pages never touch sign-in: no authenticator, no cookie component, no staff state.
    actor = auth.current_actor(engine) if spec.roles is not None else None
    menu = st.sidebar.container()
    _language_switch()
    if spec.roles is not None:
        if actor is None:
            st.title(t("app.name"))
            if not users.has_users(engine):  # an empty install's first start
                auth.first_admin_form(engine)
                _menu(menu, None)
                st.stop()
            auth.login_form(engine)  # reruns the page once someone signs in
            _public_links()
            _menu(menu, None)
            st.stop()
        st.session_state[_BASE_ACTOR] = actor
        if actor.role not in spec.roles:
            _menu(menu, actor)
            st.error(t("auth.denied"))
            st.stop()
        actor = _narrow(engine, actor)
        reminders.run_once_today(engine)  # the day's first view makes the day's notifications
    viewer.settle(actor)
    staff = _staff_visiting() if spec.roles is None else None
    _menu(menu, actor, staff)
    if staff is not None:  # in sight on a phone too, where the sidebar starts folded
        st.page_link(PAGES["home"].path, label=t("menu.back_to_work"), icon=":material/arrow_back:")
    return actor


def _staff_visiting() -> Actor | None:
    """A staff user signed in this session who opened a public page from their menu. The public page itself
    stays anonymous (no cookie, no staff state read): this only gives them their way back to the workspace."""
    base = base_actor()
    if base is None or not st.session_state.get("authentication_status"):
        return None
    return base if st.session_state.get("username") == base.username else None


# An optional date left empty shows Streamlit's "yyyy/mm/dd", which no option words in Chinese: "年/月/日"
_DATE_HINT = """[data-testid="stDateInput"] [data-placeholder="true"] { font-size: 0; }
[data-testid="stDateInput"] [data-placeholder="true"]::after { font-size: 0.95rem; }
[data-testid="stDateInput"] [data-placeholder="true"][data-type="year"]::after { content: "年"; }
[data-testid="stDateInput"] [data-placeholder="true"][data-type="month"]::after { content: "月"; }
[data-testid="stDateInput"] [data-placeholder="true"][data-type="day"]::after { content: "日"; }"""


def page_style() -> str:
    """The few rules Streamlit has no option for: a headline figure, a card's label or a card's link wraps
    rather than ends in "…" (a leader must read the whole number), and the file uploader's own English
    ("Upload", "200MB per file") and an empty date's "YYYY/MM/DD" are worded in the page's language or left
    out (Streamlit translates none of them)."""
    limit = st.get_option("server.maxUploadSize")
    return f"""<style>
[data-testid="stMetricValue"] {{ font-size: 1.9rem; line-height: 1.25; }}
[data-testid="stMetricValue"] > div, [data-testid="stMetricLabel"] div, [data-testid="stMetricLabel"] p,
[data-testid="stMetricDelta"] div, [data-testid="stMetricDelta"] p,
[data-testid="stMain"] [data-testid="stPageLink-NavLink"] p, [data-testid="stMain"] [data-testid="stPageLink"] span {{
  white-space: normal; overflow: visible; text-overflow: clip; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{t('upload.browse')}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "{t('upload.limit', mb=limit)}"; font-size: 0.8rem; }}
{_DATE_HINT if i18n.lang() == "zh" else ""}
</style>"""


def base_actor() -> Actor | None:
    """The signed-in user with their full scope, whatever ?scope= narrowed this page to."""
    return st.session_state.get(_BASE_ACTOR)


def _narrow(engine, actor: Actor) -> Actor:
    """Apply ?scope=: every reader and writer below sees only that unit (never more than the user's own)."""
    code = url_state.get(SCOPE_PARAM)
    if not code or not actor.may("overview.read"):
        return actor
    try:
        return overview.narrowed(actor, org_units.get_unit(engine, actor=actor, code=code))
    except NotFound:
        st.warning(t("scope.unknown"))
        return actor


def _clear_scope() -> None:
    url_state.write(SCOPE_PARAM, None)


def _language_switch() -> None:
    current = i18n.lang()
    st.session_state["lang_choice"] = current
    st.sidebar.radio(
        t("lang.label"), LANGS, key="lang_choice", horizontal=True,
        format_func={code: t(f"lang.{code}") for code in LANGS}.get,
        on_change=lambda: i18n.set_language(st.session_state["lang_choice"]),
    )


def _menu(container, actor: Actor | None, staff: Actor | None = None) -> None:
    with container:
        st.markdown(f"### {t('app.name')}")
        if staff is not None:  # a public page opened from the staff menu: the way back, and who is signed in
            st.page_link(PAGES["home"].path, label=t("menu.back_to_work"), icon=":material/arrow_back:")
            st.caption(t("auth.signed_in_as", name=md_escape(staff.display_name), role=t(f"role.{staff.role}")))
        base = base_actor() if actor else None
        # a narrowed view stays narrowed from page to page until the user clears it
        keep = ({SCOPE_PARAM: url_state.get(SCOPE_PARAM)}
                if base is not None and base.scope_id != actor.scope_id else None)
        if actor:  # the bell: the inbox with the unread count (the user's own, whatever the narrowed scope)
            unread = reminders.unread(store.engine(), base or actor)
            st.page_link(PAGES["inbox"].path, icon=PAGES["inbox"].icon,
                         label=t("notice.bell", n=unread) if unread else t(PAGES["inbox"].title))
        for spec in pages_for(actor.role if actor else None):
            if spec.key == "inbox":
                continue  # shown above as the bell
            if spec.roles is not None:  # public pages are listed under 公众入口 below
                st.page_link(spec.path, label=t(spec.title), icon=spec.icon, query_params=keep)
        public = [spec for spec in PAGES.values() if spec.roles is None]
        if public:
            st.caption(t("menu.public"))
            for spec in public:
                st.page_link(spec.path, label=t(spec.title), icon=spec.icon)
        if actor:
            st.divider()
            st.caption(t("auth.signed_in_as", name=md_escape(actor.display_name), role=t(f"role.{actor.role}")))
            if keep:
                st.caption(t("scope.viewing", scope=md_escape(actor.scope_name), own=md_escape(base.scope_name)))
                st.button(t("scope.clear"), key="scope_clear", on_click=_clear_scope, icon=":material/zoom_out_map:")
            else:
                st.caption(t("auth.scope", scope=md_escape(actor.scope_name)))
            st.button(t("auth.logout"), key="logout_button", on_click=auth.on_logout, icon=":material/logout:")


def _public_links() -> None:
    for spec in PAGES.values():
        if spec.roles is None:
            st.page_link(spec.path, label=t(spec.title), icon=spec.icon)
