"""社区基金's rules as data: entry kinds, donor kinds, which side of the account an entry is on, and what an
entry does to the balance. Pure: no database.

A ledger entry is never edited. A correction is a reversal: a new entry on the same side as the entry it
reverses, with the amount negated, so every sum (raised, granted, by donor kind, by month) nets out by
itself and the balance is always raised - granted."""

from __future__ import annotations

DONATION, GRANT, REVERSAL = "donation", "grant", "reversal"
KINDS = (DONATION, GRANT, REVERSAL)
IN, OUT = "in", "out"  # money raised / money granted
SIDE = {DONATION: IN, GRANT: OUT}
# 居民, 企业, 社会组织, 政府配捐, 其他 (labels: fund.donor.<code>)
DONOR_KINDS = ("resident", "enterprise", "social_org", "government_match", "other")
# The fund's unit: a community or a street
UNIT_LEVELS = ("community", "street")

NAME_LENGTH = (2, 60)
CUSTODIAN_LENGTH = (2, 100)  # the charity (慈善组织) that holds the fund's account
MANAGERS_LENGTH = (0, 200)
DONOR_NAME_LENGTH = (0, 60)
PURPOSE_LENGTH = (4, 200)
REASON_LENGTH = (4, 200)


def month_of(day) -> str:
    """The month an entry counts in, as the by-month figures group it: "YYYY-MM"."""
    return f"{day.year:04d}-{day.month:02d}"


def balance_change(side: str, amount: int) -> int:
    """What an entry of `amount` (signed, as stored) on `side` does to the balance."""
    return amount if side == IN else -amount


def reversal_amount(amount: int) -> int:
    """The stored amount of the entry reversing one of `amount`: the same side, the opposite sign."""
    return -amount


# --- 微创投 rounds (db/funds/rounds.py, reviews.py) ---------------------------------------------------------
SOURCE_KINDS = ("fund", "special")  # a community fund; the district special fund (区社会组织培育发展专项资金)
REGISTRATIONS = ("registered", "filed")  # 登记, 备案
# 党建活动, 垃圾分类, 心理健康, 智能养老, 特色社区, 教育培训, 其他 (seed 003's fields; labels mg.theme.<code>)
THEMES = ("party_building", "waste_sorting", "mental_health", "smart_elderly", "community_feature", "education",
          "other")
SUBMITTED, REVIEW, FUNDED, NOT_FUNDED, CLOSED = "submitted", "review", "funded", "not_funded", "closed"
APPLICATION_STATUSES = (SUBMITTED, REVIEW, FUNDED, NOT_FUNDED, CLOSED)
DECISIONS = (FUNDED, NOT_FUNDED)
ROUND_NAME_LENGTH = (4, 80)
TITLE_LENGTH = (4, 80)
PLACE_LENGTH = (2, 100)
AGREEMENT_LENGTH = (2, 40)
REPORT_LENGTH = (10, 2000)
MAX_COUNT = 100_000  # participants, people served, problems solved in one activity


def cofunded_enough(budget: int, requested: int, cofund_pct: int) -> bool:
    """The co-funding rule: what the applicant brings from elsewhere (budget - requested) is at least
    `cofund_pct` per cent of the budget (in whole yuan, no rounding)."""
    return (budget - requested) * 100 >= cofund_pct * budget


def round_state(opens_on, closes_on, closed_on, today) -> str:
    """upcoming before its window, open within it, reviewing after it until its closing report, then closed."""
    if closed_on is not None:
        return "closed"
    if today < opens_on:
        return "upcoming"
    return "open" if today <= closes_on else "reviewing"


def eligible(org, *, registrations: tuple[str, ...], org_kinds: tuple[str, ...], min_grade: int | None,
             day) -> str | None:
    """Why `org` (kind, registration, grade, grade_valid_until, active) may not apply, as an error code, or None."""
    if not org.active:
        return "mg.error.org_inactive"
    if org.kind not in org_kinds:
        return "mg.error.org_kind"
    if org.registration not in registrations:
        return "mg.error.org_registration"
    if min_grade is not None and (org.grade is None or org.grade < min_grade or org.grade_valid_until is None
                                  or org.grade_valid_until < day):
        return "mg.error.org_rating"
    return None


def split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


# --- the district special fund's 3A+ rewards (db/funds/rewards.py) ----------------------------------------
# 区社会组织培育发展专项资金: 200万元 a year (seed 003), from which organizations rated 3A or better are rewarded
# once a year by the grade in force on the year's reward day. The amounts are the district's to set.
SPECIAL_FUND_YEARLY = 2_000_000
REWARD_BY_GRADE = {3: 10_000, 4: 20_000, 5: 30_000}  # yuan per organization, by its A's
REWARD_MIN_GRADE = min(REWARD_BY_GRADE)


def reward_for(grade: int | None) -> int:
    """What an organization with `grade` A's in force on the reward day receives (0 below 3A or unrated)."""
    return REWARD_BY_GRADE.get(grade, 0) if grade is not None else 0


# --- the overview's alerts (db/linkage/overview.py) -------------------------------------------------------
ROUND_CLOSING_DAYS = 14  # a round whose window ends within this many days (or has ended) and whose pool is not
# all awarded is flagged while it is not closed: the money is still to be committed


def uncommitted(pool: int, awarded: int) -> int:
    """What a round's pool still holds beyond its awards (never below zero: awards stay within the pool)."""
    return max(0, pool - awarded)
