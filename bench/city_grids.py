"""City part "grids": 24 complete months of reports for every grid and every entered indicator, drawn with
numpy one district at a time (community-type profiles, seasons, growth and carried-over problems as in
seed_data/grids.py), with the stored outlier flags computed by the rule the write path applies
(db.grids.indicators.outlier_test over the grid's own earlier months)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

from db import settings
from db.grids.indicators import OUTLIER_WINDOW, outlier_test
from db.grids.reports import ENTERED
from db.grids.rules import due_day, last_complete_month, month_add
from db.models.grids import GridReport, IndicatorValue
from seed_data.grids import BASE, PROFILES, _season

MONTHS = 24
REPORT_COLUMNS = ("id", "grid_id", "period", "status", "submitted_at", "on_time", "reopened", "reopened_at")
VALUE_COLUMNS = ("id", "report_id", "grid_id", "period", "code", "value", "outlier", "confirmed")


def write(city) -> None:
    last = last_complete_month(city.today)
    periods = [month_add(last, offset) for offset in range(-MONTHS + 1, 1)]
    rng = np.random.default_rng(np.random.SeedSequence([city.seed, 6312]))
    writer = city.writer
    writer.progress.begin("grid reports", len(city.grids) * MONTHS * (len(ENTERED) + 1))
    ids = {"report": 0, "value": 0}
    for district in city.districts:
        grids = [g for g in city.grids if g["district_id"] == district["id"]]
        values, present, submitted, on_time = _district(rng, grids, periods, city)
        _write_district(writer, ids, grids, periods, values, present, submitted, on_time)
    writer.progress.end()


def _district(rng, grids: list[dict], periods: list[str], city):
    """values[code] (grids × months), present (report exists), submitted_at and on_time per report."""
    n, m = len(grids), len(periods)
    profile = {k: np.array([PROFILES.get(g["kind"], PROFILES["传统老旧型"])[k] for g in grids])
               for k in next(iter(PROFILES.values()))}
    size = np.array([g["households"] for g in grids]) / 440
    pilot = np.where([g["pilot"] for g in grids], 1.15, 1.0)
    own = {k: rng.uniform(0.82, 1.18, n) for k in BASE}
    solve = np.minimum(0.95, profile["solve"] + rng.uniform(-0.04, 0.06, n))
    satisfaction = profile["satisfaction"] + rng.uniform(-0.03, 0.03, n)
    sloppy = rng.random(n) < 0.06
    noise = lambda spread: np.clip(rng.normal(1.0, spread, n), 1 - 2 * spread, 1 + 2 * spread)  # noqa: E731
    values = {code: np.zeros((n, m), dtype=np.int64) for code in ENTERED}
    carried = np.round(BASE["problems"] * profile["problems"] * size * 0.06)
    for step, period in enumerate(periods):
        season = _season(period)
        growth = 1 + 0.006 * step

        def draw(code, spread=0.1, extra=1.0):
            scale = 1.0 if code == "respondents" else size
            mean = BASE[code] * profile.get(code, 1.0) * own[code] * scale * growth * season.get(code, 1.0) * extra
            return np.maximum(0, np.round(mean * noise(spread)))

        reported = np.maximum(0, np.round(BASE["problems"] * profile["problems"] * own["problems"] * size
                                          * season["problems"] * noise(0.1)))
        solved = np.minimum(reported + carried, np.round(reported * np.minimum(0.98, solve * noise(0.04)))
                            + np.round(carried * 0.6))
        respondents = draw("respondents", 0.15)
        rate = np.minimum(0.99, satisfaction + 0.0015 * step + rng.uniform(-0.02, 0.02, n))
        month = {"activities": draw("activities", 0.08, pilot), "served": draw("served"), "visits": draw("visits"),
                 "volunteers": draw("volunteers", 0.1, pilot * pilot), "funds": draw("funds") // 10 * 10,
                 "problems_carried": carried, "problems_reported": reported, "problems_solved": solved,
                 "respondents": respondents, "satisfied": np.minimum(respondents, np.round(respondents * rate))}
        for code in ENTERED:
            values[code][:, step] = month[code]
        carried = np.round((reported + carried - solved) * 0.4)
    # a few planted outliers per district (a big event, a donation, a typo), in the second year
    confirmed = {}
    for _ in range(max(1, n // 100)):
        g, step = int(rng.integers(n)), int(rng.integers(m // 2, m))
        code = ("served", "visits", "volunteers", "funds", "activities")[int(rng.integers(5))]
        values[code][g, step] = max(values[code][g, step], 1) * int(rng.integers(5, 11))
        confirmed[(code, g, step)] = bool(rng.random() < 0.5)
    missing = rng.random((n, m)) < np.where(sloppy, 0.08, 0.008)[:, None]
    late = rng.random((n, m)) < np.where(sloppy, 0.2, 0.025)[:, None]
    submitted = _submission_times(rng, periods, late)
    present = ~missing & (submitted <= np.datetime64(city.now.replace(tzinfo=None)))
    return (values, confirmed), present, submitted, ~late


def _submission_times(rng, periods: list[str], late) -> np.ndarray:
    """UTC moments (numpy datetime64, naive) of each report: by the due day mostly, later when late."""
    zone, due = ZoneInfo(settings.timezone()), due_day()
    n, m = late.shape
    out = np.empty((n, m), dtype="datetime64[s]")
    for step, period in enumerate(periods):
        following = month_add(period, 1)
        start = datetime.combine(datetime.strptime(following + "-01", "%Y-%m-%d").date(), time(8), zone)
        start = np.datetime64(start.astimezone(timezone.utc).replace(tzinfo=None), "s")
        early_day = np.minimum(rng.integers(0, due, n), rng.integers(0, due, n))  # most come in early
        late_day = rng.integers(due + 1, 27, n)
        day = np.where(late[:, step], late_day, early_day)
        out[:, step] = start + day * 86400 + rng.integers(0, 11 * 3600, n)
    return out


def _flags(matrix: np.ndarray) -> np.ndarray:
    """The outlier rule over a grids × months matrix (NaN where no report), each month against the
    OUTLIER_WINDOW months before it: the same test seed_data.load_grids and the write path apply."""
    flags = np.zeros(matrix.shape, dtype=bool)
    for step in range(matrix.shape[1]):
        history = matrix[:, max(0, step - OUTLIER_WINDOW):step]
        count = (~np.isnan(history)).sum(axis=1)
        flags[:, step] = outlier_test(matrix[:, step], count, np.nansum(history, axis=1), np.nansum(history ** 2, axis=1))
    return flags & ~np.isnan(matrix)


def _write_district(writer, ids, grids, periods, drawn, present, submitted, on_time) -> None:
    values, confirmed = drawn
    n, m = present.shape
    flags = {code: _flags(np.where(present, values[code].astype(float), np.nan)) for code in ENTERED}
    report_id = np.full((n, m), -1, dtype=np.int64)
    rows = np.argwhere(present)  # row-major: grid by grid, month by month
    report_id[rows[:, 0], rows[:, 1]] = np.arange(ids["report"] + 1, ids["report"] + 1 + len(rows))
    ids["report"] += len(rows)
    reports = []
    for g, step in rows.tolist():
        at = submitted[g, step].item().replace(tzinfo=timezone.utc)
        ok = bool(on_time[g, step])
        reports.append((int(report_id[g, step]), grids[g]["id"], periods[step], "submitted", at, ok, not ok,
                        None if ok else at - timedelta(hours=30)))
    writer.write(GridReport.__table__, REPORT_COLUMNS, reports)
    codes = sorted(ENTERED)  # the unique index's order: grid, period, code
    out = []
    next_id = ids["value"]
    for g, step in rows.tolist():
        grid_id, period, rid = grids[g]["id"], periods[step], int(report_id[g, step])
        for code in codes:
            next_id += 1
            flagged = bool(flags[code][g, step])
            out.append((next_id, rid, grid_id, period, code, int(values[code][g, step]), flagged,
                        flagged and confirmed.get((code, g, step), False)))
    ids["value"] = next_id
    writer.write(IndicatorValue.__table__, VALUE_COLUMNS, out)
