"""Deterministic demo votes: daily and hourly rhythms, a pool of synthetic voters and addresses, and
one planted burst. Keys go through the real HMAC functions, computed once per synthetic number."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from zoneinfo import ZoneInfo

from db import settings
from db.voting.codes import address_key, voter_key

# Relative activity per local hour: quiet nights, a lunch peak, the evening peak after work.
HOUR_WEIGHTS = (0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.3, 0.8, 1.2, 1.3, 1.2, 1.3,
                1.8, 1.5, 1.0, 1.0, 1.1, 1.3, 1.5, 2.0, 2.4, 2.2, 1.4, 0.6)
VOTES_PER_VISIT = ((1, 0.5), (2, 0.25), (3, 0.25))


def day_weights(days: int) -> list[float]:
    """A launch day, a slow middle with weekend bumps, and a closing rush."""
    weights = []
    for index in range(days):
        weight = 1.4 if index == 0 else max(0.75, 1.15 - 0.05 * index)
        if index % 7 in (5, 6):
            weight *= 1.2
        if index >= days - 2:
            weight = 1.6 if index == days - 2 else 2.0
        weights.append(weight)
    return weights


def synthetic_voters(prefix: str, count: int) -> list[str]:
    """HMAC keys of reserved-range numbers (+86 170…): real keys, never real people."""
    return [voter_key(f"+86{prefix}{index:0{11 - len(prefix)}d}") for index in range(count)]


def synthetic_addresses(prefix: str, count: int) -> list[str]:
    return [address_key(f"{prefix}.{index // 250}.{index % 250}") for index in range(count)]


def _local_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tz).astimezone(timezone.utc)


def generate_votes(*, rng: random.Random, campaign_id: int, cases: list[tuple[int, float]], opens: datetime,
                   closes: datetime, target: int, voters: list[str], addresses: list[str],
                   per_day: int) -> tuple[list[dict], list[dict]]:
    """Vote rows and quota rows for the window [opens, closes): about `target` votes, every limit kept."""
    tz = ZoneInfo(settings.timezone())
    first, last = opens.astimezone(tz), closes.astimezone(tz)
    days = [first.date() + timedelta(days=i) for i in range((last.date() - first.date()).days + 1)]
    weights = day_weights(len(days))
    case_ids = [c for c, _ in cases]
    case_cum = list(accumulate(p for _, p in cases))
    home = [rng.randrange(len(addresses)) for _ in voters]
    sizes, size_weights = zip(*VOTES_PER_VISIT)
    size_cum = list(accumulate(size_weights))
    mean_size = sum(s * w for s, w in VOTES_PER_VISIT)
    votes, quotas = [], []
    for day, weight in zip(days, weights):
        hours = [h for h in range(24) if (day != first.date() or h >= first.hour) and (day != last.date() or h < last.hour)]
        if not hours:
            continue
        start = _local_start(day, tz)
        visitors = min(len(voters), round(target * weight / sum(weights) / mean_size))
        # drawn a day at a time: one call per draw kind instead of one per visit
        who = rng.sample(range(len(voters)), visitors)
        visit_sizes = rng.choices(sizes, cum_weights=size_cum, k=visitors)
        visit_hours = rng.choices(hours, cum_weights=list(accumulate(HOUR_WEIGHTS[h] for h in hours)), k=visitors)
        roaming = rng.choices((False, True), cum_weights=(0.85, 1.0), k=visitors)
        picks = rng.choices(case_ids, cum_weights=case_cum, k=visitors * 6)
        cursor = 0
        for voter_index, size, hour, roams in zip(who, visit_sizes, visit_hours, roaming):
            size = min(size, per_day, len(case_ids))
            picked: list[int] = []
            while len(picked) < size:
                if cursor == len(picks):
                    picks, cursor = rng.choices(case_ids, cum_weights=case_cum, k=1000), 0
                if picks[cursor] not in picked:
                    picked.append(picks[cursor])
                cursor += 1
            moment = start + timedelta(seconds=hour * 3600 + rng.randrange(3300))
            ip = addresses[rng.randrange(len(addresses)) if roams else home[voter_index]]
            voter = voters[voter_index]
            for offset, case_id in enumerate(picked):
                votes.append({"campaign_id": campaign_id, "case_id": case_id, "voter_key": voter, "day": day,
                              "case_slot": 1, "cast_at": moment + timedelta(seconds=20 * offset) if offset else moment,
                              "hour": hour, "ip_key": ip, "status": "valid"})
            quotas.append({"campaign_id": campaign_id, "voter_key": voter, "day": day, "used": size})
    return votes, quotas


def burst_votes(*, campaign_id: int, case_id: int, day: date, hour: int, count: int, voters: list[str],
                address: str, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """A scripted farm: `count` fresh numbers voting for one case within one hour from one address."""
    start = _local_start(day, ZoneInfo(settings.timezone())) + timedelta(hours=hour)
    offsets = sorted(rng.randrange(3600) for _ in range(count))
    votes = [{"campaign_id": campaign_id, "case_id": case_id, "voter_key": voter, "day": day, "case_slot": 1,
              "cast_at": start + timedelta(seconds=offset), "hour": hour, "ip_key": address, "status": "valid"}
             for voter, offset in zip(voters, offsets)]
    quotas = [{"campaign_id": campaign_id, "voter_key": voter, "day": day, "used": 1} for voter in voters[:count]]
    return votes, quotas

