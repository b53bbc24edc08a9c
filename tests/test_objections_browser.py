"""Filing an objection during 公示 in a real Chromium at a phone's 390 × 844: the published campaign's page, the
number verified with the demo delivery, a case and grounds sent, nothing wider than the screen."""

import re

import pytest

from db.engine import make_engine
from factories.browser import chromium_page, require_browser, running_app, settle
from factories.databases import sqlite_copy
from factories.records import published_campaign

pytestmark = pytest.mark.browser

# as in test_vote_browser: this app process draws every CAPTCHA from the alphabet's first letter
_SITECUSTOMIZE = "import secrets\nsecrets.choice = lambda seq: seq[0]\n"


def test_an_objection_filed_on_a_phone(sqlite_template, tmp_path):
    require_browser()
    url = sqlite_copy(sqlite_template)
    engine = make_engine(url)
    campaign_id, _ = published_campaign(engine)
    engine.dispose()
    (tmp_path / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    env = {"DATABASE_URL": url, "APP_DATA_DIR": str(tmp_path), "APP_SECRET_KEY": "browser-test-key-" + "o" * 32,
           "PYTHONPATH": str(tmp_path), "VOTE_CODE_DELIVERY": "demo"}
    with running_app(env) as base, chromium_page(390, 844) as page:
        page.goto(f"{base}/vote?c={campaign_id}")
        page.get_by_role("heading", name="公示期异议").wait_for(timeout=30_000)
        settle(page)
        page.locator('[data-testid="stExpander"] summary').filter(has_text="提出异议").click()
        page.get_by_text("我已阅读并同意以上说明").click()
        page.get_by_label("手机号码").fill("13900139123")
        page.get_by_label("图形验证码（不区分大小写）").fill("aaaa")
        page.get_by_role("button", name="获取验证码").click()
        banner = page.get_by_text(re.compile(r"演示模式：.*验证码是 \d{6}"))  # not the privacy notice's own 演示模式 line
        _shown(page, banner)
        settle(page)
        page.get_by_label("短信验证码").fill(re.search(r"验证码是 (\d{6})", banner.inner_text()).group(1))
        page.get_by_role("button", name="验证", exact=True).click()
        _shown(page, page.get_by_text("手机号已验证"))
        settle(page)
        page.get_by_role("textbox", name="异议理由").fill("该案例申报的服务人数与社区台账不符，请核实。")
        page.get_by_role("button", name="提交异议").click()
        _shown(page, page.get_by_text(re.compile(r"异议已提交，编号 \d+")))
        settle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _shown(page, locator, timeout: float = 30_000) -> None:
    """Wait for `locator`; if it never shows, fail with what the page said instead (its alert boxes, the end of
    its text): the code step failed once in CI with nothing to go on."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.wait_for(timeout=timeout)
    except PlaywrightTimeout:
        alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
        shown = page.locator('[data-testid="stMain"]').inner_text()[-1500:]
        raise AssertionError(f"not shown after {timeout / 1000:.0f} s; the page's alerts: {alerts}; "
                             f"the end of the page: {shown}") from None
