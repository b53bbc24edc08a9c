"""A city-scale database for the benchmark: 12 districts, about 15,000 grids with 24 months of reports,
30,000 projects with stage histories, 90,000 scorecards and 2,000,000 votes (at --scale 1.0).

    python -m bench.citygen OUT [--seed N] [--scale 1.0]

OUT is a SQLite file path or a PostgreSQL URL (the database must exist and be empty). The schema is
the app's own (db.migrate.upgrade, what seed_data.loader uses); the reference parts come from the demo's
JSON (accounts, indicator definitions, templates, catalogue); every derived column holds what the
app's write paths would have stored (ancestor ids, newest rating, stage due dates, scorecard totals,
evaluation status, outlier flags, quota counters, the frozen published ranking). Deterministic for a
given seed and calendar day; ids are explicit. Every demo seed part is marked loaded, so the app
never loads the demo on top.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from bench.bulk import BulkWriter, Progress
from bench.city import City, add_users
from db import clock, migrate
from db.engine import make_engine, transaction
from db.grids import rollups as grid_rollups
from db.models import AuditLog, GridStaff, OrgUnit, SeedMark
from db.models.grids import Indicator
from db.models.org_units import COMMUNITY_TYPES
from db.scorecards.panels import store_panels
from seed_data import SEED_DIR
from seed_data.names import person_name

DISTRICTS = (("510104", "锦江区"), ("510105", "青羊区"), ("510106", "金牛区"), ("510107", "武侯区"),
             ("510108", "成华区"), ("510112", "龙泉驿区"), ("510113", "青白江区"), ("510114", "新都区"),
             ("510115", "温江区"), ("510116", "双流区"), ("510117", "郫都区"), ("510118", "新津区"))
GRIDS_PER_DISTRICT = 1250  # at scale 1.0: 12 × 1,250 = 15,000 grids
FIRST = "东西南北新华光明安宁和平永丰兴隆金玉锦青龙凤桂荷梅竹松柏文武春秋花园红星"
SECOND = "城门桥湾坝堰林苑坪街巷塘岗院庄口湖山河井"
MEMBER_DUTIES = ("专职网格员", "综治协管员", "综合执法协管员", "公益性岗位网格员", "楼栋长", "平安志愿者")


def _place_name(rng: random.Random, taken: set, suffix: str) -> str:
    while True:
        name = rng.choice(FIRST) + rng.choice(SECOND) + suffix
        if name not in taken or len(taken) > 600:
            taken.add(name)
            return name


def build_tree(city: City) -> None:
    """Root, 12 districts, streets of about ten communities, communities of 8–13 grids, and rosters."""
    rng = city.rng("tree")
    units = [(1, "000000", "全部辖区", "root", None, None, None, None, None, False, None, None, 0)]
    next_id = 2
    for d_index, (d_code, d_name) in enumerate(DISTRICTS, start=1):
        d_id, next_id = next_id, next_id + 1
        district = {"id": d_id, "code": d_code, "name": d_name, "streets": []}
        units.append((d_id, d_code, d_name, "district", 1, d_id, None, None, None, False, None, None, d_index))
        target = max(1, round(city.count(GRIDS_PER_DISTRICT) * rng.uniform(0.85, 1.15)))
        communities = max(1, round(target / 10.5))
        per_street = [len(c) for c in _split(list(range(communities)), max(1, round(communities / 10)))]
        street_names: set = {"春熙路街道"}
        grids_left = target
        for s_index, n_comm in enumerate(per_street, start=1):
            s_id, next_id = next_id, next_id + 1
            s_name = "春熙路街道" if (d_code, s_index) == ("510104", 1) else _place_name(rng, street_names, "街道")
            pilot = rng.random() < 0.3 or (d_code, s_index) == ("510104", 1)
            street = {"id": s_id, "name": s_name, "pilot": pilot, "communities": []}
            kind = "town" if rng.random() < 0.2 else "street"
            units.append((s_id, f"{d_code}{s_index:03d}", s_name, "street", d_id, d_id, s_id, None, kind, pilot,
                          None, None, s_index))
            names: set = set()
            for c_index in range(1, n_comm + 1):
                c_id, next_id = next_id, next_id + 1
                c_name, c_type, c_code = _place_name(rng, names, "社区"), rng.choice(COMMUNITY_TYPES), f"{d_code}{s_index:03d}{c_index:03d}"
                street["communities"].append({"id": c_id, "name": c_name})
                n_grids = max(1, min(grids_left, rng.randint(8, 13))) if grids_left else rng.randint(8, 13)
                grids_left = max(0, grids_left - n_grids)
                households_total = population_total = 0
                for g_index in range(1, n_grids + 1):
                    g_id, next_id = next_id, next_id + 1
                    households = rng.randint(260, 620)
                    population = int(households * rng.uniform(2.3, 2.9))
                    households_total, population_total = households_total + households, population_total + population
                    units.append((g_id, f"{c_code}{g_index:03d}", f"{c_name}第{g_index}网格", "grid", c_id, d_id, s_id,
                                  c_id, None, False, households, population, g_index))
                    city.grids.append({"id": g_id, "district_id": d_id, "street_id": s_id, "community_id": c_id,
                                       "households": households, "kind": c_type, "pilot": pilot})
                units.append((c_id, c_code, c_name, "community", s_id, d_id, s_id, c_id, c_type, False,
                              households_total, population_total, c_index))
            district["streets"].append(street)
        city.districts.append(district)
    columns = ("id", "code", "name", "level", "parent_id", "district_id", "street_id", "community_id", "kind", "pilot",
               "households", "population", "sort_order")
    city.writer.progress.begin("org_unit", len(units))
    city.writer.write(OrgUnit.__table__, columns, sorted(units))
    city.writer.progress.end()
    city.writer.progress.begin("grid_staff", len(city.grids) * 5)
    city.writer.write(GridStaff.__table__, ("id", "grid_id", "role", "name", "duty"), _roster(rng, city.grids))
    city.writer.progress.end()


def _split(items: list, parts: int) -> list[list]:
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for index in range(parts):
        end = start + size + (index < extra)
        out.append(items[start:end])
        start = end
    return out


def _roster(rng: random.Random, grids: list[dict]):
    staff_id = 0
    for grid in grids:
        staff_id += 1
        yield staff_id, grid["id"], "leader", person_name(rng), "网格长"
        for duty in rng.sample(MEMBER_DUTIES, rng.randint(2, 5)):
            staff_id += 1
            yield staff_id, grid["id"], "member", person_name(rng), duty


def demo_accounts(city: City) -> None:
    doc = json.loads((SEED_DIR / "users.json").read_text(encoding="utf-8"))
    first_street = city.districts[0]["streets"][0]
    codes = {"000000": city.root_id, **{d["code"]: d["id"] for d in city.districts},
             "510104001": first_street["id"], "510104001001": first_street["communities"][0]["id"]}
    # the demo accounts of other cities' districts (番禺区's) have no place in 成都
    add_users(city, [{**u, "scope_id": codes[u["scope_code"]]} for u in doc["users"] if u["scope_code"] in codes])


def load_indicators(engine: Engine) -> None:
    doc = json.loads((SEED_DIR / "grid_indicators.json").read_text(encoding="utf-8"))
    with transaction(engine) as session:
        session.execute(insert(Indicator.__table__), [
            {"numerator": None, "denominator": None, **entry, "sort_order": index}
            for index, entry in enumerate(doc["indicators"], start=1)])


def generate(url: str, *, seed: int = 1, scale: float = 1.0, quiet: bool = False) -> dict[str, float]:
    """Build the city into an empty database at `url`; returns seconds per part."""
    from bench import city_community, city_evals, city_grids, city_linkage, city_microgrants, city_pipeline, city_votes
    from seed_data import loader as demo_seed

    engine = make_engine(url)
    migrate.upgrade(engine)
    load_indicators(engine)
    progress = Progress(total_parts=10, quiet=quiet)
    today = clock.today()
    now = clock.local_day_start(today) + timedelta(hours=8)
    city = City(seed=seed, scale=scale, today=today, now=now, writer=BulkWriter(engine, progress))
    timings: dict[str, float] = {}
    steps = [("tree", build_tree), ("accounts", demo_accounts), ("pipeline", city_pipeline.write),
             ("evaluations", city_evals.write), ("grids", city_grids.write), ("votes", city_votes.write),
             ("community", city_community.write)]  # 社区营造: bench/city_community.py
    steps.append(("linkage", city_linkage.write))  # community funds and 五社联动's registries
    steps.append(("microgrants", city_microgrants.write))  # 微创投 rounds, after the funds that fill their pools
    for name, step in steps:
        started = time.perf_counter()
        step(city)
        timings[name] = time.perf_counter() - started
    started = time.perf_counter()
    audit = sorted(city.audit, key=lambda row: (row[0], row[3], row[5]))
    city.writer.write(AuditLog.__table__, ("id", "at", "user_id", "username", "action", "entity", "entity_id", "after"),
                      [(index, *row) for index, row in enumerate(audit, start=1)])
    city.writer.finish()
    city_votes.publish(engine, city)
    with transaction(engine) as session:
        # the summaries the write paths keep, computed the way they compute them
        grid_rollups.rebuild(session)
        store_panels(session)
    with transaction(engine) as session:
        for part, _loader in demo_seed.PARTS:
            session.add(SeedMark(part=part, loaded_at=now))
    city.writer.analyze()
    timings["finish"] = time.perf_counter() - started
    engine.dispose()
    return timings


def to_url(out: str) -> str:
    return out if "://" in out else f"sqlite:///{os.path.abspath(out)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.citygen", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="SQLite file path or PostgreSQL URL (an empty database)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    os.environ.setdefault("APP_SECRET_KEY", "bench-" + "k" * 40)
    started = time.perf_counter()
    timings = generate(to_url(args.out), seed=args.seed, scale=args.scale)
    print("seconds per part: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    print(f"city data written in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
