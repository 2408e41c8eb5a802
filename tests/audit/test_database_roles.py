"""Issue 12, item 10: the application's database role cannot rewrite or skip the audit trail.

The test creates a role as `docker-compose.yml` does (neither superuser nor owner), grants it what
`migrate` grants `DATABASE_APP_ROLE`, connects as it and tries every bypass the review found:
the trigger-ignore switch, rewriting or deleting an event, TRUNCATE, disabling triggers,
`session_replication_role`, and replacing the trigger function. PostgreSQL only (CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from audit import models as audit_models
from audit.roles import grant_app_role
from submissions.models import Return
from tests.workers import require_postgresql

pytestmark = pytest.mark.postgres


@pytest.fixture
def as_app(transactional_db, draft) -> Iterator[psycopg.Connection]:
    """A connection to the test database as a fresh application role (dropped afterwards)."""
    require_postgresql()
    role = f"wres_app_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    password = uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN PASSWORD %s', [password])
    grant_app_role(role)
    s = connection.settings_dict
    app = psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        dbname=s["NAME"],
        user=role,
        password=password,
        autocommit=False,
    )
    try:
        yield app
    finally:
        app.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


def _refused(app: psycopg.Connection, sql: str, params: list[object] | None = None) -> str:
    """Run `sql` as the application role; it must fail. Returns PostgreSQL's message."""
    try:
        with app.cursor() as cursor:
            cursor.execute(sql, params)
    except psycopg.Error as error:
        app.rollback()
        return str(error)
    app.rollback()
    raise AssertionError(f"the application role was allowed to run: {sql}")


def _triggers(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
        )
        return [name for (name,) in cursor.fetchall()]


def test_the_app_role_is_neither_superuser_nor_owner(as_app) -> None:
    with as_app.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False,)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        assert cursor.fetchone() == (0,)
    as_app.rollback()


def test_the_app_role_does_its_work_and_is_audited(as_app, draft) -> None:
    events = audit_models.ReturnHistory.objects.filter(pgh_obj_id=draft.pk, pgh_label="update")
    before = events.count()
    with as_app.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Return._meta.db_table}" SET late_reason = %s WHERE id = %s',
            ["x", draft.pk],
        )
    as_app.commit()
    assert events.count() == before + 1


def test_the_trigger_ignore_switch_does_not_skip_auditing_for_the_app_role(as_app, draft) -> None:
    table = Return._meta.db_table
    events = audit_models.ReturnHistory.objects.filter(pgh_obj_id=draft.pk, pgh_label="update")
    before = events.count()
    ignore = "{" + ",".join(_triggers(table)) + "}"
    with as_app.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignore])
        cursor.execute(f'UPDATE "{table}" SET late_reason = %s WHERE id = %s', ["skipped?", draft.pk])
    as_app.commit()
    assert events.count() == before + 1


def test_the_app_role_cannot_rewrite_or_delete_an_event(as_app, draft) -> None:
    table = audit_models.ReturnHistory._meta.db_table
    assert audit_models.ReturnHistory.objects.filter(pgh_obj_id=draft.pk).exists()
    ignore = "{" + ",".join(_triggers(table)) + "}"
    for sql in (
        f'UPDATE "{table}" SET pgh_label = %s',
        f'DELETE FROM "{table}" WHERE pgh_label <> %s',
    ):
        message = _refused(as_app, sql, ["rewritten"])
        assert "permission denied" in message
        # ...not even with the append-only trigger switched off first.
        with as_app.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, false)", [ignore])
        as_app.commit()
        assert "permission denied" in _refused(as_app, sql, ["rewritten"])
    assert not audit_models.ReturnHistory.objects.filter(pgh_label="rewritten").exists()


@pytest.mark.parametrize(
    "sql",
    [
        'TRUNCATE "{returns}" CASCADE',
        'TRUNCATE "{events}"',
        'ALTER TABLE "{returns}" DISABLE TRIGGER ALL',
        'ALTER TABLE "{events}" DISABLE TRIGGER ALL',
        'DROP TRIGGER IF EXISTS "{trigger}" ON "{returns}"',
        "SET session_replication_role = replica",
        "CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name NAME) RETURNS BOOLEAN "
        "AS $$ BEGIN RETURN TRUE; END; $$ LANGUAGE plpgsql",
        "CREATE FUNCTION public.shadow() RETURNS BOOLEAN AS $$ SELECT TRUE $$ LANGUAGE sql",
    ],
)
def test_the_app_role_cannot_switch_triggers_off(as_app, sql) -> None:
    returns = Return._meta.db_table
    # The audit trail's three and the completeness monitor's (issue 18: they move its version).
    before = sorted(_triggers(returns))
    assert len(before) == 5
    statement = sql.format(
        returns=returns, events=audit_models.ReturnHistory._meta.db_table, trigger=_triggers(returns)[0]
    )
    message = _refused(as_app, statement)
    assert any(word in message for word in ("permission denied", "must be owner", "must be superuser"))
    assert sorted(_triggers(returns)) == before
