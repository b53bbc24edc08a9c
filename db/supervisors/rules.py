"""The supervisor pool's rules as data and pure functions: kinds, specialties, which specialties serve a
domain, who may be drawn on a day for a subject, and the draw itself.

The draw (draw_panel) is reproducible: random.Random(seed) over the recorded candidates gives the recorded
panel, so anyone can check a draw from its row. Workload is balanced by tiers: candidates are grouped by
their engagements in the WORKLOAD_MONTHS before the draw, and the panel is filled from the least-loaded
tier up, at random within a tier. A supervisor with fewer engagements is therefore always preferred to
one with more, and chance decides only among equals. Read at call time (`rules.MAX_PANEL`), so a
deployment or a test can change them.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date

KINDS = ("person", "agency")
# 养老, 社区治理, 财务审计, 儿童, 残障, 社会工作, 文化体育, 其他
SPECIALTIES = ("elderly", "governance", "audit", "children", "disability", "social_work", "culture_sports", "other")
PURPOSES = ("evaluation", "inspection", "enforcement")
TIE_KINDS = ("engaged", "declared")
DRAW_STATUSES = ("current", "superseded")

# The specialties that qualify a supervisor for a project's (or an organization's) domain
# (db.pipeline.rules.DOMAINS); a candidate needs one of them.
DOMAIN_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "elderly_health": ("elderly", "social_work"),
    "governance": ("governance",),
    "culture_education": ("culture_sports", "children"),
    "volunteer": ("social_work", "governance"),
    "charity": ("social_work", "disability", "children"),
    "environment": ("governance", "other"),
}
# An annual inspection and an enforcement check look at the accounts as well.
PURPOSE_SPECIALTIES: dict[str, tuple[str, ...]] = {"inspection": ("audit",), "enforcement": ("audit",)}

MAX_PANEL = 15
DEFAULT_PANEL = 3
WORKLOAD_MONTHS = 12
MIN_REASON_LENGTH = 4
# a qualification running out within this many days is shown as expiring
EXPIRING_DAYS = 90
CONFLICT_YEARS_DEFAULT = 3

# Why a supervisor is not a candidate, in the order they are checked (the first that applies is recorded).
EXCLUSIONS = ("inactive", "expired", "specialty", "same_agency", "engaged", "declared", "no_account", "on_panel",
              "set_aside")


def conflict_years() -> int:
    """APP_SUPERVISOR_CONFLICT_YEARS: someone the contractor engaged within this many years is not drawn for it."""
    try:
        value = int(os.environ.get("APP_SUPERVISOR_CONFLICT_YEARS", str(CONFLICT_YEARS_DEFAULT)))
    except ValueError:
        return CONFLICT_YEARS_DEFAULT
    return min(max(value, 0), 20)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def workload_since(day: date) -> date:
    """The first day whose engagements count towards the workload of a draw on `day` (exclusive bound)."""
    month = day.month - WORKLOAD_MONTHS % 12
    year = day.year - WORKLOAD_MONTHS // 12 - (1 if month < 1 else 0)
    month = month + 12 if month < 1 else month
    try:
        return day.replace(year=year, month=month)
    except ValueError:
        return date(year, month, 28)


def wanted_specialties(purpose: str, domain: str | None) -> tuple[str, ...]:
    """The specialties a draw asks for by default: the domain's, and the accounts for inspections and checks."""
    found = DOMAIN_SPECIALTIES.get(domain or "", ()) + PURPOSE_SPECIALTIES.get(purpose, ())
    return tuple(code for code in SPECIALTIES if code in found) or SPECIALTIES


def subject_key(purpose: str, *, evaluation_id: int | None = None, org_id: int | None = None,
                year: int | None = None, reference: str | None = None) -> str:
    """What a draw is for, as one key: one current draw per key (a partial unique index holds it)."""
    if purpose == "evaluation":
        return f"evaluation:{evaluation_id}"
    if purpose == "inspection":
        return f"inspection:{org_id}:{year}"
    return f"enforcement:{org_id}:{(reference or '').strip().lower()}"


@dataclass(frozen=True)
class Tie:
    org_id: int
    kind: str  # engaged | declared
    ended_on: date | None


@dataclass(frozen=True)
class Person:
    """What the draw reads of a supervisor."""

    id: int
    active: bool
    qualified_until: date
    specialties: frozenset[str]
    agency_org_id: int | None
    user_id: int | None
    ties: tuple[Tie, ...] = ()


@dataclass(frozen=True)
class Subject:
    """What the draw is for: the day, the contractor (or the inspected organization), what is asked for."""

    day: date
    contractor_id: int | None
    specialties: frozenset[str]
    conflict_years: int
    needs_account: bool = False  # a draw for an evaluation becomes assignments: evaluator accounts only
    on_panel: frozenset[int] = frozenset()  # accounts already on the evaluation's panel
    set_aside: frozenset[int] = frozenset()  # supervisors a redraw leaves out (with its reason)


def exclusion(person: Person, subject: Subject) -> str | None:
    """Why `person` may not be drawn for `subject` (the first reason of EXCLUSIONS that applies), or None."""
    if not person.active:
        return "inactive"
    if person.qualified_until < subject.day:
        return "expired"
    if not person.specialties & subject.specialties:
        return "specialty"
    contractor = subject.contractor_id
    if contractor is not None:
        if person.agency_org_id == contractor:
            return "same_agency"
        since = years_before(subject.day, subject.conflict_years)
        for tie in person.ties:
            if tie.org_id == contractor and tie.kind == "engaged" and (tie.ended_on is None or tie.ended_on >= since):
                return "engaged"
        if any(tie.org_id == contractor and tie.kind == "declared" for tie in person.ties):
            return "declared"
    if subject.needs_account and person.user_id is None:
        return "no_account"
    if person.user_id is not None and person.user_id in subject.on_panel:
        return "on_panel"
    if person.id in subject.set_aside:
        return "set_aside"
    return None


def draw_panel(candidates: list[tuple[int, int]], size: int, seed: int) -> list[int]:
    """The panel from (supervisor id, load) pairs: tier by tier from the least load, at random within a tier,
    by random.Random(seed). The same candidates, size and seed always give the same panel, in the same order."""
    rng = random.Random(seed)
    tiers: dict[int, list[int]] = {}
    for supervisor_id, load in sorted(candidates):
        tiers.setdefault(load, []).append(supervisor_id)
    picked: list[int] = []
    for load in sorted(tiers):
        need = size - len(picked)
        if need <= 0:
            break
        picked += rng.sample(tiers[load], min(need, len(tiers[load])))
    return picked


def new_seed() -> int:
    """A fresh seed for a draw (recorded with it); from the OS, never from the clock."""
    return random.SystemRandom().randrange(1, 2**62)


# --- the pool's Excel import (db/supervisors/imports.py): the words a file may use for the coded values ---

KIND_WORDS = {"person": ("person", "个人", "Person"), "agency": ("agency", "机构", "Agency")}
SPECIALTY_WORDS = {"elderly": ("养老", "Elderly care"), "governance": ("社区治理", "Community governance"),
                   "audit": ("财务审计", "Financial audit"), "children": ("儿童", "Children"),
                   "disability": ("残障", "Disability"), "social_work": ("社会工作", "Social work"),
                   "culture_sports": ("文化体育", "Culture and sports"), "other": ("其他", "Other")}
LIST_SEPARATORS = r"[、,，;；/\s]+"
