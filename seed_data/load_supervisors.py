"""Loads the supervisor pool demo (seed_data/supervisors.py) into 锦江区: the pool in bulk, then its year of
draws through the draws' own code (db.supervisors.draws), on the days and with the seeds the demo fixes, so
every demo draw reproduces from its row like a real one."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlmodel import Session

from db import clock
from db.access import Actor
from db.models import AppUser, OrgUnit
from db.models.pipeline import SocialOrg
from db.models.supervisors import Supervisor, SupervisorSpecialty, SupervisorTie
from db.supervisors import draws
from seed_data import supervisors as generator


def load_supervisors(session: Session) -> None:
    now, today = clock.utcnow(), clock.today()
    district = session.execute(select(OrgUnit).where(OrgUnit.code == generator.DISTRICT)).scalar_one()
    orgs = list(session.execute(select(SocialOrg.id).where(SocialOrg.district_id == district.id,
                                                           SocialOrg.active == True)  # noqa: E712
                                .order_by(SocialOrg.id)).scalars())
    demo = generator.build(today, len(orgs))
    accounts = dict(session.execute(select(AppUser.username, AppUser.id)).all())
    rows = [{"code": f"{district.code}-{number:04d}", "name": s["name"], "kind": s["kind"],
             "district_id": district.id, "agency": s["agency"] if s["org"] is None else None,
             "agency_org_id": None if s["org"] is None else orgs[s["org"]], "qualification": s["qualification"],
             "qualified_until": s["qualified_until"], "user_id": accounts.get(s["username"]) if s["username"] else None,
             "active": s["active"], "note": None, "created_at": now, "updated_at": now}
            for number, s in enumerate(demo.supervisors, start=1)]
    session.execute(insert(Supervisor), rows)
    ids = list(session.execute(select(Supervisor.id).where(Supervisor.district_id == district.id)
                               .order_by(Supervisor.code)).scalars())
    session.execute(insert(SupervisorSpecialty), [{"supervisor_id": ids[i], "code": code}
                                                  for i, s in enumerate(demo.supervisors) for code in s["specialties"]])
    session.execute(insert(SupervisorTie), [{"supervisor_id": ids[t["supervisor"]], "org_id": orgs[t["org"]],
                                             "kind": t["kind"], "ended_on": t["ended_on"], "note": t["note"],
                                             "recorded_at": now, "recorded_by": "admin"} for t in demo.ties])
    session.flush()
    user, scope = session.execute(select(AppUser, OrgUnit).join(OrgUnit, OrgUnit.id == AppUser.scope_id)
                                  .where(AppUser.username == "admin")).one()
    admin = Actor(user.id, user.username, user.display_name, user.role, scope.id, scope.level, scope.name)
    made = []
    for spec in demo.draws:
        payload = draws.DrawInput(purpose=spec["purpose"], org_id=orgs[spec["org"]], year=spec["year"],
                                  reference=spec["reference"], size=spec["size"])
        subject = draws._Subject(session, admin, payload)
        made.append(draws._draw(session, admin, payload, subject, replaces=None, reason=None, set_aside=frozenset(),
                                day=spec["day"], seed=spec["seed"]))
    # the latest inspection was drawn again: its first panel stays on record, superseded
    last = next(row for row in reversed(made) if row.purpose == "inspection")
    payload = draws.DrawInput(purpose=last.purpose, org_id=last.org_id, year=last.year, size=last.size,
                              specialties=last.specialties.split(","))
    last.status = "superseded"
    session.flush()
    first_member = draws._members(session, last.id)[0]
    draws._draw(session, admin, payload, draws._Subject(session, admin, payload), replaces=last,
                reason=generator.REDRAW_REASON, set_aside=frozenset({first_member}), day=last.drawn_on,
                seed=generator.SEED + last.id)
