"""Sign-in guard at the db layer: attempt slots claimed before the password check, success gives back
only its own slot, and every refusal spends one bcrypt check at the cost of a real hash."""

from datetime import timedelta

import bcrypt
import pytest
from sqlalchemy import select, update

from db import clock, passwords, users
from db.engine import reading, transaction
from db.models import AppUser, AuditLog

pytestmark = pytest.mark.calendar("year", "leap")  # this area's dates turn on days, months and years (the turn of a
# year is also a day's and a month's), never on the grid reports' due day: those instants add nothing here


def _row(engine, username):
    with reading(engine) as s:
        return s.execute(select(AppUser).where(AppUser.username == username)).scalar_one()


def _set(engine, username, **values):
    with transaction(engine) as s:
        s.execute(update(AppUser).where(AppUser.username == username).values(**values))


@pytest.fixture
def checks(monkeypatch):
    """Every bcrypt check made, as the cost of the hash it ran against."""
    made = []
    real = bcrypt.checkpw

    def counting(raw, hashed):
        made.append(passwords.cost_of(hashed.decode()))
        return real(raw, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", counting)
    return made


def test_a_success_gives_back_only_its_own_slot(engine):
    for _ in range(3):
        assert users.authenticate(engine, "street", "wrong-pass-1").reason == "bad_credentials"
    assert users.authenticate(engine, "street", "Street@2026").ok
    row = _row(engine, "street")
    assert row.failed_logins == 3 and row.locked_until is None  # the three failures still count
    users.authenticate(engine, "street", "wrong-pass-2")
    assert _row(engine, "street").locked_until is None
    users.authenticate(engine, "street", "wrong-pass-3")  # the fifth wrong password in the window
    assert _row(engine, "street").locked_until is not None
    assert users.authenticate(engine, "street", "Street@2026").reason == "locked"


def test_repeated_successes_never_lock(engine):
    for _ in range(8):
        assert users.authenticate(engine, "leader", "Leader@2026").ok
    row = _row(engine, "leader")
    assert row.failed_logins == 0 and row.failed_window_start is None and row.locked_until is None


def test_no_password_is_checked_once_the_window_slots_are_taken(engine, checks):
    """Five attempts in flight (claimed, not yet answered) hold every slot: a sixth, even with the
    right password, is refused without looking at the hash."""
    _set(engine, "street", failed_logins=users.MAX_FAILURES, failed_window_start=clock.utcnow())
    result = users.authenticate(engine, "street", "Street@2026")
    assert not result.ok and result.reason == "locked"
    assert len(checks) == 1  # one dummy check, for the time it takes
    with reading(engine) as s:
        assert not s.execute(select(AuditLog.id).where(AuditLog.action == "login_failed")).first()
    assert _row(engine, "street").failed_logins == users.MAX_FAILURES


def test_slots_free_up_when_the_window_passes(engine, monkeypatch):
    _set(engine, "street", failed_logins=users.MAX_FAILURES, failed_window_start=clock.utcnow())
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + users.FAILURE_WINDOW + timedelta(seconds=1))
    assert users.authenticate(engine, "street", "Street@2026").ok


def test_a_lock_set_during_the_check_wins_over_the_right_password(engine, monkeypatch):
    """Another attempt's fifth wrong password locks the account while this one's bcrypt runs."""
    real = passwords.verify

    def lock_meanwhile(password, hashed):
        _set(engine, "street", locked_until=clock.utcnow() + users.LOCK_DURATION, failed_logins=0,
             failed_window_start=None)
        return real(password, hashed)

    monkeypatch.setattr(passwords, "verify", lock_meanwhile)
    result = users.authenticate(engine, "street", "Street@2026")
    assert not result.ok and result.reason == "locked"
    with reading(engine) as s:
        assert not s.execute(select(AuditLog.id).where(AuditLog.action == "login")).first()


def test_a_deactivated_account_counts_even_the_right_password(engine):
    admin = users.actor_for(engine, "admin")
    users.set_active(engine, actor=admin, user_id=users.actor_for(engine, "evaluator").user_id, active=False)
    assert users.authenticate(engine, "evaluator", "Evaluator@2026").reason == "inactive"
    assert _row(engine, "evaluator").failed_logins == 1


@pytest.mark.parametrize("rounds", [4, 5])
def test_every_refusal_spends_one_check_at_the_real_cost(engine, checks, monkeypatch, rounds):
    """The dummy hash used to be cost 4 whatever real hashes cost: unknown names answered 100x faster."""
    monkeypatch.setenv("BCRYPT_ROUNDS", str(rounds))
    admin = users.actor_for(engine, "admin")
    users.create_user(engine, actor=admin, data={"username": "probe.user", "display_name": "探针",
                                                 "password": "Passw0rd1", "role": "leader", "scope_id": 1})
    users.create_user(engine, actor=admin, data={"username": "gone.user", "display_name": "停用",
                                                 "password": "Passw0rd1", "role": "leader", "scope_id": 1})
    users.set_active(engine, actor=admin, user_id=users.actor_for(engine, "gone.user").user_id, active=False)
    _set(engine, "probe.user", locked_until=clock.utcnow() + timedelta(minutes=5))
    checks.clear()
    cases = {"unknown": ("no.such.user", "Passw0rd1"), "wrong": ("gone.user", "Wrong-pass-1"),
             "locked": ("probe.user", "Passw0rd1"), "inactive": ("gone.user", "Passw0rd1")}
    for name, (username, password) in cases.items():
        before = len(checks)
        assert not users.authenticate(engine, username, password).ok, name
        assert checks[before:] == [rounds], name


def test_an_over_long_password_on_a_real_account_costs_a_real_check(engine, checks):
    result = users.authenticate(engine, "leader", "x" * (passwords.MAX_BYTES + 1))
    assert result.reason == "bad_credentials" and checks == [passwords.cost_of(_row(engine, "leader").password_hash)]
