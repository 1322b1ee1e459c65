"""What a PostgreSQL server says when its rights refuse a step (insufficient privilege, a
row-level security policy, an append-only table), as one line naming kpi's rule
(``kpi.store.access_sql`` sets the rights up; ``kpi.core.rights`` states them)."""

from __future__ import annotations

import re

from kpi.core.rights import Refused
from kpi.locale import t
from kpi.store import access_sql

_TABLE = re.compile(r'(?:for table|policy for table|kpi:) "?([a-z_]+)"?')
_SERVER_RULES = {
    "updates": "rights.server_record",
    "voids": "rights.server_void",
    "grant_events": "rights.server_grant",
    "plan_versions": "rights.server_load",
    **{name: "rights.server_load" for name in access_sql.PLAN_TABLES},
}


def server_refusal(problem: str) -> Refused:
    """What the server said when it refused (insufficient privilege, a row-level security policy,
    an append-only table) as one line naming the rule."""
    found = _TABLE.search(problem)
    table = found[1] if found else ""
    if table == "alembic_version" or "schema" in problem or "for database" in problem:
        return Refused(t("rights.server_not_member"))
    if "append-only" in problem:
        return Refused(t("rights.server_append_only", table=table))
    if table in _SERVER_RULES:
        return Refused(t(_SERVER_RULES[table]))
    return Refused(t("rights.server_denied", problem=problem))
