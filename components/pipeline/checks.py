"""A project's compliance checks as a table, for the compliance list and the project detail."""

from __future__ import annotations

import pandas as pd

from components import formatting, tables
from components.i18n import t
from components.pipeline import labels as pipeline_labels
from db.pipeline.compliance import CheckResult

# Marks from GB2312 that every Chinese font carries: the emoji (✅ ❌ ⚠️) showed as empty boxes on a
# machine without an emoji font, and a table cell cannot hold a Material icon.
STATUS_ICON = {"pass": "√", "fail": "×", "exception": "△", "na": "—"}


def checks_table(results: list[CheckResult], lg: str) -> pd.DataFrame:
    frame = pd.DataFrame([{
        "check_label": t(f"pipe.check.{r.check}"),
        "status_label": f"{STATUS_ICON[r.status]} {t(f'pipe.check.status.{r.status}')}",
        "reason_text": reason_text(r.check, r.reason, r.params, lg),
    } for r in results])
    return tables.labelled(frame, {"check_label": "pipe.check.col.check", "status_label": "pipe.check.col.status",
                                   "reason_text": "pipe.check.col.reason"})


def reason_text(check: str, reason: str, params: dict, lg: str) -> str:
    """The outcome of one check as a sentence quoting its figures (money in 万元, shares in percent)."""
    values = {
        "days": params.get("days"), "limit": params.get("limit"),
        "due": formatting.day(params.get("due"), lg), "name": params.get("name") or "—",
        "grade": pipeline_labels.grade(params.get("grade")), "min_grade": pipeline_labels.grade(params.get("min_grade")),
        "valid_until": formatting.day(params.get("valid_until"), lg),
        "share": formatting.percent(params.get("share"), lg), "cap": formatting.percent(params.get("cap"), lg, 0),
        "amount": formatting.wan_yuan(params.get("amount"), lg),
        "disbursed": formatting.wan_yuan(params.get("disbursed"), lg),
        "contract": formatting.wan_yuan(params.get("contract"), lg),
        "service": params.get("service") or "—", "exception": params.get("exception") or "—",
    }
    return t(f"pipe.check.{check}.{reason}", **values)
