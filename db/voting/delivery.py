"""Delivering a one-time code: shown on screen in the demo, or handed to the district's SMS command
on its standard input."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess

from db.errors import DomainError

_log = logging.getLogger(__name__)
DELIVERY_ENV = "VOTE_CODE_DELIVERY"


COMMAND_ENV = "VOTE_CODE_COMMAND"


COMMAND_TIMEOUT_S = 15


class DeliveryFailed(Exception):
    pass


def delivery_mode() -> str:
    mode = os.environ.get(DELIVERY_ENV, "demo").strip().lower() or "demo"
    if mode not in ("demo", "command") or (mode == "command" and not os.environ.get(COMMAND_ENV, "").strip()):
        raise DomainError("vote.error.delivery_config")  # fail closed rather than guess
    return mode


def deliver(mode: str, e164: str, code: str) -> str | None:
    """demo: hand the code back for the screen; command: run VOTE_CODE_COMMAND (no shell) and write
    "<E.164 number>\n<code>\n" to its standard input: an argument list is readable by every local
    user through ps and /proc, a pipe is not."""
    if mode == "demo":
        return code
    argv = shlex.split(os.environ[COMMAND_ENV])
    try:
        subprocess.run(argv, shell=False, check=True, timeout=COMMAND_TIMEOUT_S, capture_output=True,
                       input=f"{e164}\n{code}\n", text=True)
    except (OSError, subprocess.SubprocessError) as exc:
        # for the operator's log: what failed, never the number or the code
        status = getattr(exc, "returncode", None)
        _log.warning("vote code delivery failed: %s%s", type(exc).__name__, f" (exit {status})" if status else "")
        raise DeliveryFailed(type(exc).__name__) from None
    return None
