"""The filtered project list as officials read it: translated headings, labels instead of codes,
amounts in 万元; and the Excel / CSV files built from it. Pure: no Streamlit, so tests call it."""

from __future__ import annotations

import pandas as pd

from components import exports
from components.pipeline import labels as pipeline_labels
from components.texts import translate

# column of the list frame (or derived below) -> heading key
HEADINGS = {
    "code": "pipe.col.code", "title": "pipe.col.title", "batch": "pipe.col.batch", "domain_label": "pipe.col.domain",
    "street_name": "pipe.col.street", "unit_name": "pipe.col.unit", "contractor_name": "pipe.col.contractor",
    "catalogue": "pipe.col.catalogue", "stage_label": "pipe.col.stage", "stage_due": "pipe.col.stage_due",
    "days_late": "pipe.col.days_late", "budget_wan": "pipe.col.budget_wan", "contract_wan": "pipe.col.contract_wan",
    "disbursed_wan": "pipe.col.disbursed_wan", "personnel_wan": "pipe.col.personnel_wan",
    "fee_wan": "pipe.col.fee_wan", "started_on": "pipe.col.started_on", "ended_on": "pipe.col.ended_on",
}
MONEY = {"budget_wan": "budget", "contract_wan": "contract_amount", "disbursed_wan": "disbursed",
         "personnel_wan": "personnel_cost", "fee_wan": "management_fee"}


def wan(series: pd.Series) -> pd.Series:
    """Whole yuan -> 万元 with four decimals, so the figure stays exact to the yuan."""
    return (pd.to_numeric(series, errors="coerce") / 10_000).round(4)


def catalogue_label(code, name, service, lang: str) -> str:
    if isinstance(code, str) and code:
        return f"{code} {name}"
    return translate("pipe.catalogue.outside_label", lang, service=service or "—")


def export_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The list frame of db.pipeline.projects.list_projects, ready to show or save."""
    out = frame.copy()
    out["domain_label"] = [pipeline_labels.domain(d, lang) for d in out["domain"]]
    out["stage_label"] = [pipeline_labels.stage(s, lang) for s in out["stage"]]
    out["catalogue"] = [catalogue_label(c, n, s, lang) for c, n, s in
                        zip(out["catalogue_code"], out["catalogue_name"], out["off_catalogue_service"])]
    out["contractor_name"] = out["contractor_name"].fillna("")
    for column, source in MONEY.items():
        out[column] = wan(out[source])
    out = out[list(HEADINGS)]
    return out.rename(columns={column: translate(key, lang) for column, key in HEADINGS.items()})


STREET_HEADINGS = {"street": "pipe.col.street", "projects": "pipe.metric.projects", "overdue": "pipe.col.overdue_n",
                   "overdue_share": "pipe.col.overdue_share", "overdue_budget_wan": "pipe.col.overdue_budget_wan",
                   "budget_wan": "pipe.col.budget_wan"}


def street_frame(streets: pd.DataFrame, lang: str) -> pd.DataFrame:
    """db.pipeline.projects.by_street as officials read it: overdue projects (count, share, 万元) per street,
    most overdue first."""
    out = streets.copy()
    out["overdue_share"] = (out["overdue"] / out["projects"].where(out["projects"] > 0)).round(3)
    out["overdue_budget_wan"] = wan(out["overdue_budget"])
    out["budget_wan"] = wan(out["budget"])
    out = out.sort_values(["overdue", "projects"], ascending=False, kind="stable")[list(STREET_HEADINGS)]
    return out.rename(columns={column: translate(key, lang) for column, key in STREET_HEADINGS.items()})


def excel_file(frame: pd.DataFrame, lang: str, title: str | None = None, streets: pd.DataFrame | None = None) -> bytes:
    """The list, and with `streets` (db.pipeline.projects.by_street) a second sheet of overdue projects by street."""
    sheets = {translate("pipe.export.sheet", lang): export_frame(frame, lang)}
    if streets is not None:
        sheets[translate("pipe.export.street_sheet", lang)] = street_frame(streets, lang)
    return exports.excel_bytes(sheets, title=title)


def csv_file(frame: pd.DataFrame, lang: str) -> bytes:
    return exports.csv_bytes(export_frame(frame, lang))
