"""The overview's pure rules: which alerts there are and when one shows, how many weakest grids and
contractors are listed, which grids are red."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

WEAKEST_GRIDS = 10
# A grid counts among the weakest only with enough problems reported in the month for its rate to mean something.
WEAKEST_MIN_REPORTED = 5
ALERT_KINDS = ("stage_overdue", "contractor_rating", "failed_evaluation", "rectification_overdue",
               "red_grids", "vote_anomalies", "proposals_waiting", "adopted_not_started", "round_closing",
               "fund_quiet")


@dataclass(frozen=True)
class Alert:
    kind: str  # one of ALERT_KINDS
    count: int
    params: dict = field(default_factory=dict)  # what the link needs: a campaign id, a month


def alerts(counts: dict[str, int], *, red: int, red_month: str, vote_flags: int,
           campaign_id: int | None, round_id: int | None = None) -> list[Alert]:
    """What needs attention now in the scope, whatever the year: only kinds with something to show."""
    found = [Alert(kind, counts[kind]) for kind in ("stage_overdue", "contractor_rating", "failed_evaluation",
                                                    "rectification_overdue")]
    found += [Alert("red_grids", red, {"month": red_month}),
              Alert("vote_anomalies", vote_flags, {"campaign": campaign_id})]
    # 社区营造: proposals waiting for triage past COMMUNITY_ANSWER_DAYS, adopted ones not started
    found += [Alert(kind, counts.get(kind, 0)) for kind in ("proposals_waiting", "adopted_not_started")]
    # 五社联动/微创投: a round closing with pool not yet awarded (linking to it), funds with no donation this year
    found += [Alert("round_closing", counts.get("round_closing", 0), {"round": round_id}),
              Alert("fund_quiet", counts.get("fund_quiet", 0))]
    return [alert for alert in found if alert.count > 0]


WORST_CONTRACTORS = 8


def red_grids(rates: pd.DataFrame, amber_from: float) -> pd.DataFrame:
    """Grids whose resolution rate is below the amber line (red on the dashboard)."""
    return rates[rates["rate"].notna() & (rates["rate"] < amber_from)]
