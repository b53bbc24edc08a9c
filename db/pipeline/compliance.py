"""Compliance checks on projects, defined once in SQL and shared by the project detail page (every
check of one project) and the compliance list (the failing checks of every project in scope)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import BigInteger, case, cast, func, or_, select
from sqlalchemy.engine import Engine

from db import clock
from db.access import Actor
from db.errors import NotFound
from db.models import OrgUnit
from db.models.pipeline import Project, SocialOrg
from db.pipeline import rules
from db.pipeline.projects import ProjectFilter, conditions
from db.pipeline.social_orgs import rating_status

CHECKS = ("stage_overdue", "contractor_rating", "personnel_share", "management_fee", "disbursed_contract", "catalogue")
# what each check's outcome means; "exception" is a failure an admin accepted with a recorded reason
FAILING = ("overdue", "no_contractor", "missing", "expired", "low", "over", "outside")
STATUS = {**{reason: "fail" for reason in FAILING}, "exception": "exception", "na": "na"}


def status_of(reason: str) -> str:
    return STATUS.get(reason, "pass")


def _big(column):
    # multiply as bigint: a product of an amount and a percentage can pass int4 (and did, before 0004)
    return cast(column, BigInteger)


def _check_columns(today: date) -> dict:
    """check -> SQL expression giving its outcome for a project row (joined to its contractor)."""
    live = Project.stage.in_(rules.STAGES)
    running = Project.stage != rules.TERMINATED
    contract_runs = Project.stage.in_(rules.CONTRACTED_STAGES)
    rating = rating_status(today)
    return {
        "stage_overdue": case((~live, "na"), (Project.stage_due.is_(None), "na"),
                              (Project.stage_due < today, "overdue"), else_="on_time"),
        "contractor_rating": case((~contract_runs, "na"), (Project.contractor_org_id.is_(None), "no_contractor"),
                                  (rating == "ok", "ok"), (Project.rating_exception.is_not(None), "exception"),
                                  else_=rating),
        "personnel_share": case((~running, "na"),
                                (_big(Project.personnel_cost) * 100 > _big(Project.budget) * rules.PERSONNEL_CAP_PERCENT, "over"),
                                else_="ok"),
        "management_fee": case((~running, "na"),
                               (_big(Project.management_fee) * 100 > _big(Project.budget) * rules.MANAGEMENT_FEE_CAP_PERCENT, "over"),
                               else_="ok"),
        "disbursed_contract": case((Project.disbursed > func.coalesce(Project.contract_amount, 0), "over"), else_="ok"),
        "catalogue": case((Project.catalogue_item_id.is_(None), "outside"), else_="ok"),
    }


def _base(actor: Actor, filters: ProjectFilter, today: date):
    return (
        select(Project.id, Project.code, Project.title, Project.stage, Project.stage_due, Project.budget,
               Project.contract_amount, Project.disbursed, Project.personnel_cost, Project.management_fee,
               Project.off_catalogue_service, Project.rating_exception, Project.street_id,
               OrgUnit.name.label("street_name"), SocialOrg.name.label("contractor_name"),
               SocialOrg.grade.label("contractor_grade"), SocialOrg.grade_valid_until.label("contractor_valid_until"),
               *[expr.label(f"chk_{key}") for key, expr in _check_columns(today).items()])
        .join(OrgUnit, OrgUnit.id == Project.street_id)
        .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
        .where(*conditions(actor, filters, today))
    )


def _params(check: str, row, today: date) -> dict:
    """The figures the reason sentence quotes for one check of one row."""
    if check == "stage_overdue":
        return {"due": row.stage_due, "days": (today - row.stage_due).days if row.stage_due else 0,
                "limit": rules.stage_limit(row.stage)}
    if check == "contractor_rating":
        return {"name": row.contractor_name, "grade": row.contractor_grade, "valid_until": row.contractor_valid_until,
                "min_grade": rules.MIN_GRADE, "exception": row.rating_exception}
    if check == "personnel_share":
        return {"share": row.personnel_cost / row.budget, "cap": rules.PERSONNEL_CAP_PERCENT / 100,
                "amount": row.personnel_cost}
    if check == "management_fee":
        return {"share": row.management_fee / row.budget, "cap": rules.MANAGEMENT_FEE_CAP_PERCENT / 100,
                "amount": row.management_fee}
    if check == "disbursed_contract":
        return {"disbursed": row.disbursed, "contract": row.contract_amount or 0}
    return {"service": row.off_catalogue_service}


class CheckResult(BaseModel):
    check: str
    reason: str  # the outcome code, e.g. overdue, expired, over, ok, na
    status: str  # pass | fail | exception | na
    params: dict


def project_checks(engine: Engine, *, actor: Actor, code: str, today: date | None = None) -> list[CheckResult]:
    """Every check of one project, in CHECKS order."""
    today = today or clock.today()
    query = _base(actor, ProjectFilter(), today).where(Project.code == code)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound("error.not_found", entity="project")
    outcomes = {check: row._mapping[f"chk_{check}"] for check in CHECKS}
    return [CheckResult(check=check, reason=outcomes[check], status=status_of(outcomes[check]),
                        params=_params(check, row, today)) for check in CHECKS]


FAILURE_COLUMNS = ["project_id", "code", "title", "street_name", "stage", "contractor_name", "check", "reason",
                   "status", "params", "days_late"]


def failures(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(), today: date | None = None,
             check: str | None = None, include_exceptions: bool = True) -> pd.DataFrame:
    """One row per failing (or excepted) check of each project in scope, worst first within each check."""
    today = today or clock.today()
    flagged = FAILING + (("exception",) if include_exceptions else ())
    sub = _base(actor, filters, today).subquery()
    keys = [check] if check else list(CHECKS)
    query = select(sub).where(or_(*[sub.c[f"chk_{key}"].in_(flagged) for key in keys])).order_by(sub.c.code)
    rows = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            for key in keys:
                reason = row._mapping[f"chk_{key}"]
                if reason in flagged:
                    params = _params(key, row, today)
                    rows.append({"project_id": row.id, "code": row.code, "title": row.title,
                                 "street_name": row.street_name, "stage": row.stage,
                                 "contractor_name": row.contractor_name, "check": key, "reason": reason,
                                 "status": status_of(reason), "params": params,
                                 "days_late": params["days"] if key == "stage_overdue" else 0})
    frame = pd.DataFrame(rows, columns=FAILURE_COLUMNS)
    if not frame.empty:
        frame["order"] = frame["check"].map(CHECKS.index)
        frame = frame.sort_values(["order", "days_late", "code"], ascending=[True, False, True]).drop(columns="order")
    return frame.reset_index(drop=True)


def failure_counts(engine: Engine, *, actor: Actor, filters: ProjectFilter = ProjectFilter(),
                   today: date | None = None, checks: tuple[str, ...] = CHECKS) -> dict[str, dict[str, int]]:
    """check -> {"fail": n, "exception": n}, counted in SQL, for `checks` (all by default)."""
    today = today or clock.today()
    outcomes = _check_columns(today)
    # the outcomes computed inline, only those asked for: no subquery carrying every check of every project
    columns = []
    for key in checks:
        outcome = outcomes[key]
        columns.append(func.coalesce(func.sum(case((outcome.in_(FAILING), 1), else_=0)), 0).label(f"{key}_fail"))
        columns.append(func.coalesce(func.sum(case((outcome == "exception", 1), else_=0)), 0).label(f"{key}_exc"))
    query = (select(*columns).select_from(Project).join(OrgUnit, OrgUnit.id == Project.street_id)
             .outerjoin(SocialOrg, SocialOrg.id == Project.contractor_org_id)
             .where(*conditions(actor, filters, today)))
    if set(checks) == {"contractor_rating"}:
        # outside the contracted stages the check reads "na": neither counted, so those rows need no reading
        query = query.where(Project.stage.in_(rules.CONTRACTED_STAGES))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().one()
    return {key: {"fail": int(row[f"{key}_fail"]), "exception": int(row[f"{key}_exc"])} for key in checks}
