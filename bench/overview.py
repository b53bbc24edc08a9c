"""Figures for the leadership overview. Without --url: warm AppTest runs of the home page under leader and
admin on the demo data, the cold db read, and the time to build each briefing file. With --url (a city
database, SQLite or PostgreSQL): the overview's db read for admin, this year and last year, its reads one
after another with the wall and CPU time of each (CPU time survives a busy machine better than wall time),
then side by side as the page runs them; --json writes the figures.

    python -m bench.overview
    python -m bench.overview --url sqlite:////dev/shm/city.db --json overview.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path

from bench.timing import median_ms, warm_page_ms


def demo() -> None:
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


class _OneByOne:
    """Stands in for the overview's thread pool: runs each read at once and times it (wall and CPU)."""

    def __init__(self, *args, **kwargs):
        self.times: list[tuple[float, float]] = []
        _OneByOne.last = self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, read):
        future, wall, cpu = Future(), time.perf_counter(), time.process_time()
        future.set_result(read())
        self.times.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
        return future


def city(url: str, json_out: str | None, runs: int) -> None:
    os.environ.setdefault("APP_SECRET_KEY", "bench-" + "k" * 40)
    import inspect
    import re

    from db import clock
    from db.engine import make_engine
    from db.overview import headline
    from db.users import actor_for

    engine = make_engine(url)
    actor, today = actor_for(engine, "admin"), clock.today()
    names = re.findall(r'^\s+"(\w+)": lambda', inspect.getsource(headline.overview), re.M)
    pool = headline.ThreadPoolExecutor
    doc = {"url": url.split("@")[-1], "backend": engine.dialect.name, "load_average_before": os.getloadavg()[0],
           "runs": runs, "years": {}}
    for year in (today.year, today.year - 1):
        read = lambda: headline.overview(engine, actor=actor, year=year, today=today)  # noqa: E731
        read()  # connections and imports
        serial, parallel = [], []
        for _ in range(runs):
            headline.ThreadPoolExecutor = _OneByOne
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                read()
            finally:
                headline.ThreadPoolExecutor = pool
            serial.append({"wall_ms": (time.perf_counter() - wall) * 1000, "cpu_ms": (time.process_time() - cpu) * 1000,
                           "reads": {n: {"wall_ms": w, "cpu_ms": c} for n, (w, c) in zip(names, _OneByOne.last.times)}})
            wall, cpu = time.perf_counter(), time.process_time()
            read()
            parallel.append({"wall_ms": (time.perf_counter() - wall) * 1000,
                             "cpu_ms": (time.process_time() - cpu) * 1000})
        best = min(serial, key=lambda r: r["cpu_ms"])
        doc["years"][str(year)] = {"serial": serial, "parallel": parallel}
        print(f"{year}: one by one {best['wall_ms']:.0f} ms wall, {best['cpu_ms']:.0f} ms CPU (least CPU of {runs}); "
              f"side by side {min(r['wall_ms'] for r in parallel):.0f} ms wall, "
              f"{min(r['cpu_ms'] for r in parallel):.0f} ms CPU (least of {runs})")
        for name, t in sorted(best["reads"].items(), key=lambda item: -item[1]["cpu_ms"])[:8]:
            print(f"    {name:24} {t['wall_ms']:7.1f} ms wall {t['cpu_ms']:7.1f} ms CPU")
    doc["load_average_after"] = os.getloadavg()[0]
    if json_out:
        Path(json_out).write_text(json.dumps(doc, indent=1), encoding="utf-8")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.overview", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a city database (bench.citygen); without it, the demo figures")
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.url:
        city(args.url, args.json_out, args.runs)
    else:
        demo()


if __name__ == "__main__":
    main()
