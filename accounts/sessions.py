"""The session store: Django's database sessions, with the one read every signed-in request makes
done by a statement compiled once per process and prepared on the connection (issue 18,
`wres_portal.prepared`). The ORM compiled `Session.objects.get(...)` on every request and
PostgreSQL planned it every time; writes, deletion and expiry are Django's own."""

from __future__ import annotations

import functools

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from wres_portal.prepared import read_cursor


@functools.cache
def _session_sql() -> str:
    q = connection.ops.quote_name
    table = q(Session._meta.db_table)
    return (
        f"SELECT {q('session_key')}, {q('session_data')}, {q('expire_date')} FROM {table} "  # noqa: S608
        f"WHERE {q('session_key')} = %s AND {q('expire_date')} > %s"
    )


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        if self.session_key is None:  # no cookie, or one Django refused as malformed
            return None
        with read_cursor() as cursor:
            cursor.execute(_session_sql(), [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return Session(session_key=row[0], session_data=row[1], expire_date=row[2])
