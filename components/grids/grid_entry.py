"""Monthly report entry for one grid: pick the grid and month, fill the form, submit; admins reopen
a locked month. Every rule is checked again in db/grids/reports.py."""

from __future__ import annotations

import streamlit as st

from components import caching, formatting, store
from components.grids import data as grid_data
from components.grids import tables as grid_tables
from components.grids.periods import default_month, month_labels, month_options
from components.i18n import error_text, lang, t
from components.safe_text import md_escape
from components.writes import attempt, show_flash
from db.access import Actor
from db.errors import DomainError
from db.grids import reports as grid_reports
from db.grids import rules as grid_periods
from db.grids.rules import last_complete_month

GROUPS = {
    "grid.entry.group.work": ("activities", "served", "visits", "volunteers", "funds"),
    "grid.entry.group.problems": ("problems_carried", "problems_reported", "problems_solved"),
    "grid.entry.group.satisfaction": ("respondents", "satisfied"),
}
_LOADED = "grid_entry_loaded"
_FLASH = "grid_entry_flash"


def pick_grid(actor: Actor, url: str, prefix: str) -> tuple[int, str, str] | None:
    """Street, then grid, within the actor's scope: (grid id, code, name), or None when there is none."""
    streets = grid_data.units(url, actor, "street")
    if not grid_data.has_units(url, actor, "grid"):
        st.info(t("grid.no_grids"))
        return None
    left, right = st.columns(2)
    if streets.empty:  # a scope below street level: its grids only
        street_grids = grid_data.units(url, actor, "grid")
    else:
        street_labels = dict(zip(streets["code"], streets["name"]))
        street = left.selectbox(t("grid.entry.street"), list(street_labels), format_func=street_labels.get,
                                key=f"{prefix}_street", placeholder=t("common.choose"))
        street_id = streets.loc[streets["code"] == street, "id"].iloc[0]
        # the street's grids only, by id (a moved grid keeps its code): a city's 14,872 read for a few dozen before
        street_grids = grid_data.units(url, actor, "grid", int(street_id))
    grid_labels = dict(zip(street_grids["code"], street_grids["name"]))
    code = right.selectbox(t("grid.entry.grid"), list(grid_labels), format_func=grid_labels.get, key=f"{prefix}_grid",
                           placeholder=t("common.choose"))
    if code is None:
        return None
    row = street_grids[street_grids["code"] == code].iloc[0]
    return int(row["id"]), code, row["name"]


def _load_form(state: grid_reports.ReportPublic) -> None:
    """Fill the inputs with what is stored whenever another grid or month is picked."""
    marker = (state.grid_id, state.period)
    # widget values are dropped when the user visits another page, the marker is not
    kept = all(f"grid_in_{code}" in st.session_state for code in grid_reports.ENTERED)
    if st.session_state.get(_LOADED) == marker and kept:
        return
    for code in grid_reports.ENTERED:
        st.session_state[f"grid_in_{code}"] = state.values.get(code)
    st.session_state["grid_entry_confirm"] = False
    st.session_state[_LOADED] = marker


def _status(state: grid_reports.ReportPublic) -> None:
    lg = lang()
    due = formatting.day(state.due, lg)
    if state.status == "open":
        st.info(t("grid.entry.status.open"))
    elif state.status == "submitted":
        st.caption(t("grid.entry.status.submitted", at=formatting.moment(state.submitted_at, lg),
                     timeliness=t("grid.entry.on_time" if state.on_time else "grid.entry.late")))
    else:
        st.caption(t("grid.entry.status.none", due=due))
    if state.locked:
        st.warning(t("grid.entry.locked", due=due))


def render(actor: Actor) -> None:
    url = store.url()
    st.title(t("grid.entry.title"))
    st.caption(t("grid.entry.caption", due=grid_periods.due_day()))
    show_flash(_FLASH)
    picked = pick_grid(actor, url, "grid_entry")
    if picked is None:
        return
    grid_id, grid_code, _ = picked
    months = month_options()
    if st.session_state.get("grid_entry_period") not in months:
        st.session_state["grid_entry_period"] = default_month()
    period = st.selectbox(t("grid.entry.period"), months, key="grid_entry_period", format_func=month_labels(months).get,
                          placeholder=t("common.choose"))
    engine = store.engine()
    state = grid_reports.get_report(engine, actor=actor, grid_id=grid_id, period=period)
    _load_form(state)
    _status(state)
    if state.locked and actor.role == "admin":
        _reopen(actor, state)
    _form(actor, state)
    _history(actor, url, grid_code, period)


def _form(actor: Actor, state: grid_reports.ReportPublic) -> None:
    defs = grid_data.definitions(store.url())
    with st.form("grid_entry_form"):
        for group, codes in GROUPS.items():
            st.markdown(f"**{t(group)}**")
            for column, code in zip(st.columns(len(codes)), codes):
                column.number_input(t(f"grid.field.{code}"), value=None, step=1, format="%d", key=f"grid_in_{code}",
                                    disabled=state.locked, help=grid_tables.unit_of(defs.loc[code]))
        st.checkbox(t("grid.entry.confirm"), key="grid_entry_confirm", disabled=state.locked)
        submitted = st.form_submit_button(t("grid.entry.submit"), type="primary", disabled=state.locked)
    if not submitted:
        return
    values = {code: st.session_state.get(f"grid_in_{code}") for code in grid_reports.ENTERED}
    # answered here rather than by writes.attempt: outliers not yet confirmed are a warning, not a refusal
    try:
        saved = grid_reports.submit_report(store.engine(), actor=actor, grid_id=state.grid_id, period=state.period,
                                           values=values, confirm_outliers=bool(st.session_state.get("grid_entry_confirm")))
    except grid_reports.NeedsConfirmation as err:
        st.warning(t("grid.entry.needs_confirm") + "\n\n" + error_text(err, field_prefix="grid.field."))
        return
    except DomainError as err:
        st.error(error_text(err, field_prefix="grid.field."))
        return
    caching.clear("grids")
    message = t("grid.entry.saved", grid=md_escape(state.grid_name), period=state.period)
    if saved.confirmed:
        fields = "、".join(t(f"grid.field.{code}") for code in saved.confirmed)
        message += " " + t("grid.entry.saved_flagged", fields=fields)
    st.session_state[_FLASH] = message
    st.session_state.pop(_LOADED, None)
    st.rerun()


def _reopen(actor: Actor, state: grid_reports.ReportPublic) -> None:
    with st.expander(t("grid.reopen.title")):
        reason = st.text_input(t("grid.reopen.reason"), key="grid_reopen_reason", max_chars=200)
        if st.button(t("grid.reopen.button"), key="grid_reopen_button"):
            attempt(lambda: grid_reports.reopen(store.engine(), actor=actor, grid_id=state.grid_id,
                                                period=state.period, reason=reason),
                    area="grids", flash_key=_FLASH, field_prefix="grid.field.",
                    done=t("grid.reopen.done", grid=md_escape(state.grid_name), period=state.period))


def _history(actor: Actor, url: str, grid_code: str, period: str) -> None:
    st.subheader(t("grid.entry.history"), anchor=False)
    frame = grid_data.grid_months(url, actor, grid_code, min(period, last_complete_month()))
    defs = grid_data.definitions(url)
    st.dataframe(grid_tables.indicator_table(frame, defs, {"name": "grid.col.month"}, count_green=False),
                 hide_index=True, width="stretch")
