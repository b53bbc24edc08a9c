"""What AppTest cannot drive: the cookie across a reload, and sign-out, in a real Chromium."""

import pytest

from tests.browser import chromium_page, require_browser, running_app, settle
from tests.conftest import _sqlite_copy


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    require_browser()
    env = {"DATABASE_URL": _sqlite_copy(sqlite_template), "APP_DATA_DIR": str(tmp_path),
           "APP_SECRET_KEY": "browser-test-key-" + "z" * 32, "BCRYPT_ROUNDS": "4"}
    with running_app(env) as base:
        yield base


def test_leader_signs_in_reloads_with_cookie_and_signs_out(live_app):
    with chromium_page() as page:
        page.goto(live_app)
        page.get_by_label("用户名").wait_for(timeout=60_000)
        page.get_by_label("用户名").fill("leader")
        page.get_by_label("密码").fill("Leader@2026")
        page.get_by_role("button", name="登录").click()
        page.get_by_text("欢迎，锦江区 区领导").wait_for(timeout=60_000)
        settle(page)
        assert page.get_by_text("社区项目监测评估平台").first.is_visible()
        assert page.locator('[data-testid="stMetric"]').count() >= 3

        page.reload()
        page.get_by_text("欢迎，锦江区 区领导").wait_for(timeout=60_000)  # the cookie signed us back in
        settle(page)
        assert page.get_by_label("用户名").count() == 0

        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").wait_for(timeout=60_000)
        settle(page)
        page.reload()
        page.get_by_label("用户名").wait_for(timeout=60_000)  # no way back in with the old cookie
        settle(page)
        assert page.get_by_text("欢迎，锦江区 区领导").count() == 0
