"""Screenshots of the main pages for the README's tour, taken from the real app in Chromium.

    .venv/bin/python -m docs.tour            # writes docs/tour/*.png

Starts `streamlit run app.py` on a fresh demo database in a temporary folder, signs in as the demo
leader (the vote page needs no account) and saves one picture per page. Needs Debian's chromium and
fonts-noto-cjk, like the browser tests.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from factories.browser import chromium_page, running_app, settle, sign_in

OUT = Path(__file__).resolve().parent / "tour"
# (file name, path and query, signed in?, viewport width)
SHOTS = [
    ("01-overview.png", "/", True, 1400),
    ("02-projects-2019.png", "/projects?year=2019", True, 1400),
    ("03-eval-results.png", "/eval_results?year=2019", True, 1400),
    ("04-grid-dashboard.png", "/grid_dashboard?unit=510104&period=2026-Q3", True, 1400),
    ("05-vote-review.png", "/vote_review?c=1", True, 1400),
    ("06-public-vote-phone.png", "/vote", False, 390),
    ("07-propose-phone.png", "/propose", False, 390),
    ("08-proposals.png", "/proposals", True, 1400),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cpme-tour-") as data:
        env = {"APP_DATA_DIR": data, "DATABASE_URL": f"sqlite:///{data}/app.db", "BCRYPT_ROUNDS": "4",
               "APP_SECRET_KEY": "tour-only-key-" + "t" * 32}
        with running_app(env, timeout=180) as base:
            for name, path, signed_in, width in SHOTS:
                with chromium_page(width=width, height=900) as page:
                    if signed_in:
                        _sign_in(page, base)
                    page.goto(base + path)
                    page.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
                    if signed_in:  # a fresh page load signs in again from the cookie, a run or two later
                        page.get_by_role("button", name="退出登录").wait_for(timeout=60_000)
                    settle(page, timeout=60_000)
                    page.wait_for_timeout(1500)  # charts draw after the run ends
                    page.screenshot(path=str(OUT / name), full_page=False)
                    print("saved", OUT / name)


def _sign_in(page, base: str) -> None:
    sign_in(page, base, "leader", "Leader@2026", landing_text="领导驾驶舱", timeout=120_000)
    for _ in range(120):  # the cookie component writes the sign-in cookie a moment after the run
        if any(c["name"] == "cpme_auth" for c in page.context.cookies()):
            return
        page.wait_for_timeout(250)
    raise TimeoutError("no sign-in cookie")


if __name__ == "__main__":
    main()
