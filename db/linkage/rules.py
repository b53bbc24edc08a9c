"""五社联动's rules as data. Pure: no database.

The five parties are the community's own committee (社区居委) and four others: community social organizations (the
register's incubated ones), social work (a station or a social worker), community enterprises, and a community fund.
A community is counted "in the linkage" when at least MIN_PARTIES of the four others are present in it; a street
(镇街) is in it when one of its communities is. The register places organizations by street, so an incubated
organization of a community's street counts as present in the community."""

from __future__ import annotations

from datetime import date

PARTIES = ("social_org", "social_work", "enterprise", "fund")
MIN_PARTIES = 2
# 未持证, 助理社会工作师, 社会工作师, 高级社会工作师 (labels lk.qual.<code>)
QUALIFICATIONS = ("none", "assistant", "social_worker", "senior")
# 资金, 物资, 场地, 志愿服务, 就业岗位 (labels lk.contrib.<code>)
CONTRIBUTION_KINDS = ("money", "goods", "venue", "service", "jobs")
# who held an activity: 社区居委, 社会组织, 社工站, 社区企业, 社区基金 (labels lk.party.<code>)
ORGANIZERS = ("committee", "social_org", "social_work", "enterprise", "fund")
UNIT_LEVELS = ("community", "street")
KINDS = ("station", "worker", "enterprise")  # the registries with an active flag

NAME_LENGTH = (2, 60)
WORKER_NAME_LENGTH = (2, 30)
ENTERPRISE_NAME_LENGTH = (2, 80)
OPERATOR_LENGTH = (2, 100)
CONTRIBUTION_LENGTH = (2, 200)
TITLE_LENGTH = (2, 80)
MAX_COUNT = 100_000  # participants, people served, problems solved in one activity


def in_linkage(parties: set[str]) -> bool:
    """A community is in the linkage when at least MIN_PARTIES of the four other parties are present."""
    return len(parties & set(PARTIES)) >= MIN_PARTIES


def period(year: int | None, today: date) -> tuple[date | None, date]:
    """The days a year's figures cover: flows (money, activities) within [start, end]; registries (stations,
    workers, enterprises, organizations) as they stood at `end`. No year: everything up to today."""
    if year is None:
        return None, today
    return date(year, 1, 1), min(date(year, 12, 31), today)
