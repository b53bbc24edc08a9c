"""Smoke test of `python -m bench.signin` at a cheap cost: every case is timed and the lockout holds.
(At cost 4 the database round trips outweigh bcrypt, so the 20% verdict is only meaningful at 12.)"""

from __future__ import annotations

import os
import subprocess
import sys

from factories.app import ROOT


def test_signin_bench_prints_every_case_and_the_lockout(tmp_path):
    env = {**os.environ, "APP_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bench.signin", "--rounds", "4", "--runs", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    for case in ("unknown user", "wrong password", "locked account", "deactivated account", "right password"):
        assert case in done.stdout
    assert "refusals within 20% of each other" in done.stdout
    assert "32 parallel wrong passwords from 2 processes -> 5 checked, 5 login_failed rows, account locked" in done.stdout
