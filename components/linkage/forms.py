"""五社联动's forms, for staff of the scope (admins, street and community staff), each through writes.attempt: a
refusal names the field and the rule, and nothing is half-written. A form is drawn only while its switch is on (a
closed expander still sends every widget in it), and its unit picker sends one street's units at a time: the
street first where the scope holds several, then the street itself or one of its communities."""

from __future__ import annotations

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
PICK = 50  # records of a kind listed to mark as left or back; typing a part of a name finds the others


def _write(write, flash: str) -> None:
    attempt(write, area="linkage", flash_key=flash, field_prefix=FIELD_PREFIX, done=t("lk.done"))


def _opened(label: str, key: str) -> bool:
    """A form's switch: its widgets are drawn, and sent to the browser, only while it is on."""
    return st.toggle(t(label), key=key)


def _index(options: list, value) -> int | None:
    return options.index(value) if value in options else None


def _unit(actor: Actor, key: str, near: int | None, clears: tuple[str, ...] = ()) -> tuple[int | None, int | None]:
    """The unit picked and its street (None until picked). A scope of several streets picks the street first
    (the page's street, or community's, to begin with), then the street itself or one of its communities; a
    street's staff pick among their street's; a community's staff have their community, nothing to choose.
    Another street starts the unit (and `clears`, what depends on it) over."""
    choices = data.unit_choices(store.url(), actor)
    if len(choices.units) == 1:
        street = next(iter(choices.units))
    else:
        streets = list(choices.streets)
        street = st.selectbox(t("lk.field.street_id"), streets, format_func=choices.streets.get,
                              index=_index(streets, choices.street_of.get(near)), key=f"{key}_street",
                              placeholder=t("lk.pick_hint"),
                              on_change=lambda: [st.session_state.pop(k, None) for k in (key, *clears)])
    if street is None:
        st.selectbox(t("lk.field.unit_id"), [], key=key, placeholder=t("lk.pick_street_first"), disabled=True)
        return None, None
    options = {i: t("lk.unit.street_itself", name=n) if i == street else n for i, n in choices.units[street].items()}
    if len(options) == 1:
        unit = st.selectbox(t("lk.field.unit_id"), list(options), format_func=options.get, key=key, disabled=True,
                            placeholder=t("lk.pick_hint"))
    else:  # the page's community to begin with; never the street itself unasked
        unit = st.selectbox(t("lk.field.unit_id"), list(options), format_func=options.get, key=key,
                            index=_index(list(options), near if near != street else None),
                            placeholder=t("lk.pick_hint"))
    return unit, street


def _day(label: str, key: str):
    return st.date_input(t(label), value=clock.today(), min_value=DATE_MIN, key=key)


def station(actor: Actor, flash: str, near: int | None) -> None:
    """`near`: the unit the page is narrowed to (None: the whole scope), where the unit picker begins."""
    if not _opened("lk.form.station", "lk_st_open"):
        return
    with st.container(border=True):
        name = st.text_input(t("lk.field.name"), key="lk_st_name", max_chars=rules.NAME_LENGTH[1])
        unit, _ = _unit(actor, "lk_st_unit", near)
        operator = st.text_input(t("lk.field.operator"), key="lk_st_operator", max_chars=rules.OPERATOR_LENGTH[1])
        opened = _day("lk.field.opened_on", "lk_st_opened")
        if st.button(t("lk.form.submit"), key="lk_st_submit", type="primary"):
            values = {"name": name, "unit_id": unit, "operator": operator, "opened_on": opened}
            _write(lambda: registry.create_station(store.engine(), actor=actor, data=values), flash)


def worker(actor: Actor, flash: str, near: int | None) -> None:
    """The stations offered are the active ones of the street picked (a worker serves their station's street)."""
    if not _opened("lk.form.worker", "lk_wk_open"):
        return
    with st.container(border=True):
        name = st.text_input(t("lk.field.name"), key="lk_wk_name", max_chars=rules.WORKER_NAME_LENGTH[1])
        unit, street = _unit(actor, "lk_wk_unit", near, clears=("lk_wk_station",))
        options: dict[int, str] = {}
        if street is not None:  # read at the street where it is the actor's, else their own scope (a community)
            url = store.url()
            at = street if street in data.unit_choices(url, actor).units[street] else None
            stations = data.stations(url, actor, at)
            active = stations[stations["active"]] if not stations.empty else stations
            options = {int(i): n for i, n in zip(active.get("id", []), active.get("name", []))}
        station_id = st.selectbox(t("lk.field.station_id"), list(options), format_func=options.get, index=None,
                                  key="lk_wk_station", disabled=street is None,
                                  placeholder=t("lk.pick_hint") if street is not None else t("lk.pick_street_first"))
        quals = {q: t(f"lk.qual.{q}") for q in rules.QUALIFICATIONS}
        qualification = st.selectbox(t("lk.field.qualification"), list(quals), format_func=quals.get,
                                     key="lk_wk_qual", placeholder=t("common.choose"))
        joined = _day("lk.field.joined_on", "lk_wk_joined")
        if st.button(t("lk.form.submit"), key="lk_wk_submit", type="primary"):
            values = {"name": name, "station_id": station_id, "unit_id": unit, "qualification": qualification,
                      "joined_on": joined}
            _write(lambda: registry.create_worker(store.engine(), actor=actor, data=values), flash)


def enterprise(actor: Actor, flash: str, near: int | None) -> None:
    if not _opened("lk.form.enterprise", "lk_en_open"):
        return
    with st.container(border=True):
        name = st.text_input(t("lk.field.name"), key="lk_en_name", max_chars=rules.ENTERPRISE_NAME_LENGTH[1])
        unit, _ = _unit(actor, "lk_en_unit", near)
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


def activity(actor: Actor, flash: str, near: int | None) -> None:
    if not _opened("lk.form.activity", "lk_ac_open"):
        return
    with st.container(border=True):
        title = st.text_input(t("lk.field.title"), key="lk_ac_title", max_chars=rules.TITLE_LENGTH[1])
        parties = {p: t(f"lk.party.{p}") for p in rules.ORGANIZERS}
        organizer = st.selectbox(t("lk.field.organizer"), list(parties), format_func=parties.get, key="lk_ac_org",
                                 placeholder=t("common.choose"))
        unit, _ = _unit(actor, "lk_ac_unit", near)
        held = _day("lk.field.held_on", "lk_ac_held")
        left, middle, right = st.columns(3)
        counts = {name: column.number_input(t(f"lk.field.{name}"), min_value=0, value=0, step=1, key=f"lk_ac_{name}")
                  for column, name in zip((left, middle, right), ("participants", "people_served", "problems_solved"))}
        if st.button(t("lk.form.submit"), key="lk_ac_submit", type="primary"):
            values = {"title": title, "organizer": organizer, "unit_id": unit, "held_on": held, **counts}
            _write(lambda: registry.record_activity(store.engine(), actor=actor, data=values), flash)


def active_switch(actor: Actor, flash: str, unit_id: int | None) -> None:
    """Mark a station, worker or enterprise of the page's place (`unit_id`; None: the whole scope) as left (or
    back): rows stay, so past figures keep them. The first PICK of the kind are listed; a part of a name typed
    finds the others."""
    if not _opened("lk.form.active", "lk_sw_open"):
        return
    with st.container(border=True):
        restart = lambda: st.session_state.pop("lk_sw_row", None)  # noqa: E731
        kinds = {"station": t("lk.tab.stations"), "worker": t("lk.tab.workers"), "enterprise": t("lk.tab.enterprises")}
        kind = st.radio(t("lk.field.kind"), list(kinds), format_func=kinds.get, key="lk_sw_kind", horizontal=True,
                        on_change=restart)
        named = st.text_input(t("lk.field.named"), key="lk_sw_find", max_chars=rules.ENTERPRISE_NAME_LENGTH[1],
                              placeholder=t("lk.named_hint"), on_change=restart)
        rows = data.switchable(store.url(), actor, kind, unit_id, named.strip(), PICK + 1)
        options = {int(i): f"{n}（{u}）· {t('lk.active') if a else t('lk.inactive')}"
                   for i, n, u, a in zip(rows["id"], rows["name"], rows["unit"], rows["active"])}
        picked = st.selectbox(t("lk.form.pick"), list(options)[:PICK], format_func=options.get, index=None,
                              key="lk_sw_row", placeholder=t("lk.pick_hint"))
        if len(options) > PICK:
            st.caption(t("lk.pick_more", n=PICK))
        elif not options:
            st.caption(t("lk.none"))
        left, right = st.columns(2)
        for column, active, label, key in ((left, False, "lk.form.deactivate", "lk_sw_off"),
                                           (right, True, "lk.form.reactivate", "lk_sw_on")):
            if column.button(t(label), key=key, disabled=picked is None):
                _write(lambda a=active: registry.set_active(store.engine(), actor=actor, kind=kind, row_id=picked,
                                                            active=a), flash)
