"""Parallel guessing cannot get past the lockout: 32 simultaneous attempts from two processes (two app
instances) on SQLite and PostgreSQL. A read-then-write counter let all 16 of 16 through on PostgreSQL."""

import pytest
from sqlalchemy import func, select

from db import clock, users
from db.engine import reading
from db.models import AppUser, AuditLog
from factories.login_race import race

WRONG = [f"guess-{i:02d}-x" for i in range(32)]


def _state(engine):
    with reading(engine) as s:
        row = s.execute(select(AppUser).where(AppUser.username == "street")).scalar_one()
        failed = s.execute(select(func.count()).select_from(AuditLog)
                           .where(AuditLog.username == "street", AuditLog.action == "login_failed")).scalar_one()
    return row, failed


def test_thirty_two_parallel_wrong_passwords_check_at_most_five(engine):
    outcome = race(engine.url.render_as_string(hide_password=False), "street", [WRONG[:16], WRONG[16:]])
    assert not outcome["errors"]
    assert len(outcome["results"]) == 32 and not any(ok for ok, _ in outcome["results"])
    assert outcome["wrong_checked"] == users.MAX_FAILURES  # every slot used, none beyond
    row, failed = _state(engine)
    assert failed == users.MAX_FAILURES
    assert row.locked_until is not None and row.locked_until > clock.utcnow()
    assert users.authenticate(engine, "street", "Street@2026").reason == "locked"


@pytest.mark.parametrize("right_at", [0, 31])
def test_the_right_password_among_parallel_guesses_adds_no_guesses(engine, right_at):
    """A success gives back only its own slot, so the guesses around it still get five at most."""
    attempts = list(WRONG)
    attempts[right_at] = "Street@2026"
    outcome = race(engine.url.render_as_string(hide_password=False), "street", [attempts[:16], attempts[16:]])
    assert not outcome["errors"]
    assert outcome["wrong_checked"] <= users.MAX_FAILURES
    signed_in = [ok for ok, _ in outcome["results"] if ok]
    assert len(signed_in) <= outcome["right_checked"] <= 1
    row, failed = _state(engine)
    assert failed == outcome["wrong_checked"]
    if outcome["wrong_checked"] == users.MAX_FAILURES:  # fewer only when the right password held a slot meanwhile
        assert row.locked_until is not None
