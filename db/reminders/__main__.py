"""`python -m db.reminders`: make today's notifications in DATABASE_URL (what cpme-reminders.timer runs daily).
Idempotent: running it again, or beside the app's own first-view run, makes nothing twice."""

from __future__ import annotations

import sys

from db import clock
from db.engine import make_engine
from db.reminders import daily


def main(argv: list[str] | None = None) -> int:
    engine = make_engine()
    today = clock.today()
    made = daily.make(engine, today=today)
    print(f"reminders {today.isoformat()}: {made} new notification(s)")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
