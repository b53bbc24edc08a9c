"""Section 4 of the issue in the admin's evaluation page: the evaluator pick offers only evaluators whose
scope covers the chosen project (the db layer refuses the others; tests/test_scorecards_db.py)."""

from sqlalchemy import select

from db.engine import reading
from db.models import AppUser, OrgUnit
from db.models.pipeline import Project
from db.scorecards import evaluations
from db.users import actor_for
from factories.app import signed_in


def _project_of(engine, district_code):
    admin = actor_for(engine, "admin")
    options = evaluations.project_options(engine, actor=admin)
    with reading(engine) as s:
        district = s.execute(select(OrgUnit.id).where(OrgUnit.code == district_code)).scalar_one()
        ids = set(s.execute(select(Project.id).where(Project.district_id == district)).scalars())
    return options[options["id"].isin(ids)].iloc[-1]


def test_the_evaluator_pick_follows_the_projects_district(app_db):
    with reading(app_db) as s:
        names = dict(s.execute(select(AppUser.username, AppUser.display_name)).all())
    at = signed_in("admin")
    at.switch_page("pages/evaluations.py").run()
    at.session_state["ev_tab"] = "发起评价"  # what clicking the tab does
    at.run()
    for district, offered, not_offered in (("510104", "evaluator", "hz_sunli"), ("220106", "hz_sunli", "evaluator")):
        target = _project_of(app_db, district)
        at.text_input(key="ev_new_search").input(target["code"]).run()
        at.selectbox(key="ev_new_project").set_value(int(target["id"])).run()
        assert not at.exception, at.exception
        shown = set(at.multiselect(key="ev_new_evaluators").options)  # the labels as drawn
        assert names[offered] in shown and names[not_offered] not in shown, (district, shown)
