"""The scorecard pages at city scale: a bare link opens the latest year (results, evaluations) or the open
items (rectification), a link naming filters keeps every year, tables and picks hold only the first rows
with a note, a search narrows them, and ?evaluation= opens its evaluation even outside the filters."""

import pytest

from components.scorecards import picks as eval_picks
from db.scorecards import evaluations, rectifications
from db.scorecards import results as eval_results
from db.scorecards.results import ResultFilter
from db.users import actor_for
from factories.app import signed_in

pytestmark = pytest.mark.calendar  # date-sensitive: CI runs these again at awkward instants


def _open(role: str, page: str, query: dict | None = None):
    at = signed_in(role)
    at.switch_page(f"pages/{page}.py").run()
    if query:
        at.query_params.clear()
        at.query_params.update(query)
        at.run()
    assert not at.exception, at.exception
    return at


def _param(at, name):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.calendar("year")
def test_results_open_on_the_latest_year_and_all_years_stay_chosen(app_db):
    leader = actor_for(app_db, "leader")
    years = eval_results.filter_options(app_db, actor=leader)["years"]
    at = _open("leader", "eval_results")
    assert at.selectbox(key="res_year").value == years[0]
    latest = eval_results.summary(app_db, actor=leader, filters=ResultFilter(year=years[0]))
    assert _metrics(at)["评价数"] == str(latest.evaluations)
    listed = eval_results.evaluation_list(app_db, actor=leader, filters=ResultFilter(year=years[0]))
    assert sorted(at.selectbox(key="res_eval").options) == sorted(
        eval_picks.label(c, title, {"pre": "事前论证", "mid": "事中评价", "post": "事后评估"}[r])
        for c, title, r in zip(listed["project_code"], listed["project_title"], listed["round"]))
    at.selectbox(key="res_round").set_value("post").run()  # another filter keeps the year on screen
    assert _param(at, "year") == str(years[0]) and at.selectbox(key="res_year").value == years[0]
    at.selectbox(key="res_year").set_value("all").run()
    assert _param(at, "year") == "all"
    at.run()
    everything = eval_results.summary(app_db, actor=leader, filters=ResultFilter(round="post"))
    assert at.selectbox(key="res_year").value == "all" and _metrics(at)["评价数"] == str(everything.evaluations)


@pytest.mark.calendar("year")
def test_a_link_naming_a_grade_but_no_year_covers_every_year(app_db):
    leader = actor_for(app_db, "leader")
    at = _open("leader", "eval_results", {"grade": "fail"})
    assert at.selectbox(key="res_year").value == "all"
    failed = eval_results.evaluation_list(app_db, actor=leader)
    failed = failed[(failed["grade"] == "fail") & (failed["status"] == "completed")]
    table = next(d.value for d in at.dataframe if "等级" in d.value.columns)
    assert len(table) == len(failed) and failed["year"].nunique() > 1


@pytest.mark.calendar("year")
def test_a_deep_link_outside_the_default_year_still_opens_its_evaluation(app_db):
    leader = actor_for(app_db, "leader")
    years = eval_results.filter_options(app_db, actor=leader)["years"]
    older = eval_results.evaluation_list(app_db, actor=leader, filters=ResultFilter(year=years[-1]))
    row = older[older["status"] == "completed"].iloc[0]
    at = _open("leader", "eval_results", {"evaluation": str(int(row["id"]))})
    assert at.selectbox(key="res_year").value == years[0]  # the list keeps its default
    assert at.selectbox(key="res_eval").value == int(row["id"])
    assert _metrics(at)["综合得分"] == f"{row['result']:.1f}"
    assert any("不在当前筛选结果中" in c.value for c in at.caption)
    admin = actor_for(app_db, "admin")
    theirs = eval_results.evaluation_list(app_db, actor=admin)
    foreign = theirs[~theirs["id"].isin(eval_results.evaluation_list(app_db, actor=leader)["id"])]
    at = _open("leader", "eval_results", {"evaluation": str(int(foreign.iloc[0]["id"]))})
    assert at.selectbox(key="res_eval").value is None, "an evaluation outside the leader's scope stays closed"


@pytest.mark.calendar("year")
def test_long_lists_show_their_first_rows_with_a_note_and_the_search_finds_the_rest(app_db, monkeypatch):
    monkeypatch.setattr(eval_picks, "LIMIT", 5)
    admin = actor_for(app_db, "admin")
    years = eval_results.filter_options(app_db, actor=admin)["years"]
    listed = eval_results.evaluation_list(app_db, actor=admin, filters=ResultFilter(year=years[0]))
    at = _open("admin", "eval_results")
    table = next(d.value for d in at.dataframe if "等级" in d.value.columns)
    assert len(table) == 5 and len(at.selectbox(key="res_eval").options) == 5
    assert any(f"共 {len(listed)} 条，表中显示前 5 条" in c.value for c in at.caption)
    last = listed.iloc[-1]
    at.text_input(key="res_search").input(last["project_code"]).run()
    table = next(d.value for d in at.dataframe if "等级" in d.value.columns)
    assert last["project_code"] in set(table["项目编号"]) and len(table) < 5
    progress = evaluations.progress(app_db, actor=admin, year=years[0])
    at = _open("admin", "evaluations")
    assert at.selectbox(key="ev_year").value == years[0]
    assert len(at.dataframe[0].value) == 5 and len(at.selectbox(key="ev_pick").options) == 5
    assert any(f"共 {len(progress)} 条" in c.value for c in at.caption)


@pytest.mark.calendar("year")
def test_admin_deep_link_opens_an_evaluation_of_another_year(app_db):
    admin = actor_for(app_db, "admin")
    years = eval_results.filter_options(app_db, actor=admin)["years"]
    older = evaluations.progress(app_db, actor=admin, year=years[-1])
    target = int(older.iloc[0]["id"])
    at = _open("admin", "evaluations", {"evaluation": str(target)})
    assert at.selectbox(key="ev_year").value == years[0] and at.selectbox(key="ev_pick").value == target
    assert any("回避说明" in d.value.columns for d in at.dataframe), "the chosen evaluation's panel is shown"
    at.selectbox(key="ev_status").set_value("open").run()  # a filter change writes the year too
    assert _param(at, "year") == str(years[0]) and _param(at, "status") == "open"


@pytest.mark.calendar("year")
@pytest.mark.parametrize("query,expected", [({}, "open"), ({"status": "all"}, "all"),
                                            ({"status": "open", "overdue": "1"}, "overdue")])
def test_rectification_opens_on_the_open_items(app_db, query, expected):
    admin = actor_for(app_db, "admin")
    items = rectifications.list_items(app_db, actor=admin)
    wanted = {"open": items[items["status"] == "open"], "all": items, "overdue": items[items["overdue"]]}[expected]
    at = _open("admin", "rectifications", query)
    assert len(at.dataframe[0].value) == len(wanted) and 0 < len(wanted)
    assert at.selectbox(key="rect_status").value == ("all" if expected == "all" else "open")
    close = at.selectbox(key="rect_pick").options
    assert len(close) == (wanted["status"] == "open").sum()


@pytest.mark.reads_only
def test_progress_narrows_to_the_projects_year(engine):
    admin = actor_for(engine, "admin")
    every = evaluations.progress(engine, actor=admin)
    years = eval_results.filter_options(engine, actor=admin)["years"]
    by_year = {year: evaluations.progress(engine, actor=admin, year=year) for year in years}
    assert sum(len(f) for f in by_year.values()) == len(every) and all(len(f) for f in by_year.values())
    listed = eval_results.evaluation_list(engine, actor=admin, filters=ResultFilter(year=years[0]))
    assert set(by_year[years[0]]["id"]) == set(listed["id"])


@pytest.mark.calendar("year")
def test_the_new_evaluation_pick_offers_search_matches_and_creates_one(app_db, monkeypatch):
    monkeypatch.setattr(eval_picks, "LIMIT", 5)
    at = _open("admin", "evaluations")
    at.session_state["ev_tab"] = "发起评价"  # what clicking the tab does
    at.run()
    assert len(at.selectbox(key="ev_new_project").options) == 5
    assert any("请输入编号或名称搜索" in c.value for c in at.caption)
    admin = actor_for(app_db, "admin")
    target = evaluations.project_options(app_db, actor=admin).iloc[-1]  # the oldest: never among the first 5
    at.text_input(key="ev_new_search").input(target["code"]).run()
    options = at.selectbox(key="ev_new_project").options
    assert len(options) == 1 and options[0].startswith(target["code"])
    before = len(eval_results.evaluation_list(app_db, actor=admin))
    at.selectbox(key="ev_new_project").set_value(int(target["id"])).run()
    agency = at.selectbox(key="ev_new_agency")
    agency.set_value(agency.options[0]).run()
    at.button(key="ev_new_btn").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(eval_results.evaluation_list(app_db, actor=admin)) == before + 1


def test_the_list_reads_only_the_rows_shown_and_counts_the_rest_the_same_way(refusing_engine):
    """grade, search and limit in SQL select what the page used to cut from the whole list in pandas."""
    leader = actor_for(refusing_engine, "leader")
    every = eval_results.evaluation_list(refusing_engine, actor=leader)
    failed = every[(every["grade"] == "fail") & (every["status"] == "completed")]
    assert len(failed) and eval_results.evaluation_count(refusing_engine, actor=leader, grade="fail") == len(failed)
    assert list(eval_results.evaluation_list(refusing_engine, actor=leader, grade="fail")["id"]) == list(failed["id"])
    code = every["project_code"].iloc[0]
    found = eval_picks.matching(every, code.lower(), ("project_code", "project_title"))
    assert eval_results.evaluation_count(refusing_engine, actor=leader, search=code.lower()) == len(found) > 0
    first = eval_results.evaluation_list(refusing_engine, actor=leader, limit=7)
    assert list(first["id"]) == list(every["id"].head(7))
