"""The home page after sign-in: a welcome, the scope at a glance, and the role's pages."""

from __future__ import annotations

import streamlit as st

from components import formatting, store
from components.i18n import lang, t
from components.overview import dashboard as overview_view
from components.registry import pages_for
from components.safe_text import md_escape
from db import org_units
from db.access import Actor


def render(actor: Actor) -> None:
    if actor.role in ("admin", "leader"):
        overview_view.render(actor)
        return
    st.title(t("app.name"))
    st.caption(t("app.tagline"))
    st.subheader(t("auth.welcome", name=md_escape(actor.display_name)), anchor=False)
    if actor.role in ("street", "community"):
        engine = store.engine()
        unit = org_units.scope_unit(engine, actor=actor)
        counts = org_units.level_counts(engine, actor=actor, unit=unit)
        lg = lang()
        items = [("org.metric.districts", counts["district"]), ("org.metric.streets", counts["street"]),
                 ("org.metric.communities", counts["community"]), ("org.metric.grids", counts["grid"]),
                 ("org.metric.leaders", counts["staff_leader"])]
        items = [(key, value) for key, value in items if value]
        for column, (key, value) in zip(st.columns(len(items)), items):
            column.metric(t(key), formatting.number(value, lg))
    for spec in pages_for(actor.role):
        if spec.key != "home":
            st.page_link(spec.path, label=t(spec.title), icon=spec.icon)
