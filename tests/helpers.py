"""AppTest helpers shared by the page tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORDS = {"admin": "Admin@2026", "leader": "Leader@2026", "evaluator": "Evaluator@2026", "street": "Street@2026"}
ROLES = tuple(DEMO_PASSWORDS)


def new_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if query:
        at.query_params.update(query)
    return at


def submit_login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.proto.is_form_submitter).click()
    return at.run()


def signed_in(role: str, query: dict | None = None) -> AppTest:
    """An app signed in as the demo account of `role`, on the home page."""
    at = new_app(query).run()
    submit_login(at, role, DEMO_PASSWORDS[role])
    assert not at.exception, at.exception
    assert not at.get("text_input") or all(w.key != "login_username" for w in at.text_input), "still on the login form"
    return at


def shows_data(at: AppTest) -> bool:
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")  # the name changed across versions
    return bool(at.dataframe) or bool(at.metric) or bool(charts) or bool(at.table)


def on_login_form(at: AppTest) -> bool:
    return any(w.key == "login_username" for w in at.text_input)


def open_campaign_with_voters(engine, *, name: str, cases: int, voters: int, per_voter_per_day: int,
                              phone_prefix: str, theme: str, network: int) -> tuple[int, list[int], list[str]]:
    """An open campaign of 锦江区 with `cases` cases and `voters` voters who passed the code step, each from
    their own client address (10.<network>.x.y): the campaign id, the case ids and the voters' tickets."""
    from datetime import timedelta

    from sqlalchemy import select

    from db import clock, users
    from db.engine import reading
    from db.models import OrgUnit
    from db.voting import campaigns as voting
    from db.voting import codes as vote_codes

    admin, now = users.actor_for(engine, "admin"), clock.utcnow()
    with reading(engine) as session:
        district = session.execute(select(OrgUnit.id).where(OrgUnit.code == "510104")).scalar_one()
    campaign = voting.create_campaign(engine, actor=admin, data={
        "title": f"{name}评选", "year": clock.today().year, "org_unit_id": district, "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1), "per_voter_per_day": per_voter_per_day, "per_case_per_day": 1})
    case_ids = [voting.add_case(engine, actor=admin, campaign_id=campaign.id, data={
        "title": f"{name}案例{i}", "organization": "测试中心", "theme": theme}) for i in range(cases)]
    voting.open_campaign(engine, actor=admin, campaign_id=campaign.id)
    tickets = []
    for index in range(voters):
        phone = f"{phone_prefix}{index:04d}"
        address = f"10.{network}.{index // 250}.{index % 250 + 1}"
        sent = vote_codes.request_code(engine, campaign_id=campaign.id, phone=phone, client_address=address)
        tickets.append(vote_codes.verify_code(engine, campaign_id=campaign.id, phone=phone, code=sent.demo_code).ticket)
    return campaign.id, case_ids, tickets
