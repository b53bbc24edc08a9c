"""Figures for the pipeline area: the seed part's load time, and warm AppTest runs of its pages on the
demo data (median of 20 after 3 warm-ups). Prints figures; not a test.

    python -m bench.pipeline
"""

from __future__ import annotations

import os
import tempfile
import time

from bench.timing import warm_page_ms


def seed_part() -> float:
    """Seconds for the pipeline part alone, on a database holding the parts it builds on."""
    from db import migrate
    from db.engine import make_engine, transaction
    from seed_data import loader as seed
    from seed_data.load_pipeline import load_pipeline

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        migrate.upgrade(engine)
        for part, loader in seed.PARTS:
            if part == "pipeline":
                break
            with transaction(engine) as session:
                loader(session)
        started = time.perf_counter()
        with transaction(engine) as session:
            load_pipeline(session)
        elapsed = time.perf_counter() - started
        engine.dispose()
    return elapsed


def warm_runs(role: str, page: str, query: dict, runs: int = 20) -> float:
    """Median ms of a rerun of `page` for `role` with `query` in the URL."""
    from factories.app import signed_in

    at = signed_in(role)
    at.switch_page(f"pages/{page}.py").run()
    at.query_params.update(query)
    return warm_page_ms(at, runs)


def main() -> int:
    os.environ.setdefault("APP_SECRET_KEY", "bench-" + "k" * 40)
    os.environ.setdefault("BCRYPT_ROUNDS", "4")
    print(f"pipeline seed part (SQLite): {seed_part():.3f} s")

    import streamlit as st

    from db.engine import make_engine
    from seed_data import loader as seed

    folder = tempfile.mkdtemp()
    os.environ["APP_DATA_DIR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/demo.db"
    seed.load_demo(make_engine(os.environ["DATABASE_URL"]))
    st.cache_data.clear()
    st.cache_resource.clear()
    cases = [
        ("leader", "projects", {"year": "2019"}, "pipeline page, leader, ?year=2019 (260 projects)"),
        ("admin", "projects", {}, "pipeline page, admin, every project"),
        ("street", "projects", {}, "pipeline page, street staff"),
        ("admin", "project_detail", {"project": "510104-2019-0001"}, "project detail, admin (with forms)"),
        ("leader", "social_orgs", {}, "social organizations, leader"),
        ("leader", "catalogue", {}, "catalogue, leader"),
        ("admin", "compliance", {}, "compliance list, admin"),
    ]
    for role, page, query, label in cases:
        print(f"warm AppTest run, {label}: {warm_runs(role, page, query):.1f} ms (median of 20)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
