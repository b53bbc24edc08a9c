"""Numbers, money and dates for the user's language, through Babel. Pure functions: no Streamlit."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

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
    """Integer yuan shown in 万元 (10k yuan), the unit officials read: 97,300,000 → "9,730 万元"; in English
    the amount in yuan with K/M/B (¥97.3M), which an English reader takes in at a glance."""
    if yuan is None:
        return "—"
    if lang != "zh":
        return yuan_short(yuan, digits=max(digits, 1), significant=False)
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    amount = format_decimal(yuan / 10_000, pattern, locale=_locale(lang))
    return f"{amount} 万元"


_STEPS_EN = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K"))


def yuan_short(yuan: float, *, digits: int = 2, significant: bool = True) -> str:
    """¥ with K/M/B: three significant figures (¥97.3M, ¥162M, ¥1.62B), or with `significant=False` up to
    `digits` decimals (¥16.63M); an amount that would round to 1,000 of a step is shown in the next (¥1M)."""
    sign, value = ("-" if yuan < 0 else ""), abs(float(yuan))
    if value < 1_000:
        return f"{sign}¥{value:,.0f}"
    for index, (step, suffix) in enumerate(_STEPS_EN):
        if value >= step * 0.9995 or index == len(_STEPS_EN) - 1:
            scaled = value / step
            places = (2 if scaled < 10 else 1 if scaled < 100 else 0) if significant else digits
            text = f"{scaled:,.{places}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return f"{sign}¥{text}{suffix}"
    raise AssertionError("unreachable")


def headline_money(yuan: int | None, lang: str) -> str:
    """An amount short enough for a headline card: whole 万元 from 100万 to 1 亿 ("9,730 万元"), 亿元 with two
    decimals from 1 亿 ("1.62 亿元"), 万元 with up to two below 100万 ("28.11 万元"), yuan below 1 万 ("5,000 元");
    in English ¥ with K/M/B ("¥97.3M"). The space lets a narrow card wrap before the unit, never in the number."""
    if yuan is None:
        return "—"
    if lang != "zh":
        return yuan_short(yuan)
    sign, value = ("-" if yuan < 0 else ""), abs(yuan)
    if value == 0:
        return "0 万元"
    if value < 10_000:
        return f"{sign}{format_decimal(value, '#,##0', locale=_locale(lang))} 元"
    if value < 995_000:  # a single project's 28.11万元: the cents of 万 still mean something below 100万
        return f"{sign}{format_decimal(value / 10_000, '#,##0.##', locale=_locale(lang))} 万元"
    wan = round(value / 10_000)
    if wan < 10_000:
        return f"{sign}{format_decimal(wan, '#,##0', locale=_locale(lang))} 万元"
    return f"{sign}{format_decimal(value / 100_000_000, '#,##0.##', locale=_locale(lang))} 亿元"


def money_delta(change_yuan: int | float | None, lang: str) -> str | None:
    """A change of an amount, signed, in the headline's short form: "+9,730 万元", "-¥1.2M"."""
    if change_yuan is None:
        return None
    text = headline_money(int(round(change_yuan)), lang)
    return ("+" + text) if change_yuan > 0 else text


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
