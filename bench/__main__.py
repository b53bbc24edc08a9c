"""The whole-app benchmark: every page cold and warm, the naive pandas way, the raw SQL, peak memory, and
the vote throughput; prints a table and writes the figures as JSON. Not a test.

    python -m bench [--db demo|city] [--url URL] [--pages home projects ...] [--json OUT]

--db demo without --url builds the demo into a temporary SQLite file; with --url (SQLite or PostgreSQL)
the demo is loaded there if it is not yet. --db city needs --url of a database `python -m bench.citygen`
wrote. Targets (city scale): warm < 300 ms, cold < 1.5 s, ≥ 10× faster than naive, page ≤ 3× its raw
SQL (over the fixed cost of any page run: shell, sign-in check, menu), peak RSS < 1 GB. The speed-up
compares the two ways of computing a page's figures: the naive pandas pass over whole tables against
the page's own SQL (replayed); naive ÷ cold (the whole uncached page run) is in the JSON too.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import uuid

os.environ.setdefault("APP_SECRET_KEY", "bench-" + "k" * 40)
os.environ.setdefault("BCRYPT_ROUNDS", "4")
if "APP_DATA_DIR" not in os.environ:  # a scratch data folder (the demo database goes there), removed at exit
    os.environ["APP_DATA_DIR"] = tempfile.mkdtemp(prefix="cpme-bench-")
    atexit.register(shutil.rmtree, os.environ["APP_DATA_DIR"], True)

TARGETS = {"warm_ms": 300.0, "cold_ms": 1500.0, "speedup": 10.0, "raw_ratio": 3.0, "rss_mb": 1024.0}
SHELL_PAGE = "account"  # the lightest page: its cold run is the fixed cost every page pays


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare(args) -> str:
    if args.url:
        url = args.url
    elif args.db == "demo":
        url = f"sqlite:///{os.environ['APP_DATA_DIR']}/demo.db"
    else:
        sys.exit("--db city needs --url of a database written by `python -m bench.citygen`")
    if args.db == "city":
        from db import migrate
        from db.engine import make_engine

        engine = make_engine(url)
        started = time.perf_counter()
        migrate.upgrade(engine)  # a city file from an older revision is migrated first, as the app would
        print(f"schema at the newest migration ({time.perf_counter() - started:.1f} s)", flush=True)
        engine.dispose()
    if args.db == "demo":
        from db.engine import make_engine
        from seed_data import loader as seed

        engine = make_engine(url)
        seed.load_demo(engine)
        engine.dispose()
    os.environ["DATABASE_URL"] = url
    return url


def shell_cost_ms(results: list[dict]) -> float | None:
    """The fixed cost of any page run (shell, sign-in check, menu): the lightest page's fastest run, cold or warm.
    Its median cold run once came out high under load, and the raw check then passed nine pages by the 50 ms
    allowance; the fastest run is a lower bound, so the check never subtracts more than the real fixed cost."""
    shell = next((r for r in results if r["page"] == SHELL_PAGE), None)
    if shell is None:
        return None
    return min([*shell.get("cold_runs_ms", [shell["cold_ms"]]), shell["warm_ms"]])


def judge(row: dict, shell_ms: float | None) -> dict:
    checks = {"warm": row["warm_ms"] < TARGETS["warm_ms"], "cold": row["cold_ms"] < TARGETS["cold_ms"]}
    if row.get("speedup") is not None:
        checks["naive"] = row["speedup"] >= TARGETS["speedup"]
    if row.get("raw_ms"):
        over = max(row["cold_ms"] - (shell_ms or 0.0), 0.0)
        row["overhead_ratio"] = over / row["raw_ms"]
        # a page whose whole run is within 50 ms of the fixed cost passes however little SQL it has; the JSON says
        # which pages passed that way, so none passes unseen
        row["raw_check"] = "ratio" if row["overhead_ratio"] <= TARGETS["raw_ratio"] else (
            "within 50 ms of the fixed cost" if over < 50 else "over")
        checks["raw"] = row["raw_check"] != "over"
    return checks


def _print_row(row: dict) -> None:
    fmt = lambda v, spec: format(v, spec) if v is not None else "—".rjust(int(spec.split(".")[0]))  # noqa: E731
    marks = " ".join(f"{k}{'✓' if ok else '✗'}" for k, ok in row["targets"].items())
    print(f"{row['page']:<26}{fmt(row['cold_ms'], '9.0f')}{fmt(row['warm_ms'], '9.0f')}{fmt(row.get('naive_ms'), '10.0f')}"
          f"{fmt(row.get('speedup'), '9.1f')}{fmt(row.get('raw_ms'), '9.1f')}{fmt(row.get('raw_ratio'), '8.1f')}"
          f"{fmt(row.get('overhead_ratio'), '8.1f')}  {marks}", flush=True)


def _votes(url: str) -> dict:
    """Votes per second through db.voting.campaigns.cast_votes beside the raw insert rate (bench/voting.py)."""
    from bench import voting as vb
    from db.engine import make_engine

    engine = make_engine(url)
    vb._raw.metadata.create_all(engine)
    out = {}
    for threads, prefix in ((1, 55), (8, 58)):  # +86 155…, 158…: valid mobile ranges for fresh voters
        raw = vb.raw_rate(engine, threads, rows=800)
        rate = vb.vote_rate(engine, threads, f"bench-{threads}-{uuid.uuid4().hex[:12]}", prefix, votes=800)
        out[str(threads)] = {"votes_per_s": rate["rate"], "raw_inserts_per_s": raw, "lost": rate["lost"],
                             "duplicates": rate["duplicates"]}
    vb._raw.drop(engine)
    engine.dispose()
    return out


def _write(path: str | None, doc: dict) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, ensure_ascii=False, indent=1, default=str)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("demo", "city"), default="demo")
    parser.add_argument("--url")
    parser.add_argument("--pages", nargs="*", help="registry keys (key@variant for a variant); default: all")
    parser.add_argument("--json", dest="json_out", help="write the figures here")
    parser.add_argument("--warm-runs", type=int, default=10)
    parser.add_argument("--colds", type=int, default=3)
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--no-votes", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.getcwd())
    url = _prepare(args)

    from streamlit import logger as st_logger

    st_logger.set_log_level("error")  # AppTest outside a server warns on every cached call
    from bench import naive, pages, raw
    from db.engine import make_engine

    engine = make_engine(url)
    selected = pages.cases(engine, args.pages)
    if args.pages is not None and SHELL_PAGE not in [c.name for c in selected]:
        selected += pages.cases(engine, [SHELL_PAGE])
    started = time.perf_counter()
    print(f"{engine.dialect.name} · {args.db} · {len(selected)} pages · load {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    print(f"{'page':<26}{'cold ms':>9}{'warm ms':>9}{'naive ms':>10}{'speedup':>9}{'raw ms':>9}{'ratio':>8}"
          f"{'over':>8}  targets")
    results = pages.run_pages(selected, colds=args.colds, warm_runs=args.warm_runs, report=lambda r: print(
        f"  … {r['page']}: cold {r['cold_ms']:.0f} ms, warm {r['warm_ms']:.0f} ms", file=sys.stderr, flush=True))
    rss_pages = rss_mb()
    shell_ms = shell_cost_ms(results)
    for row in results:
        row["raw_ms"], row["statements"] = raw.replay_ms(engine, row["statements"])
        row["raw_ratio"] = row["cold_ms"] / row["raw_ms"] if row["raw_ms"] else None
        if not args.no_naive:
            row["naive_ms"], row["naive_figures"] = naive.naive_ms(row["page"], engine, row["query"])
            # the same figures two ways: whole tables through pandas, and the SQL the page runs
            row["speedup"] = row["naive_ms"] / row["raw_ms"] if row["naive_ms"] and row["raw_ms"] else None
            row["naive_vs_cold"] = row["naive_ms"] / row["cold_ms"] if row["naive_ms"] else None
        row["targets"] = judge(row, shell_ms)
        _print_row(row)
    rss_all = rss_mb()
    doc = {"backend": engine.dialect.name, "data": args.db, "targets": TARGETS, "shell_ms": shell_ms,
           "peak_rss_mb_pages": rss_pages, "peak_rss_mb_with_naive": rss_all, "votes": {},
           "load_average": os.getloadavg()[0], "pages": results}
    _write(args.json_out, doc)  # the page figures are safe before the vote run writes to the database
    try:
        votes = {} if args.no_votes else _votes(url)
    except Exception as exc:  # report it, keep the page figures
        votes = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"vote throughput not measured: {votes['error']}")
    for threads, v in votes.items():
        if threads == "error":
            continue
        print(f"votes, {threads} thread(s): {v['votes_per_s']:.0f}/s beside {v['raw_inserts_per_s']:.0f} raw inserts/s "
              f"(lost {v['lost']}, duplicates {v['duplicates']})")
    met = all(all(r["targets"].values()) for r in results) and rss_pages < TARGETS["rss_mb"]
    print(f"peak RSS: {rss_pages:.0f} MB after the pages (target < {TARGETS['rss_mb']:.0f} MB), {rss_all:.0f} MB after "
          f"the naive pass · shell cost {shell_ms or 0:.0f} ms · {time.perf_counter() - started:.0f} s · "
          f"{'all targets met' if met else 'targets missed: see ✗'}")
    _write(args.json_out, {**doc, "votes": votes, "all_targets_met": met})
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
