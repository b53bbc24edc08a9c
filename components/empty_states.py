"""What a page says when its area has nothing yet in the user's scope (an empty install, a street with no
project yet): one sentence and where to start, instead of a row of zeros that reads like data."""

from __future__ import annotations

import streamlit as st

from components import charts, store
from components.caching import cached
from components.i18n import t
from components.registry import PAGES
from db.access import Actor
from db.overview import reads as overview_reads

# area -> the pages where its first rows are made, offered to those who may open them
STARTS = {"projects": ("project_admin",), "social_orgs": (), "evaluations": ("evaluations",),
          "grid_reports": ("grid_entry", "grid_import"), "campaigns": ("vote_admin",)}


@cached("pipeline", "scorecards", "grids", "voting.campaigns", ttl=60)
def _presence(url: str, actor: Actor) -> dict[str, bool]:
    return overview_reads.presence(store.engine_for(url), actor=actor)


def present(actor: Actor) -> dict[str, bool]:
    """Whether each area the actor reads holds any row in their scope."""
    return _presence(store.url(), actor)


def nothing_yet(actor: Actor, area: str) -> bool:
    """True, having said so and where to start, when the actor's scope holds no row of `area` at all."""
    if present(actor).get(area, True):
        return False
    with st.container(border=True):
        st.info(t(f"empty.{area}"), icon=":material/inbox:")
        for key in STARTS[area]:
            spec = PAGES[key]
            if actor.may(spec.permission):
                st.page_link(spec.path, label=t(spec.title), icon=spec.icon)
    return True


def getting_started(actor: Actor) -> bool:
    """True, having shown where to begin, when nothing at all is in the actor's scope yet (a new install):
    the overview then shows the first steps rather than a dashboard of zeros."""
    if any(present(actor).values()):
        return False
    with st.container(border=True):
        st.info(t("empty.overview"), icon=":material/rocket_launch:")
        for key in ("users", "org_units", "project_admin", "grid_entry", "grid_import", "evaluations", "vote_admin"):
            spec = PAGES[key]
            if actor.may(spec.permission):
                st.page_link(spec.path, label=t(spec.title), icon=spec.icon)
    return True


def _rows(chart) -> int | None:
    """How many rows a chart (Altair, or its Vega-Lite dict) is drawn from; None when it cannot tell."""
    if isinstance(chart, dict):
        sets = chart.get("datasets")
        return sum(len(rows) for rows in sets.values()) if sets else None
    data = getattr(chart, "data", None)
    if hasattr(data, "__len__") and not isinstance(data, str):
        return len(data)
    layers = getattr(chart, "layer", None)
    return max((_rows(layer) or 0) for layer in layers) if layers else None


def chart(chart, *, where=None, **kwargs) -> None:
    """Draw a chart (Altair or a Vega-Lite dict), or, when it has no rows, say so and why in its place
    rather than leave an empty frame."""
    where = where or st
    if _rows(chart) == 0:
        title = chart.get("title") if isinstance(chart, dict) else getattr(chart, "title", None)
        text = title.get("text") if isinstance(title, dict) else getattr(title, "text", title)
        text = "".join(text) if isinstance(text, list) else (text if isinstance(text, str) else "")
        where.info(t("chart.empty", title=text or t("chart.this")), icon=":material/bar_chart:")
        return
    kwargs.setdefault("width", "stretch")
    if isinstance(chart, dict):
        where.vega_lite_chart(chart, **kwargs)
    else:
        # the check reads the spec unvalidated: altair_chart validates it once anyway, and a second schema check
        # cost ~100 ms of a cold run on a page of three charts
        where.altair_chart(charts.finish(chart) if "autosize" not in chart.to_dict(validate=False) else chart, **kwargs)
