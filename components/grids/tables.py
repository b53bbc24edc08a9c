"""Grid indicators shown to people: names and units in the user's language, values formatted the
way officials read them (funds in 万元, ratios in %), tables shaded by status against target."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from pandas.io.formats.style import Styler

from components import formatting
from components.i18n import lang, t

SHADE = {"green": "background-color: #d8f0df", "amber": "background-color: #fcebc4", "red": "background-color: #f6d2d2",
         "not_due": "background-color: #ececec"}
METRIC_COLOR = {"green": "green", "amber": "orange", "red": "red", "not_due": "gray", None: "gray"}


def shown(defs: pd.DataFrame) -> pd.DataFrame:
    """The indicators a dashboard shows (not the inputs behind the ratios)."""
    return defs[defs["displayed"].astype(bool)]


def name(indicator: pd.Series) -> str:
    return indicator["name"] if lang() == "zh" else indicator["name_en"]


def unit_of(indicator: pd.Series) -> str:
    return indicator["unit"] if lang() == "zh" else indicator["unit_en"]


def is_ratio(indicator: pd.Series) -> bool:
    return indicator["kind"] != "sum"


def is_money(indicator: pd.Series) -> bool:
    return indicator["code"] == "funds"


def status_text(status: str | None) -> str:
    return t(f"grid.status.{status or 'none'}")


@lru_cache(maxsize=4096)
def _formatted(kind: str, value: float, lg: str, unit: str) -> str:
    """Babel parses its locale on every call; a dashboard rerun formats the same figures again."""
    if kind == "percent":
        return formatting.percent(value, lg)
    if kind == "percent0":
        return formatting.percent(value, lg, 0)
    if kind == "money":
        return formatting.wan_yuan(int(value), lg)
    if kind == "wan":  # funds in a heading that already says 万元
        return formatting.number(value / 10_000, lg, 2)
    digits = 1 if kind == "number1" else 0
    text = formatting.number(value if digits else int(value), lg, digits)
    return f"{text} {unit}" if unit else text


def value_text(indicator: pd.Series, value, *, per_grid: bool = False) -> str:
    """One value as a sentence would show it: 87.3%, 1,234 场, 623.4 万元."""
    if value is None or pd.isna(value):
        return "—"
    if is_ratio(indicator):
        kind = "percent"
    elif is_money(indicator) and not per_grid:
        kind = "money"
    else:
        kind = "number1" if per_grid else "number0"
    return _formatted(kind, float(value), lang(), unit_of(indicator))


def metric_text(indicator: pd.Series, value) -> str:
    """The short form for a metric card, whose label carries the unit: 87.3%, 1,234, 623.44."""
    if value is None or pd.isna(value):
        return "—"
    if is_ratio(indicator):
        return _formatted("percent", float(value), lang(), "")
    return _formatted("wan" if is_money(indicator) else "number0", float(value), lang(), "")


def metric_label(indicator: pd.Series) -> str:
    if is_ratio(indicator):
        return name(indicator)
    if is_money(indicator):
        return t("grid.col.unit_wan", name=name(indicator))
    return t("grid.metric.label", name=name(indicator), unit=unit_of(indicator))


def target_text(indicator: pd.Series) -> str:
    target = indicator["target"]
    if target is None or pd.isna(target):
        return "—"
    return _formatted("percent0" if is_ratio(indicator) else "number0", float(target), lang(), unit_of(indicator))


def heading(indicator: pd.Series, *, per_grid: bool = False) -> str:
    label = name(indicator)
    if per_grid and not is_ratio(indicator):
        return t("grid.col.per_grid", name=label)
    if is_ratio(indicator):
        return t("grid.col.unit_pct", name=label)
    if is_money(indicator):
        return t("grid.col.unit_wan", name=label)
    return label


def table_value(indicator: pd.Series, value, *, per_grid: bool = False):
    """A sortable number in the unit of the heading: % for ratios, 万元 for funds totals."""
    if value is None or pd.isna(value):
        return None
    if is_ratio(indicator):
        return round(float(value) * 100, 1)
    if per_grid:
        return round(float(value), 1)
    if is_money(indicator):
        return round(int(value) / 10_000, 2)
    return int(value)


def indicator_table(frame: pd.DataFrame, defs: pd.DataFrame, labels: dict[str, str], *,
                    per_grid: bool = False, count_green: bool = True) -> Styler:
    """The label columns (column → text key), then each shown indicator under its heading, every
    cell shaded by its status; numbers keep their type so the columns still sort."""
    values = {t(key): frame[col].tolist() for col, key in labels.items()}
    css = {column: [""] * len(frame) for column in values}
    formats, greens = {}, [0] * len(frame)
    reported = (frame["reports"] > 0).tolist()
    for _, indicator in shown(defs).iterrows():
        code = indicator["code"]
        column = heading(indicator, per_grid=per_grid)
        source = f"{code}_per_grid" if per_grid and not is_ratio(indicator) else code
        # no report is no figure, not a zero
        cells = [table_value(indicator, v, per_grid=per_grid) if has or indicator["kind"] == "reporting" else None
                 for v, has in zip(frame[source].tolist(), reported)]
        if per_grid or is_ratio(indicator) or is_money(indicator):
            values[column] = pd.array(cells, dtype="float64")
            formats[column] = "{:,.2f}" if is_money(indicator) and not per_grid else "{:,.1f}"
        else:
            values[column] = pd.array(cells, dtype="Int64")
        statuses = frame[f"{code}_status"].tolist()
        css[column] = [SHADE.get(s, "") for s in statuses]
        greens = [g + (s == "green") for g, s in zip(greens, statuses)]
    if count_green:
        values[t("grid.col.on_target")] = greens
        css[t("grid.col.on_target")] = [""] * len(frame)
    return shade(pd.DataFrame(values), pd.DataFrame(css), formats)


def shade(values: pd.DataFrame, css: pd.DataFrame, formats: dict[str, str]) -> Styler:
    return values.style.apply(lambda _: css, axis=None).format(formats, na_rep="—")
