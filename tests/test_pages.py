"""Every page under anonymous and every role: allowed pages render, forbidden ones show nothing of theirs."""

import pytest

from components.registry import PAGES
from factories.app import ROLES, on_login_form, opened_as, shows_data, signed_in

CASES = [(spec.key, role) for spec in PAGES.values() for role in (None, *ROLES)]


@pytest.mark.parametrize("page_key,role", CASES, ids=[f"{k}-{r or 'anonymous'}" for k, r in CASES])
def test_page_access_matrix(app_db, page_key, role):
    spec = PAGES[page_key]
    at = opened_as(role, spec.path)  # a deep link, signed in on the page itself
    assert not at.exception, at.exception
    allowed = spec.roles is None or (role is not None and role in spec.roles)
    if allowed:
        assert not on_login_form(at)
        assert not any("无权" in e.value for e in at.error)
        assert at.title or at.subheader, "an allowed page shows its heading"
    else:
        assert not shows_data(at), "a forbidden page leaked data"
        if role is None:
            assert on_login_form(at)
        else:
            assert any(e.value == "您的角色无权访问此页面。" for e in at.error)


@pytest.mark.parametrize("role", ROLES)
def test_menu_lists_only_the_roles_pages(app_db, role):
    at = signed_in(role)
    linked = {link.proto.page for link in at.sidebar.get("page_link")}  # URL names; "" is the home page
    expected = {"" if spec.path == "app.py" else spec.path[len("pages/"):-len(".py")]
                for spec in PAGES.values() if spec.roles is None or role in spec.roles}
    assert linked == expected


def test_org_page_drills_down_by_query_parameter(app_db):
    at = signed_in("admin")
    at.switch_page("pages/org_units.py").run()
    assert [m.value for m in at.metric][:2] == ["3", "38"]  # districts, streets/towns under 全部辖区 (番禺区: 16)
    at.query_params["unit"] = "220106"
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["街道/镇"] == "10" and metrics["其中镇"] == "3" and metrics["社区"] == "58" and metrics["网格"] == "312"
    at.selectbox(key="org_drill").select("220106001").run()
    assert at.query_params["unit"] == ["220106001"] or at.query_params["unit"] == "220106001"
    at.query_params["unit"] = "220106001001001"
    at.run()
    roster = at.dataframe[0].value
    assert roster.iloc[0, 0] == "网格长" and len(roster) >= 3


def test_street_user_cannot_open_another_street_by_link(app_db):
    at = signed_in("street")
    at.switch_page("pages/org_units.py").run()
    at.query_params["unit"] = "220106"
    at.run()
    assert any("不在您的管辖范围" in w.value for w in at.warning)
    assert "绿园区" not in [b.label for b in at.button]
    assert at.button(key="crumb_510104001").label == "春熙路街道"
