"""Parallel sign-in attempts on one account from several processes of several threads each, as from
several app instances: shared by tests/test_login_race.py and bench/signin.py.

Plain subprocesses talking JSON (not multiprocessing): spawn re-runs whatever __main__ is at the time,
and AppTest leaves its generated script there."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _process_main() -> None:
    """One process: {"url", "username", "passwords"} on stdin; prints "ready", waits for a line, then
    tries every password at once, one thread each; prints what it saw as JSON."""
    from db import passwords, users
    from db.engine import make_engine

    job = json.loads(sys.stdin.readline())
    engine = make_engine(job["url"])
    with engine.connect():
        pass  # connect before the start line, so the attempts start together
    checked, lock = [], threading.Lock()
    real_verify = passwords.verify

    def counting_verify(password, hashed):
        good = real_verify(password, hashed)
        if hashed:  # a check against the account's own hash, not the dummy
            with lock:
                checked.append(good)
        return good

    passwords.verify = counting_verify
    start = threading.Barrier(len(job["passwords"]))
    results, errors = [None] * len(job["passwords"]), []

    def attempt(index, password):
        start.wait()
        try:
            result = users.authenticate(engine, job["username"], password)
            results[index] = [result.ok, result.reason]
        except Exception as err:  # reported, and the test fails on it
            errors.append(repr(err))

    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in enumerate(job["passwords"])]
    print("ready", flush=True)
    sys.stdin.readline()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    json.dump({"results": results, "wrong_checked": checked.count(False), "right_checked": checked.count(True),
               "errors": errors}, sys.stdout)
    engine.dispose()


def race(url: str, username: str, password_lists: list[list[str]], env: dict | None = None) -> dict:
    """Run one process per list of passwords, all released at once; their results added up."""
    code = "from factories.login_race import _process_main; _process_main()"
    workers = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, env=env) for _ in password_lists]
    for worker, passwords in zip(workers, password_lists):
        worker.stdin.write(json.dumps({"url": url, "username": username, "passwords": passwords}) + "\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:  # the start line, to every process before any of them can finish
        worker.stdin.write("go\n")
        worker.stdin.flush()
    parts = []
    for worker in workers:
        worker.stdin.close()
        parts.append(json.loads(worker.stdout.read()))
        assert worker.wait(timeout=180) == 0
    return {"results": [r for part in parts for r in part["results"]],
            "wrong_checked": sum(part["wrong_checked"] for part in parts),
            "right_checked": sum(part["right_checked"] for part in parts),
            "errors": [e for part in parts for e in part["errors"]]}
