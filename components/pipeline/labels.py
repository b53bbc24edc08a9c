"""Labels of the pipeline's coded values (stages, domains, organization kinds, grades) in the user's
language; pure functions of (value, lang) so exports and tests can use them outside a script run."""

from __future__ import annotations

from components.texts import translate
from db.pipeline import rules


def _missing(value) -> bool:
    """None, or pandas' NaN for a missing value in a column (NaN is truthy, so `if value` lets it through)."""
    return value is None or value != value


def stage(value: str | None, lang: str) -> str:
    """A stage's name; "—" where there is none (a project's creation has no stage before it)."""
    return "—" if _missing(value) or value == "" else translate(f"pipe.stage.{value}", lang)


def domain(value: str, lang: str) -> str:
    return translate(f"pipe.domain.{value}", lang)


def org_kind(value: str, lang: str) -> str:
    return translate(f"pipe.kind.{value}", lang)


def registration(value: str, lang: str) -> str:
    return translate(f"pipe.registration.{value}", lang)


def party(value: str, lang: str) -> str:
    return translate(f"pipe.party.{value}", lang)


def grade(value) -> str:
    """3 -> "3A"; no grade -> "—"."""
    try:
        return f"{int(value)}A"
    except (TypeError, ValueError):
        return "—"


def rating_status(value: str | None, lang: str) -> str:
    return translate(f"pipe.rating.{value}", lang) if value else "—"


def stage_options(lang: str) -> dict[str, str]:
    return {value: stage(value, lang) for value in rules.STATES}


def domain_options(lang: str) -> dict[str, str]:
    return {value: domain(value, lang) for value in rules.DOMAINS}
