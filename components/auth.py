"""Sign-in with streamlit-authenticator's session state and cookie, checked against the database.

The library keeps its lockout counter in memory and accepts any cookie its key signed, so the
password check, the lockout and cookie revocation live in db/users.py. The cookie is read on the server
and the signed-in state set here (`_hold_session`); it is written by the library's cookie component alone
(`_CookieWriter`), drawn until the browser says it is written, and deleted through the library, which is
built only for that: each construction draws a frame whose report costs a script run.
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta

import extra_streamlit_components as stx
import jwt
import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy.engine import Engine

from components import sso
from components.i18n import error_text, t
from components.writes import attempt
from db import clock, settings, users
from db.access import Actor
from db.errors import DomainError

COOKIE_NAME = "cpme_auth"
ISSUED_KEY = "auth_issued_at"  # when this session's sign-in was issued, compared with tokens_valid_after
_DELETE_KEY = "_auth_delete_cookie"
_REFUSED_KEY = "_auth_refused_cookie"
_NOTICE_KEY = "_auth_notice"
_SSO_KEY = "_auth_sso"  # set while this session was signed in through the identity platform
_SSO_REFUSED_KEY = "_auth_sso_refused"  # the platform sign-in (its issue time) refused in this session
_WRITE_KEY = "_auth_cookie_to_write"  # (username, issued, runs left) until the browser says the cookie is written
_WRITER = "_auth_cookie_writer"  # the frame that writes the cookie; its value turns True once written
_WRITE_RUNS = 5  # the writer is drawn on this many runs at most: a browser may never answer (no scripts in frames)
ISSUED_CLAIM = "issued_at"  # our own claim, not JWT's "iat", which PyJWT would check against the wall clock
CLOCK_SKEW = timedelta(minutes=5)  # instances' clocks differ a little; a cookie from further ahead is forged or stale


def encode_token(username: str, issued: datetime, exp_date: float | None = None) -> str:
    """The cookie's JWT: the library's {username, exp_date} plus the instant it was issued.

    The issue time used to be derived as exp_date minus the *current* APP_COOKIE_DAYS, so lowering
    that setting moved old cookies past their revocation cut-off and brought them back."""
    claims = {"username": username, "exp_date": exp_date, ISSUED_CLAIM: issued.isoformat()}
    return jwt.encode(claims, settings.secret_key(), algorithm="HS256")


def _cookie_component_served() -> None:
    """Streamlit serves a component's files only if it was declared during a script run. The warm-up
    (components/warmup.py) imports the library in a thread of its own before any visitor comes, so the
    declaration went unregistered, the browser got a 404 for the frame that writes the cookie, and no sign-in
    after a start left a cookie. Registered here, before any cookie frame is drawn."""
    from streamlit import runtime

    if not runtime.exists():  # AppTest: no server serves files
        return
    component = importlib.import_module("extra_streamlit_components.CookieManager")._component_func
    registry = runtime.get_instance().component_registry
    if registry.get_component(component.name) is None:
        registry.register_component(component)


def _authenticator(engine: Engine, username: str) -> stauth.Authenticate:
    """The library, built to delete a cookie (each construction draws its cookie reader)."""
    _cookie_component_served()
    return stauth.Authenticate(
        users.credentials_entry(engine, username),
        cookie_name=COOKIE_NAME,
        cookie_key=settings.secret_key(),
        cookie_expiry_days=settings.cookie_expiry_days(),
        auto_hash=False,
        login_sleep_time=0,
    )


def _hold_session(engine: Engine, username: str) -> None:
    """The session as the authenticator's login(token=...) leaves it, without building the authenticator: building it
    draws its cookie component, whose first report back cost every page load a second script run (the cookie is
    read on the server, `_cookie_token`; the component is drawn only to write or delete one)."""
    entry = users.credentials_entry(engine, username)["usernames"][username]
    st.session_state.update(email=entry["email"], name=entry["name"], roles=entry["roles"],
                            authentication_status=True, username=username)


def _cookie_token() -> str | None:
    try:
        return st.context.cookies.get(COOKIE_NAME)
    except Exception:  # AppTest and some hosts have no real cookies
        return None


def cookie_issued_at(token: str) -> tuple[str, datetime] | None:
    """(username, issue time) of a cookie our key signed, carrying its issue time, within
    APP_COOKIE_DAYS of it by our clock; None otherwise (the library's exp_date is read off the wall
    clock and is not used). Revocation is then users.token_valid's comparison with the issue time."""
    try:
        claims = jwt.decode(token, settings.secret_key(), algorithms=["HS256"])
        username, issued = claims.get("username"), datetime.fromisoformat(claims[ISSUED_CLAIM])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
    if not isinstance(username, str) or issued.tzinfo is None:
        return None
    now = clock.utcnow()
    if issued > now + CLOCK_SKEW or issued + timedelta(days=settings.cookie_expiry_days()) <= now:
        return None
    return username, issued


def _clear_session() -> None:
    for key in ("authentication_status", "username", "name", "email", "roles", ISSUED_KEY, _SSO_KEY, _WRITE_KEY):
        st.session_state[key] = None


def current_actor(engine: Engine) -> Actor | None:
    """The signed-in user for this run: from the session, else from a still-valid cookie."""
    pending = st.session_state.pop(_DELETE_KEY, None)
    if pending:
        _authenticator(engine, pending).cookie_controller.delete_cookie()
        return None
    username = st.session_state.get("username") if st.session_state.get("authentication_status") else None
    if username:
        issued = st.session_state.get(ISSUED_KEY)
        actor = users.actor_for(engine, username) if issued else None
        if actor and users.token_valid(engine, username, issued):
            _write_cookie_again()
            return actor
        # deactivated, locked, or signed out elsewhere since this session began
        platform = st.session_state.get(_SSO_KEY)
        _clear_session()
        st.session_state[_NOTICE_KEY] = "auth.session_ended"
        if platform:
            st.session_state[_SSO_REFUSED_KEY] = platform
        else:
            _authenticator(engine, username).cookie_controller.delete_cookie()
        return None
    token = _cookie_token()
    if not token:
        return _platform_sign_in(engine)
    if not token or token == st.session_state.get(_REFUSED_KEY):
        return None
    parsed = cookie_issued_at(token)
    if parsed and users.token_valid(engine, *parsed):
        username, issued = parsed
        _hold_session(engine, username)
        st.session_state[ISSUED_KEY] = issued
        return users.actor_for(engine, username)
    st.session_state[_REFUSED_KEY] = token
    if parsed:
        _authenticator(engine, parsed[0]).cookie_controller.delete_cookie()
    return _platform_sign_in(engine)


def _platform_sign_in(engine: Engine) -> Actor | None:
    """A browser back from the identity platform: matched to its user row once per session (audited), then
    held like a password session, with the ID token's issue time as the one revocation compares with."""
    found = sso.identity()
    if found is None:
        return None
    claim, issued = found
    if st.session_state.get(_SSO_REFUSED_KEY) == issued.isoformat():
        return None  # refused once in this session: the message is on screen, no second audit row per run
    if issued + timedelta(days=settings.cookie_expiry_days()) <= clock.utcnow():
        st.session_state[_SSO_REFUSED_KEY] = issued.isoformat()
        st.session_state[_NOTICE_KEY] = "auth.session_ended"
        return None
    try:
        actor = users.sso_sign_in(engine, claim, issued)
    except DomainError as err:
        st.session_state[_SSO_REFUSED_KEY] = issued.isoformat()
        st.session_state[_NOTICE_KEY] = err
        return None
    _hold_session(engine, actor.username)
    st.session_state[ISSUED_KEY] = issued
    st.session_state[_SSO_KEY] = issued.isoformat()
    return actor


def login_form(engine: Engine) -> None:
    """The sign-in form drawn in place; a run that signs someone in reruns the page signed in."""
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if isinstance(notice, DomainError):
        st.warning(error_text(notice))
    elif notice:
        st.info(t(notice))
    st.subheader(t("auth.login_title"))
    st.caption(t("auth.login_intro"))
    with st.form("login_form", clear_on_submit=True):
        username = st.text_input(t("auth.username"), key="login_username", autocomplete="username")
        password = st.text_input(t("auth.password"), type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("auth.submit"), type="primary")
    _platform_button()
    if not submitted:
        return
    if not username.strip() or not password:
        st.error(t("auth.missing"))
        return
    try:
        result = users.authenticate(engine, username, password)
    except DomainError as err:  # e.g. the database is read-only or full: sign-in records a row
        st.error(error_text(err))
        return
    if not result.ok:
        # One sentence for unknown, wrong, locked and deactivated: any other tells a guesser the account exists.
        st.error(t("auth.bad_credentials"))
        return
    username = username.strip().lower()
    issued = clock.utcnow()
    _hold_session(engine, username)
    st.session_state[ISSUED_KEY] = issued
    st.session_state.pop(_REFUSED_KEY, None)
    # the page draws once, signed in; each run from there draws the cookie writer in the same place
    # (current_actor) until the browser says the cookie is written
    st.session_state[_WRITE_KEY] = (username, issued, _WRITE_RUNS)
    st.rerun()


def _platform_button() -> None:
    """统一身份认证 beside the password form, when the install is configured for it."""
    oidc = sso.config()
    if oidc is None:
        return
    label = oidc.label or t("auth.sso.platform")
    st.button(t("auth.sso.button", platform=label), key="sso_login", on_click=sso.login,
              icon=":material/badge:")
    if st.session_state.get(_SSO_REFUSED_KEY):
        # still holding the platform's cookie for a refused person: let them leave it and sign in as another
        st.button(t("auth.sso.leave", platform=label), key="sso_leave", on_click=_leave_platform)


def _leave_platform() -> None:
    st.session_state.pop(_SSO_REFUSED_KEY, None)
    sso.logout()


def first_admin_form(engine: Engine) -> None:
    """An empty install's first start: no account exists, so the first one, an administrator over the
    whole tree, is made here. The db refuses it once any account exists, and then this form is gone."""
    st.subheader(t("auth.first.title"))
    st.caption(t("auth.first.intro"))
    with st.form("first_admin"):
        username = st.text_input(t("field.username"), key="first_username", max_chars=40, autocomplete="username")
        display_name = st.text_input(t("field.display_name"), key="first_display_name", max_chars=60)
        password = st.text_input(t("field.password"), type="password", key="first_password",
                                 autocomplete="new-password")
        again = st.text_input(t("field.password_again"), type="password", key="first_password_again",
                              autocomplete="new-password")
        submitted = st.form_submit_button(t("auth.first.submit"), type="primary")
    if not submitted:
        return
    if password != again:
        st.error(t("error.password_mismatch"))
        return
    data = {"username": username, "display_name": display_name, "password": password}
    # done, the sign-in form shows the note (it reads a message key from _NOTICE_KEY)
    attempt(lambda: users.create_first_admin(engine, data), area="users", flash_key=_NOTICE_KEY,
            done="auth.first.created")


def on_logout() -> None:
    """Button callback: revoke every cookie of the user in the database, end the session here."""
    from components import store

    username = st.session_state.get("username")
    platform = st.session_state.get(_SSO_KEY)
    if username:
        users.revoke_tokens(store.engine(), username)
        if not platform:
            st.session_state[_DELETE_KEY] = username
    _clear_session()
    st.session_state["logout"] = True
    if platform:
        sso.logout()  # the identity cookie goes too, or the next visit would sign in again through it


def reissue_cookie(actor: Actor, cutoff: datetime) -> None:
    """After a password change: this session and a fresh cookie for this browser, issued at the new cut-off
    (written from the next run on, like a sign-in's)."""
    st.session_state[ISSUED_KEY] = cutoff
    st.session_state[_WRITE_KEY] = (actor.username, cutoff, _WRITE_RUNS)


class _CookieWriter(stx.CookieManager):
    """The library's cookie component without its reader: CookieManager() first draws a frame that reports the
    page's cookies, and that report reruns the page, racing the frame that writes."""

    def __init__(self) -> None:  # not super().__init__(): that draws the reader
        self.cookie_manager = importlib.import_module("extra_streamlit_components.CookieManager")._component_func
        self.cookies = {}


def _write_cookie_again() -> None:
    """Draw the cookie writer on each run until the browser answers that it wrote the cookie. A run that does not
    draw it removes its frame: the library drew a reader beside it, whose first report reran the page, and under
    load that rerun came before the writer had run, so the sign-in left no cookie (3 of 8 sign-ins at load 5).
    Drawn again in the same place under the same key, the frame stays and finishes."""
    pending = st.session_state.get(_WRITE_KEY)
    if not pending:
        return
    username, issued, runs_left = pending
    if st.session_state.get(_WRITER) is True or runs_left <= 0 or username != st.session_state.get("username"):
        st.session_state[_WRITE_KEY] = None
        return
    days = settings.cookie_expiry_days()
    if days > 0:
        token = encode_token(username, issued, (issued + timedelta(days=days)).timestamp())
        # max_age: the browser counts the days on its own clock (it wins over the library's default expiry)
        _cookie_component_served()
        _CookieWriter().set(COOKIE_NAME, token, key=_WRITER, max_age=days * 86400)
    st.session_state[_WRITE_KEY] = (username, issued, runs_left - 1)
