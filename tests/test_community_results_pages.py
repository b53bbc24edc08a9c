"""社区营造's results through AppTest: a resident rates a carried-out project from the public board after the
phone check, typed markup staying text, and a second rating of the same number is refused."""

from __future__ import annotations

import json

from sqlalchemy import select

from db import clock
from db.community import public
from db.engine import reading
from db.models.community import ProposalRating
from factories.app import new_app, opened_as
from factories.records import community_id, count_rows

ZIJING = "510104001001"
HOSTILE = "**很好**[点我](http://evil.example) <img src=x>"


def test_a_resident_rates_a_project_from_the_board_and_reads_it_back_as_text(app_db):
    rows = public.board(app_db, community_id=community_id(app_db), state="adopted")
    proposal = int(rows.loc[rows["carried_out"], "id"].iloc[0])
    at = new_app({"community": ZIJING, "state": "adopted"})
    at.switch_page("pages/community_board.py").run()
    assert not at.exception
    links = [(link.proto.page, link.proto.query_string) for link in at.get("page_link")]
    assert ("rate", f"proposal={proposal}") in links  # each carried-out card leads to its rating
    assert any(text.startswith("居民评价") for text in (e.value for e in at.get("text")))

    at.switch_page("pages/rate.py")
    at.query_params.clear()
    at.query_params["proposal"] = str(proposal)
    at.run()
    at.text_input(key="cm_phone").input("13900139020")
    at.text_input(key="cm_captcha_input").input(at.session_state["vote_captcha_answer"])
    at.button(key="cm_send").click().run()
    at.text_input(key="cm_code").input(at.session_state["cm_sent"].demo_code)
    at.button(key="cm_verify").click().run()
    assert not at.exception and at.session_state["cm_step"] == "form"
    before = count_rows(app_db, ProposalRating)
    at.button(key="cm_rate_submit").click().run()
    assert any("「评分」为必填项" in e.value for e in at.error) and count_rows(app_db, ProposalRating) == before
    at.radio(key="cm_score").set_value(4)
    at.text_area(key="cm_comment").input(HOSTILE)
    # a new number neither proposed in 紫荆社区 nor lives there: it says where it lives, which must be 紫荆社区
    assert any("只接受在该社区提过建议或居住在该社区的居民评价" in m.value for m in at.markdown)
    at.button(key="cm_rate_submit").click().run()
    assert any("请在「我居住的社区」中选择" in e.value for e in at.error)
    tree = public.community_tree(app_db)
    home = tree[tree["code"] == ZIJING].iloc[0]
    neighbour = tree[(tree["street_id"] == home["street_id"]) & (tree["code"] != ZIJING)].iloc[0]
    at.selectbox(key="cm_home_district").set_value(int(home["district_id"])).run()
    at.selectbox(key=f"cm_home_street_{int(home['district_id'])}").set_value(int(home["street_id"])).run()
    community_box = at.selectbox(key=f"cm_home_community_{int(home['street_id'])}")
    community_box.set_value(int(neighbour["id"])).run()
    at.checkbox(key="cm_resident").check()
    at.button(key="cm_rate_submit").click().run()
    assert any("与项目所在社区不符" in e.value and "紫荆社区" in e.value for e in at.error)
    at.selectbox(key=f"cm_home_community_{int(home['street_id'])}").set_value(int(home["id"]))
    at.checkbox(key="cm_resident").uncheck()
    at.button(key="cm_rate_submit").click().run()
    assert any("请勾选「我是本社区居民」" in e.value for e in at.error) and count_rows(app_db, ProposalRating) == before
    assert dict(at.query_params) == {"proposal": str(proposal)}  # where one lives is not put in the URL
    at.checkbox(key="cm_resident").check()
    at.button(key="cm_rate_submit").click().run()
    assert not at.exception and any("评价已提交" in s.value for s in at.success)
    with reading(app_db) as s:
        assert s.execute(select(ProposalRating.score, ProposalRating.basis).where(ProposalRating.comment == HOSTILE)
                         ).one() == (4, "resident")

    at.switch_page("pages/community_board.py")
    at.query_params.clear()
    at.query_params.update({"community": ZIJING, "state": "adopted"})
    at.run()
    assert HOSTILE in [e.value for e in at.get("text")]  # the comment as typed, as text
    assert not any("](http" in m.value or "<img" in m.value for m in at.markdown)

    # the same number on another project of 紫荆社区: its residence is known, nothing to declare again; and the
    # project it rated says so instead of a second form
    second = int(rows.loc[rows["carried_out"], "id"].iloc[1])
    at.switch_page("pages/rate.py")
    at.query_params.clear()
    at.query_params["proposal"] = str(second)
    at.run()
    assert any("已登记为紫荆社区居民" in c.value for c in at.caption) and not at.get("checkbox")
    at.session_state["cm_rated"] = []
    at.query_params["proposal"] = str(proposal)
    at.run()
    assert any("您已评价过这个项目" in s.value for s in at.success) and "cm_score" not in [r.key for r in at.radio]


def test_the_rating_page_without_a_carried_out_project_points_to_the_board(app_db):
    at = new_app({"proposal": "999999"})
    at.switch_page("pages/rate.py").run()
    assert not at.exception and any("请在社区营造公示中选择" in i.value for i in at.info)
    assert not at.get("text_input")


def test_the_dashboard_follows_the_scope_in_the_url_and_downloads_its_tables(app_db):
    import io

    from openpyxl import load_workbook

    from components.community import community_dashboard
    from db import users
    from db.community import dashboard

    at = opened_as("leader", "pages/community_dashboard.py", {"unit": "510104001", "year": "2025"})
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    street = users.actor_for(app_db, "street")  # 春熙路街道, the street the URL names
    view = dashboard.dashboard(app_db, actor=street, year=2025)
    assert metrics["收集"] == str(view.funnel["collected"]) and metrics["居民已评价"] == str(view.funnel["evaluated"])
    assert at.selectbox(key="cd_unit").value == "510104001"
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    assert {b.key for b in at.get("download_button")} == {"cd_xlsx"}
    book = load_workbook(io.BytesIO(community_dashboard.workbook(view, "zh", "标题")))
    assert book.sheetnames == ["办理漏斗", "逐年情况", "单位", "资金来源（万元）", "建议主题", "收集建议较少的社区"]
    assert [c.value for c in book["办理漏斗"][3]][:2] == ["收集", view.funnel["collected"]]

    mine = opened_as("community", "pages/community_dashboard.py", {"unit": "510104001002"})  # another community
    assert not mine.exception
    own = dashboard.dashboard(app_db, actor=users.actor_for(app_db, "community"))
    assert {m.label: m.value for m in mine.metric}["收集"] == f"{own.funnel['collected']:,}"  # its own, nothing more
    # every year: the year still running is marked as a part (截至X月, dashed, pale), not drawn as a fall
    today = clock.today()
    specs = [json.loads(c.proto.spec) for c in mine.get("arrow_vega_lite_chart") or mine.get("vega_lite_chart")]
    years = next(spec for spec in specs if spec.get("title") == "逐年情况")
    assert years["layer"][0]["encoding"]["x"]["sort"][-1] == f"{today.year}（截至{today.month}月）"
    assert years["layer"][1]["mark"]["strokeDash"] == [5, 4]
    assert any(f"{today.year}年尚未结束" in c.value for c in mine.caption)


def test_a_proposal_shows_its_photos_on_the_board_as_images_only(app_db):
    import io

    from PIL import Image

    from db.community import proposals
    from factories.records import resident_ticket

    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 60)).save(picture, "PNG")
    receipt = proposals.submit_proposal(app_db, ticket=resident_ticket(app_db, "13900139050"), data={
        "community_id": community_id(app_db), "theme": "public_space", "title": "广场增设遮阳棚",
        "problem": "夏天广场太晒，老人没处乘凉。", "suggestion": "在广场东侧加装遮阳棚和座椅。"}, photos=[picture.getvalue()])
    at = new_app({"track": receipt.code})
    at.switch_page("pages/community_board.py").run()
    assert not at.exception and len(at.get("image")) == 1
    at = new_app({"community": ZIJING})
    at.switch_page("pages/community_board.py").run()
    # in its card's expander, beside the demo's drawn photos of 紫荆社区's recent proposals (as many as it holds)
    from components.community.community_board import PAGE
    from db.community import photos as stored

    shown = public.board(app_db, community_id=community_id(app_db)).head(PAGE)  # one image element per proposal
    with_photos = stored.photos_of(app_db, list(shown["id"]))["proposal_id"].nunique()
    assert not at.exception and len(at.get("image")) == with_photos > 1
