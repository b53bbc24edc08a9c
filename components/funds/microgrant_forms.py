"""微创投 forms, each through writes.attempt (a refusal names the field and the rule; nothing is half-written), shown
by role: admins open rounds, fill the pool, put applications up for review, decide, sign, pay and close the round;
street staff (and admins) enter applications and closing reports; community staff (and the others) report
activities of their scope's funded projects."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store
from components.funds import data
from components.i18n import lang, t
from components.scorecards import data as scorecard_data
from components.writes import attempt
from db import clock
from db.access import Actor
from db.funds import reviews, rounds, rules
from db.pipeline.rules import ORG_KINDS
from db.scorecards import evaluations as scorecard_evaluations
from db.validation import DATE_MIN

FIELD_PREFIX = "mg.field."


def _write(write, flash: str, pool: bool = False) -> None:
    done = (lambda r: t("mg.done.pool", balance=formatting.number(r.pool_balance, lang()))) if pool else t("mg.done")
    attempt(write, area="funds", flash_key=flash, field_prefix=FIELD_PREFIX, done=done)


def _day(label: str, key: str):
    return st.date_input(t(label), value=clock.today(), min_value=DATE_MIN, key=key)


def _money(label: str, key: str):
    return st.number_input(t(label), min_value=0, step=1_000, value=None, format="%d", key=key)


def new_round(actor: Actor, flash: str) -> None:
    with st.expander(t("mg.form.round")):
        units = data.round_units(store.url(), actor)
        options = {int(i): name for i, name in zip(units["id"], units["name"])}
        unit = st.selectbox(t("mg.field.unit_id"), list(options), format_func=options.get, key="mg_new_unit",
                            placeholder=t("common.choose"))
        name = st.text_input(t("mg.field.name"), key="mg_new_name", max_chars=rules.ROUND_NAME_LENGTH[1])
        left, right = st.columns(2)
        opens = left.date_input(t("mg.field.opens_on"), value=clock.today(), min_value=DATE_MIN, key="mg_new_opens")
        closes = right.date_input(t("mg.field.closes_on"), value=clock.today(), min_value=DATE_MIN,
                                  key="mg_new_closes")
        cap = left.number_input(t("mg.field.cap"), min_value=0, step=1_000, value=20_000, format="%d",
                                key="mg_new_cap")
        pct = right.number_input(t("mg.field.cofund_pct"), min_value=0, max_value=90, value=20, key="mg_new_pct")
        regs = {r: t(f"pipe.registration.{r}") for r in rules.REGISTRATIONS}
        kinds = {k: t(f"pipe.kind.{k}") for k in ORG_KINDS}
        grades = {0: t("mg.field.no_grade"), **{g: f"{g}A+" for g in range(1, 6)}}
        chosen_regs = st.multiselect(t("mg.field.registrations"), list(regs), default=list(regs),
                                     format_func=regs.get, key="mg_new_regs", placeholder=t("common.choose_many"))
        chosen_kinds = st.multiselect(t("mg.field.org_kinds"), list(kinds), default=["community"],
                                      format_func=kinds.get, key="mg_new_kinds", placeholder=t("common.choose_many"))
        grade = st.selectbox(t("mg.field.min_grade"), list(grades), format_func=grades.get, key="mg_new_grade",
                             placeholder=t("common.choose"))
        if st.button(t("mg.form.submit"), key="mg_new_submit", type="primary"):
            values = {"name": name, "unit_id": unit, "opens_on": opens, "closes_on": closes, "cap": cap,
                      "cofund_pct": pct, "registrations": chosen_regs, "org_kinds": chosen_kinds,
                      "min_grade": grade or None}
            _write(lambda: rounds.create_round(store.engine(), actor=actor, data=values), flash)


def render(actor: Actor, row: dict, apps: pd.DataFrame, flash: str) -> None:
    """The forms for the round picked on the page, and for one of its applications picked here."""
    engine, round_id = store.engine(), int(row["id"])
    if actor.may("microgrants.manage") and row["state"] != "closed":
        with st.expander(t("mg.form.source")):
            funds = data.source_funds(store.url(), actor, round_id)
            kinds = {k: t(f"mg.source.{k}") for k in rules.SOURCE_KINDS}
            kind = st.radio(t("mg.field.kind"), list(kinds), format_func=kinds.get, key="mg_src_kind",
                            horizontal=True)
            options = {int(i): f"{name}（{formatting.number(int(b), lang())} 元）"
                       for i, name, b in zip(funds["id"], funds["name"], funds["balance"])}
            fund = st.selectbox(t("mg.field.fund_id"), list(options), format_func=options.get, index=None,
                                key="mg_src_fund", placeholder=t("mg.pick_hint"), disabled=kind != "fund")
            amount = _money("mg.field.amount", "mg_src_amount")
            day = _day("mg.field.added_on", "mg_src_day")
            if st.button(t("mg.form.submit"), key="mg_src_submit", type="primary"):
                values = {"kind": kind, "fund_id": fund if kind == "fund" else None, "amount": amount,
                          "added_on": day}
                _write(lambda: rounds.add_source(engine, actor=actor, round_id=round_id, data=values), flash, True)
    if actor.may("microgrants.apply") and row["state"] in ("open", "reviewing"):
        _apply(actor, round_id, flash)
    if apps.empty:
        return
    choices = {int(i): f"{code} · {title}" for i, code, title in zip(apps["id"], apps["code"], apps["title"])}
    picked = st.selectbox(t("mg.pick_app"), list(choices), format_func=choices.get, index=None, key="mg_app",
                          placeholder=t("mg.pick_hint"))
    if picked is not None:
        _application_forms(actor, apps[apps["id"] == picked].iloc[0], flash)
    if actor.may("microgrants.manage") and row["state"] == "reviewing":
        with st.expander(t("mg.form.close_round")):
            report = st.text_area(t("mg.field.closing_report"), key="mg_round_report", max_chars=2000)
            if st.button(t("mg.form.submit"), key="mg_round_close", type="primary"):
                _write(lambda: rounds.close_round(engine, actor=actor, round_id=round_id,
                                                  data={"closing_report": report}), flash)


def _apply(actor: Actor, round_id: int, flash: str) -> None:
    engine = store.engine()
    with st.expander(t("mg.form.apply")):
        orgs, units = data.application_choices(store.url(), actor, round_id)
        if orgs.empty:
            st.info(t("mg.form.no_orgs"))
            return
        org_options = {int(i): name for i, name in zip(orgs["id"], orgs["name"])}
        unit_options = {int(i): name if level == "street" else f"{street} · {name}"
                        for i, name, level, street in units.itertuples(index=False)}
        themes = {x: t(f"mg.theme.{x}") for x in rules.THEMES}
        org = st.selectbox(t("mg.field.org_id"), list(org_options), format_func=org_options.get, index=None,
                           key="mg_app_org", placeholder=t("mg.pick_hint"))
        title = st.text_input(t("mg.field.title"), key="mg_app_title", max_chars=rules.TITLE_LENGTH[1])
        theme = st.selectbox(t("mg.field.theme"), list(themes), format_func=themes.get, key="mg_app_theme",
                             placeholder=t("common.choose"))
        unit = st.selectbox(t("mg.field.unit_id"), list(unit_options), format_func=unit_options.get, index=None,
                            key="mg_app_unit", placeholder=t("mg.pick_hint"))
        budget = _money("mg.field.budget", "mg_app_budget")
        requested = _money("mg.field.requested", "mg_app_requested")
        day = _day("mg.field.submitted_on", "mg_app_day")
        if st.button(t("mg.form.submit"), key="mg_app_submit", type="primary"):
            values = {"org_id": org, "title": title, "theme": theme, "unit_id": unit, "budget": budget,
                      "requested": requested, "submitted_on": day}
            _write(lambda: rounds.submit_application(engine, actor=actor, round_id=round_id, data=values), flash)


def _application_forms(actor: Actor, app, flash: str) -> None:
    engine, app_id, status = store.engine(), int(app["id"]), app["status"]
    if status == rules.SUBMITTED and actor.may("microgrants.manage") and actor.may("scorecards.manage"):
        st.caption(t("mg.form.review_help"))
        templates = scorecard_data.templates(store.url(), actor)
        templates = templates[templates["latest"]]
        options = {int(i): name for i, name in zip(templates["id"], templates["name"])}
        people = scorecard_evaluations.evaluators(engine, actor=actor)  # as 评估任务 reads them: uncached
        names = {int(i): name for i, name in zip(people["id"], people["display_name"])}
        template = st.selectbox(t("mg.field.template_id"), list(options), format_func=options.get,
                                key="mg_rev_template", placeholder=t("common.choose"))
        agency = st.text_input(t("mg.field.agency"), key="mg_rev_agency", max_chars=80)
        due = _day("mg.field.due_on", "mg_rev_due")
        chosen = st.multiselect(t("mg.field.evaluator_ids"), list(names), format_func=names.get, key="mg_rev_people",
                                placeholder=t("common.choose_many"))
        reason = st.text_input(t("mg.field.assign_reason"), key="mg_rev_reason", max_chars=200)
        if st.button(t("mg.form.review"), key="mg_rev_submit", type="primary"):
            values = {"template_id": template, "agency": agency, "due_on": due, "evaluator_ids": chosen,
                      "assign_reason": reason}
            _write(lambda: reviews.start_review(engine, actor=actor, application_id=app_id, data=values), flash)
    if status == rules.REVIEW and actor.may("microgrants.manage"):
        decisions = {d: t(f"mg.decision.{d}") for d in rules.DECISIONS}
        decision = st.radio(t("mg.field.decision"), list(decisions), format_func=decisions.get, key="mg_dec",
                            horizontal=True)
        awarded = _money("mg.field.awarded", "mg_dec_awarded")
        reason = st.text_input(t("mg.field.reason"), key="mg_dec_reason", max_chars=200)
        if st.button(t("mg.form.decide"), key="mg_dec_submit", type="primary"):
            values = {"decision": decision, "awarded": awarded, "reason": reason}
            _write(lambda: rounds.decide(engine, actor=actor, application_id=app_id, data=values), flash)
    if status == rules.FUNDED and actor.may("microgrants.manage"):
        if not isinstance(app["agreement_no"], str) or not app["agreement_no"]:
            number = st.text_input(t("mg.field.agreement_no"), key="mg_agr_no", max_chars=40)
            day = _day("mg.field.agreement_on", "mg_agr_day")
            if st.button(t("mg.form.agreement"), key="mg_agr_submit", type="primary"):
                values = {"agreement_no": number, "agreement_on": day}
                _write(lambda: rounds.sign_agreement(engine, actor=actor, application_id=app_id, data=values), flash)
        else:
            amount = _money("mg.field.amount", "mg_pay_amount")
            day = _day("mg.field.paid_on", "mg_pay_day")
            if st.button(t("mg.form.disburse"), key="mg_pay_submit", type="primary"):
                values = {"amount": amount, "paid_on": day}
                _write(lambda: rounds.disburse(engine, actor=actor, application_id=app_id, data=values), flash, True)
    if status == rules.FUNDED and actor.may("microgrants.report"):
        with st.expander(t("mg.form.activity")):
            day = _day("mg.field.held_on", "mg_act_day")
            place = st.text_input(t("mg.field.place"), key="mg_act_place", max_chars=rules.PLACE_LENGTH[1])
            left, middle, right = st.columns(3)
            counts = {field: column.number_input(t(f"mg.field.{field}"), min_value=0, max_value=rules.MAX_COUNT,
                                                 value=0, key=f"mg_act_{field}")
                      for column, field in zip((left, middle, right),
                                               ("participants", "people_served", "problems_solved"))}
            problems = st.text_input(t("mg.field.problems"), key="mg_act_problems", max_chars=300)
            if st.button(t("mg.form.activity"), key="mg_act_submit", type="primary"):
                values = {"held_on": day, "place": place, **counts, "problems": problems}
                _write(lambda: rounds.report_activity(engine, actor=actor, application_id=app_id, data=values), flash)
    if status == rules.FUNDED and actor.may("microgrants.apply"):
        with st.expander(t("mg.form.close_project")):
            report = st.text_area(t("mg.field.closing_report"), key="mg_close_report", max_chars=2000)
            if st.button(t("mg.form.submit"), key="mg_close_submit", type="primary"):
                _write(lambda: rounds.close_project(engine, actor=actor, application_id=app_id,
                                                    data={"closing_report": report}), flash)
