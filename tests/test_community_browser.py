"""社区营造's public board in a real Chromium at a phone's 390 × 844: a resident's proposal and an official answer
holding markdown, HTML and a long unbroken link are shown as plain text, in the list and when followed by the
tracking code, and nothing is wider than the screen."""

import pytest

from db import users
from db.community import proposals, triage
from db.engine import make_engine
from factories.browser import chromium_page, require_browser, running_app, settle
from factories.databases import sqlite_copy
from factories.records import community_id, resident_ticket

ZIJING = "510104001001"
TITLE = "**加粗**<b>门禁</b>[点我](https://evil.cn)"
PROBLEM = "楼道灯坏了 ![x](https://evil.cn/x.png) <img src=x> https://evil.cn/" + "a" * 90
SUGGESTION = "<script>alert(1)</script> 换成声控灯\n# 不是标题"
ANSWER = "经核查已由物业维修。<a href=x>详情</a> **谢谢**"


@pytest.fixture
def board(sqlite_template, tmp_path):
    require_browser()
    url = sqlite_copy(sqlite_template)
    engine = make_engine(url)
    receipt = proposals.submit_proposal(engine, ticket=resident_ticket(engine, "13900139070"), data={
        "community_id": community_id(engine), "theme": "safety", "title": TITLE, "problem": PROBLEM,
        "suggestion": SUGGESTION})
    triage.decline(engine, actor=users.actor_for(engine, "community"), proposal_id=receipt.proposal_id, answer=ANSWER)
    engine.dispose()
    env = {"DATABASE_URL": url, "APP_DATA_DIR": str(tmp_path), "APP_SECRET_KEY": "browser-test-key-" + "c" * 32}
    with running_app(env) as base:
        yield base, receipt.code


def _plain(page) -> str:
    for selector in ('a[href*="evil.cn"]', 'img[src*="evil.cn"]', 'a[href="x"]', 'img[src="x"]',
                     '[data-testid="stMain"] b', '[data-testid="stMain"] script', 'h1:has-text("不是标题")',
                     'h2:has-text("不是标题")'):
        assert page.locator(selector).count() == 0, selector
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    return page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")


def test_a_proposal_with_markup_reads_as_text_on_a_phone(board):
    base, code = board
    with chromium_page(390, 844) as page:
        page.goto(f"{base}/community_board?community={ZIJING}")
        page.get_by_role("heading", name="社区营造公示").wait_for(timeout=30_000)
        page.get_by_text("门禁").first.wait_for(timeout=30_000)
        settle(page)
        assert TITLE in _plain(page)
        page.goto(f"{base}/community_board?track={code}")
        page.get_by_text("换成声控灯").wait_for(timeout=30_000)
        settle(page)
        shown = _plain(page)
        for text in (TITLE, PROBLEM, SUGGESTION, ANSWER):
            assert text in shown, text
