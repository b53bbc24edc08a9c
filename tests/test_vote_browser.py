"""The public vote in a real Chromium at a phone's 390 × 844: the whole flow with the demo delivery,
nothing wider than the screen, a case title holding markdown and HTML shown as plain text, and a
voter whose connection drops for longer than the server keeps a session (away reading the code)."""

import os
import re
import time
from datetime import timedelta

import pytest

from db import users
from db.engine import make_engine
from db.voting import campaigns as voting
from db.voting import public as vote_public
from factories.browser import chromium_page, require_browser, running_app, settle, wait_for_cookie
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
           "PYTHONPATH": str(tmp_path), "VOTE_CODE_DELIVERY": "demo",
           # a lost session is dropped after 1 s (.streamlit/config.toml: 600; Streamlit's default 120), so
           # a voter away for a few seconds comes back to a new one, as one away too long would in production
           "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1"}
    with running_app(env) as base:
        yield base, demo, campaign_id


# longer than the session's 1 s TTL with room to spare: a busy server (CI's suite beside it) once had not yet dropped
# the session after 1.5 s, so the page came back to the old one and never said it had resumed
AWAY_S = 4


class Network:
    """The phone's connection. Chromium's offline mode fails new requests but leaves an open websocket
    alone, so the app's socket is routed through here and closed and refused while offline."""

    def __init__(self, page):
        self.page, self.online, self.sockets, self.connects = page, True, [], 0
        page.route_web_socket(re.compile(r"/_stcore/stream$"), self._route)

    def _route(self, socket) -> None:
        if not self.online:
            socket.close()
            return
        socket.connect_to_server()
        self.sockets.append(socket)
        self.connects += 1

    def away(self, seconds: float) -> None:
        """Offline for `seconds`, then back, once the page has its socket again."""
        self.online = False
        self.page.context.set_offline(True)
        for socket in self.sockets:
            socket.close()
        self.sockets.clear()
        connects = self.connects
        self.page.wait_for_timeout(seconds * 1000)
        self.online = True
        self.page.context.set_offline(False)
        deadline = time.monotonic() + 30
        while self.connects == connects:
            assert time.monotonic() < deadline, "the page did not reconnect"
            self.page.wait_for_timeout(100)


def _request_code(page, phone: str) -> str:
    page.get_by_text("我已阅读并同意以上个人信息处理说明").click()
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("图形验证码（不区分大小写）").fill("aaaa")
    page.get_by_role("button", name="获取验证码").click()
    banner = page.get_by_text(re.compile(r"演示模式：.*验证码是 \d{6}"))  # not the privacy notice's own 演示模式 line
    banner.wait_for(timeout=30_000)
    settle(page)
    return re.search(r"验证码是 (\d{6})", banner.inner_text()).group(1)


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"


def test_vote_flow_on_a_phone_with_the_connection_lost_twice(live_app):
    """The whole flow, the voter away twice (reading the code in WeChat, then mid-ballot) for longer than
    the server keeps their session: the code step, then the ticked case, come back and the vote counts."""
    base, demo, _ = live_app
    with chromium_page(390, 844) as page:
        network = Network(page)
        page.goto(f"{base}/vote?c={demo}")
        page.get_by_role("heading", name="十佳案例投票").wait_for(timeout=30_000)
        settle(page)
        _no_horizontal_scroll(page)
        # the tab: the page's title and the app's own icon, not Streamlit's
        assert page.title() == "十佳案例投票 · 社区项目监测评估平台"
        icons = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(link => link.href)")
        assert icons and all(re.search(r"/media/[0-9a-f]+\.png$", href) for href in icons), icons
        code = _request_code(page, "13912345678")
        wait_for_cookie(page, "cpme_vote")  # written by the page's script once the code step is drawn
        kept = {c["name"]: c for c in page.context.cookies()}["cpme_vote"]
        assert kept["sameSite"] == "Strict" and "13912345678" not in kept["value"]
        network.away(AWAY_S)  # to WeChat, to read the text message
        page.get_by_label("短信验证码").fill(code)
        # the press is the new session's first run (the old one is gone): it picks the flow up from the cookie
        # and verifies the code at once
        page.get_by_role("button", name="验证并开始投票").click()
        page.get_by_text("验证成功").wait_for(timeout=30_000)
        settle(page)
        frames = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda frame: frames.append(frame)))
        page.get_by_text("投这个案例一票").nth(0).click()
        settle(page)
        assert frames == [], "a tick went to the server"  # the cards are a form: ticks stay in the phone
        network.away(AWAY_S)
        page.get_by_text("投这个案例一票").nth(1).click()
        # the submit is the new session's first run: it resumes the ballot and counts both ticks at once
        page.get_by_role("button", name="提交投票").click()
        page.get_by_text("投票成功").wait_for(timeout=30_000)
        assert frames, "the listener saw nothing, so it could not have seen a tick either"
        settle(page)
        assert page.get_by_text("共 2 票").is_visible()
        assert page.get_by_text("✓ 今天已投票").count() == 2
        assert network.connects == 3
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

