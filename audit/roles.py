"""The application's database role: it reads and writes the portal's tables and cannot rewrite or
skip the audit trail.

Production runs two PostgreSQL roles (docker-compose.yml creates both): the owner, which runs
`migrate` and owns every table, and the application role (`DATABASE_APP_ROLE`), which the web
processes, workers and beat connect as. The application role is neither a superuser nor a table
owner, so PostgreSQL itself refuses it what would bypass the triggers:

- `ALTER TABLE ... DISABLE TRIGGER` and `DROP TRIGGER` need ownership;
- `SET session_replication_role = replica` (which silences every trigger) needs a superuser;
- `TRUNCATE` fires no row triggers, and the role is not granted it on any table;
- the audit event tables grant it `SELECT` and `INSERT` only (the triggers insert as the writing
  role), so an event cannot be updated or deleted even where the append-only trigger is skipped;
- `SET pgtrigger.ignore` is honoured only for the owner (`audit.fast_ignore`);
- it cannot create objects in the schema, so it cannot shadow the trigger functions.

`grant_app_role` runs after every `migrate` when `DATABASE_APP_ROLE` is set (tables added by a later
migration are granted the same way), and is safe to run again.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from accounts.models import SecurityEvent

#: Other tables that are only ever added to (security events: accounts.SecurityEvent).
APPEND_ONLY_TABLES = [SecurityEvent._meta.db_table]


def event_tables() -> list[str]:
    """The append-only tables of the audit trail: one per tracked model."""
    return sorted(
        model._meta.db_table
        for model in apps.get_app_config("audit").get_models()
        if getattr(model, "pgh_tracked_model", None) is not None
    )


def grant_app_role(role: str, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Give `role` what the application needs and nothing that rewrites the audit trail. Returns
    False (and does nothing) on a database other than PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    quote = connection.ops.quote_name
    name = quote(role)
    statements = [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA public FROM {name}",
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
    ]
    statements += [
        f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {name}"
        for table in [*event_tables(), *APPEND_ONLY_TABLES]
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise ValueError(f"DATABASE_APP_ROLE names a role that does not exist: {role}")
        if found[0]:
            raise ValueError(f"DATABASE_APP_ROLE must not be a superuser: {role}")
        for statement in statements:
            cursor.execute(statement)
    return True


def grant_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    role = settings.DATABASE_APP_ROLE
    if role:
        grant_app_role(role, using)
