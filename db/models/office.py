"""The offices' own Word templates: one row per kind of document, the .docx itself in the row, so every app
instance fills documents from the same template."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


class OfficeTemplate(SQLModel, table=True):
    __tablename__ = "office_template"

    kind: str = Field(primary_key=True, max_length=32)  # db.office_templates.KINDS
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: str = Field(max_length=40)
    uploaded_at: datetime
