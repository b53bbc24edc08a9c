"""社区营造's results in the db layer (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set): residents rate a
carried-out project once per verified number (居民评事), the public reads the mean, count and comments; the
demo's carried-out projects hold ratings."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from db.community import public, ratings, rules
from db.engine import reading, transaction
from db.errors import DomainError, NotFound, PermissionDenied
from db.models import AuditLog
from db.models.community import ProposalRating
from db.voting import codes as vote_codes
from factories.records import community_id, count_rows, proposals_in, resident_ticket


def _refused(call, code: str, field: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as err:
        call()
    assert err.value.code == code, err.value
    if field is not None:
        assert err.value.field == field
    return err.value


def _carried_out(engine, code="510104001001") -> list[int]:
    rows = public.board(engine, community_id=community_id(engine, code), state="adopted")
    return [int(i) for i in rows.loc[rows["carried_out"], "id"]]


def test_a_resident_rates_a_carried_out_project_once(engine):
    proposal = _carried_out(engine)[0]
    before = ratings.summaries(engine, [proposal])
    count = int(before["ratings"].sum())
    total = float((before["rating_mean"] * before["ratings"]).sum())
    ticket = resident_ticket(engine, "13900139010")
    here = {"residence_id": community_id(engine), "resident": True}  # a new number declares where it lives
    receipt = ratings.rate(engine, ticket=ticket, data={"proposal_id": proposal, "score": "5", **here,
                                                       "comment": "  路灯亮了，晚上回家安心多了。<b>好</b>  "})
    with reading(engine) as s:
        row = s.get(ProposalRating, receipt.rating_id)
        audit = s.execute(select(AuditLog).where(AuditLog.action == "proposal_rate",
                                                 AuditLog.entity_id == str(proposal))).scalar_one()
    assert (row.proposal_id, row.score, row.comment) == (proposal, 5, "路灯亮了，晚上回家安心多了。<b>好</b>")
    assert row.voter_key == vote_codes.voter_key("+8613900139010") and audit.username == "public"
    assert "13900139010" not in repr(row.__dict__) + repr(audit.__dict__)
    # once per number and project, whatever is typed the second time; nothing more is written
    _refused(lambda: ratings.rate(engine, ticket=ticket, data={"proposal_id": proposal, "score": 1}),
             "cm.error.already_rated")
    ratings.rate(engine, ticket=resident_ticket(engine, "13900139011"), data={"proposal_id": proposal, "score": 2,
                                                                              **here})
    after = ratings.summaries(engine, [proposal]).iloc[0]
    assert int(after["ratings"]) == count + 2
    assert after["rating_mean"] == pytest.approx((total + 7) / (count + 2))
    newest = ratings.comments(engine, [proposal])
    assert newest["comment"].iloc[0] == row.comment and len(newest) <= rules.RATING_COMMENTS_SHOWN
    # another project of the community: the same number, its residence known, rates it without declaring again
    other = _carried_out(engine)[1]
    assert ratings.rate(engine, ticket=ticket, data={"proposal_id": other, "score": 4}).proposal_id == other


def test_two_tabs_rating_at_once_make_one_rating(engine):
    proposal = _carried_out(engine)[2]
    ticket = resident_ticket(engine, "13900139012")

    def once(score):
        try:
            return ratings.rate(engine, ticket=ticket, data={"proposal_id": proposal, "score": score,
                                                             "residence_id": community_id(engine), "resident": True}
                                ).rating_id
        except DomainError as err:
            return err.code

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(once, (1, 2, 3, 4)))
    assert sorted(map(str, results))[-3:] == ["cm.error.already_rated"] * 3
    key = vote_codes.voter_key("+8613900139012")
    assert count_rows(engine, ProposalRating, ProposalRating.proposal_id == proposal,
                      ProposalRating.voter_key == key) == 1


def test_only_residents_who_proposed_or_live_in_the_community_rate_its_projects(engine):
    """A number that proposed in the community rates as a proposer; any other declares where it lives, which must be
    the project's community and is kept (one community per number for a year); refusals name the field, write
    nothing, and say the same thing whatever the page sent."""
    from datetime import timedelta

    from sqlalchemy import update

    from db import clock
    from db.community import proposals
    from db.models.community import ResidentDeclaration

    zijing, other_code, third_code = community_id(engine), "510104001002", "510104002001"
    ticket = resident_ticket(engine, "13900139060")
    proposals.submit_proposal(engine, ticket=ticket, data={
        "community_id": zijing, "theme": "environment", "title": "楼道堆物清理",
        "problem": "楼道里堆满杂物，挡住了消防通道。", "suggestion": "组织一次集中清理，并设置公共储物点。"})
    key = vote_codes.voter_key("+8613900139060")
    mine, there, third = _carried_out(engine)[3], _carried_out(engine, other_code)[0], _carried_out(engine, third_code)[0]
    assert ratings.standing(engine, ticket=ticket, proposal_id=mine).basis == rules.PROPOSER
    receipt = ratings.rate(engine, ticket=ticket, data={"proposal_id": mine, "score": 4})  # no declaration asked
    assert receipt.basis == rules.PROPOSER and count_rows(engine, ResidentDeclaration,
                                                          ResidentDeclaration.voter_key == key) == 0
    assert ratings.standing(engine, ticket=ticket, proposal_id=mine).rated

    # another community: it did not propose there, so it must say it lives there, and truly pick that community
    standing = ratings.standing(engine, ticket=ticket, proposal_id=there)
    assert standing.basis is None and not standing.rated and standing.locked_until is None
    before = (count_rows(engine, ProposalRating), count_rows(engine, ResidentDeclaration))
    for extra, code, field in (({}, "cm.error.residence_required", "residence_id"),
                               ({"residence_id": zijing, "resident": True}, "cm.error.residence_other", "residence_id"),
                               ({"residence_id": community_id(engine, other_code)}, "cm.error.resident_unconfirmed",
                                "resident")):
        err = _refused(lambda: ratings.rate(engine, ticket=ticket, data={"proposal_id": there, "score": 5, **extra}),
                       code, field)
        assert err.params["community"] == standing.community
    assert (count_rows(engine, ProposalRating), count_rows(engine, ResidentDeclaration)) == before
    declared = {"residence_id": community_id(engine, other_code), "resident": True}
    assert ratings.rate(engine, ticket=ticket, data={"proposal_id": there, "score": 5, **declared}).basis == rules.RESIDENT
    with reading(engine) as s:
        row = s.get(ResidentDeclaration, key)
        audit = s.execute(select(AuditLog.after).where(AuditLog.action == "proposal_rate",
                                                       AuditLog.entity_id == str(there))
                          .order_by(AuditLog.id.desc()).limit(1)).scalar_one()
    assert row.community_id == community_id(engine, other_code) and row.declared_on == clock.today()
    assert '"resident"' in str(audit).replace("'", '"') and "13900139060" not in str(audit)

    # declared in one community, a number is not a resident of a third one for a year
    standing = ratings.standing(engine, ticket=ticket, proposal_id=third)
    assert standing.basis is None and standing.locked_until == clock.today() + timedelta(days=rules.RESIDENCE_DAYS)
    moving = {"proposal_id": third, "score": 3, "residence_id": community_id(engine, third_code), "resident": True}
    err = _refused(lambda: ratings.rate(engine, ticket=ticket, data=moving), "cm.error.declared_elsewhere",
                   "residence_id")
    assert err.params["day"] == standing.locked_until.isoformat() and err.params["community"] == standing.declared
    # a year on, the resident who moved declares the new community
    with transaction(engine) as s:
        s.execute(update(ResidentDeclaration).where(ResidentDeclaration.voter_key == key)
                  .values(declared_on=clock.today() - timedelta(days=rules.RESIDENCE_DAYS)))
    assert ratings.rate(engine, ticket=ticket, data=moving).basis == rules.RESIDENT
    with reading(engine) as s:
        assert s.get(ResidentDeclaration, key).community_id == community_id(engine, third_code)


@pytest.mark.parametrize("data,code,field", [
    ({"score": 6}, "rule.le", "score"), ({"score": 0}, "rule.ge", "score"), ({"score": None}, "rule.required", "score"),
    ({"score": "五"}, "rule.integer", "score"), ({"score": 2.5}, "rule.integer", "score"),
    ({"score": 3, "comment": "好" * 301}, "rule.max_length", "comment"),
    ({"score": 3, "proposal_id": "x"}, "rule.integer", "proposal_id"),
])
def test_bad_ratings_name_the_field_and_write_nothing(refusing_engine, data, code, field):
    _refused(lambda: ratings.rate(refusing_engine, ticket=None, data={"proposal_id": 1, **data}), code, field)


def test_only_carried_out_projects_are_rated_and_only_by_the_verified(refusing_engine):
    engine = refusing_engine
    waiting = proposals_in(engine, "to_council")[0]
    before = count_rows(engine, ProposalRating)
    ticket = resident_ticket(engine, "13900139013")
    _refused(lambda: ratings.rate(engine, ticket=ticket, data={"proposal_id": waiting, "score": 5}),
             "cm.error.not_rateable", "proposal_id")
    unstarted = [i for i in proposals_in(engine, "adopted") if i not in _carried_out(engine)]
    _refused(lambda: ratings.rate(engine, ticket=ticket, data={"proposal_id": unstarted[0], "score": 5}),
             "cm.error.not_rateable", "proposal_id")
    with pytest.raises(NotFound):
        ratings.rate(engine, ticket=ticket, data={"proposal_id": 2**31 - 1, "score": 5})
    _refused(lambda: ratings.rate(engine, ticket="forged", data={"proposal_id": _carried_out(engine)[0], "score": 5}),
             "vote.error.session_expired")
    assert count_rows(engine, ProposalRating) == before
    assert public.rateable(engine, proposal_id=waiting) is None and public.rateable(engine, proposal_id="1") is None
    assert public.rateable(engine, proposal_id=_carried_out(engine)[0])["carried_out"]


def test_the_demo_projects_carried_out_are_rated(refusing_engine):
    engine = refusing_engine
    with reading(engine) as s:
        rated, rows, mean = s.execute(select(func.count(func.distinct(ProposalRating.proposal_id)), func.count(),
                                             func.avg(ProposalRating.score))).one()
        commented = s.execute(select(func.count()).where(ProposalRating.comment.is_not(None))).scalar_one()
    assert rated >= 1500 and rows >= 8000 and 3.5 < float(mean) < 4.5 and commented > rows // 4
    # every one by a number that proposed in the project's community or declared living there (one community each)
    from db.models.community import Proposal, ResidentDeclaration

    with reading(engine) as s:
        proposed = select(Proposal.id).where(Proposal.proposer_key == ProposalRating.voter_key,
                                             Proposal.community_id == ProposalRating.community_id).exists()
        lives = select(ResidentDeclaration.voter_key).where(
            ResidentDeclaration.voter_key == ProposalRating.voter_key,
            ResidentDeclaration.community_id == ProposalRating.community_id).exists()
        bases = dict(s.execute(select(ProposalRating.basis, func.count()).group_by(ProposalRating.basis)).all())
        stray = s.execute(select(func.count()).select_from(ProposalRating).where(
            ~((ProposalRating.basis == rules.PROPOSER) & proposed) & ~((ProposalRating.basis == rules.RESIDENT) & lives))
        ).scalar_one()
    assert stray == 0 and set(bases) == set(rules.RATING_BASES) and bases[rules.PROPOSER] > 100
    summary = ratings.summaries(engine, _carried_out(engine))
    assert not summary.empty and summary["rating_mean"].between(1, 5).all()


# --- the leadership dashboard ---------------------------------------------------------------------------

def test_the_dashboard_funnel_adds_up_within_each_scope(refusing_engine):
    from db import users
    from db.community import dashboard, proposals

    engine = refusing_engine
    leader, staff = users.actor_for(engine, "leader"), users.actor_for(engine, "community")
    view = dashboard.dashboard(engine, actor=leader)
    steps = [view.funnel[key] for key in dashboard.FUNNEL]
    assert steps == sorted(steps, reverse=True) and steps[0] == proposals.summary(engine, actor=leader).total
    assert view.funnel["carried_out"] == proposals.summary(engine, actor=leader).carried_out
    for frame in (view.by_year, view.by_unit, view.themes):  # every breakdown sums to the whole
        assert {key: int(frame[key].sum()) for key in dashboard.FUNNEL} == view.funnel
    assert int(view.money["amount"].sum()) == proposals.summary(engine, actor=leader).funded_amount
    assert len(view.by_unit) == 12 and 20 < view.median_days < 120 and view.decided > 3000
    assert view.few["proposals"].is_monotonic_increasing and len(view.few) == dashboard.FEW_SHOWN
    # a street, a year
    street = dashboard.unit_by_code(engine, actor=leader, code="510104001")
    year = dashboard.dashboard(engine, actor=street, year=2025)
    assert set(year.by_year["year"]) == {2025} and len(year.by_unit) == 4  # 春熙路街道's communities
    assert year.funnel["collected"] == proposals.summary(engine, actor=leader, filters=proposals.ProposalFilter(
        year=2025, community_id=None)).total - sum(
        dashboard.dashboard(engine, actor=dashboard.unit_by_code(engine, actor=leader, code=code), year=2025)
        .funnel["collected"] for code in view.by_unit["code"] if code != "510104001")
    # community staff: their community only; another one is not found, never shown
    own = dashboard.dashboard(engine, actor=staff)
    assert own.funnel["collected"] == proposals.summary(engine, actor=staff).total and len(own.by_unit) == 1
    with pytest.raises(NotFound):
        dashboard.unit_by_code(engine, actor=staff, code="510104001002")
    with pytest.raises(NotFound):
        dashboard.unit_by_code(engine, actor=users.actor_for(engine, "street"), code="510104002")
    with pytest.raises(PermissionDenied):
        dashboard.dashboard(engine, actor=users.actor_for(engine, "evaluator"))



def test_the_dashboards_decision_days_are_each_proposals_and_its_reads_run_side_by_side(refusing_engine):
    """The median days to a decision, counted by days in SQL for the council's decisions, equal one proposal at a
    time (its council's last decision, or the local day of the answer declining it); the dashboard's reads run on
    connections of their own at once, not one after another."""
    import statistics
    import threading

    from sqlalchemy import event

    from db import clock, users
    from db.community import dashboard
    from db.models.community import CouncilItem, CouncilMeeting, Proposal

    engine = refusing_engine
    leader = users.actor_for(engine, "leader")
    with reading(engine) as s:
        last = {p: m for p, m in s.execute(select(CouncilItem.proposal_id, CouncilMeeting.held_on)
                                           .join(CouncilMeeting, CouncilMeeting.id == CouncilItem.meeting_id)
                                           .where(CouncilItem.outcome.is_not(None)).order_by(CouncilItem.id))}
        rows = s.execute(select(Proposal.id, Proposal.submitted_on, Proposal.state, Proposal.answered_at,
                                Proposal.street_id).where(Proposal.state.in_(dashboard.DECIDED))).all()
    street = dashboard.unit_by_code(engine, actor=leader, code="510104001")
    for actor, year in ((leader, None), (leader, 2025), (street, None)):
        days = []
        for pid, submitted, state, answered, street_id in rows:
            if (actor is street and street_id != street.scope_id) or (year and submitted.year != year):
                continue
            decided = clock.local_date(answered) if state == "declined" and answered else (
                None if state == "declined" else last.get(pid))
            if decided is not None:
                days.append(max((decided - submitted).days, 0))
        view = dashboard.dashboard(engine, actor=actor, year=year)
        assert (view.decided, view.median_days) == (len(days), statistics.median(days)) and len(days) > 10
    threads = set()

    def seen(*_):
        threads.add(threading.get_ident())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        dashboard.dashboard(engine, actor=leader, year=2024)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(threads) > 1

# --- reminders -------------------------------------------------------------------------------------------

def test_staff_are_reminded_once_of_a_proposal_waiting_past_its_days(engine, monkeypatch):
    from datetime import timedelta

    from db import clock, users
    from db.community import proposals, reminders, triage
    from db.models import AppUser
    from db.models.reminders import Notification
    from db.reminders import daily

    monkeypatch.setenv("COMMUNITY_ANSWER_DAYS", "10")
    receipt = proposals.submit_proposal(engine, ticket=resident_ticket(engine, "13900139030"), data={
        "community_id": community_id(engine), "theme": "safety", "title": "小区东门增设路灯",
        "problem": "东门一段路晚上没有照明，老人孩子走路不安全。", "suggestion": "在东门到3号楼之间增设两盏路灯。"})
    today = clock.today()

    def told(day) -> list[str]:
        daily.make(engine, today=day)
        with reading(engine) as s:
            return sorted(s.execute(select(AppUser.username).join(Notification, Notification.user_id == AppUser.id)
                                    .where(Notification.kind == "proposal_waiting",
                                           Notification.entity_id == receipt.proposal_id)).scalars())

    assert all(due.entity_id != receipt.proposal_id for due in reminders.proposals_waiting(engine, today))
    assert told(today + timedelta(days=9)) == []
    assert told(today + timedelta(days=10)) == ["community", "street"]  # its community's staff and its street's
    assert told(today + timedelta(days=11)) == ["community", "street"]  # once, not every day
    due = next(d for d in reminders.proposals_waiting(engine, today + timedelta(days=12))
               if d.entity_id == receipt.proposal_id)
    assert due.params["title"] == "小区东门增设路灯" and due.period == (today + timedelta(days=10)).isoformat()
    triage.send_to_council(engine, actor=users.actor_for(engine, "community"), proposal_id=receipt.proposal_id)
    assert all(d.entity_id != receipt.proposal_id for d in reminders.proposals_waiting(engine, today + timedelta(days=12)))


# --- the leadership overview -------------------------------------------------------------------------------

@pytest.mark.reads_only
def test_the_overview_carries_the_years_figures_and_todays_two_alerts(engine, monkeypatch):
    from datetime import timedelta

    from db import clock, users
    from db.community import dashboard
    from db.models.community import Proposal
    from db.overview import headline

    monkeypatch.setenv("COMMUNITY_ANSWER_DAYS", "3")
    admin, today = users.actor_for(engine, "admin"), clock.today()
    ov = headline.overview(engine, actor=admin, year=today.year, today=today)
    whole = dashboard.dashboard(engine, actor=admin, year=today.year)
    assert (ov.community.collected, ov.community.carried_out, ov.community.evaluated) == (
        whole.funnel["collected"], whole.funnel["carried_out"], whole.funnel["evaluated"])
    assert ov.community_last_year.collected == dashboard.dashboard(engine, actor=admin, year=today.year - 1).funnel[
        "collected"]
    with reading(engine) as s:
        late = s.execute(select(func.count()).where(Proposal.state == "submitted",
                                                    Proposal.submitted_on <= today - timedelta(days=3))).scalar_one()
    alerts = {a.kind: a.count for a in ov.alerts}
    assert alerts["proposals_waiting"] == late > 0 and alerts["adopted_not_started"] >= 2  # 紫荆社区's two unfunded
    street = headline.narrowed(admin, headline.get_unit(engine, actor=admin, unit_id=users.actor_for(engine, "street")
                                                        .scope_id))
    narrowed = headline.overview(engine, actor=street, year=today.year, today=today)
    assert narrowed.community.collected == dashboard.dashboard(engine, actor=street, year=today.year).funnel["collected"]
    assert narrowed.community.waiting_late <= alerts["proposals_waiting"]


# --- a community moved to another street ---------------------------------------------------------------------

def test_proposals_follow_their_community_to_another_street(engine):
    from db import unit_registry, users
    from db.access import Actor
    from db.community import councils, proposals, triage
    from db.models import OrgUnit

    admin, old_street, staff = (users.actor_for(engine, role) for role in ("admin", "street", "community"))
    zijing = community_id(engine)
    mine = proposals.list_proposals(engine, actor=staff)
    with reading(engine) as s:
        new_street = s.execute(select(OrgUnit).where(OrgUnit.code == "510104002")).scalar_one()
    unit_registry.move_unit(engine, actor=admin, unit_id=zijing, data={"parent_code": "510104002", "reason": "区划调整"})
    assert len(proposals.list_proposals(engine, actor=staff)) == len(mine)  # its own staff keep everything
    assert zijing not in set(proposals.list_proposals(engine, actor=old_street)["community_id"])
    other = Actor(user_id=old_street.user_id, username="shuyuan", display_name="书院街街道", role="street",
                  scope_id=new_street.id, scope_level="street", scope_name=new_street.name)
    theirs = proposals.list_proposals(engine, actor=other)
    assert set(mine["id"]) <= set(theirs["id"])
    waiting = proposals_in(engine, "submitted")[0]
    with pytest.raises(NotFound):  # the former street no longer handles them
        triage.send_to_council(engine, actor=old_street, proposal_id=waiting)
    assert triage.send_to_council(engine, actor=other, proposal_id=waiting).state == "to_council"
    assert len(councils.list_meetings(engine, actor=other, community_id=zijing)) > 0
    with reading(engine) as s:
        stale = s.execute(select(func.count()).select_from(ProposalRating).where(
            ProposalRating.community_id == zijing, ProposalRating.street_id != new_street.id)).scalar_one()
    assert stale == 0


# --- photos with a proposal ------------------------------------------------------------------------------------

def _jpeg_with_exif() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (3000, 2000), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0132] = "2026:01:01 08:00:00"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"<script>alert(1)</script>")
    return out.getvalue()


def test_the_demo_proposals_photos_went_through_the_uploads_re_encoding(refusing_engine):
    """A few demo proposals (紫荆社区's recent ones first) carry 1-3 drawn photos, stored as an upload is: plain JPEGs
    within the size rule, no metadata."""
    import io

    from PIL import Image

    from db.community import photos
    from db.models.community import Proposal, ProposalPhoto

    engine = refusing_engine
    with reading(engine) as s:
        per = dict(s.execute(select(ProposalPhoto.proposal_id, func.count()).group_by(ProposalPhoto.proposal_id)).all())
        zijing = set(s.execute(select(Proposal.id).where(Proposal.community_id == community_id(engine))).scalars())
    assert 10 <= len(per) <= 30 and set(per.values()) <= {1, 2, 3} and len(zijing & set(per)) >= 5
    for content in photos.photos_of(engine, sorted(per)[:5])["content"]:
        kept = Image.open(io.BytesIO(content))
        assert kept.format == "JPEG" and max(kept.size) <= rules.PHOTO_EDGE and not kept.getexif()
        assert "comment" not in kept.info and "jfif" in kept.info  # what photos.reencode writes


def test_photos_are_re_encoded_without_metadata_and_stored_with_the_proposal(engine):
    import io

    from PIL import Image

    from db.community import photos, proposals
    from db.models.community import Proposal, ProposalPhoto

    sent = _jpeg_with_exif()
    assert b"SecretCam" in sent and b"<script>" in sent
    png = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(png, "PNG")
    data = {"community_id": community_id(engine), "theme": "environment", "title": "3号院绿化带补植",
            "problem": "绿化带被踩秃了一大片，下雨全是泥。", "suggestion": "补种灌木并加装低矮护栏。"}
    ticket = resident_ticket(engine, "13900139040")
    receipt = proposals.submit_proposal(engine, ticket=ticket, data=data, photos=[sent, png.getvalue()])
    stored = photos.photos_of(engine, [receipt.proposal_id])
    assert list(stored["position"]) == [1, 2]
    for content in stored["content"]:
        kept = Image.open(io.BytesIO(content))
        assert kept.format == "JPEG" and max(kept.size) <= rules.PHOTO_EDGE and not kept.getexif()
        assert b"SecretCam" not in content and b"<script>" not in content and "comment" not in kept.info
    assert Image.open(io.BytesIO(stored["content"][0])).size == (1280, 853)

    before = (count_rows(engine, Proposal), count_rows(engine, ProposalPhoto))
    for files, code in (([png.getvalue()] * 4, "cm.error.photo_count"),
                        ([png.getvalue(), b"<html><script>alert(1)</script></html>"], "cm.error.photo_not_image"),
                        ([b"GIF89a" + b"\x00" * 20], "cm.error.photo_not_image"),
                        ([b"\xff\xd8" + b"0" * (rules.PHOTO_BYTES_MAX)], "cm.error.photo_too_large")):
        err = _refused(lambda: proposals.submit_proposal(engine, ticket=ticket, data=data, photos=files), code,
                       "photos")
        assert code == "cm.error.photo_count" or err.params["n"] == len(files)
    assert (count_rows(engine, Proposal), count_rows(engine, ProposalPhoto)) == before  # nothing half-written
