"""One way to cache: readers filed by area; a write clears its area, its parts and the areas that depend on it."""

from __future__ import annotations

import importlib
import pkgutil

import components
from components import caching


def _counting(area_names, calls, name):
    """A cached reader named `name` (Streamlit keys a cache by the function's name and code)."""
    namespace: dict = {}
    exec(f"def {name}(url):\n    calls[{name!r}] = calls.get({name!r}, 0) + 1\n    return calls[{name!r}]\n",
         {"calls": calls}, namespace)
    return caching.cached(*area_names)(namespace[name])


def test_a_write_clears_its_area_its_parts_and_its_dependants_only(monkeypatch):
    monkeypatch.setattr(caching, "_READERS", caching.defaultdict(list))
    monkeypatch.setattr(caching, "DEPENDS_ON", caching.defaultdict(set))
    calls: dict[str, int] = {}
    votes = _counting(["t_voting.votes"], calls, "votes")
    cases = _counting(["t_voting.cases"], calls, "cases")
    grids = _counting(["t_grids"], calls, "grids")
    shared = _counting(["t_scorecards", "t_grids"], calls, "shared")
    headline = _counting(["t_overview"], calls, "headline")
    caching.depends("t_overview", "t_voting", "t_grids")
    readers = [votes, cases, grids, shared, headline]

    def run():
        return [reader("sqlite://") for reader in readers]

    assert run() == [1, 1, 1, 1, 1] and run() == [1, 1, 1, 1, 1]  # cached
    caching.clear("t_voting.votes")  # votes cast: the tally and the overview, not the cases
    assert run() == [2, 1, 1, 1, 2]
    caching.clear("t_voting")  # a campaign changed: every part of the area
    assert run() == [3, 2, 1, 1, 3]
    caching.clear("t_scorecards")  # a reader filed under two areas goes with either
    assert run() == [3, 2, 1, 2, 3]
    caching.clear("t_grids")
    assert run() == [3, 2, 2, 3, 4]


def test_every_app_reader_is_filed_and_the_overview_follows_the_four_areas():
    # every module of the layer, so that the set does not depend on what earlier tests in this process imported
    for info in pkgutil.walk_packages(components.__path__, "components."):
        if info.name != "components.warmup":
            importlib.import_module(info.name)
    filed = {name for name, readers in caching._READERS.items() if readers and not name.startswith("t_")}
    assert filed == {"pipeline", "scorecards", "voting.votes", "voting.campaigns", "voting.objections", "grids",
                     "overview", "overview.years", "org_units", "office", "supervisors", "users", "system.audit",
                     "community", "funds", "linkage"}
    # the home page's cards and alerts of every area, 五社联动 and the funds' included
    assert caching.DEPENDS_ON["overview"] >= {"pipeline", "scorecards", "voting", "grids", "community", "funds", "linkage"}
    from components.overview import data as overview_data
    from components.scorecards import data as eval_data

    assert caching._cleared_by("pipeline") >= {"pipeline", "overview"}
    assert eval_data.project_options in caching.readers("pipeline")  # registered, moved on: new choices
    assert overview_data.overview_of in caching.readers("overview")
    assert "org_units" not in caching._cleared_by("grids")  # org units do not change with a grid report


def test_the_warm_up_sets_the_imported_modules_aside_from_the_collector():
    """What the imports made stays for the process's life: after the warm-up's step a full collection no longer
    walks it (Python's collections, with Streamlit's per-run one off, took 110-280 ms on the app's objects)."""
    import gc

    from components import warmup

    walked = len(gc.get_objects())
    try:
        frozen = warmup.set_modules_aside()
        assert frozen > 0.75 * walked and len(gc.get_objects()) < 0.25 * walked
    finally:
        gc.unfreeze()
