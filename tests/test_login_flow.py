"""Sign-in through the real form in AppTest: success, one answer to every refusal, lockout and its
expiry, ended sessions, and cookies that carry their own issue time."""

from datetime import timedelta

import extra_streamlit_components as stx
import jwt
import pytest
from sqlalchemy import select

from components import auth
from components.texts import translate
from db import clock, settings, users
from db.engine import reading
from db.models import AppUser
from factories.app import new_app, on_login_form, signed_in, submit_login


def test_right_password_signs_in_and_shows_the_role_menu(app_db):
    at = new_app().run()
    assert on_login_form(at) and not at.metric
    submit_login(at, "leader", "Leader@2026")
    assert not on_login_form(at)
    assert any("欢迎" in h.value for h in [*at.subheader, *at.markdown])  # leaders: on the overview
    assert at.session_state["username"] == "leader"


REFUSED = translate("auth.bad_credentials", "zh")


def test_wrong_password_says_so(app_db):
    at = new_app().run()
    submit_login(at, "leader", "not-the-password")
    assert [e.value for e in at.error] == [REFUSED]
    assert REFUSED.startswith("用户名或密码错误")
    assert on_login_form(at) and not at.metric


def test_five_wrong_passwords_lock_and_the_lock_expires(app_db, monkeypatch):
    at = new_app().run()
    for _ in range(5):
        submit_login(at, "street", "wrong-password")
        assert [e.value for e in at.error] == [REFUSED]  # no countdown: it would confirm the account exists
    submit_login(at, "street", "Street@2026")
    assert [e.value for e in at.error] == [REFUSED] and on_login_form(at)
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
    assert [e.value for e in at.error] == [REFUSED]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unknown_wrong_locked_and_deactivated_read_alike(app_db, lang):
    """A real account used to get "2 more tries", a lock notice, or "deactivated" (only for the right
    password); an unknown name always got the plain sentence. Now all four get the same one."""
    admin = users.actor_for(app_db, "admin")
    users.set_active(app_db, actor=admin, user_id=users.actor_for(app_db, "evaluator").user_id, active=False)
    for _ in range(users.MAX_FAILURES):
        users.authenticate(app_db, "street", "wrong-password")
    at = new_app({"lang": lang}).run()
    shown = {}
    for case, (username, password) in {"unknown": ("nobody.here", "Leader@2026"),
                                       "wrong": ("leader", "wrong-password-1"),
                                       "locked": ("street", "Street@2026"),
                                       "deactivated": ("evaluator", "Evaluator@2026")}.items():
        submit_login(at, username, password)
        assert on_login_form(at) and not at.exception, case
        shown[case] = [e.value for e in at.error]
    assert set(map(tuple, shown.values())) == {(translate("auth.bad_credentials", lang),)}, shown


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
    """A cookie as the app writes it: the library's HS256 JWT of username and expiry, plus our issue time."""
    if key:
        claims = jwt.decode(_cookie(username, issued_offset_s), settings.secret_key(), algorithms=["HS256"])
        return jwt.encode(claims, key, algorithm="HS256")
    return auth.encode_token(username, clock.utcnow() + timedelta(seconds=issued_offset_s), exp_date=0.0)


def test_cookie_issue_time_and_signature_checks(app_db):
    parsed = auth.cookie_issued_at(_cookie("leader"))
    assert parsed and parsed[0] == "leader"
    assert parsed[1] == clock.utcnow() or abs((parsed[1] - clock.utcnow()).total_seconds()) < 5
    assert auth.cookie_issued_at(_cookie("leader", key="another-key-" + "y" * 32)) is None  # forged
    assert auth.cookie_issued_at(_cookie("leader", issued_offset_s=-8 * 86400)) is None  # expired
    assert auth.cookie_issued_at(_cookie("leader", issued_offset_s=-6 * 86400))  # not yet
    assert auth.cookie_issued_at(_cookie("leader", issued_offset_s=3600)) is None  # from the future
    assert auth.cookie_issued_at("not-a-jwt") is None
    # the library's own token, without our issue time, is refused whatever its expiry says
    bare = jwt.encode({"username": "leader", "exp_date": 4e9}, settings.secret_key(), algorithm="HS256")
    assert auth.cookie_issued_at(bare) is None


def test_cookie_age_is_read_on_our_clock_not_the_wall_clock(app_db, monkeypatch):
    token = _cookie("leader")
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(days=6, hours=23))
    assert auth.cookie_issued_at(token)
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(days=7, minutes=1))
    assert auth.cookie_issued_at(token) is None


def test_cookie_issued_before_revocation_is_refused(app_db):
    old = auth.cookie_issued_at(_cookie("leader", issued_offset_s=-60))
    users.revoke_tokens(app_db, "leader")
    assert not users.token_valid(app_db, *old)
    fresh = auth.cookie_issued_at(_cookie("leader", issued_offset_s=1))
    assert users.token_valid(app_db, *fresh)


def _written_cookies(monkeypatch) -> list[str]:
    """The tokens the app hands to the browser (the cookie component is inert under AppTest)."""
    written = []
    real = stx.CookieManager.set

    def recording(self, cookie, val, *args, **kwargs):
        if cookie == auth.COOKIE_NAME:
            written.append(val)
        return real(self, cookie, val, *args, **kwargs)

    monkeypatch.setattr(stx.CookieManager, "set", recording)
    return written


def _open_with_cookie(monkeypatch, token):
    monkeypatch.setattr(auth, "_cookie_token", lambda: token)
    return new_app().run()


def test_a_signed_out_cookie_stays_refused_when_cookie_days_are_lowered(app_db, monkeypatch):
    """The issue time used to be expiry minus the current APP_COOKIE_DAYS: going from 7 to 1 moved a
    signed-out cookie 6 days later, past the sign-out, and it signed in again."""
    monkeypatch.setenv("APP_COOKIE_DAYS", "7")
    written = _written_cookies(monkeypatch)
    at = signed_in("leader")
    assert len(written) == 1
    token = written[0]
    assert auth.cookie_issued_at(token) == ("leader", at.session_state[auth.ISSUED_KEY])
    reopened = _open_with_cookie(monkeypatch, token)
    assert not on_login_form(reopened)  # the cookie works while it is not revoked
    at.button(key="logout_button").click().run()
    assert on_login_form(at)
    for days in ("7", "1"):
        monkeypatch.setenv("APP_COOKIE_DAYS", days)
        assert not users.token_valid(app_db, *auth.cookie_issued_at(token))
        assert on_login_form(_open_with_cookie(monkeypatch, token)), days
    # a cookie issued after the sign-out still works under the new setting
    assert not on_login_form(_open_with_cookie(monkeypatch, _cookie("leader", issued_offset_s=1)))


def test_password_change_reissues_a_cookie_that_passes(app_db, monkeypatch):
    written = _written_cookies(monkeypatch)
    at = signed_in("leader")
    at.switch_page("pages/account.py").run()
    at.text_input(key="old_password").input("Leader@2026")
    at.text_input(key="new_password_1").input("Newpass123")
    at.text_input(key="new_password_2").input("Newpass123")
    next(b for b in at.button if b.proto.is_form_submitter).click()
    at.run()
    assert not at.exception and at.success
    issued = {auth.cookie_issued_at(token)[1] for token in written}
    assert len(issued) == 2  # the sign-in's cookie (drawn on each run until written), then the new one
    old, new = written[0], written[-1]
    assert auth.cookie_issued_at(new) == ("leader", at.session_state[auth.ISSUED_KEY])
    assert not users.token_valid(app_db, *auth.cookie_issued_at(old))
    assert users.token_valid(app_db, *auth.cookie_issued_at(new))
    assert not on_login_form(_open_with_cookie(monkeypatch, new))


def test_the_cookie_writer_is_drawn_on_each_run_until_the_browser_says_it_wrote_the_cookie(app_db, monkeypatch):
    # a run that does not draw the writer removes its frame: under load the page reran before the frame had
    # written the cookie, and the sign-in left none
    written = _written_cookies(monkeypatch)
    at = signed_in("leader")
    assert len(written) == 1
    at.run()
    assert len(written) == 2 and auth.cookie_issued_at(written[1]) == auth.cookie_issued_at(written[0])
    at.session_state[auth._WRITER] = True  # what the writer's frame reports once the cookie is written
    at.run()
    at.run()
    assert len(written) == 2 and not at.exception and not on_login_form(at)


def test_a_browser_that_never_answers_is_asked_for_a_few_runs_only(app_db, monkeypatch):
    written = _written_cookies(monkeypatch)
    at = signed_in("leader")
    for _ in range(auth._WRITE_RUNS + 3):
        at.run()
    assert len(written) == auth._WRITE_RUNS and not on_login_form(at)
