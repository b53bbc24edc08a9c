"""Records made through the db layer, as the tests and benchmarks need them: campaigns with verified voters,
ballot tickets, a street's grids with typical values, import files, row counts, a moved clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from db import clock, settings, users
from db.engine import reading
from db.grids import imports as grid_import
from db.grids import indicators as gi
from db.grids.rules import current_month
from db.models import OrgUnit
from db.voting import campaigns as voting
from db.voting import codes as vote_codes
from db.voting import objections
from db.voting import results as vote_results


def admin_actor(engine):
    return users.actor_for(engine, "admin")


def district_id(engine, code="510104"):
    with reading(engine) as s:
        return s.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def make_campaign(engine, *, cases=4, open_=True, opens_in=timedelta(hours=-1), closes_in=timedelta(days=3), **rules):
    """A campaign of our own (the seeded ones have votes), opened unless asked otherwise."""
    admin, now = admin_actor(engine), clock.utcnow()
    data = {"title": "测试评选活动", "year": 2026, "org_unit_id": district_id(engine), "opens_at": now + opens_in,
            "closes_at": now + closes_in, "per_voter_per_day": 3, "per_case_per_day": 1, **rules}
    campaign = voting.create_campaign(engine, actor=admin, data=data)
    ids = [voting.add_case(engine, actor=admin, campaign_id=campaign.id, data={
        "title": f"案例{i}", "organization": "锦江区测试社会工作服务中心", "theme": "education", "summary": "简介"})
        for i in range(cases)]
    if open_:
        voting.open_campaign(engine, actor=admin, campaign_id=campaign.id)
    return campaign.id, ids


def published_campaign(engine, *, cases=12):
    """A campaign of our own, closed and published now, its 公示 running (expert scores 90, 89, …: case i ranks
    i+1; no votes), for the objections."""
    admin = admin_actor(engine)
    campaign_id, ids = make_campaign(engine, cases=cases)
    for rank, case_id in enumerate(ids):
        voting.set_expert_score(engine, actor=admin, case_id=case_id, score=90 - rank)
    voting.close_campaign(engine, actor=admin, campaign_id=campaign_id)
    vote_results.publish(engine, actor=admin, campaign_id=campaign_id)
    return campaign_id, ids


def objection_ticket(engine, campaign_id, phone):
    """A number verified for objections to a campaign in its 公示 (the demo delivery hands back the code)."""
    sent = objections.request_code(engine, campaign_id=campaign_id, phone=phone, client_address=f"10.1.0.{phone[-2:]}")
    return objections.verify_code(engine, campaign_id=campaign_id, token=sent.token, code=sent.demo_code).ticket


def ballot(engine, campaign_id, phone="13800138000", address=None):
    sent = vote_codes.request_code(engine, campaign_id=campaign_id, phone=phone, client_address=address or f"10.0.0.{phone[-2:]}")
    return vote_codes.verify_code(engine, campaign_id=campaign_id, phone=phone, code=sent.demo_code).ticket


def street_grids(engine, street_code="510104001"):
    with reading(engine) as s:
        return s.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.level == "grid",
                                                                OrgUnit.code.like(f"{street_code}%"))
                         .order_by(OrgUnit.code)).all()


def typical_values(engine, grid_id):
    """Values close to the grid's own history, so no outlier rule fires."""
    with reading(engine) as s:
        history = gi.grid_history(s, grid_ids=[grid_id], before=current_month())
    values = {code: round(sum(v) / len(v)) for (_, code), v in history.items()}
    values["problems_solved"] = min(values["problems_solved"], values["problems_reported"] + values["problems_carried"])
    values["satisfied"] = min(values["satisfied"], values["respondents"])
    return values


def set_today(monkeypatch, day):
    """Move the clock to noon of `day` in the district's time zone."""
    moment = datetime.combine(day, time(12), ZoneInfo(settings.timezone())).astimezone(timezone.utc)
    monkeypatch.setattr(clock, "utcnow", lambda: moment)


def count_rows(engine, model, *where):
    with reading(engine) as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def filled_template(engine, actor, month, lang="zh"):
    frame = grid_import.template(engine, actor=actor, period=month, lang=lang)
    code_col = frame.columns[0]
    with reading(engine) as s:
        ids = dict(s.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(list(frame[code_col])))).all())
    defs = gi.definitions(engine)
    name = "name" if lang == "zh" else "name_en"
    for index, code in enumerate(frame[code_col]):
        for field, value in typical_values(engine, ids[code]).items():
            frame.loc[index, defs.loc[field, name]] = value
    return frame


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


# the accounts a page test signs in with (factories.app.DEMO_PASSWORDS), on an empty install's own units
STARTER_UNITS = (("990001", "测试区", "district"), ("990001001", "测试街道", "street"),
                 ("990001001001", "测试社区", "community"), ("990001001001001", "测试社区第1网格", "grid"))
STARTER_SCOPES = {"admin": "000000", "leader": "990001", "evaluator": "990001", "street": "990001001",
                  "community": "990001001001"}


def starter_district(engine) -> None:
    """An empty install as a district has it after bringing in its units and staff: one unit per level
    below the root and one account per role, and no project, evaluation, vote or grid report."""
    from db import passwords
    from db.engine import transaction
    from db.models import AppUser
    from factories.app import DEMO_PASSWORDS

    now = clock.utcnow()
    with transaction(engine) as s:
        parent = s.execute(select(OrgUnit).where(OrgUnit.level == "root")).scalar_one()
        ancestors: dict[str, int] = {}
        for code, name, level in STARTER_UNITS:
            unit = OrgUnit(code=code, name=name, level=level, parent_id=parent.id, **ancestors)
            s.add(unit)
            s.flush()
            if level != "grid":  # a unit is its own district / street / community
                setattr(unit, f"{level}_id", unit.id)
                ancestors[f"{level}_id"] = unit.id
            parent = unit
        scopes = dict(s.execute(select(OrgUnit.code, OrgUnit.id)).all())
        for role, password in DEMO_PASSWORDS.items():
            s.add(AppUser(username=role, display_name=f"测试{role}", password_hash=passwords.hash_password(password),
                          role=role, scope_id=scopes[STARTER_SCOPES[role]], active=True, tokens_valid_after=now,
                          created_at=now))


def resident_ticket(engine, phone="13900139000", address=None) -> str:
    """A resident who passed the phone check (社区营造): their ticket to submit proposals."""
    from db.community import verification

    sent = verification.request_code(engine, phone=phone, client_address=address or f"10.9.0.{phone[-2:]}")
    return verification.verify_code(engine, phone=phone, code=sent.demo_code).ticket


def community_id(engine, code="510104001001"):
    """A community's id (default 紫荆社区 of 春熙路街道, the demo `community` account's scope)."""
    with reading(engine) as s:
        return s.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def proposals_in(engine, state: str, code="510104001001") -> list[int]:
    """Ids of a community's proposals in `state`, newest first."""
    from db.models.community import Proposal

    with reading(engine) as s:
        return list(s.execute(select(Proposal.id).where(Proposal.community_id == community_id(engine, code),
                                                        Proposal.state == state)
                              .order_by(Proposal.submitted_on.desc(), Proposal.id.desc())).scalars())
