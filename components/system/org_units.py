"""The org-hierarchy page: breadcrumb, counts at each level, sub-units, grid roster, the unit's moves; for
admins the registry (add, edit, move, deactivate, import). ?unit= in the URL."""

from __future__ import annotations

import streamlit as st

from components import (
    caching,
    charts,
    empty_states,
    exports,
    formatting,
    store,
    tables,
    url_state,
)
from components.i18n import lang, t
from components.safe_text import md_escape
from components.writes import attempt, import_file, show_flash
from db import grid_roster, org_units, unit_registry
from db.access import Actor
from db.errors import NotFound

CHILD_HEADINGS = {
    "code": "org.col.code", "name": "org.col.name", "kind_label": "org.col.kind", "streets": "org.col.streets",
    "communities": "org.col.communities", "grids": "org.col.grids", "households": "org.col.households",
    "population": "org.col.population", "leaders": "org.col.leaders", "members": "org.col.members",
}


def _go(code: str) -> None:
    url_state.write("unit", code)


def _current_unit(actor: Actor) -> org_units.UnitPublic:
    engine = store.engine()
    code = url_state.get("unit")
    if code:
        try:
            return org_units.get_unit(engine, actor=actor, code=code)
        except NotFound:
            st.warning(t("org.unknown_unit"))
    return org_units.scope_unit(engine, actor=actor)


def _kind_label(level: str, kind: str | None) -> str:
    if not kind:
        return ""
    return t(f"kind.{kind}") if level == "street" else t(f"org.type.{kind}")


def render(actor: Actor) -> None:
    engine = store.engine()
    unit = _current_unit(actor)
    st.title(t("org.title"))
    st.caption(t("org.caption"))

    crumbs = org_units.breadcrumb(engine, actor=actor, unit=unit)
    with st.container(horizontal=True):
        for crumb in crumbs:
            st.button(crumb.name, key=f"crumb_{crumb.code}", on_click=_go, args=(crumb.code,),
                      type="primary" if crumb.id == unit.id else "secondary", icon=":material/chevron_right:")

    counts = org_units.level_counts(engine, actor=actor, unit=unit)
    _metrics(unit, counts)
    show_flash(FLASH)
    if not unit.active:
        st.warning(t("org.manage.inactive"))
    _browse(actor, unit)
    _moves(actor, unit)
    if actor.may("system.org_units_manage"):
        _manage(actor, unit)


def _browse(actor: Actor, unit: org_units.UnitPublic) -> None:
    engine = store.engine()
    if unit.level == "grid":
        _roster(actor, unit)
        return
    children = org_units.children_summary(engine, actor=actor, unit=unit)
    if children.empty:
        st.info(t("common.no_rows"))
        return
    children["kind_label"] = [_kind_label(level, kind) for level, kind in zip(children["level"], children["kind"])]
    child_level = children["level"].iloc[0]

    st.selectbox(
        t("org.drill"), options=list(children["code"]), index=None, placeholder=t("org.drill_placeholder"),
        format_func=dict(zip(children["code"], children["name"])).get, key="org_drill",
        on_change=lambda: _go(st.session_state["org_drill"]) if st.session_state.get("org_drill") else None,
    )
    st.subheader(t("org.children", level=t(f"level.{child_level}")))
    shown = CHILD_HEADINGS if unit.level in ("root",) else {k: v for k, v in CHILD_HEADINGS.items() if k != "streets"}
    if child_level == "grid":
        shown = {k: v for k, v in shown.items() if k not in ("communities", "grids", "kind_label")}
    table = tables.labelled(children, shown)
    st.dataframe(table, hide_index=True, width="stretch")
    tables.downloads(table, name=f"{unit.name}-{t('org.title')}", key="org_children")
    if child_level != "grid":
        empty_states.chart(chart=
            charts.ranked_bars(children[["name", "grids"]], label="name", value="grids", title=t("org.chart_title"),
                               label_title=t("org.col.name"), value_title=t("org.col.grids")),
            width="stretch",
        )


def _metrics(unit: org_units.UnitPublic, counts: dict[str, int]) -> None:
    lg = lang()
    items = []
    if unit.level == "root":
        items.append(("org.metric.districts", counts["district"]))
    if unit.level in ("root", "district"):
        items.append(("org.metric.streets", counts["street"]))
        items.append(("org.metric.towns", counts["towns"]))
    if unit.level in ("root", "district", "street"):
        items.append(("org.metric.communities", counts["community"]))
    items += [("org.metric.grids", counts["grid"]), ("org.metric.leaders", counts["staff_leader"]),
              ("org.metric.members", counts["staff_member"])]
    columns = st.columns(len(items))
    for column, (key, value) in zip(columns, items):
        column.metric(t(key), formatting.number(value, lg))


def _roster(actor: Actor, grid: org_units.UnitPublic) -> None:
    st.subheader(t("org.roster"))
    frame = org_units.roster(store.engine(), actor=actor, grid=grid)
    st.dataframe(tables.roster_frame(frame), hide_index=True, width="stretch")
    st.caption(f"{t('org.col.households')}: {formatting.number(grid.households, lang())} · "
               f"{t('org.col.population')}: {formatting.number(grid.population, lang())}")


# --- the registry (admins) ---------------------------------------------------------------------------

FLASH = "org_flash"
FIELD_PREFIX = "org.field."


def _kind_options(level: str) -> dict[str | None, str]:
    if level == "street":
        return {kind: t(f"org.kind.{kind}") for kind in unit_registry.KINDS["street"]}
    if level == "community":
        return {None: "—", **{kind: t(f"org.type.{kind}") for kind in unit_registry.KINDS["community"]}}
    return {None: "—"}


def _manage(actor: Actor, unit: org_units.UnitPublic) -> None:
    st.subheader(t("org.manage.title"), anchor=False)
    movable = unit.level in unit_registry.ANCESTORS
    labels = ["org.manage.add", "org.manage.edit", *(["org.move.tab"] if movable else []), "org.manage.import"]
    tabs = dict(zip(labels, st.tabs([t(label) for label in labels])))
    with tabs["org.manage.add"]:
        _add_form(actor, unit)
    with tabs["org.manage.edit"]:
        _edit_form(actor, unit)
    if movable:
        with tabs["org.move.tab"]:
            _move_form(actor, unit)
    with tabs["org.manage.import"]:
        _import(actor)


def _unit_fields(prefix: str, level: str, unit: org_units.UnitPublic | None = None) -> dict:
    """The fields every unit has, pre-filled from `unit` when editing."""
    kinds = _kind_options(level)
    values = {"name": st.text_input(t("org.field.name"), value=unit.name if unit else "", max_chars=100,
                                    key=f"{prefix}_name")}
    if level in ("street", "community"):
        keys = list(kinds)
        current = unit.kind if unit and unit.kind in kinds else keys[0]
        values["kind"] = st.selectbox(t("org.field.kind"), keys, index=keys.index(current), format_func=kinds.get,
                                      key=f"{prefix}_kind", placeholder=t("common.choose"))
    if level == "street":
        values["pilot"] = st.checkbox(t("org.field.pilot"), value=bool(unit and unit.pilot), key=f"{prefix}_pilot")
    if level in ("community", "grid"):
        left, right = st.columns(2)
        values["households"] = left.number_input(t("org.field.households"), min_value=0, step=1, format="%d",
                                                 value=unit.households if unit else None, key=f"{prefix}_households")
        values["population"] = right.number_input(t("org.field.population"), min_value=0, step=1, format="%d",
                                                  value=unit.population if unit else None, key=f"{prefix}_population")
    return values


def _add_form(actor: Actor, parent: org_units.UnitPublic) -> None:
    level = unit_registry.CHILD_LEVEL.get(parent.level)
    if level is None:
        _roster_form(actor, parent)
        return
    st.caption(t("org.manage.add_caption", parent=md_escape(parent.name), level=t(f"level.{level}")))
    with st.form("org_add", clear_on_submit=False):
        code = st.text_input(t("org.field.code"), max_chars=32, key="org_add_code", placeholder=f"{parent.code}001")
        values = _unit_fields("org_add", level)
        submitted = st.form_submit_button(t("org.manage.submit_add"), type="primary")
    if submitted:
        data = {**values, "code": code, "level": level, "parent_code": parent.code}
        attempt(lambda: unit_registry.create_unit(store.engine(), actor=actor, data=data), area="org_units",
                flash_key=FLASH, field_prefix=FIELD_PREFIX,
                done=lambda made: t("org.manage.added", name=md_escape(made.name), code=made.code))


def _edit_form(actor: Actor, unit: org_units.UnitPublic) -> None:
    if unit.level == "root":
        st.info(t("org.manage.root_fixed"))
        return
    with st.form(f"org_edit_{unit.id}"):
        values = _unit_fields(f"org_edit_{unit.id}", unit.level, unit)
        submitted = st.form_submit_button(t("org.manage.submit_edit"), type="primary")
    if submitted:
        attempt(lambda: unit_registry.update_unit(store.engine(), actor=actor, unit_id=unit.id, data=values),
                area="org_units", flash_key=FLASH, field_prefix=FIELD_PREFIX,
                done=lambda saved: t("org.manage.saved", name=md_escape(saved.name)))
    key, label = ("org.manage.deactivated", "org.manage.deactivate") if unit.active else (
        "org.manage.activated", "org.manage.activate")
    if st.button(t(label), key=f"org_active_{unit.id}", icon=":material/block:" if unit.active else ":material/check:"):
        attempt(lambda: unit_registry.set_unit_active(store.engine(), actor=actor, unit_id=unit.id,
                                                      active=not unit.active),
                area="org_units", flash_key=FLASH, field_prefix=FIELD_PREFIX,
                done=lambda changed: t(key, name=md_escape(changed.name)))


def _move_form(actor: Actor, unit: org_units.UnitPublic) -> None:
    """Another parent of the same level, and why; the db layer checks level, scope, activity and the rest."""
    level = unit_registry.PARENT_LEVEL[unit.level]
    st.caption(t("org.move.caption", name=md_escape(unit.name), level=t(f"level.{level}")))
    parents = org_units.units_in_scope(store.engine(), actor=actor, levels=(level,))
    parents = parents[parents["id"] != unit.parent_id]
    if parents.empty:
        st.info(t("org.move.no_parent", level=t(f"level.{level}")))
        return
    labels = {code: f"{name}（{code}）" for code, name in zip(parents["code"], parents["name"])}
    with st.form(f"org_move_{unit.id}"):
        parent = st.selectbox(t("org.move.parent"), list(labels), index=None, format_func=labels.get,
                              placeholder=t("org.move.parent_placeholder"), key="org_move_parent")
        reason = st.text_input(t("org.field.reason"), max_chars=200, key="org_move_reason")
        submitted = st.form_submit_button(t("org.move.submit"), type="primary")
    if submitted:
        attempt(lambda: unit_registry.move_unit(store.engine(), actor=actor, unit_id=unit.id,
                                                data={"parent_code": parent, "reason": reason}),
                area="org_units", flash_key=FLASH, field_prefix=FIELD_PREFIX,
                done=lambda moved: t("org.move.done", name=md_escape(moved.name), parent=md_escape(labels[parent])),
                # the grid figures and the organizations' districts follow the unit
                before_rerun=lambda _: (caching.clear("grids"), caching.clear("pipeline")))


def _moves(actor: Actor, unit: org_units.UnitPublic) -> None:
    frame = org_units.moves(store.engine(), actor=actor, unit=unit)
    if frame.empty:
        return
    lg = lang()
    frame["when"] = [formatting.moment(m, lg) for m in frame["moved_at"]]
    frame["from"] = [f"{name}（{code}）" for code, name in zip(frame["from_code"], frame["from_name"])]
    frame["to"] = [f"{name}（{code}）" for code, name in zip(frame["to_code"], frame["to_name"])]
    st.subheader(t("org.move.history"), anchor=False)
    st.dataframe(tables.labelled(frame, {"when": "org.move.col.moved_at", "from": "org.move.col.from",
                                         "to": "org.move.col.to", "username": "org.move.col.username",
                                         "reason": "org.move.col.reason"}),
                 hide_index=True, width="stretch", key="org_moves")


def _roster_form(actor: Actor, grid: org_units.UnitPublic) -> None:
    """A grid has no sub-units: its roster is what an admin adds to (one 网格长, any number of 网格员)."""
    roles = {role: t(f"org.staff.{role}") for role in grid_roster.STAFF_ROLES}
    with st.form(f"staff_add_{grid.id}"):
        role = st.radio(t("org.col.role"), list(roles), format_func=roles.get, horizontal=True, index=1,
                        key="staff_role")
        name = st.text_input(t("org.col.name"), max_chars=40, key="staff_name")
        duty = st.text_input(t("org.col.duty"), max_chars=40, key="staff_duty")
        phone = st.text_input(t("org.col.phone"), max_chars=20, key="staff_phone", placeholder="13800000000")
        submitted = st.form_submit_button(t("org.staff.add"), type="primary")
    if submitted:
        data = {"role": role, "name": name, "duty": duty, "phone": phone}
        attempt(lambda: grid_roster.add_staff(store.engine(), actor=actor, grid_id=grid.id, data=data),
                area="org_units", flash_key=FLASH, field_prefix="org.staff.field.",
                done=t("org.staff.added", name=md_escape(name.strip())))
    frame = org_units.roster(store.engine(), actor=actor, grid=grid)
    if frame.empty:
        return
    people = {int(r.id): f"{t(f'org.staff.{r.role}')} · {r.name}" for r in frame.itertuples()}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(t("org.staff.pick"), list(people), format_func=people.get, key="staff_pick",
                            placeholder=t("common.choose"))
    if right.button(t("org.staff.remove"), key="staff_remove", icon=":material/person_remove:"):
        attempt(lambda: grid_roster.set_staff_active(store.engine(), actor=actor, staff_id=chosen, active=False),
                area="org_units", flash_key=FLASH, done=t("org.staff.removed"))


def _sheet_builder(actor: Actor, kind: str):
    """The file is built only when its button is clicked: bind what it needs now."""
    engine, lg = store.engine(), lang()
    name = t(f"org.manage.{kind}_name")
    title = tables.file_title(name, actor)

    def build() -> bytes:
        if kind == "roster":
            frame = grid_roster.roster_sheet(engine, actor=actor, lang=lg)
        else:
            frame = unit_registry.unit_sheet(engine, actor=actor, lang=lg, template=kind == "template")
        return exports.excel_bytes({name: frame}, title=title)

    return build


def _import(actor: Actor) -> None:
    st.caption(t("org.manage.import_caption"))
    columns = st.columns(3)
    for column, kind in zip(columns, ("template", "export", "roster")):
        tables.download_button(column, t(f"org.manage.{kind}"), data=_sheet_builder(actor, kind),
                               file_name=f"{t(f'org.manage.{kind}_name')}.xlsx", mime=exports.XLSX_MIME,
                               key=f"org_{kind}", icon=":material/download:")
    what = {"units": t("org.manage.import_units"), "roster": t("org.manage.import_roster")}
    target = st.radio(t("org.manage.import_what"), list(what), format_func=what.get, horizontal=True,
                      key="org_import_what")
    load = grid_roster.import_roster if target == "roster" else unit_registry.import_units
    done = import_file(lambda data, name: load(store.engine(), actor=actor, data=data, filename=name),
                       key="org_import", area="org_units",
                       field_prefix="org.staff.field." if target == "roster" else FIELD_PREFIX)
    if done is not None:
        st.success(t("org.manage.imported", rows=done.rows, created=done.created, updated=done.updated))
