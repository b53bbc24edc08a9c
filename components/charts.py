"""Altair chart builders: aggregated frames in, charts out; no Streamlit, so tests can read `.to_dict()`."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Width follows the column; the height is the plot's own and the axes, title and legend are added to it.
# Streamlit's default ("fit") squeezes everything into an element height measured before the chart is
# drawn: eight stages came out as a 60-pixel strip with two labels left.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
ROW_STEP = 28  # pixels per category row: room for one line of Chinese at the axis' font size
TITLE_WIDTH = 34  # a title line, in half-width characters (a CJK character counts two): fits a third of 1280 px


def rows_height(rows: int, *, step: int = ROW_STEP, minimum: int = 120) -> int:
    """A plot's height from its number of category rows, so every label has its own line."""
    return max(minimum, step * max(int(rows), 1))


def title_lines(text: str, width: int = TITLE_WIDTH) -> list[str]:
    """A chart title broken into lines that fit a column (Vega neither wraps nor shrinks a title): at
    spaces in English, anywhere between CJK characters, never inside a number or a word."""
    lines, line, size = [], "", 0
    for token in _tokens(text):
        cost = sum(2 if _wide(ch) else 1 for ch in token)
        if line and size + cost > width:
            lines.append(line.rstrip())
            line, size = token.lstrip(), cost
        else:
            line, size = line + token, size + cost
    if line.strip():
        lines.append(line.rstrip())
    return lines or [text]


def _wide(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def _tokens(text: str) -> list[str]:
    """Breakable pieces: each CJK character alone, a Latin word or number with its following space."""
    tokens, word = [], ""
    for ch in text:
        if _wide(ch):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
            if ch == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


def heading(text: str) -> alt.TitleParams:
    """A chart title on lines that fit its column, left-aligned like the page's headings."""
    return alt.TitleParams(title_lines(text), anchor="start")


def category_axis(**more) -> alt.Axis:
    """The axis of category names: every label shown (Vega drops overlapping ones by default), level, long
    names kept whole."""
    return alt.Axis(labelLimit=260, labelOverlap=False, labelAngle=0, **more)


def finish(chart):
    """Any chart as the page draws it: width fitted to the column, the plot's height kept."""
    return chart.properties(autosize=FIT_WIDTH)


def ranked_bars(frame: pd.DataFrame, *, label: str, value: str, title: str, label_title: str,
                value_title: str) -> alt.Chart:
    """Horizontal bars, largest first: readable with long Chinese names and tens of rows."""
    return finish(
        alt.Chart(frame, title=heading(title), height=rows_height(len(frame)))
        .mark_bar(color="#2f6f9f")
        .encode(
            x=alt.X(f"{value}:Q", title=value_title),
            # every label shown (Vega drops overlapping ones by default); the names say what the axis is
            y=alt.Y(f"{label}:N", sort="-x", title=None, axis=category_axis()),
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
    height = rows_height(len(frame) * len(series), step=16, minimum=140)
    return finish(
        alt.Chart(long, title=heading(title), height=height)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=value_title),
            y=alt.Y(f"{label}:N", sort=order, title=None, axis=category_axis()),
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
    return finish(
        alt.Chart(long, title=heading(title), height=260)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{month}:O", title=month_title, axis=alt.Axis(labelAngle=-45, labelOverlap="greedy")),
            y=alt.Y("value:Q", title=value_title),
            color=alt.Color("measure:N", sort=list(series.values()), title=None,
                            scale=alt.Scale(range=["#2f6f9f", "#e07b39", "#9ec3de"]), legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip(f"{month}:O", title=month_title), alt.Tooltip("measure:N", title=" "),
                     alt.Tooltip("value:Q", title=value_title, format=",.2f")],
        )
    )
