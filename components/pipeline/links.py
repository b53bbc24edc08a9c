"""Links to a project's detail page, as the project lists show them."""

from __future__ import annotations

from db import settings

DETAIL_PAGE = "project_detail"
LINK_TEXT = r"project=([^&]*)"  # a LinkColumn shows the code of a detail_link


def detail_link(code: str, lg: str) -> str:
    """Relative URL of a project's detail page (resolved against the current page's URL); it opens
    in a new tab, which starts a new session, so it carries a non-default language along."""
    suffix = "" if lg == settings.default_language() else f"&lang={lg}"
    return f"{DETAIL_PAGE}?project={code}{suffix}"
