"""Demo data of the vote: the 锦江区 2019 top-ten campaign (30 cases, more than 90,000 valid votes,
one planted and voided burst, published with ten winners) and an open demo campaign around today."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

from db import clock, settings
from db.models import AppUser, AuditLog, OrgUnit
from db.models.voting import Campaign, Vote, VoteCase, VoteQuota
from db.voting.codes import address_key
from db.voting.results import store_publication
from seed_data import SEED_DIR
from seed_data.voting import burst_votes, generate_votes, synthetic_addresses, synthetic_voters

BATCH = 10_000


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(settings.timezone())).astimezone(ZoneInfo("UTC"))


def _bulk(session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table.__table__), rows[start:start + BATCH])


def _cases(session, campaign_id: int, entries: list[dict]) -> list[tuple[int, float]]:
    rows = [{"campaign_id": campaign_id, "title": e["title"], "organization": e["organization"], "theme": e["theme"],
             "summary": e["summary"], "expert_score": e.get("expert_score"), "sort_order": index, "winner": False}
            for index, e in enumerate(entries, start=1)]
    _bulk(session, VoteCase, rows)
    ids = dict(session.execute(select(VoteCase.title, VoteCase.id).where(VoteCase.campaign_id == campaign_id)).all())
    return [(ids[e["title"]], e["popularity"]) for e in entries]


def _campaign(session, spec: dict, **fields) -> Campaign:
    district = session.execute(select(OrgUnit.id).where(OrgUnit.code == spec["district_code"])).scalar_one()
    rules = {k: spec[k] for k in ("per_voter_per_day", "per_case_per_day", "expert_weight", "public_weight",
                                  "show_live_tally", "notice_days")}
    campaign = Campaign(title=spec["title"], description=spec["description"], org_unit_id=district, **rules, **fields)
    session.add(campaign)
    session.flush()
    return campaign


def _load_2019(session, doc: dict, admin_id: int) -> None:
    spec = doc["campaign_2019"]
    opens, closes = _local(spec["opens_at"]), _local(spec["closes_at"])
    campaign = _campaign(session, spec, year=spec["year"], opens_at=opens, closes_at=closes, status="closed",
                         opened_at=opens - timedelta(days=3), closed_at=closes, rules_frozen_at=opens,
                         created_at=opens - timedelta(days=20))
    cases = _cases(session, campaign.id, doc["cases_2019"])
    rng = random.Random(2019)
    votes, _ = generate_votes(
        rng=rng, campaign_id=campaign.id, cases=cases, opens=opens, closes=closes, target=spec["valid_votes_target"],
        voters=synthetic_voters("1700", 9000), addresses=synthetic_addresses("10.19", 7000),
        per_day=spec["per_voter_per_day"])
    burst = spec["burst"]
    burst_case = next(case_id for (case_id, _), e in zip(cases, doc["cases_2019"]) if e["title"] == burst["case_title"])
    farm = synthetic_voters("1719", burst["votes"])
    farm_address = address_key("203.0.113.77")  # the farm's one connection (a documentation range)
    extra, _ = burst_votes(campaign_id=campaign.id, case_id=burst_case,
                                      day=datetime.fromisoformat(burst["day"]).date(), hour=burst["hour"],
                                      count=burst["votes"], voters=farm, address=farm_address, rng=rng)
    _bulk(session, Vote, sorted(votes + extra, key=lambda v: (v["case_id"], v["day"], v["hour"])))
    # No quota rows: a closed campaign never takes another vote, so its counters would never be read.
    # The review of 2019: the burst was found and voided with a reason, then the result published.
    voided_at = _local(burst["voided_at"])
    count = session.execute(update(Vote).where(Vote.campaign_id == campaign.id, Vote.case_id == burst_case,
                                               Vote.ip_key == farm_address)
                            .values(status="void", void_reason=burst["reason"], voided_at=voided_at,
                                    voided_by=admin_id)).rowcount
    published = _local(spec["published_at"])
    frame = store_publication(session, campaign, published)
    session.add_all([
        AuditLog(at=voided_at, user_id=admin_id, username="admin", action="vote_void", entity="campaign",
                 entity_id=str(campaign.id), after=json.dumps({"case_id": burst_case, "kind": "address",
                                                               "ip_key": farm_address.hex(), "reason": burst["reason"],
                                                               "voided": count}, ensure_ascii=False)),
        AuditLog(at=published, user_id=admin_id, username="admin", action="vote_publish", entity="campaign",
                 entity_id=str(campaign.id), after=json.dumps({"notice_until": str(campaign.notice_until),
                                                               "winners": frame.loc[frame["winner"], "title"].tolist()},
                                                              ensure_ascii=False)),
    ])


def _load_demo(session, doc: dict) -> None:
    spec = doc["demo_campaign"]
    today = clock.today()
    tz = ZoneInfo(settings.timezone())
    opens = datetime.combine(today - timedelta(days=spec["opens_days_before_today"]), datetime.min.time(), tz)
    opens = (opens + timedelta(hours=9)).astimezone(ZoneInfo("UTC"))
    closes = datetime.combine(today + timedelta(days=spec["closes_days_after_today"]), datetime.min.time(), tz)
    closes = (closes + timedelta(hours=22)).astimezone(ZoneInfo("UTC"))
    campaign = _campaign(session, {**spec, "title": f"{today.year}年{spec['title']}"}, year=today.year,
                         opens_at=opens, closes_at=closes, status="open", opened_at=opens - timedelta(days=1),
                         created_at=opens - timedelta(days=5))
    cases = _cases(session, campaign.id, doc["demo_cases"])
    # Earlier days only, so a visitor's own votes today never meet a seeded row.
    until = clock.local_day_start(today)
    if until > opens:
        votes, quotas = generate_votes(
            rng=random.Random(7), campaign_id=campaign.id, cases=cases, opens=opens, closes=until,
            target=spec["votes_per_day"] * spec["opens_days_before_today"], voters=synthetic_voters("1709", 600),
            addresses=synthetic_addresses("10.26", 500), per_day=spec["per_voter_per_day"])
        _bulk(session, Vote, votes)
        _bulk(session, VoteQuota, quotas)
        campaign.rules_frozen_at = min(v["cast_at"] for v in votes) if votes else None


def load_voting(session) -> None:
    doc = json.loads((SEED_DIR / "voting_cases.json").read_text(encoding="utf-8"))
    admin_id = session.execute(select(AppUser.id).where(AppUser.username == "admin")).scalar_one()
    _load_2019(session, doc, admin_id)
    _load_demo(session, doc)
