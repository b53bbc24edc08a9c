"""AppTest helpers shared by the page tests."""

from __future__ import annotations

import functools
from pathlib import Path

from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

# A server scans the installed packages for custom components once, at start; AppTest scans them again for
# every app it makes (reading ~1,000 package metadata files, ~0.4 s, most of a page test's time). The
# packages do not change within a run, so one scan per process serves every AppTest, as one serves a server.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORDS = {"admin": "Admin@2026", "leader": "Leader@2026", "evaluator": "Evaluator@2026", "street": "Street@2026",
                  "community": "Community@2026"}
ROLES = tuple(DEMO_PASSWORDS)


def new_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if query:
        at.query_params.update(query)
    return at


def submit_login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.proto.is_form_submitter).click()
    return at.run()


def signed_in(role: str, query: dict | None = None) -> AppTest:
    """An app signed in as the demo account of `role`, on the home page."""
    at = new_app(query).run()
    submit_login(at, role, DEMO_PASSWORDS[role])
    assert not at.exception, at.exception
    assert not at.get("text_input") or all(w.key != "login_username" for w in at.text_input), "still on the login form"
    return at


def shows_data(at: AppTest) -> bool:
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")  # the name changed across versions
    return bool(at.dataframe) or bool(at.metric) or bool(charts) or bool(at.table)


def on_login_form(at: AppTest) -> bool:
    return any(w.key == "login_username" for w in at.text_input)




def opened_as(role: str | None, path: str, query: dict | None = None) -> AppTest:
    """The page at `path` opened by a deep link (with `query`), signed in there as the demo account of `role`
    (None: not signed in): one sign-in on the page itself, without drawing the home page first. A public page
    has no sign-in form and is opened as anyone would."""
    at = new_app(query)
    if path != "app.py":
        at.switch_page(path)
    at.run()
    if role is not None and on_login_form(at):
        submit_login(at, role, DEMO_PASSWORDS[role])
    return at
