"""Warming a freshly started server in the background, so the first visitor after a start does not pay the
imports, the engine and the heaviest reads: `python -m components.warmup [streamlit run options]` serves
app.py like `streamlit run app.py` and, beside it, imports every page's modules, opens the engine (which
prepares the database) and fills the leadership overview for every leader's and admin's scope."""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_log = logging.getLogger("cpme.warmup")


def _import_all() -> int:
    """Every module of the two layers, as a page run would import them (about two seconds cold)."""
    count = 0
    for package in ("db", "components"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            if info.name.startswith(("db.migrations", "components.warmup")):
                continue
            try:
                importlib.import_module(info.name)
                count += 1
            except Exception:  # a module that cannot be imported here fails on its page, with its message
                _log.exception("warm-up: importing %s failed", info.name)
    return count


def set_modules_aside() -> int:
    """Move what the imports made (about 270,000 objects, kept as long as the process) out of the collector's
    sight: with Streamlit's collection after every run off (.streamlit/config.toml), Python's own full collections
    come now and then, and took 110-280 ms holding the GIL walking them. Returns how many are set aside."""
    gc.collect()  # garbage of the imports is not kept for ever
    gc.freeze()
    return gc.get_freeze_count()


def _scopes(engine) -> list:
    """One actor per (role, scope) of the active leaders and admins: the overview's cache is keyed by those."""
    from sqlalchemy import select

    from components.caching import by_scope
    from db import users
    from db.engine import reading
    from db.models import AppUser

    with reading(engine) as session:
        names = session.execute(select(AppUser.username).where(AppUser.active == True,  # noqa: E712
                                                               AppUser.role.in_(("leader", "admin")))
                                .order_by(AppUser.id)).scalars().all()
    seen = {}
    for name in names:
        actor = users.actor_for(engine, name)
        if actor is not None:
            seen.setdefault((actor.role, actor.scope_id), by_scope(actor))
    return list(seen.values())[:20]


def warm(wait_for_runtime: float = 60.0) -> dict[str, float]:
    """Imports, the engine, then the overview of every leader's and admin's scope; seconds per step."""
    steps: dict[str, float] = {}
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    steps["modules"] = _import_all()
    steps["imports_s"] = time.perf_counter() - started
    steps["frozen"] = set_modules_aside()
    from streamlit import runtime

    deadline = time.monotonic() + wait_for_runtime
    while not runtime.exists() and time.monotonic() < deadline:  # caches live in the server's runtime
        time.sleep(0.1)
    from components import store
    from components.overview import data as overview_data
    from db import clock, settings

    mark = time.perf_counter()
    url = store.url()
    engine = store.engine_for(url)
    steps["engine_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    today, lang = clock.today(), settings.default_language()
    for actor in _scopes(engine):  # what the home page reads first: the scope's years, this year's overview
        overview_data.years(url, actor)
        overview_data.shown(url, actor, today.year, today, lang)
    steps["overview_s"] = time.perf_counter() - mark
    return steps


def _warm_logged() -> None:
    # the cached readers warn once per call that this thread runs no script: true, and harmless here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    try:
        steps = warm()
        _log.warning("warm-up done: %s", ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    except Exception:  # a failed warm-up costs the first visitor the time, nothing else
        _log.exception("warm-up failed")


def start() -> threading.Thread:
    thread = threading.Thread(target=_warm_logged, name="cpme-warmup", daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    """`streamlit run app.py <argv>` with the warm-up beside it."""
    from streamlit.web import cli

    start()
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
