"""Sign-in through the identity platform (统一身份认证): the settings, the secrets section written for st.login,
and the match of a platform identity to a user row at the db layer."""

import tomllib
from datetime import timedelta

import pytest
from sqlalchemy import select

from components import sso
from db import clock, settings, users
from db.engine import reading, transaction
from db.errors import DomainError
from db.models import AppUser, AuditLog

OIDC_ENV = {"APP_OIDC_ISSUER": "https://idp.example.gov.cn/realms/district/", "APP_OIDC_CLIENT_ID": "cpme",
            "APP_OIDC_CLIENT_SECRET": 's3cr"et\\with\nodd chars'}


@pytest.fixture
def oidc_env(monkeypatch):
    for name in ("APP_OIDC_REDIRECT_URI", "APP_OIDC_METADATA_URL", "APP_OIDC_CLAIM", "APP_OIDC_LABEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in OIDC_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APP_SECRET_KEY", "k" * 40)


def test_no_oidc_settings_means_passwords_only(monkeypatch):
    for name in OIDC_ENV:
        monkeypatch.delenv(name, raising=False)
    assert settings.oidc() is None


def test_a_half_configured_platform_fails_at_start(oidc_env, monkeypatch):
    monkeypatch.delenv("APP_OIDC_CLIENT_SECRET")
    with pytest.raises(RuntimeError, match="APP_OIDC_CLIENT_SECRET"):
        settings.oidc()
    monkeypatch.setenv("APP_OIDC_CLIENT_SECRET", "x")
    monkeypatch.setenv("APP_OIDC_REDIRECT_URI", "https://cpme.example.gov.cn/callback")
    with pytest.raises(RuntimeError, match="/oauth2callback"):
        settings.oidc()


def test_the_secrets_section_st_login_reads(oidc_env, monkeypatch):
    monkeypatch.setenv("APP_OIDC_CLAIM", "employee_no")
    oidc = settings.oidc()
    assert oidc.metadata_url == "https://idp.example.gov.cn/realms/district/.well-known/openid-configuration"
    assert oidc.claim == "employee_no"
    parsed = tomllib.loads(sso.secrets_text(oidc))["auth"]
    assert parsed["redirect_uri"] == "http://localhost:{port}/oauth2callback"
    platform = parsed[sso.PROVIDER]
    assert platform["client_secret"] == OIDC_ENV["APP_OIDC_CLIENT_SECRET"]  # quotes, backslash, newline survive
    assert platform["server_metadata_url"] == oidc.metadata_url
    assert platform["client_kwargs"]["scope"] == "openid profile email"
    # the identity cookie's key comes from APP_SECRET_KEY, never a default, and changes with it
    assert len(parsed["cookie_secret"]) == 64
    monkeypatch.setenv("APP_SECRET_KEY", "m" * 40)
    assert tomllib.loads(sso.secrets_text(oidc))["auth"]["cookie_secret"] != parsed["cookie_secret"]


def _audit(engine, action):
    with reading(engine) as s:
        return s.execute(select(AuditLog).where(AuditLog.action == action)).scalars().all()


def test_a_platform_identity_signs_in_as_its_user_row(engine):
    actor = users.sso_sign_in(engine, " Leader ", clock.utcnow())
    assert (actor.username, actor.role, actor.scope_name) == ("leader", "leader", "锦江区")
    assert [row.username for row in _audit(engine, "sso_login")] == ["leader"]


@pytest.mark.parametrize("claim,key", [("nobody", "auth.sso.unknown"), (None, "auth.sso.unknown"),
                                       (42, "auth.sso.unknown")])
def test_an_unknown_person_is_refused_and_audited(engine, claim, key):
    with pytest.raises(DomainError) as refused:
        users.sso_sign_in(engine, claim, clock.utcnow())
    assert refused.value.code == key
    rows = _audit(engine, "sso_refused")
    assert len(rows) == 1 and '"unknown"' in rows[0].after


def test_a_deactivated_or_revoked_user_is_refused(engine):
    issued = clock.utcnow()
    cutoff = users.revoke_tokens(engine, "leader")  # signed out (or revoked) after the platform issued the token
    assert cutoff >= issued
    with pytest.raises(DomainError) as refused:
        users.sso_sign_in(engine, "leader", issued - timedelta(seconds=1))
    assert refused.value.code == "auth.session_ended"
    assert users.sso_sign_in(engine, "leader", cutoff + timedelta(seconds=1)).username == "leader"  # signs in anew

    with transaction(engine) as s:
        s.execute(select(AppUser).where(AppUser.username == "evaluator")).scalar_one().active = False
    with pytest.raises(DomainError) as refused:
        users.sso_sign_in(engine, "evaluator", clock.utcnow())
    assert refused.value.code == "auth.sso.inactive"
    reasons = sorted(row.after for row in _audit(engine, "sso_refused"))
    assert len(reasons) == 2 and '"inactive"' in reasons[0] + reasons[1] and '"revoked"' in reasons[0] + reasons[1]
