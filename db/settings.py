"""Configuration from the environment, with safe generated defaults for the embedded install."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
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


OIDC_CLAIM_DEFAULT = "preferred_username"


@dataclass(frozen=True)
class Oidc:
    """Sign-in through the district's identity platform (统一身份认证), beside the local passwords."""

    metadata_url: str  # the issuer's /.well-known/openid-configuration
    client_id: str
    client_secret: str
    redirect_uri: str  # this app's address + /oauth2callback, as registered at the platform
    claim: str  # the ID-token claim matched to a user's username
    label: str  # the button's words, e.g. the platform's own name


def oidc() -> Oidc | None:
    """APP_OIDC_*: None (the default) keeps local passwords only. Issuer, client id and secret are required
    together, so a half-configured install fails at start instead of at a staff member's first sign-in."""
    issuer = os.environ.get("APP_OIDC_ISSUER", "").strip().rstrip("/")
    client_id = os.environ.get("APP_OIDC_CLIENT_ID", "").strip()
    client_secret = os.environ.get("APP_OIDC_CLIENT_SECRET", "").strip()
    if not (issuer or client_id or client_secret):
        return None
    missing = [name for name, value in (("APP_OIDC_ISSUER", issuer), ("APP_OIDC_CLIENT_ID", client_id),
                                        ("APP_OIDC_CLIENT_SECRET", client_secret)) if not value]
    if missing:
        raise RuntimeError(f"OIDC sign-in needs {', '.join(missing)} as well")
    redirect = os.environ.get("APP_OIDC_REDIRECT_URI", "").strip() or "http://localhost:{port}/oauth2callback"
    if not redirect.endswith("/oauth2callback"):
        raise RuntimeError("APP_OIDC_REDIRECT_URI must end with /oauth2callback (Streamlit's callback path)")
    metadata = os.environ.get("APP_OIDC_METADATA_URL", "").strip() or f"{issuer}/.well-known/openid-configuration"
    return Oidc(metadata_url=metadata, client_id=client_id, client_secret=client_secret, redirect_uri=redirect,
                claim=os.environ.get("APP_OIDC_CLAIM", "").strip() or OIDC_CLAIM_DEFAULT,
                label=os.environ.get("APP_OIDC_LABEL", "").strip())


def public_url() -> str | None:
    """APP_PUBLIC_URL: the address residents reach the app at (e.g. https://vote.example.gov.cn), for the
    QR codes on printed posters; None when unset. Checked where it is used."""
    return os.environ.get("APP_PUBLIC_URL", "").strip() or None


def cjk_font() -> str | None:
    """APP_CJK_FONT: a font file with Chinese glyphs for generated pictures, where fonts-noto-cjk is not
    installed at its Debian path; None when unset."""
    return os.environ.get("APP_CJK_FONT", "").strip() or None
