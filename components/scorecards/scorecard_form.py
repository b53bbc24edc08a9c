"""The evaluator's scorecard: indicators grouped 决策/过程/产出/效益 with their maximum and guidance, the
running total and provisional grade while filling, save as draft, submit. The db layer checks every value
again and names the indicator of each problem; the hints here only spare a round trip."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store
from components.i18n import error_text, escaped, lang, t
from components.safe_text import md_escape
from components.writes import attempt
from db.access import Actor
from db.errors import DomainError
from db.scorecards import entry as scorecard_entry
from db.scorecards import rules
from db.scorecards.entry import ScorecardPublic
from db.scorecards.rules import ScoreInvalid
from db.scorecards.templates import IndicatorPublic, TemplatePublic

FLASH_KEY = "eval_form_flash"


def widget_key(assignment_id: int, code: str, part: str) -> str:
    """Stable widget keys: part "p" is the points input, "c" the comment."""
    return f"sc_{assignment_id}_{code}_{part}"


def indicator_label(indicator: IndicatorPublic, lg: str) -> str:
    return f"{indicator.code} {indicator.name if lg == 'zh' else indicator.name_en}"


def score_messages(err: DomainError, template: TemplatePublic, lg: str) -> list[str]:
    """Each problem of a refused scorecard in the user's language, naming its indicator in that language."""
    if not isinstance(err, ScoreInvalid):
        return [error_text(err, "eval.field.")]
    labels = {i.id: indicator_label(i, lg) for i in template.indicators}
    return [t(code, field=t(f"eval.field.{field}"), **escaped({**params, "indicator": labels.get(
                params.get("indicator_id"), params.get("indicator"))})) for field, code, params in err.problems]


def _read_only(card: ScorecardPublic, lg: str) -> None:
    rows = [{"group": t(f"eval.group.{i.group}"), "indicator": indicator_label(i, lg), "max": i.max_points,
             "points": card.scores.get(i.id, (None, None))[0], "comment": card.scores.get(i.id, (None, None))[1] or ""}
            for i in card.template.indicators]
    frame = pd.DataFrame(rows).rename(columns={
        "group": t("eval.col.group"), "indicator": t("eval.col.indicator"), "max": t("eval.col.max_points"),
        "points": t("eval.col.points"), "comment": t("eval.col.comment")})
    st.dataframe(frame, hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.metric(t("eval.form.total"), formatting.number(card.total, lg, 1))
    grade = rules.grade_for(card.total)
    right.metric(t("eval.form.grade"), t(f"eval.grade.{grade}") if grade else "—")


def render(actor: Actor, card: ScorecardPublic) -> None:
    """The form for an assignment whose declaration is made and which is not recused."""
    lg = lang()
    if card.status == "submitted":
        st.info(t("eval.form.submitted_locked", when=formatting.moment(card.submitted_at, lg)))
        _read_only(card, lg)
        return
    if card.reopened_reason:
        st.warning(t("eval.form.reopened", reason=md_escape(card.reopened_reason)))
    head = st.container()
    values, total, problems = {}, 0.0, 0
    for group in rules.GROUPS:
        items = [i for i in card.template.indicators if i.group == group]
        if not items:
            continue
        st.subheader(t("eval.form.group_heading", group=t(f"eval.group.{group}"),
                       points=sum(i.max_points for i in items)), anchor=False)
        for indicator in items:
            points, comment, bad = _indicator_row(card.assignment_id, indicator, card.scores.get(indicator.id), lg)
            values[indicator.id] = {"points": points, "comment": comment}
            if points is not None and not bad:
                total += points
            problems += bad
    filled = sum(1 for v in values.values() if v["points"] is not None)
    with head:
        columns = st.columns(3)
        columns[0].metric(t("eval.form.total"), formatting.number(total, lg, 1))
        columns[1].metric(t("eval.form.provisional_grade"), t(f"eval.grade.{rules.grade_for(total)}"))
        columns[2].metric(t("eval.form.filled"), f"{filled} / {len(values)}")
        st.caption(t("eval.form.rules", share=formatting.percent(rules.COMMENT_BELOW_SHARE, lg, 0)))
    _actions(actor, card, values, lg)


def _indicator_row(assignment_id: int, indicator: IndicatorPublic, saved: tuple | None, lg: str
                   ) -> tuple[float | None, str, int]:
    """One indicator's row; the saved draft is the widgets' starting value (keyed widgets keep their
    identity when it changes, so what the evaluator typed is never reset)."""
    saved_points, saved_comment = saved or (None, None)
    name_col, points_col, comment_col = st.columns([4, 1.3, 3.5])
    guidance = (indicator.guidance if lg == "zh" else indicator.guidance_en) or indicator.guidance
    name_col.markdown(f"**{md_escape(indicator_label(indicator, lg))}** · "
                      f"{t('eval.form.max', max=indicator.max_points)}")
    if guidance:
        name_col.caption(md_escape(guidance))
    points = points_col.number_input(
        t("eval.form.points", max=indicator.max_points), key=widget_key(assignment_id, indicator.code, "p"),
        value=None if saved_points is None else float(saved_points), step=0.5, format="%.1f",
        placeholder=f"0–{indicator.max_points}")
    threshold = rules.COMMENT_BELOW_SHARE * indicator.max_points
    comment = comment_col.text_input(
        t("eval.form.comment"), value=saved_comment or "", key=widget_key(assignment_id, indicator.code, "c"),
        max_chars=500,
        placeholder=t("eval.form.comment_hint", threshold=f"{threshold:g}"))
    bad = 0
    if points is not None and not 0 <= points <= indicator.max_points:
        points_col.error(t("eval.rule.out_of_range", indicator=indicator_label(indicator, lg),
                           max=indicator.max_points))
        bad = 1
    elif points is not None and rules.needs_comment(points, indicator.max_points) and not (comment or "").strip():
        comment_col.warning(t("eval.form.comment_needed", threshold=f"{threshold:g}"))
    return points, comment, bad


def _actions(actor: Actor, card: ScorecardPublic, values: dict, lg: str) -> None:
    st.divider()
    confirm = st.checkbox(t("eval.form.confirm"), key=f"sc_{card.assignment_id}_confirm")
    left, right = st.columns(2)
    save = left.button(t("eval.form.save_draft"), key="sc_save", icon=":material/save:", width="stretch")
    submit = right.button(t("eval.form.submit"), key="sc_submit", type="primary", icon=":material/send:",
                          width="stretch", disabled=not confirm)
    if not (save or submit):
        return
    attempt(lambda: scorecard_entry.save_scores(store.engine(), actor=actor, assignment_id=card.assignment_id,
                                                scores=values, submit=submit),
            area="scorecards", flash_key=FLASH_KEY, explain=lambda err: score_messages(err, card.template, lg),
            done=lambda status: t("eval.form.submitted" if status == "submitted" else "eval.form.saved"))
