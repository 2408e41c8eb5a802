"""Statements PostgreSQL plans once per connection (issue 18).

A signed-in page runs the same few statements on every request: the session, the user with their
second-factor state, the return with its authority and round, the results page's basis. Django binds
parameters in the client (psycopg's ClientCursor), so PostgreSQL parses and plans each statement on
every execution; for the results page's basis (nine subqueries) planning took longer than running
it (1.6 to 5.5 ms against about 1 ms, EXPLAIN ANALYZE at 20,000 authorities). A cursor that binds on
the server lets psycopg prepare a statement once it has run `prepare_threshold` (5) times on the
connection, and PostgreSQL reuses its plan from then on (connections are kept: CONN_MAX_AGE).

Only read statements compiled once per process go through here. Everything else keeps Django's
client-side binding: django-pghistory sends its audit context in front of every write as a second
statement, which a prepared statement cannot hold. The cursor is Django's own wrapper, so the
queries are counted and logged (CaptureQueriesContext, the query-count tests) as any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class _LoggedCursor(CursorDebugWrapper):
    """Django's query-logging cursor (tests, DEBUG), logging the statement with its values: psycopg
    forgets a prepared statement's text, where Django's log would read it."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def read_cursor(*, binary: bool = False) -> Iterator[Any]:
    """A cursor for one of the hot read statements: server-side binding (prepared after a few runs)
    on PostgreSQL, Django's ordinary cursor elsewhere (SQLite in `make demo`).

    `binary`: PostgreSQL sends the results in its binary format, for a statement that reads a stored
    file (`bytea`). In the text format a bytea arrives as hex, twice its size, and is decoded in the
    client: a 2.1 MB status.csv took 10 to 15 ms and 4.5 ms of CPU to read, against 3 ms and 1 ms
    in binary (issue 18). Only for statements whose columns have binary loaders in psycopg (numbers,
    text, bytea, dates): Django's own converters expect the text format's values."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = psycopg.Cursor(connection.connection)
    if binary:
        raw.format = psycopg.pq.Format.BINARY
    wrapper = _LoggedCursor if connection.queries_logged else CursorWrapper
    with wrapper(raw, connection) as cursor:
        yield cursor
