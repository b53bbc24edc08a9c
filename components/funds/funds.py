"""社区基金 (staff): the funds of the user's scope with their sums in 万元 (filters in the URL: ?street=&q=), raised
against granted by month, donors by kind, the list with its Excel/CSV download; one fund (?fund=<id>) with its
ledger and the forms that add to it (donation, grant, reversal); for admins, founding and editing funds."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import charts, empty_states, formatting, store, tables, url_state
from components.funds import data, forms, labels, manage
from components.i18n import lang, t
from components.safe_text import md_escape
from components.writes import show_flash
from db import clock
from db.access import Actor
from db.errors import NotFound
from db.funds import reads, rules

FLASH = "fund_flash"
SHOWN = 200  # funds drawn in the list (a city has 850); the downloads hold them all
ALL = ""
LIST_HEADINGS = {"name": "fund.col.name", "place": "fund.col.unit", "founded": "fund.col.founded_on",
                 "custodian": "fund.col.custodian", "managers": "fund.col.managers", "raised": "fund.col.raised",
                 "granted": "fund.col.granted", "balance": "fund.col.balance", "entries": "fund.col.entries",
                 "last_entry": "fund.col.last_entry_on"}
LEDGER_HEADINGS = {"id": "fund.col.id", "day": "fund.col.entry_on", "kind_label": "fund.col.kind",
                   "direction": "fund.col.direction", "size": "fund.col.amount", "counterpart": "fund.col.counterpart",
                   "note_text": "fund.col.note", "recorded_by": "fund.col.recorded_by"}


def render(actor: Actor) -> None:
    st.title(t("fund.page.funds"))
    st.caption(t("fund.caption"))
    show_flash(FLASH)
    url = store.url()
    everything = data.funds(url, actor, None, None)
    if everything.empty:
        st.info(t("fund.no_funds"))
    else:
        street_id, search = _filters(everything)
        _figures(data.summary(url, actor, None, street_id), data.by_month(url, actor, None, street_id))
        _list(_quiet_only(data.funds(url, actor, street_id, search)))
        _detail(actor, everything)
    if actor.may("funds.manage"):
        manage.render(actor, FLASH)


def _filters(everything: pd.DataFrame) -> tuple[int | None, str | None]:
    streets = {ALL: t("common.all"), **{str(int(i)): name for i, name in
                                        zip(everything["street_id"], everything["street"])}}
    left, right = st.columns(2)
    street = None
    if len(streets) > 2:  # one street in scope: nothing to pick
        st.session_state["fund_f_street"] = url_state.read("street", streets, ALL)
        left.selectbox(t("fund.filter.street"), list(streets), format_func=streets.get, key="fund_f_street",
                       on_change=url_state.from_widget, args=("fund_f_street", "street"),
                       placeholder=t("common.choose"))
        street = st.session_state["fund_f_street"] or None
    st.session_state["fund_f_q"] = url_state.get("q") or ""
    right.text_input(t("fund.filter.search"), key="fund_f_q", max_chars=30, on_change=url_state.from_widget,
                     args=("fund_f_q", "q"))
    return (int(street) if street else None), (st.session_state["fund_f_q"].strip() or None)


def _figures(summary: reads.FundSummary, months: pd.DataFrame) -> None:
    lg = lang()
    items = [("fund.metric.funds", formatting.number(summary.funds, lg)),
             ("fund.metric.raised", formatting.headline_money(summary.raised, lg)),
             ("fund.metric.granted", formatting.headline_money(summary.granted, lg)),
             ("fund.metric.balance", formatting.headline_money(summary.balance, lg))]
    for column, (key, value) in zip(st.columns(4), items):
        column.metric(t(key), value)
    chart_col, donor_col = st.columns([3, 2])
    if not months.empty:
        wan = months.assign(raised=months["raised"] / 10_000, granted=months["granted"] / 10_000)
        empty_states.chart(where=chart_col, chart=charts.monthly_lines(
            wan, month="month", series={"raised": t("fund.chart.raised"), "granted": t("fund.chart.granted")},
            title=t("fund.chart.title"), month_title=t("fund.chart.month"), value_title=t("fund.chart.wan")),
            width="stretch")
    donor_col.caption(t("fund.by_donor"))
    donors = pd.DataFrame({
        t("fund.col.donor_kind"): [t(f"fund.donor.{k}") for k in rules.DONOR_KINDS],
        t("fund.col.donations"): [summary.donors.get(k, 0) for k in rules.DONOR_KINDS],
        t("fund.col.amount_wan"): [round(summary.by_donor.get(k, 0) / 10_000, 2) for k in rules.DONOR_KINDS]})
    donor_col.dataframe(donors, hide_index=True, width="stretch")


def _quiet_only(rows: pd.DataFrame) -> pd.DataFrame:
    """?quiet=1 (the overview's alert): only the funds with no donation this year, said so above the list."""
    if url_state.get("quiet") != "1":
        return rows
    st.caption(t("fund.quiet_only"))
    first = clock.today().replace(month=1, day=1)
    last = pd.to_datetime(rows["last_donation_on"]).dt.date
    return rows[[d is None or pd.isna(d) or d < first for d in last]]


def _list(rows: pd.DataFrame) -> None:
    """The first SHOWN funds, labelled (days formatted) only for those; the downloads label every row."""
    if rows.empty:
        st.info(t("common.no_rows"))
        return
    tables.first_rows(rows, _labelled, shown=SHOWN, name=t("fund.page.funds"), key="fund", height=400)


def _labelled(rows: pd.DataFrame) -> pd.DataFrame:
    lg = lang()
    shown = rows.assign(place=[u if level == "street" else f"{s} · {u}"
                               for s, u, level in zip(rows["street"], rows["unit"], rows["level"])],
                        founded=[formatting.day(d, lg) for d in rows["founded_on"]],
                        last_entry=[formatting.day(d, lg) if pd.notna(d) else "—" for d in rows["last_entry_on"]])
    return tables.labelled(shown, LIST_HEADINGS)


@st.fragment  # picking a fund reruns its detail, not the figures and list above; a write reruns the page
def _detail(actor: Actor, everything: pd.DataFrame) -> None:
    st.subheader(t("fund.detail"), anchor=False)
    choices = {int(i): f"{name}（{unit}）" for i, name, unit in zip(everything["id"], everything["name"],
                                                                  everything["unit"])}
    wanted = url_state.read("fund", choices)
    st.session_state["fund_pick"] = wanted
    st.selectbox(t("fund.pick"), list(choices), format_func=choices.get, index=None, key="fund_pick",
                 placeholder=t("fund.pick_hint"), on_change=url_state.from_widget, args=("fund_pick", "fund"))
    if wanted is None:
        return
    url, lg = store.url(), lang()
    try:
        fund = reads.get_fund(store.engine(), actor=actor, fund_id=wanted)
    except NotFound:
        st.warning(t("fund.not_found"))
        return
    row = everything[everything["id"] == wanted].iloc[0]
    with st.container(border=True):
        st.markdown(f"**{md_escape(fund.name)}**")
        st.caption(md_escape(t("fund.detail_line", unit=row["unit"], founded=formatting.day(fund.founded_on, lg),
                                custodian=fund.custodian, managers=fund.managers or "—")))
        figures = data.summary(url, actor, wanted, None)
        for column, (key, value) in zip(st.columns(4), (
                ("fund.metric.raised", formatting.headline_money(figures.raised, lg)),
                ("fund.metric.granted", formatting.headline_money(figures.granted, lg)),
                ("fund.metric.balance", formatting.headline_money(figures.balance, lg)),
                ("fund.metric.donations", formatting.number(figures.donations, lg)))):
            column.metric(t(key), value)
    entries = data.ledger(url, actor, wanted)
    if entries.empty:
        st.info(t("fund.no_entries"))
    else:
        table = _ledger_table(entries)
        st.dataframe(table, hide_index=True, width="stretch", height=320, key="fund_ledger")
        tables.downloads(table, name=t("fund.ledger_name", name=fund.name), key="fund_ledger_dl")
    if actor.may("funds.write"):
        forms.render(actor, fund, entries, FLASH)


def _ledger_table(entries: pd.DataFrame) -> pd.DataFrame:
    lg = lang()
    kinds = labels.entry_kinds()
    effects = [rules.balance_change(side, int(amount)) for side, amount in zip(entries["side"], entries["amount"])]
    shown = entries.assign(
        day=[formatting.day(d, lg) for d in entries["entry_on"]],
        kind_label=[kinds[k] for k in entries["kind"]],
        # unsigned, with its direction: a reversal of a grant puts money back in (and a CSV cell never starts with "-")
        direction=[t("fund.dir.in") if e > 0 else t("fund.dir.out") for e in effects],
        size=[abs(e) for e in effects],
        counterpart=[labels.counterpart(r) for r in entries.itertuples()],
        note_text=[labels.note(r) for r in entries.itertuples()],
        recorded_by=entries["recorded_by"].fillna("—"))
    return tables.labelled(shown, LEDGER_HEADINGS)
