"""The supervisor pool (第三方监督员资源库): counts, filters kept in the URL (?status=, ?specialty=), the list with
each one's record (engagements, on-time rate, deviation from panels) and its Excel download; one supervisor's ties.
Admins add, edit, deactivate and bring back supervisors and record ties; leaders read."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.i18n import lang, t
from components.safe_text import md_escape
from components.supervisors import data as sup_data
from components.supervisors import labels as sup_labels
from components.writes import attempt, import_file, show_flash
from db import clock
from db.access import Actor
from db.supervisors import imports, pool, rules
from db.supervisors.pool import PoolFilter
from db.validation import DATE_MAX, DATE_MIN

FLASH = "sup_flash"
FIELDS = "sup.field."
ALL = "all"
HEADINGS = {"code": "sup.col.code", "name": "sup.col.name", "kind_label": "sup.col.kind",
            "agency_shown": "sup.col.agency",
            "specialty_labels": "sup.col.specialties", "qualification": "sup.col.qualification",
            "until": "sup.col.qualified_until", "qual_label": "sup.col.qual_status", "status_label": "sup.col.status",
            "account": "sup.col.account", "engagements_12m": "sup.col.engagements_12m",
            "engagements": "sup.col.engagements", "on_time_text": "sup.col.on_time",
            "deviation_text": "sup.col.deviation"}
TIE_HEADINGS = {"org_name": "sup.col.org", "tie_label": "sup.col.tie", "ended": "sup.col.ended_on",
                "note": "sup.col.note", "recorded_by": "sup.col.recorded_by"}


def qualification_state(until: date, today: date) -> str:
    if until < today:
        return "expired"
    return "expiring" if until <= today + timedelta(days=rules.EXPIRING_DAYS) else "valid"


def render(actor: Actor) -> None:
    lg, url, today = lang(), store.url(), clock.today()
    st.title(t("sup.pool.title"))
    st.caption(t("sup.pool.caption"))
    show_flash(FLASH)
    counts = sup_data.counts(url, actor, today)
    for column, key in zip(st.columns(4), ("persons", "agencies", "expiring", "expired")):
        column.metric(t(f"sup.pool.metric.{key}"), formatting.number(counts[key], lg))
    filters = _filters()
    frame = sup_data.supervisors(url, actor, filters)
    if frame.empty:
        st.info(t("sup.pool.empty") if filters == PoolFilter() else t("common.no_rows"))
    else:
        shown = table(frame, sup_data.record(url, actor, today), today, lg)
        st.caption(t("common.rows", n=len(shown)))
        st.dataframe(tables.labelled(shown, HEADINGS), hide_index=True, width="stretch", key="sup_table")
        st.caption(t("sup.pool.record_note"))
        tables.downloads(lambda: tables.labelled(shown, HEADINGS), name=t("sup.pool.title"), key="sup_list")
        _one(actor, frame, lg)
    if actor.may("supervisors.manage"):
        _add(actor)
        _import(actor)


def _filters() -> PoolFilter:
    statuses = {"active": t("sup.status.active"), "inactive": t("sup.status.inactive"), ALL: t("common.all")}
    specialties = {ALL: t("common.all"), **sup_labels.specialties()}
    kinds = {ALL: t("common.all"), **{k: t(f"sup.kind.{k}") for k in rules.KINDS}}
    st.session_state["sup_status"] = url_state.read("status", statuses, "active")
    st.session_state["sup_specialty"] = url_state.read("specialty", specialties, ALL)
    columns = st.columns([1, 1, 1, 2])
    columns[0].selectbox(t("sup.pool.filter.status"), list(statuses), format_func=statuses.get, key="sup_status",
                         on_change=url_state.from_widget, args=("sup_status", "status", (*url_state.EMPTY, "active")),
                         placeholder=t("common.choose"))
    columns[1].selectbox(t("sup.pool.filter.specialty"), list(specialties), format_func=specialties.get,
                         key="sup_specialty", on_change=url_state.from_widget,
                         args=("sup_specialty", "specialty", (*url_state.EMPTY, ALL)), placeholder=t("common.choose"))
    kind = columns[2].selectbox(t("sup.pool.filter.kind"), list(kinds), format_func=kinds.get, key="sup_kind",
                                placeholder=t("common.choose"))
    search = columns[3].text_input(t("sup.pool.filter.search"), key="sup_search", max_chars=40)
    status, specialty = st.session_state["sup_status"], st.session_state["sup_specialty"]
    return PoolFilter(status=None if status == ALL else status, specialty=None if specialty == ALL else specialty,
                      kind=None if kind == ALL else kind, search=search.strip() or None)


def table(frame: pd.DataFrame, record: pd.DataFrame, today: date, lg: str) -> pd.DataFrame:
    """The pool as shown and downloaded: labels instead of codes, the record beside each supervisor."""
    shown = sup_labels.people(frame.merge(record, on="id", how="left"))
    return shown.assign(
        kind_label=[t(f"sup.kind.{k}") for k in shown["kind"]],
        until=[formatting.day(d, lg) for d in shown["qualified_until"]],
        qual_label=[t(f"sup.qual.{qualification_state(d, today)}") for d in shown["qualified_until"]],
        status_label=[t(f"sup.status.{'active' if a else 'inactive'}") for a in shown["active"]],
        account=shown["username"].fillna(""),
        engagements_12m=shown["engagements_12m"].fillna(0).astype(int),
        engagements=shown["engagements"].fillna(0).astype(int),
        on_time_text=[formatting.percent(r, lg) if pd.notna(r) else "—" for r in shown["on_time_rate"]],
        deviation_text=[formatting.number(d, lg, 1) if pd.notna(d) else "—" for d in shown["mean_deviation"]])


def _one(actor: Actor, frame: pd.DataFrame, lg: str) -> None:
    st.subheader(t("sup.pool.one"))
    names = {int(r.id): f"{r.code} · {r.name}" for r in frame.itertuples()}
    supervisor_id = st.selectbox(t("sup.pool.pick"), list(names), format_func=names.get, index=None, key="sup_pick",
                                 placeholder=t("sup.pool.pick_hint"))
    if supervisor_id is None:
        return
    ties = sup_data.ties(store.url(), actor, supervisor_id)
    st.markdown(f"**{t('sup.pool.ties')}**")
    if ties.empty:
        st.caption(t("sup.pool.no_ties"))
    else:
        shown = ties.assign(tie_label=[t(f"sup.tie.{k}") for k in ties["kind"]],
                            ended=[formatting.day(d, lg) if pd.notna(d) else "—" for d in ties["ended_on"]])
        st.dataframe(tables.labelled(shown, TIE_HEADINGS), hide_index=True, width="stretch", key="sup_ties")
    if not actor.may("supervisors.manage"):
        return
    current = pool.get_supervisor(store.engine(), actor=actor, supervisor_id=supervisor_id)
    with st.expander(t("sup.pool.edit"), icon=":material/edit:"):
        with st.form(f"sup_edit_{supervisor_id}"):
            data = _fields(actor, f"sup_edit_{supervisor_id}", current.district_id, current.model_dump())
            submitted = st.form_submit_button(t("common.save"), type="primary", key=f"sup_edit_submit_{supervisor_id}")
        if submitted:
            attempt(lambda: pool.update_supervisor(store.engine(), actor=actor, supervisor_id=supervisor_id, data=data),
                    area="supervisors", flash_key=FLASH, field_prefix=FIELDS,
                    done=lambda saved: t("sup.pool.saved", name=md_escape(saved.name)))
    _tie_form(actor, supervisor_id, current.district_id)
    _status_form(actor, supervisor_id, current.active)


def _fields(actor: Actor, prefix: str, district_id: int | None, current: dict | None = None) -> dict:
    """The fields an admin keeps, inside the caller's form (prefilled when editing)."""
    current = current or {}
    url = store.url()
    kinds = {k: t(f"sup.kind.{k}") for k in rules.KINDS}
    left, right = st.columns(2)
    data = {"name": left.text_input(t("sup.field.name"), value=current.get("name", ""), max_chars=80,
                                    key=f"{prefix}_name"),
            "kind": right.radio(t("sup.field.kind"), list(kinds), format_func=kinds.get, horizontal=True,
                                index=list(kinds).index(current.get("kind", "person")), key=f"{prefix}_kind")}
    orgs = sup_data.organizations(url, actor)
    if district_id is not None:
        orgs = orgs[orgs["district_id"] == district_id]
    org_names = {None: t("sup.pool.none"), **{int(r.id): r.name for r in orgs.itertuples()}}
    chosen_org = current.get("agency_org_id")
    data["agency_org_id"] = left.selectbox(t("sup.field.agency_org_id"), list(org_names), format_func=org_names.get,
                                           index=list(org_names).index(chosen_org) if chosen_org in org_names else 0,
                                           key=f"{prefix}_agency_org", placeholder=org_names[None])
    data["agency"] = right.text_input(t("sup.field.agency"), value=current.get("agency") or "", max_chars=120,
                                      key=f"{prefix}_agency", placeholder=t("sup.pool.agency_hint"))
    data["qualification"] = left.text_input(t("sup.field.qualification"), value=current.get("qualification", ""),
                                            max_chars=80, key=f"{prefix}_qualification")
    data["qualified_until"] = right.date_input(t("sup.field.qualified_until"), value=current.get("qualified_until"),
                                               min_value=DATE_MIN, max_value=DATE_MAX, key=f"{prefix}_until")
    labels = sup_labels.specialties()
    data["specialties"] = st.multiselect(t("sup.field.specialties"), list(labels), format_func=labels.get,
                                         default=current.get("specialties", []), key=f"{prefix}_specialties",
                                         placeholder=t("common.choose_many"))
    accounts = sup_data.accounts(url, actor, district_id) if district_id is not None else pd.DataFrame()
    options = {None: t("sup.pool.none")}
    if not accounts.empty:  # free accounts, and the one this supervisor has
        free = accounts[accounts["supervisor_id"].isna() | (accounts["id"] == current.get("user_id"))]
        options.update({int(r.id): f"{r.display_name} ({r.username})" for r in free.itertuples()})
    data["user_id"] = left.selectbox(t("sup.field.user_id"), list(options), format_func=options.get,
                                     index=list(options).index(current.get("user_id"))
                                     if current.get("user_id") in options else 0, key=f"{prefix}_user",
                                     placeholder=options[None])
    data["note"] = right.text_input(t("sup.field.note"), value=current.get("note") or "", max_chars=200,
                                    key=f"{prefix}_note")
    return data


def _add(actor: Actor) -> None:
    districts = sup_data.districts(store.url(), actor)
    if not districts:
        return
    with st.expander(t("sup.pool.add"), icon=":material/person_add:"):
        district_id = st.selectbox(t("sup.field.district_id"), list(districts), format_func=districts.get,
                                   key="sup_add_district", placeholder=t("common.choose"))
        with st.form("sup_add", clear_on_submit=False):
            data = _fields(actor, "sup_add", district_id)
            submitted = st.form_submit_button(t("sup.pool.add"), type="primary", key="sup_add_submit")
        if submitted:
            attempt(lambda: pool.create_supervisor(store.engine(), actor=actor,
                                                   data={**data, "district_id": district_id}),
                    area="supervisors", flash_key=FLASH, field_prefix=FIELDS,
                    done=lambda made: t("sup.pool.added", name=md_escape(made.name), code=made.code))


def _tie_form(actor: Actor, supervisor_id: int, district_id: int) -> None:
    orgs = sup_data.organizations(store.url(), actor)
    names = {int(r.id): r.name for r in orgs[orgs["district_id"] == district_id].itertuples()}
    kinds = {k: t(f"sup.tie.{k}") for k in rules.TIE_KINDS}
    with st.expander(t("sup.pool.add_tie"), icon=":material/link:"):
        with st.form(f"sup_tie_{supervisor_id}", clear_on_submit=True):
            org_id = st.selectbox(t("sup.field.org_id"), list(names), format_func=names.get, index=None,
                                  key=f"sup_tie_org_{supervisor_id}", placeholder=t("common.choose"))
            kind = st.radio(t("sup.col.tie"), list(kinds), format_func=kinds.get, horizontal=True,
                            key=f"sup_tie_kind_{supervisor_id}")
            ended_on = st.date_input(t("sup.field.ended_on"), value=None, min_value=DATE_MIN, max_value=clock.today(),
                                     key=f"sup_tie_ended_{supervisor_id}")
            note = st.text_input(t("sup.field.note"), max_chars=200, key=f"sup_tie_note_{supervisor_id}")
            submitted = st.form_submit_button(t("sup.pool.add_tie"), key=f"sup_tie_submit_{supervisor_id}")
        if submitted:
            attempt(lambda: pool.add_tie(store.engine(), actor=actor, supervisor_id=supervisor_id,
                                         data={"org_id": org_id, "kind": kind, "ended_on": ended_on, "note": note}),
                    area="supervisors", flash_key=FLASH, field_prefix=FIELDS, done=t("sup.pool.tie_added"))


def _status_form(actor: Actor, supervisor_id: int, active: bool) -> None:
    """Take a supervisor out of the pool or bring them back; the reason goes to the audit log."""
    with st.form(f"sup_status_{supervisor_id}", clear_on_submit=True):
        reason = st.text_input(t("sup.pool.status_reason"), max_chars=200, key=f"sup_status_reason_{supervisor_id}")
        submitted = st.form_submit_button(t("sup.pool.deactivate" if active else "sup.pool.activate"),
                                          icon=":material/block:" if active else ":material/check:",
                                          key=f"sup_status_submit_{supervisor_id}")
    if submitted:
        attempt(lambda: pool.set_active(store.engine(), actor=actor, supervisor_id=supervisor_id, active=not active,
                                        reason=reason),
                area="supervisors", flash_key=FLASH, field_prefix=FIELDS,
                done=lambda saved: t("sup.pool.deactivated" if active else "sup.pool.activated",
                                     name=md_escape(saved.name)))


def _import(actor: Actor) -> None:
    """New supervisors from a file (the pool's own download reads back: its rows already in the pool are kept)."""
    districts = sup_data.districts(store.url(), actor)
    if not districts:
        return
    with st.expander(t("sup.import.title"), icon=":material/upload_file:"):
        st.caption(t("sup.import.caption"))
        district_id = st.selectbox(t("sup.field.district_id"), list(districts), format_func=districts.get,
                                   key="sup_import_district", placeholder=t("common.choose"))
        counts = import_file(lambda data, name: imports.import_supervisors(
            store.engine(), actor=actor, district_id=district_id, data=data, filename=name),
            key="sup_import", area="supervisors", field_prefix=FIELDS)
        if counts is not None:
            st.success(t("sup.import.done", created=counts.created, kept=counts.rows - counts.created))
