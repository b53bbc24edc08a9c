"""The public vote in a real Chromium at a phone's 390 × 844: the whole flow with the demo delivery,
nothing wider than the screen, and a case title holding markdown and HTML shown as plain text."""

import os
import re
from datetime import timedelta

import pytest

from db import users
from db.engine import make_engine
from db.voting import campaigns as voting
from db.voting import public as vote_public
from factories.browser import chromium_page, require_browser, running_app, settle
from factories.databases import sqlite_copy
from factories.records import make_campaign

SCREENSHOTS = os.environ.get("VOTE_SCREENSHOTS")  # a folder, to look at the page by eye
HOSTILE = "[点我](https://evil.cn) ![x](https://evil.cn/x.png) <a href=x>a</a> <img src=x>"

# The CAPTCHA answer lives in the server's session state, out of a browser's reach; this app process
# alone draws every CAPTCHA from the first letter of the alphabet, so the test can type it.
_SITECUSTOMIZE = "import secrets\nsecrets.choice = lambda seq: seq[0]\n"


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    require_browser()
    url = sqlite_copy(sqlite_template)
    engine = make_engine(url)
    admin = users.actor_for(engine, "admin")
    demo = next(c.id for c in vote_public.public_campaigns(engine) if c.phase == "open")
    campaign_id, _ = make_campaign(engine, cases=0, open_=False, opens_in=timedelta(hours=-1))
    voting.add_case(engine, actor=admin, campaign_id=campaign_id, data={
        "title": HOSTILE, "organization": "<b>某组织</b> www.evil.cn x@evil.cn", "theme": "culture", "summary": "**粗体** <script>x</script>"})
    voting.add_case(engine, actor=admin, campaign_id=campaign_id, data={
        "title": "普通案例", "organization": "某中心", "theme": "culture"})
    voting.open_campaign(engine, actor=admin, campaign_id=campaign_id)
    engine.dispose()
    (tmp_path / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    env = {"DATABASE_URL": url, "APP_DATA_DIR": str(tmp_path), "APP_SECRET_KEY": "browser-test-key-" + "v" * 32,
           "PYTHONPATH": str(tmp_path), "VOTE_CODE_DELIVERY": "demo"}
    with running_app(env) as base:
        yield base, demo, campaign_id


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"


def test_vote_flow_on_a_phone(live_app):
    base, demo, _ = live_app
    with chromium_page(390, 844) as page:
        page.goto(f"{base}/vote?c={demo}")
        page.get_by_role("heading", name="十佳案例投票").wait_for(timeout=30_000)
        settle(page)
        _no_horizontal_scroll(page)
        page.get_by_label("手机号码").fill("13912345678")
        page.get_by_label("图形验证码（不区分大小写）").fill("aaaa")
        page.get_by_role("button", name="获取验证码").click()
        banner = page.get_by_text("演示模式：")
        banner.wait_for(timeout=30_000)
        settle(page)
        assert banner.is_visible()
        code = re.search(r"验证码是 (\d{6})", banner.inner_text()).group(1)
        page.get_by_label("短信验证码").fill(code)
        page.get_by_role("button", name="验证并开始投票").click()
        page.get_by_text("验证成功").wait_for(timeout=30_000)
        settle(page)
        for index in range(2):
            page.get_by_text("投这个案例一票").nth(index).click()
            settle(page)
        page.get_by_text("已勾选 2 个案例").wait_for(timeout=30_000)
        page.get_by_role("button", name="提交投票").click()
        page.get_by_text("投票成功").wait_for(timeout=30_000)
        settle(page)
        assert page.get_by_text("共 2 票").is_visible()
        assert page.get_by_text("✓ 今天已投票").count() == 2
        _no_horizontal_scroll(page)
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/vote-390.png", full_page=True)


def test_case_title_with_markup_is_plain_text(live_app):
    base, _, campaign_id = live_app
    with chromium_page(390, 844) as page:
        page.goto(f"{base}/vote?c={campaign_id}")
        page.get_by_text("普通案例").wait_for(timeout=30_000)
        settle(page)
        shown = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
        assert HOSTILE in shown and "<b>某组织</b> www.evil.cn x@evil.cn" in shown  # there, as text
        assert "**粗体** <script>x</script>" in shown
        for selector in ('a[href*="evil.cn"]', 'img[src*="evil.cn"]', 'a[href="x"]', 'img[src="x"]',
                         'a[href^="mailto:"]', '[data-testid="stMain"] b'):
            assert page.locator(selector).count() == 0, selector
        _no_horizontal_scroll(page)
        assert page.get_by_label("手机号码").count() == 1  # open now: the vote panel is there
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/vote-hostile-390.png", full_page=True)
