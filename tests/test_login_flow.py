"""Sign-in through the real form in AppTest: success, wrong password, lockout and its expiry, ended sessions."""

from datetime import timedelta

import jwt
from sqlalchemy import select

from components import auth
from db import clock, settings, users
from db.engine import reading
from db.models import AppUser
from tests.helpers import new_app, on_login_form, signed_in, submit_login


def test_right_password_signs_in_and_shows_the_role_menu(app_db):
    at = new_app().run()
    assert on_login_form(at) and not at.metric
    submit_login(at, "leader", "Leader@2026")
    assert not on_login_form(at)
    assert any("欢迎" in h.value for h in [*at.subheader, *at.markdown])  # leaders: on the overview
    assert at.session_state["username"] == "leader"


def test_wrong_password_says_so(app_db):
    at = new_app().run()
    submit_login(at, "leader", "not-the-password")
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert on_login_form(at) and not at.metric


def test_five_wrong_passwords_lock_and_the_lock_expires(app_db, monkeypatch):
    at = new_app().run()
    for _ in range(4):
        submit_login(at, "street", "wrong-password")
    assert "再错 1 次" in at.error[0].value
    submit_login(at, "street", "wrong-password")
    assert "账户已锁定" in at.error[0].value
    submit_login(at, "street", "Street@2026")
    assert "账户已锁定" in at.error[0].value and on_login_form(at)
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(minutes=16))
    submit_login(at, "street", "Street@2026")
    assert not on_login_form(at) and not at.error


def test_deactivated_user_session_ends_on_next_run(app_db):
    at = signed_in("evaluator")
    admin = users.actor_for(app_db, "admin")
    users.set_active(app_db, actor=admin, user_id=users.actor_for(app_db, "evaluator").user_id, active=False)
    at.run()
    assert on_login_form(at)
    assert any("登录已失效" in i.value for i in at.info)
    submit_login(at, "evaluator", "Evaluator@2026")
    assert [e.value for e in at.error] == ["该账户已停用，请联系管理员。"]


def test_logout_revokes_every_earlier_cookie(app_db):
    at = signed_in("leader")
    signed_in_at = at.session_state[auth.ISSUED_KEY]
    at.button(key="logout_button").click().run()
    assert on_login_form(at)
    with reading(app_db) as s:
        cutoff = s.execute(select(AppUser.tokens_valid_after).where(AppUser.username == "leader")).scalar_one()
    assert cutoff > signed_in_at
    assert not users.token_valid(app_db, "leader", signed_in_at)


def _cookie(username: str, issued_offset_s: float = 0.0, key: str | None = None) -> str:
    """A cookie as streamlit-authenticator writes it: HS256 JWT of username and expiry."""
    import time

    expires = time.time() + issued_offset_s + settings.cookie_expiry_days() * 86400
    return jwt.encode({"username": username, "exp_date": expires}, key or settings.secret_key(), algorithm="HS256")


def test_cookie_issue_time_and_signature_checks(app_db):
    parsed = auth.cookie_issued_at(_cookie("leader"))
    assert parsed and parsed[0] == "leader"
    assert abs((parsed[1] - clock.utcnow()).total_seconds()) < 5
    assert auth.cookie_issued_at(_cookie("leader", key="another-key-" + "y" * 32)) is None  # forged
    assert auth.cookie_issued_at(_cookie("leader", issued_offset_s=-8 * 86400)) is None  # expired
    assert auth.cookie_issued_at("not-a-jwt") is None


def test_cookie_issued_before_revocation_is_refused(app_db):
    old = auth.cookie_issued_at(_cookie("leader", issued_offset_s=-60))
    users.revoke_tokens(app_db, "leader")
    assert not users.token_valid(app_db, *old)
    fresh = auth.cookie_issued_at(_cookie("leader", issued_offset_s=1))
    assert users.token_valid(app_db, *fresh)
