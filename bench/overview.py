"""Figures for the leadership overview: warm AppTest runs of the home page under leader and admin on the
demo data, the cold db read, and the time to build each briefing file.

    python -m bench.overview
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.timing import median_ms, warm_page_ms


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="cpme-bench-overview-"))
    os.environ.setdefault("APP_SECRET_KEY", "bench-secret-key-" + "x" * 32)
    os.environ["APP_DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'demo.db'}"
    os.environ["BCRYPT_ROUNDS"] = "4"
    from components.overview import briefing_files
    from db import clock
    from db.engine import make_engine
    from db.overview import headline as overview
    from db.users import actor_for
    from factories.app import signed_in
    from seed_data import loader as seed

    engine = make_engine(os.environ["DATABASE_URL"])
    seed.load_demo(engine)
    today = clock.today()
    print("page / step                          median ms")
    for role in ("leader", "admin"):
        at = signed_in(role)
        print(f"home warm AppTest ({role:6})             {warm_page_ms(at):8.1f}")
        actor = actor_for(engine, role)
        cold = median_ms(lambda: overview.overview(engine, actor=actor, year=today.year, today=today), runs=5, warmups=1)
        print(f"overview db read, uncached ({role:6})   {cold:8.1f}")
        ov = overview.overview(engine, actor=actor, year=today.year, today=today)
        for name, build in (("workbook", briefing_files.workbook), ("Word briefing", briefing_files.word)):
            started = time.perf_counter()
            size = len(build(ov, "zh"))
            print(f"{name} build, first ({role:6})       {(time.perf_counter() - started) * 1000:8.1f}  ({size:,} bytes)")
            print(f"{name} build, median ({role:6})      {median_ms(lambda: build(ov, 'zh'), runs=5, warmups=0):8.1f}")


if __name__ == "__main__":
    main()
