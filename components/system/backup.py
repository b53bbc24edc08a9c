"""The backup page (admin): a SQLite backup to download, built only when the button is clicked."""

from __future__ import annotations

import streamlit as st

from components import store, tables
from components.i18n import t
from db import backup, migrate
from db.access import Actor

BACKUP_COMMAND = "python -m db.backup backup   # writes data/backups/app-<timestamp>.dump"
RESTORE_COMMAND = "python -m db.backup restore data/backups/app-20260101-020000.db"


def render(actor: Actor) -> None:
    engine = store.engine()
    st.title(t("ops.backup.title"))
    left, right = st.columns(2)
    right.metric(t("ops.backup.revision"),
                 t("ops.backup.revision_value", current=migrate.revision_of(engine) or "-", head=migrate.head()))
    if engine.dialect.name == "sqlite":
        _sqlite_download(engine, actor, left)
    else:
        st.info(t("ops.backup.pg"))
        st.code(BACKUP_COMMAND, language="bash")
    st.subheader(t("ops.backup.restore_title"))
    st.caption(t("ops.backup.restore_note"))
    st.code(RESTORE_COMMAND, language="bash")


def _sqlite_download(engine, actor: Actor, column) -> None:
    path = backup.sqlite_path(engine)
    size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    column.metric(t("ops.backup.size"), f"{size / 1_000_000:.1f} MB")
    st.caption(t("ops.backup.caption"))
    name = backup.default_name(engine)
    # A callable: the snapshot is taken (and audited) when the button is clicked, not on every run.
    tables.download_button(st, t("ops.backup.download"),
                           data=lambda: backup.sqlite_backup_bytes(engine, actor, name)[1],
                           file_name=name, mime="application/vnd.sqlite3", key="backup_download",
                           icon=":material/download:", type="primary")
    st.caption(t("ops.backup.keep"))
