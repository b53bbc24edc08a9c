"""The forms that add to one fund's ledger — a donation, a grant, a reversal — each through writes.attempt, so a
refusal names the field and the rule and nothing is written."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store
from components.funds import data, labels
from components.i18n import lang, t
from components.writes import attempt
from db import clock
from db.access import Actor
from db.funds import ledger, rules
from db.funds.funds import FundPublic
from db.validation import DATE_MIN

FIELD_PREFIX = "fund.field."


def _write(write, flash: str, done_key: str) -> None:
    attempt(write, area="funds", flash_key=flash, field_prefix=FIELD_PREFIX,
            done=lambda entry: t(done_key, balance=formatting.number(entry.balance, lang())))


def _amount_and_day(prefix: str) -> tuple[int | None, object]:
    left, right = st.columns(2)
    amount = left.number_input(t("fund.field.amount"), min_value=0, step=100, value=None, format="%d",
                               key=f"{prefix}_amount")
    day = right.date_input(t("fund.field.entry_on"), value=clock.today(), min_value=DATE_MIN,
                           key=f"{prefix}_day")
    return amount, day


def render(actor: Actor, fund: FundPublic, entries: pd.DataFrame, flash: str) -> None:
    engine = store.engine()
    donation_tab, grant_tab, reversal_tab = st.tabs([t("fund.form.donation"), t("fund.form.grant"),
                                                     t("fund.form.reversal")])
    with donation_tab:
        amount, day = _amount_and_day("fund_don")
        kinds = labels.donor_kinds()
        kind = st.selectbox(t("fund.field.donor_kind"), list(kinds), format_func=kinds.get, key="fund_don_kind",
                            placeholder=t("common.choose"))
        name = st.text_input(t("fund.field.donor_name"), key="fund_don_name", max_chars=rules.DONOR_NAME_LENGTH[1])
        anonymous = st.checkbox(t("fund.field.anonymous"), key="fund_don_anonymous")
        if st.button(t("fund.form.submit_donation"), key="fund_don_submit", type="primary"):
            data_ = {"amount": amount, "entry_on": day, "donor_kind": kind, "donor_name": name, "anonymous": anonymous}
            _write(lambda: ledger.record_donation(engine, actor=actor, fund_id=fund.id, data=data_), flash,
                   "fund.done.donation")
    with grant_tab:
        st.caption(t("fund.form.grant_help"))
        amount, day = _amount_and_day("fund_grant")
        projects = data.grantable_projects(store.url(), actor, fund.id)
        options = {0: t("fund.form.no_project"), **{int(i): f"No.{int(i)} · {title}"
                                                    for i, title in zip(projects["id"], projects["title"])}}
        project = st.selectbox(t("fund.field.project_id"), list(options), format_func=options.get,
                               key="fund_grant_project", placeholder=t("common.choose"))
        purpose = st.text_input(t("fund.field.purpose"), key="fund_grant_purpose", max_chars=rules.PURPOSE_LENGTH[1])
        if st.button(t("fund.form.submit_grant"), key="fund_grant_submit", type="primary"):
            data_ = {"amount": amount, "entry_on": day, "project_id": project or None, "purpose": purpose}
            _write(lambda: ledger.record_grant(engine, actor=actor, fund_id=fund.id, data=data_), flash,
                   "fund.done.grant")
    with reversal_tab:
        st.caption(t("fund.form.reversal_help"))
        open_ = entries[(entries["kind"] != rules.REVERSAL) & entries["reversed_by"].isna()] if not entries.empty \
            else entries
        if open_.empty:
            st.info(t("fund.form.no_reversible"))
            return
        lg, kinds = lang(), labels.entry_kinds()
        choices = {int(r.id): f"No.{int(r.id)} · {formatting.day(r.entry_on, lg)} · {kinds[r.kind]} · "
                              f"{formatting.number(int(r.amount), lg)} · {labels.counterpart(r)}"
                   for r in open_.itertuples()}
        entry = st.selectbox(t("fund.field.entry_id"), list(choices), format_func=choices.get, index=None,
                             key="fund_rev_entry", placeholder=t("fund.pick_hint"))
        reason = st.text_input(t("fund.field.reason"), key="fund_rev_reason", max_chars=rules.REASON_LENGTH[1])
        if st.button(t("fund.form.submit_reversal"), key="fund_rev_submit", type="primary"):
            _write(lambda: ledger.reverse(engine, actor=actor, data={"entry_id": entry, "reason": reason}), flash,
                   "fund.done.reversal")
