"""Alembic's environment, run by db.migrate with a live connection in `config.attributes` (there is
no alembic.ini: `python -m db.migrate` is the command line)."""

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

import db.models  # noqa: F401  (registers every table, for autogenerate)
from db.models.voting import Digest


def _plain_types(kind, obj, autogen_context):
    """Autogenerate writes SQLAlchemy's own types, so a revision never imports the app's models
    (which will have moved on by the time an old revision runs again)."""
    if kind != "type":
        return False
    if isinstance(obj, AutoString):
        length = getattr(obj.impl, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, Digest):
        return f"sa.LargeBinary(length={obj.length})"
    return False


connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("run migrations through db.migrate (python -m db.migrate), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    compare_type=True,
    render_item=_plain_types,
    # SQLite cannot ALTER most things: autogenerate writes batch operations (copy and rename), which
    # are plain ALTERs on PostgreSQL
    render_as_batch=True,
    # db.migrate runs every pending revision in its own single transaction (SQLite DDL is
    # transactional too): a failed revision leaves the database at the revision it started from
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
