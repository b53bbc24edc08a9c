"""Deterministic demo of 社区营造 in 锦江区 (seed 000): since mid-2016, 4,000+ residents' proposals over the
district's communities and years, triaged, decided by each community's council at quarterly meetings, 2,000+
carried out, about 5,000万元 committed. A few dozen of the district's pipeline projects came from proposals
(linked both ways). Today's quarter is still open: proposals wait for triage, for the next meeting, for money.

Pure: rows as dicts keyed by position ("_key"), linked by key; the loader turns keys into ids."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from db import clock
from db.community import rules
from seed_data import SEED_DIR
from seed_data.pipeline import split_total

START = date(2016, 6, 1)  # the city's 社区可持续总体营造行动 began in 2016
PROPOSALS = 4_200  # "收集社区营造项目4000余个"
MONEY = 50_600_000  # "投入约5000余万元", pipeline-linked budgets included
LINKED = 36  # pipeline projects that came from a proposal
# proposals per year, relative (2016 from June; 2020 quieter; this year up to today)
YEAR_WEIGHTS = {2016: 0.4, 2017: 0.7, 2018: 0.9, 2019: 1.0, 2020: 0.8, 2021: 1.0, 2022: 1.05, 2023: 1.1}
LATER_WEIGHT = 1.15
THEME_WEIGHTS = dict(zip(rules.THEMES, (0.2, 0.18, 0.15, 0.1, 0.1, 0.08, 0.14, 0.05)))
MEETING_MONTHS = (3, 6, 9, 12)  # each council meets once a quarter


@dataclass
class Demo:
    proposals: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)  # "_meeting", "_proposal": keys
    projects: list[dict] = field(default_factory=list)  # the communities' own; "_proposal": key
    merges: list[tuple[int, int]] = field(default_factory=list)  # (proposal key, merged into key)
    links: dict[int, int] = field(default_factory=dict)  # proposal key -> pipeline project id


def _texts() -> dict:
    return json.loads((SEED_DIR / "community_proposals.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _day_start(day: date) -> datetime:
    return clock.local_day_start(day)


def _moment(day: date, rng: random.Random) -> datetime:
    """Some time in the office hours of `day`."""
    return _day_start(day) + timedelta(minutes=480 + int(rng.random() * 720))


def _day_in(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _code(rng: random.Random, taken: set) -> str:
    """A tracking code from 50 of the generator's bits (five per character)."""
    while True:
        bits = rng.getrandbits(5 * rules.CODE_LENGTH)
        code = "".join(rules.CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(rules.CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def _schedule(rng: random.Random, today: date) -> list[date]:
    """A council's meeting days, one a quarter, from the start to today."""
    days = []
    for year in range(START.year, today.year + 1):
        for month in MEETING_MONTHS:
            day = date(year, month, rng.randint(8, 24))
            if START <= day < today:  # nothing seeded happens on the demo's own day
                days.append(day)
    return days


def _participants(rng: random.Random) -> dict:
    return {"residents": rng.randint(7, 22), "committee": rng.randint(3, 7), "social_orgs": rng.randint(0, 4),
            "units": rng.randint(0, 3), "grid_council": rng.randint(2, 8)}


def _votes(rng: random.Random, present: int, outcome: str) -> dict:
    """Votes consistent with the default majority rule (more than half of those voting)."""
    if outcome == rules.DEFERRED:
        return {"votes_for": 0, "votes_against": 0, "votes_abstain": 0}
    voting = max(1, present - rng.randint(0, 3))
    half = voting // 2
    votes_for = rng.randint(half + 1, voting) if outcome == rules.ADOPTED else rng.randint(0, half)
    against = rng.randint(0, voting - votes_for)
    return {"votes_for": votes_for, "votes_against": against, "votes_abstain": voting - votes_for - against}


def _year_weight(year: int) -> float:
    return YEAR_WEIGHTS.get(year, LATER_WEIGHT)


def _spread(rng: random.Random, communities: list[dict], today: date, proposals: int = PROPOSALS
            ) -> list[tuple[date, dict]]:
    """(day, community) of every proposal: by year's weight (this year up to yesterday), by community's
    activity (pilot streets more; a few communities collect few)."""
    activity = {c["id"]: (1.3 if c["pilot"] else 1.0) * rng.lognormvariate(0, 0.35) for c in communities}
    for quiet in rng.sample(communities, min(4, len(communities) - 1)):
        activity[quiet["id"]] = 0.2
    spans = []
    for year in range(START.year, today.year + 1):
        first, last = max(date(year, 1, 1), START), min(date(year, 12, 31), today - timedelta(days=1))
        share = (last - first).days / 365
        spans.append((first, last, _year_weight(year) * share))
    total = sum(weight for _, _, weight in spans)
    weights = [activity[c["id"]] for c in communities]
    placed = []
    for first, last, weight in spans:
        for community in rng.choices(communities, weights=weights, k=round(proposals * weight / total)):
            placed.append((_day_in(rng, first, last), community))
    return sorted(placed, key=lambda pair: (pair[0], pair[1]["id"]))


def _this_quarter(rng, community: dict, schedule: list[date], today: date, new_proposal, move, decide) -> None:
    """The first community (紫荆社区, the demo account's) has something at every step today: proposals waiting for
    triage, sent to the council since its last meeting, deferred and adopted there and not yet funded."""
    last = schedule[-1]
    for days_ago, theme in ((2, "elderly"), (5, "safety"), (9, "children")):
        new_proposal(today - timedelta(days=days_ago), community, theme)
    for days_ago, theme in ((40, "environment"), (33, "public_space"), (26, "culture_sports"), (19, "mutual_aid")):
        row = new_proposal(today - timedelta(days=days_ago), community, theme)
        move(row, rules.TO_COUNCIL, today - timedelta(days=days_ago - 4))
    for outcome, theme in ((rules.DEFERRED, "public_space"), (rules.ADOPTED, "elderly"), (rules.ADOPTED, "safety")):
        row = new_proposal(last - timedelta(days=rng.randint(20, 40)), community, theme)
        move(row, rules.TO_COUNCIL, last - timedelta(days=12))
        decide(row, last, outcome)


def build(communities: list[dict], linked: list[dict], voters: list[bytes], today: date, *, seed=2016,
          proposals: int = PROPOSALS, money: int = MONEY) -> Demo:
    """`communities`: id, street_id, district_id, name, pilot; `linked`: pipeline projects that came from a
    proposal (id, community_id, title, domain, budget, created_on); `voters`: synthetic proposer keys. The city
    generator (bench/city_community.py) draws every district with its own seed, its scale's proposals and money."""
    rng = random.Random(seed)
    texts = _texts()
    demo = Demo()
    by_id = {c["id"]: c for c in communities}
    schedules = {c["id"]: _schedule(rng, today) for c in communities}
    meetings: dict[tuple[int, date], dict] = {}
    codes: set[str] = set()
    recent: dict[int, list[dict]] = {}  # per community, proposals still open for a merge

    def meeting_at(community_id: int, day: date) -> dict:
        key = (community_id, day)
        if key not in meetings:
            meetings[key] = {"_key": len(meetings), "community_id": community_id, "held_on": day,
                             **_participants(rng), "_items": 0}
        return meetings[key]

    def next_meeting(community_id: int, after: date) -> date | None:
        return next((day for day in schedules[community_id] if day >= after), None)

    def new_proposal(day: date, community: dict, theme: str, title: str | None = None) -> dict:
        words = texts["themes"][theme]
        place = rng.choice(texts["places"])
        row = {"_key": len(demo.proposals), "code": _code(rng, codes), "community_id": community["id"],
               "street_id": community["street_id"], "district_id": community["district_id"], "theme": theme,
               "title": (title or rng.choice(words["titles"]).format(place=place))[:rules.TITLE_LENGTH[1]],
               "problem": rng.choice(words["problems"]).format(place=place),
               "suggestion": rng.choice(words["suggestions"]), "proposer_key": rng.choice(voters),
               "estimate": int(round(rng.lognormvariate(9.9, 0.6), -2)) if rng.random() < 0.7 else None,
               "submitted_at": _moment(day, rng), "submitted_on": day, "state": rules.SUBMITTED,
               "merged_into_id": None, "answer": None, "answered_at": None, "route": None,
               "funding_source": None, "funding_amount": None, "funded_at": None, "project_id": None}
        row["state_changed_at"] = row["submitted_at"]
        demo.proposals.append(row)
        return row

    def move(row: dict, state: str, day: date, answer: str | None = None) -> None:
        row["state"], row["state_changed_at"] = state, _moment(day, rng)
        if answer:
            row["answer"], row["answered_at"] = answer, row["state_changed_at"]

    def decide(row: dict, day: date, outcome: str) -> None:
        meeting = meeting_at(row["community_id"], day)
        meeting["_items"] += 1
        present = sum(meeting[kind] for kind in rules.PARTICIPANTS)
        note = None
        if outcome == rules.NOT_ADOPTED:
            note = rng.choice(texts["not_adopted_notes"])
        elif outcome == rules.DEFERRED:
            note = rng.choice(texts["deferred_notes"])
        demo.items.append({"_meeting": meeting["_key"], "_proposal": row["_key"], "position": meeting["_items"],
                           "outcome": outcome, **_votes(rng, present, outcome), "note": note,
                           "decided_at": _moment(day, rng)})
        move(row, outcome, day)

    def fund(row: dict, adopted_on: date) -> None:
        funded_on = adopted_on + timedelta(days=rng.randint(10, 80))
        if funded_on >= today:
            return  # adopted, waiting for its money
        row.update(route="community", funding_source=rng.choices(
            rules.FUNDING_SOURCES, weights=(0.55, 0.25, 0.1, 0.07, 0.03))[0], funded_at=_moment(funded_on, rng))
        started = funded_on + timedelta(days=rng.randint(5, 25))
        done = started + timedelta(days=rng.randint(40, 160))
        stage = "done" if done < today else "in_progress" if started < today else "planned"
        demo.projects.append({"_proposal": row["_key"], "community_id": row["community_id"],
                              "street_id": row["street_id"], "district_id": row["district_id"], "stage": stage,
                              "started_on": started if stage != "planned" else None,
                              "done_on": done if stage == "done" else None, "created_at": row["funded_at"],
                              "updated_at": _moment(done if stage == "done" else funded_on, rng)})

    for day, community in _spread(rng, communities, today, proposals):
        theme = _pick(rng, THEME_WEIGHTS)
        row = new_proposal(day, community, theme)
        triaged = day + timedelta(days=rng.randint(3, 25))
        if triaged >= today:
            continue  # waiting for triage
        open_ones = recent.setdefault(community["id"], [])
        twin = next((p for p in reversed(open_ones[-12:]) if p["theme"] == theme), None)
        chance = rng.random()
        if chance < 0.07 and twin is not None:
            move(row, rules.MERGED, triaged, texts["merge_answer"].format(title=twin["title"]))
            demo.merges.append((row["_key"], twin["_key"]))
            continue
        if chance < 0.24:
            move(row, rules.DECLINED, triaged, rng.choice(texts["decline_answers"]))
            continue
        move(row, rules.TO_COUNCIL, triaged, rng.choice(texts["send_answers"]) if rng.random() < 0.3 else None)
        open_ones.append(row)
        first = next_meeting(community["id"], triaged + timedelta(days=3))
        if first is None:
            continue  # waiting for this quarter's meeting
        chance = rng.random()
        outcome = rules.ADOPTED if chance < 0.75 else rules.NOT_ADOPTED if chance < 0.9 else rules.DEFERRED
        decide(row, first, outcome)
        if outcome == rules.DEFERRED:
            later = next_meeting(community["id"], first + timedelta(days=1))
            if later is None:
                continue
            outcome = rules.ADOPTED if rng.random() < 0.7 else rules.NOT_ADOPTED
            decide(row, later, outcome)
            first = later
        if outcome == rules.ADOPTED:
            if rng.random() < 0.5:
                row["answer"] = rng.choice(texts["adopt_answers"]).format(year=first.year)
                row["answered_at"] = row["state_changed_at"]
            fund(row, first)

    for project in linked:  # a pipeline project that began as a proposal, decided before it was registered
        community = by_id[project["community_id"]]
        held = [day for day in schedules[community["id"]] if day <= project["created_on"] - timedelta(days=10)]
        if not held:
            continue
        theme = next((t for t, d in rules.THEME_DOMAIN.items() if d == project["domain"]), "other")
        submitted = held[-1] - timedelta(days=rng.randint(20, 60))
        row = new_proposal(submitted, community, theme, title=project["title"])
        move(row, rules.TO_COUNCIL, submitted + timedelta(days=rng.randint(3, 12)))
        decide(row, held[-1], rules.ADOPTED)
        row.update(route="pipeline", funding_source=rng.choice(("guarantee_fund", "fixed_subsidy")),
                   funding_amount=project["budget"], funded_at=project["created_at"], project_id=project["id"])
        demo.links[row["_key"]] = project["id"]

    _this_quarter(rng, communities[0], schedules[communities[0]["id"]], today, new_proposal, move, decide)

    own = [row for row in demo.proposals if row["route"] == "community"]
    linked_money = sum(row["funding_amount"] for row in demo.proposals if row["route"] == "pipeline")
    low, high = 3_000, 300_000
    left = min(max(money - linked_money, low * len(own)), high * len(own))  # a small scale's money still splits
    for row, amount in zip(own, split_total(rng, len(own), left, low, high) if own else []):
        row["funding_amount"] = amount

    texts_minutes = texts["minutes"]
    for meeting in meetings.values():
        community = by_id[meeting["community_id"]]
        present = sum(meeting[kind] for kind in rules.PARTICIPANTS)
        meeting.update(street_id=community["street_id"], district_id=community["district_id"],
                       place=rng.choice(texts["meeting_places"]).format(community=community["name"]),
                       minutes=texts_minutes.format(community=community["name"], present=present,
                                                    items=meeting.pop("_items")),
                       recorded_at=_moment(min(meeting["held_on"] + timedelta(days=rng.randint(0, 3)),
                                               today - timedelta(days=1)), rng))
        demo.meetings.append(meeting)
    return demo


# 居民评事: residents' ratings of the projects carried out, with a generator of its own (the rest of the demo
# stays as it was); most projects get a few, the better-run ones are rated higher.
RATING_COMMENTS = (
    "施工期间有公示，完工后效果很好，感谢社区。", "老人上下楼方便多了，希望其他楼栋也能安排。", "整体不错，就是工期比预期长了一些。",
    "居民参与度高，活动办得很热闹。", "设施质量一般，已经有地方松动了，建议回访维修。", "孩子们很喜欢，周末人很多。",
    "环境明显变好了，垃圾乱堆的情况少了。", "希望后续有人负责日常管护。", "钱花在了刀刃上，账目也公开了，满意。",
    "效果还可以，但宣传不够，很多邻居不知道。", "比以前安全多了，晚上回家放心。", "建议增加几处座椅，其他都很好。",
)
SCORE_WEIGHTS = (0.03, 0.05, 0.17, 0.38, 0.37)


def ratings(demo: Demo, residents: dict[int, list[bytes]], today: date, finished: dict[int, date]) -> list[dict]:
    """Ratings ("_proposal": key) of the carried-out proposals: `finished` maps a proposal key to the day its
    project was done; each gets 0-9 ratings within 90 days after it, by distinct synthetic residents of its own
    community (`residents`, each number declared in one community: basis "resident") and, now and then, by the
    resident who proposed it (basis "proposer"), as the rating rules allow."""
    rng = random.Random(1704)
    by_key = {row["_key"]: row for row in demo.proposals}
    rows = []
    for key, done_on in sorted(finished.items()):
        proposal = by_key[key]
        raters = [(voter, rules.RESIDENT) for voter in
                  rng.sample(residents[proposal["community_id"]], rng.choice((0, 1, 2, 3, 4, 5, 6, 7, 8, 9)))]
        if rng.random() < 0.3:
            raters.append((proposal["proposer_key"], rules.PROPOSER))
        for voter, basis in raters:
            day = done_on + timedelta(days=rng.randint(1, 90))
            if day >= today:
                continue
            at = _moment(day, rng)
            rows.append({"_proposal": key, "voter_key": voter, "basis": basis,
                         "score": rng.choices((1, 2, 3, 4, 5), weights=SCORE_WEIGHTS)[0],
                         "comment": rng.choice(RATING_COMMENTS) if rng.random() < 0.4 else None,
                         "rated_at": at, "rated_on": day})
    return rows


def declarations(rows: list[dict], community_of: dict[int, int]) -> list[dict]:
    """The residence each resident-basis rater declared with their first rating (`community_of`: proposal key ->
    community id)."""
    first: dict[bytes, dict] = {}
    for row in sorted(rows, key=lambda r: r["rated_at"]):
        if row["basis"] == rules.RESIDENT and row["voter_key"] not in first:
            first[row["voter_key"]] = {"voter_key": row["voter_key"], "community_id": community_of[row["_proposal"]],
                                       "declared_at": row["rated_at"], "declared_on": row["rated_on"]}
    return list(first.values())
