"""Every page as a leader would open it, in Chromium: each role's menu in Chinese and English at 1280 × 900
and the residents' pages at 390 px, with screenshots in build/look/ for a reviewer (factories/look.py). One
test per role (and one for the residents' pages) on a server per worker: the walk mostly waits for pages to
settle, so the suite's workers walk the roles side by side (one test of all, 133 s, held a worker alone)."""

import pytest

from components.registry import pages_for
from factories import look
from factories.browser import require_browser, running_app
from factories.databases import sqlite_copy

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def look_app(demo_templates, tmp_path_factory):
    require_browser()
    data = tmp_path_factory.mktemp("look")
    env = {"DATABASE_URL": sqlite_copy(demo_templates.sqlite()), "APP_DATA_DIR": str(data),
           "APP_SECRET_KEY": "look-test-key-" + "k" * 32, "BCRYPT_ROUNDS": "4"}
    with running_app(env, timeout=120) as base:
        yield base


@pytest.mark.parametrize("who", [*look.ROLES, "public"])
def test_every_page_looks_finished_in_both_languages(look_app, who):
    public = who == "public"
    menu = look.PUBLIC if public else [spec.key for spec in pages_for(who) if spec.roles is not None]
    walk = look.walk_all(look_app, roles=() if public else (who,), public=public)
    print(f"\nlook ({who}): {walk.pages} pages in {walk.seconds:.0f} s, CPU {walk.cpu_text()} (the app's since it"
          f" started); screenshots in {look.OUT}")
    assert walk.pages == len(look.LANGS) * len(menu) > 0
    assert not walk.findings, "\n".join(walk.findings)


def test_a_key_column_out_of_sight_is_a_finding():
    """The walker's check of a key column, on what its probe would read: 评价结果 with the result pushed to the
    right (its grid's visible headers lack it) is a finding; in sight, in either language, it is not."""

    class Page:
        def __init__(self, grids):
            self.grids = grids

        def evaluate(self, _probe):
            return {"cut": [], "english": [], "exceptions": 0, "grids": self.grids, "text": ""}

    walk = look.Walk()
    walk.check(Page([["", "项目名称", "所属区县", "评估机构"]]), "zh/leader/eval_results", "zh")
    walk.check(Page([["", "项目名称", "综合得分", "等级"]]), "zh/leader/eval_results", "zh")
    walk.check(Page([["", "Project", "Result", "Grade"]]), "en/leader/eval_results", "en")
    walk.check(Page([]), "zh/leader/rectifications", "zh")  # no list on the page: nothing to hold
    walk.check(Page([[]]), "en/leader/rectifications", "en")  # a list still drawing: nothing to read yet
    assert len(walk.findings) == 1 and "综合得分" in walk.findings[0]
