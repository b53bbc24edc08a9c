"""bcrypt hashing; the cost comes from BCRYPT_ROUNDS (12 by default, 4 in test fixtures)."""

from __future__ import annotations

import bcrypt

from db import settings

# bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently cut.
MAX_BYTES = 72
_DUMMY_HASH = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(4)).decode()


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(settings.bcrypt_rounds())).decode()


def verify(password: str, hashed: str | None) -> bool:
    raw = password.encode("utf-8")
    if not hashed or len(raw) > MAX_BYTES:
        bcrypt.checkpw(b"x", _DUMMY_HASH.encode())  # spend comparable time for unknown users
        return False
    try:
        return bcrypt.checkpw(raw, hashed.encode())
    except ValueError:
        return False
