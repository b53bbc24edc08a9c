"""Table models, one module per area in this package; importing it registers every table on
SQLModel.metadata (each module is imported, so a new area needs no edit here)."""

import importlib
import pkgutil

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    importlib.import_module(f"{__name__}.{_info.name}")

from db.models.org_units import GridStaff, OrgUnit, UnitMove  # noqa: E402,F401
from db.models.users import AppUser, AuditLog, SeedMark  # noqa: E402,F401
