"""The 社区基金 area's coded values in the user's language, and a ledger row's words."""

from __future__ import annotations

import pandas as pd

from components.i18n import t
from db.funds import rules


def donor_kinds() -> dict[str, str]:
    return {kind: t(f"fund.donor.{kind}") for kind in rules.DONOR_KINDS}


def entry_kinds() -> dict[str, str]:
    return {kind: t(f"fund.kind.{kind}") for kind in rules.KINDS}


def counterpart(row) -> str:
    """Who gave, or what the money went to: the donor's kind and name (匿名 when none), the project, the use."""
    if row.side == rules.IN and isinstance(row.donor_kind, str):
        name = row.donor_name if isinstance(row.donor_name, str) else t("fund.anonymous")
        return f"{t(f'fund.donor.{row.donor_kind}')} · {name}"
    if isinstance(row.project, str):
        return t("fund.project", title=row.project)
    return row.purpose if isinstance(row.purpose, str) else ""


def note(row) -> str:
    if pd.notna(row.reverses_id):
        return t("fund.reverses", id=int(row.reverses_id), reason=row.reason or "")
    if pd.notna(row.reversed_by):
        return t("fund.reversed_by", id=int(row.reversed_by))
    return ""
