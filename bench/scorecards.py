"""Figures for the scorecards area: the seed part alone, and warm AppTest runs (median of 20 after 3
warm-ups) of the results page (leader, with an evaluation open) and the evaluator's form on the demo data.
Prints figures; not a test.

    python -m bench.scorecards
"""

from __future__ import annotations

import os
import tempfile
import time

from bench.timing import RUNS, warm_page_ms

os.environ.setdefault("APP_SECRET_KEY", "bench-" + "k" * 40)
os.environ.setdefault("BCRYPT_ROUNDS", "4")

def seed_part(folder: str) -> tuple[str, float]:
    """Load every part before ours, then time ours alone; returns the database URL for the page runs."""
    from db import clock, migrate
    from db.engine import make_engine, transaction
    from db.models import SeedMark
    from seed_data import loader as seed
    from seed_data.load_scorecards import load_scorecards

    url = f"sqlite:///{folder}/demo.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    before = seed.PARTS[:[name for name, _ in seed.PARTS].index("scorecards")]
    for name, loader in before:
        with transaction(engine) as session:
            loader(session)
            session.add(SeedMark(part=name, loaded_at=clock.utcnow()))
    started = time.perf_counter()
    with transaction(engine) as session:
        load_scorecards(session)
        session.add(SeedMark(part="scorecards", loaded_at=clock.utcnow()))
    elapsed = time.perf_counter() - started
    seed.load_demo(engine)  # the parts after ours
    engine.dispose()
    return url, elapsed


def main() -> int:
    import streamlit as st
    from sqlalchemy import select

    from db.engine import make_engine, reading
    from db.models import AppUser
    from db.models.scorecards import Assignment
    from db.scorecards import results as eval_results
    from db.users import actor_for
    from factories.app import signed_in

    folder = tempfile.mkdtemp()
    url, part_seconds = seed_part(folder)
    os.environ["DATABASE_URL"] = url
    print(f"scorecards seed part alone (SQLite): {part_seconds:.2f} s")
    engine = make_engine(url)
    leader = actor_for(engine, "leader")
    listed = eval_results.evaluation_list(engine, actor=leader)
    evaluation_id = int(listed[listed["round"] == "post"].iloc[0]["id"])
    with reading(engine) as s:
        draft = s.execute(select(Assignment.id).join(AppUser, AppUser.id == Assignment.evaluator_id)
                          .where(AppUser.username == "evaluator", Assignment.status == "draft")
                          .order_by(Assignment.id)).scalars().first()
    st.cache_data.clear()
    st.cache_resource.clear()

    at = signed_in("leader")
    at.switch_page("pages/eval_results.py").run()
    at.query_params["evaluation"] = str(evaluation_id)
    at.run()
    assert any(m.label == "综合得分" for m in at.metric)
    print(f"results page, leader, one evaluation open (warm AppTest, median of {RUNS}): {warm_page_ms(at):.1f} ms")

    at = signed_in("evaluator")
    at.switch_page("pages/my_assignments.py").run()
    at.query_params["assignment"] = str(draft)
    at.run()
    inputs = len(at.number_input)
    assert inputs > 10, "the form is not shown"
    print(f"evaluator form, {inputs} indicators (warm AppTest, median of {RUNS}): {warm_page_ms(at):.1f} ms")

    at = signed_in("admin")
    at.switch_page("pages/evaluations.py").run()
    print(f"evaluations admin page (warm AppTest, median of {RUNS}): {warm_page_ms(at):.1f} ms")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
