"""Reading the hierarchy: counts per level, children, breadcrumb, scope."""

import pytest

from components.texts import translate
from db import org_units, users
from db.errors import NotFound, PermissionDenied


@pytest.mark.reads_only
def test_children_counts_roll_up(engine):
    admin = users.actor_for(engine, "admin")
    luyuan = org_units.get_unit(engine, actor=admin, code="220106")
    children = org_units.children_summary(engine, actor=admin, unit=luyuan)
    assert len(children) == 10
    assert children["communities"].sum() == 58 and children["grids"].sum() == 312
    assert children["leaders"].sum() == 312
    assert sorted(children["kind"].value_counts().to_dict().items()) == [("street", 7), ("town", 3)]
    counts = org_units.level_counts(engine, actor=admin, unit=luyuan)
    assert (counts["street"], counts["towns"], counts["community"], counts["grid"]) == (10, 3, 58, 312)


@pytest.mark.reads_only
def test_street_user_sees_only_their_street(engine):
    street = users.actor_for(engine, "street")
    own = org_units.scope_unit(engine, actor=street)
    assert own.name == "春熙路街道"
    with pytest.raises(NotFound):
        org_units.get_unit(engine, actor=street, code="510104002")  # another street
    with pytest.raises(NotFound):
        org_units.get_unit(engine, actor=street, code="220106")
    community = org_units.children_summary(engine, actor=street, unit=own).iloc[0]
    grid_parent = org_units.get_unit(engine, actor=street, code=community["code"])
    grids = org_units.children_summary(engine, actor=street, unit=grid_parent)
    assert len(grids) == community["grids"]
    crumbs = [c.name for c in org_units.breadcrumb(engine, actor=street, unit=grid_parent)]
    assert crumbs == ["春熙路街道", grid_parent.name]  # nothing above the scope is shown


@pytest.mark.reads_only
def test_roster_has_one_leader_first(engine):
    admin = users.actor_for(engine, "admin")
    grid = org_units.get_unit(engine, actor=admin, code="220106001001001")
    roster = org_units.roster(engine, actor=admin, grid=grid)
    assert roster["role"].tolist()[0] == "leader" and (roster["role"] == "leader").sum() == 1
    assert len(roster) >= 3


@pytest.mark.reads_only
def test_every_reader_checks_scope_and_the_error_names_no_unit(engine):
    street = users.actor_for(engine, "street")
    admin = users.actor_for(engine, "admin")
    other = org_units.get_unit(engine, actor=admin, code="220106")  # 绿园区, outside 春熙路街道
    other_grid = org_units.get_unit(engine, actor=admin, code="220106001001001")
    calls = (lambda: org_units.level_counts(engine, actor=street, unit=other),
             lambda: org_units.children_summary(engine, actor=street, unit=other),
             lambda: org_units.roster(engine, actor=street, grid=other_grid))
    for call in calls:
        with pytest.raises(PermissionDenied) as denied:
            call()
        assert denied.value.code == "error.out_of_scope" and not denied.value.params
        for lang in ("zh", "en"):
            message = translate(denied.value.code, lang, **denied.value.params)
            assert other.name not in message and other_grid.name not in message and "{" not in message
    # the check reads the stored unit: relabelling another district as the user's street does not pass
    own = org_units.scope_unit(engine, actor=street)
    forged = other.model_copy(update={"street_id": own.id, "district_id": own.district_id})
    with pytest.raises(PermissionDenied):
        org_units.level_counts(engine, actor=street, unit=forged)
    assert org_units.level_counts(engine, actor=street, unit=own)["street"] == 1


@pytest.mark.reads_only
def test_a_streets_grids_are_read_alone_for_the_grid_pick(engine):
    """The grid entry's pick reads the picked street's grids only: the same rows as the scope's grids of that street,
    within the scope (another street's grids are none of a street user's); whether a scope holds grids at all is
    asked without reading them."""
    admin, street = users.actor_for(engine, "admin"), users.actor_for(engine, "street")
    grids = org_units.units_in_scope(engine, actor=admin, levels=("grid",))
    streets = org_units.units_in_scope(engine, actor=admin, levels=("street",))
    for street_id in streets["id"].head(3):
        alone = org_units.units_in_scope(engine, actor=admin, levels=("grid",), street_id=int(street_id))
        expected = grids[grids["street_id"] == street_id].reset_index(drop=True)
        assert alone.to_dict("list") == expected.to_dict("list")
    assert len(alone) > 0
    other = next(int(i) for i in streets["id"] if int(i) != street.scope_id)
    assert org_units.units_in_scope(engine, actor=street, levels=("grid",), street_id=other).empty
    assert org_units.has_units(engine, actor=admin, level="grid") and org_units.has_units(engine, actor=street,
                                                                                          level="grid")
    assert not org_units.has_units(engine, actor=street, level="district")
