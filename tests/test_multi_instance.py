"""Two app instances on one PostgreSQL, as behind the load balancer in deploy/nginx.conf: voters go
through both in a real Chromium, and the database holds exactly what the pages acknowledged, with the
per-case limit, the daily quota and the code-send throttle holding across instances. Also: two
instances starting together on an empty database seed it once (seed_data.loader's advisory lock)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import delete, func, select

from db.engine import make_engine, reading, transaction
from db.models import OrgUnit, SeedMark
from db.models.voting import Vote, VoteCase, VoteQuota, VoteThrottle
from db.voting import codes as vote_codes
from factories.app import ROOT
from factories.browser import chromium, require_browser, running_app, settle
from factories.databases import PG_URL, database, empty_pg_database
from factories.records import make_campaign

SECRET = "multi-instance-test-key-" + "m" * 32
# The CAPTCHA answer lives in each server's session state; these app processes draw every CAPTCHA
# from the alphabet's first letter, so the test can type it (as tests/test_vote_browser.py does).
_SITECUSTOMIZE = "import secrets\nsecrets.choice = lambda seq: seq[0]\n"
WAIT = 30_000
PER_DAY = 3
CASES = 5


@pytest.fixture
def two_instances(request, tmp_path):
    """A fresh PostgreSQL clone of the seeded template, a campaign of our own, and two app processes
    on it with one APP_SECRET_KEY (as deploy/run-two-instances.sh starts them)."""
    require_browser()
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL not set")
    with database(request, "postgres") as url:
        engine = make_engine(url)
        os.environ["APP_SECRET_KEY"], saved = SECRET, os.environ["APP_SECRET_KEY"]  # voter keys as the apps make them
        try:
            campaign_id, case_ids = make_campaign(engine, cases=CASES, per_voter_per_day=PER_DAY, per_case_per_day=1)
            with reading(engine) as s:
                titles = dict(s.execute(select(VoteCase.title, VoteCase.id).where(VoteCase.campaign_id == campaign_id)).all())
            (tmp_path / "sitecustomize.py").write_text(_SITECUSTOMIZE)
            env = {"DATABASE_URL": url, "APP_DATA_DIR": str(tmp_path), "APP_SECRET_KEY": SECRET,
                   "PYTHONPATH": str(tmp_path), "VOTE_CODE_DELIVERY": "demo"}
            with running_app(env) as first, running_app(env) as second:
                yield engine, campaign_id, case_ids, titles, (first, second)
        finally:
            os.environ["APP_SECRET_KEY"] = saved
            engine.dispose()


def _open(browser, base: str, campaign_id: int):
    """A voter's own browser (own cookies, own Streamlit session) on one instance's vote page."""
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    page.goto(f"{base}/vote?c={campaign_id}")
    page.get_by_label("手机号码").wait_for(timeout=WAIT)
    settle(page)
    return page


def _request_code(page, phone: str) -> None:
    consent = page.get_by_role("checkbox", name="我已阅读并同意以上个人信息处理说明")
    if not consent.is_checked():
        page.get_by_text("我已阅读并同意以上个人信息处理说明").click()
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("图形验证码（不区分大小写）").fill("aaaa")
    page.get_by_role("button", name="获取验证码").click()
    settle(page)


def _sign_in(page, phone: str) -> None:
    _request_code(page, phone)
    banner = page.get_by_text(re.compile(r"演示模式：.*验证码是 \d{6}"))  # not the privacy notice's own 演示模式 line
    banner.wait_for(timeout=WAIT)
    code = re.search(r"验证码是 (\d{6})", banner.inner_text()).group(1)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="验证并开始投票").click()
    page.get_by_text("验证成功").wait_for(timeout=WAIT)
    settle(page)


def _tick(page, titles: list[str], *, on: bool = True) -> None:
    """Tick (or, on=False, untick) the cards of these titles."""
    from playwright.sync_api import expect

    for title in titles:
        card = page.locator('[data-testid="stVerticalBlock"]').filter(has_text=title).last
        card.get_by_text("投这个案例一票").click(timeout=10_000)
        expect(card.get_by_role("checkbox")).to_be_checked(checked=on, timeout=WAIT)
        settle(page)


def _submit(page) -> dict[str, list[str]]:
    """Submit and read back what the page told the voter: case titles per outcome."""
    page.get_by_role("button", name="提交投票").click()
    page.get_by_text(re.compile("投票成功|已为|投票次数已用完|您勾选了")).first.wait_for(timeout=WAIT)
    settle(page)
    shown = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
    refused = re.search(r"您勾选了 (\d+) 个案例，今天还可投 (\d+) 票：请取消 (\d+) 个", shown)
    said = {"refused": [int(n) for n in refused.groups()] if refused else []}
    for result, pattern in (("counted", r"已为 (.+?) 投票，共 (\d+) 票"), ("already_voted", r"您今天已为 (.+?) 投过票"),
                            ("quota_used", r"次数已用完，(.+?) 未计票")):
        found = re.search(pattern, shown)
        said[result] = re.findall(r"「(.+?)」", found.group(1)) if found else []
        if result == "counted" and found:
            assert int(found.group(2)) == len(said[result])
    return said


def test_votes_through_two_instances_add_up(two_instances):
    engine, campaign_id, case_ids, by_title, (first, second) = two_instances
    names = sorted(by_title)  # 案例0 … 案例4
    acknowledged: Counter = Counter()
    with chromium() as browser:
        # One voter on both instances: the code-send throttle is counted in the database, so the
        # second instance refuses another code within the minute.
        one_a, one_b = _open(browser, first, campaign_id), _open(browser, second, campaign_id)
        _sign_in(one_a, "13900000001")
        _request_code(one_b, "13900000001")
        one_b.get_by_text("获取验证码过于频繁").wait_for(timeout=WAIT)
        with transaction(engine) as s:  # a minute passes (for the number; the address count stays)
            s.execute(delete(VoteThrottle).where(VoteThrottle.kind == "number", VoteThrottle.period == 60))
        _sign_in(one_b, "13900000001")
        # Both pages offer the same case; each instance submits it. The second instance knows the first's two
        # votes: of its three ticks one is already voted and two are new with one vote left, so nothing is
        # counted and the page redrawn shows the case voted on the other instance as voted; with one tick taken
        # off, the last vote of the day counts.
        _tick(one_a, names[0:2])
        _tick(one_b, [names[0], names[2], names[3]])
        said_a = _submit(one_a)
        said_b = _submit(one_b)
        assert said_a == {"refused": [], "counted": names[0:2], "already_voted": [], "quota_used": []}
        assert said_b == {"refused": [3, 1, 1], "counted": [], "already_voted": [], "quota_used": []}
        voted = one_b.locator('[data-testid="stVerticalBlock"]').filter(has_text=names[0]).last
        assert voted.get_by_text("✓ 今天已投票").is_visible() and voted.get_by_role("checkbox").count() == 0
        _tick(one_b, [names[3]], on=False)
        said_b = _submit(one_b)
        assert said_b == {"refused": [], "counted": [names[2]], "already_voted": [], "quota_used": []}
        # Two more voters, one on each instance.
        two, three = _open(browser, second, campaign_id), _open(browser, first, campaign_id)
        _sign_in(two, "13900000002")
        _sign_in(three, "13900000003")
        _tick(two, [names[0], names[4]])
        _tick(three, names[1:4])
        said_two, said_three = _submit(two), _submit(three)
        assert said_two["counted"] == [names[0], names[4]] and said_three["counted"] == names[1:4]
        for said in (said_a, said_b, said_two, said_three):
            acknowledged.update(said["counted"])

    with reading(engine) as s:
        rows = s.execute(select(Vote.voter_key, Vote.case_id).where(Vote.campaign_id == campaign_id,
                                                                    Vote.status == "valid")).all()
        quotas = dict(s.execute(select(VoteQuota.voter_key, VoteQuota.used)
                                .where(VoteQuota.campaign_id == campaign_id)).all())
    per_case = Counter(case for _, case in rows)
    assert per_case == Counter({by_title[title]: n for title, n in acknowledged.items()})  # counts add up
    assert sum(per_case.values()) == 2 + 1 + 2 + 3
    assert len(set(rows)) == len(rows)  # no voter twice on one case, whichever instance they used
    voter_one = vote_codes.voter_key("+8613900000001")
    per_voter = Counter(voter for voter, _ in rows)
    assert per_voter[voter_one] == PER_DAY and quotas[voter_one] == PER_DAY  # the quota held across both
    assert all(quotas[voter] == n for voter, n in per_voter.items())


def test_instances_starting_together_seed_once(request):
    """Two first starts at the same moment on an empty PostgreSQL database: both succeed, each demo
    part is loaded once (without the lock in seed_data.loader both ran CREATE TABLE and one failed)."""
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL not set")
    with empty_pg_database("cpme_race") as url:
        env = {**os.environ, "DATABASE_URL": url}
        starts = [subprocess.Popen([sys.executable, "-m", "seed_data.loader"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [proc.communicate(timeout=180) + (proc.returncode,) for proc in starts]
        assert [rc for _, _, rc in results] == [0, 0], [err[-2000:] for _, err, _ in results]
        assert sorted(out.strip().startswith("loaded: nothing") for out, _, _ in results) == [False, True]
        engine = make_engine(url)
        with reading(engine) as s:
            parts = s.execute(select(SeedMark.part)).scalars().all()
            districts = s.execute(select(func.count()).where(OrgUnit.level == "district")).scalar_one()
        engine.dispose()
        assert len(parts) == len(set(parts)) > 0 and districts == 3
