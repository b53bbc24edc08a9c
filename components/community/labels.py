"""Labels of the area's coded values in the user's language, and the one-line texts every list shows (a
decision with its votes, a project with its stage and money). Pure functions of (value(s), lang), so tables,
exports and tests use them outside a script run. Plain text: callers escape before markdown."""

from __future__ import annotations

from datetime import date

from components import formatting
from components.pipeline import labels as pipeline_labels
from components.texts import translate


def _missing(value) -> bool:
    """None, or pandas' NaN/NaT for a missing value in a column."""
    return value is None or value != value


def theme(value: str, lang: str) -> str:
    return translate(f"cm.theme.{value}", lang)


def state(value: str, lang: str) -> str:
    return translate(f"cm.state.{value}", lang)


def funding(value, lang: str) -> str:
    return "—" if _missing(value) else translate(f"cm.funding.{value}", lang)


def project_stage(value, lang: str) -> str:
    return "—" if _missing(value) else translate(f"cm.stage.{value}", lang)


def participant(kind: str, lang: str) -> str:
    return translate(f"cm.participant.{kind}", lang)


def _count(value) -> int:
    return 0 if _missing(value) else int(value)


def decision(held_on, outcome, votes_for, against, abstain, lang: str) -> str:
    """“2026年9月19日 议事会：采纳（赞成 10，反对 1，弃权 8）”; "" before any decision."""
    if _missing(outcome):
        return ""
    day = formatting.day(held_on if isinstance(held_on, date) else None, lang)
    votes = (translate("cm.votes", lang, votes_for=_count(votes_for), against=_count(against),
                       abstain=_count(abstain))
             if _count(votes_for) + _count(against) + _count(abstain) else "")
    return translate("cm.decision_line", lang, day=day, outcome=translate(f"cm.outcome.{outcome}", lang),
                     votes=votes)


def project(route, funding_source, amount, pipeline_stage, community_stage, project_code, lang: str) -> str:
    """“居民自治项目 · 实施中 · 社区保障资金 2.1 万元”; "" before the proposal is funded."""
    if _missing(route):
        return ""
    money = f"{funding(funding_source, lang)} {formatting.wan_yuan(None if _missing(amount) else int(amount), lang)}"
    if route == "pipeline":
        stage = pipeline_labels.stage(pipeline_stage, lang)
        kind = translate("cm.route.pipeline_line", lang, code="" if _missing(project_code) else project_code)
    else:
        stage, kind = project_stage(community_stage, lang), translate("cm.route.community", lang)
    return " · ".join((kind, stage, money))


def rating_line(summary, proposal_id: int, lang: str) -> str:
    """“居民评价 4.3 分（12 人评价）” from a frame of rating summaries (db.community.ratings), or "" before any."""
    found = summary[summary["proposal_id"] == proposal_id]
    if found.empty:
        return ""
    return translate("cm.rate.line", lang, mean=formatting.number(float(found["rating_mean"].iloc[0]), lang, 1),
                     n=formatting.number(int(found["ratings"].iloc[0]), lang))
