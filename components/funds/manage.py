"""Admins found a fund for a community or street of their scope and edit a fund's name, founding day, custodian
and managers (the fund picked on the page)."""

from __future__ import annotations

import streamlit as st

from components import store, url_state
from components.funds import data
from components.i18n import t
from components.writes import attempt
from db import clock
from db.access import Actor
from db.errors import NotFound
from db.funds import funds, reads, rules
from db.validation import DATE_MIN

FIELD_PREFIX = "fund.field."


def _fields(prefix: str, name: str = "", founded=None, custodian: str = "", managers: str = "") -> dict:
    name = st.text_input(t("fund.field.name"), value=name, key=f"{prefix}_name", max_chars=rules.NAME_LENGTH[1])
    founded = st.date_input(t("fund.field.founded_on"), value=founded or clock.today(), min_value=DATE_MIN,
                            key=f"{prefix}_founded")
    custodian = st.text_input(t("fund.field.custodian"), value=custodian, key=f"{prefix}_custodian",
                              max_chars=rules.CUSTODIAN_LENGTH[1])
    managers = st.text_input(t("fund.field.managers"), value=managers, key=f"{prefix}_managers",
                             max_chars=rules.MANAGERS_LENGTH[1])
    return {"name": name, "founded_on": founded, "custodian": custodian, "managers": managers}


def render(actor: Actor, flash: str) -> None:
    engine, url = store.engine(), store.url()
    with st.expander(t("fund.manage.title")):
        st.markdown(f"**{t('fund.manage.create')}**")
        units = data.units_without_fund(url, actor)
        if units.empty:
            st.info(t("fund.manage.no_units"))
        else:
            options = {int(i): f"{street} · {name}" if level == "community" else name
                       for i, name, level, street in units.itertuples(index=False)}
            unit = st.selectbox(t("fund.field.unit_id"), list(options), format_func=options.get, index=None,
                                key="fund_new_unit", placeholder=t("fund.pick_hint"))
            values = _fields("fund_new")
            if st.button(t("fund.manage.submit_create"), key="fund_new_submit", type="primary"):
                attempt(lambda: funds.create_fund(engine, actor=actor, data={**values, "unit_id": unit}),
                        area="funds", flash_key=flash, done=t("fund.manage.created"), field_prefix=FIELD_PREFIX,
                        before_rerun=lambda fund: url_state.write("fund", fund.id))
        picked = url_state.record_id("fund")
        if picked is None:
            return
        try:
            fund = reads.get_fund(engine, actor=actor, fund_id=picked)
        except NotFound:
            return
        st.divider()
        st.markdown(f"**{t('fund.manage.edit')}**")
        values = _fields(f"fund_edit_{fund.id}", fund.name, fund.founded_on, fund.custodian, fund.managers)
        if st.button(t("fund.manage.submit_edit"), key="fund_edit_submit", type="primary"):
            attempt(lambda: funds.update_fund(engine, actor=actor, fund_id=fund.id, data=values), area="funds",
                    flash_key=flash, done=t("fund.manage.saved"), field_prefix=FIELD_PREFIX)
