"""Authenticator set-up no longer stores a device until it is confirmed (the secret lives in the
session that is setting it up: accounts/mfa.py). Unconfirmed devices left by the old set-up page
held secrets that someone with only the password may have seen: delete them."""

from django.db import migrations


def forwards(apps, schema_editor) -> None:
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    TOTPDevice.objects.filter(confirmed=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sign_in_throttle"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
