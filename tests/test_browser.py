"""What AppTest cannot drive, in a real Chromium: the cookie across a reload, sign-out, the files the download
buttons build, and which part of a page a widget reruns (AppTest always runs the whole script)."""

import re
import time
from pathlib import Path

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


def test_sign_in_keeps_its_cookie_on_a_server_started_with_the_warm_up(sqlite_template, tmp_path):
    """The systemd unit serves the app through the warm-up, which imports the cookie library in a thread of its
    own before anyone visits; Streamlit then never served the library's frame (404), so no sign-in after a start
    left a cookie: every new tab and reload asked for the password again. The visitor here comes after the
    warm-up has finished, as one does in production."""
    require_browser()
    env = {"DATABASE_URL": sqlite_copy(sqlite_template), "APP_DATA_DIR": str(tmp_path),
           "APP_SECRET_KEY": "browser-test-key-" + "w" * 32, "BCRYPT_ROUNDS": "4"}
    with running_app(env, warm_up=True) as base:
        log = next(tmp_path.glob("streamlit-*.log"))
        deadline = time.monotonic() + 120
        while "warm-up done" not in log.read_text():
            assert time.monotonic() < deadline and "warm-up failed" not in log.read_text(), log.read_text()[-2000:]
            time.sleep(0.2)
        with chromium_page() as page:
            missing = []
            page.on("response", lambda r: missing.append(r.url) if r.status == 404 and "/component/" in r.url else None)
            sign_in(page, base, "leader", "Leader@2026", landing_text="欢迎，锦江区 区领导")
            wait_for_cookie(page, COOKIE_NAME, timeout=30)
            assert not missing, missing
            page.reload()
            page.get_by_text("欢迎，锦江区 区领导").wait_for(timeout=60_000)  # the cookie signed us back in
            settle(page)
            page.get_by_role("button", name="退出登录").click()  # the library's frame deletes the cookie
            page.get_by_label("用户名").first.wait_for(timeout=60_000)
            wait_for_cookie(page, COOKIE_NAME, present=False, timeout=30)
            assert not missing, missing


COOKIE_FRAME = "**/component/extra_streamlit_components.CookieManager.cookie_manager/index.html*"


def test_sign_in_writes_the_cookie_even_when_the_page_reruns_before_the_writer_has_run(live_app):
    # A run that does not draw the cookie writer removes its frame. Under load the page used to rerun (the
    # library's cookie reader reported back) before the writer's frame had run, and the sign-in left no cookie
    # (3 of 8 sign-ins at load 5). Here the writer's frame is held back while the user changes the language,
    # and loads only after that rerun: the runs in between draw the writer again, so its frame stays and writes.
    with chromium_page() as page:
        held, released = [], []

        def hold(route):
            (route.continue_() if released else held.append(route))

        page.route(COOKIE_FRAME, hold)
        sign_in(page, live_app, "leader", "Leader@2026", landing_text="欢迎，锦江区 区领导")
        page.get_by_text("English", exact=True).click()
        page.get_by_text("Welcome, ").first.wait_for(timeout=60_000)
        settle(page)
        assert held and not any(c["name"] == COOKIE_NAME for c in page.context.cookies())
        released.append(True)
        for route in held:  # the writer's frame loads only now, after the reruns
            route.continue_()
        wait_for_cookie(page, COOKIE_NAME, timeout=30)
        cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE_NAME)
        assert cookie["expires"] > 0  # kept across a browser restart, not a session cookie
        page.unroute(COOKIE_FRAME)
        page.reload()
        page.get_by_text(re.compile("Welcome, |欢迎，")).first.wait_for(timeout=60_000)  # the cookie signed us in
        settle(page)
        assert page.get_by_label("Username").count() == 0 and page.get_by_label("用户名").count() == 0


def test_leader_downloads_the_word_briefing_and_the_workbook(live_app, tmp_path):
    """The download buttons build their files on click (deferred data): what a leader saves opens. Both buttons
    pressed one after the other give both files, and a press runs no script: a rerun gave the files new ids, and
    the second press, landing mid-rerun, asked for an id already dropped (CI saw no workbook come, once)."""
    import docx
    import openpyxl

    with chromium_page() as page:
        runs = _Runs(page)
        sign_in(page, live_app, "leader", "Leader@2026", landing_text="领导驾驶舱")
        saved: list = []
        page.on("download", lambda download: saved.append(download))
        runs._quiet()
        runs.finished = []
        page.get_by_role("button", name="下载领导简报（Word）").click()
        page.get_by_role("button", name="下载数据工作簿（Excel）").click()
        deadline = time.monotonic() + 60
        while len(saved) < 2:
            assert time.monotonic() < deadline, f"{len(saved)} of 2 files came"
            page.wait_for_timeout(100)
        runs._quiet()
        assert runs.finished == [], runs.finished  # a press reran the page
        files = {}
        for download in saved:
            files[Path(download.suggested_filename).suffix] = tmp_path / download.suggested_filename
            download.save_as(files[Path(download.suggested_filename).suffix])
        assert sorted(files) == [".docx", ".xlsx"] and files[".docx"].name.startswith("领导简报-锦江区")
        document = docx.Document(str(files[".docx"]))
        assert document.paragraphs[0].text == "领导简报" and len(document.inline_shapes) >= 3
        assert openpyxl.load_workbook(files[".xlsx"]).sheetnames[0] == "概览"


class _Runs:
    """The script runs the server reports over the websocket (ForwardMsg.script_finished), and the headings it sends:
    a full run sends every element again, the page's title among them; a fragment's run only the fragment's."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.page, self._parse, self.finished, self.headings, self.last = page, ForwardMsg.FromString, [], [], 0.0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        self.last = time.monotonic()
        msg = self._parse(payload if isinstance(payload, bytes) else payload.encode())
        if msg.WhichOneof("type") == "script_finished":
            self.finished.append(msg.script_finished)
        elif msg.WhichOneof("type") == "delta" and msg.delta.new_element.WhichOneof("type") == "heading":
            self.headings.append(msg.delta.new_element.heading.body)

    def _quiet(self, seconds: float = 2.5, timeout: float = 60.0) -> None:
        """Until nothing has come for `seconds`: a page load makes more than one run, and a fragment's run shows
        no status widget to wait for."""
        deadline = time.monotonic() + timeout
        while time.monotonic() - self.last < seconds:
            assert time.monotonic() < deadline, "the server never went quiet"
            self.page.wait_for_timeout(100)

    def since(self, action) -> tuple[list, list]:
        """The runs that one action caused, and the headings they sent."""
        self._quiet()
        self.finished, self.headings = [], []
        action()
        deadline = time.monotonic() + 60
        while not self.finished:
            assert time.monotonic() < deadline, "no script run after the action"
            self.page.wait_for_timeout(100)
        self._quiet()
        return self.finished, self.headings


def _selectbox(page, label: str):
    """The select box whose label is exactly `label` (a value shown in another box may contain the same words)."""
    return page.locator('[data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True))


def test_a_widget_of_one_part_reruns_that_part_and_not_the_page(live_app):
    """评价结果: the grade filter of the list and the grouping of the distribution rerun their tab alone (an
    st.fragment: the headline figures and the filters above are neither read nor sent again), while a tab change,
    which the figures above may follow, reruns the page: the check can tell the two apart. 投票审核与结果: the
    hourly chart's case pick reruns the chart alone; 社会组织名录: the organization picked, its detail alone."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    with chromium_page() as page:
        runs = _Runs(page)
        sign_in(page, live_app, "leader", "Leader@2026", landing_text="领导驾驶舱")
        wait_for_cookie(page, COOKIE_NAME)  # the pages below are opened by address: signed in from the cookie
        page.goto(f"{live_app}/eval_results")
        page.get_by_role("heading", name="评价结果").wait_for(timeout=60_000)

        def pick() -> None:
            _selectbox(page, "评估等级（已完成）").click()
            page.get_by_role("option", name="不合格", exact=True).click()

        finished, headings = runs.since(pick)
        assert finished == [ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY] and "评价结果" not in headings, finished
        assert "grade=fail" in page.url  # the fragment still writes the filter to the address

        finished, headings = runs.since(lambda: page.get_by_role("tab", name="等级分布").click())
        assert ForwardMsg.FINISHED_SUCCESSFULLY in finished and "评价结果" in headings, finished

        finished, headings = runs.since(
            lambda: page.locator('[data-testid="stRadio"]').get_by_text("街道", exact=True).click())
        assert finished == [ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY] and "评价结果" not in headings, finished

        # 投票审核与结果: the hourly chart's case pick reruns the chart alone, not the figures, flags and ranking
        page.goto(f"{live_app}/vote_review")
        page.get_by_role("heading", name="投票审核与结果").wait_for(timeout=60_000)

        def one_case() -> None:
            _selectbox(page, "案例").click()
            page.get_by_role("option").nth(1).click()

        finished, headings = runs.since(one_case)
        assert finished == [ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY] and "投票审核与结果" not in headings, finished

        # 社会组织名录: picking an organization reruns its detail, not the figures, charts and list
        page.goto(f"{live_app}/social_orgs")
        page.get_by_role("heading", name="社会组织名录").wait_for(timeout=60_000)

        def one_org() -> None:
            box = _selectbox(page, "选择组织")
            box.scroll_into_view_if_needed()
            box.locator("input").click()
            page.get_by_role("listbox").wait_for(timeout=30_000)
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")

        finished, headings = runs.since(one_org)
        assert finished == [ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY] and "社会组织名录" not in headings, finished
