"""The rights, enforced by a PostgreSQL server: the statements `kpi access init` runs.

Everything lives in the schema of kpi's tables (a second kpi in another schema of the same
database has its own), except the group role, which the server keeps for all its databases: its
name holds the database's (and a schema's other than ``public``).

- **The group role** (``kpi_users`` by default): each person logs in as their own role, and a
  right granted makes the role a member (``kpi_membership``, a ``SECURITY DEFINER`` trigger owned
  by the database owner, the only thing that runs with the owner's rights). Members may connect,
  read every table, insert into the append-only ones, and insert and update a plan's tables.
- **Row-level security** on every table: anyone reads; a record (``updates``) is inserted only
  by staff of an office that may record its item, under their own name (``os_user`` =
  ``current_user``); a void by a supervisor or an admin of its plan, or by staff of its item's
  office; an undo only of one's own record; a plan's tables, its versions and grants only by an
  admin of that plan (of every plan, for a grant on every plan). The rules are the SQL twins of
  ``kpi.core.rights``, as SQL functions with a fixed ``search_path`` reading ``kpi_rights`` (the
  rights in force: the grant events folded, as ``rights.effective`` folds them).
- **Append-only**: ``updates``, ``voids``, ``plan_versions`` and ``grant_events`` are never
  updated, deleted or truncated — no such privilege is granted, and a trigger refuses it to
  everyone but the table's owner (``kpi db upgrade`` and the owner's tools). Their times are the
  server's (``kpi_stamp``): a record's ``recorded_at`` cannot be written as another day.

Running it again brings everything up to date (after ``kpi db upgrade``, say): each function is
replaced, each policy and trigger dropped and made anew, in one transaction.
"""

from __future__ import annotations

APPEND_ONLY = {  # each append-only table and the column with the time its row was written
    "updates": "recorded_at",
    "voids": "voided_at",
    "plan_versions": "loaded_at",
    "grant_events": "at",
}
PLAN_TABLES = {  # a plan's own tables, loaded by `kpi load`, and the column naming the plan
    "plans": "id",
    "areas": "plan_id",
    "sections": "plan_id",
    "items": "plan_id",
    "milestones": "plan_id",
}
TABLES = (*PLAN_TABLES, *APPEND_ONLY)  # every table of kpi, in the order they are counted


def ident(name: str) -> str:
    """``name`` quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _rights_view(s: str) -> str:
    return f"""CREATE OR REPLACE VIEW {s}.kpi_rights AS
SELECT g.role, g.level, g.office, g.plan_id, g."by", g.at, g.id FROM {s}.grant_events g
WHERE g.action = 'grant' AND NOT EXISTS (
  SELECT 1 FROM {s}.grant_events l WHERE l.id > g.id AND l.role = g.role AND l.level = g.level
  AND l.office IS NOT DISTINCT FROM g.office AND l.plan_id IS NOT DISTINCT FROM g.plan_id)"""


def _functions(s: str, group: str) -> list[str]:
    path = f"SET search_path = {s}, pg_temp"
    sql = f"LANGUAGE sql STABLE {path} AS $$"
    return [
        f"CREATE OR REPLACE FUNCTION {s}.kpi_group() RETURNS text LANGUAGE sql IMMUTABLE {path} "
        f"AS $$ SELECT {literal(group)}::text $$",
        # The account acts as p_level (or a level including it) on the plan.
        f"""CREATE OR REPLACE FUNCTION {s}.kpi_has(p_level text, p_plan text) RETURNS boolean
{sql} SELECT EXISTS (SELECT 1 FROM {s}.kpi_rights r WHERE r.role = current_user
  AND (r.plan_id IS NULL OR r.plan_id = p_plan)
  AND (r.level = p_level OR (r.level = 'admin' AND p_level IN ('supervisor', 'reader'))
       OR (r.level IN ('supervisor', 'staff') AND p_level = 'reader'))) $$""",
        # rights.may_record: staff of the item's lead office, or of another office of it if the
        # plan lets them; the code is the item's own or one of its milestones.
        f"""CREATE OR REPLACE FUNCTION {s}.kpi_may_record(p_plan text, p_item text, p_code text)
RETURNS boolean {sql} SELECT EXISTS (
  SELECT 1 FROM {s}.kpi_rights r JOIN {s}.items i ON i.plan_id = p_plan AND i.code = p_item
  JOIN {s}.plans p ON p.id = p_plan
  WHERE r.role = current_user AND r.level = 'staff' AND (r.plan_id IS NULL OR r.plan_id = p_plan)
  AND (r.office = i.lead_office OR (
    COALESCE(CAST(CAST(p.rules AS jsonb) ->> 'other_offices_record' AS boolean), false)
    AND r.office IN (SELECT jsonb_array_elements_text(CAST(i.other_offices AS jsonb)))))
  AND (p_code = p_item OR EXISTS (SELECT 1 FROM {s}.milestones m
    WHERE m.plan_id = p_plan AND m.code = p_code AND m.item_code = p_item))) $$""",
        # rights.may_void: a supervisor or admin of the plan, or staff who may record the item.
        f"""CREATE OR REPLACE FUNCTION {s}.kpi_may_void(p_update bigint) RETURNS boolean
{sql} SELECT EXISTS (SELECT 1 FROM {s}.updates u WHERE u.id = p_update
  AND ({s}.kpi_has('supervisor', u.plan_id)
       OR {s}.kpi_may_record(u.plan_id, u.item_code, u.code))) $$""",
        # An undo: one's own record, of an item one may still record.
        f"""CREATE OR REPLACE FUNCTION {s}.kpi_may_undo(p_update bigint) RETURNS boolean
{sql} SELECT EXISTS (SELECT 1 FROM {s}.updates u WHERE u.id = p_update
  AND u.os_user = current_user AND {s}.kpi_may_record(u.plan_id, u.item_code, u.code)) $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.kpi_append_only() RETURNS trigger LANGUAGE plpgsql
{path} AS $$ BEGIN
  IF current_user IS DISTINCT FROM (SELECT t.tableowner FROM pg_catalog.pg_tables t
      WHERE t.schemaname = TG_TABLE_SCHEMA AND t.tablename = TG_TABLE_NAME) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = 'kpi: ' || TG_TABLE_NAME || ' is append-only, rows are never changed or deleted';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.kpi_stamp() RETURNS trigger LANGUAGE plpgsql
{path} AS $$ BEGIN
  IF current_user IS DISTINCT FROM (SELECT t.tableowner FROM pg_catalog.pg_tables t
      WHERE t.schemaname = TG_TABLE_SCHEMA AND t.tablename = TG_TABLE_NAME) THEN
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], now()));
  END IF;
  RETURN NEW;
END $$""",
        # The one function that runs with the owner's rights: membership follows the grants.
        f"""CREATE OR REPLACE FUNCTION {s}.kpi_membership() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER {path} AS $$ BEGIN
  IF NEW.action = 'grant' THEN
    EXECUTE 'GRANT ' || quote_ident({s}.kpi_group()) || ' TO ' || quote_ident(NEW.role);
  ELSIF NOT EXISTS (SELECT 1 FROM {s}.kpi_rights r WHERE r.role = NEW.role) THEN
    EXECUTE 'REVOKE ' || quote_ident({s}.kpi_group()) || ' FROM ' || quote_ident(NEW.role);
  END IF;
  RETURN NULL;
END $$""",
        f"REVOKE ALL ON FUNCTION {s}.kpi_membership() FROM PUBLIC",
    ]


def _policy(s: str, table: str, name: str, rule: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {name} ON {s}.{table}",
        f"CREATE POLICY {name} ON {s}.{table} {rule}",
    ]


def _policies(s: str) -> list[str]:
    out: list[str] = []
    admin = f"{s}.kpi_has('admin', {{key}})"
    for table, key in PLAN_TABLES.items():
        check = admin.format(key=key)
        out += _policy(s, table, "kpi_load", f"FOR INSERT WITH CHECK ({check})")
        out += _policy(s, table, "kpi_change", f"FOR UPDATE USING ({check}) WITH CHECK ({check})")
    out += _policy(
        s,
        "updates",
        "kpi_record",
        "FOR INSERT WITH CHECK (os_user = current_user "
        f"AND {s}.kpi_may_record(plan_id, item_code, code))",
    )
    out += _policy(
        s,
        "voids",
        "kpi_void",
        f"FOR INSERT WITH CHECK (os_user = current_user AND ((kind = 'void' AND "
        f"{s}.kpi_may_void(update_id)) OR (kind = 'undo' AND {s}.kpi_may_undo(update_id))))",
    )
    out += _policy(
        s,
        "plan_versions",
        "kpi_load",
        f"""FOR INSERT WITH CHECK ("by" = current_user AND {admin.format(key="plan_id")})""",
    )
    out += _policy(
        s,
        "grant_events",
        "kpi_grant",
        f"""FOR INSERT WITH CHECK ("by" = current_user AND action IN ('grant', 'revoke')
  AND level IN ('staff', 'supervisor', 'admin', 'reader') AND (level = 'staff') = (office IS NOT NULL)
  AND role <> {s}.kpi_group() AND {admin.format(key="plan_id")})""",
    )
    return out


def setup(schema: str, group: str, database: str, tables: tuple[str, ...]) -> list[str]:
    """Every statement of the set-up, in order; ``tables`` are kpi's tables."""
    s, g = ident(schema), ident(group)
    every = ", ".join(f"{s}.{ident(name)}" for name in tables)
    appended = ", ".join(f"{s}.{name}" for name in APPEND_ONLY)
    parts = ", ".join(f"{s}.{name}" for name in PLAN_TABLES)
    out = [
        _rights_view(s),
        *_functions(s, group),
        f"GRANT CONNECT ON DATABASE {ident(database)} TO {g}",
        f"GRANT USAGE ON SCHEMA {s} TO {g}",
        f"REVOKE ALL ON {every}, {s}.alembic_version, {s}.kpi_rights FROM PUBLIC, {g}",
        f"GRANT SELECT ON {every}, {s}.alembic_version, {s}.kpi_rights TO {g}",
        f"GRANT INSERT ON {appended} TO {g}",
        f"GRANT INSERT, UPDATE ON {parts} TO {g}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {g}",
    ]
    for name in tables:
        out.append(f"ALTER TABLE {s}.{ident(name)} ENABLE ROW LEVEL SECURITY")
        out += _policy(s, name, "kpi_read", "FOR SELECT USING (true)")
    out += _policies(s)
    for name, column in APPEND_ONLY.items():
        for trigger, when in (
            ("kpi_append_only", "BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW"),
            ("kpi_no_truncate", "BEFORE TRUNCATE ON {t} FOR EACH STATEMENT"),
        ):
            out.append(f"DROP TRIGGER IF EXISTS {trigger} ON {s}.{name}")
            out.append(
                f"CREATE TRIGGER {trigger} {when.format(t=f'{s}.{name}')} "
                f"EXECUTE FUNCTION {s}.kpi_append_only()"
            )
        out.append(f"DROP TRIGGER IF EXISTS kpi_stamp ON {s}.{name}")
        out.append(
            f"CREATE TRIGGER kpi_stamp BEFORE INSERT ON {s}.{name} FOR EACH ROW "
            f"EXECUTE FUNCTION {s}.kpi_stamp({literal(column)})"
        )
    out.append(f"DROP TRIGGER IF EXISTS kpi_membership ON {s}.grant_events")
    out.append(
        f"CREATE TRIGGER kpi_membership AFTER INSERT ON {s}.grant_events FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.kpi_membership()"
    )
    return out
