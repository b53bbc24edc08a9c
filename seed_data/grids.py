"""Deterministic demo grid reports: every grid, the last 24 complete months, with seasons and flaws.

Each grid gets a size (its households), its community type's profile and a character of its own;
each month a season (the Spring Festival month is quiet, summer is busy, 99 Giving Day in September
and the year's end raise funds) and a slow improvement. Problems carry over month to month: the
backlog is what was neither solved nor escalated to the street. Most reports arrive by the due day;
some grids are late (an admin reopened the month) or miss months; a few values are planted far
outside their grid's history. Plain dicts out, so the loader can insert them in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

SEED = 6_312
MONTHS = 24

# month of the Spring Festival (农历新年) by year; the holiday quiets grid work
SPRING_FESTIVAL = {2022: 2, 2023: 1, 2024: 2, 2025: 1, 2026: 2, 2027: 2, 2028: 1, 2029: 2, 2030: 2, 2031: 1}

# per community type: multipliers on the city-wide base (Lüyuan governs each type differently)
PROFILES = {
    "城乡结合型": {"activities": 0.85, "served": 0.85, "visits": 1.15, "problems": 1.2, "solve": 0.80,
               "volunteers": 0.8, "funds": 0.5, "satisfaction": 0.86},
    "物业弃管型": {"activities": 0.95, "served": 0.95, "visits": 1.05, "problems": 1.45, "solve": 0.78,
               "volunteers": 0.9, "funds": 0.7, "satisfaction": 0.84},
    "传统老旧型": {"activities": 1.05, "served": 1.1, "visits": 1.1, "problems": 1.2, "solve": 0.84,
               "volunteers": 1.15, "funds": 0.9, "satisfaction": 0.89},
    "高档封闭型": {"activities": 0.9, "served": 0.8, "visits": 0.7, "problems": 0.7, "solve": 0.90,
               "volunteers": 0.75, "funds": 2.0, "satisfaction": 0.93},
}
BASE = {"activities": 4.2, "served": 150, "visits": 80, "problems": 10, "volunteers": 30, "funds": 1500,
        "respondents": 30}


@dataclass(frozen=True)
class GridInfo:
    id: int
    code: str
    households: int
    community_type: str
    pilot: bool


@dataclass
class DemoReports:
    reports: list[dict] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)  # grid_id, period, code, value, confirmed
    planted: list[tuple[int, str, str]] = field(default_factory=list)  # grid_id, period, code


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _season(period: str) -> dict[str, float]:
    year, month = int(period[:4]), int(period[5:7])
    factor = {k: 1.0 for k in ("activities", "served", "visits", "problems", "volunteers", "funds")}
    if month == SPRING_FESTIVAL.get(year, 2):
        factor.update(activities=0.7, served=0.75, visits=0.6, problems=0.75, volunteers=0.7, funds=1.2)
    if month in (7, 8):  # summer programmes for children, rainy-season repairs
        factor.update(activities=1.25, served=1.2, volunteers=1.25, problems=1.2)
    if month == 9:  # 99 公益日
        factor["funds"] = 1.35
    if month == 10:  # National Day events
        factor["activities"] = 1.1
    if month == 12:  # year-end visits and charity drives
        factor.update(visits=1.15, funds=1.2)
    return factor


def _noise(rng: random.Random, spread: float = 0.1) -> float:
    return min(1 + 2 * spread, max(1 - 2 * spread, rng.gauss(1.0, spread)))


def generate(grids: list[GridInfo], *, today: date, now: datetime, due_day: int,
             tz: str = "Asia/Shanghai") -> DemoReports:
    """Reports for the `MONTHS` complete months before `today`'s month; nothing after `now`."""
    rng = random.Random(SEED)
    zone = ZoneInfo(tz)
    last = today.year * 12 + today.month - 2
    periods = [_month(i) for i in range(last - MONTHS + 1, last + 1)]
    out = DemoReports()
    for grid in grids:
        profile = PROFILES.get(grid.community_type, PROFILES["传统老旧型"])
        size = grid.households / 440
        own = {k: rng.uniform(0.82, 1.18) for k in BASE}
        solve = min(0.95, profile["solve"] + rng.uniform(-0.04, 0.06))
        satisfaction = profile["satisfaction"] + rng.uniform(-0.03, 0.03)
        sloppy = rng.random() < 0.06  # a few grids are often late or missing
        carried = round(BASE["problems"] * profile["problems"] * size * 0.06)
        for step, period in enumerate(periods):
            season = _season(period)
            growth = 1 + 0.006 * step
            pilot = 1.15 if grid.pilot else 1.0

            def draw(code: str, spread: float = 0.1, extra: float = 1.0) -> int:
                scale = 1.0 if code == "respondents" else size
                mean = (BASE[code] * profile.get(code, 1.0) * own[code] * scale * growth
                        * season.get(code, 1.0) * extra)
                return max(0, round(mean * _noise(rng, spread)))

            reported = max(0, round(BASE["problems"] * profile["problems"] * own["problems"] * size
                                    * season["problems"] * _noise(rng)))
            solved = min(reported + carried, round(reported * min(0.98, solve * _noise(rng, 0.04)))
                         + round(carried * 0.6))
            respondents = draw("respondents", 0.15)
            rate = min(0.99, satisfaction + 0.0015 * step + rng.uniform(-0.02, 0.02))
            values = {
                "activities": draw("activities", 0.08, pilot), "served": draw("served"),
                "visits": draw("visits"), "problems_carried": carried, "problems_reported": reported,
                "problems_solved": solved, "volunteers": draw("volunteers", 0.1, pilot * pilot),
                "funds": draw("funds", 0.1) // 10 * 10, "respondents": respondents,
                "satisfied": min(respondents, round(respondents * rate)),
            }
            carried = round((reported + carried - solved) * 0.4)  # the rest went up to the street
            submitted = _submission(rng, grid, period, sloppy, due_day, zone)
            if submitted is None or submitted[0] > now:
                continue  # missing, or not in yet
            at, on_time = submitted
            out.reports.append({
                "grid_id": grid.id, "period": period, "status": "submitted", "submitted_by": None,
                "submitted_at": at, "on_time": on_time, "reopened": not on_time,
                "reopened_by": None, "reopened_at": None if on_time else at - timedelta(hours=rng.randint(2, 48)),
            })
            for code, value in values.items():
                out.values.append({"grid_id": grid.id, "period": period, "code": code, "value": value,
                                   "confirmed": False})
    _plant_outliers(rng, out, periods)
    return out


def _submission(rng: random.Random, grid: GridInfo, period: str, sloppy: bool, due_day: int,
                zone: ZoneInfo) -> tuple[datetime, bool] | None:
    """When the report came in (UTC) and whether by the due day; None when it never came."""
    if rng.random() < (0.08 if sloppy else 0.008):
        return None
    year, month = int(period[:4]), int(period[5:7])
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    late = rng.random() < (0.2 if sloppy else 0.025)
    day = rng.randint(due_day + 2, 27) if late else rng.choices(range(1, due_day + 1), weights=range(due_day, 0, -1))[0]
    moment = datetime.combine(next_month.replace(day=day), time(rng.randint(8, 19), rng.randint(0, 59)), zone)
    return moment.astimezone(timezone.utc), not late


def _plant_outliers(rng: random.Random, out: DemoReports, periods: list[str]) -> None:
    """A handful of values five to ten times the grid's usual (a big event, a donation, a typo)."""
    by_key = {(v["grid_id"], v["period"], v["code"]): v for v in out.values}
    candidates = sorted({(v["grid_id"], v["period"]) for v in out.values if v["period"] in periods[12:]})
    for grid_id, period in rng.sample(candidates, 12):
        code = rng.choice(("served", "visits", "volunteers", "funds", "activities"))
        value = by_key[(grid_id, period, code)]
        value["value"] = max(value["value"], 1) * rng.randint(5, 10)
        value["confirmed"] = rng.random() < 0.5
        out.planted.append((grid_id, period, code))
