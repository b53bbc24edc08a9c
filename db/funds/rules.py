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
