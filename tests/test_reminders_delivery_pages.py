"""The digest contact on 消息提醒 in AppTest: a user sets their own number, a bad address is refused naming it."""

from db import users
from db.reminders import delivery
from factories.app import signed_in


def _save(at, channel, address):
    at.radio(key="notice_contact_channel").set_value(channel)
    at.text_input(key="notice_contact_address").input(address)
    next(b for b in at.button if b.proto.is_form_submitter and "保存" in b.label).click()
    return at.run()


def test_a_user_sets_their_own_digest_contact(app_db):
    at = signed_in("evaluator")
    at.switch_page("pages/inbox.py").run()
    assert not at.exception, at.exception
    assert any("未开启站外提醒" in c.value for c in at.caption)  # off by default, and it says so
    _save(at, "email", "不是邮箱")
    assert any("「手机号码或邮箱」不是有效的邮箱地址" in e.value for e in at.error)
    _save(at, "sms", "13800138000")
    assert not at.exception, at.exception
    assert any("已保存每日摘要设置" in s.value for s in at.success)
    assert delivery.contact(app_db, actor=users.actor_for(app_db, "evaluator")) == ("sms", "+8613800138000")
