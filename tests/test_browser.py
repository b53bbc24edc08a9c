"""What AppTest cannot drive: the cookie across a reload, and sign-out, in a real Chromium."""

import pytest

from components.auth import COOKIE_NAME
from factories.browser import chromium_page, require_browser, running_app, settle, sign_in, wait_for_cookie
from factories.databases import sqlite_copy


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    require_browser()
    env = {"DATABASE_URL": sqlite_copy(sqlite_template), "APP_DATA_DIR": str(tmp_path),
           "APP_SECRET_KEY": "browser-test-key-" + "z" * 32, "BCRYPT_ROUNDS": "4"}
    with running_app(env) as base:
        yield base


def test_leader_signs_in_reloads_with_cookie_and_signs_out(live_app):
    with chromium_page() as page:
        sign_in(page, live_app, "leader", "Leader@2026", landing_text="欢迎，锦江区 区领导")
        assert page.get_by_text("社区项目监测评估平台").first.is_visible()
        # the overview's cards draw one by one after the welcome: wait for the third, not the first
        page.locator('[data-testid="stMetric"]').nth(2).wait_for(timeout=60_000)
        assert page.locator('[data-testid="stMetric"]').count() >= 3
        wait_for_cookie(page, COOKIE_NAME)

        page.reload()
        page.get_by_text("欢迎，锦江区 区领导").wait_for(timeout=60_000)  # the cookie signed us back in
        settle(page)
        assert page.get_by_label("用户名").count() == 0

        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").first.wait_for(timeout=60_000)
        settle(page)
        page.reload()
        page.get_by_label("用户名").first.wait_for(timeout=60_000)  # no way back in with the old cookie
        settle(page)
        assert page.get_by_text("欢迎，锦江区 区领导").count() == 0


def test_leader_downloads_the_word_briefing_and_the_workbook(live_app, tmp_path):
    """The download buttons build their files on click (deferred data): what a leader saves opens."""
    import docx
    import openpyxl

    with chromium_page() as page:
        sign_in(page, live_app, "leader", "Leader@2026", landing_text="领导驾驶舱")
        with page.expect_download(timeout=60_000) as word:
            page.get_by_role("button", name="下载领导简报（Word）").click()
        saved = tmp_path / word.value.suggested_filename
        word.value.save_as(saved)
        assert saved.name.startswith("领导简报-锦江区") and saved.suffix == ".docx"
        document = docx.Document(str(saved))
        assert document.paragraphs[0].text == "领导简报" and len(document.inline_shapes) >= 3
        with page.expect_download(timeout=60_000) as book:
            page.get_by_role("button", name="下载数据工作簿（Excel）").click()
        saved = tmp_path / book.value.suggested_filename
        book.value.save_as(saved)
        assert openpyxl.load_workbook(saved).sheetnames[0] == "概览"
