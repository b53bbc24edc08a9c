"""The 提案办理 download of every proposal in the scope (admin: the whole city), step by step: the read, the labels,
the Excel file and the CSV file, in CPU and wall milliseconds, the least of N runs. Not a test.

    python -m bench.download URL [--json OUT] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.download", description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("APP_SECRET_KEY", "bench-" + "k" * 40)
    sys.path.insert(0, os.getcwd())
    logging.disable(logging.WARNING)  # Streamlit's "no runtime" warnings: the labels run outside a script
    from components import exports
    from components.community import proposals as page
    from db import clock
    from db.community import proposals
    from db.engine import make_engine
    from db.users import actor_for

    engine = make_engine(args.url)
    actor = actor_for(engine, "admin")
    runs: dict[str, list[tuple[float, float]]] = {"read": [], "label": [], "xlsx": [], "csv": []}
    started_load = os.getloadavg()[0]

    def step(name, action):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        runs[name].append(((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000))
        return result

    for _ in range(args.runs):
        rows = step("read", lambda: proposals.list_proposals(engine, actor=actor))
        shown = step("label", lambda: page._table(rows, "zh"))
        step("xlsx", lambda: exports.excel_bytes({"提案办理": shown}, title="提案办理"))
        step("csv", lambda: exports.csv_bytes(shown))
    best = {name: {"cpu_ms": round(min(c for c, _ in v)), "wall_ms": round(min(w for _, w in v))}
            for name, v in runs.items()}
    doc = {"backend": engine.dialect.name, "rows": len(rows), "runs": args.runs, "least_of": best,
           "total_cpu_ms": sum(b["cpu_ms"] for b in best.values()),
           "total_wall_ms": sum(b["wall_ms"] for b in best.values()),
           "load_average": [round(started_load, 1), round(os.getloadavg()[0], 1)],
           "measured": clock.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")}
    print(json.dumps(doc, ensure_ascii=False))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, ensure_ascii=False, indent=1)
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
