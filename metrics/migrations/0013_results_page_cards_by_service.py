"""The results page document's cards, one uncompressed text column per service (issue 18).

A page reads one service's cards (about 100 kB of HTML). Taken out of one JSON column holding all
three, PostgreSQL decompressed and parsed about 300 kB on every request (0.51 ms against 0.08 ms for an
uncompressed text column, measured on the 20,000-authority bench data). The documents are derived
data, rebuilt by the page on a miss and by the workers: the stored ones are dropped, not converted.
"""

from django.db import migrations, models


def drop_documents(apps, schema_editor):
    apps.get_model("metrics", "ResultsPageDocument").objects.all().delete()


STORAGE = """
ALTER TABLE metrics_resultspagedocument
    ALTER COLUMN cards_all SET STORAGE EXTERNAL,
    ALTER COLUMN cards_adults SET STORAGE EXTERNAL,
    ALTER COLUMN cards_children SET STORAGE EXTERNAL
"""


def uncompressed(apps, schema_editor):
    """EXTERNAL: kept out of line (TOAST) but not compressed, so reading one column costs a copy."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STORAGE)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0012_indicator_documents")]

    operations = [
        migrations.RunPython(drop_documents, migrations.RunPython.noop),
        migrations.RemoveField(model_name="resultspagedocument", name="cards"),
        *(
            migrations.AddField(
                model_name="resultspagedocument",
                name=name,
                field=models.TextField(default="", help_text=help_text),
                preserve_default=False,
            )
            for name, help_text in [
                ("cards_all", "The rendered cards of both services pooled."),
                ("cards_adults", "The rendered cards of adult social care."),
                ("cards_children", "The rendered cards of children's social care."),
            ]
        ),
        migrations.RunPython(uncompressed, migrations.RunPython.noop),
    ]
