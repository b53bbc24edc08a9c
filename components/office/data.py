"""Which template a page fills its Word files from: cached reads of the offices' uploads (cleared by the
upload and the reset through caching.clear("office"); other instances catch up when the entries expire),
and the check that decides between an upload and the built-in template."""

from __future__ import annotations

import streamlit as st

from components import store
from components.caching import cached
from components.i18n import error_text, lang, t
from components.office import templates
from db import office_templates
from db.access import Actor


@cached("office")
def stored_template(url: str, actor: Actor, kind: str) -> bytes | None:
    return office_templates.template_bytes(store.engine_for(url), actor=actor, kind=kind)


@cached("office")
def template_infos(url: str, actor: Actor) -> dict[str, office_templates.OfficeTemplateInfo]:
    return office_templates.template_infos(store.engine_for(url), actor=actor)


def template_in_use(actor: Actor, kind: templates.DocumentKind) -> bytes | None:
    """The office's template for `kind`, or None for the built-in one: also when the upload no longer fits
    the document (a field renamed by an upgrade, say), which the page then says above its download."""
    data = stored_template(store.url(), actor, kind.key)
    if data is None:
        return None
    problem = templates.problem(kind, data, lang())
    if problem is not None:
        st.warning(t("office.stored_broken", name=t(kind.name), problem=error_text(problem, "office.field.")))
        return None
    return data
