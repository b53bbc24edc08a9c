"""The daily digest outside the app: off by default; each user's own contact; one digest per user and day; sent
through a local fake SMS command (the vote codes' hook) and a local SMTP stub; a failure is kept, logged and sent
by the next run; a sent digest is never sent again."""

import socketserver
import sys
import threading

import pytest
from sqlalchemy import select

from components.reminders import digest as digest_cli
from db import clock, users
from db.engine import reading
from db.errors import DomainError
from db.models import AppUser
from db.models.reminders import Notification, NotificationDigest
from db.reminders import daily, delivery

FAKE_SMS = """import sys, pathlib
out = pathlib.Path(sys.argv[1])
if pathlib.Path(sys.argv[1] + ".fail").exists():
    sys.exit(3)
out.write_text(out.read_text() + sys.stdin.read() if out.exists() else sys.stdin.read())
"""


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib.send_message: every command accepted, each message's data kept."""

    def handle(self):
        self.wfile.write(b"220 stub\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                self.server.messages.append(body.decode())
                self.wfile.write(b"250 kept\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def test_digests_go_out_once_a_day_and_a_failure_is_retried(engine, tmp_path, monkeypatch, caplog):
    admin = users.actor_for(engine, "admin")
    daily.make(engine)
    with reading(engine) as s:
        waiting = s.execute(select(AppUser.username).join(Notification, Notification.user_id == AppUser.id).where(
            Notification.read_at.is_(None)).distinct()).scalars().all()
    assert "admin" in waiting and len(waiting) >= 2, "the demo's first day leaves people something unread"
    other = users.actor_for(engine, next(name for name in sorted(waiting) if name != "admin"))
    for data, code in (({"channel": "email", "address": "not an address"}, "notice.error.email"),
                       ({"channel": "sms", "address": "12345"}, "vote.error.number_invalid"),
                       ({"channel": "fax", "address": "1"}, "rule.choice")):
        with pytest.raises(DomainError) as err:
            delivery.set_contact(engine, actor=admin, data=data)
        assert err.value.code == code
    delivery.set_contact(engine, actor=admin, data={"channel": "sms", "address": "138 0013 8000"})
    assert delivery.contact(engine, actor=admin) == ("sms", "+8613800138000")
    delivery.set_contact(engine, actor=other, data={"channel": "email", "address": "street@jinjiang.gov.cn"})

    # off by default: nothing made, nothing sent
    monkeypatch.delenv("APP_DIGEST_DELIVERY", raising=False)
    assert digest_cli.main([]) == 0
    with reading(engine) as s:
        assert s.execute(select(NotificationDigest)).first() is None

    script, out = tmp_path / "sms.py", tmp_path / "sent.txt"
    script.write_text(FAKE_SMS)
    monkeypatch.setenv("APP_DIGEST_DELIVERY", "command")
    monkeypatch.setenv("VOTE_CODE_COMMAND", f"{sys.executable} {script} {out}")  # the vote codes' own hook
    (tmp_path / "sent.txt.fail").write_text("")
    today = clock.today()
    made = delivery.make_digests(engine, today=today)
    assert made >= 1
    assert delivery.send_digests(engine, text=digest_cli.text) == {"sent": 0, "failed": 1}  # the sms one only
    assert "delivery failed (attempt 1 of 5): CalledProcessError (3)" in caplog.text
    assert "+8613800138000" not in caplog.text
    with reading(engine) as s:
        row = s.execute(select(NotificationDigest).where(NotificationDigest.user_id == admin.user_id)).scalar_one()
    assert (row.state, row.attempts, row.last_error) == ("failed", 1, "CalledProcessError (3)")

    (tmp_path / "sent.txt.fail").unlink()
    assert delivery.make_digests(engine, today=today) == 0  # once a day
    assert delivery.send_digests(engine, text=digest_cli.text) == {"sent": 1, "failed": 0}  # the retry
    number, first_line = out.read_text().splitlines()[:2]
    assert number == "+8613800138000" and first_line.startswith("您有") and "未读提醒" in first_line
    assert delivery.send_digests(engine, text=digest_cli.text) == {"sent": 0, "failed": 0}  # never twice

    # the e-mail one through SMTP
    server = socketserver.TCPServer(("127.0.0.1", 0), _Smtp)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("APP_DIGEST_DELIVERY", "smtp")
        monkeypatch.setenv("APP_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("APP_SMTP_PORT", str(server.server_address[1]))
        monkeypatch.setenv("APP_SMTP_FROM", "cpme@jinjiang.gov.cn")
        assert delivery.send_digests(engine, text=digest_cli.text) == {"sent": 1, "failed": 0}
    finally:
        server.shutdown()
        server.server_close()
    assert len(server.messages) == 1 and "To: street@jinjiang.gov.cn" in server.messages[0]
    with reading(engine) as s:
        states = s.execute(select(NotificationDigest.state)).scalars().all()
    assert states and set(states) == {"sent"}
