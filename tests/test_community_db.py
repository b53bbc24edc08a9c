"""社区营造 in the db layer, on the seeded demo (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set): a resident
verified by phone proposes within a daily limit and follows it by a tracking code; staff triage it within their
scope by a state machine; the council decides by quorum and majority; an adopted proposal becomes a project in
the pipeline (linked both ways) or the community's own; the public reads it all; the demo reproduces seed 000."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import clock, users
from db.access import Actor
from db.community import adoption, councils, proposals, public, rules, triage
from db.engine import reading
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import AuditLog, OrgUnit
from db.models.community import CommunityProject, CouncilMeeting, Proposal
from db.models.pipeline import Project, StageEvent
from db.models.voting import Campaign
from db.pipeline import projects as pipeline_reads
from db.voting import codes as vote_codes
from factories.records import community_id, count_rows, proposals_in, resident_ticket

GOOD = {"theme": "elderly", "title": "3号院楼道加装扶手", "problem": "老楼没有扶手，老人上下楼很吃力。",
        "suggestion": "在楼道两侧加装扶手，并在转角处安装感应灯。", "estimate": "12,000"}
ATTENDANCE = {"residents": 9, "committee": 3, "social_orgs": 1, "units": 1, "grid_council": 2}  # 16 present
MINUTES = "会议由居委会主任主持，逐项审议居民提案并举手表决。"


def _refused(call, code: str, field: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as err:
        call()
    assert err.value.code == code, err.value
    if field is not None:
        assert err.value.field == field
    return err.value


def _other_community_staff(engine) -> Actor:
    """Staff of 建设社区, the next community of 春熙路街道."""
    other = community_id(engine, "510104001002")
    return Actor(user_id=1, username="jianshe", display_name="建设社区", role="community", scope_id=other,
                 scope_level="community", scope_name="建设社区")


def _state(engine, proposal_id: int) -> str:
    with reading(engine) as s:
        return s.execute(select(Proposal.state).where(Proposal.id == proposal_id)).scalar_one()


# --- rules, without a database ----------------------------------------------------------------------

def test_the_state_machine_allows_its_moves_and_names_the_state_otherwise():
    for action, moves in rules.MOVES.items():
        for state in rules.STATES:
            if state in moves:
                assert rules.next_state(state, action) == moves[state]
            else:
                _refused(lambda: rules.next_state(state, action), f"cm.error.state_{state}")
    assert rules.next_state("submitted", "send") == "to_council"
    assert rules.next_state("deferred", "adopted") == "adopted"
    for final in ("adopted", "not_adopted", "declined", "merged"):
        assert not any(final in moves for moves in rules.MOVES.values())  # nothing moves a closed proposal


def test_the_majority_follows_its_setting(monkeypatch):
    assert rules.majority_met(5, 4, 0, 20) and not rules.majority_met(5, 3, 2, 20)  # of those voting
    assert rules.majority_needed(3, 2, 20) == 6
    monkeypatch.setenv("COUNCIL_MAJORITY_OF", "present")
    assert rules.majority_met(11, 0, 0, 20) and not rules.majority_met(10, 0, 0, 20)
    assert rules.majority_needed(0, 0, 20) == 11
    monkeypatch.setenv("COUNCIL_MAJORITY_OF", "anything else")
    assert rules.majority_base() == "voting"


def test_tracking_codes_are_unguessable_and_read_forgivingly():
    codes = {rules.new_tracking_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 10 and set(c) <= set(rules.CODE_ALPHABET) for c in codes)
    assert rules.read_tracking_code(" 7k3m-9p2q o1 ") == "7K3M9P2Q01"  # case, dashes, spaces, O and I
    assert rules.read_tracking_code("ABC") is None and rules.read_tracking_code("U" * 10) is None


# --- a resident proposes ----------------------------------------------------------------------------

def test_a_verified_resident_proposes_and_follows_it_by_its_code(engine):
    place = community_id(engine)
    receipt = proposals.submit_proposal(engine, ticket=resident_ticket(engine), data={**GOOD, "community_id": place})
    assert receipt.left_today == rules.proposals_per_day() - 1
    with reading(engine) as s:
        row = s.get(Proposal, receipt.proposal_id)
        audit = s.execute(select(AuditLog).where(AuditLog.action == "proposal_submit",
                                                 AuditLog.entity_id == str(row.id))).scalar_one()
    assert (row.state, row.estimate, row.code, row.street_id) == ("submitted", 12000, receipt.code,
                                                                  users.actor_for(engine, "street").scope_id)
    assert row.proposer_key == vote_codes.voter_key("+8613900139000")  # the vote's key: the number is kept nowhere
    assert "13900139000" not in repr(row.__dict__) and audit.username == proposals.PUBLIC_USERNAME
    found, decisions = public.tracked(engine, code=receipt.code.lower()[:5] + "-" + receipt.code[5:])
    assert found["title"] == GOOD["title"] and found["state"] == "submitted" and decisions.empty
    board = public.board(engine, community_id=place)
    assert board["id"].iloc[0] == receipt.proposal_id and "code" not in board and "proposer_key" not in board
    assert public.tracked(engine, code="0000000000") is None
    _refused(lambda: proposals.submit_proposal(engine, ticket=resident_ticket(engine, "13900139001"),
                                               data={**GOOD, "community_id": users.actor_for(engine, "street").scope_id}),
             "cm.error.not_a_community", "community_id")
    _refused(lambda: proposals.submit_proposal(engine, ticket="forged", data={**GOOD, "community_id": place}),
             "vote.error.session_expired")


def test_the_daily_limit_is_per_number_and_kept_by_the_database(engine, monkeypatch):
    monkeypatch.setenv("COMMUNITY_PROPOSALS_PER_DAY", "2")
    data = {**GOOD, "community_id": community_id(engine)}
    ticket = resident_ticket(engine)
    assert [proposals.submit_proposal(engine, ticket=ticket, data=data).left_today for _ in range(2)] == [1, 0]
    before = count_rows(engine, Proposal)
    _refused(lambda: proposals.submit_proposal(engine, ticket=ticket, data=data), "cm.error.daily_limit")
    assert count_rows(engine, Proposal) == before
    assert proposals.submit_proposal(engine, ticket=resident_ticket(engine, "13900139002"), data=data).left_today == 1


def test_codes_are_checked_and_throttled_as_the_votes_are(engine):
    from db.community import verification

    phone = "13900139003"
    verification.request_code(engine, phone=phone, client_address="10.9.9.9")
    with reading(engine) as s:
        campaign = s.execute(select(Campaign.id).where(Campaign.status == "open")).scalars().first()
    # one send a minute per number, whatever the code is for: the vote's counters
    _refused(lambda: vote_codes.request_code(engine, campaign_id=campaign, phone=phone, client_address="10.9.9.8"),
             "vote.error.too_often")
    _refused(lambda: verification.verify_code(engine, phone=phone, code="12345"), "vote.error.code_format", "code")
    for remaining in (4, 3, 2, 1):
        assert _refused(lambda: verification.verify_code(engine, phone=phone, code="000000"),
                        "vote.error.code_wrong").params["remaining"] == remaining
    _refused(lambda: verification.verify_code(engine, phone=phone, code="000000"), "vote.error.code_locked")
    _refused(lambda: verification.request_code(engine, phone="010-12345678", client_address=None),
             "vote.error.number_not_mobile", "phone")


@pytest.mark.parametrize("field,value,code", [
    ("title", "扶手", "rule.min_length"), ("title", "长" * 61, "rule.max_length"),
    ("problem", "太短了", "rule.min_length"), ("suggestion", "", "rule.min_length"),
    ("suggestion", None, "rule.required"), ("theme", "parking", "rule.choice"), ("theme", None, "rule.required"),
    ("estimate", "一万", "rule.number"), ("estimate", "1.5", "rule.whole_yuan"), ("estimate", -1, "rule.ge"),
    ("estimate", rules.ESTIMATE_MAX + 1, "rule.le"), ("community_id", "x", "rule.integer"),
    ("title", "扶手\x00加装", "rule.invalid"),
])
def test_bad_input_names_the_field_and_writes_nothing(refusing_engine, field, value, code):
    data = {**GOOD, "community_id": 1, field: value}
    err = _refused(lambda: proposals.submit_proposal(refusing_engine, ticket=None, data=data), code, field)
    assert err.field == field  # the form says which box and which rule, before any ticket is looked at


# --- staff triage -------------------------------------------------------------------------------------

def test_triage_moves_by_the_rules_within_scope_and_is_audited(engine):
    staff, street = users.actor_for(engine, "community"), users.actor_for(engine, "street")
    first, second, third = proposals_in(engine, "submitted")[:3]
    with pytest.raises(PermissionDenied):
        triage.send_to_council(engine, actor=users.actor_for(engine, "leader"), proposal_id=first)
    with pytest.raises(NotFound):  # another community's staff: as if it did not exist
        triage.send_to_council(engine, actor=_other_community_staff(engine), proposal_id=first)
    assert triage.send_to_council(engine, actor=street, proposal_id=first).state == "to_council"
    _refused(lambda: triage.decline(engine, actor=staff, proposal_id=second, answer="  "), "cm.error.answer_required",
             "answer")
    _refused(lambda: triage.decline(engine, actor=staff, proposal_id=second, answer="不行"), "rule.min_length", "answer")
    answer = "经核实，该事项属于物业服务企业职责，已转交物业公司处理。"
    assert triage.decline(engine, actor=staff, proposal_id=second, answer=answer).answer == answer
    _refused(lambda: triage.decline(engine, actor=staff, proposal_id=second, answer=answer), "cm.error.state_declined")
    _refused(lambda: triage.send_to_council(engine, actor=staff, proposal_id=first), "cm.error.state_to_council")
    _refused(lambda: triage.merge(engine, actor=staff, proposal_id=third, into_id=third), "cm.error.merge_itself",
             "into_id")
    _refused(lambda: triage.merge(engine, actor=staff, proposal_id=third, into_id=second),
             "cm.error.merge_target_state", "into_id")
    elsewhere = proposals_in(engine, "adopted", "510104001002")[0]
    _refused(lambda: triage.merge(engine, actor=street, proposal_id=third, into_id=elsewhere),
             "cm.error.merge_other_community", "into_id")
    merged = triage.merge(engine, actor=staff, proposal_id=third, into_id=first)
    assert (merged.state, merged.merged_into_id) == ("merged", first)
    with reading(engine) as s:
        actions = dict(s.execute(select(AuditLog.entity_id, AuditLog.action).where(
            AuditLog.entity_id.in_([str(first), str(second), str(third)]), AuditLog.action.like("proposal_%"))).all())
    assert actions == {str(first): "proposal_send", str(second): "proposal_decline", str(third): "proposal_merge"}
    assert public.tracked(engine, code=_code(engine, second))[0]["answer"] == answer  # published with it


def _code(engine, proposal_id: int) -> str:
    with reading(engine) as s:
        return s.execute(select(Proposal.code).where(Proposal.id == proposal_id)).scalar_one()


# --- the council --------------------------------------------------------------------------------------

def test_the_council_decides_with_quorum_and_majority(engine, monkeypatch):
    staff, place = users.actor_for(engine, "community"), community_id(engine)
    waiting = proposals_in(engine, "to_council")[:2]
    meeting = {"community_id": place, "held_on": clock.today(), "place": "紫荆社区党群服务中心议事厅",
               **ATTENDANCE, "minutes": MINUTES, "agenda": waiting}
    before = count_rows(engine, CouncilMeeting)
    _refused(lambda: councils.create_meeting(engine, actor=staff, data={**meeting, "residents": 0, "committee": 0}),
             "cm.error.no_quorum", "participants")
    _refused(lambda: councils.create_meeting(engine, actor=staff, data={
        **meeting, "agenda": proposals_in(engine, "submitted")[:1]}), "cm.error.agenda_state", "agenda")
    _refused(lambda: councils.create_meeting(engine, actor=staff, data={
        **meeting, "held_on": clock.today() + timedelta(days=1)}), "rule.cm.meeting_not_future", "held_on")
    _refused(lambda: councils.create_meeting(engine, actor=staff, data={**meeting, "agenda": []}),
             "cm.error.agenda_empty", "agenda")
    with pytest.raises(PermissionDenied):  # another community: out of scope, as every unit outside it
        councils.create_meeting(engine, actor=staff, data={**meeting, "community_id": community_id(engine, "510104001002")})
    assert count_rows(engine, CouncilMeeting) == before
    meeting_id = councils.create_meeting(engine, actor=staff, data=meeting)
    _refused(lambda: councils.create_meeting(engine, actor=staff, data=meeting), "cm.error.agenda_pending", "agenda")

    adopt, defer = waiting

    def decide(proposal_id, outcome, votes_for=0, against=0, abstain=0):
        return councils.record_decision(engine, actor=staff, meeting_id=meeting_id, proposal_id=proposal_id, data={
            "outcome": outcome, "votes_for": votes_for, "votes_against": against, "votes_abstain": abstain})

    assert _refused(lambda: decide(adopt, "adopted", 5, 5, 2), "cm.error.no_majority_voting",
                    "votes_for").params == {"votes": 5, "needed": 8}
    _refused(lambda: decide(adopt, "adopted", 12, 5, 3), "cm.error.votes_over_participants", "votes_for")
    _refused(lambda: decide(adopt, "not_adopted", 9, 3, 2), "cm.error.majority_adopts", "outcome")
    _refused(lambda: decide(adopt, "not_adopted"), "cm.error.votes_required", "votes_for")
    monkeypatch.setenv("COUNCIL_MAJORITY_OF", "present")
    _refused(lambda: decide(adopt, "adopted", 8, 0, 0), "cm.error.no_majority_present", "votes_for")
    monkeypatch.delenv("COUNCIL_MAJORITY_OF")
    assert _state(engine, adopt) == "to_council"  # every refusal wrote nothing
    assert decide(adopt, "adopted", 9, 3, 2).state == "adopted"
    _refused(lambda: decide(adopt, "adopted", 9, 3, 2), "cm.error.already_decided", "proposal_id")
    _refused(lambda: decide(proposals_in(engine, "submitted")[0], "adopted", 9), "cm.error.not_on_agenda", "proposal_id")
    assert decide(defer, "deferred").state == "deferred"
    assert defer in set(councils.agenda_candidates(engine, actor=staff, community_id=place)["id"])  # for a later meeting
    detail, items = councils.get_meeting(engine, actor=staff, meeting_id=meeting_id)
    assert detail.present == 16 and list(items["outcome"]) == ["adopted", "deferred"]
    listed = councils.list_meetings(engine, actor=staff, community_id=place)
    assert listed.iloc[0][["id", "present", "items", "decided", "adopted"]].tolist() == [meeting_id, 16, 2, 2, 1]
    decisions = proposals.decisions(engine, actor=staff, proposal_id=adopt)
    assert decisions[["outcome", "votes_for", "votes_against", "votes_abstain"]].values.tolist() == [["adopted", 9, 3, 2]]
    with pytest.raises(PermissionDenied):  # leaders read the council's record, never write it
        councils.record_decision(engine, actor=users.actor_for(engine, "leader"), meeting_id=meeting_id,
                                 proposal_id=defer, data={})


# --- adoption -----------------------------------------------------------------------------------------

def _unfunded(engine) -> list[int]:
    frame = proposals.list_proposals(engine, actor=users.actor_for(engine, "community"),
                                     filters=proposals.ProposalFilter(state="adopted"))
    return [int(i) for i in frame.loc[frame["route"].isna(), "id"]]


def test_an_adopted_proposal_enters_the_pipeline_linked_both_ways(engine):
    staff = users.actor_for(engine, "community")
    first, second = _unfunded(engine)[:2]
    _refused(lambda: adoption.fund(engine, actor=staff, proposal_id=first, data={
        "route": "pipeline", "funding_source": "guarantee_fund", "funding_amount": 0}), "rule.gt", "funding_amount")
    _refused(lambda: adoption.fund(engine, actor=staff, proposal_id=proposals_in(engine, "to_council")[0], data={
        "route": "community", "funding_source": "guarantee_fund", "funding_amount": 1000}), "cm.error.state_to_council")
    before = proposals.summary(engine, actor=staff).funded_amount
    funded = adoption.fund(engine, actor=staff, proposal_id=first, data={
        "route": "pipeline", "funding_source": "fixed_subsidy", "funding_amount": "80,000"})
    assert (funded.route, funded.funding_amount, funded.pipeline_stage) == ("pipeline", 80000, "needs_survey")
    with reading(engine) as s:
        project = s.execute(select(Project).where(Project.code == funded.project_code)).scalar_one()
        events = s.execute(select(StageEvent.kind).where(StageEvent.project_id == project.id)).scalars().all()
    assert (project.budget, project.community_id, project.title, events) == (80000, community_id(engine),
                                                                            funded.title, ["create"])
    link = proposals.proposal_for_project(engine, actor=users.actor_for(engine, "admin"), project_id=project.id)
    assert link.id == first and link.funding_source == "fixed_subsidy" and link.votes_for is not None
    admin = users.actor_for(engine, "admin")
    assert pipeline_reads.get_project(engine, actor=admin, code=project.code).stage == "needs_survey"
    _refused(lambda: adoption.fund(engine, actor=staff, proposal_id=first, data={
        "route": "community", "funding_source": "other", "funding_amount": 1}), "cm.error.already_funded")

    own = adoption.fund(engine, actor=staff, proposal_id=second, data={
        "route": "community", "funding_source": "guarantee_fund", "funding_amount": 20000})
    assert (own.route, own.community_stage) == ("community", "planned")
    assert adoption.advance(engine, actor=staff, proposal_id=second, expected_stage="planned").community_stage == "in_progress"
    _refused(lambda: adoption.advance(engine, actor=staff, proposal_id=second, expected_stage="planned"),
             "cm.error.stage_changed")
    done = adoption.advance(engine, actor=staff, proposal_id=second)
    assert done.community_stage == "done" and done.carried_out
    _refused(lambda: adoption.advance(engine, actor=staff, proposal_id=second), "cm.error.project_done")
    with reading(engine) as s:
        row = s.execute(select(CommunityProject).where(CommunityProject.proposal_id == second)).scalar_one()
    assert row.started_on == row.done_on == clock.today()
    assert proposals.summary(engine, actor=staff).funded_amount == before + 100_000
    with pytest.raises(PermissionDenied):
        adoption.advance(engine, actor=users.actor_for(engine, "leader"), proposal_id=second)


# --- scope and the demo -------------------------------------------------------------------------------

def test_each_role_reads_its_own_scope(refusing_engine):
    engine = refusing_engine
    staff, street, leader = (users.actor_for(engine, r) for r in ("community", "street", "leader"))
    assert proposals.communities(engine, actor=staff)["name"].tolist() == ["紫荆社区"]
    assert len(proposals.communities(engine, actor=street)) == 4  # 春熙路街道's communities
    mine = proposals.list_proposals(engine, actor=staff)
    assert set(mine["community"]) == {"紫荆社区"} and len(mine) > 50
    ours = proposals.list_proposals(engine, actor=street)
    assert set(ours["street"]) == {"春熙路街道"} and len(ours) > len(mine)
    assert proposals.summary(engine, actor=leader).total > len(ours)
    with pytest.raises(PermissionDenied):
        proposals.list_proposals(engine, actor=users.actor_for(engine, "evaluator"))
    with pytest.raises(NotFound):
        proposals.get_proposal(engine, actor=_other_community_staff(engine), proposal_id=int(mine["id"].iloc[0]))


@pytest.mark.calendar("year", "leap")  # counts since 2016 up to today: a year's turn, not the grids' due day
def test_the_demo_reproduces_seed_000(refusing_engine):
    """锦江区 since 2016: 4,000+ proposals, 2,000+ carried out through the council, about 5,000万元."""
    engine = refusing_engine
    leader = users.actor_for(engine, "leader")  # 锦江区
    figures = proposals.summary(engine, actor=leader)
    assert figures.total >= 4000 and figures.carried_out >= 2000
    assert 50_000_000 <= figures.funded_amount <= 51_000_000
    with reading(engine) as s:
        first = s.execute(select(func.min(Proposal.submitted_on))).scalar_one()
        elsewhere = s.execute(select(func.count()).select_from(Proposal).join(OrgUnit, OrgUnit.id == Proposal.district_id)
                              .where(OrgUnit.code != "510104")).scalar_one()
        linked = s.execute(select(Project.stage).join(Proposal, Proposal.project_id == Project.id)).scalars().all()
    assert first.year == 2016 and elsewhere == 0 and len(linked) >= 30
    # what the demo holds obeys the rules the writes enforce
    meetings = councils.list_meetings(engine, actor=leader)
    assert (meetings["present"] >= rules.council_quorum()).all() and (meetings["decided"] == meetings["items"]).all()
    rows = proposals.list_proposals(engine, actor=leader)
    adopted = rows[rows["outcome"] == "adopted"]
    assert (adopted["votes_for"] > adopted["votes_against"] + adopted["votes_abstain"]).all()
    assert rows.loc[rows["state"] == "declined", "answer"].notna().all()
    assert rows.loc[rows["state"] == "merged", "merged_into_id"].notna().all()
    assert set(rows["state"]) == set(rules.STATES)  # every step is there to see


def test_community_staff_are_scoped_to_one_community(refusing_engine):
    admin = users.actor_for(refusing_engine, "admin")
    street = users.actor_for(refusing_engine, "street").scope_id
    account = {"username": "zijing2", "display_name": "紫荆社区 网格员", "password": "Zijing@2026", "role": "community",
               "scope_id": street}
    _refused(lambda: users.create_user(refusing_engine, actor=admin, data=account), "users.error.community_scope",
             "scope_id")
    assert users.actor_for(refusing_engine, "zijing2") is None


@pytest.mark.reads_only
def test_the_staff_list_and_its_labels_are_each_rows_own(engine):
    """The list is built from plain tuples and labelled once per distinct value (a city's download of 50,000 rows):
    the same frame as from mappings, and the same labels as row by row, in both languages."""
    import pandas as pd

    from components.community import labels
    from components.community import proposals as page
    from components.formatting import day

    leader = users.actor_for(engine, "leader")
    rows = proposals.list_proposals(engine, actor=leader)
    query = (proposals.rows_query(Proposal.code).where(*proposals._conditions(leader, proposals.ProposalFilter()))
             .order_by(Proposal.submitted_on.desc(), Proposal.id.desc()))
    with engine.connect() as conn:
        mapped = pd.DataFrame(conn.execute(query).mappings().all(), columns=proposals.ROW_COLUMNS + ["code"])
    mapped["carried_out"] = mapped["carried_out"].astype(bool)
    pd.testing.assert_frame_equal(rows, mapped[proposals.STAFF_COLUMNS])
    assert rows["held_on"].notna().any() and rows["route"].notna().any() and rows["held_on"].isna().any()
    for lg in ("zh", "en"):
        shown = page._table(rows, lg)
        assert list(shown.iloc[:, 2]) == [day(d, lg) for d in rows["submitted_on"]]
        assert list(shown.iloc[:, 7]) == [labels.decision(r.held_on, r.outcome, r.votes_for, r.votes_against,
                                                          r.votes_abstain, lg) for r in rows.itertuples()]
        assert list(shown.iloc[:, 8]) == [labels.project(r.route, r.funding_source, r.funding_amount, r.pipeline_stage,
                                                         r.community_stage, r.project_code, lg)
                                          for r in rows.itertuples()]


@pytest.mark.reads_only
def test_the_newest_meetings_count_only_their_own_agendas(engine):
    """The council's list of the newest meetings groups only their agenda items (a city grouped all 41,000 for the
    200 shown): the same rows and figures as the head of the whole list, whatever the filters."""
    import pandas as pd
    from sqlalchemy import event

    leader = users.actor_for(engine, "leader")
    place = community_id(engine)
    for community, year in ((None, None), (None, 2024), (place, None)):
        whole = councils.list_meetings(engine, actor=leader, community_id=community, year=year)
        statements = []

        def seen(conn, cursor, statement, *_):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", seen)
        try:
            first = councils.list_meetings(engine, actor=leader, community_id=community, year=year, limit=7)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert len(whole) > 7 and (whole["items"] > 0).all()
        pd.testing.assert_frame_equal(first, whole.head(7))
        assert statements[-1].count("LIMIT") == 2  # the items grouped for the listed meetings, then the list
