"""The naive way: each page's main figures computed by reading whole tables into pandas
(`SELECT * FROM t`) and filtering, joining and grouping there, as a first dashboard would. No stored
totals, flags or counters are trusted: scorecard totals are summed from the scores, the newest rating
is ranked from the history. Each function returns a small dict of figures, so it is really computed."""

from __future__ import annotations

import gc
import time
from typing import Callable

import pandas as pd
from sqlalchemy.engine import Engine

from db.pipeline import rules as prules
from db.scorecards import rules as srules


def read(engine: Engine, table: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(f'SELECT * FROM "{table}"', conn.connection.driver_connection
                           if engine.dialect.name == "sqlite" else conn)


def _units(engine):
    return read(engine, "org_unit")


def home(engine, q):
    units = _units(engine)
    staff = read(engine, "grid_staff")
    return {"levels": units.groupby("level").size().to_dict(), "leaders": int((staff["role"] == "leader").sum())}


def org_units(engine, q):
    units, staff = _units(engine), read(engine, "grid_staff")
    grids = units[units["level"] == "grid"]
    by_district = grids.groupby("district_id").agg(grids=("id", "size"), households=("households", "sum"))
    staff = staff.merge(grids[["id", "district_id"]], left_on="grid_id", right_on="id")
    return {"children": len(by_district), "staff": staff.groupby("district_id").size().sum()}


def _projects(engine, q):
    projects = read(engine, "project")
    if q.get("year"):
        projects = projects[projects["year"] == int(q["year"])]
    return projects


def projects(engine, q):
    p, units = _projects(engine, q), _units(engine)
    today = pd.Timestamp.today().normalize()
    due = pd.to_datetime(p["stage_due"])
    streets = p.merge(units[["id", "name"]], left_on="street_id", right_on="id")
    return {"count": len(p), "budget": int(p["budget"].sum()), "overdue": int((due < today).sum()),
            "stages": p.groupby("stage")["budget"].agg(["size", "sum"]).shape[0],
            "domains": p.groupby("domain")["budget"].sum().shape[0],
            "streets": streets.groupby("name")["budget"].sum().shape[0],
            "list": len(p.sort_values("code"))}


def project_detail(engine, q):
    p = read(engine, "project")
    project = p[p["code"] == q["project"]].iloc[0]
    events = read(engine, "stage_event")
    evaluations = read(engine, "evaluation")
    return {"events": int((events["project_id"] == project["id"]).sum()),
            "evaluations": int((evaluations["project_id"] == project["id"]).sum())}


def project_admin(engine, q):
    return {"units": len(_units(engine)), "orgs": len(read(engine, "social_org")),
            "items": len(read(engine, "catalogue_item"))}


def _newest_ratings(engine):
    ratings = read(engine, "org_rating").sort_values(["org_id", "rated_on"])
    return ratings.groupby("org_id").tail(1).set_index("org_id")


def social_orgs(engine, q):
    orgs = read(engine, "social_org").join(_newest_ratings(engine)[["grade"]].rename(columns={"grade": "newest"}), on="id")
    return {"orgs": len(orgs), "by_grade": orgs.groupby("newest").size().to_dict(),
            "by_kind": orgs.groupby(["kind", "registration"]).size().shape[0],
            "by_street": orgs.groupby("street_id").size().shape[0]}


def catalogue(engine, q):
    p, items = _projects(engine, q), read(engine, "catalogue_item")
    per = p.groupby("catalogue_item_id")["budget"].agg(["size", "sum"])
    return {"items": len(items.join(per, on="id")), "outside": int(p["catalogue_item_id"].isna().sum())}


def compliance(engine, q):
    p = _projects(engine, q)
    orgs = read(engine, "social_org").join(_newest_ratings(engine)[["grade", "valid_until"]].add_prefix("r_"), on="id")
    p = p.merge(orgs[["id", "r_grade", "r_valid_until"]], left_on="contractor_org_id", right_on="id", how="left")
    contracted = p["stage"].isin(prules.CONTRACTED_STAGES)
    today = pd.Timestamp.today().normalize()
    checks = {
        "personnel": p["personnel_cost"] * 100 > p["budget"] * prules.PERSONNEL_CAP_PERCENT,
        "fee": p["management_fee"] * 100 > p["budget"] * prules.MANAGEMENT_FEE_CAP_PERCENT,
        "overpaid": p["disbursed"] > p["contract_amount"].fillna(0),
        "rating": contracted & ((p["r_grade"].fillna(0) < prules.MIN_GRADE) | (pd.to_datetime(p["r_valid_until"]) < today)),
    }
    return {k: int(v.sum()) for k, v in checks.items()}


def _results(engine):
    """Per evaluation: the panel result from the scores (sum per scorecard, trimmed mean from 5)."""
    scores, assignments = read(engine, "score"), read(engine, "assignment")
    totals = scores.groupby("assignment_id")["points"].sum().round(srules.POINT_DECIMALS).rename("sum_points")
    submitted = assignments[assignments["status"] == "submitted"].join(totals, on="id")

    def panel(values):
        values = sorted(values)
        return sum(values[1:-1]) / (len(values) - 2) if len(values) >= srules.TRIM_FROM else sum(values) / len(values)

    results = submitted.groupby("evaluation_id")["sum_points"].apply(lambda s: panel(list(s))).rename("result")
    # the stored panel figures are what the naive way does not have: drop them
    evaluations = read(engine, "evaluation").drop(columns=["scorecards", "panel_mean", "result"], errors="ignore")
    evaluations = evaluations.join(results, on="id")
    completed = evaluations[evaluations["status"] == "completed"].copy()
    completed["grade"] = completed["result"].map(srules.grade_for)
    return completed, submitted


def eval_results(engine, q):
    completed, submitted = _results(engine)
    projects = read(engine, "project")[["id", "contractor_org_id", "year"]]
    league = completed.merge(projects, left_on="project_id", right_on="id").groupby("contractor_org_id")["result"].mean()
    panel_mean = submitted.join(completed.set_index("id")["result"], on="evaluation_id")
    deviation = (panel_mean["sum_points"] - panel_mean["result"]).groupby(panel_mean["evaluator_id"]).mean()
    return {"evaluations": len(completed), "mean": float(completed["result"].mean()),
            "grades": completed.groupby(["round", "grade"]).size().to_dict(), "league": len(league),
            "evaluators": len(deviation)}


def evaluations(engine, q):
    e, a = read(engine, "evaluation"), read(engine, "assignment")
    progress = a.groupby(["evaluation_id", "status"]).size().unstack(fill_value=0)
    return {"evaluations": len(e.join(progress, on="id")), "open": int((e["status"] == "open").sum())}


def my_assignments(engine, q):
    a, users = read(engine, "assignment"), read(engine, "app_user")
    me = users.loc[users["username"] == "evaluator", "id"].iloc[0]
    mine = a[a["evaluator_id"] == me].merge(read(engine, "evaluation"), left_on="evaluation_id", right_on="id")
    return {"mine": len(mine)}


def rectifications(engine, q):
    r = read(engine, "rectification").merge(read(engine, "evaluation")[["id", "project_id"]],
                                            left_on="evaluation_id", right_on="id")
    today = pd.Timestamp.today().normalize()
    overdue = (r["status"] == "open") & (pd.to_datetime(r["due_on"]) < today)
    return {"open": int((r["status"] == "open").sum()), "overdue": int(overdue.sum()), "closed": int((r["status"] == "closed").sum())}


def eval_templates(engine, q):
    return {"indicators": read(engine, "template_indicator").groupby("template_id").size().to_dict()}


def _grid_frame(engine, q):
    from db.grids.rules import parse_period

    period = parse_period(q["period"])
    months = period.months if hasattr(period, "months") else None
    values, units = read(engine, "indicator_value"), _units(engine)
    values = values[values["period"].isin(months)] if months else values[values["period"].str.startswith(q["period"])]
    return values.merge(units[["id", "district_id", "street_id", "community_id"]], left_on="grid_id", right_on="id"), units


def grid_dashboard(engine, q):
    values, units = _grid_frame(engine, q)
    unit = units[units["code"] == q["unit"]].iloc[0]
    child = {"root": "district_id", "district": "street_id", "street": "community_id"}.get(unit["level"], "grid_id")
    if unit["level"] != "root":
        values = values[values[{"district": "district_id", "street": "street_id"}[unit["level"]]] == unit["id"]]
    sums = values.pivot_table(index=child, columns="code", values="value", aggfunc="sum")
    sums["resolution_rate"] = sums["problems_solved"] / sums["problems_reported"]
    sums["satisfaction"] = sums["satisfied"] / sums["respondents"]
    reports = read(engine, "grid_report")
    reports = reports[reports["period"].isin(values["period"].unique())]
    reporting = reports.merge(units[["id", child if child != "grid_id" else "id"]], left_on="grid_id", right_on="id")
    monthly = values.groupby(["period", "code"])["value"].sum()
    return {"children": len(sums), "on_time": float(reporting["on_time"].mean()), "months": len(monthly),
            "flagged": int(values["outlier"].sum())}


def grid_entry(engine, q):
    values, units = read(engine, "indicator_value"), _units(engine)
    grid = units[units["level"] == "grid"]["id"].min()
    return {"values": int((values["grid_id"] == grid).sum())}


def grid_import(engine, q):
    return {"indicators": len(read(engine, "indicator"))}


def _votes(engine, campaign_id):
    votes = read(engine, "vote")
    return votes[votes["campaign_id"] == campaign_id]


def vote_review(engine, q):
    votes = _votes(engine, int(q["c"]))
    valid = votes[votes["status"] == "valid"]
    hours = votes.groupby(["case_id", "day", "hour"]).size()
    addresses = votes.groupby(["case_id", "ip_key"]).size()
    ranking = valid.groupby("case_id").size().sort_values(ascending=False)
    return {"valid": len(valid), "void": len(votes) - len(valid), "voters": votes["voter_key"].nunique(),
            "addresses": votes["ip_key"].nunique(), "buckets": len(hours), "pairs": len(addresses),
            "top": int(ranking.iloc[0]) if len(ranking) else 0}


def vote_admin(engine, q):
    cases = read(engine, "vote_case")
    return {"campaigns": len(read(engine, "campaign")), "cases": cases.groupby("campaign_id").size().to_dict()}


def vote(engine, q):
    votes = _votes(engine, int(q["c"])) if q.get("c") else read(engine, "vote")
    return {"tally": votes[votes["status"] == "valid"].groupby("case_id").size().shape[0]}


def users(engine, q):
    return {"users": len(read(engine, "app_user").merge(_units(engine)[["id", "name"]], left_on="scope_id", right_on="id"))}


def audit_log(engine, q):
    log = read(engine, "audit_log")
    return {"rows": len(log.sort_values("at", ascending=False).head(200)), "actions": log["action"].nunique()}


def account(engine, q):
    return {"users": len(read(engine, "app_user"))}


NAIVE: dict[str, Callable] = {name: fn for name, fn in globals().items()
                              if callable(fn) and getattr(fn, "__module__", None) == __name__
                              and not name.startswith("_") and name not in ("read",)}


def naive_ms(name: str, engine: Engine, query: dict) -> tuple[float | None, dict | None]:
    fn = NAIVE.get(name.split("@")[0])
    if fn is None:
        return None, None
    gc.collect()
    started = time.perf_counter()
    try:
        figures = fn(engine, query)
    except Exception as exc:  # a broken naive pass must not lose the page figures already measured
        return None, {"error": f"{type(exc).__name__}: {exc}"}
    elapsed = (time.perf_counter() - started) * 1000
    gc.collect()
    return elapsed, _plain(figures)


def _plain(value):
    """JSON-ready: dict keys as text, numpy numbers as Python numbers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value.item() if hasattr(value, "item") else value
