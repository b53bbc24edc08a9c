"""Altair builders for the pipeline area: aggregated frames in, charts out, no Streamlit (tests can
read `.to_dict()`). Bars are horizontal so Chinese labels read without rotation."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components import charts

BLUE = "#2f6f9f"
RED = "#c0392b"


def ordered_bars(frame: pd.DataFrame, *, label: str, value: str, title: str, label_title: str,
                 value_title: str, order: list[str], value_format: str = ",.0f") -> alt.LayerChart:
    """Horizontal bars in a fixed order (the pipeline's stage order), each with its figure at the end."""
    # no axis title: the names say what they are, and a rotated Chinese title only costs width
    base = alt.Chart(frame, height=charts.rows_height(len(frame))).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=charts.category_axis()),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[alt.Tooltip(f"{label}:N", title=label_title),
                 alt.Tooltip(f"{value}:Q", title=value_title, format=value_format)],
    )
    bars = base.mark_bar(color=BLUE)
    text = base.mark_text(align="left", dx=3, color="#333").encode(text=alt.Text(f"{value}:Q", format=value_format))
    return charts.finish(alt.layer(bars, text).properties(title=charts.heading(title)))


def stage_pipeline(frame: pd.DataFrame, *, title: str, stage_title: str, projects_title: str,
                   overdue_title: str, order: list[str]) -> alt.Chart:
    """Projects per stage, the overdue part of each bar in red: the pipeline at a glance."""
    long = pd.concat([
        pd.DataFrame({"stage": frame["stage_label"], "part": overdue_title, "n": frame["overdue"]}),
        pd.DataFrame({"stage": frame["stage_label"], "part": projects_title,
                      "n": frame["projects"] - frame["overdue"]}),
    ])
    return charts.finish(
        alt.Chart(long, title=charts.heading(title), height=charts.rows_height(len(frame)))
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=order, title=None, axis=charts.category_axis()),
            x=alt.X("sum(n):Q", title=projects_title),
            color=alt.Color("part:N", scale=alt.Scale(domain=[projects_title, overdue_title], range=[BLUE, RED]),
                            legend=alt.Legend(title=None, orient="bottom")),
            order=alt.Order("part:N", sort="descending"),
            tooltip=[alt.Tooltip("stage:N", title=stage_title), alt.Tooltip("part:N", title=" "),
                     alt.Tooltip("sum(n):Q", title=projects_title)],
        )
    )


def overdue_by_street(frame: pd.DataFrame, *, title: str, street_title: str, overdue_title: str,
                      projects_title: str, budget_title: str) -> alt.LayerChart:
    """Overdue projects counted per street (the streets with any), most first, the count at each bar's end;
    the tooltip adds the street's projects and the overdue budget (万元)."""
    shown = frame[frame["overdue"] > 0]
    base = alt.Chart(shown, height=max(140, 30 * len(shown))).encode(
        y=alt.Y("street:N", sort="-x", title=street_title, axis=alt.Axis(labelLimit=200, labelAngle=0)),
        x=alt.X("overdue:Q", title=overdue_title, axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[alt.Tooltip("street:N", title=street_title), alt.Tooltip("overdue:Q", title=overdue_title),
                 alt.Tooltip("projects:Q", title=projects_title),
                 alt.Tooltip("overdue_budget_wan:Q", title=budget_title, format=",.1f")],
    )
    text = base.mark_text(align="left", dx=3, color="#333").encode(text=alt.Text("overdue:Q", format="d"))
    return alt.layer(base.mark_bar(color=RED), text, title=title)
