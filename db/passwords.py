"""bcrypt hashing; the cost comes from BCRYPT_ROUNDS (12 by default, 4 in test fixtures)."""

from __future__ import annotations

import re
from functools import lru_cache

import bcrypt

from db import settings

# bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently cut.
MAX_BYTES = 72
_COST = re.compile(r"^\$2[abxy]?\$(\d\d)\$")


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(settings.bcrypt_rounds())).decode()


def cost_of(hashed: str | None) -> int:
    """The cost a stored hash was made with; the configured cost for anything unreadable."""
    match = _COST.match(hashed or "")
    return int(match.group(1)) if match else settings.bcrypt_rounds()


@lru_cache(maxsize=None)
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(rounds))


def dummy_check(rounds: int | None = None) -> None:
    """Spend one bcrypt check at `rounds` (default: the configured cost) and learn nothing.

    Unknown, locked and deactivated accounts go through this so that they answer in the time a real
    wrong password takes; a cheaper dummy made unknown names answer 100x faster."""
    bcrypt.checkpw(b"x", _dummy_hash(rounds or settings.bcrypt_rounds()))


def verify(password: str, hashed: str | None) -> bool:
    raw = password.encode("utf-8")
    if not hashed or len(raw) > MAX_BYTES:
        dummy_check(cost_of(hashed))
        return False
    try:
        return bcrypt.checkpw(raw, hashed.encode())
    except ValueError:
        return False
