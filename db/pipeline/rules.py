"""The pipeline's rules as data: stage order, time limits, caps and the rating threshold.

Districts set these by policy (Lishui: social-worker pay "about 60%" of a project; Jinjiang and Lüyuan:
3A or better gets priority in purchases), so they live here as plain constants, read at call time
(`rules.MIN_GRADE`, never `from ... import MIN_GRADE`) so a deployment or a test can change them.
"""

from __future__ import annotations

from datetime import date

# The six stages of a purchased-service project (Lishui, seed 002), in order.
STAGES = ("needs_survey", "goal_setting", "tender", "implementation", "evaluation", "follow_up")
# After follow-up the project is closed (结项); a project can be stopped at any stage (terminated).
CLOSED = "closed"
TERMINATED = "terminated"
STATES = STAGES + (CLOSED, TERMINATED)

# Days a project may spend in each stage before it counts as overdue.
STAGE_LIMIT_DAYS = {
    "needs_survey": 30,
    "goal_setting": 20,
    "tender": 30,
    "implementation": 240,
    "evaluation": 45,
    "follow_up": 90,
}

# Leaving the tender stage signs the contract: the contractor must be rated MIN_GRADE (A's) or better.
TENDER = "tender"
CONTRACT_STAGE = "implementation"
# Stages in which the contract runs, so the contractor's rating is checked by the compliance list.
CONTRACTED_STAGES = ("implementation", "evaluation", "follow_up")
MIN_GRADE = 3
RATING_VALID_YEARS = 5
GRADES = (5, 4, 3, 2, 1)

# Caps, in percent of the project's budget.
PERSONNEL_CAP_PERCENT = 60
MANAGEMENT_FEE_CAP_PERCENT = 15

# Minimum length of a reason (move back, terminate, rating exception), so "ok" is not a reason.
MIN_REASON_LENGTH = 4

DOMAINS = ("elderly_health", "governance", "culture_education", "volunteer", "charity", "environment")
ORG_KINDS = ("private_non_enterprise", "social_group", "foundation", "community")
REGISTRATIONS = ("registered", "filed")
PARTY_ORGS = ("branch", "joint", "group", "none")  # 党支部, 联合党支部, 党小组, none yet


def stage_limit(stage: str) -> int | None:
    return STAGE_LIMIT_DAYS.get(stage)


def next_state(stage: str) -> str | None:
    """The state a project moves to when advanced; None when it cannot move forward."""
    if stage in STAGES:
        index = STAGES.index(stage)
        return STAGES[index + 1] if index + 1 < len(STAGES) else CLOSED
    return None


def previous_state(stage: str) -> str | None:
    """The state a project returns to when moved back; None for the first stage and the terminated."""
    if stage == CLOSED:
        return STAGES[-1]
    if stage in STAGES and STAGES.index(stage) > 0:
        return STAGES[STAGES.index(stage) - 1]
    return None


def rating_valid_until(rated_on: date) -> date:
    """A rating is valid for RATING_VALID_YEARS years (29 February rolls back to the 28th)."""
    try:
        return rated_on.replace(year=rated_on.year + RATING_VALID_YEARS)
    except ValueError:
        return rated_on.replace(year=rated_on.year + RATING_VALID_YEARS, day=28)

# Roles that read the pipeline pages (evaluators see only their assignments) and the one that writes.


# 统一社会信用代码 (GB 32100-2015): 18 characters from 31 (no I, O, Z, S, V), the last a check character over
# the first 17 with these weights (3^i mod 31). Organizations registered with 民政 start with 5: 51 社会团体,
# 52 民办非企业单位, 53 基金会. A filed (备案) community organization may have none: its filing number stands in.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_KIND = {"social_group": "51", "private_non_enterprise": "52", "foundation": "53"}
FILING_NUMBER = r"^[0-9A-Za-z-]{4,32}$"


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None for a well-formed 统一社会信用代码, else the rule it breaks (a message key)."""
    if len(code) != 18 or any(c not in CREDIT_CODE_CHARS for c in code):
        return "rule.pipe.credit_code_form"
    if credit_check_char(code[:17]) != code[17]:
        return "rule.pipe.credit_code_check"
    return None
