"""Reminders: the escalation timeline with a moved clock, one run per day from the first page view, two
`python -m db.reminders` at once making nothing twice, and each inbox its owner's alone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from db import clock, settings
from db.engine import reading
from db.errors import NotFound
from db.models import AppUser, OrgUnit
from db.models.pipeline import Project
from db.models.reminders import Notification
from db.models.scorecards import Evaluation, Rectification
from db.pipeline import rules as pipeline_rules
from db.reminders import daily, inbox, rules
from db.scorecards import rectifications
from db.users import actor_for
from factories import records
from factories.databases import PG_URL, database

pytestmark = pytest.mark.calendar
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _made(engine, entity: str, entity_id: int, period: str) -> list[tuple[str, str]]:
    """(username, kind) of the notifications about one thing's occurrence."""
    with reading(engine) as s:
        return sorted(s.execute(select(AppUser.username, Notification.kind)
                                .join(AppUser, AppUser.id == Notification.user_id)
                                .where(Notification.entity == entity, Notification.entity_id == entity_id,
                                       Notification.period == period)).all())


def test_escalation_waits_n_days_then_tells_the_admin_and_at_2n_the_leader_once(engine, monkeypatch):
    monkeypatch.setenv("APP_ESCALATE_DAYS", "5")
    n, start = 5, clock.today()
    admin = actor_for(engine, "admin")
    with reading(engine) as s:
        jinjiang = s.execute(select(OrgUnit.id).where(OrgUnit.code == "510104")).scalar_one()
        project = s.execute(select(Project.id).where(Project.district_id == jinjiang,
                                                     Project.stage.in_(pipeline_rules.STAGES))
                            .order_by(Project.id)).scalars().first()
        evaluation = s.execute(select(Evaluation.id).join(Project, Project.id == Evaluation.project_id)
                               .where(Project.district_id == jinjiang).order_by(Evaluation.id)).scalars().first()
    with engine.begin() as conn:  # its stage's limit is today
        conn.execute(update(Project).where(Project.id == project).values(stage_due=start))
    rectifications.create_items(engine, actor=admin, evaluation_id=evaluation, items=[
        {"finding": "台账资料不完整", "owner": "承接机构", "due_on": start}])
    with reading(engine) as s:
        item = s.execute(select(func.max(Rectification.id))).scalar_one()
    period = start.isoformat()

    def on(days: int) -> int:
        records.set_today(monkeypatch, start + timedelta(days=days))
        return daily.make(engine)

    on(-1)
    assert _made(engine, "project", project, period) == []
    assert _made(engine, "rectification", item, period) == [("admin", "rectification_due")]  # due in a day
    on(n - 1)
    assert _made(engine, "project", project, period) == []
    on(n)
    assert _made(engine, "project", project, period) == [("admin", "stage_overdue")]
    assert ("admin", "rectification_overdue") in _made(engine, "rectification", item, period)
    on(2 * n - 1)
    assert _made(engine, "project", project, period) == [("admin", "stage_overdue")]
    on(2 * n)
    expected = [("admin", "stage_overdue"), ("leader", "stage_escalated")]
    assert _made(engine, "project", project, period) == expected
    assert ("leader", "rectification_escalated") in _made(engine, "rectification", item, period)
    assert on(2 * n) == 0  # again the same day: nothing new at all
    on(2 * n + 3)
    assert _made(engine, "project", project, period) == expected  # once each, however long it stays late


def test_the_first_view_of_a_day_runs_it_once(engine, monkeypatch):
    records.set_today(monkeypatch, clock.today() + timedelta(days=4))
    assert daily.make(engine, once_a_day=True) is not None
    assert daily.make(engine, once_a_day=True) is None  # claimed: the next views only read the day's row
    assert daily.make(engine) == 0  # the timer's run whenever asked: nothing twice


@pytest.fixture
def one_engine(request):
    """One seeded database: PostgreSQL when there is one, where two transactions really overlap (SQLite queues
    its writers anyway), else SQLite; once, not per backend: two processes cost seconds on two cores."""
    from db.engine import make_engine

    with database(request, "postgres" if PG_URL else "sqlite") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.mark.subprocess
@pytest.mark.timeless  # what it checks is the unique key under two processes, not a date: once, not per instant
def test_two_processes_at_once_make_nothing_twice(one_engine):
    """Two `python -m db.reminders` on one database at the same moment, at a day with new reminders."""
    engine = one_engine
    later = datetime.combine(clock.today() + timedelta(days=9), time(7), ZoneInfo(settings.timezone()))
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "APP_CLOCK": later.isoformat()}
    with reading(engine) as s:
        before = s.execute(select(func.count()).select_from(Notification)).scalar_one()
    runs = [subprocess.Popen([sys.executable, "-m", "db.reminders"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [run.communicate(timeout=120) + (run.returncode,) for run in runs]
    assert [code for _, _, code in results] == [0, 0], [err[-2000:] for _, err, _ in results]
    made = [int(out.split(": ")[1].split()[0]) for out, _, _ in results]
    with reading(engine) as s:
        after = s.execute(select(func.count()).select_from(Notification)).scalar_one()
        twice = s.execute(select(func.count()).select_from(
            select(Notification.user_id).group_by(Notification.user_id, Notification.kind, Notification.entity,
                                                  Notification.entity_id, Notification.period)
            .having(func.count() > 1).subquery())).scalar_one()
    assert sum(made) > 0 and after == before + sum(made) and twice == 0


def test_an_inbox_is_its_owners_alone(engine):
    admin, leader = actor_for(engine, "admin"), actor_for(engine, "leader")
    mine, theirs = (inbox.notifications(engine, actor=a) for a in (admin, leader))
    assert len(mine) > 0 and len(theirs) > 0 and set(mine["id"]).isdisjoint(theirs["id"])
    with reading(engine) as s:
        owners = set(s.execute(select(Notification.user_id).where(Notification.id.in_(list(mine["id"])))).scalars())
    assert owners == {admin.user_id}
    unread = inbox.unread_count(engine, actor=leader)
    with pytest.raises(NotFound):  # another's id, even beside one's own: nothing is marked
        inbox.mark_read(engine, actor=leader, ids=[int(theirs["id"].iloc[0]), int(mine["id"].iloc[0])])
    assert inbox.unread_count(engine, actor=leader) == unread
    assert inbox.unread_count(engine, actor=admin) == len(mine)
    assert inbox.mark_read(engine, actor=leader, ids=[int(theirs["id"].iloc[0])]) == 1
    assert inbox.unread_count(engine, actor=leader) == unread - 1
    assert len(inbox.notifications(engine, actor=leader, status="read")) == 1
    assert inbox.mark_all_read(engine, actor=leader) == unread - 1
    assert inbox.unread_count(engine, actor=leader) == 0 and inbox.unread_count(engine, actor=admin) == len(mine)


@pytest.mark.unit
def test_escalation_levels():
    assert [rules.escalation(days, 7) for days in (0, 6, 7, 13, 14, 40)] == [0, 0, 1, 1, 2, 2]
