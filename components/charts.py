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
