"""Speed as the user feels it: every page opened in a real Chromium (Debian's, through playwright; never a
download), counting what the server sends over the websocket and how long until the content is there,
beside the floor this stack allows (a bare Streamlit page with a sidebar of links, served in the same run)
and the lightest staff page (the account page). Prints a table and writes the figures as JSON. Not a test.

    python -m bench.browser --db demo                                   (the demo, in a temporary SQLite file)
    python -m bench.browser --db city --url sqlite:////tmp/city.db --json out.json
    python -m bench.browser --db city --url postgresql+psycopg://postgres@127.0.0.1:5432/cpme_city
    python -m bench.browser --db city --url sqlite:////tmp/city.db --pages projects social_orgs
    python -m bench.browser --app-dir /path/to/other/checkout ...        (measure another version of the app)
    python -m bench.browser --report before.json after.json             (a markdown table of two runs)

Each page is a bare link as the menu opens it (a few variants name their query, e.g. the published
campaign's review), visited twice in a session that signs in from the cookie as a new browser tab does:
"first" is the first visit after the server started (caches cold), "second" the next full load (with
--visits N, the median of the N - 1 loads after the first). Per visit:
bytes the server sent (websocket payloads), the largest frame, the script runs, and the time from
navigation to the end of the last script run of the load once the page's title is drawn (the content).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from db import clock
from factories.browser import Wire, free_port, stop, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLOOR, FLOOR_SUBPAGE = "(bare streamlit)", "(bare streamlit, pages/)"  # the floor's main script, and a page of pages/
QUIET_S = 1.5  # no frame for this long after a finished run: the load is over
TARGETS = {"max_first_view_kb": 300.0, "vs_account": 1.5, "account_vs_floor": 2.0}
USERS = {"admin": "Admin@2026", "leader": "Leader@2026"}
FLOOR_APP = '''import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
with st.sidebar:
    for n in range(12):
        st.page_link("https://example.org/#" + str(n), label="页面 " + str(n))
st.title("空白页")
st.write("Streamlit 本身的开销：一个标题，一段文字，侧栏十二个链接。")
'''


def _prepare(args) -> str:
    if args.url:
        url = args.url
    elif args.db == "demo":
        url = f"sqlite:///{args.data_dir}/demo.db"
    else:
        sys.exit("--db city needs --url of a database written by `python -m bench.citygen`")
    sys.path.insert(0, str(ROOT))
    from db import migrate
    from db.engine import make_engine

    engine = make_engine(url)
    migrate.upgrade(engine)
    if args.db == "demo" and not args.url:
        from seed_data import loader as seed

        seed.load_demo(engine)
    engine.dispose()
    return url


def _cases(url: str, selected: list[str] | None) -> list[dict]:
    """(name, path, query, user): every registry page as the menu links it, plus the review of the
    published campaign (the page a leader opens after a vote)."""
    from sqlalchemy import func, select

    from components.registry import PAGES
    from db.engine import make_engine
    from db.models.voting import Campaign

    engine = make_engine(url)
    with engine.connect() as conn:
        published = conn.execute(select(func.min(Campaign.id)).where(Campaign.status == "published")).scalar_one()
    engine.dispose()
    out = []
    for key, spec in PAGES.items():
        slug = "" if spec.path == "app.py" else Path(spec.path).stem
        user = None if spec.roles is None else ("admin" if "admin" in spec.roles else "leader")
        out.append({"page": key, "path": slug, "query": "", "user": user})
        if key == "vote_review" and published:
            out.append({"page": "vote_review@published", "path": slug, "query": f"?c={published}", "user": user})
    if selected:
        wanted = set(selected) | {"account"}
        out = [c for c in out if c["page"] in wanted or c["page"].split("@")[0] in wanted]
    return out


def _visit(page, wire: Wire, base: str, case: dict, timeout_s: float) -> dict:
    """One full load: navigation → the last script run finished (the title drawn), then quiet."""
    wire.reset()
    started = time.perf_counter()
    page.goto(base + "/" + case["path"] + case["query"], wait_until="commit")
    deadline = started + timeout_s
    titled = None
    while time.perf_counter() < deadline:
        page.wait_for_timeout(50)
        if titled is None and page.locator("h1").count():
            titled = time.perf_counter()
        finished = [at for at, _, kind in wire.frames if kind == "script_finished"]
        last = wire.frames[-1][0] if wire.frames else started
        if finished and time.perf_counter() - last > QUIET_S and not page.locator(
                '[data-testid="stStatusWidget"]').count():
            break
    else:
        raise TimeoutError(f"{case['page']}: no content within {timeout_s:.0f} s")
    finished = [at for at, _, kind in wire.frames if kind == "script_finished"]
    content_at = max(finished[-1], titled or 0.0)  # a page without a title: its last run
    sizes = [size for _, size, _ in wire.frames]
    return {"content_ms": (content_at - started) * 1000, "bytes": sum(sizes), "largest_frame": max(sizes, default=0),
            "frames": len(sizes), "script_runs": len(finished), "title_ms": (titled - started) * 1000 if titled else None,
            "runs_finished_ms": [round((at - started) * 1000) for at in finished]}


def _server(app_dir: Path, script: str, env: dict, port: int, log_dir: Path):
    """Serve `script` as a deployment does: through the warm-up launcher where the checkout has one."""
    import subprocess

    log = open(log_dir / f"streamlit-{port}.log", "w")
    launcher = (["-m", "components.warmup"] if script == "app.py" and (app_dir / "components" / "warmup.py").exists()
                else ["-m", "streamlit", "run", script])
    proc = subprocess.Popen(
        [sys.executable, *launcher, "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=app_dir, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(proc, base, 120, log.name)
    except Exception:
        stop(proc)
        raise
    return proc, base


def _sign_in(page, base: str, user: str, timeout_ms: float) -> None:
    page.goto(base)
    page.get_by_label("用户名").wait_for(timeout=timeout_ms)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(USERS[user])
    page.get_by_role("button", name="登录").click()
    deadline = time.monotonic() + timeout_ms / 1000
    while not any(c["name"] == "cpme_auth" for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no sign-in cookie for {user}")
        page.wait_for_timeout(200)
    page.wait_for_timeout(500)


def _row(name: str, visits: list[dict]) -> dict:
    # the warm figure is the median of the visits after the first: one visit of a 300 ms page moves by 100 ms
    # or more from run to run, which a ratio to another single visit doubles
    first, second = visits[0], visits[-1]
    warm = statistics.median(v["content_ms"] for v in visits[1:]) if len(visits) > 1 else first["content_ms"]
    return {"page": name, "first_ms": first["content_ms"], "second_ms": warm,
            "bytes_first": first["bytes"], "bytes_second": second["bytes"],
            "largest_frame": max(v["largest_frame"] for v in visits),
            "script_runs_first": first["script_runs"], "script_runs_second": second["script_runs"], "visits": visits}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.splitlines()[0],
                                     epilog="Needs /usr/bin/chromium (or CHROMIUM_PATH) and the python playwright "
                                            "package; never runs `playwright install`.")
    parser.add_argument("--db", choices=("demo", "city"), default="demo", help="demo data or a city-scale database")
    parser.add_argument("--url", help="DATABASE_URL (SQLite or PostgreSQL); with --db demo: loaded if empty")
    parser.add_argument("--pages", nargs="*", help="registry keys (key@variant for a variant); default: all")
    parser.add_argument("--json", dest="json_out", help="write the figures here")
    parser.add_argument("--visits", type=int, default=2,
                        help="full loads per page: the first, then warm ones, reported as their median; default 2")
    parser.add_argument("--app-dir", default=str(ROOT), help="the checkout whose app.py is served (default: this one)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a page may take (default 120)")
    parser.add_argument("--report", nargs=2, metavar=("BEFORE", "AFTER"), help="print a markdown table of two "
                                                                                 "runs' JSON and stop")
    args = parser.parse_args(argv)
    if args.report:
        print(report(*args.report))
        return 0
    if not Path(CHROMIUM).exists():
        sys.exit(f"no browser at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    args.data_dir = tempfile.mkdtemp(prefix="cpme-browser-")
    try:
        url = _prepare(args)
        cases = _cases(url, args.pages)
        env = {"DATABASE_URL": url, "APP_DATA_DIR": args.data_dir, "BCRYPT_ROUNDS": "4",
               "APP_SECRET_KEY": os.environ.get("APP_SECRET_KEY", "bench-browser-" + "k" * 40)}
        floor_dir = Path(args.data_dir) / "floor"
        floor_dir.mkdir()
        (floor_dir / "floor.py").write_text(FLOOR_APP, encoding="utf-8")
        (floor_dir / "pages").mkdir()
        (floor_dir / "pages" / "p.py").write_text(FLOOR_APP, encoding="utf-8")
        load_before = os.getloadavg()
        print(f"{url.split(':')[0]} · {args.db} · {len(cases)} pages · load {load_before[0]:.1f} on "
              f"{os.cpu_count()} CPUs · app {args.app_dir}", flush=True)
        print(f"{'page':<24}{'first ms':>10}{'second ms':>10}{'KB first':>10}{'KB 2nd':>9}{'max frame':>11}"
              f"{'runs':>6}", flush=True)
        rows = []
        started = time.perf_counter()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--no-first-run"])
            proc, base = _server(floor_dir, "floor.py", {}, free_port(), Path(args.data_dir))
            try:
                page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
                wire = Wire(page)
                for name, path in ((FLOOR, ""), (FLOOR_SUBPAGE, "p")):
                    floor = {"page": name, "path": path, "query": "", "user": None}
                    rows.append(_row(name, [_visit(page, wire, base, floor, args.timeout) for _ in range(args.visits)]))
                    _print(rows[-1])
            finally:
                stop(proc)
            proc, base = _server(Path(args.app_dir), "app.py", env, free_port(), Path(args.data_dir))
            try:
                tabs = {}
                for case in cases:
                    key = case["user"] or "public"
                    if key not in tabs:
                        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
                        page = context.new_page()
                        wire = Wire(page)
                        if case["user"]:
                            _sign_in(page, base, case["user"], args.timeout * 1000)
                        tabs[key] = (page, wire)
                    page, wire = tabs[key]
                    try:
                        rows.append(_row(case["page"], [_visit(page, wire, base, case, args.timeout)
                                                        for _ in range(args.visits)]))
                    except Exception as exc:  # report it, keep the others
                        rows.append({"page": case["page"], "error": f"{type(exc).__name__}: {exc}"})
                    _print(rows[-1])
            finally:
                stop(proc)
            browser.close()
        doc = _summary(rows, url, args, load_before, time.perf_counter() - started)
        if args.json_out:
            with open(args.json_out, "w", encoding="utf-8") as handle:
                json.dump(doc, handle, ensure_ascii=False, indent=1)
    finally:
        shutil.rmtree(args.data_dir, ignore_errors=True)
    return 0


def _print(row: dict) -> None:
    if "error" in row:
        print(f"{row['page']:<24}  {row['error']}", flush=True)
        return
    print(f"{row['page']:<24}{row['first_ms']:>10.0f}{row['second_ms']:>10.0f}{row['bytes_first'] / 1024:>10.1f}"
          f"{row['bytes_second'] / 1024:>9.1f}{row['largest_frame'] / 1024:>10.1f}K"
          f"{row['script_runs_first']:>4}/{row['script_runs_second']}", flush=True)


def _summary(rows: list[dict], url: str, args, load_before, seconds: float) -> dict:
    ok = [r for r in rows if "error" not in r]
    by = {r["page"]: r for r in ok}
    floor, account, subpage = by.get(FLOOR), by.get("account"), by.get(FLOOR_SUBPAGE)
    staff = [r for r in ok if not r["page"].startswith("(")]
    for row in staff:
        row["vs_account_second"] = row["second_ms"] / account["second_ms"] if account else None
    heaviest = max(staff, key=lambda r: r["bytes_first"], default=None)
    checks = {
        "max_first_view_kb": heaviest["bytes_first"] / 1024 if heaviest else None,
        "heaviest_page": heaviest["page"] if heaviest else None,
        "account_vs_floor_second": account["second_ms"] / floor["second_ms"] if account and floor else None,
        # the account page is a page of pages/, which a bare app serves slower than its main script (a deep link)
        "account_vs_subpage_floor_second": account["second_ms"] / subpage["second_ms"] if account and subpage else None,
        "pages_over_1_5x_account": [r["page"] for r in staff if (r["vs_account_second"] or 0) > TARGETS["vs_account"]],
    }
    load_after = os.getloadavg()
    print(f"heaviest first view {checks['max_first_view_kb'] or 0:.0f} KB ({checks['heaviest_page']}; target ≤ "
          f"{TARGETS['max_first_view_kb']:.0f} KB) · account ÷ floor {checks['account_vs_floor_second'] or 0:.2f} "
          f"(second visits; target ≤ {TARGETS['account_vs_floor']}; ÷ the bare pages/ page "
          f"{checks['account_vs_subpage_floor_second'] or 0:.2f}) · over 1.5× account: "
          f"{', '.join(checks['pages_over_1_5x_account']) or 'none'} · median second visit "
          f"{statistics.median([r['second_ms'] for r in staff]) if staff else 0:.0f} ms · load {load_before[0]:.1f} → "
          f"{load_after[0]:.1f} · {seconds:.0f} s", flush=True)
    return {"kind": "browser", "backend": url.split(":")[0].split("+")[0], "data": args.db, "app_dir": args.app_dir,
            "measured_at": clock.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "cpus": os.cpu_count(),
            "load_average_before": list(load_before), "load_average_after": list(load_after),
            "targets": TARGETS, "checks": checks, "seconds": seconds, "pages": rows}


def report(before_path: str, after_path: str) -> str:
    """Markdown: per page, KB of the first view, largest frame and the second visit's time before → after, and
    that time over the account page's in the same run (the ratio is what survives a busy machine)."""
    docs = [json.load(open(path, encoding="utf-8")) for path in (before_path, after_path)]
    rows = [{r["page"]: r for r in doc["pages"] if "error" not in r} for doc in docs]
    account = [r.get("account", {}).get("second_ms") for r in rows]
    lines = ["| page | KB first view | largest frame KB | first visit ms | second visit ms | second ÷ account |",
             "|---|---|---|---|---|---|"]
    for name in [r["page"] for r in docs[1]["pages"]]:
        pair = [r.get(name) for r in rows]

        def cell(key, scale=1.0, fmt="{:,.0f}"):
            return " → ".join(fmt.format(p[key] / scale) if p else "—" for p in pair)

        ratio = " → ".join(f"{p['second_ms'] / a:.1f}" if p and a else "—" for p, a in zip(pair, account))
        lines.append(f"| {name} | {cell('bytes_first', 1024)} | {cell('largest_frame', 1024)} | {cell('first_ms')} | "
                     f"{cell('second_ms')} | {ratio} |")
    loads = " → ".join(f"{d['load_average_before'][0]:.1f}–{d['load_average_after'][0]:.1f}" for d in docs)
    when = " and ".join(d["measured_at"] for d in docs)
    lines.append(f"\n{docs[1]['backend']} · {docs[1]['data']} · measured {when} · load average {loads} "
                 f"(before → after) on {docs[1]['cpus']} CPUs")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
