"""Altair charts of the grid indicators, built from SQL aggregates (tens to hundreds of points);
no Streamlit here, so tests can read `.to_dict()`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components import charts

STATUS_COLORS = {"green": "#3a9a5b", "amber": "#e0a526", "red": "#c8453f"}
TREND_HEIGHT = 260


def heatmap_height(frame: pd.DataFrame) -> int:
    return charts.rows_height(frame["name"].nunique(), minimum=160)


def bars_height(frame: pd.DataFrame) -> int:
    return charts.rows_height(len(frame), step=32)


def trend_line(frame: pd.DataFrame, *, title: str, period_title: str, value_title: str, series_title: str,
               value_label: str, target_label: str, percent: bool) -> alt.Chart:
    """The unit's monthly values with the target as a dashed line."""
    long = pd.concat([
        pd.DataFrame({"period": frame["period"], "value": frame["value"], "series": value_label}),
        pd.DataFrame({"period": frame["period"], "value": frame["target"], "series": target_label}),
    ]).dropna(subset=["value"])
    fmt = ".0%" if percent else ",.0f"
    base = alt.Chart(long, title=charts.heading(title), height=TREND_HEIGHT).encode(
        x=alt.X("period:O", title=period_title, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("value:Q", title=value_title, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=not percent)),
        color=alt.Color("series:N", title=series_title, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=[value_label, target_label], range=["#2f6f9f", "#9a9a9a"])),
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=[value_label, target_label],
                                                                           range=[[1, 0], [5, 4]])),
        tooltip=[alt.Tooltip("period:O", title=period_title), alt.Tooltip("series:N", title=series_title),
                 alt.Tooltip("value:Q", title=value_title, format=".1%" if percent else ",.1f")],
    )
    return charts.finish(base.mark_line(point=True))


def heatmap(frame: pd.DataFrame, *, title: str, unit_title: str, period_title: str, value_title: str,
            percent: bool) -> alt.Chart:
    """Units (rows, in the given order) × months, coloured by value."""
    order = list(dict.fromkeys(frame["name"]))
    fmt = ".1%" if percent else ",.1f"
    return charts.finish(
        alt.Chart(frame, title=charts.heading(title), height=heatmap_height(frame))
        .mark_rect()
        .encode(
            x=alt.X("period:O", title=period_title, axis=alt.Axis(labelAngle=-45)),
            # the names say what they are; a rotated Chinese axis title only costs width
            y=alt.Y("name:N", title=None, sort=order, axis=charts.category_axis()),
            color=alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="blues"),
                            legend=alt.Legend(format=".0%" if percent else ",.0f")),
            tooltip=[alt.Tooltip("name:N", title=unit_title), alt.Tooltip("period:O", title=period_title),
                     alt.Tooltip("value:Q", title=value_title, format=fmt)],
        )
    )


def type_bars(frame: pd.DataFrame, *, title: str, label_title: str, value_title: str, percent: bool) -> alt.Chart:
    """One indicator per community type, horizontal bars coloured by status."""
    return charts.finish(
        alt.Chart(frame, title=charts.heading(title), height=bars_height(frame))
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=value_title, axis=alt.Axis(format=".0%" if percent else ",.0f")),
            y=alt.Y("label:N", title=None, sort="-x", axis=charts.category_axis()),
            color=alt.Color("status:N", legend=None, scale=alt.Scale(domain=list(STATUS_COLORS),
                                                                     range=list(STATUS_COLORS.values()))),
            tooltip=[alt.Tooltip("label:N", title=label_title),
                     alt.Tooltip("value:Q", title=value_title, format=".1%" if percent else ",.1f")],
        )
    )
