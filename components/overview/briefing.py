"""The overview in words and tables, shared by the home page and the briefing files
(components/overview/briefing_files.py): headline rows against last year, the alert sentences, labelled tables
(amounts in 万元) and the charts. Pure functions of an Overview and a language, no Streamlit."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import altair as alt
import pandas as pd

from components import charts, formatting
from components.pipeline.labels import domain as domain_label
from components.pipeline.labels import grade as rating_label
from components.pipeline.labels import stage as stage_label
from components.texts import translate
from db.overview.headline import Overview

WAN = 10_000


def tr_for(lang: str):
    return lambda key, **params: translate(key, lang, **params)


def _ratio(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def scope_title(ov: Overview, lang: str) -> str:
    tr = tr_for(lang)
    name = tr("level.root") if ov.scope.level == "root" else ov.scope.name
    return tr("ov.scope_year", scope=name, year=ov.year)


def has_grid_data(ov: Overview) -> bool:
    return int(ov.grid_summary.get("reports", 0) or 0) > 0


# --- headline -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    key: str  # text key of the label
    value: str  # this year, formatted
    last_year: str
    delta: str | None  # change against last year (to the same day, in a year still running), or None
    same_period: str | None = None  # last year to the same day, in a year still running ("—": not kept)


def _delta_number(this, last, lang: str, digits: int = 0) -> str | None:
    if this is None or last is None:
        return None
    change = this - last
    return ("+" if change > 0 else "") + formatting.number(change, lang, digits)


def _delta_wan(this: int, last: int, lang: str) -> str:
    """A change of an amount, in whole 万元 with the unit."""
    return formatting.money_delta(this - last, lang)


def _delta_points(this, last, lang: str) -> str | None:
    """A change of a rate in percentage points."""
    this, last = _ratio(this), _ratio(last)
    if this is None or last is None:
        return None
    change = (this - last) * 100
    return translate("ov.unit.points", lang, n=("+" if change > 0 else "") + formatting.number(change, lang, 1))


def headlines(ov: Overview, lang: str) -> list[Headline]:
    """The figures leadership compares with last year, in display order."""
    p, q = ov.pipeline, ov.pipeline_last_year
    r, s = ov.results, ov.results_last_year
    g, h = ov.grid_summary, ov.grid_summary_last_year
    wan = lambda yuan: formatting.wan_yuan(yuan, lang)  # noqa: E731
    rows = [
        Headline("ov.h.projects", formatting.number(p.projects, lang), formatting.number(q.projects, lang),
                 _delta_number(p.projects, q.projects, lang)),
        Headline("ov.h.budget", wan(p.budget), wan(q.budget), _delta_wan(p.budget, q.budget, lang)),
        Headline("ov.h.contracted", wan(p.contracted), wan(q.contracted), _delta_wan(p.contracted, q.contracted, lang)),
        Headline("ov.h.disbursed", wan(p.disbursed), wan(q.disbursed), _delta_wan(p.disbursed, q.disbursed, lang)),
        Headline("ov.h.execution", formatting.percent(p.execution_rate, lang), formatting.percent(q.execution_rate, lang),
                 _delta_points(p.execution_rate, q.execution_rate, lang)),
        Headline("ov.h.overdue", formatting.number(p.overdue, lang), formatting.number(q.overdue, lang),
                 _delta_number(p.overdue, q.overdue, lang)),
        Headline("ov.h.evaluations", formatting.number(r.completed, lang), formatting.number(s.completed, lang),
                 _delta_number(r.completed, s.completed, lang)),
        Headline("ov.h.mean_result", formatting.number(r.mean_result, lang, 1), formatting.number(s.mean_result, lang, 1),
                 _delta_number(r.mean_result, s.mean_result, lang, 1)),
        Headline("ov.h.failed", formatting.number(r.grades.get("fail", 0), lang),
                 formatting.number(s.grades.get("fail", 0), lang),
                 _delta_number(r.grades.get("fail", 0), s.grades.get("fail", 0), lang)),
        Headline("ov.h.resolution", formatting.percent(_ratio(g.get("resolution_rate")), lang),
                 formatting.percent(_ratio(h.get("resolution_rate")), lang),
                 _delta_points(g.get("resolution_rate"), h.get("resolution_rate"), lang)),
        Headline("ov.h.on_time", formatting.percent(_ratio(g.get("on_time_rate")), lang) if has_grid_data(ov) else "—",
                 formatting.percent(_ratio(h.get("on_time_rate")), lang) if int(h.get("reports", 0) or 0) else "—",
                 _delta_points(g.get("on_time_rate"), h.get("on_time_rate"), lang)
                 if has_grid_data(ov) and int(h.get("reports", 0) or 0) else None),
    ]
    return like_for_like(ov, rows, lang) if ov.partial else rows


# While a year runs, only what records its day (a project's creation, an evaluation's completion) is compared,
# with last year to the same day; the rest (money paid, stages late, means and rates over part of a year)
# has no like-for-like figure and shows beside last year's whole, without a change.
SAME_PERIOD = ("ov.h.projects", "ov.h.budget", "ov.h.evaluations")


def like_for_like(ov: Overview, rows: list[Headline], lang: str) -> list[Headline]:
    """A year still running against the same months of the last: never a part against a whole."""
    y = ov.last_year_to_date
    same = {"ov.h.projects": (ov.pipeline.projects, y.projects, formatting.number(y.projects, lang)),
            "ov.h.budget": (ov.pipeline.budget, y.budget, formatting.wan_yuan(y.budget, lang)),
            "ov.h.evaluations": (ov.results.completed, y.evaluations, formatting.number(y.evaluations, lang))}
    out = []
    for h in rows:
        if h.key in same:
            this, last, text = same[h.key]
            delta = _delta_wan(this, last, lang) if h.key == "ov.h.budget" else _delta_number(this, last, lang)
            out.append(replace(h, delta=delta, same_period=text))
        else:
            out.append(replace(h, delta=None, same_period="—"))
    return out


def through(ov: Overview, lang: str) -> str:
    """The months an unfinished year is compared over, e.g. 1月1日–11月18日."""
    day = ov.today
    return translate("ov.through", lang, month=day.month, day=day.day)


def headline_table(ov: Overview, lang: str) -> pd.DataFrame:
    tr = tr_for(lang)
    rows = headlines(ov, lang)
    if not ov.partial:
        return pd.DataFrame({
            tr("ov.col.indicator"): [tr(h.key) for h in rows],
            tr("ov.col.this_year", year=ov.year): [h.value for h in rows],
            tr("ov.col.last_year", year=ov.year - 1): [h.last_year for h in rows],
            tr("ov.col.change"): [h.delta or "—" for h in rows],
        })
    span = through(ov, lang)
    return pd.DataFrame({
        tr("ov.col.indicator"): [tr(h.key) for h in rows],
        tr("ov.col.this_year_to", year=ov.year, span=span): [h.value for h in rows],
        tr("ov.col.same_period", year=ov.year - 1, span=span): [h.same_period for h in rows],
        tr("ov.col.change_same"): [h.delta or "—" for h in rows],
        tr("ov.col.whole_year", year=ov.year - 1): [h.last_year for h in rows],
    })


# --- alerts ---------------------------------------------------------------------------------------

def alert_text(kind: str, count: int, params: dict, lang: str) -> str:
    tr = tr_for(lang)
    month = params.get("month")
    return tr(f"ov.alert.{kind}", n=formatting.number(count, lang), month=month_label(month, lang) if month else "")


def month_label(month: str, lang: str) -> str:
    return f"{month[:4]}年{int(month[5:7])}月" if lang == "zh" else month


def weakest_title(ov: Overview, lang: str) -> str:
    return translate("ov.sec.weakest", lang, month=month_label(ov.weakest_month, lang))


def alert_lines(ov: Overview, lang: str) -> list[str]:
    return [alert_text(a.kind, a.count, a.params, lang) for a in ov.alerts]


# --- tables ---------------------------------------------------------------------------------------

def money_table(frame: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """Projects and amounts (万元, two decimals) per domain or street, with the execution rate."""
    tr = tr_for(lang)
    labels = [domain_label(v, lang) for v in frame["key"]] if by == "domain" else list(frame["label"])
    rate = [formatting.percent(d / b, lang) if b else "—" for d, b in zip(frame["disbursed"], frame["budget"])]
    return pd.DataFrame({
        tr(f"ov.col.{by}"): labels,
        tr("ov.col.projects"): frame["projects"].astype("int64"),
        tr("ov.col.budget_wan"): (frame["budget"] / WAN).round(2),
        tr("ov.col.contracted_wan"): (frame["contracted"] / WAN).round(2),
        tr("ov.col.disbursed_wan"): (frame["disbursed"] / WAN).round(2),
        tr("ov.col.execution"): rate,
    })


def stage_table(ov: Overview, lang: str) -> pd.DataFrame:
    tr = tr_for(lang)
    frame = ov.stages
    return pd.DataFrame({tr("ov.col.stage"): [stage_label(s, lang) for s in frame["stage"]],
                         tr("ov.col.projects"): frame["projects"], tr("ov.col.budget_wan"): (frame["budget"] / WAN).round(2),
                         tr("ov.col.overdue"): frame["overdue"]})


def contractor_table(ov: Overview, lang: str) -> pd.DataFrame:
    tr = tr_for(lang)
    frame = ov.contractors
    return pd.DataFrame({
        tr("ov.col.contractor"): frame["name"], tr("ov.col.evaluations"): frame["evaluations"],
        tr("ov.col.mean_result"): frame["mean_result"].astype(float).round(1),
        tr("ov.col.worst"): frame["worst"].astype(float).round(1),
        tr("ov.col.grade"): [tr(f"eval.grade.{g}") if g else "—" for g in frame["grade"]],
        tr("ov.col.rating"): [rating_label(r) for r in frame["rating"]],
        tr("ov.col.active_projects"): frame["active_projects"],
        tr("ov.col.year_projects", year=ov.year): frame["year_projects"],
    })


def failed_table(ov: Overview, lang: str) -> pd.DataFrame:
    tr = tr_for(lang)
    frame = ov.failed
    state = [tr("ov.rect.none") if items == 0 else tr("ov.rect.open", n=open_) if open_ else tr("ov.rect.done")
             for items, open_ in zip(frame["items"], frame["open_items"])]
    return pd.DataFrame({
        tr("ov.col.project_code"): frame["project_code"], tr("ov.col.project"): frame["project_title"],
        tr("ov.col.street"): frame["street_name"], tr("ov.col.contractor"): frame["contractor_name"].fillna("—"),
        tr("ov.col.round"): [tr(f"eval.round.{r}") for r in frame["round"]],
        tr("ov.col.result"): frame["result"].astype(float).round(1), tr("ov.col.rectification"): state,
    })


def reporting_table(ov: Overview, lang: str) -> pd.DataFrame:
    """Streets (or the scope's children) by on-time rate, latest reporters first."""
    tr = tr_for(lang)
    frame = ov.reporting.sort_values(["on_time_rate", "code"])
    return pd.DataFrame({
        tr("ov.col.unit"): frame["name"], tr("ov.col.expected"): frame["expected"],
        tr("ov.col.reports"): frame["reports"], tr("ov.col.late"): frame["late"], tr("ov.col.missing"): frame["missing"],
        tr("ov.col.on_time"): [formatting.percent(_ratio(v), lang) for v in frame["on_time_rate"]],
        tr("ov.col.completeness"): [formatting.percent(_ratio(v), lang) for v in frame["completeness"]],
    })


def weakest_table(ov: Overview, lang: str) -> pd.DataFrame:
    tr = tr_for(lang)
    frame = ov.weakest_grids
    return pd.DataFrame({
        tr("ov.col.grid"): frame["name"], tr("ov.col.street"): frame["street"],
        tr("ov.col.reported"): frame["reported"], tr("ov.col.solved"): frame["solved"],
        tr("ov.col.resolution"): [formatting.percent(_ratio(v), lang) for v in frame["rate"]],
    })


def vote_rows(ov: Overview, lang: str) -> pd.DataFrame:
    tr = tr_for(lang)
    v = ov.vote
    if v is None:
        return pd.DataFrame({tr("ov.col.item"): [tr("ov.vote.none", year=ov.year)], tr("ov.col.value"): ["—"]})
    items = [("ov.vote.campaign", v.title), ("ov.vote.status", tr(f"vote.status.{v.status}")),
             ("ov.vote.cases", formatting.number(v.cases, lang)), ("ov.vote.valid", formatting.number(v.valid, lang)),
             ("ov.vote.voters", formatting.number(v.voters, lang)), ("ov.vote.void", formatting.number(v.void, lang)),
             ("ov.vote.flags", formatting.number(v.flags, lang)),
             ("ov.vote.pending", formatting.number(v.pending_flags, lang)),
             ("ov.vote.winners", formatting.number(v.winners, lang) if v.status == "published" else "—")]
    return pd.DataFrame({tr("ov.col.item"): [tr(k) for k, _ in items], tr("ov.col.value"): [x for _, x in items]})


def community_rows(ov: Overview, lang: str) -> pd.DataFrame:
    """社区营造 this year against last: the funnel, the money (万元), the residents' rating, today's two alerts."""
    tr = tr_for(lang)
    c, d = ov.community, ov.community_last_year
    number = lambda value: formatting.number(value, lang)  # noqa: E731
    mean = lambda value: "—" if value is None else formatting.number(value, lang, 1)  # noqa: E731
    items = [("ov.cm.collected", number(c.collected), number(d.collected)),
             ("ov.cm.adopted", number(c.adopted), number(d.adopted)),
             ("ov.cm.carried_out", number(c.carried_out), number(d.carried_out)),
             ("ov.cm.evaluated", number(c.evaluated), number(d.evaluated)),
             ("ov.cm.amount", formatting.wan_yuan(c.funded_amount, lang), formatting.wan_yuan(d.funded_amount, lang)),
             ("ov.cm.rating", mean(c.rating_mean), mean(d.rating_mean)),
             ("ov.cm.waiting", number(c.waiting_late), "—"), ("ov.cm.unstarted", number(c.adopted_not_started), "—")]
    # a year still running says so in its headings: these are last year's whole figures, not a like-for-like
    this_heading = (tr("ov.col.this_year_to", year=ov.year, span=through(ov, lang)) if ov.partial
                    else tr("ov.col.this_year", year=ov.year))
    last_heading = tr("ov.col.whole_year" if ov.partial else "ov.col.last_year", year=ov.year - 1)
    return pd.DataFrame({tr("ov.col.indicator"): [tr(key) for key, _, _ in items],
                         this_heading: [this for _, this, _ in items],
                         last_heading: [last for _, _, last in items]})


def has_linkage_data(ov: Overview) -> bool:
    """Anything of 五社联动 in the scope this year or last, or an alert of it: else the Word briefing leaves the table
    out rather than print twelve zeros."""
    c, d = ov.linkage.year, ov.linkage.last_year
    return any((c.communities, d.communities, c.raised, d.raised, c.activities, d.activities,
                ov.linkage.rounds_closing, ov.linkage.quiet_funds))


def linkage_rows(ov: Overview, lang: str) -> pd.DataFrame:
    """五社联动·微创投 this year against last (the 五社联动 dashboard's figures) and today's two alerts' facts."""
    tr = tr_for(lang)
    c, d = ov.linkage.year, ov.linkage.last_year
    number = lambda value: formatting.number(value, lang)  # noqa: E731
    items = [("ov.lk.communities", number(c.communities), number(d.communities)),
             ("lk.metric.orgs", number(c.orgs_incubated), number(d.orgs_incubated)),
             ("lk.metric.workers", number(c.workers), number(d.workers)),
             ("lk.metric.enterprises", number(c.enterprises), number(d.enterprises)),
             ("ov.lk.raised", formatting.wan_yuan(c.raised, lang), formatting.wan_yuan(d.raised, lang)),
             ("lk.metric.granted", formatting.wan_yuan(c.granted, lang), formatting.wan_yuan(d.granted, lang)),
             ("ov.lk.funded", number(c.projects_funded + c.microgrant_funded),
              number(d.projects_funded + d.microgrant_funded)),
             ("ov.lk.activities", number(c.activities), number(d.activities)),
             ("lk.metric.problems", number(c.problems_solved), number(d.problems_solved)),
             ("ov.lk.people", number(c.people_served), number(d.people_served)),
             ("ov.lk.closing", number(ov.linkage.rounds_closing), "—"),
             ("ov.lk.quiet", number(ov.linkage.quiet_funds), "—")]
    return pd.DataFrame({tr("ov.col.indicator"): [tr(key) for key, _, _ in items],
                         tr("ov.col.this_year", year=ov.year): [this for _, this, _ in items],
                         tr("ov.col.last_year", year=ov.year - 1): [last for _, _, last in items]})


def alerts_table(ov: Overview, lang: str) -> pd.DataFrame:
    tr = tr_for(lang)
    lines = alert_lines(ov, lang) or [tr("ov.alert.none")]
    return pd.DataFrame({tr("ov.col.alert"): lines})


# --- charts ---------------------------------------------------------------------------------------

def money_chart(ov: Overview, by: str, lang: str) -> alt.Chart | None:
    tr = tr_for(lang)
    frame = ov.by_domain if by == "domain" else ov.by_street
    if frame.empty:
        return None
    shown = pd.DataFrame({
        "name": [domain_label(v, lang) for v in frame["key"]] if by == "domain" else frame["label"],
        "budget": frame["budget"] / WAN, "disbursed": frame["disbursed"] / WAN,
    })
    return charts.paired_bars(shown, label="name",
                              series={"budget": tr("ov.col.budget_wan"), "disbursed": tr("ov.col.disbursed_wan")},
                              title=tr(f"ov.chart.money_{by}", year=ov.year), label_title=tr(f"ov.col.{by}"),
                              value_title=tr("ov.unit.wan"))


def grade_chart(ov: Overview, lang: str) -> alt.Chart | None:
    tr = tr_for(lang)
    grades = ov.results.grades
    if not sum(grades.values()):
        return None
    frame = pd.DataFrame({"grade": [tr(f"eval.grade.{g}") for g in grades], "count": list(grades.values())})
    return charts.finish(alt.Chart(frame, title=charts.heading(tr("ov.chart.grades", year=ov.year)), height=160)
            .mark_bar(color="#2f6f9f")
            .encode(x=alt.X("grade:N", sort=list(frame["grade"]), title=None, axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("count:Q", title=tr("ov.col.evaluations")),
                    tooltip=[alt.Tooltip("grade:N", title=tr("ov.col.grade")),
                             alt.Tooltip("count:Q", title=tr("ov.col.evaluations"))]))


def chart_list(ov: Overview, lang: str) -> list[alt.Chart]:
    return [c for c in (money_chart(ov, "domain", lang), money_chart(ov, "street", lang), grade_chart(ov, lang))
            if c is not None]
