"""微创投 (staff): the rounds of the user's district with their pool and results, one round (?round=<id>) with its
figures in 万元, rules, applications (with the review's result), sources, payments and activities, each with its
Excel/CSV download, and the forms each role may use (microgrant_forms)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.funds import data, microgrant_forms
from components.i18n import lang, t
from components.safe_text import md_escape
from components.writes import show_flash
from db.access import Actor

FLASH = "mg_flash"
ROUND_HEADINGS = {"name": "mg.col.name", "unit": "mg.col.unit", "state_label": "mg.col.state",
                  "window": "mg.col.window", "pool_wan": "mg.col.pool_wan", "balance_wan": "mg.col.balance_wan",
                  "applications": "mg.col.applications", "funded": "mg.col.funded", "activities": "mg.col.activities"}
APP_HEADINGS = {"code": "mg.col.code", "org": "mg.col.org", "title": "mg.col.title", "theme_label": "mg.col.theme",
                "place": "mg.col.place", "budget": "mg.col.budget", "requested": "mg.col.requested",
                "status_label": "mg.col.status", "review": "mg.col.review", "awarded": "mg.col.awarded",
                "disbursed": "mg.col.disbursed", "agreement_no": "mg.col.agreement", "reason": "mg.col.reason",
                "activities": "mg.col.activities", "people_served": "mg.col.people_served",
                "problems_solved": "mg.col.problems_solved"}
SOURCE_HEADINGS = {"kind_label": "mg.col.kind", "fund_name": "mg.col.fund", "amount": "mg.col.amount",
                   "day": "mg.col.day"}
PAID_HEADINGS = {"code": "mg.col.code", "title": "mg.col.title", "amount": "mg.col.amount", "day": "mg.col.day"}
ACTIVITY_HEADINGS = {"code": "mg.col.code", "title": "mg.col.title", "day": "mg.col.day", "place": "mg.col.place",
                     "participants": "mg.col.participants", "people_served": "mg.col.people_served",
                     "problems_solved": "mg.col.problems_solved", "problems_text": "mg.col.problems"}


def render(actor: Actor) -> None:
    st.title(t("mg.page.microgrants"))
    st.caption(t("mg.caption"))
    show_flash(FLASH)
    url = store.url()
    rounds = data.rounds(url, actor)
    if actor.may("microgrants.manage"):
        microgrant_forms.new_round(actor, FLASH)
    if rounds.empty:
        st.info(t("mg.no_rounds"))
        return
    _round_list(rounds)
    choices = {int(i): name for i, name in zip(rounds["id"], rounds["name"])}
    wanted = url_state.read("round", choices, int(rounds["id"].iloc[0]))
    st.session_state["mg_round"] = wanted
    st.selectbox(t("mg.pick"), list(choices), format_func=choices.get, key="mg_round",
                 on_change=url_state.from_widget, args=("mg_round", "round"), placeholder=t("common.choose"))
    _round(actor, rounds[rounds["id"] == wanted].iloc[0].to_dict())


def _round_list(rounds: pd.DataFrame) -> None:
    st.subheader(t("mg.rounds"), anchor=False)
    lg = lang()
    shown = rounds.assign(state_label=[t(f"mg.state.{s}") for s in rounds["state"]],
                          window=[f"{formatting.day(a, lg)} – {formatting.day(b, lg)}"
                                  for a, b in zip(rounds["opens_on"], rounds["closes_on"])],
                          pool_wan=(rounds["pool"] / 10_000).round(2),
                          balance_wan=(rounds["pool_balance"] / 10_000).round(2))
    table = tables.labelled(shown, ROUND_HEADINGS)
    st.dataframe(table, hide_index=True, width="stretch", key="mg_rounds")
    tables.downloads(table, name=t("mg.page.microgrants"), key="mg_rounds_dl")


def _round(actor: Actor, row: dict) -> None:
    url, lg = store.url(), lang()
    round_id = int(row["id"])
    with st.container(border=True):
        state = t("mg.state." + row["state"])
        st.markdown(f"**{md_escape(row['name'])}** · {state}")
        kinds = "、".join(t(f"pipe.kind.{k}") for k in row["org_kinds"].split(",") if k)
        regs = "、".join(t(f"pipe.registration.{r}") for r in row["registrations"].split(",") if r)
        grade = t("mg.rules_grade", grade=int(row["min_grade"])) if pd.notna(row["min_grade"]) else ""
        st.caption(md_escape(t("mg.rules_line", opens=formatting.day(row["opens_on"], lg),
                                closes=formatting.day(row["closes_on"], lg), cap=formatting.number(row["cap"], lg),
                                pct=int(row["cofund_pct"]), kinds=kinds, regs=regs, grade=grade)))
        first = (("mg.metric.pool", formatting.headline_money(row["pool"], lg)),
                 ("mg.metric.pool_balance", formatting.headline_money(row["pool_balance"], lg)),
                 ("mg.metric.awarded", formatting.headline_money(row["awarded"], lg)),
                 ("mg.metric.disbursed", formatting.headline_money(row["disbursed"], lg)))
        second = (("mg.metric.applications", f"{formatting.number(row['applications'], lg)} / "
                                             f"{formatting.number(row['funded'], lg)}"),
                  ("mg.metric.activities", formatting.number(row["activities"], lg)),
                  ("mg.metric.people_served", formatting.number(row["people_served"], lg)),
                  ("mg.metric.problems_solved", formatting.number(row["problems_solved"], lg)))
        for items in (first, second):
            for column, (key, value) in zip(st.columns(4), items):
                column.metric(t(key), value)
        if pd.notna(row["closed_on"]):
            st.caption(t("mg.closing", day=formatting.day(row["closed_on"], lg)))
            st.text(row.get("closing_report") or "")
    apps = data.applications(url, actor, round_id)
    tabs = st.tabs([t("mg.tab.applications"), t("mg.tab.sources"), t("mg.tab.disbursements"),
                    t("mg.tab.activities"), t("mg.tab.actions")])
    with tabs[0]:
        _table(_applications(apps), APP_HEADINGS, "mg_apps", t("mg.tab.applications") + " · " + row["name"])
    with tabs[1]:
        sources = data.round_sources(url, actor, round_id)
        shown = sources.assign(kind_label=[t(f"mg.source.{k}") for k in sources["kind"]],
                               fund_name=sources["fund"].fillna("—"),
                               day=[formatting.day(d, lg) for d in sources["added_on"]])
        _table(shown, SOURCE_HEADINGS, "mg_sources", t("mg.tab.sources") + " · " + row["name"])
    with tabs[2]:
        paid = data.round_disbursements(url, actor, round_id)
        _table(paid.assign(day=[formatting.day(d, lg) for d in paid["paid_on"]]), PAID_HEADINGS, "mg_paid",
               t("mg.tab.disbursements") + " · " + row["name"])
    with tabs[3]:
        acts = data.round_activities(url, actor, round_id)
        _table(acts.assign(day=[formatting.day(d, lg) for d in acts["held_on"]],
                           problems_text=acts["problems"].fillna("")), ACTIVITY_HEADINGS, "mg_acts",
               t("mg.tab.activities") + " · " + row["name"])
    with tabs[4]:
        microgrant_forms.render(actor, row, apps, FLASH)


def _applications(apps: pd.DataFrame) -> pd.DataFrame:
    lg = lang()
    review = []
    for status, n, result in zip(apps["review_status"], apps["scorecards"], apps["result"]):
        if status == "completed" and pd.notna(result):
            review.append(t("mg.review.result", result=formatting.number(result, lg, 1), n=int(n)))
        elif isinstance(status, str):
            review.append(t("mg.review.open", n=int(n) if pd.notna(n) else 0))
        else:
            review.append("")
    return apps.assign(theme_label=[t(f"mg.theme.{x}") for x in apps["theme"]],
                       status_label=[t(f"mg.status.{x}") for x in apps["status"]],
                       place=[u if level == "street" else f"{s} · {u}"
                              for s, u, level in zip(apps["street"], apps["unit"], apps["level"])],
                       review=review, reason=apps["decision_reason"].fillna(""),
                       agreement_no=apps["agreement_no"].fillna(""))


def _table(frame: pd.DataFrame, headings: dict[str, str], key: str, name: str) -> None:
    if frame.empty:
        st.info(t("mg.none"))
        return
    table = tables.labelled(frame, headings)
    st.dataframe(table, hide_index=True, width="stretch", key=key)
    tables.downloads(table, name=name, key=f"{key}_dl")
