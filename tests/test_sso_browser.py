"""统一身份认证 for real: a local OpenID Connect provider (oidc-provider-mock), the app with APP_OIDC_* set, and
Chromium. A staff member signs in at the platform and lands with their row's role and scope; signing out ends it,
and the identity cookie they held before is refused afterwards; a person with no account here is told so."""

import pytest

from factories.browser import chromium_page, free_port, require_browser, running_app, settle
from factories.databases import sqlite_copy

IDENTITY_COOKIE = "_streamlit_user"


@pytest.fixture
def platform():
    require_browser()
    from oidc_provider_mock import User, run_server_in_thread

    people = [User(sub="u-1001", claims={"preferred_username": "leader", "name": "锦江区 区领导"}),
              User(sub="u-2002", claims={"preferred_username": "zhang.wei", "name": "张伟"})]
    with run_server_in_thread(port=free_port(), user_claims=people) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def live_app(platform, sqlite_template, tmp_path):
    port = free_port()
    env = {"DATABASE_URL": sqlite_copy(sqlite_template), "APP_DATA_DIR": str(tmp_path),
           "APP_SECRET_KEY": "sso-browser-test-key-" + "q" * 32, "BCRYPT_ROUNDS": "4",
           # the platform stamps its tokens by the wall clock, so the app runs on it here (revocation compares
           # the two); what this test checks does not depend on the day
           "APP_CLOCK": "",
           "APP_OIDC_ISSUER": platform, "APP_OIDC_CLIENT_ID": "cpme", "APP_OIDC_CLIENT_SECRET": "cpme-secret",
           "APP_OIDC_REDIRECT_URI": f"http://localhost:{port}/oauth2callback", "APP_OIDC_LABEL": "区统一身份认证",
           "STREAMLIT_SECRETS_FILES": str(tmp_path / "secrets.toml")}
    with running_app(env, port=port) as base:
        yield base.replace("127.0.0.1", "localhost")  # the origin the callback is registered at


def _sign_in_at_platform(page, base, subject):
    page.goto(base)
    page.get_by_role("button", name="通过区统一身份认证登录").click()
    page.get_by_role("button", name=subject).click()  # the provider's page: one button per known person
    page.wait_for_url(f"{base}/**", timeout=60_000)


def test_platform_sign_in_sign_out_and_revocation(live_app, tmp_path):
    welcome = "欢迎，锦江区 区领导"
    with chromium_page() as page:
        _sign_in_at_platform(page, live_app, "u-1001")
        page.get_by_text(welcome).wait_for(timeout=60_000)
        settle(page)
        assert page.get_by_text("管辖范围：锦江区").count() == 1  # role and scope from the user row
        assert oct((tmp_path / "secrets.toml").stat().st_mode & 0o777) == "0o600"
        held = page.context.cookies()  # what a thief or a forgotten browser would keep
        assert any(c["name"].startswith(IDENTITY_COOKIE) for c in held)

        page.reload()  # the identity cookie signs the same person in again in a new session
        page.get_by_text(welcome).wait_for(timeout=60_000)
        settle(page)

        page.get_by_role("button", name="退出登录").click()
        # the platform is told too (its end-session page), and sends the browser back to the app
        page.get_by_role("button", name="End session").click()
        page.get_by_label("用户名").first.wait_for(timeout=60_000)
        settle(page)
        assert not any(c["name"].startswith(IDENTITY_COOKIE) for c in page.context.cookies())

        # the identity cookie from before the sign-out, brought back: revoked, refused with a message
        page.context.add_cookies(held)
        page.goto(live_app)
        page.get_by_text("登录已失效，请重新登录。").wait_for(timeout=60_000)
        settle(page)
        assert page.get_by_text(welcome).count() == 0
        page.get_by_role("button", name="退出区统一身份认证，换一个账号").wait_for()

        # a person the platform knows but this app does not
        page.context.clear_cookies()
        _sign_in_at_platform(page, live_app, "u-2002")
        refusal = page.get_by_text("尚未在本平台开通")
        refusal.wait_for(timeout=60_000)
        assert "「zhang.wei」" in refusal.inner_text().replace("\u2060", "")  # the escape keeps it from autolinking
        settle(page)
        assert page.get_by_label("用户名").count() == 1 and page.get_by_text("当前用户").count() == 0
