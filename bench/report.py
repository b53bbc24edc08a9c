"""Markdown tables from the JSON `python -m bench --json` writes: one run, or a before/after pair.

    python -m bench.report after.json [--before before.json]
"""

from __future__ import annotations

import argparse
import json


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _marks(row: dict) -> str:
    return " ".join(f"{name} {'✓' if ok else '✗'}" for name, ok in row.get("targets", {}).items())


def table(after: dict, before: dict | None = None) -> str:
    old = {row["page"]: row for row in (before or {}).get("pages", [])}
    head = ["page", "cold ms", "warm ms", "naive ms", "speed-up", "raw SQL ms", "page/raw", "targets"]
    if before:
        head[1:1] = ["cold before"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in after["pages"]:
        cells = [row["page"], _ms(row["cold_ms"]), _ms(row["warm_ms"]), _ms(row.get("naive_ms")),
                 "—" if not (row.get("naive_ms") and row.get("raw_ms")) else f"{row['naive_ms'] / row['raw_ms']:,.1f}×", f"{row['raw_ms']:,.1f}",
                 "—" if row.get("raw_ratio") is None else f"{row['raw_ratio']:.1f}", _marks(row)]
        if before:
            cells[1:1] = [_ms(old.get(row["page"], {}).get("cold_ms"))]
        lines.append("| " + " | ".join(cells) + " |")
    votes = after.get("votes") or {}
    tail = [f"peak RSS {after['peak_rss_mb_pages']:.0f} MB during the pages "
            f"({after['peak_rss_mb_with_naive']:.0f} MB after the naive pass); load average {after['load_average']:.1f}"]
    for threads, v in votes.items():
        if threads != "error":
            tail.append(f"votes with {threads} thread(s): {v['votes_per_s']:,.0f}/s beside {v['raw_inserts_per_s']:,.0f} "
                        f"raw inserts/s, lost {v['lost']}, duplicates {v['duplicates']}")
    return "\n".join(lines) + "\n\n" + "; ".join(tail) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report")
    parser.add_argument("after")
    parser.add_argument("--before")
    args = parser.parse_args(argv)
    load = lambda path: json.load(open(path, encoding="utf-8"))  # noqa: E731
    print(table(load(args.after), load(args.before) if args.before else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
