"""Configuration from the environment, with safe generated defaults for the embedded install."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_ENV = "APP_SECRET_KEY"


def data_dir() -> Path:
    path = Path(os.environ.get("APP_DATA_DIR", ROOT / "data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'app.db'}"


def secret_key() -> str:
    """APP_SECRET_KEY, or a random key generated once into data/ so no install runs on a known key."""
    key = os.environ.get(SECRET_KEY_ENV, "").strip()
    if key:
        if len(key) < 32:
            raise RuntimeError(f"{SECRET_KEY_ENV} must be at least 32 characters long")
        return key
    path = data_dir() / "secret_key"
    try:
        # O_EXCL: when two processes start at once, exactly one writes the key and both read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        import time

        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it or set {SECRET_KEY_ENV}")


def demo() -> bool:
    """APP_DEMO: load the demo on first start (the default, for trying the app); 0 starts an empty install."""
    return os.environ.get("APP_DEMO", "1").strip().lower() not in ("0", "false", "no", "off")


def bcrypt_rounds() -> int:
    return int(os.environ.get("BCRYPT_ROUNDS", "12"))


def cookie_expiry_days() -> float:
    return float(os.environ.get("APP_COOKIE_DAYS", "7"))


def default_language() -> str:
    lang = os.environ.get("APP_LANG", "zh")
    return lang if lang in ("zh", "en") else "zh"


def timezone() -> str:
    return os.environ.get("APP_TIMEZONE", "Asia/Shanghai")


def vote_phone_regions() -> tuple[str, ...]:
    """VOTE_PHONE_REGIONS: the regions (ISO 3166 codes, comma-separated) whose mobile numbers may vote;
    the first also reads numbers typed without +country. A district vote is for residents: CN only."""
    raw = os.environ.get("VOTE_PHONE_REGIONS", "") or "CN"
    return tuple(dict.fromkeys(part.strip().upper() for part in raw.split(",") if part.strip())) or ("CN",)
