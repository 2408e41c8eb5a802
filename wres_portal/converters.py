"""The portal's path converter for numbers: `<int64:name>`, Django's `int` bounded by the largest
value an integer column holds (PostgreSQL's bigint, SQLite's INTEGER: 2**63 - 1). A longer number
matches no route, so it is a 404 like any other address that names nothing; with Django's
`<int:...>` it reached the database, where SQLite refused it with a server error ("Python int too
large to convert to SQLite INTEGER"). Registered by wres_portal/urls.py before any app's routes are
read."""

from __future__ import annotations

#: The largest number a route accepts.
LARGEST = 2**63 - 1

#: URL parameters that carry a secret (invitation and password-reset links): the audit trail records
#: their names instead of their values, and nothing keeps them in memory beyond the request.
SECRET_URL_KWARGS = frozenset({"token", "uidb64"})


class Int64Converter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > LARGEST:
            raise ValueError("larger than any stored number")  # Django: no match, so 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)
