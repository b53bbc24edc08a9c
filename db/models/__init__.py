"""Table models, one module per area; importing this registers every table on SQLModel.metadata."""

from db.models.org import GridStaff, OrgUnit  # noqa: F401
from db.models.users import AppUser, AuditLog, SeedMark  # noqa: F401
