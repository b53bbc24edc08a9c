"""社区营造 pages through AppTest (every page under every role is in tests/test_pages.py): a resident proposes on
the phone page through the vote's phone check and follows the proposal by its code on the public board, typed
markup staying text; staff decline with an answer, record a council meeting and its decision, refused by the
rules with the field named; a pipeline project shows the proposal it came from."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import reading
from db.models.community import Proposal
from db.models.pipeline import Project
from factories.app import new_app, opened_as
from factories.records import community_id, count_rows, proposals_in

ZIJING = "510104001001"  # 紫荆社区, the demo `community` account's scope
HOSTILE_TITLE = "**粗体**[点我](http://evil.example)"


def _texts(at, kind: str) -> list[str]:
    return [element.value for element in at.get(kind)]


def _verified_on_propose(query: dict):
    at = new_app(query)
    at.switch_page("pages/propose.py").run()
    at.text_input(key="cm_phone").input("13900139000")
    at.text_input(key="cm_captcha_input").input(at.session_state["vote_captcha_answer"])
    at.button(key="cm_send").click().run()
    at.text_input(key="cm_code").input(at.session_state["cm_sent"].demo_code)
    at.button(key="cm_verify").click().run()
    assert not at.exception and at.session_state["cm_step"] == "form", [e.value for e in at.error]
    return at


def test_a_resident_proposes_and_follows_it_with_typed_markup_kept_as_text(app_db):
    at = _verified_on_propose({"community": ZIJING})  # the board's link preselects the community
    at.selectbox(key="cm_theme").select("elderly")
    at.text_input(key="cm_title").input("扶手")
    at.text_area(key="cm_problem").input("楼道没有扶手 <b>老人</b> 上下楼很吃力。\n第二行")
    at.text_area(key="cm_suggestion").input("在楼道两侧加装扶手，安装感应灯。")
    at.number_input(key="cm_estimate").set_value(12000)
    before = count_rows(app_db, Proposal)
    at.button(key="cm_submit").click().run()
    assert any("「建议标题」至少需要 4 个字符" in e.value for e in at.error)  # the field and the rule, nothing written
    assert count_rows(app_db, Proposal) == before
    at.text_input(key="cm_title").input(HOSTILE_TITLE)
    at.button(key="cm_submit").click().run()
    assert not at.exception and any("提交成功" in s.value for s in at.success)
    with reading(app_db) as s:
        row = s.execute(select(Proposal).where(Proposal.title == HOSTILE_TITLE)).scalar_one()
    assert (row.community_id, row.estimate) == (community_id(app_db), 12000)
    assert any(row.code in text for text in _texts(at, "markdown"))  # the receipt with its tracking code
    assert at.text_input(key="cm_title").value == ""  # the form is cleared for another proposal

    at.switch_page("pages/community_board.py")
    at.query_params["track"] = row.code
    at.run()
    assert not at.exception
    markdown = _texts(at, "markdown")
    assert any("粗体" in text for text in markdown) and not any("](http" in text or "**粗体**" in text for text in markdown)
    assert "楼道没有扶手 <b>老人</b> 上下楼很吃力。\n第二行" in _texts(at, "text")  # as typed, never rendered
    at.query_params["track"] = "0000000000"
    at.run()
    assert any("没有找到" in w.value for w in at.warning)


def test_the_public_board_shows_a_community_with_its_figures(app_db):
    at = new_app({"community": ZIJING, "state": "declined"})
    at.switch_page("pages/community_board.py").run()
    assert not at.exception and [m.label for m in at.metric] == ["居民建议", "议事会采纳", "已实施", "投入资金"]
    states = [c.value for c in at.caption if "不予采纳（已答复）" in c.value]
    assert states and all("不予采纳" in c for c in states)
    assert any(text.startswith("经") or "答复" in text for text in _texts(at, "text"))  # answers are published
    at.query_params.clear()
    at.query_params["community"] = ZIJING
    at.run()
    assert any("议事会：采纳（赞成" in text for text in _texts(at, "text"))  # decisions with their votes
    assert not at.get("download_button")  # the public reads, the staff export


def test_staff_decline_with_an_answer_and_leaders_only_read(app_db):
    proposal = proposals_in(app_db, "submitted")[0]
    at = opened_as("community", "pages/proposals.py", {"proposal": str(proposal)})
    assert not at.exception
    assert {"cm_list_xlsx", "cm_list_csv"} <= {b.key for b in at.get("download_button")}
    at.button(key="cm_decline_btn").click().run()
    assert any("不予采纳须附答复意见" in e.value for e in at.error)
    at.text_area(key=f"cm_decline_answer_{proposal}").input("经核实，该事项属于物业服务企业职责，已转交物业公司处理。")
    at.button(key="cm_decline_btn").click().run()
    assert not at.exception and any("已答复" in s.value for s in at.success)
    with reading(app_db) as s:
        assert s.get(Proposal, proposal).state == "declined"

    leader = opened_as("leader", "pages/proposals.py", {"proposal": str(proposals_in(app_db, "submitted")[0])})
    assert not leader.exception and leader.dataframe and not any(
        b.key in ("cm_send_btn", "cm_decline_btn", "cm_merge_btn") for b in leader.button)


def test_the_council_page_records_a_meeting_and_refuses_a_decision_without_majority(app_db):
    place = community_id(app_db)
    agenda = proposals_in(app_db, "to_council")[:2]
    at = opened_as("community", "pages/council.py")
    assert not at.exception
    key = f"cc_new_{place}"
    at.text_input(key=f"{key}_place").input("紫荆社区党群服务中心议事厅")
    at.text_area(key=f"{key}_minutes").input("会议由居委会主任主持，逐项审议居民提案并举手表决。")
    at.multiselect(key=f"{key}_agenda").set_value(agenda)
    at.button(key="cc_save_btn").click().run()
    assert any("不足议事规则规定的 7 人" in e.value for e in at.error)  # nobody counted yet: no quorum
    for kind, count in (("residents", 9), ("committee", 3), ("social_orgs", 1), ("units", 1), ("grid_council", 2)):
        at.number_input(key=f"{key}_{kind}").set_value(count)
    at.button(key="cc_save_btn").click().run()
    assert not at.exception and any("会议记录已保存" in s.value for s in at.success)
    meeting = int(at.query_params["meeting"][0] if isinstance(at.query_params["meeting"], list)
                  else at.query_params["meeting"])
    at.selectbox(key=f"cc_item_{meeting}").select(agenda[0])
    at.radio(key=f"cc_outcome_{meeting}").set_value("adopted")
    for field, votes in (("votes_for", 5), ("votes_against", 5), ("votes_abstain", 2)):
        at.number_input(key=f"cc_{field}_{meeting}").set_value(votes)
    at.button(key="cc_decide_btn").click().run()
    assert any("未超过表决人数的一半（至少需要 8 票）" in e.value for e in at.error)
    at.number_input(key=f"cc_votes_for_{meeting}").set_value(9)
    at.button(key="cc_decide_btn").click().run()
    assert not at.exception and any("表决结果已保存：已采纳" in s.value for s in at.success)
    with reading(app_db) as s:
        assert s.get(Proposal, agenda[0]).state == "adopted"


def test_a_pipeline_project_shows_the_proposal_it_came_from(app_db):
    with reading(app_db) as s:
        code, proposal = s.execute(select(Project.code, Proposal.id).join(Proposal, Proposal.project_id == Project.id)
                                   .order_by(Project.code)).first()
    at = opened_as("admin", "pages/project_detail.py", {"project": code})  # a link from elsewhere, signed in there
    assert not at.exception and any("本项目来自居民建议" in text for text in _texts(at, "markdown"))
    links = [(link.proto.page, link.proto.query_string) for link in at.get("page_link")]
    assert ("proposals", f"proposal={proposal}") in links  # and back: the proposal page links the project


def test_the_staff_lists_read_their_first_rows_and_download_every_one(app_db, monkeypatch):
    """提案办理 and 议事会 over a whole district read only the rows they draw (a city holds 50,000 proposals), say how
    many there are, and build the download from every filtered row when it is asked for."""
    from components.community import council, data, proposals
    from db import users
    from db.community import councils
    from db.community import proposals as reads

    monkeypatch.setattr(proposals, "SHOWN", 7)
    monkeypatch.setattr(council, "SHOWN", 5)
    leader = users.actor_for(app_db, "leader")
    total = reads.count_proposals(app_db, actor=leader)
    at = opened_as("leader", "pages/proposals.py")
    assert not at.exception and len(at.dataframe[0].value) == 7
    assert any(f"前 7 条（共 {total:,} 条）" in c.value or f"前 7 条（共 {total} 条）" in c.value for c in at.caption)
    every = data.staff_list(str(app_db.url), leader, reads.ProposalFilter())
    assert len(every) == total == len(reads.list_proposals(app_db, actor=leader))
    assert list(every["id"].head(7)) == list(reads.list_proposals(app_db, actor=leader, limit=7)["id"])
    at = opened_as("leader", "pages/council.py")
    meetings = councils.count_meetings(app_db, actor=leader)
    assert not at.exception and len(at.dataframe[0].value) == 5 and meetings > 5
    assert len(councils.list_meetings(app_db, actor=leader)) == meetings
