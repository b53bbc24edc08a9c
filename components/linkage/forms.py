"""五社联动's forms, for staff of the scope (admins, street and community staff), each through writes.attempt: a
refusal names the field and the rule, and nothing is half-written. The pickers offer the units of the user's scope."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from components import store
from components.i18n import t
from components.linkage import data
from components.writes import attempt
from db import clock
from db.access import Actor
from db.linkage import registry, rules
from db.validation import DATE_MIN

FIELD_PREFIX = "lk.field."


def _write(write, flash: str) -> None:
    attempt(write, area="linkage", flash_key=flash, field_prefix=FIELD_PREFIX, done=t("lk.done"))


def _unit(actor: Actor, key: str):
    options = data.unit_options(store.url(), actor)
    return st.selectbox(t("lk.field.unit_id"), list(options), format_func=options.get, index=None, key=key,
                        placeholder=t("lk.pick_hint"))


def _day(label: str, key: str):
    return st.date_input(t(label), value=clock.today(), min_value=DATE_MIN, key=key)


def station(actor: Actor, flash: str) -> None:
    with st.expander(t("lk.form.station")):
        name = st.text_input(t("lk.field.name"), key="lk_st_name", max_chars=rules.NAME_LENGTH[1])
        unit = _unit(actor, "lk_st_unit")
        operator = st.text_input(t("lk.field.operator"), key="lk_st_operator", max_chars=rules.OPERATOR_LENGTH[1])
        opened = _day("lk.field.opened_on", "lk_st_opened")
        if st.button(t("lk.form.submit"), key="lk_st_submit", type="primary"):
            values = {"name": name, "unit_id": unit, "operator": operator, "opened_on": opened}
            _write(lambda: registry.create_station(store.engine(), actor=actor, data=values), flash)


def worker(actor: Actor, flash: str, stations: pd.DataFrame) -> None:
    with st.expander(t("lk.form.worker")):
        active = stations[stations["active"]] if not stations.empty else stations
        options = {int(i): n for i, n in zip(active.get("id", []), active.get("name", []))}
        name = st.text_input(t("lk.field.name"), key="lk_wk_name", max_chars=rules.WORKER_NAME_LENGTH[1])
        station_id = st.selectbox(t("lk.field.station_id"), list(options), format_func=options.get, index=None,
                                  key="lk_wk_station", placeholder=t("lk.pick_hint"))
        unit = _unit(actor, "lk_wk_unit")
        quals = {q: t(f"lk.qual.{q}") for q in rules.QUALIFICATIONS}
        qualification = st.selectbox(t("lk.field.qualification"), list(quals), format_func=quals.get,
                                     key="lk_wk_qual", placeholder=t("common.choose"))
        joined = _day("lk.field.joined_on", "lk_wk_joined")
        if st.button(t("lk.form.submit"), key="lk_wk_submit", type="primary"):
            values = {"name": name, "station_id": station_id, "unit_id": unit, "qualification": qualification,
                      "joined_on": joined}
            _write(lambda: registry.create_worker(store.engine(), actor=actor, data=values), flash)


def enterprise(actor: Actor, flash: str) -> None:
    with st.expander(t("lk.form.enterprise")):
        name = st.text_input(t("lk.field.name"), key="lk_en_name", max_chars=rules.ENTERPRISE_NAME_LENGTH[1])
        unit = _unit(actor, "lk_en_unit")
        kinds = {k: t(f"lk.contrib.{k}") for k in rules.CONTRIBUTION_KINDS}
        kind = st.selectbox(t("lk.field.contribution_kind"), list(kinds), format_func=kinds.get, key="lk_en_kind",
                            placeholder=t("common.choose"))
        contribution = st.text_input(t("lk.field.contribution"), key="lk_en_contribution",
                                     max_chars=rules.CONTRIBUTION_LENGTH[1])
        value = st.number_input(t("lk.field.value"), min_value=0, step=1_000, value=0, format="%d", key="lk_en_value")
        engaged = _day("lk.field.engaged_on", "lk_en_engaged")
        if st.button(t("lk.form.submit"), key="lk_en_submit", type="primary"):
            values = {"name": name, "unit_id": unit, "contribution_kind": kind, "contribution": contribution,
                      "value": value, "engaged_on": engaged}
            _write(lambda: registry.create_enterprise(store.engine(), actor=actor, data=values), flash)


def activity(actor: Actor, flash: str) -> None:
    with st.expander(t("lk.form.activity")):
        title = st.text_input(t("lk.field.title"), key="lk_ac_title", max_chars=rules.TITLE_LENGTH[1])
        parties = {p: t(f"lk.party.{p}") for p in rules.ORGANIZERS}
        organizer = st.selectbox(t("lk.field.organizer"), list(parties), format_func=parties.get, key="lk_ac_org",
                                 placeholder=t("common.choose"))
        unit = _unit(actor, "lk_ac_unit")
        held = _day("lk.field.held_on", "lk_ac_held")
        left, middle, right = st.columns(3)
        counts = {name: column.number_input(t(f"lk.field.{name}"), min_value=0, value=0, step=1, key=f"lk_ac_{name}")
                  for column, name in zip((left, middle, right), ("participants", "people_served", "problems_solved"))}
        if st.button(t("lk.form.submit"), key="lk_ac_submit", type="primary"):
            values = {"title": title, "organizer": organizer, "unit_id": unit, "held_on": held, **counts}
            _write(lambda: registry.record_activity(store.engine(), actor=actor, data=values), flash)


def active_switch(actor: Actor, flash: str, lists: dict[str, Callable[[], pd.DataFrame]]) -> None:
    """Mark a station, worker or enterprise as left (or back): rows stay, so past figures keep them. `lists` reads
    a kind's rows, only for the kind picked."""
    with st.expander(t("lk.form.active")):
        kinds = {"station": t("lk.tab.stations"), "worker": t("lk.tab.workers"), "enterprise": t("lk.tab.enterprises")}
        kind = st.radio(t("lk.field.kind"), list(kinds), format_func=kinds.get, key="lk_sw_kind", horizontal=True)
        rows = lists[kind]()
        options = {int(i): f"{n}（{u}）· {t('lk.active') if a else t('lk.inactive')}"
                   for i, n, u, a in zip(rows.get("id", []), rows.get("name", []), rows.get("unit", []),
                                         rows.get("active", []))}
        picked = st.selectbox(t("lk.form.pick"), list(options), format_func=options.get, index=None, key="lk_sw_row",
                              placeholder=t("lk.pick_hint"))
        left, right = st.columns(2)
        for column, active, label, key in ((left, False, "lk.form.deactivate", "lk_sw_off"),
                                           (right, True, "lk.form.reactivate", "lk_sw_on")):
            if column.button(t(label), key=key, disabled=picked is None):
                _write(lambda a=active: registry.set_active(store.engine(), actor=actor, kind=kind, row_id=picked,
                                                            active=a), flash)
