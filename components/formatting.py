"""Numbers, money and dates for the user's language, through Babel. Pure functions: no Streamlit."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_decimal, format_decimal, format_percent

from db import settings

LOCALES = {"zh": "zh_CN", "en": "en_US"}


@lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    """Parsed once: Babel re-reads its locale data on every call given a string."""
    return Locale.parse(LOCALES.get(lang, "zh_CN"))


def number(value: float | int | None, lang: str, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=_locale(lang))


def wan_yuan(yuan: int | None, lang: str, digits: int = 2) -> str:
    """Integer yuan shown in 万元 (10k yuan), the unit officials read: 97,300,000 → "9,730 万元"."""
    if yuan is None:
        return "—"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    amount = format_decimal(yuan / 10_000, pattern, locale=_locale(lang))
    return f"{amount} 万元" if lang == "zh" else f"{amount} × 10k yuan"


def money_compact(yuan: int | None, lang: str) -> str:
    """Short form for headlines: 9730万元 / 1.23亿元 in Chinese, CN¥97.3M in English."""
    if yuan is None:
        return "—"
    if lang == "zh":
        return format_compact_decimal(yuan, locale="zh_CN", fraction_digits=2) + "元"
    from babel.numbers import format_compact_currency

    return format_compact_currency(yuan, "CNY", locale="en_US", fraction_digits=2)


def percent(ratio: float | None, lang: str, digits: int = 1) -> str:
    if ratio is None:
        return "—"
    return format_percent(ratio, "#,##0." + "0" * digits + "%", locale=_locale(lang))


def day(value: date | None, lang: str) -> str:
    if value is None:
        return "—"
    return format_date(value, "medium", locale=_locale(lang))


def moment(value: datetime | None, lang: str) -> str:
    """A stored UTC instant shown in the district's time zone."""
    if value is None:
        return "—"
    return format_datetime(value, "medium", tzinfo=settings.timezone(), locale=_locale(lang))


def minute(value: datetime, lg: str) -> str:
    """A stored UTC instant as the district's date and hh:mm (seconds mean nothing to a voter)."""
    local = value.astimezone(ZoneInfo(settings.timezone()))
    return f"{day(local.date(), lg)} {local:%H:%M}"
