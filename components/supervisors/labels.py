"""What the pool's two pages say alike: specialty names, and supervisors as rows to show (agency, specialties)."""

from __future__ import annotations

import pandas as pd

from components.i18n import t
from db.supervisors import rules


def specialties() -> dict[str, str]:
    """Specialty code -> its name in the user's language."""
    return {code: t(f"sup.specialty.{code}") for code in rules.SPECIALTIES}


def people(frame: pd.DataFrame) -> pd.DataFrame:
    """Pool rows (db.supervisors.pool.pool) with the agency as shown (the register's name where linked) and the
    specialties named."""
    names = specialties()
    return frame.assign(
        agency_shown=[org if isinstance(org, str) else (typed or "")
                      for typed, org in zip(frame["agency"], frame["agency_org_name"])],
        specialty_labels=["、".join(names[c] for c in s.split(",") if c in names) for s in frame["specialties"]])
