"""The offices' own Word templates, one per kind of document, kept in the database so that every app instance
fills its documents from the same one. Whether a template fits its document (every field it names exists)
is checked by the code that fills it (components.office.templates.check) before it calls save_template;
here: who may, that the file is a .docx within the size limit, and the audit row."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from db import audit, clock
from db.access import Actor, require
from db.engine import transaction
from db.errors import DomainError
from db.models.office import OfficeTemplate
from db.validation import OneLine, validate

KINDS = ("eval_report", "briefing")  # 评价报告, 领导简报
MAX_BYTES = 5 * 1024 * 1024
# what every .docx holds (the name and the browser's type can say anything)
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")


class TemplateUpload(BaseModel):
    kind: Literal[KINDS]
    filename: Annotated[str, OneLine] = Field(min_length=6, max_length=200, pattern=r"(?i)\.docx$")


class OfficeTemplateInfo(BaseModel):
    kind: str
    filename: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


def require_docx(data: bytes) -> None:
    """A Word .docx (a zip holding the document part) of at most MAX_BYTES; DomainError otherwise."""
    if len(data) > MAX_BYTES:
        raise DomainError("office.error.size", field="template", mb=MAX_BYTES // (1024 * 1024))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        names = set()
    if not set(DOCX_PARTS) <= names:
        raise DomainError("office.error.not_docx", field="template")


def _info(row: OfficeTemplate) -> OfficeTemplateInfo:
    return OfficeTemplateInfo(kind=row.kind, filename=row.filename, size=row.size, sha256=row.sha256,
                              uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at)


def save_template(engine: Engine, *, actor: Actor, kind: str, filename: str, data: bytes) -> OfficeTemplateInfo:
    """The office's template for `kind` from now on (replacing an earlier upload)."""
    require(actor, "system.office_templates")
    payload = validate(TemplateUpload, {"kind": kind, "filename": filename})
    require_docx(data)
    digest = hashlib.sha256(data).hexdigest()
    try:
        return _store(engine, actor, payload, data, digest)
    except IntegrityError:  # another admin's first upload of this kind committed in between: replace it
        return _store(engine, actor, payload, data, digest)


def _store(engine: Engine, actor: Actor, payload: TemplateUpload, data: bytes, digest: str) -> OfficeTemplateInfo:
    with transaction(engine) as session:
        row = session.get(OfficeTemplate, payload.kind, with_for_update=True)
        before = None if row is None else {"filename": row.filename, "sha256": row.sha256}
        if row is None:
            row = OfficeTemplate(kind=payload.kind, filename="", content=b"", size=0, sha256="", uploaded_by="",
                                 uploaded_at=clock.utcnow())
            session.add(row)
        row.filename, row.content, row.size, row.sha256 = payload.filename, data, len(data), digest
        row.uploaded_by, row.uploaded_at = actor.username, clock.utcnow()
        session.flush()
        audit.record(session, actor=actor, action="office_template_upload", entity="office_template",
                     entity_id=payload.kind, before=before,
                     after={"filename": payload.filename, "sha256": digest, "size": len(data)})
        return _info(row)


def reset_template(engine: Engine, *, actor: Actor, kind: str) -> bool:
    """Back to the built-in template; False when none was uploaded."""
    require(actor, "system.office_templates")
    payload = validate(TemplateUpload, {"kind": kind, "filename": "built-in.docx"})
    with transaction(engine) as session:
        row = session.get(OfficeTemplate, payload.kind, with_for_update=True)
        if row is None:
            return False
        audit.record(session, actor=actor, action="office_template_reset", entity="office_template",
                     entity_id=payload.kind, before={"filename": row.filename, "sha256": row.sha256})
        session.delete(row)
        return True


def template_bytes(engine: Engine, *, actor: Actor, kind: str) -> bytes | None:
    """The uploaded template for `kind`, or None: the built-in one applies."""
    require(actor, "system.signed_in")
    with engine.connect() as conn:
        return conn.execute(select(OfficeTemplate.content).where(OfficeTemplate.kind == kind)).scalar_one_or_none()


def template_infos(engine: Engine, *, actor: Actor) -> dict[str, OfficeTemplateInfo]:
    """kind -> what was uploaded for it (kinds without an upload are absent)."""
    require(actor, "system.office_templates")
    columns = [getattr(OfficeTemplate, name) for name in OfficeTemplateInfo.model_fields]  # not the files
    with engine.connect() as conn:
        return {row["kind"]: OfficeTemplateInfo(**row) for row in conn.execute(select(*columns)).mappings()}
