"""Turn pydantic validation failures into domain errors that name the field and the rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Callable, Optional, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from db import clock
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
            if kind.endswith("_type") and "input" in err and err["input"] is None:
                code = "rule.required"  # a blank number or date box arrives as None
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


# --- shared bounds: amounts, counts and dates -------------------------------------------------------

# The largest amount any money field accepts, in yuan: 100 亿元, above any district's whole budget. The
# money columns are BIGINT (migration 0004). With every row bounded, totals cannot overflow either: SUM of
# a bigint is numeric on PostgreSQL, and SQLite's int64 sum would need ~900 million such projects.
MONEY_MAX = 10_000_000_000
# People served by one project: more than any district's population, and well inside int4.
COUNT_MAX = 10_000_000
# Dates a record may carry. Fixed, not relative to today, so that editing an old record never starts
# failing as time passes; the same span as a project's year (2000..2100).
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
# A due date further ahead than this is a typing mistake (9999-12-31), not a plan.
DUE_YEARS_AHEAD = 10


def _whole_number(limit: int, over: Callable[[], PydanticCustomError], fraction_code: str):
    """A before-validator turning a number, or a number typed as text ("1,200", "3e5"), into an int.
    Parsed as Decimal, so "1e308", 2**70, NaN and infinities fail with a rule, never OverflowError,
    and the limit is checked before an exponent like 1e999999 is expanded into a huge int."""

    def parse(value: Any) -> Any:
        if isinstance(value, bool):
            raise rule("rule.integer")
        if isinstance(value, str):
            text = value.strip().replace(",", "").replace("，", "")
            if not text:
                return None
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise rule("rule.number") from None
        elif isinstance(value, (int, float, Decimal)):
            number = Decimal(value)
        else:
            return value  # None or a wrong type: the field's own type check words it
        if number.is_nan():
            raise rule("rule.number")
        if number > limit:
            raise over()
        if number < -limit:
            raise rule("rule.ge", ge=0)
        if number != number.to_integral_value():
            raise rule(fraction_code)
        return int(number)

    return parse


def _money_over() -> PydanticCustomError:
    return rule("rule.money_max", yuan=f"{MONEY_MAX:,}", yi=MONEY_MAX // 100_000_000)


def _count_over() -> PydanticCustomError:
    return rule("rule.le", le=COUNT_MAX)


def _in_date_range(value: date) -> date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise rule("rule.date_range", min=DATE_MIN.isoformat(), max=DATE_MAX.isoformat())
    return value


def latest_due() -> date:
    """The furthest due date accepted today (29 February rolls back to the 28th)."""
    today = clock.today()
    try:
        return today.replace(year=today.year + DUE_YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + DUE_YEARS_AHEAD, day=28)


def _due_in_range(value: date) -> date:
    latest = min(latest_due(), DATE_MAX)
    if not DATE_MIN <= value <= latest:
        raise rule("rule.date_range", min=DATE_MIN.isoformat(), max=latest.isoformat())
    return value


_money = BeforeValidator(_whole_number(MONEY_MAX, _money_over, "rule.whole_yuan"))
_count = BeforeValidator(_whole_number(COUNT_MAX, _count_over, "rule.integer"))
# Whole yuan, 0..MONEY_MAX: every amount field of every write model uses these types. The Optional
# forms carry the parser outside the union, so a blank box ("") means "not given" there.
Money = Annotated[int, _money, Field(ge=0, le=MONEY_MAX)]
OptionalMoney = Annotated[Optional[Annotated[int, Field(ge=0, le=MONEY_MAX)]], _money]
# A whole count of people, 0..COUNT_MAX.
OptionalCount = Annotated[Optional[Annotated[int, Field(ge=0, le=COUNT_MAX)]], _count]
# A row id as the pages pass it: ids are int4 on PostgreSQL, so anything larger names no row.
MAX_ROW_ID = 2**31 - 1  # the id columns are INTEGER: PostgreSQL refuses a larger parameter outright
RowId = Annotated[int, Field(gt=0, le=MAX_ROW_ID)]
# A calendar date within DATE_MIN..DATE_MAX.
Day = Annotated[date, AfterValidator(_in_date_range)]
# A due date: DATE_MIN up to DUE_YEARS_AHEAD years from today (whether it may be past is the caller's rule).
DueDay = Annotated[date, AfterValidator(_due_in_range)]


# --- shared text types: how typed text is tidied before its rules are checked ----------------------

def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _stripped_or_none(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _stripped_or_empty(value: Any) -> Any:
    return "" if value is None else _stripped(value)


def _one_line(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


# Text with the blanks at either end taken off ("  " is then too short for a required field).
Stripped = BeforeValidator(_stripped)
# Optional text: blank means not given (None).
BlankIsNone = BeforeValidator(_stripped_or_none)
# Text that may be left out: None reads as "" (then its length rule says whether that is allowed).
NoneIsBlank = BeforeValidator(_stripped_or_empty)
# One line: runs of blanks and line breaks become one space (names and titles shown in lists).
OneLine = BeforeValidator(_one_line)
