"""The offices' own Word templates, a section of an admin page: for each kind of document, the template in
use, the built-in one to start from, the fields a template may name, an upload that is checked before it is
stored, and the way back to the built-in template."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, tables
from components.exports import DOCX_MIME
from components.i18n import lang, t
from components.office import data, templates
from components.safe_text import md_escape
from components.writes import attempt, show_flash
from db import office_templates
from db.access import Actor

FLASH = "office_flash"


def render(actor: Actor, kinds: tuple[templates.DocumentKind, ...]) -> None:
    """Nothing for anyone but an administrator."""
    if not actor.may("system.office_templates"):
        return
    st.subheader(t("office.title"), anchor=False)
    st.caption(t("office.caption"))
    show_flash(FLASH)
    names = {kind.key: t(kind.name) for kind in kinds}
    if st.session_state.get("office_kind") not in names:
        st.session_state["office_kind"] = kinds[0].key
    st.radio(t("office.pick"), list(names), format_func=names.get, key="office_kind", horizontal=True)
    kind = next(kind for kind in kinds if kind.key == st.session_state["office_kind"])
    _kind(actor, kind, data.template_infos(store.url(), actor).get(kind.key))


def _kind(actor: Actor, kind: templates.DocumentKind, info: office_templates.OfficeTemplateInfo | None) -> None:
    lg, name = lang(), t(kind.name)
    if info is None:
        st.info(t("office.in_use_builtin", name=name))
    else:
        st.info(t("office.in_use_upload", name=name, filename=md_escape(info.filename),
                  user=md_escape(info.uploaded_by), at=formatting.moment(info.uploaded_at, lg)))
    left, right = st.columns(2)
    tables.download_button(left, t("office.download_builtin"), data=templates.default_bytes(kind), mime=DOCX_MIME,
                           file_name=f"{name}-{t('office.builtin')}.docx", key=f"office_{kind.key}_builtin",
                           icon=":material/download:")
    if info is not None:
        tables.download_button(right, t("office.download_upload"), mime=DOCX_MIME, file_name=info.filename,
                               data=lambda: data.stored_template(store.url(), actor, kind.key) or b"",
                               key=f"office_{kind.key}_stored", icon=":material/download:")
    with st.expander(t("office.fields")):
        st.caption(t("office.fields_note"))
        st.dataframe(pd.DataFrame(templates.fields(kind, lg), columns=[t("office.col.field"), t("office.col.example")]),
                     hide_index=True, width="stretch")
    upload = st.file_uploader(t("office.file"), type=["docx"], key=f"office_{kind.key}_file")
    if st.button(t("office.upload"), type="primary", key=f"office_{kind.key}_upload", disabled=upload is None):
        content, filename = upload.getvalue(), upload.name

        def save() -> office_templates.OfficeTemplateInfo:
            templates.check(kind, content, lg)  # the document's own fields: known here, not in the db layer
            return office_templates.save_template(store.engine(), actor=actor, kind=kind.key, filename=filename,
                                                  data=content)

        attempt(save, area="office", flash_key=FLASH, field_prefix="office.field.",
                done=lambda saved: t("office.saved", name=name, filename=md_escape(saved.filename)))
    if info is not None and st.button(t("office.reset"), key=f"office_{kind.key}_reset"):
        attempt(lambda: office_templates.reset_template(store.engine(), actor=actor, kind=kind.key), area="office",
                flash_key=FLASH, field_prefix="office.field.", done=t("office.reset_done", name=name))
