"""Figures for the foundation: cold start of `streamlit run app.py` on an empty data/ folder, the
demo load on its own, and a warm AppTest run of the home page. Prints figures; not a test.

    python -m bench.foundation
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import warm_page_ms

ROOT = Path(__file__).resolve().parent.parent


def cold_start() -> tuple[float, float]:
    """Seconds to a healthy server, and to the first page drawn with the demo loaded (Chromium)."""
    from factories.browser import chromium_page, running_app, settle

    with tempfile.TemporaryDirectory() as data:
        env = {"APP_DATA_DIR": data, "DATABASE_URL": ""}
        os.environ.pop("APP_SECRET_KEY", None)
        started = time.perf_counter()
        with running_app(env) as base:
            healthy = time.perf_counter() - started
            with chromium_page() as page:
                page.goto(base)
                page.get_by_label("用户名").wait_for(timeout=60_000)
                settle(page)
                ready = time.perf_counter() - started
            created = sorted(p.name for p in Path(data).iterdir())
            assert {"app.db", "secret_key"} <= set(created), created
    return healthy, ready


def demo_load() -> float:
    from db.engine import make_engine
    from seed_data import loader as seed

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        started = time.perf_counter()
        seed.load_demo(engine)
        elapsed = time.perf_counter() - started
        engine.dispose()
    return elapsed


def warm_home(runs: int = 20) -> float:
    """Median ms of a signed-in leader's home-page rerun, after warm-ups."""
    import streamlit as st

    from db.engine import make_engine
    from factories.app import signed_in
    from seed_data import loader as seed

    folder = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/demo.db"
    seed.load_demo(make_engine(os.environ["DATABASE_URL"]))
    st.cache_data.clear()
    st.cache_resource.clear()
    return warm_page_ms(signed_in("leader"), runs)


def main() -> int:
    os.environ.setdefault("APP_SECRET_KEY", "bench-" + "k" * 40)
    print(f"demo data load (SQLite, seed loader alone): {demo_load():.2f} s")
    print(f"warm AppTest run of the home page (leader, median of 20): {warm_home():.1f} ms")
    if "--no-browser" not in sys.argv:
        healthy, ready = cold_start()
        print(f"streamlit run on an empty data/: healthy after {healthy:.2f} s, "
              f"first page with the demo loaded after {ready:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
