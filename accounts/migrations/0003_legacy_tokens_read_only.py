"""Move DRF authtoken keys (one per user, stored in clear, no scope or expiry) into ApiToken.

Each existing key is kept working for reading only: it becomes a read-scoped token named
"Made before scoped tokens", expiring 30 days after this migration, stored as a SHA-256 like every
token. Writing, submitting, signing off and accepting need a new token made on the account page.
Then the old table, which held the keys in clear, is dropped.
"""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"
LEGACY_DAYS = 30


def _fingerprint(user, memberships) -> str:
    # The same digest as accounts.tokens.roles_fingerprint at the time of writing.
    parts = sorted(f"{m.authority_id}:{m.role}" for m in memberships)
    text = "|".join([user.national_role, str(user.is_active), str(user.is_superuser), *parts])
    return hashlib.sha256(text.encode()).hexdigest()


def forwards(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {LEGACY_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    expires = timezone.now() + timedelta(days=LEGACY_DAYS)
    for key, user_id in rows:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            continue
        memberships = list(Membership.objects.filter(user_id=user_id))
        ApiToken.objects.create(
            user=user,
            name="Made before scoped tokens",
            prefix=f"old_{key[:12]}",
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            scope="read",
            expires_at=expires,
            created_verified=False,
            roles_fingerprint=_fingerprint(user, memberships),
        )
    schema_editor.execute(f"DROP TABLE {LEGACY_TABLE} CASCADE")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_tokens_security_events")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
