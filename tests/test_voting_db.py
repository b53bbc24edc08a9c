"""The vote at the db layer: numbers and codes, throttles, every limit and its message, the window,
the rules freeze, administration, voiding, ranking and publication, and the seeded figures."""

import hashlib
import hmac
import json
import re
import shlex
import sys
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from components.texts import translate
from db import clock, settings, users
from db.engine import reading
from db.errors import DomainError, PermissionDenied
from db.models import AuditLog
from db.models.voting import Campaign, Vote, VoteCase, VoteChallenge, VoteQuota, VoteThrottle
from db.validation import InvalidInput
from db.voting import ballot as vote_ballot
from db.voting import campaigns as voting
from db.voting import codes as vote_codes
from db.voting import public as vote_public
from db.voting import results as vote_results
from db.voting import review as vote_review
from db.voting import rollups as vote_rollups
from factories.records import admin_actor, ballot, district_id, make_campaign

pytestmark = pytest.mark.calendar("year", "leap")  # this area's dates turn on days, months and years (the turn of a
# year is also a day's and a month's), never on the grid reports' due day: those instants add nothing here


def _shift(monkeypatch, delta):
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + delta)


def _results(outcomes):
    return [o.result for o in outcomes]


# --- numbers, keys, codes -------------------------------------------------------------------------

def test_numbers_normalise_to_e164_or_are_refused():
    for raw in ("13800138000", "+86 138 0013 8000", "138-0013-8000", " +8613800138000 "):
        assert vote_codes.normalise_number(raw) == "+8613800138000", raw
    for raw in ("", "12345", "abc13800138000", "1" * 40, "+86 138 0013 800", "<script>", None, "١٣٨٠٠١٣٨٠٠٠"):
        with pytest.raises(DomainError) as err:
            vote_codes.normalise_number(raw)
        assert err.value.code == "vote.error.number_invalid" and err.value.field == "phone"


def test_full_width_numbers_are_the_same_number():
    # what a Chinese IME types in full-width mode
    for raw in ("１３８００１３８０００", "＋８６　１３８　００１３　８０００", "１３８－００１３－８０００"):
        assert vote_codes.normalise_number(raw) == "+8613800138000", raw


def test_only_mainland_mobiles_by_default_and_the_regions_are_a_setting(monkeypatch):
    monkeypatch.delenv("VOTE_PHONE_REGIONS", raising=False)
    for raw in ("+1 202 555 0100", "+44 7911 123456", "+852 5123 4567"):
        with pytest.raises(DomainError) as foreign:
            vote_codes.normalise_number(raw)
        assert foreign.value.code == "vote.error.number_not_cn" and foreign.value.field == "phone", raw
    for raw in ("028 8666 6666", "+86 28 8666 6666"):  # a Chengdu landline cannot receive a code
        with pytest.raises(DomainError) as landline:
            vote_codes.normalise_number(raw)
        assert landline.value.code == "vote.error.number_not_mobile", raw
    message = translate(foreign.value.code, "zh", field=translate("vote.field.phone", "zh"))
    assert "手机号码" in message and "中国大陆" in message
    monkeypatch.setenv("VOTE_PHONE_REGIONS", "cn, HK")
    assert vote_codes.normalise_number("+852 5123 4567") == "+85251234567"
    assert vote_codes.normalise_number("13800138000") == "+8613800138000"  # no +country: the first region
    with pytest.raises(DomainError) as outside:
        vote_codes.normalise_number("+1 202 555 0100")
    assert outside.value.code == "vote.error.number_region" and outside.value.params["regions"] == "CN (+86), HK (+852)"
    assert "CN (+86), HK (+852)" in translate(outside.value.code, "en", field="Mobile number", **outside.value.params)
    monkeypatch.setenv("VOTE_PHONE_REGIONS", "CN,Mars")  # a typo refuses every number rather than guess
    with pytest.raises(DomainError) as config:
        vote_codes.normalise_number("13800138000")
    assert config.value.code == "vote.error.regions_config"


def test_voter_key_is_the_hmac_and_no_number_is_stored(engine):
    expected = hmac.new(settings.secret_key().encode(), b"vote-v1|+8613800138000", hashlib.sha256).digest()
    assert vote_codes.voter_key("+8613800138000") == expected
    campaign_id, cases = make_campaign(engine)
    ticket = ballot(engine, campaign_id, phone="138 0013 8000", address="198.51.100.7")
    vote_ballot.cast_votes(engine, ticket=ticket, case_ids=cases[:1], client_address="198.51.100.7")
    with reading(engine) as s:
        vote = s.execute(select(Vote).where(Vote.campaign_id == campaign_id)).scalar_one()
        challenge = s.execute(select(VoteChallenge).where(VoteChallenge.campaign_id == campaign_id)).scalar_one()
        throttles = s.execute(select(VoteThrottle.key)).scalars().all()
    assert vote.voter_key == expected and challenge.voter_key == expected
    assert vote.ip_key == vote_codes.address_key("198.51.100.7") and len(vote.ip_key) == 16
    stored = repr((vote.model_dump(), challenge.model_dump(), throttles))
    assert "13800138000" not in stored and "198.51.100.7" not in stored and ticket not in stored
    assert vote.day == clock.today()


def test_code_wrong_then_locked_after_five_tries(engine):
    campaign_id, _ = make_campaign(engine)
    sent = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13900139000", client_address="a")
    wrong = "000000" if sent.demo_code != "000000" else "111111"
    for remaining in (4, 3, 2, 1):
        with pytest.raises(DomainError) as err:
            vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13900139000", code=wrong)
        assert err.value.code == "vote.error.code_wrong" and err.value.params["remaining"] == remaining
    with pytest.raises(DomainError) as fifth:
        vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13900139000", code=wrong)
    assert fifth.value.code == "vote.error.code_locked"
    with pytest.raises(DomainError) as right_too_late:  # the right code no longer helps
        vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13900139000", code=sent.demo_code)
    assert right_too_late.value.code == "vote.error.code_locked"


def test_code_expires_after_five_minutes_and_formats_are_checked(engine, monkeypatch):
    campaign_id, _ = make_campaign(engine)
    with pytest.raises(DomainError) as missing:
        vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13700137000", code="123456")
    assert missing.value.code == "vote.error.code_missing"
    sent = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13700137000", client_address="a")
    for bad in ("12345", "abcdef", "1234567", "12 34 56", ""):
        with pytest.raises(DomainError) as fmt:
            vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13700137000", code=bad)
        assert fmt.value.code == "vote.error.code_format"
    _shift(monkeypatch, timedelta(minutes=5, seconds=1))
    with pytest.raises(DomainError) as expired:
        vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13700137000", code=sent.demo_code)
    assert expired.value.code == "vote.error.code_expired"


def test_a_full_width_code_is_the_code_not_a_wrong_try(engine):
    campaign_id, _ = make_campaign(engine)
    sent = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13900139001", client_address="a")
    other_script = "".join(chr(0x0660 + int(d)) for d in sent.demo_code)  # Arabic-Indic digits: refused, uncounted
    with pytest.raises(DomainError) as refused:
        vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13900139001", code=other_script)
    assert refused.value.code == "vote.error.code_format"
    full_width = "".join(chr(0xFF10 + int(d)) for d in sent.demo_code)
    assert vote_codes.verify_code(engine, campaign_id=campaign_id, phone="１３９００１３９００１", code=full_width).ticket
    with reading(engine) as s:
        attempts = s.execute(select(VoteChallenge.attempts).where(VoteChallenge.campaign_id == campaign_id)).scalar_one()
    assert attempts == 1  # only the full-width try, and it was right


def test_a_new_code_replaces_the_old_and_a_used_code_cannot_be_reused(engine, monkeypatch):
    campaign_id, _ = make_campaign(engine)
    first = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136000", client_address="a")
    _shift(monkeypatch, timedelta(seconds=61))
    second = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136000", client_address="a")
    if first.demo_code != second.demo_code:
        with pytest.raises(DomainError):
            vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13600136000", code=first.demo_code)
    assert vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13600136000", code=second.demo_code).ticket
    with pytest.raises(DomainError) as reused:
        vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13600136000", code=second.demo_code)
    assert reused.value.code == "vote.error.code_missing"


def test_the_flow_token_enters_the_code_without_the_number_and_never_votes(engine):
    campaign_id, cases = make_campaign(engine)
    sent = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136001", client_address="a")
    assert len(sent.token) >= 40
    state = vote_codes.flow_state(engine, token=sent.token)
    assert (state.campaign_id, state.step, state.expires_at) == (campaign_id, "code", sent.expires_at)
    with pytest.raises(DomainError) as not_yet:  # before the code, the token is no ticket
        vote_ballot.cast_votes(engine, ticket=sent.token, case_ids=cases[:1], client_address="a")
    assert not_yet.value.code == "vote.error.session_expired"
    with pytest.raises(DomainError) as other_campaign:
        vote_codes.verify_code(engine, campaign_id=make_campaign(engine)[0], token=sent.token, code=sent.demo_code)
    assert other_campaign.value.code == "vote.error.code_missing"
    wrong = "000000" if sent.demo_code != "000000" else "111111"
    with pytest.raises(DomainError) as counted:
        vote_codes.verify_code(engine, campaign_id=campaign_id, token=sent.token, code=wrong)
    assert counted.value.code == "vote.error.code_wrong" and counted.value.params["remaining"] == 4
    verified = vote_codes.verify_code(engine, campaign_id=campaign_id, token=sent.token, code=sent.demo_code)
    assert verified.ticket != sent.token  # a fresh ticket; the token that entered the code is spent
    assert vote_codes.flow_state(engine, token=sent.token) is None
    with pytest.raises(DomainError) as spent:
        vote_codes.verify_code(engine, campaign_id=campaign_id, token=sent.token, code=sent.demo_code)
    assert spent.value.code == "vote.error.code_missing"
    assert vote_codes.flow_state(engine, token=verified.ticket).step == "ballot"
    outcomes = vote_ballot.cast_votes(engine, ticket=verified.ticket, case_ids=cases[:1], client_address="a")
    assert _results(outcomes) == ["counted"]
    with reading(engine) as s:
        stored = repr(s.execute(select(VoteChallenge).where(VoteChallenge.campaign_id == campaign_id)).scalar_one())
    assert sent.token not in stored and verified.ticket not in stored and "13600136001" not in stored


def test_a_flow_cannot_go_on_once_its_code_is_retired_expired_or_locked(engine, monkeypatch):
    campaign_id, _ = make_campaign(engine)
    first = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136002", client_address="a")
    _shift(monkeypatch, timedelta(seconds=61))
    second = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136002", client_address="a")
    assert vote_codes.flow_state(engine, token=first.token) is None  # a newer send retired it
    with pytest.raises(DomainError) as retired:
        vote_codes.verify_code(engine, campaign_id=campaign_id, token=first.token, code=first.demo_code)
    assert retired.value.code == "vote.error.code_missing"
    wrong = "000000" if second.demo_code != "000000" else "111111"
    for _ in range(vote_codes.MAX_ATTEMPTS):
        with pytest.raises(DomainError):
            vote_codes.verify_code(engine, campaign_id=campaign_id, token=second.token, code=wrong)
    assert vote_codes.flow_state(engine, token=second.token) is None  # locked
    assert vote_codes.flow_state(engine, token="") is None and vote_codes.flow_state(engine, token="x" * 43) is None
    _shift(monkeypatch, timedelta(seconds=122))
    third = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136002", client_address="a")
    _shift(monkeypatch, vote_codes.CODE_TTL + timedelta(seconds=122))
    assert vote_codes.flow_state(engine, token=third.token) is None  # expired
    fourth = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136002", client_address="a")
    ticket = vote_codes.verify_code(engine, campaign_id=campaign_id, token=fourth.token, code=fourth.demo_code).ticket
    _shift(monkeypatch, vote_codes.CODE_TTL + timedelta(seconds=122) + vote_codes.TICKET_TTL)
    assert vote_codes.flow_state(engine, token=ticket) is None  # the ballot's half hour is over


def test_codes_and_send_counts_are_deleted_a_day_on_and_when_voting_stops(engine, monkeypatch):
    campaign_id, _ = make_campaign(engine, opens_in=timedelta(days=-1), closes_in=timedelta(days=5))
    old = vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136003", client_address="a")
    vote_codes.verify_code(engine, campaign_id=campaign_id, token=old.token, code=old.demo_code)
    _shift(monkeypatch, vote_codes.KEEP_AFTER_END)
    vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136004", client_address="b")

    def stored():
        with reading(engine) as s:
            keys = set(s.execute(select(VoteChallenge.voter_key).where(VoteChallenge.campaign_id == campaign_id)).scalars())
            return keys, set(s.execute(select(VoteThrottle.key)).scalars())

    number = vote_codes.voter_key("+8613600136003")
    challenges, throttles = stored()
    assert number in challenges and number.hex() in throttles  # a day after the send: its ticket may still live
    _shift(monkeypatch, vote_codes.KEEP_AFTER_END + vote_codes.CODE_TTL + vote_codes.TICKET_TTL + timedelta(seconds=1))
    vote_codes.request_code(engine, campaign_id=campaign_id, phone="13600136005", client_address="c")
    challenges, throttles = stored()
    assert number not in challenges and number.hex() not in throttles
    assert vote_codes.voter_key("+8613600136005") in challenges
    admin = admin_actor(engine)
    voting.close_campaign(engine, actor=admin, campaign_id=campaign_id)  # voting stops: its codes go
    challenges, throttles = stored()
    assert not challenges and vote_codes.voter_key("+8613600136005").hex() in throttles  # the demo is still open
    for campaign in vote_public.public_campaigns(engine):
        if campaign.status == "open":
            voting.close_campaign(engine, actor=admin, campaign_id=campaign.id)
    assert stored()[1] == set()  # no campaign open: no send count is of use


def test_sending_is_throttled_per_number_and_per_address(engine, monkeypatch):
    campaign_id, _ = make_campaign(engine)
    # a fixed clock at the start of an hour, so the hour window cannot roll over mid-test
    start = clock.utcnow().replace(minute=0, second=1, microsecond=0)
    monkeypatch.setattr(clock, "utcnow", lambda: start)
    vote_codes.request_code(engine, campaign_id=campaign_id, phone="13500135000", client_address="a")
    with pytest.raises(DomainError) as again:
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13500135000", client_address="b")
    assert again.value.code == "vote.error.too_often" and 0 < again.value.params["seconds"] <= 60
    for index in range(9):  # the address allows ten a minute; one used above
        vote_codes.request_code(engine, campaign_id=campaign_id, phone=f"1350013{index:04d}", client_address="a")
    with pytest.raises(DomainError) as crowded:
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13400134000", client_address="a")
    assert crowded.value.code == "vote.error.too_often"
    vote_codes.request_code(engine, campaign_id=campaign_id, phone="13400134000", client_address="c")
    for _ in range(4):  # five sends an hour per number
        _shift(monkeypatch, timedelta(seconds=61))
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13300133000", client_address="d")
    _shift(monkeypatch, timedelta(seconds=61))
    vote_codes.request_code(engine, campaign_id=campaign_id, phone="13300133000", client_address="d")
    _shift(monkeypatch, timedelta(seconds=61))
    with pytest.raises(DomainError) as hourly:
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13300133000", client_address="d")
    assert hourly.value.code == "vote.error.too_often" and hourly.value.params["seconds"] > 60


def test_the_daily_send_limit_follows_the_district_day(engine, monkeypatch):
    campaign_id, _ = make_campaign(engine, opens_in=timedelta(days=-2), closes_in=timedelta(days=3))
    midnight = clock.local_day_start(clock.today())  # 00:00 Beijing = 16:00 UTC the day before
    sends = [midnight + timedelta(hours=13, minutes=30 + 2 * i) for i in range(5)]  # 13:30.. Beijing (05:30 UTC)
    sends += [midnight + timedelta(hours=14, minutes=30 + 2 * i) for i in range(5)]  # next hour: hourly limit is 5
    for index, moment in enumerate(sends):
        monkeypatch.setattr(clock, "utcnow", lambda moment=moment: moment)
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13200132000", client_address=f"day-{index}")
    late = midnight + timedelta(hours=23, minutes=30)  # 23:30 Beijing, 15:30 UTC
    monkeypatch.setattr(clock, "utcnow", lambda: late)
    with pytest.raises(DomainError) as eleventh:
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13200132000", client_address="late")
    # the wait runs to Beijing midnight (30 minutes), not to 08:00 Beijing (a UTC day's end)
    assert eleventh.value.code == "vote.error.too_often" and eleventh.value.params["seconds"] == 30 * 60
    after = midnight + timedelta(days=1, minutes=30)  # 00:30 Beijing: still the same UTC day (16:30)
    assert after.date() == late.date()
    monkeypatch.setattr(clock, "utcnow", lambda: after)
    assert vote_codes.request_code(engine, campaign_id=campaign_id, phone="13200132000", client_address="next")


def test_command_gets_the_number_and_code_on_stdin_never_in_argv(engine, monkeypatch, tmp_path):
    campaign_id, _ = make_campaign(engine)
    record = tmp_path / "record.json"
    recorder = ("import json, sys; json.dump({'argv': sys.argv, 'stdin': sys.stdin.read()}, "
                f"open({str(record)!r}, 'w'))")
    monkeypatch.setenv("VOTE_CODE_DELIVERY", "command")
    monkeypatch.setenv("VOTE_CODE_COMMAND", shlex.join([sys.executable, "-c", recorder, "--profile", "jinjiang"]))
    vote_codes.request_code(engine, campaign_id=campaign_id, phone="13800138009", client_address="a")
    seen = json.loads(record.read_text())
    number, code = seen["stdin"].splitlines()
    assert number == "+8613800138009" and re.fullmatch(r"\d{6}", code)
    assert seen["argv"][1:] == ["--profile", "jinjiang"]  # the fixed arguments only (argv[0] is "-c")
    assert not any("13800138009" in arg or code in arg for arg in seen["argv"])
    assert vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13800138009", code=code).ticket


def test_command_delivery_runs_the_program_without_a_shell(engine, monkeypatch, tmp_path):
    campaign_id, _ = make_campaign(engine)
    out = tmp_path / "sent.txt"
    script = tmp_path / "sms.py"
    script.write_text("import sys; open(sys.argv[1], 'w').write('|'.join(sys.stdin.read().split()))")
    monkeypatch.setenv("VOTE_CODE_DELIVERY", "command")
    monkeypatch.setenv("VOTE_CODE_COMMAND", f"{sys.executable} {script} {out}")
    sent = vote_codes.request_code(engine, campaign_id=campaign_id, phone="138 0013 8001", client_address="a")
    assert sent.delivery == "command" and sent.demo_code is None and sent.number == "+86 138****8001"
    number, code = out.read_text().split("|")
    assert number == "+8613800138001" and len(code) == 6 and code.isdigit()
    assert vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13800138001", code=code).ticket

    monkeypatch.setenv("VOTE_CODE_COMMAND", f"{sys.executable} -c 'raise SystemExit(3)'")
    with pytest.raises(DomainError) as failed:
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13800138002", client_address="a")
    assert failed.value.code == "vote.error.delivery_failed"
    with pytest.raises(DomainError) as dead:  # the undelivered code is void at once
        vote_codes.verify_code(engine, campaign_id=campaign_id, phone="13800138002", code="123456")
    assert dead.value.code == "vote.error.code_expired"
    monkeypatch.setenv("VOTE_CODE_DELIVERY", "carrier-pigeon")
    with pytest.raises(DomainError) as config:
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13800138003", client_address="a")
    assert config.value.code == "vote.error.delivery_config"


# --- the limits -------------------------------------------------------------------------------------

def test_per_case_and_daily_limits_are_the_databases(engine, monkeypatch):
    campaign_id, cases = make_campaign(engine, cases=5, per_voter_per_day=3)
    ticket = ballot(engine, campaign_id)
    assert _results(vote_ballot.cast_votes(engine, ticket=ticket, case_ids=[cases[0]], client_address="a")) == ["counted"]
    again = vote_ballot.cast_votes(engine, ticket=ticket, case_ids=[cases[0], cases[1]], client_address="a")
    assert _results(again) == ["already_voted", "counted"]
    rest = vote_ballot.cast_votes(engine, ticket=ticket, case_ids=[cases[2], cases[3], cases[4]], client_address="a")
    assert _results(rest) == ["counted", "quota_used", "quota_used"]
    state = vote_codes.ballot_state(engine, ticket=ticket)
    assert state.used_today == 3 and state.voted_today == frozenset(cases[:3])
    # tomorrow the quota is fresh (a new code: the ticket lasts 30 minutes)
    _shift(monkeypatch, timedelta(days=1))
    with pytest.raises(DomainError) as expired:
        vote_ballot.cast_votes(engine, ticket=ticket, case_ids=[cases[0]], client_address="a")
    assert expired.value.code == "vote.error.session_expired"
    tomorrow = ballot(engine, campaign_id)
    assert _results(vote_ballot.cast_votes(engine, ticket=tomorrow, case_ids=[cases[0]], client_address="a")) == ["counted"]
    with reading(engine) as s:
        rows = s.execute(select(Vote.day, func.count()).where(Vote.campaign_id == campaign_id)
                         .group_by(Vote.day).order_by(Vote.day)).all()
        quotas = s.execute(select(VoteQuota.used).where(VoteQuota.campaign_id == campaign_id)
                           .order_by(VoteQuota.day)).scalars().all()
    assert [n for _, n in rows] == [3, 1] and quotas == [3, 1]


def test_several_votes_per_case_per_day_when_the_rules_say_so(engine):
    campaign_id, cases = make_campaign(engine, per_voter_per_day=5, per_case_per_day=2)
    ticket = ballot(engine, campaign_id)
    results = [vote_ballot.cast_votes(engine, ticket=ticket, case_ids=[cases[0]], client_address="a")[0].result
               for _ in range(3)]
    assert results == ["counted", "counted", "already_voted"]
    assert vote_codes.ballot_state(engine, ticket=ticket).used_today == 2


def test_hostile_submissions(engine):
    campaign_id, cases = make_campaign(engine)
    other_id, other_cases = make_campaign(engine)
    ticket = ballot(engine, campaign_id)
    outcome = vote_ballot.cast_votes(engine, ticket=ticket, case_ids=[other_cases[0], "1", True, 10**12, cases[0]],
                                client_address=None)
    assert _results(outcome) == ["unknown_case", "unknown_case", "counted"]
    for bad in ("", "forged-ticket", None):
        with pytest.raises(DomainError) as err:
            vote_ballot.cast_votes(engine, ticket=bad, case_ids=cases, client_address="a")
        assert err.value.code == "vote.error.session_expired"
    with pytest.raises(DomainError) as nothing:
        vote_ballot.cast_votes(engine, ticket=ticket, case_ids=[], client_address="a")
    assert nothing.value.code == "vote.error.nothing_picked"


def test_the_window_is_checked_on_the_server(engine, monkeypatch):
    upcoming, cases = make_campaign(engine, opens_in=timedelta(hours=2))
    with pytest.raises(DomainError) as early:
        vote_codes.request_code(engine, campaign_id=upcoming, phone="13800138000", client_address="a")
    assert early.value.code == "vote.error.not_open"
    campaign_id, cases = make_campaign(engine, closes_in=timedelta(minutes=10))
    ticket = ballot(engine, campaign_id)
    _shift(monkeypatch, timedelta(minutes=10, seconds=1))  # past closes_at, status still "open", ticket alive
    with pytest.raises(DomainError) as late:
        vote_ballot.cast_votes(engine, ticket=ticket, case_ids=cases[:1], client_address="a")
    assert late.value.code == "vote.error.closed"


def test_closing_stops_votes_and_codes(engine):
    campaign_id, cases = make_campaign(engine)
    ticket, fresh = ballot(engine, campaign_id), ballot(engine, campaign_id, phone="13900139002")
    vote_ballot.cast_votes(engine, ticket=ticket, case_ids=cases[:1], client_address="a")  # this ticket is now known
    voting.close_campaign(engine, actor=admin_actor(engine), campaign_id=campaign_id)
    for used in (ticket, fresh):
        with pytest.raises(DomainError) as closed:
            vote_ballot.cast_votes(engine, ticket=used, case_ids=cases[1:2], client_address="a")
        assert closed.value.code == "vote.error.closed"
    with reading(engine) as s:
        assert s.execute(select(func.count()).where(Vote.campaign_id == campaign_id)).scalar_one() == 1
    with pytest.raises(DomainError):
        vote_codes.request_code(engine, campaign_id=campaign_id, phone="13900139001", client_address="a")


def test_rules_freeze_at_the_first_vote(engine):
    admin = admin_actor(engine)
    campaign_id, cases = make_campaign(engine)
    current = voting.get_campaign(engine, actor=admin, campaign_id=campaign_id)
    data = {k: getattr(current, k) for k in ("title", "year", "org_unit_id", *voting.RULE_FIELDS)}
    changed = voting.update_campaign(engine, actor=admin, campaign_id=campaign_id, data={**data, "per_voter_per_day": 4})
    assert changed.per_voter_per_day == 4 and changed.rules_frozen_at is None
    vote_ballot.cast_votes(engine, ticket=ballot(engine, campaign_id), case_ids=cases[:1], client_address="a")
    with pytest.raises(DomainError) as frozen:
        voting.update_campaign(engine, actor=admin, campaign_id=campaign_id,
                               data={**data, "per_voter_per_day": 9, "expert_weight": 60, "public_weight": 40})
    assert frozen.value.code == "vote.error.rules_frozen"
    renamed = voting.update_campaign(engine, actor=admin, campaign_id=campaign_id,
                                     data={**data, "per_voter_per_day": 4, "title": "改名后的评选活动"})
    assert renamed.title == "改名后的评选活动" and renamed.per_voter_per_day == 4 and renamed.rules_frozen_at


# --- administration ---------------------------------------------------------------------------------

def test_campaign_input_is_validated(engine):
    admin, now = admin_actor(engine), clock.utcnow()
    good = {"title": "二〇二六年评选", "year": 2026, "org_unit_id": district_id(engine), "opens_at": now,
            "closes_at": now + timedelta(days=5)}
    for change, code, field in (
            ({"expert_weight": 60, "public_weight": 30}, "vote.error.weights_sum", "public_weight"),
            ({"closes_at": now - timedelta(hours=1)}, "vote.error.window_order", "closes_at"),
            ({"per_case_per_day": 4, "per_voter_per_day": 3}, "vote.error.case_limit_above_daily", "per_case_per_day"),
            ({"per_voter_per_day": 0}, "rule.ge", "per_voter_per_day"),
            ({"title": "x"}, "rule.min_length", "title"),
            ({"notice_days": "many"}, "rule.integer", "notice_days")):
        with pytest.raises(DomainError) as err:
            voting.create_campaign(engine, actor=admin, data={**good, **change})
        assert (err.value.code, err.value.field) == (code, field)
    leader = users.actor_for(engine, "leader")
    with pytest.raises(PermissionDenied):
        voting.create_campaign(engine, actor=leader, data=good)
    users.create_user(engine, actor=admin, data={"username": "ly.admin", "display_name": "绿园管理员",
                                                 "password": "Passw0rd1", "role": "admin",
                                                 "scope_id": district_id(engine, "220106")})
    with pytest.raises(PermissionDenied):  # another district's admin
        voting.create_campaign(engine, actor=users.actor_for(engine, "ly.admin"), data=good)


def test_cases_change_only_in_draft_and_opening_needs_two(engine):
    admin = admin_actor(engine)
    campaign_id, cases = make_campaign(engine, cases=1, open_=False)
    with pytest.raises(DomainError) as few:
        voting.open_campaign(engine, actor=admin, campaign_id=campaign_id)
    assert few.value.code == "vote.error.too_few_cases"
    with pytest.raises(DomainError) as dup:
        voting.add_case(engine, actor=admin, campaign_id=campaign_id,
                        data={"title": " 案例0 ", "organization": "某某中心", "theme": "environment"})
    assert dup.value.code == "vote.error.case_title_taken"
    with pytest.raises(InvalidInput) as theme:
        voting.add_case(engine, actor=admin, campaign_id=campaign_id,
                        data={"title": "新案例", "organization": "某某中心", "theme": "体育"})
    assert theme.value.field == "theme"
    voting.add_case(engine, actor=admin, campaign_id=campaign_id,
                    data={"title": "新案例", "organization": "某某中心", "theme": "culture"})
    assert voting.open_campaign(engine, actor=admin, campaign_id=campaign_id).status == "open"
    with pytest.raises(DomainError) as locked:
        voting.remove_case(engine, actor=admin, case_id=cases[0])
    assert locked.value.code == "vote.error.cases_locked"
    with pytest.raises(DomainError):
        voting.open_campaign(engine, actor=admin, campaign_id=campaign_id)
    with reading(engine) as s:
        actions = s.execute(select(AuditLog.action).where(AuditLog.entity_id == str(campaign_id))).scalars().all()
    assert "vote_campaign_create" in actions and "vote_campaign_open" in actions


def test_live_tally_only_when_the_campaign_shows_it(engine):
    hidden, _ = make_campaign(engine)
    with pytest.raises(PermissionDenied):
        vote_public.public_tally(engine, hidden)
    shown, cases = make_campaign(engine, show_live_tally=True)
    vote_ballot.cast_votes(engine, ticket=ballot(engine, shown), case_ids=cases[:2], client_address="a")
    tally = vote_public.public_tally(engine, shown)
    assert dict(zip(tally["case_id"], tally["votes"])) == {cases[0]: 1, cases[1]: 1}


# --- review, voiding, ranking, publication ----------------------------------------------------------

def _seeded(engine):
    with reading(engine) as s:
        return s.execute(select(Campaign).where(Campaign.year == 2019)).scalar_one()


@pytest.mark.reads_only
def test_seeded_2019_campaign_matches_the_seed(engine):
    campaign = _seeded(engine)
    admin = admin_actor(engine)
    numbers = vote_review.summary(engine, actor=admin, campaign_id=campaign.id)
    assert numbers["valid"] > 90_000 and numbers["void"] == 1150
    cases = voting.admin_cases(engine, actor=admin, campaign_id=campaign.id)
    assert len(cases) == 30 and set(cases["theme"]) == {"education", "volunteering", "environment", "culture"}
    assert cases["expert_score"].notna().all()
    results = vote_public.public_results(engine, campaign.id)
    assert results["winner"].sum() == 10 and list(results["rank"]) == list(range(1, 31))
    assert campaign.status == "published" and campaign.notice_until == campaign.published_at.date() + timedelta(days=7)
    hours = vote_review.hourly(engine, actor=admin, campaign_id=campaign.id)
    night = hours[hours["hour"] < 6]["valid"].sum() / hours["valid"].sum()
    evening = hours[hours["hour"].between(19, 21)]["valid"].sum() / hours["valid"].sum()
    assert night < 0.05 and evening > 0.2  # a daily rhythm: a flat spread gives 25% and 12.5%
    assert hours["day"].nunique() == 15
    flags = vote_review.anomalies(engine, actor=admin, campaign_id=campaign.id)
    assert set(flags["kind"]) == {"burst", "address", "night"} and flags["title"].nunique() == 1
    burst = flags[flags["kind"] == "burst"].iloc[0]
    assert burst["title"] == "龙舟路「旧物改造工坊」" and burst["hour"] == 2 and burst["votes"] - burst["valid"] == 1150
    demo = [c for c in vote_public.public_campaigns(engine) if c.phase == "open"]
    assert len(demo) == 1 and demo[0].show_live_tally


def _review_of(engine, actor, campaign_id, *, live):
    return (vote_review.summary(engine, actor=actor, campaign_id=campaign_id, live=live),
            vote_review.hourly(engine, actor=actor, campaign_id=campaign_id, live=live),
            vote_review.anomalies(engine, actor=actor, campaign_id=campaign_id, live=live))


def _stored_is_live(engine, actor, campaign_id):
    """The review a closed campaign reads from its stored roll-up is the one its votes give, frame for frame."""
    with engine.connect() as conn:
        assert vote_rollups.stored(conn, campaign_id)
    stored, live = _review_of(engine, actor, campaign_id, live=False), _review_of(engine, actor, campaign_id, live=True)
    assert stored[0] == live[0]
    for frames in zip(stored[1:], live[1:]):
        pd.testing.assert_frame_equal(*frames)
    return stored


@pytest.mark.reads_only
def test_the_stored_review_of_the_seeded_campaign_is_the_live_one(engine):
    campaign, admin = _seeded(engine), admin_actor(engine)
    summary, hours, flags = _stored_is_live(engine, admin, campaign.id)
    assert summary["void"] == 1150 and len(flags) == 3 and hours["valid"].sum() == summary["valid"]
    case_id = int(flags["case_id"].iloc[0])
    pd.testing.assert_frame_equal(
        vote_review.hourly(engine, actor=admin, campaign_id=campaign.id, case_id=case_id),
        vote_review.hourly(engine, actor=admin, campaign_id=campaign.id, case_id=case_id, live=True))
    with engine.connect() as conn:
        published = dict(conn.execute(select(VoteCase.id, VoteCase.final_votes)
                                      .where(VoteCase.campaign_id == campaign.id)).all())
    ranking = vote_results.ranking(engine, actor=admin, campaign_id=campaign.id)
    assert dict(zip(ranking["case_id"], ranking["votes"])) == published


def test_void_rank_and_publish(engine):
    admin, leader = admin_actor(engine), users.actor_for(engine, "leader")
    campaign_id, cases = make_campaign(engine, cases=3, per_voter_per_day=3)
    for index in range(6):  # six voters from one address all pick case 0; two also pick case 1
        ticket = ballot(engine, campaign_id, phone=f"1390000{index:04d}", address="203.0.113.9")
        vote_ballot.cast_votes(engine, ticket=ticket, case_ids=cases[:2] if index < 2 else cases[:1],
                          client_address="203.0.113.9")
    vote_ballot.cast_votes(engine, ticket=ballot(engine, campaign_id, phone="13911110000", address="x"),
                      case_ids=[cases[2]], client_address="198.51.100.1")
    day, hour = vote_codes.local_day_hour(clock.utcnow())
    selection = {"case_id": cases[0], "kind": "address", "ip_key": vote_codes.address_key("203.0.113.9").hex(),
                 "reason": "同一地址集中投票"}
    with pytest.raises(DomainError) as still_open:
        vote_review.void_votes(engine, actor=admin, campaign_id=campaign_id, data=selection)
    assert still_open.value.code == "vote.error.void_needs_closed"
    voting.close_campaign(engine, actor=admin, campaign_id=campaign_id)
    before = _stored_is_live(engine, admin, campaign_id)  # stored by the closing
    assert before[0] == {"valid": 9, "void": 0, "voters": 7, "addresses": 2}
    with pytest.raises(PermissionDenied):
        vote_review.void_votes(engine, actor=leader, campaign_id=campaign_id, data=selection)
    with pytest.raises(InvalidInput) as short:
        vote_review.void_votes(engine, actor=admin, campaign_id=campaign_id, data={**selection, "reason": "x"})
    assert short.value.field == "reason"
    assert vote_review.void_votes(engine, actor=admin, campaign_id=campaign_id, data=selection) == 6
    with pytest.raises(DomainError) as twice:
        vote_review.void_votes(engine, actor=admin, campaign_id=campaign_id, data=selection)
    assert twice.value.code == "vote.error.void_nothing"
    assert vote_review.void_votes(engine, actor=admin, campaign_id=campaign_id, data={
        "case_id": cases[1], "kind": "burst", "day": day, "hour": hour, "reason": "核查后作废"}) == 2
    with reading(engine) as s:
        rows = s.execute(select(Vote.status, Vote.void_reason, func.count()).where(Vote.campaign_id == campaign_id)
                         .group_by(Vote.status, Vote.void_reason).order_by(Vote.status)).all()
        audited = s.execute(select(func.count()).select_from(AuditLog).where(AuditLog.action == "vote_void",
                                                                          AuditLog.entity_id == str(campaign_id))).scalar_one()
    assert sorted(rows) == [("valid", None, 1), ("void", "同一地址集中投票", 6), ("void", "核查后作废", 2)]
    after = _stored_is_live(engine, admin, campaign_id)  # both moved with the voids, in the same way
    assert after[0] == {"valid": 1, "void": 8, "voters": 7, "addresses": 2} and after[1]["valid"].sum() == 1
    assert audited == 2

    ranking = vote_results.ranking(engine, actor=leader, campaign_id=campaign_id)
    assert ranking.set_index("case_id")["votes"].to_dict() == {cases[0]: 0, cases[1]: 0, cases[2]: 1}
    with pytest.raises(DomainError) as unscored:
        vote_results.publish(engine, actor=admin, campaign_id=campaign_id)
    assert unscored.value.code == "vote.error.scores_missing" and unscored.value.params["missing"] == 3
    for case_id, score in zip(cases, (90, 80, 70)):
        voting.set_expert_score(engine, actor=admin, case_id=case_id, score=score)
    ranking = vote_results.ranking(engine, actor=admin, campaign_id=campaign_id).set_index("case_id")
    # 90×0.7 + 0 = 63; 80×0.7 = 56; 70×0.7 + 1/1×100×0.3 = 79
    assert ranking.loc[cases[2], "combined"] == 79.0 and ranking.loc[cases[2], "rank"] == 1
    assert ranking.loc[cases[0], "combined"] == 63.0 and ranking.loc[cases[0], "public_index"] == 0
    assert set(vote_results.RANKING_COLUMNS) <= set(ranking.reset_index().columns)
    with pytest.raises(PermissionDenied):
        vote_results.publish(engine, actor=leader, campaign_id=campaign_id)
    vote_results.publish(engine, actor=admin, campaign_id=campaign_id)
    published = voting.get_campaign(engine, actor=admin, campaign_id=campaign_id)
    assert published.status == "published" and published.notice_until == clock.today() + timedelta(days=7)
    results = vote_public.public_results(engine, campaign_id)
    assert list(results["title"]) == ["案例2", "案例0", "案例1"] and results["winner"].all()
    with pytest.raises(DomainError):
        voting.set_expert_score(engine, actor=admin, case_id=cases[0], score=99)
    with reading(engine) as s:
        assert s.execute(select(func.count()).select_from(Vote).where(Vote.campaign_id == campaign_id)).scalar_one() == 9
        assert s.execute(select(VoteCase.final_rank).where(VoteCase.id == cases[2])).scalar_one() == 1


@pytest.mark.reads_only
def test_results_workbook_frames(engine):
    campaign = _seeded(engine)
    frames = vote_results.result_frames(engine, actor=users.actor_for(engine, "leader"), campaign_id=campaign.id)
    assert len(frames["ranking"]) == 30 and frames["daily"]["valid"].sum() > 90_000
    assert frames["voided"]["votes"].sum() == 1150 and len(frames["anomalies"]) == 3
    with pytest.raises(PermissionDenied):
        vote_results.result_frames(engine, actor=users.actor_for(engine, "street"), campaign_id=campaign.id)


def test_a_pick_beyond_the_id_range_is_refused_as_an_expired_session_not_a_database_error(refusing_engine):
    """A ballot without a valid ticket whose first pick is past INTEGER's range (found by the hostile-input test on
    PostgreSQL, which refused the campaign lookup with 'integer out of range'): the voter is told to verify again."""
    for picks in ([2**31], [2**31, 2**40], [-1]):
        with pytest.raises(DomainError) as err:
            vote_ballot.cast_votes(refusing_engine, ticket="no-such-ticket", case_ids=picks, client_address=None)
        assert err.value.code == "vote.error.session_expired"
