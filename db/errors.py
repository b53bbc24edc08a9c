"""Domain errors: a message code the UI translates, the field it concerns, and parameters."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A broken rule. `code` is a message key in components/texts; `field` names the input."""

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        super().__init__(f"{code}" + (f" [{field}]" if field else "") + (f" {params}" if params else ""))
        self.code = code
        self.field = field
        self.params = params


class PermissionDenied(DomainError):
    """The acting user's role or scope does not allow this."""


class NotFound(DomainError):
    """The record does not exist (or is outside the actor's scope, which looks the same)."""
