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
    PageSpec("projects", "pages/projects.py", "pipe.page.projects", ":material/view_timeline:",
             frozenset({"admin", "leader", "street"})),
    PageSpec("project_detail", "pages/project_detail.py", "pipe.page.project_detail", ":material/description:",
             frozenset({"admin", "leader", "street"})),
    PageSpec("project_admin", "pages/project_admin.py", "pipe.page.project_admin", ":material/add_box:",
             frozenset({"admin"})),
    PageSpec("social_orgs", "pages/social_orgs.py", "pipe.page.social_orgs", ":material/diversity_3:",
             frozenset({"admin", "leader", "street"})),
    PageSpec("catalogue", "pages/catalogue.py", "pipe.page.catalogue", ":material/menu_book:",
             frozenset({"admin", "leader", "street"})),
    PageSpec("compliance", "pages/compliance.py", "pipe.page.compliance", ":material/rule:",
             frozenset({"admin", "leader", "street"})),
    # --- scorecards area ---
    PageSpec("eval_results", "pages/eval_results.py", "eval.page.results", ":material/leaderboard:",
             frozenset({"admin", "leader"})),
    PageSpec("evaluations", "pages/evaluations.py", "eval.page.evaluations", ":material/fact_check:",
             frozenset({"admin"})),
    PageSpec("my_assignments", "pages/my_assignments.py", "eval.page.mine", ":material/rate_review:",
             frozenset({"evaluator"})),
    PageSpec("rectifications", "pages/rectifications.py", "eval.page.rectifications", ":material/build:",
             frozenset({"admin", "leader"})),
    PageSpec("eval_templates", "pages/eval_templates.py", "eval.page.templates", ":material/checklist:",
             frozenset({"admin"})),
    # --- grid indicators area ---
    PageSpec("grid_dashboard", "pages/grid_dashboard.py", "grid.page.dashboard", ":material/monitoring:",
             frozenset({"admin", "leader", "street"})),
    PageSpec("grid_entry", "pages/grid_entry.py", "grid.page.entry", ":material/edit_note:",
             frozenset({"admin", "street"})),
    PageSpec("grid_import", "pages/grid_import.py", "grid.page.import", ":material/upload_file:",
             frozenset({"admin", "street"})),
    PageSpec("org_units", "pages/org_units.py", "page.org_units", ":material/account_tree:",
             frozenset({"admin", "leader", "street"})),
    # --- voting area (admin/leader pages here; the public page is below) ---
    PageSpec("vote_admin", "pages/vote_admin.py", "vote.page.admin", ":material/ballot:", frozenset({"admin"})),
    PageSpec("vote_review", "pages/vote_review.py", "vote.page.review", ":material/fact_check:",
             frozenset({"admin", "leader"})),
    PageSpec("users", "pages/users.py", "page.users", ":material/group:", frozenset({"admin"})),
    PageSpec("audit_log", "pages/audit_log.py", "page.audit_log", ":material/history:", frozenset({"admin"})),
    PageSpec("backup", "pages/backup.py", "ops.page.backup", ":material/backup:", frozenset({"admin"})),
    PageSpec("account", "pages/account.py", "page.account", ":material/person:", STAFF),
    # --- public pages (roles=None) ---
    PageSpec("vote", "pages/vote.py", "vote.page.public", ":material/how_to_vote:", None),
)}


def pages_for(role: str | None) -> list[PageSpec]:
    """The menu of a role; the public pages for everyone."""
    return [spec for spec in PAGES.values() if spec.roles is None or (role is not None and role in spec.roles)]
