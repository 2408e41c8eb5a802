from django.db import migrations


def backfill(apps, schema_editor):
    """Releases published before the change feed, in the order they were published."""
    Release = apps.get_model("metrics", "Release")
    Entry = apps.get_model("submissions", "ChangeFeedEntry")
    Entry.objects.bulk_create(
        Entry(kind="release_published", at=r.published_at, round_id=r.round_id, release_number=r.number)
        for r in Release.objects.filter(published=True).order_by("published_at", "id")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0007_comparison_groups"),
        ("submissions", "0010_change_feed"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
