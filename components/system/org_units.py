"""The org-hierarchy page: breadcrumb, counts at each level, sub-units, grid roster. ?unit= in the URL."""

from __future__ import annotations

import streamlit as st

from components import charts, formatting, store, tables, url_state
from components.i18n import lang, t
from db import org_units
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
        st.altair_chart(
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
    frame["role"] = frame["role"].map(lambda r: t(f"org.staff.{r}"))
    frame["duty"] = frame["duty"].map(lambda d: t(f"org.duty.{d}") if d else "")
    st.dataframe(tables.labelled(frame, {"role": "org.col.role", "name": "org.col.name", "duty": "org.col.duty"}),
                 hide_index=True, width="stretch")
    st.caption(f"{t('org.col.households')}: {formatting.number(grid.households, lang())} · "
               f"{t('org.col.population')}: {formatting.number(grid.population, lang())}")
