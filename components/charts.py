"""Altair chart builders: aggregated frames in, charts out; no Streamlit, so tests can read `.to_dict()`."""

from __future__ import annotations

import altair as alt
import pandas as pd


def ranked_bars(frame: pd.DataFrame, *, label: str, value: str, title: str, label_title: str,
                value_title: str) -> alt.Chart:
    """Horizontal bars, largest first: readable with long Chinese names and tens of rows."""
    height = max(120, 30 * len(frame))
    return (
        alt.Chart(frame, title=title, height=height)
        .mark_bar(color="#2f6f9f")
        .encode(
            x=alt.X(f"{value}:Q", title=value_title),
            # every label shown (Vega drops overlapping ones by default); the names say what the axis is
            y=alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False)),
            tooltip=[alt.Tooltip(f"{label}:N", title=label_title), alt.Tooltip(f"{value}:Q", title=value_title)],
        )
    )


def paired_bars(frame: pd.DataFrame, *, label: str, series: dict[str, str], title: str, label_title: str,
                value_title: str) -> alt.Chart:
    """Two or three measures side by side per row (e.g. budget beside disbursed, in 万元), rows in the
    frame's order: `series` maps each column to its legend name."""
    long = frame.melt(id_vars=[label], value_vars=list(series), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(series)
    order = list(frame[label])
    height = max(140, 24 * len(frame) * len(series))
    return (
        alt.Chart(long, title=title, height=height)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=value_title),
            y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False)),
            yOffset=alt.YOffset("measure:N", sort=list(series.values())),
            color=alt.Color("measure:N", sort=list(series.values()), title=None,
                            scale=alt.Scale(range=["#9ec3de", "#2f6f9f", "#e07b39"]),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip(f"{label}:N", title=label_title), alt.Tooltip("measure:N", title=value_title),
                     alt.Tooltip("value:Q", title=" ", format=",.2f")],
        )
    )


def monthly_lines(frame: pd.DataFrame, *, month: str, series: dict[str, str], title: str, month_title: str,
                  value_title: str) -> alt.Chart:
    """Two or three measures over the months as lines with points (e.g. raised beside granted, in 万元): one
    row per month in, `series` maps each column to its legend name."""
    long = frame.melt(id_vars=[month], value_vars=list(series), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(series)
    return (
        alt.Chart(long, title=title, height=260)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{month}:O", title=month_title, axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
            y=alt.Y("value:Q", title=value_title),
            color=alt.Color("measure:N", sort=list(series.values()), title=None,
                            scale=alt.Scale(range=["#2f6f9f", "#e07b39", "#9ec3de"]), legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip(f"{month}:O", title=month_title), alt.Tooltip("measure:N", title=" "),
                     alt.Tooltip("value:Q", title=value_title, format=",.2f")],
        )
    )
