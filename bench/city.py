"""What the city generator's parts share: the City being built, and its accounts (the evaluations part
adds its own evaluators through add_users)."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import bcrypt

from bench.bulk import BulkWriter
from db import settings
from db.models import AppUser


@dataclass
class City:
    """What later parts need to know about the tree and the accounts."""

    seed: int
    scale: float
    today: date
    now: datetime
    writer: BulkWriter
    root_id: int = 1
    districts: list[dict] = field(default_factory=list)  # id, code, name, streets: [id, name, pilot, communities]
    grids: list[dict] = field(default_factory=list)  # id, district_id, street_id, community_id, households, kind, pilot
    users: dict[str, int] = field(default_factory=dict)  # username -> id
    orgs: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    audit: list[tuple] = field(default_factory=list)  # at, user_id, username, action, entity, entity_id, after
    next_user_id: int = 1

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")

    def count(self, full: int) -> int:
        return max(1, round(full * self.scale))


def deterministic_hash(password: str, rng: random.Random) -> str:
    """bcrypt with a salt drawn from the seed, so two runs write the same bytes (cost from settings)."""
    alphabet = "./" + string.ascii_uppercase + string.ascii_lowercase + string.digits
    salt = f"$2b${settings.bcrypt_rounds():02d}$" + "".join(rng.choice(alphabet) for _ in range(21)) + "O"
    return bcrypt.hashpw(password.encode("utf-8"), salt.encode()).decode()


def add_users(city: City, rows: list[dict]) -> None:
    """Accounts: username, display_name, role, scope_id, and password (hashed) or password_hash."""
    rng = city.rng("users:" + ",".join(r["username"] for r in rows[:1]))
    out = []
    for row in rows:
        city.users[row["username"]] = user_id = city.next_user_id
        city.next_user_id += 1
        password_hash = row.get("password_hash") or deterministic_hash(row["password"], rng)
        out.append((user_id, row["username"], row["display_name"], password_hash, row["role"], row["scope_id"],
                    True, 0, city.now - timedelta(days=400), city.now - timedelta(days=400)))
    city.writer.write(AppUser.__table__, ("id", "username", "display_name", "password_hash", "role", "scope_id",
                                          "active", "failed_logins", "tokens_valid_after", "created_at"), out)
