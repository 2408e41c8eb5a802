"""A faster `_pgtrigger_should_ignore` for django-pgtrigger's triggers (which pghistory's use).

Every pgtrigger trigger first calls `_pgtrigger_should_ignore(TG_NAME)`. The function pgtrigger
installs reads the `pgtrigger.ignore` setting inside a `BEGIN ... EXCEPTION WHEN OTHERS` block, and
PL/pgSQL starts a subtransaction for every such block it enters: one per audited row. Past 64
subtransactions in one transaction PostgreSQL's subtransaction cache overflows and every row
visibility check slows down, so a bulk insert of 72,000 result rows took 47 s instead of 2 s
(measured with `make bench`'s data; see the README's Performance section).

This replacement reads the setting with `current_setting(name, missing_ok => true)`, which needs no
exception handler, and treats an unset or emptied setting as "ignore nothing", exactly as the
original does. It is installed after every `migrate`, after pgtrigger has (re)installed its own
(the audit app comes after pgtrigger in INSTALLED_APPS, so its post_migrate receiver runs later).

Why replace the function rather than configure pgtrigger: it is not a Python monkeypatch but a SQL
function that pgtrigger's triggers call by name, and django-pgtrigger (4.x) has no setting to change
it (its settings cover the schema, migrations and install-on-migrate only; `core.py` and
`compiler.py` hard-code the function and its exception block). pghistory's triggers are pgtrigger
triggers, so there is no supported way round it; if pgtrigger drops the exception block upstream,
this module can go.

The switch is honoured only for the role that installed the function (the owner, which runs
migrations): any role may `SET pgtrigger.ignore`, so without this check the application's own
database role could skip the audit triggers, or the append-only protection of the event tables,
with one `SET LOCAL`. The owner's name is written into the function when `migrate` installs it.
The role test runs only when an ignore list is set, so the ordinary path stays one setting read.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
    BEGIN
        _pgtrigger_ignore := NULLIF(CURRENT_SETTING('pgtrigger.ignore', TRUE), '')::TEXT[];
        IF _pgtrigger_ignore IS NULL THEN
            RETURN FALSE;
        END IF;
        IF current_user <> %(owner)s THEN
            RETURN FALSE;  -- only the owner (migrations) may switch auditing off
        END IF;
        RETURN trigger_name = ANY(_pgtrigger_ignore);
    END;
$$ LANGUAGE plpgsql;
"""


def install(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Install the replacement on PostgreSQL; returns False (and does nothing) elsewhere."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_literal(current_user)")
        (owner,) = cursor.fetchone()
        cursor.execute(FUNCTION_SQL % {"owner": owner})
    return True


def install_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    install(using)
