"""City part "votes": per district last year's top-ten campaign (closed, one farm burst voided with a
reason, then published through db.voting.review.store_publication) and this year's open campaign; about
2,000,000 votes in all at scale 1.0, drawn by the demo's generator (seed_data.voting: daily and hourly
rhythms, every per-voter and per-case limit kept) with the per-voter-day quota rows the vote path keeps.
Publication goes through the app's own step, which stores each closed campaign's review roll-ups
(db/voting/rollups.py) after the void, as closing, voiding and publishing do in the app."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from db import clock
from db.engine import transaction
from db.models import AuditLog
from db.models.voting import THEMES, Campaign, Vote, VoteCase, VoteQuota
from db.voting.codes import address_key
from db.voting.results import store_publication
from seed_data.voting import burst_votes, generate_votes, synthetic_addresses, synthetic_voters

VOTES = 2_000_000
CASES = 30
PUBLISHED_SHARE = 0.8  # of the votes, in last year's campaigns; the rest in this year's open ones
CAMPAIGN_COLUMNS = ("id", "title", "description", "year", "org_unit_id", "opens_at", "closes_at", "status",
                    "per_voter_per_day", "per_case_per_day", "expert_weight", "public_weight", "show_live_tally",
                    "notice_days", "rules_frozen_at", "opened_at", "closed_at", "created_at")
CASE_COLUMNS = ("id", "campaign_id", "project_id", "title", "organization", "theme", "summary", "expert_score",
                "sort_order", "winner")
VOTE_COLUMNS = ("id", "campaign_id", "case_id", "voter_key", "day", "case_slot", "cast_at", "hour", "ip_key", "status",
                "void_reason", "voided_at", "voided_by")
VOID_REASON = "同一地址一小时内集中投票，经核查为刷票，予以作废。"


def _cases(rng, city, district, campaign_id: int, first_id: int) -> list[tuple]:
    projects = [p for p in city.projects if p["district_id"] == district["id"] and p["stage"] == "closed"]
    orgs = [o["name"] for o in city.orgs if o["district_id"] == district["id"]]
    chosen = rng.sample(projects, min(CASES, len(projects))) if projects else []
    rows = []
    for index in range(CASES):
        project = chosen[index] if index < len(chosen) else None
        title = (project["title"][:60] if project else f"{district['name']}社区营造案例") + f"·{index + 1}"
        rows.append((first_id + index, campaign_id, project["id"] if project else None, title,
                     rng.choice(orgs)[:60] if orgs else "社区社会组织", THEMES[index % len(THEMES)],
                     "以居民需求为导向，整合社区资源，形成可复制的社区营造经验。", round(rng.uniform(70, 95), 1), index + 1, False))
    return rows


def write(city) -> None:
    rng = random.Random(f"{city.seed}:votes")
    writer = city.writer
    total = city.count(VOTES)
    writer.progress.begin("votes", total)
    admin = city.users["admin"]
    campaigns, cases, plans = [], [], []
    city.published = []
    for d_index, district in enumerate(city.districts, start=1):
        for kind in ("published", "open"):
            campaign_id = len(campaigns) + 1
            if kind == "published":
                year = city.today.year - 1
                opens = clock.local_day_start(datetime(year, 9, 1).date()) + timedelta(hours=9)
                closes = opens + timedelta(days=15)
                until, status = closes, "closed"
                city.published.append((campaign_id, closes + timedelta(days=3)))
            else:
                year = city.today.year
                opens = clock.local_day_start(city.today - timedelta(days=10)) + timedelta(hours=9)
                closes = clock.local_day_start(city.today + timedelta(days=5)) + timedelta(hours=22)
                until, status = clock.local_day_start(city.today), "open"  # earlier days only, as the demo
            case_rows = _cases(rng, city, district, campaign_id, len(cases) + 1)
            cases += case_rows
            campaigns.append((campaign_id, f"{year}年{district['name']}十佳社区营造案例评选", None, year, district["id"],
                              opens, closes, status, 3, 1, 70, 30, kind == "open", 7, None,
                              opens - timedelta(days=1), closes if kind == "published" else None,
                              opens - timedelta(days=20)))
            plans.append((d_index, kind, campaign_id, [(row[0], rng.uniform(0.3, 3.0)) for row in case_rows],
                          opens, until, closes))
    # campaigns and cases first: the votes' foreign keys point at them
    writer.write(Campaign.__table__, CAMPAIGN_COLUMNS, campaigns)
    writer.write(VoteCase.__table__, CASE_COLUMNS, cases)
    vote_id, pools = 0, {}
    for d_index, kind, campaign_id, popularity, opens, until, closes in plans:
        if d_index not in pools:
            voters = synthetic_voters(f"17{d_index:02d}", max(300, total // len(city.districts) // 6))
            pools[d_index] = voters, synthetic_addresses(f"10.{d_index}", max(200, len(voters) // 2))
        voters, addresses = pools[d_index]
        share = PUBLISHED_SHARE if kind == "published" else 1 - PUBLISHED_SHARE
        target = max(30, round(total * share / len(city.districts)))
        votes, quotas = generate_votes(rng=rng, campaign_id=campaign_id, cases=popularity, opens=opens, closes=until,
                                       target=target, voters=voters, addresses=addresses, per_day=3)
        for v in votes:
            v.update(void_reason=None, voided_at=None, voided_by=None)
        if kind == "published":
            extra, extra_quotas = _burst(rng, city, campaign_id, popularity, opens, d_index, admin, closes)
            votes, quotas = votes + extra, quotas + extra_quotas
        votes.sort(key=lambda v: (v["case_id"], v["day"], v["hour"]))
        writer.write(Vote.__table__, VOTE_COLUMNS,
                     [(vote_id + i + 1, *(v[c] for c in VOTE_COLUMNS[1:])) for i, v in enumerate(votes)])
        vote_id += len(votes)
        writer.write(VoteQuota.__table__, ("campaign_id", "voter_key", "day", "used"),
                     [(q["campaign_id"], q["voter_key"], q["day"], q["used"]) for q in _merged(quotas)])
    writer.progress.end()


def _merged(quotas: list[dict]) -> list[dict]:
    """One counter per voter and day, as the conditional upsert of the vote path leaves it."""
    merged: dict[tuple, dict] = {}
    for q in quotas:
        key = (q["campaign_id"], q["voter_key"], q["day"])
        if key in merged:
            merged[key]["used"] += q["used"]
        else:
            merged[key] = dict(q)
    return list(merged.values())


def _burst(rng, city, campaign_id, popularity, opens, d_index, admin, closes) -> tuple[list[dict], list[dict]]:
    """A farm: fresh numbers voting for one case within an hour from one address, voided by the admin."""
    count = max(5, city.count(1250))
    case_id = popularity[rng.randrange(len(popularity))][0]
    farm = synthetic_voters(f"19{d_index:02d}", count)
    address = address_key(f"203.0.113.{d_index}")
    votes, quotas = burst_votes(campaign_id=campaign_id, case_id=case_id, day=(opens + timedelta(days=6)).date(),
                                hour=3, count=count, voters=farm, address=address, rng=rng)
    voided_at = closes + timedelta(days=1)
    for v in votes:
        v.update(status="void", void_reason=VOID_REASON, voided_at=voided_at, voided_by=admin)
    city.audit.append((voided_at, admin, "admin", "vote_void", "campaign", str(campaign_id),
                       json.dumps({"case_id": case_id, "kind": "address", "ip_key": address.hex(), "reason": VOID_REASON,
                                   "voided": len(votes)}, ensure_ascii=False)))
    return votes, quotas


def publish(engine, city) -> None:
    """Freeze each closed campaign's ranking through the app's own publication step."""
    with transaction(engine) as session:
        # the first vote froze each campaign's rules
        first = select(func.min(Vote.cast_at)).where(Vote.campaign_id == Campaign.id).scalar_subquery()
        session.execute(update(Campaign).values(rules_frozen_at=first).execution_options(synchronize_session=False))
        for campaign_id, published_at in city.published:
            campaign = session.execute(select(Campaign).where(Campaign.id == campaign_id)).scalar_one()
            frame = store_publication(session, campaign, published_at)
            session.add(AuditLog(at=published_at, user_id=city.users["admin"], username="admin", action="vote_publish",
                                 entity="campaign", entity_id=str(campaign_id),
                                 after=json.dumps({"winners": frame.loc[frame["winner"], "title"].tolist()},
                                                  ensure_ascii=False)))
