"""An empty install (APP_DEMO=0): reference data and no demo row, the first administrator made once (by the
command line or the first-start form), demo and production never mixed, and every page usable while empty."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from components.registry import PAGES
from db import passwords, users
from db.engine import make_engine, reading
from db.errors import DomainError
from db.models import AppUser, AuditLog, OrgUnit, SeedMark
from db.models.grids import GridReport, Indicator
from db.models.pipeline import CatalogueItem, Project, SocialOrg
from db.models.scorecards import Evaluation, ScoreTemplate
from db.models.voting import Campaign, Vote
from db.validation import InvalidInput
from factories.app import ROLES, new_app, on_login_form, opened_as
from factories.databases import BACKENDS, empty_pg_database
from seed_data import loader

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN = {"username": "chief", "display_name": "区民政局管理员", "password": "Chief@2026x"}


@pytest.fixture(params=BACKENDS)
def blank_url(request, tmp_path):
    """A database with nothing in it yet, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    with empty_pg_database("cpme_blank") as url:
        yield url


@pytest.fixture
def empty(blank_url):
    engine = make_engine(blank_url)
    loader.load_empty(engine)
    yield engine
    engine.dispose()


def _count(engine, model) -> int:
    with reading(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


# --- the database ----------------------------------------------------------------------------------

def test_an_empty_install_has_the_reference_data_and_no_demo_row(empty):
    for model in (AppUser, Project, SocialOrg, Evaluation, Campaign, Vote, GridReport):
        assert _count(empty, model) == 0, model.__name__
    assert _count(empty, OrgUnit) == 1  # the root, under which the district brings its own units
    assert _count(empty, CatalogueItem) > 20 and _count(empty, ScoreTemplate) == 3 and _count(empty, Indicator) >= 10
    assert loader.PRODUCTION in loader.loaded_parts(empty)
    assert loader.load_empty(empty) == []  # a second start loads nothing


def test_demo_and_production_never_mix(empty, engine):
    with pytest.raises(loader.MixedInstall) as err:
        loader.load_demo(empty)
    assert err.value.code == "install.error.demo_on_production"
    assert _count(empty, Project) == 0
    marks = _count(engine, SeedMark)
    with pytest.raises(loader.MixedInstall) as err:
        loader.load_empty(engine)  # `engine` holds the demo
    assert err.value.code == "install.error.production_on_demo"
    assert _count(engine, SeedMark) == marks


def test_the_first_administrator_is_made_once(empty):
    assert not users.has_users(empty)
    with pytest.raises(InvalidInput) as err:
        users.create_first_admin(empty, {**ADMIN, "password": "short"})
    assert err.value.field == "password" and _count(empty, AppUser) == 0
    made = users.create_first_admin(empty, ADMIN)
    assert made.role == "admin" and made.username == "chief"
    with reading(empty) as s:
        row = s.get(AppUser, made.id)
        root = s.execute(select(OrgUnit.id).where(OrgUnit.level == "root")).scalar_one()
        audited = s.execute(select(AuditLog.action).where(AuditLog.entity_id == str(made.id))).scalars().all()
    assert row.scope_id == root and passwords.verify(ADMIN["password"], row.password_hash)
    assert "first_admin" in audited and ADMIN["password"] not in row.password_hash
    assert users.authenticate(empty, "chief", ADMIN["password"]).ok
    with pytest.raises(DomainError) as err:
        users.create_first_admin(empty, {**ADMIN, "username": "second"})
    assert err.value.code == "error.first_admin_exists" and _count(empty, AppUser) == 1


def test_two_first_starts_at_once_make_one_administrator(empty):
    barrier, outcomes = threading.Barrier(4), []

    def first_start(index: int) -> None:
        barrier.wait()
        try:
            users.create_first_admin(empty, {**ADMIN, "username": f"chief{index}"})
            outcomes.append("made")
        except DomainError as err:
            outcomes.append(err.code)

    threads = [threading.Thread(target=first_start, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["error.first_admin_exists"] * 3 + ["made"], outcomes
    assert _count(empty, AppUser) == 1


# --- the commands ----------------------------------------------------------------------------------

def _command(args: list[str], url: str, stdin: str = "", **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, input=stdin, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url, **env}, timeout=120)


def test_commands_prepare_an_empty_install_and_its_first_administrator(tmp_path):
    url = f"sqlite:///{tmp_path / 'district.db'}"
    prepared = _command(["seed_data.loader", "--empty"], url)
    assert prepared.returncode == 0 and "empty install" in prepared.stdout, prepared.stderr
    refused = _command(["seed_data.loader"], url)  # the demo, into a production database
    assert refused.returncode == 2 and "empty install" in refused.stderr
    mismatch = _command(["db.users", "create-admin", "--username", "chief", "--display-name", "管理员"], url,
                        "Chief@2026x\nOther@2026x\n")
    assert mismatch.returncode == 1 and "differ" in mismatch.stderr
    made = _command(["db.users", "create-admin", "--username", "chief", "--display-name", "管理员"], url,
                    "Chief@2026x\nChief@2026x\n")
    assert made.returncode == 0, made.stderr
    engine = make_engine(url)
    assert users.authenticate(engine, "chief", "Chief@2026x").ok
    again = _command(["db.users", "create-admin", "--username", "other", "--display-name", "管理员"], url,
                     "Chief@2026x\nChief@2026x\n")
    assert again.returncode == 1 and "first_admin_exists" in again.stderr
    engine.dispose()


# --- the pages -------------------------------------------------------------------------------------

def test_first_start_form_makes_the_administrator_then_is_gone(tmp_path, monkeypatch):
    import streamlit as st

    url = f"sqlite:///{tmp_path / 'first.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("APP_DEMO", "0")
    st.cache_resource.clear()
    at = new_app().run()
    assert not at.exception and not on_login_form(at)
    at.text_input(key="first_username").input("chief")
    at.text_input(key="first_display_name").input("<b>区管理员</b>")
    at.text_input(key="first_password").input("Chief@2026x")
    at.text_input(key="first_password_again").input("Chief@2026y")
    at.button[0].click().run()
    assert any("不一致" in e.value for e in at.error)
    at.text_input(key="first_password_again").input("Chief@2026x")
    at.button[0].click().run()
    assert not at.exception and on_login_form(at)
    assert any("管理员账户已创建" in i.value for i in at.info)
    engine = make_engine(url)
    with reading(engine) as s:
        assert s.execute(select(AppUser.display_name)).scalars().all() == ["<b>区管理员</b>"]
    engine.dispose()
    fresh = new_app().run()  # a new visitor: the form is gone
    assert on_login_form(fresh) and not any(w.key == "first_username" for w in fresh.text_input)
    st.cache_resource.clear()


def test_a_demo_database_started_as_production_stops_with_the_reason(app_db, monkeypatch):
    monkeypatch.setenv("APP_DEMO", "0")
    at = new_app().run()
    assert not at.exception
    assert any("装有演示数据" in e.value for e in at.error) and not on_login_form(at)


# what a page with nothing yet says (and then it shows no figure that could read as data)
EMPTY_STATE = {"projects": "还没有项目", "compliance": "还没有项目", "social_orgs": "还没有社会组织",
               "eval_results": "还没有评价", "rectifications": "还没有评价", "grid_dashboard": "还没有网格月报"}
CASES = [(spec.key, role) for spec in PAGES.values() for role in ROLES if spec.roles is None or role in spec.roles]


@pytest.mark.parametrize("page_key,role", CASES, ids=[f"{k}-{r}" for k, r in CASES])
def test_every_page_opens_on_an_empty_install(empty_app_db, page_key, role):
    """A district's own units and staff, nothing else yet: each page says so instead of failing."""
    spec = PAGES[page_key]
    at = opened_as(role, spec.path)
    assert not at.exception, at.exception
    assert not on_login_form(at)
    assert not at.error, [e.value for e in at.error]
    assert at.title or at.subheader, "the page shows its heading"
    said = EMPTY_STATE.get(page_key) or ("新的安装" if page_key == "home" and role in ("admin", "leader") else None)
    if said:
        assert any(said in i.value for i in at.info), [i.value for i in at.info]
        assert not at.metric, [(m.label, m.value) for m in at.metric]
