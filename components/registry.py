"""Every page of the app with the roles that may open it: the menu and the guard both read this."""

from __future__ import annotations

from dataclasses import dataclass

from db.access import PERMISSIONS

STAFF = frozenset(PERMISSIONS["system.signed_in"])


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str  # text key
    icon: str
    permission: str | None  # the row of db.access.PERMISSIONS that opens it; None: public, no account needed

    @property
    def roles(self) -> frozenset[str] | None:
        return None if self.permission is None else frozenset(PERMISSIONS[self.permission])


PAGES: dict[str, PageSpec] = {spec.key: spec for spec in (
    PageSpec("home", "app.py", "page.home", ":material/home:", "system.signed_in"),
    # --- pipeline area (projects, organizations, catalogue, compliance) ---
    PageSpec("projects", "pages/projects.py", "pipe.page.projects", ":material/view_timeline:",
             "pipeline.read"),
    PageSpec("project_detail", "pages/project_detail.py", "pipe.page.project_detail", ":material/description:",
             "pipeline.read"),
    PageSpec("project_admin", "pages/project_admin.py", "pipe.page.project_admin", ":material/add_box:",
             "pipeline.write"),
    PageSpec("social_orgs", "pages/social_orgs.py", "pipe.page.social_orgs", ":material/diversity_3:",
             "pipeline.read"),
    PageSpec("catalogue", "pages/catalogue.py", "pipe.page.catalogue", ":material/menu_book:",
             "pipeline.read"),
    PageSpec("compliance", "pages/compliance.py", "pipe.page.compliance", ":material/rule:",
             "pipeline.read"),
    # --- scorecards area ---
    PageSpec("eval_results", "pages/eval_results.py", "eval.page.results", ":material/leaderboard:",
             "scorecards.results"),
    PageSpec("evaluations", "pages/evaluations.py", "eval.page.evaluations", ":material/fact_check:",
             "scorecards.manage"),
    PageSpec("my_assignments", "pages/my_assignments.py", "eval.page.mine", ":material/rate_review:",
             "scorecards.score"),
    PageSpec("rectifications", "pages/rectifications.py", "eval.page.rectifications", ":material/build:",
             "scorecards.results"),
    PageSpec("eval_templates", "pages/eval_templates.py", "eval.page.templates", ":material/checklist:",
             "scorecards.manage"),
    # --- grid indicators area ---
    PageSpec("grid_dashboard", "pages/grid_dashboard.py", "grid.page.dashboard", ":material/monitoring:",
             "grids.read"),
    PageSpec("grid_entry", "pages/grid_entry.py", "grid.page.entry", ":material/edit_note:",
             "grids.report"),
    PageSpec("grid_import", "pages/grid_import.py", "grid.page.import", ":material/upload_file:",
             "grids.report"),
    PageSpec("org_units", "pages/org_units.py", "page.org_units", ":material/account_tree:",
             "system.org_units"),
    # --- voting area (admin/leader pages here; the public page is below) ---
    PageSpec("vote_admin", "pages/vote_admin.py", "vote.page.admin", ":material/ballot:", "voting.manage"),
    PageSpec("vote_review", "pages/vote_review.py", "vote.page.review", ":material/fact_check:",
             "voting.read"),
    PageSpec("objections", "pages/objections.py", "obj.page.staff", ":material/gavel:", "voting.read"),
    # --- community building area (社区营造; the residents' pages are below) ---
    PageSpec("proposals", "pages/proposals.py", "cm.page.proposals", ":material/inbox:", "community.read"),
    PageSpec("council", "pages/council.py", "cm.page.council", ":material/groups:", "community.read"),
    PageSpec("community_dashboard", "pages/community_dashboard.py", "cm.page.dashboard", ":material/insights:",
             "community.read"),
    # --- community funds area (社区基金) ---
    PageSpec("funds", "pages/funds.py", "fund.page.funds", ":material/savings:", "funds.read"),
    PageSpec("microgrants", "pages/microgrants.py", "mg.page.microgrants", ":material/volunteer_activism:",
             "microgrants.read"),
    PageSpec("linkage", "pages/linkage.py", "lk.page.linkage", ":material/hub:", "linkage.read"),
    # --- supervisor pool area ---
    PageSpec("supervisors", "pages/supervisors.py", "sup.page.pool", ":material/badge:", "supervisors.read"),
    PageSpec("supervisor_draws", "pages/supervisor_draws.py", "sup.page.draws", ":material/casino:",
             "supervisors.read"),
    PageSpec("users", "pages/users.py", "page.users", ":material/group:", "system.users"),
    PageSpec("audit_log", "pages/audit_log.py", "page.audit_log", ":material/history:", "system.audit"),
    PageSpec("backup", "pages/backup.py", "ops.page.backup", ":material/backup:", "system.backup"),
    PageSpec("account", "pages/account.py", "page.account", ":material/person:", "system.signed_in"),
    # the inbox: the menu shows it as the bell, with the unread count (components/shell.py)
    PageSpec("inbox", "pages/inbox.py", "notice.page.inbox", ":material/notifications:", "system.signed_in"),
    # --- public pages (roles=None) ---
    PageSpec("vote", "pages/vote.py", "vote.page.public", ":material/how_to_vote:", None),
    PageSpec("propose", "pages/propose.py", "cm.page.propose", ":material/edit_note:", None),
    PageSpec("community_board", "pages/community_board.py", "cm.page.board", ":material/campaign:", None),
    PageSpec("rate", "pages/rate.py", "cm.page.rate", ":material/star:", None),
)}


def pages_for(role: str | None) -> list[PageSpec]:
    """The menu of a role; the public pages for everyone."""
    return [spec for spec in PAGES.values() if spec.roles is None or (role is not None and role in spec.roles)]
