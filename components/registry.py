"""Every page of the app with the roles that may open it: the menu and the guard both read this."""

from __future__ import annotations

from dataclasses import dataclass

STAFF = frozenset({"admin", "leader", "evaluator", "street"})


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str  # text key
    icon: str
    roles: frozenset[str] | None  # None: public, no account needed


PAGES: dict[str, PageSpec] = {spec.key: spec for spec in (
    PageSpec("home", "app.py", "page.home", ":material/home:", STAFF),
    # --- pipeline area (projects, organizations, catalogue, compliance) ---
    # --- scorecards area ---
    # --- grid indicators area ---
    PageSpec("org_units", "pages/org_units.py", "page.org_units", ":material/account_tree:",
             frozenset({"admin", "leader", "street"})),
    # --- voting area (admin/leader pages here; the public page is below) ---
    PageSpec("users", "pages/users.py", "page.users", ":material/group:", frozenset({"admin"})),
    PageSpec("audit_log", "pages/audit_log.py", "page.audit_log", ":material/history:", frozenset({"admin"})),
    PageSpec("account", "pages/account.py", "page.account", ":material/person:", STAFF),
    # --- public pages (roles=None) ---
)}


def pages_for(role: str | None) -> list[PageSpec]:
    """The menu of a role; the public pages for everyone."""
    return [spec for spec in PAGES.values() if spec.roles is None or (role is not None and role in spec.roles)]
