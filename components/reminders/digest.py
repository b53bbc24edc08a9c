"""`python -m components.reminders.digest`: after `python -m db.reminders`, make today's digests of unread
notifications and send those not yet sent (db.reminders.delivery; off unless APP_DIGEST_DELIVERY is set). It lives
here, not in db, because the digest is worded in the install's language from components/texts; it uses no Streamlit."""

from __future__ import annotations

import logging
import sys

from components.texts import translate
from db import clock, settings
from db.engine import make_engine
from db.reminders import delivery


def text(digest: delivery.Digest, lang: str | None = None) -> tuple[str, str]:
    """(subject, body): the unread count, each kind's count, and where to read them; no detail of any item."""
    lang = lang or settings.default_language()
    lines = [translate("notice.digest.body", lang, n=digest.unread)]
    lines += [translate("notice.digest.line", lang, kind=translate(f"notice.digest.kind.{kind}", lang), n=n)
              for kind, n in sorted(digest.kinds.items())]
    public = settings.public_url()
    lines.append(translate("notice.digest.where", lang, url=f"{public.rstrip('/')}/inbox" if public else "/inbox"))
    return translate("notice.digest.subject", lang, n=digest.unread), "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    engine = make_engine()
    today = clock.today()
    made = delivery.make_digests(engine, today=today) if delivery.mode() != "off" else 0
    done = delivery.send_digests(engine, text=text)
    print(f"digests {today.isoformat()}: {made} made, {done['sent']} sent, {done['failed']} failed "
          f"(delivery {delivery.mode()})")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
