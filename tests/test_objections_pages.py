"""Objections during 公示 in AppTest: a resident files one on the public vote page (number, CAPTCHA, code, case,
grounds shown back only as text), a leader reads the staff page, an admin answers with voiding, and the public
page then shows the answer, the voided case and the republished top ten."""

from sqlalchemy import select

from components.voting.captcha import ANSWER_KEY
from db.engine import reading
from db.models.voting import Objection
from db.voting import objections
from factories.app import new_app, signed_in
from factories.records import objection_ticket, published_campaign

HOSTILE = "[点我](https://evil.cn) ![x](https://evil.cn/x.png) <b>不是粗体</b> 理由充分"


def _public(campaign_id):
    at = new_app({"c": str(campaign_id)}).run()
    at.switch_page("pages/vote.py").run()
    assert not at.exception, at.exception
    return at


def _markdown(at):
    return " ".join(e.value for e in at.get("markdown"))


def test_a_resident_files_an_objection_on_the_public_page(app_db):
    campaign_id, ids = published_campaign(app_db)
    at = _public(campaign_id)
    at.checkbox(key="obj_consent").check()
    at.text_input(key="obj_phone").input("13900139088")
    at.text_input(key="obj_captcha_input").input(at.session_state[ANSWER_KEY])
    at.button(key="obj_send").click().run()
    assert not at.exception, at.exception
    banner = next(w.value for w in at.warning if "演示模式" in w.value)
    at.text_input(key="obj_code").input(banner.rsplit(" ", 1)[-1])
    at.button(key="obj_verify").click().run()
    assert "手机号已验证" in " ".join(s.value for s in at.success)
    assert at.selectbox(key="obj_case").options[0].startswith("1. 案例0")
    assert len(at.selectbox(key="obj_case").options) == 10  # the winners only
    at.selectbox(key="obj_case").set_value(ids[2])
    at.text_area(key="obj_grounds").input(HOSTILE)
    at.button(key="obj_submit").click().run()
    assert not at.exception, at.exception
    assert any("异议已提交" in s.value for s in at.success)
    assert "案例2" not in " ".join(at.selectbox(key="obj_case").options)  # one per case
    with reading(app_db) as s:
        row = s.execute(select(Objection).where(Objection.campaign_id == campaign_id)).scalar_one()
    assert row.case_id == ids[2] and row.grounds == HOSTILE and b"13900139088" not in row.objector_key


def test_leader_reads_admin_answers_with_voiding_and_the_public_page_shows_it(app_db):
    campaign_id, ids = published_campaign(app_db)
    ticket = objection_ticket(app_db, campaign_id, "13900139099")
    objection_id = objections.file_objection(app_db, ticket=ticket, data={"case_id": ids[0], "grounds": HOSTILE}).objection_id
    objections.file_objection(app_db, ticket=ticket, data={"case_id": ids[1], "grounds": "第二条异议的理由写在这里。"})

    leader = signed_in("leader")
    leader.switch_page("pages/objections.py").run()
    assert not leader.exception, leader.exception
    assert "只读" in " ".join(c.value for c in leader.caption)
    assert not [f for f in leader.get("form")]  # no answer form for a leader
    cells = leader.dataframe[0].value
    assert HOSTILE in cells.iloc[:, 3].tolist() and "待答复" in cells.iloc[:, 4].tolist()

    at = signed_in("admin", {"c": str(campaign_id)})
    at.switch_page("pages/objections.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="obj_answer_pick").set_value(objection_id).run()
    at.radio(key="obj_answer_decision").set_value("upheld")
    at.text_area(key="obj_answer_text").input("经核查，该案例申报材料不实，异议成立。")
    at.checkbox(key="obj_answer_void").check()
    at.text_input(key="obj_answer_void_reason").input("申报材料不实")
    next(b for b in at.button if b.proto.is_form_submitter).click()
    at.run()
    assert not at.exception, at.exception
    assert any("重新公布" in s.value for s in at.success)

    public = _public(campaign_id)
    text = _markdown(public)
    assert "1\\. 案例1" in text and "案例0**" not in text  # republished without the voided case
    assert any("案例0" in w.value and "申报材料不实" in w.value for w in public.warning)
    shown = [e.value for e in public.get("text")]
    assert HOSTILE in shown and "经核查，该案例申报材料不实，异议成立。" in shown
    assert "evil.cn" not in text  # the grounds never reach markdown
