"""Sign-in through the district's identity platform (统一身份认证, OpenID Connect) with Streamlit's own
`st.login`, beside the local passwords.

`st.login` reads its provider from an `[auth]` section of Streamlit's secrets. The install configures it in
the environment (APP_OIDC_*, db/settings.py), so `configure()` writes that section at start into the secrets
file Streamlit reads (`.streamlit/secrets.toml` by default, git-ignored, mode 0600) whenever it differs. The
identity cookie Streamlit sets after the callback is signed with a key derived from APP_SECRET_KEY, never a
default. The person is then matched to a user row (db/users.sso_sign_in) once per browser session; from there
on the session is checked against the row on every run exactly as a password session is (components/auth.py).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from db import settings

PROVIDER = "platform"  # the [auth.platform] section; st.login(PROVIDER)


def config() -> settings.Oidc | None:
    return settings.oidc()


def _cookie_secret() -> str:
    # Derived, not stored: every instance sharing APP_SECRET_KEY signs and reads the same identity cookie.
    return hmac.new(settings.secret_key().encode(), b"streamlit-oidc-identity-cookie", hashlib.sha256).hexdigest()


def _quote(value: str) -> str:
    """A TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch >= " " else f"\\u{ord(ch):04x}" for ch in escaped) + '"'


def secrets_text(oidc: settings.Oidc) -> str:
    lines = [
        "# Written by the app at start from APP_OIDC_* (components/sso.py); edit the environment, not this file.",
        "[auth]",
        f"redirect_uri = {_quote(oidc.redirect_uri)}",
        f"cookie_secret = {_quote(_cookie_secret())}",
        f"[auth.{PROVIDER}]",
        f"client_id = {_quote(oidc.client_id)}",
        f"client_secret = {_quote(oidc.client_secret)}",
        f"server_metadata_url = {_quote(oidc.metadata_url)}",
        # no account picker: a government platform has one account per person
        f"client_kwargs = {{ scope = {_quote('openid profile email')}, prompt = {_quote('login')} }}",
    ]
    return "\n".join(lines) + "\n"


def _secrets_path() -> Path:
    # the last listed file wins in Streamlit's merge; by default <working dir>/.streamlit/secrets.toml
    return Path(st.get_option("secrets.files")[-1])


def configure() -> None:
    """Write the [auth] section if the environment asks for OIDC and the file does not already say it."""
    oidc = config()
    if oidc is None:
        return
    path = _secrets_path()
    text = secrets_text(oidc)
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)  # atomic: another instance or the file watcher never reads half a file


def identity() -> tuple[object, datetime] | None:
    """(the configured claim's value, when the platform issued the ID token) for a browser that holds
    Streamlit's identity cookie; None without one or without OIDC."""
    oidc = config()
    if oidc is None:
        return None
    try:
        user = st.user
        if not user.get("is_logged_in"):
            return None
        iat = user.get("iat")
    except Exception:  # AppTest and hosts without the auth routes have no identity
        return None
    if not isinstance(iat, (int, float)):
        return None  # an ID token must carry iat (OpenID Connect Core 2); without it revocation cannot be checked
    return user.get(oidc.claim), datetime.fromtimestamp(iat, timezone.utc)


def login() -> None:
    st.login(PROVIDER)


def logout() -> None:
    """Drop Streamlit's identity cookie (and, where the platform offers it, its own session too)."""
    st.logout()
