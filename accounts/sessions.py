"""The session store: Django's database sessions, kept in `accounts.Session`, whose row carries the
signed-in user's id beside the session's data.

Every signed-in request reads its session and then its user (with their second-factor state,
`accounts.mfa.signed_in_user_queryset`). Here both come from one statement, compiled once per
process and prepared on the connection (`wres_portal.prepared`): the session row, joined to its
user. The user read with it is handed to the authentication backend for this request only
(`prefetched_user`, set by `accounts.middleware.AuthenticationMiddleware`), which takes it when it
is the user the session names, and otherwise reads the user itself as before. Django's own checks
run unchanged on the user either way (active, the session's password hash).

Writes, deletion and expiry are Django's own; every save writes the user's id with the data.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from typing import Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone

from wres_portal.prepared import read_cursor

from . import mfa
from .models import Session, User

#: The user read with this request's session, while Django's `auth.get_user` asks the backend for
#: the session's user (`prefetched_user`); unset at any other time.
_PREFETCHED: contextvars.ContextVar[User | None] = contextvars.ContextVar("wres_prefetched_user")


@contextlib.contextmanager
def prefetched_user(user: User | None) -> Iterator[None]:
    """Offer `user` (read with the session) to `accounts.signin_throttle.ThrottledModelBackend` for
    the duration of the block."""
    token = _PREFETCHED.set(user)
    try:
        yield
    finally:
        _PREFETCHED.reset(token)


def offered_user(user_id: Any) -> User | None:
    """The user read with the session, if one is on offer and it is the user with `user_id`."""
    user = _PREFETCHED.get(None)
    if user is None or str(user.pk) != str(user_id):
        return None
    return user


@functools.cache
def _session_sql() -> tuple[str, tuple[Any, ...]]:
    """The session row with its user and their second-factor state: the session's key and expiry
    are the last two parameters."""
    q = connection.ops.quote_name
    users, params = mfa.signed_in_users_sql()
    sql = (
        f"SELECT s.{q('session_key')}, s.{q('session_data')}, s.{q('expire_date')}, u.* "  # noqa: S608
        f"FROM {q(Session._meta.db_table)} s LEFT JOIN ({users}) u ON u.{q('id')} = s.{q('user_id')} "
        f"WHERE s.{q('session_key')} = %s AND s.{q('expire_date')} > %s"
    )
    return sql, params


class SessionStore(DatabaseSessionStore):
    #: The user read with the session (None: the row names no user, or that user is gone).
    loaded_user: User | None = None

    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        """Django's row (its model is `Session`, `get_model_class`), with the signed-in user's id."""
        instance = cast(Session, super().create_model_instance(data))
        try:
            instance.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            instance.user_id = None
        return instance

    def _get_session_from_db(self) -> Session | None:
        self.loaded_user = None
        if self.session_key is None:  # no cookie, or one Django refused as malformed
            return None
        sql, params = _session_sql()
        with read_cursor() as cursor:
            cursor.execute(sql, [*params, self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        self.loaded_user = mfa.signed_in_user_from_row(row[3:])
        return Session(session_key=row[0], session_data=row[1], expire_date=row[2])
