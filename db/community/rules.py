"""社区营造's rules as data: proposal themes, the states a proposal moves through and the moves allowed
between them, the council's participants, quorum and majority, funding sources, and the stages of a
project the community carries out itself (居民自治项目).

Pure: no database. The three limits a district sets by policy are environment settings read at call time
(COMMUNITY_PROPOSALS_PER_DAY, COUNCIL_QUORUM, COUNCIL_MAJORITY_OF), as the grid due day is.
"""

from __future__ import annotations

import os
import re
import secrets

from db.errors import DomainError

# 环境美化, 公共空间, 养老助老, 儿童友好, 文体活动, 邻里互助, 安全治理, 其他 (labels: community.theme.<code>)
THEMES = ("environment", "public_space", "elderly", "children", "culture_sports", "mutual_aid", "safety", "other")
# The pipeline's domain a theme's project is filed under when it enters the pipeline (db/pipeline/rules.DOMAINS).
THEME_DOMAIN = {"environment": "environment", "public_space": "governance", "elderly": "elderly_health",
                "children": "culture_education", "culture_sports": "culture_education", "mutual_aid": "volunteer",
                "safety": "governance", "other": "governance"}

# A proposal's states (labels: community.state.<code>). Submitted proposals wait for triage; the council
# decides those sent to it (a deferred one goes on a later agenda); the rest are final.
SUBMITTED, TO_COUNCIL, DEFERRED = "submitted", "to_council", "deferred"
ADOPTED, NOT_ADOPTED, DECLINED, MERGED = "adopted", "not_adopted", "declined", "merged"
STATES = (SUBMITTED, TO_COUNCIL, DEFERRED, ADOPTED, NOT_ADOPTED, DECLINED, MERGED)
# The council's three decisions; each is also the state the proposal moves to.
OUTCOMES = (ADOPTED, NOT_ADOPTED, DEFERRED)
ON_AGENDA = (TO_COUNCIL, DEFERRED)  # what may be put on a meeting's agenda
# action -> {state it may start from: state it leads to}. Anything else is refused with the message of the
# state the proposal is in (community.error.state_<state>), which says what can still be done with it.
MOVES: dict[str, dict[str, str]] = {
    "send": {SUBMITTED: TO_COUNCIL},
    "decline": {SUBMITTED: DECLINED},
    "merge": {SUBMITTED: MERGED},
    **{outcome: {TO_COUNCIL: outcome, DEFERRED: outcome} for outcome in OUTCOMES},
}
# A duplicate may be merged into a proposal that is still going somewhere.
MERGE_TARGETS = (SUBMITTED, TO_COUNCIL, DEFERRED, ADOPTED)


def next_state(state: str, action: str) -> str:
    """The state `action` leads to from `state`; a DomainError naming the current state when it may not."""
    if action not in MOVES:
        raise ValueError(f"unknown action {action!r}")
    target = MOVES[action].get(state)
    if target is None:
        raise DomainError(f"cm.error.state_{state}")
    return target


# --- the council (议事会) ------------------------------------------------------------------------------

# Who took part, by kind (labels: community.participant.<code>): residents' representatives, the residents'
# committee (居委会), social organizations, units based in the community (驻区单位), the grid council.
PARTICIPANTS = ("residents", "committee", "social_orgs", "units", "grid_council")
MAJORITY_BASES = ("voting", "present")  # more than half of those voting (for+against+abstaining), or of those present


def _int_setting(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(os.environ.get(name, str(default)))
    except ValueError:
        return default
    return min(max(value, low), high)


def proposals_per_day() -> int:
    """COMMUNITY_PROPOSALS_PER_DAY: proposals one verified number may submit in a (local) day; default 3."""
    return _int_setting("COMMUNITY_PROPOSALS_PER_DAY", 3, 1, 50)


def council_quorum() -> int:
    """COUNCIL_QUORUM: the fewest participants a meeting needs to decide anything; default 7."""
    return _int_setting("COUNCIL_QUORUM", 7, 1, 1000)


def answer_days() -> int:
    """COMMUNITY_ANSWER_DAYS: a proposal still waiting for triage this many days after it was submitted is late
    (its community's staff are reminded; the overview counts it); default 15."""
    return _int_setting("COMMUNITY_ANSWER_DAYS", 15, 1, 365)


def majority_base() -> str:
    """COUNCIL_MAJORITY_OF: "voting" (default) or "present"; anything else reads as the default."""
    value = os.environ.get("COUNCIL_MAJORITY_OF", "voting").strip().lower()
    return value if value in MAJORITY_BASES else "voting"


def majority_met(votes_for: int, against: int, abstain: int, present: int) -> bool:
    """More than half of the base (those voting, or those present) voted for."""
    base = votes_for + against + abstain if majority_base() == "voting" else present
    return base > 0 and votes_for * 2 > base


def majority_needed(against: int, abstain: int, present: int) -> int:
    """The fewest votes for that would carry it, for the refusal's message."""
    if majority_base() == "voting":
        return against + abstain + 1  # for > (for + against + abstain) / 2
    return present // 2 + 1


# --- adoption: funding and the community's own projects ---------------------------------------------

# 社区保障资金, 政府定额补贴, 社区基金, 自筹, 其他 (labels: community.funding.<code>)
FUNDING_SOURCES = ("guarantee_fund", "fixed_subsidy", "community_fund", "self_raised", "other")
# An adopted proposal is carried out in the pipeline (a purchased-service project entering at 需求摸排) or by
# the community itself (a 居民自治项目 with three stages).
ROUTES = ("pipeline", "community")
PROJECT_STAGES = ("planned", "in_progress", "done")
# A pipeline project counts as carried out once its implementation is over.
PIPELINE_CARRIED_OUT = ("evaluation", "follow_up", "closed")
# What the pipeline project is called and filed under when a proposal enters it (data, as a release name is).
PIPELINE_BATCH = "{year}年社区营造居民提案"
PIPELINE_SERVICE = "社区营造项目（居民提案）"


def next_project_stage(stage: str) -> str:
    index = PROJECT_STAGES.index(stage)
    if index + 1 >= len(PROJECT_STAGES):
        raise DomainError("cm.error.project_done")
    return PROJECT_STAGES[index + 1]


# --- 居民评事: residents rate a carried-out proposal's project -------------------------------------------

SCORES = (1, 2, 3, 4, 5)
RATING_COMMENT_MAX = 300
RATING_COMMENTS_SHOWN = 3  # the newest comments on a card of the public board
# Who may rate: "residents who proposed or live in the community". A number that proposed anything in the project's
# community is a proposer (checked: the proposals keep the number's HMAC key); any other number declares the
# community it lives in, which must be the project's, and confirms it. The declaration is kept, one community per
# number: another may be declared only RESIDENCE_DAYS later (people move; a number is not a resident everywhere).
PROPOSER, RESIDENT = "proposer", "resident"
RATING_BASES = (PROPOSER, RESIDENT)
RESIDENCE_DAYS = 365


# --- photos with a proposal ------------------------------------------------------------------------------

PHOTOS_MAX = 3
PHOTO_BYTES_MAX = 5 * 1024 * 1024  # a file as sent, before it is re-encoded
PHOTO_PIXELS_MAX = 40_000_000  # a larger picture is refused before it is decoded (a decompression bomb)
PHOTO_EDGE = 1280  # the longest side kept
PHOTO_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP")  # what Pillow must recognise the file as


# --- limits of what a resident or an official types ---------------------------------------------------

TITLE_LENGTH = (4, 60)
TEXT_LENGTH = (10, 1000)  # what is wrong, what they suggest, an official answer
MINUTES_LENGTH = (10, 4000)
PLACE_LENGTH = (2, 100)
NOTE_MAX = 500
ESTIMATE_MAX = 10_000_000  # 1,000 万元: more is not a community proposal
PARTICIPANTS_MAX = 10_000  # per kind
AGENDA_MAX = 30

# --- the tracking code ----------------------------------------------------------------------------------

# Crockford's base32: no I, L, O or U, so what is read aloud or copied by hand comes back the same.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 random bits: a guess finds one of a million proposals once in a billion tries
_CODE_SHAPE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def read_tracking_code(text: str | None) -> str | None:
    """A typed code as stored (case, spaces, dashes and look-alike letters forgiven), or None if it is none."""
    value = (text or "").strip().upper().translate(_READ_AS)
    return value if _CODE_SHAPE.fullmatch(value) else None
