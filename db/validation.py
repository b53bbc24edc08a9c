"""Turn pydantic validation failures into domain errors that name the field and the rule."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from db.errors import DomainError

M = TypeVar("M", bound=BaseModel)

# pydantic error type -> our message code (components/texts/common.py holds the wording)
_RULES = {
    "missing": "rule.required",
    "string_too_short": "rule.min_length",
    "string_too_long": "rule.max_length",
    "string_pattern_mismatch": "rule.pattern",
    "greater_than": "rule.gt",
    "greater_than_equal": "rule.ge",
    "less_than": "rule.lt",
    "less_than_equal": "rule.le",
    "int_parsing": "rule.integer",
    "int_from_float": "rule.integer",
    "int_type": "rule.integer",
    "float_parsing": "rule.number",
    "float_type": "rule.number",
    "date_parsing": "rule.date",
    "date_from_datetime_parsing": "rule.date",
    "literal_error": "rule.choice",
    "enum": "rule.choice",
    "bool_parsing": "rule.boolean",
}


class InvalidInput(DomainError):
    """One or more fields broke a rule; `problems` lists (field, rule code, params) for each."""

    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        field, code, params = problems[0]
        super().__init__(code, field, **params)
        self.problems = problems


def rule(code: str, **params: Any) -> PydanticCustomError:
    """Raise this from a validator to fail with one of our rule codes (components/texts)."""
    return PydanticCustomError(code, code, params)


def validate(model: type[M], data: Any) -> M:
    """Build `model` from `data`; on failure raise InvalidInput naming every bad field."""
    nul = _field_with_nul(data)
    if nul is not None:  # PostgreSQL refuses NUL in text, and no form has a use for it
        raise InvalidInput([(nul, "rule.invalid", {})])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err.get("loc") else ""
            kind = err["type"]
            code = kind if kind.startswith("rule.") else _RULES.get(kind, "rule.invalid")
            params = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
            problems.append((field, code, params))
        raise InvalidInput(problems) from None


def _field_with_nul(data: Any) -> str | None:
    """The first top-level field whose text (or a list item's text) holds a NUL character."""
    if not isinstance(data, dict):
        return None
    for field, value in data.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            return str(field)
    return None
