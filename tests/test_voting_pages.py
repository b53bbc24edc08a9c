"""The vote pages in AppTest: the whole public flow with the demo delivery and every message on the
way, results after publication, the live tally rule, hostile case text, admin and review pages."""

import re
import tomllib
from datetime import timedelta

from sqlalchemy import func, select

from components.voting import vote as vote_page
from components.voting.captcha import ANSWER_KEY
from db import clock, users
from db.engine import reading
from db.models.voting import Campaign, Vote, VoteChallenge
from db.voting import ballot as vote_ballot
from db.voting import campaigns as voting
from db.voting import codes as vote_codes
from db.voting import public as vote_public
from factories.app import ROOT, new_app, on_login_form, signed_in
from factories.records import ballot, make_campaign


def _public(query=None):
    at = new_app(query).run()
    at.switch_page("pages/vote.py").run()
    assert not at.exception, at.exception
    return at


def _demo(app_db):
    return next(c for c in vote_public.public_campaigns(app_db) if c.phase == "open")


def _texts(at, kind):
    return [e.value for e in at.get(kind)]


def _case_boxes(at):
    return [box for box in at.get("checkbox") if box.key.startswith("vote_pick_")]


def _send(at, phone, captcha=None, consent=True):
    at.checkbox(key="vote_consent").check() if consent else at.checkbox(key="vote_consent").uncheck()
    at.text_input(key="vote_phone").input(phone)
    at.text_input(key="vote_captcha_input").input(captcha if captcha is not None else at.session_state[ANSWER_KEY])
    return at.button(key="vote_send").click().run()


def _verify(at, code):
    at.text_input(key="vote_code").input(code)
    return at.button(key="vote_verify").click().run()


def _code_from_banner(at):
    banner = next(w for w in _texts(at, "warning") if "演示模式" in w)
    return banner.rsplit(" ", 1)[-1]


def test_public_page_needs_no_account_and_shows_the_open_campaign(app_db):
    at = _public()
    assert not on_login_form(at) and at.title[0].value == "十佳案例投票"
    demo = _demo(app_db)
    assert any(demo.title in m for m in _texts(at, "markdown"))
    assert at.query_params["c"] in (str(demo.id), [str(demo.id)])
    assert len([m for m in _texts(at, "markdown") if m.startswith("**") and "社区" in m]) == 8  # the case cards
    assert any(c.startswith("当前票数") for c in _texts(at, "caption"))  # this campaign shows its tally
    assert at.text_input(key="vote_phone") and not _case_boxes(at)
    assert not [link for link in at.get("page_link") if "返回工作台" in link.proto.label]  # anonymous: no way in


def _back_links(at):
    return [link.proto for link in at.get("page_link") if link.proto.label == "返回工作台（菜单与退出登录）"]


def test_staff_who_open_the_vote_page_from_their_menu_keep_a_way_back(app_db):
    at = signed_in("leader")
    at.switch_page("pages/vote.py").run()
    assert not at.exception and at.title[0].value == "十佳案例投票" and at.text_input(key="vote_phone")
    back = _back_links(at)
    assert len(back) == 2 and back[0].page_script_hash == back[1].page_script_hash  # in the sidebar and on the page
    assert any("区领导" in c for c in _texts(at, "caption"))  # who is signed in
    at.switch_page("app.py").run()
    assert not at.exception and not on_login_form(at) and at.button(key="logout_button")
    home = {link.proto.page_script_hash for link in at.get("page_link") if link.proto.icon == ":material/home:"}
    assert back[0].page_script_hash in home  # the link leads to the workspace's home
    at.button(key="logout_button").click().run()
    at.switch_page("pages/vote.py").run()
    assert not _back_links(at)  # signed out: the public page is public again


def test_the_whole_public_flow_with_demo_delivery(app_db):
    demo = _demo(app_db)
    at = _public()
    phone = at.text_input(key="vote_phone")
    assert (phone.placeholder, phone.proto.icon) == ("11 位手机号，如 138 0013 8000", ":material/smartphone:")
    _send(at, "139 1234 5678")
    assert not at.exception and not at.error
    box = at.text_input(key="vote_code")
    assert (box.placeholder, box.proto.icon) == ("6 位数字", ":material/sms:")  # not a phone's icon and "+1 234…"
    code = _code_from_banner(at)
    assert len(code) == 6 and any("+86 139****5678" in c for c in _texts(at, "caption"))
    _verify(at, code)
    assert any("验证成功" in s for s in _texts(at, "success"))
    boxes = _case_boxes(at)
    assert len(boxes) == 8 and all(box.proto.form_id == "vote_ballot" for box in boxes)  # a tick reruns nothing
    cases = vote_public.public_cases(app_db, demo.id)
    first, second = int(cases["id"].iloc[0]), int(cases["id"].iloc[1])
    assert any("勾选要投的案例后点「提交投票」，今天还可投 5 票" in c for c in _texts(at, "caption"))
    at.checkbox(key=f"vote_pick_{first}").check()
    at.checkbox(key=f"vote_pick_{second}").check()
    at.button(key="vote_submit").click().run()
    assert not at.exception
    success = [s for s in _texts(at, "success") if "投票成功" in s]
    assert success and "共 2 票" in success[0]
    assert len(_case_boxes(at)) == 6 and _texts(at, "caption").count("✓ 今天已投票") == 2
    assert any("今天还可投 3 票" in c for c in _texts(at, "caption"))
    with reading(app_db) as s:
        mine = s.execute(select(Vote.case_id).where(Vote.campaign_id == demo.id,
                                                    Vote.voter_key == vote_codes.voter_key("+8613912345678"))).scalars()
        assert sorted(mine) == sorted([first, second])


def test_messages_along_the_way(app_db):
    at = _public()
    _send(at, "12345")
    assert any("手机号码无效" in e for e in _texts(at, "error"))
    before = at.session_state[ANSWER_KEY]
    _send(at, "13912345679", captcha="ZZZZ" if before != "ZZZZ" else "YYYY")
    assert any("图形验证码错误" in e for e in _texts(at, "error"))
    assert at.session_state[ANSWER_KEY] != before  # a new picture after the failed attempt
    _send(at, "13912345679")
    code = _code_from_banner(at)
    _verify(at, "000000" if code != "000000" else "111111")
    assert any("验证码错误，还可尝试 4 次" in e for e in _texts(at, "error"))
    assert at.text_input(key="vote_code").value == ""  # emptied for the next try
    _verify(at, "12ab")
    assert any("6 位数字" in e for e in _texts(at, "error"))
    at.button(key="vote_restart").click().run()
    _send(at, "13912345679")  # a second code within the minute
    assert any("过于频繁" in e for e in _texts(at, "error"))


def test_quota_message_when_the_day_is_used_up(app_db):
    demo = _demo(app_db)
    at = _public()
    _send(at, "13912340000")
    _verify(at, _code_from_banner(at))
    cases = [int(c) for c in vote_public.public_cases(app_db, demo.id)["id"]]
    mine = select(func.count()).select_from(Vote).where(Vote.campaign_id == demo.id,
                                                        Vote.voter_key == vote_codes.voter_key("+8613912340000"))
    for case_id in cases[:6]:  # the demo campaign allows five a day
        at.checkbox(key=f"vote_pick_{case_id}").check()
    at.button(key="vote_submit").click().run()
    # told before anything is counted, with the ticks kept so that one can be taken off
    assert any("您勾选了 6 个案例，今天还可投 5 票：请取消 1 个后再提交，尚未计票" in w for w in _texts(at, "warning"))
    assert not any("投票成功" in s for s in _texts(at, "success"))
    with reading(app_db) as s:
        assert s.execute(mine).scalar_one() == 0
    assert all(at.checkbox(key=f"vote_pick_{case_id}").value for case_id in cases[:6])
    at.checkbox(key=f"vote_pick_{cases[5]}").uncheck()
    at.button(key="vote_submit").click().run()
    assert any("共 5 票" in s for s in _texts(at, "success"))
    with reading(app_db) as s:
        assert s.execute(mine).scalar_one() == 5
    at.checkbox(key=f"vote_pick_{cases[5]}").check()
    at.button(key="vote_submit").click().run()
    assert any("您今天的票已投完，本次未计票" in w for w in _texts(at, "warning"))
    at.checkbox(key=f"vote_pick_{cases[5]}").uncheck()
    at.button(key="vote_submit").click().run()
    assert any("请先勾选至少一个案例" in w for w in _texts(at, "warning"))


def test_closed_window_and_expired_verification(app_db, monkeypatch):
    at = _public()
    _send(at, "13912340001")
    _verify(at, _code_from_banner(at))
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(minutes=31))
    at.run()
    assert any("验证已失效" in e for e in _texts(at, "error")) and at.text_input(key="vote_phone")
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(days=30))
    at.run()
    assert any("投票已结束" in i for i in _texts(at, "info")) and not _case_boxes(at)
    assert not any(w.key == "vote_phone" for w in at.text_input)


def test_published_campaign_shows_top_ten_and_notice_end(app_db):
    with reading(app_db) as s:
        old = s.execute(select(Campaign.id).where(Campaign.year == 2019)).scalar_one()
    at = _public({"c": str(old)})
    assert at.subheader[0].value == "十佳案例"
    winners = [m for m in _texts(at, "markdown") if m.startswith("**") and "\\." in m[:8]]
    assert len(winners) == 10 and winners[0].startswith("**1\\. ")
    assert any("公示期已于 2019年12月9日 结束" in s for s in _texts(at, "success"))
    assert len(at.dataframe[0].value) == 30  # the full ranking under its expander
    assert not any(w.key == "vote_phone" for w in at.text_input)


def test_tally_hidden_unless_the_campaign_shows_it_and_titles_stay_text(app_db):
    hostile = "[点我](https://evil.cn) ![x](https://evil.cn/x.png) <a href=x>a</a> <img src=x>"
    admin = users.actor_for(app_db, "admin")
    campaign_id, _ = make_campaign(app_db, cases=0, open_=False)
    voting.add_case(app_db, actor=admin, campaign_id=campaign_id, data={
        "title": hostile, "organization": "<b>组织</b>", "theme": "environment", "summary": "**粗体** <script>"})
    voting.add_case(app_db, actor=admin, campaign_id=campaign_id, data={
        "title": "普通案例", "organization": "某中心", "theme": "environment"})
    voting.open_campaign(app_db, actor=admin, campaign_id=campaign_id)
    at = _public({"c": str(campaign_id)})
    assert not any(c.startswith("当前票数") for c in _texts(at, "caption"))
    card = next(m for m in _texts(at, "markdown") if "点我" in m)
    assert "](" not in card and "<a" not in card and "<img" not in card and "![" not in card
    assert "**粗体** <script>" in _texts(at, "text")  # the summary is plain text


def test_english_public_page(app_db):
    at = _public({"lang": "en"})
    assert at.title[0].value == "Top-ten case vote"
    assert at.button(key="vote_send").label == "Send me a code"


def test_admin_creates_fills_and_opens_a_campaign(app_db):
    at = signed_in("admin")
    at.switch_page("pages/vote_admin.py").run()
    assert not at.exception and at.dataframe
    at.selectbox(key="vote_admin_campaign").select(0).run()
    at.text_input(key="vote_c_title_new").input("2026年社区营造十佳案例评选")
    at.number_input(key="vote_c_expert_weight_new").set_value(60)
    next(b for b in at.button if b.proto.is_form_submitter).click().run()
    assert any("之和必须为 100%" in e for e in _texts(at, "error"))
    at.number_input(key="vote_c_public_weight_new").set_value(40)
    next(b for b in at.button if b.proto.is_form_submitter).click().run()
    assert any("已创建" in s for s in _texts(at, "success")), _texts(at, "error")
    for title in ("一号案例", "二号案例"):
        at.text_input(key="vote_case_title").input(title)
        at.text_input(key="vote_case_org").input("锦江区某社会工作服务中心")
        next(b for b in at.button if b.proto.is_form_submitter and "添加" in b.label).click().run()
        assert any("案例已添加" in s for s in _texts(at, "success")), _texts(at, "error")
    at.button(key="vote_admin_open").click().run()
    assert any("投票已开启" in s for s in _texts(at, "success"))
    with reading(app_db) as s:
        created = s.execute(select(Campaign).where(Campaign.title == "2026年社区营造十佳案例评选")).scalar_one()
    assert created.status == "open" and (created.expert_weight, created.public_weight) == (60, 40)


def test_admin_sees_the_rules_locked_after_the_first_vote(app_db):
    campaign_id, cases = make_campaign(app_db)
    vote_ballot.cast_votes(app_db, ticket=ballot(app_db, campaign_id), case_ids=cases[:1], client_address="a")
    at = signed_in("admin")
    at.switch_page("pages/vote_admin.py").run()
    at.selectbox(key="vote_admin_campaign").select(campaign_id).run()
    assert any("规则已锁定" in i for i in _texts(at, "info"))
    assert at.number_input(key=f"vote_c_per_voter_per_day_{campaign_id}").proto.disabled


def test_review_leader_reads_admin_voids_and_publishes(app_db):
    with reading(app_db) as s:
        old = s.execute(select(Campaign.id).where(Campaign.year == 2019)).scalar_one()
    at = signed_in("leader", query={"c": str(old)})
    at.switch_page("pages/vote_review.py").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["已作废"] == "1,150"
    flags = at.dataframe[0].value
    assert set(flags["异常类型"]) == {"集中突增", "单一地址集中", "夜间占比异常"}
    ranking = at.dataframe[1].value
    assert list(ranking.columns)[:6] == ["名次", "案例名称", "综合得分", "十佳", "申报单位", "主题"]  # the outcome first
    assert ranking["十佳"].tolist().count("是") == 10
    assert not [b for b in at.button if b.key in ("vote_publish",)] and not at.get("text_input")

    campaign_id, cases = make_campaign(app_db, cases=2)
    for index in range(30):  # thirty numbers, one address: enough to raise the address flag
        ticket = ballot(app_db, campaign_id, phone=f"1377777{index:04d}", address=f"10.7.7.{index}")
        vote_ballot.cast_votes(app_db, ticket=ticket, case_ids=cases[:1], client_address="203.0.113.50")
    admin = users.actor_for(app_db, "admin")
    voting.close_campaign(app_db, actor=admin, campaign_id=campaign_id)
    at = signed_in("admin", query={"c": str(campaign_id)})
    at.switch_page("pages/vote_review.py").run()
    assert at.dataframe[0].value["异常类型"].tolist() == ["单一地址集中"]
    at.text_input(key="vote_void_reason").input("同一地址集中投票，经核查作废")
    next(b for b in at.button if b.proto.is_form_submitter).click().run()
    assert any("已作废 30 票" in s for s in _texts(at, "success")), _texts(at, "error")
    assert at.radio(key="vote_void_mode").options == ["按案例和时段"]  # the flag's votes are all void now
    at.selectbox(key="vote_void_case").select(cases[1])
    at.text_input(key="vote_void_reason").input("核查后作废")
    next(b for b in at.button if b.proto.is_form_submitter).click().run()
    assert any("没有可作废的有效票" in e for e in _texts(at, "error"))
    at.button(key="vote_publish").click().run()
    assert any("还有 2 个案例没有专家评分" in e for e in _texts(at, "error"))
    for case_id in cases:
        voting.set_expert_score(app_db, actor=admin, case_id=case_id, score=85)
    at.button(key="vote_publish").click().run()
    assert any("结果已公布" in s for s in _texts(at, "success"))
    assert voting.get_campaign(app_db, actor=admin, campaign_id=campaign_id).status == "published"


def test_already_voted_when_another_session_of_the_same_number_voted_first(app_db, monkeypatch):
    demo = _demo(app_db)
    first = int(vote_public.public_cases(app_db, demo.id)["id"].iloc[0])
    phone_a, phone_b = _public(), _public()
    _send(phone_a, "13912340002")
    _verify(phone_a, _code_from_banner(phone_a))
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(seconds=61))  # one code a minute per number
    _send(phone_b, "13912340002")
    _verify(phone_b, _code_from_banner(phone_b))
    phone_b.checkbox(key=f"vote_pick_{first}").check()  # ticked before the other tab votes
    phone_a.checkbox(key=f"vote_pick_{first}").check()
    phone_a.button(key="vote_submit").click().run()
    assert any("共 1 票" in s for s in _texts(phone_a, "success"))
    phone_b.button(key="vote_submit").click().run()
    assert any("您今天已为" in w and "投过票" in w for w in _texts(phone_b, "warning"))
    assert not any("投票成功" in s for s in _texts(phone_b, "success"))


def test_upcoming_campaign_shows_no_vote_panel(app_db):
    campaign_id, _ = make_campaign(app_db, opens_in=timedelta(hours=2))
    at = _public({"c": str(campaign_id)})
    assert any("投票尚未开始" in i for i in _texts(at, "info"))
    assert not any(w.key == "vote_phone" for w in at.text_input) and not _case_boxes(at)


def test_a_foreign_number_is_refused_naming_the_field_and_the_rule_and_full_width_works(app_db):
    at = _public({"lang": "en"})
    _send(at, "+1 202 555 0100")
    assert "“Mobile number”: this vote accepts mainland China mobile numbers (+86) only." in _texts(at, "error")
    at = _public()
    _send(at, "１３９　１２３４　５６９０")  # typed with a full-width IME
    assert not at.error
    code = _code_from_banner(at)
    _verify(at, "".join(chr(0xFF10 + int(d)) for d in code))
    assert any("验证成功" in s for s in _texts(at, "success"))


# --- issue 16: the notice and the tick, the flow across a lost session, the sum instead of the picture

def _order(at):
    return [getattr(node, "key", None) or getattr(node, "label", None) or type(node).__name__ for node in at.main]


def test_the_notice_comes_before_the_number_and_nothing_is_sent_without_the_tick(app_db, monkeypatch):
    at = _public()
    order = _order(at)
    assert order.index("个人信息处理说明（详细）") < order.index("vote_consent") < order.index("vote_phone")
    summary = next(m for m in _texts(at, "markdown") if m.startswith("**个人信息处理说明**"))
    assert "不保存号码本身" in summary and "停止投票时删除" in summary and "评选档案" in summary
    notice = at.expander[0].markdown[0].value
    for said in ("不保存手机号码本身", "带密钥哈希值", "停止投票时全部删除", "系统不会自动删除", "30 分钟", "演示模式"):
        assert said in notice, said
    _send(at, "13912345670", consent=False)
    assert any("勾选同意" in e for e in _texts(at, "error")) and not any("演示模式：" in w for w in _texts(at, "warning"))
    with reading(app_db) as s:  # the number went nowhere: no code, no throttle count
        assert s.execute(select(VoteChallenge).where(
            VoteChallenge.voter_key == vote_codes.voter_key("+8613912345670"))).first() is None
    monkeypatch.setenv("VOTE_CODE_DELIVERY", "command")
    monkeypatch.setenv("VOTE_CODE_COMMAND", "/bin/true")
    assert "短信发送服务" in _public().expander[0].markdown[0].value


def test_after_the_send_the_session_holds_the_token_and_never_the_number(app_db):
    at = _public()
    _send(at, "139 1234 5671")
    token = at.session_state["vote_token"]
    held = repr({key: at.session_state[key] for key in at.session_state})
    assert "12345671" not in held and token in held
    script = at.get("html")[0].proto.body  # the token, kept in the browser for a lost session
    assert f"cpme_vote={token};" in script and "SameSite=Strict" in script and "13912345671" not in script
    _verify(at, _code_from_banner(at))
    ticket = at.session_state["vote_token"]
    assert ticket != token and f"cpme_vote={ticket};" in at.get("html")[0].proto.body
    at.button(key="vote_change_number").click().run()
    assert "cpme_vote=;" in at.get("html")[0].proto.body and "Max-Age=0" in at.get("html")[0].proto.body


def test_a_new_session_goes_on_with_the_flow_the_browser_kept(app_db, monkeypatch):
    demo = _demo(app_db)
    other, _ = make_campaign(app_db)  # made before any page run caches the campaign list
    here = {"c": str(demo.id)}
    first = _public(here)
    _send(first, "13912345672")
    code, token = _code_from_banner(first), first.session_state["vote_token"]
    monkeypatch.setattr(vote_page, "browser_token", lambda: token)  # what the cookie brings to a new session
    again = _public(here)
    assert any("已恢复您刚才的投票进度" in i for i in _texts(again, "info"))
    assert any(c.startswith("验证码已发送到您的手机，请在") for c in _texts(again, "caption"))
    _verify(again, code)
    assert any("验证成功" in s for s in _texts(again, "success"))
    ticket = again.session_state["vote_token"]
    monkeypatch.setattr(vote_page, "browser_token", lambda: ticket)
    third = _public(here)
    assert any("手机号码已验证，今天还可投 5 票" in c for c in _texts(third, "caption"))
    case_id = int(vote_public.public_cases(app_db, demo.id)["id"].iloc[0])
    third.checkbox(key=f"vote_pick_{case_id}").check()
    third.button(key="vote_submit").click().run()
    assert any("共 1 票" in s for s in _texts(third, "success"))
    # a token on another campaign's page, or a spent one, is not picked up
    assert _public({"c": str(other)}).text_input(key="vote_phone")
    monkeypatch.setattr(vote_page, "browser_token", lambda: token)
    fresh = _public(here)
    assert fresh.text_input(key="vote_phone") and not any("已恢复" in i for i in _texts(fresh, "info"))


def test_a_sum_in_text_instead_of_the_picture(app_db):
    at = _public()
    assert at.get("image")[0].proto.imgs[0].alt.startswith("图形验证码：图中有 4 个字母或数字")
    at.button(key="vote_captcha_mode_switch").click().run()
    assert not at.get("image")

    def question():
        label = at.text_input(key="vote_captcha_input").label
        a, op, b = re.fullmatch(r"算术题：(\d+) (加|减) (\d+) 等于多少？（填数字）", label).groups()
        return label, int(a) + int(b) if op == "加" else int(a) - int(b)

    label, answer = question()
    assert answer >= 0
    _send(at, "13912345673", captcha=str(answer + 1))
    assert any("算术题答案错误" in e for e in _texts(at, "error")) and not any("演示模式" in w for w in _texts(at, "warning"))
    _, answer = question()  # a new sum after the failed attempt, still a sum
    _send(at, "13912345673", captcha="".join(chr(0xFF10 + int(d)) for d in str(answer)))  # typed full-width
    assert any("演示模式：" in w for w in _texts(at, "warning"))
    at.button(key="vote_restart").click().run()
    at.button(key="vote_captcha_mode_switch").click().run()
    assert at.get("image") and at.text_input(key="vote_captcha_input").label == "图形验证码（不区分大小写）"


def test_admin_gets_the_poster_of_a_campaign_for_its_public_address(app_db, monkeypatch):
    demo = _demo(app_db)
    monkeypatch.setenv("APP_PUBLIC_URL", "https://vote.example.gov.cn/")

    def admin_page():
        at = signed_in("admin")
        at.switch_page("pages/vote_admin.py").run()
        at.selectbox(key="vote_admin_campaign").select(demo.id).run()
        assert not at.exception
        return at

    at = admin_page()
    assert [e.label for e in at.expander][0] == "宣传海报（二维码）"
    assert [c.value for c in at.code] == [f"https://vote.example.gov.cn/vote?c={demo.id}"]
    assert {b.proto.label for b in at.get("download_button")} == {"下载海报（PNG 图片）", "下载海报（PDF，A4）"}
    monkeypatch.setenv("APP_PUBLIC_URL", "vote.example.gov.cn")
    at = admin_page()
    assert any("APP_PUBLIC_URL 应为以 http:// 或 https:// 开头" in e for e in _texts(at, "error"))
    assert not at.code and not at.get("download_button")
    monkeypatch.delenv("APP_PUBLIC_URL")
    at = admin_page()  # AppTest has no browser address to fall back on
    assert any("未设置 APP_PUBLIC_URL" in i for i in _texts(at, "info")) and not at.get("download_button")


def test_a_lost_session_is_kept_longer_than_a_code_lives():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["disconnectedSessionTTL"] >= 2 * vote_codes.CODE_TTL.total_seconds()
